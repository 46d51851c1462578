import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";

type Handler = (this: unknown, req: unknown, ctx: unknown) => unknown;

/**
 * Wraps every method of a service implementation so that whatever it throws passes
 * through the service's one error table (domain error -> ConnectError) on its way out.
 * Errors the table does not know stay as they are and reach clients as INTERNAL, with
 * their message hidden by Connect.
 */
export function mapHandlerErrors<T extends DescService>(
  service: T,
  impl: ServiceImpl<T>,
  toConnectError: (err: unknown) => unknown,
): ServiceImpl<T> {
  const wrapped: Record<string, Handler> = {};
  for (const method of service.methods) {
    const handler = (impl as unknown as Record<string, Handler | undefined>)[method.localName];
    if (!handler) continue;
    const streamsOut =
      method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
    wrapped[method.localName] = streamsOut
      ? async function* (req, ctx) {
          try {
            yield* handler.call(impl, req, ctx) as AsyncIterable<unknown>;
          } catch (err) {
            throw toConnectError(err);
          }
        }
      : async (req, ctx) => {
          try {
            return await handler.call(impl, req, ctx);
          } catch (err) {
            throw toConnectError(err);
          }
        };
  }
  return wrapped as unknown as ServiceImpl<T>;
}
