import { ConnectError } from "@connectrpc/connect";

/** The ConnectError a call failed with; fails the test when the call succeeded. */
export async function connectFailure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail, but it succeeded");
}
