import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
} from "@opentelemetry/api";
import type { ClientMessage } from "../ws/protocol.ts";
import type { TraceClaims } from "./trace-claims.ts";
import { parseTraceparent } from "./traceparent.ts";

const tracer = trace.getTracer("gavel.push");

/** The client messages that make the replica work, each handled inside a span. */
export type TracedMessage = Extract<ClientMessage, { type: "bid" | "subscribe" }>;

/** Who sent a message, as trace claims know them, and where. */
export interface MessageSource {
  /** `user:<id>`, or `connection:<id>` for an anonymous socket. */
  owner: string;
  replica: string;
  claims: TraceClaims;
}

/** What handling a message came to, for its span. */
export interface MessageOutcome {
  /** What the client was answered: `ack`, `subscribed` or an error code; none if nothing. */
  answer: string | undefined;
  /** Stored events a subscription replayed to the client. */
  replayed?: number;
}

/** Answers that mean the replica or what it calls failed, not the client. */
const FAULTS: ReadonlySet<string> = new Set(["internal", "unavailable"]);

/**
 * Handles a client message inside a server span (`ws bid`, `ws subscribe`), so what it
 * calls (bidding over Connect) are the span's children. The parent is the message's own
 * `traceparent` when it is well-formed and TraceClaims trusts it for this sender;
 * otherwise the span starts a trace, linked to a refused context (as otelconnect does for
 * callers it does not trust). A malformed value is ignored. A throw is an `internal`.
 */
export async function traceMessage(
  message: TracedMessage,
  source: MessageSource,
  handle: () => Promise<MessageOutcome>,
): Promise<void> {
  const { parent, links, refused } = parentOf(message.traceparent, source);
  const attributes: Attributes = {
    "network.protocol.name": "websocket",
    "gavel.ws.message.type": message.type,
    "gavel.push.replica": source.replica,
    ...(message.type === "bid"
      ? { "gavel.lot.id": message.lotId }
      : { "gavel.channel": message.channel, "gavel.push.resumed": message.after !== undefined }),
    ...(refused ? { "gavel.trace.parent_refused": refused } : {}),
  };
  const span = tracer.startSpan(
    `ws ${message.type}`,
    { kind: SpanKind.SERVER, attributes, links },
    parent,
  );
  try {
    const outcome = await context.with(trace.setSpan(parent, span), handle);
    if (outcome.answer !== undefined) span.setAttribute("gavel.ws.answer", outcome.answer);
    if (outcome.replayed !== undefined) span.setAttribute("gavel.push.replayed", outcome.replayed);
    if (outcome.answer !== undefined && FAULTS.has(outcome.answer)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.answer });
    }
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.setAttribute("gavel.ws.answer", "internal"); // what the session answers a throw with
    throw err;
  } finally {
    span.end();
  }
}

/** The same facts about a resume on an SSE stream's request span. */
export function resumeAttributes(resumed: boolean, replayed: number | undefined): Attributes {
  return {
    "gavel.push.resumed": resumed,
    ...(replayed === undefined ? {} : { "gavel.push.replayed": replayed }),
  };
}

function parentOf(
  traceparent: unknown,
  source: MessageSource,
): { parent: Context; links: Link[]; refused?: string } {
  const offered = parseTraceparent(traceparent);
  if (!offered) return { parent: ROOT_CONTEXT, links: [] };
  const refused = source.claims.claim(offered.traceId, source.owner);
  if (refused) return { parent: ROOT_CONTEXT, links: [{ context: offered }], refused };
  return { parent: trace.setSpanContext(ROOT_CONTEXT, offered), links: [] };
}
