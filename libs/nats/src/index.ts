export { connectNats, manageJetStream } from "./connect.ts";
export type { NatsSettings } from "./connect.ts";
export { openBucket } from "./kv-bucket.ts";
export { addOrUpdateStream, addStreamUnlessExists } from "./stream.ts";
export { ensureNotificationsStream } from "./notifications-stream.ts";
export { isNatsUnavailable, untilAvailable } from "./unavailable.ts";
export * from "./names.ts";
export { CONSUME_EXPIRES_MS } from "./consume.ts";
export { readSubject, isNoMessages } from "./subject-reads.ts";
