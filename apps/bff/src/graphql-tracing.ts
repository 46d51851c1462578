import type { ApolloServerPlugin } from "@apollo/server";
import { context, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import type { GraphQLResolveInfo } from "graphql";
import type { GraphQLContext } from "./context.ts";
import { INTERNAL_CODE } from "./connect-errors.ts";

const tracer = trace.getTracer("gavel.graphql");

/** A request's operation span and its context, made before execution starts. */
export interface OperationTrace {
  span: Span;
  context: Context;
}

/** Root field spans: calls made inside one belong under it, not under the operation. */
const rootFieldSpans = new WeakSet<Span>();

/**
 * Starts the operation span, the HTTP request span's child, when the request's context
 * is made; the plugin names it once the operation is known and ends it with the response.
 */
export function startOperationTrace(): OperationTrace {
  const span = tracer.startSpan("graphql", { attributes: { "graphql.operation.type": "query" } });
  return { span, context: trace.setSpan(context.active(), span) };
}

/**
 * Names the operation span `{type} {name}` (the GraphQL conventions) and ends it. The
 * variables are never recorded: they hold passwords (signIn) and bids.
 */
export const graphqlTracingPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        if (!operation) return;
        const span = contextValue.operationTrace.span;
        const name = operation.name?.value;
        span.updateName(name ? `${operation.operation} ${name}` : operation.operation);
        span.setAttribute("graphql.operation.type", operation.operation);
        if (name) span.setAttribute("graphql.operation.name", name);
      },
      async willSendResponse({ response, contextValue }) {
        const span = contextValue.operationTrace.span;
        const errors = response.body.kind === "single" ? response.body.singleResult.errors : [];
        if (errors?.some((e) => e.extensions?.code === INTERNAL_CODE)) {
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        if (errors?.length) span.setAttribute("gavel.graphql.errors", errors.length);
        span.end();
      },
    };
  },
};

type AnyResolver = (
  parent: unknown,
  args: unknown,
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
) => unknown;

/**
 * Wraps each root field's resolver (Query.*, Mutation.*) in a span under the operation,
 * active while it runs, so the service calls it makes are its children. Nested fields
 * get none (a page of 50 lots would make hundreds); their calls, batched by the loaders,
 * go under the operation span (see onBehalfOf).
 */
export function traceRootFields<R extends object>(type: "Query" | "Mutation", resolvers: R): R {
  const traced: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(resolvers)) {
    if (typeof value !== "function") {
      traced[field] = value;
      continue;
    }
    const resolve = value as AnyResolver;
    traced[field] = ((parent, args, ctx, info) => {
      const span = tracer.startSpan(
        `${type}.${field}`,
        {
          attributes: { "graphql.field.name": field, "graphql.field.path": `${type}.${field}` },
        },
        ctx.operationTrace.context,
      );
      rootFieldSpans.add(span);
      const end = (err?: unknown) => {
        if (err) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
      try {
        const result = context.with(trace.setSpan(ctx.operationTrace.context, span), () =>
          resolve(parent, args, ctx, info),
        );
        if (result instanceof Promise) {
          return result.then(
            (value) => {
              end();
              return value;
            },
            (err: unknown) => {
              end(err);
              throw err;
            },
          );
        }
        end();
        return result;
      } catch (err) {
        end(err);
        throw err;
      }
    }) satisfies AnyResolver;
  }
  return traced as R;
}

/** The context a service call belongs under: the root field running it, else the operation. */
export function callParent(operation: OperationTrace): Context {
  const active = trace.getActiveSpan();
  return active && rootFieldSpans.has(active) ? context.active() : operation.context;
}
