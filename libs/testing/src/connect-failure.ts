import { Code, ConnectError } from "@connectrpc/connect";

/** The ConnectError a call failed with; fails the test when the call succeeded. */
export async function connectFailure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** How a call ended, by its Connect code's name: "ok", or e.g. "Unauthenticated". */
export async function connectOutcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (err) {
    return Code[ConnectError.from(err).code];
  }
}
