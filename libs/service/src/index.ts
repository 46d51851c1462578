export { startConnectServer } from "./connect-server.ts";
export type { ConnectServer, ConnectServerOptions } from "./connect-server.ts";
export { onShutdownSignal, exitOnFatal } from "./shutdown.ts";
export { FieldViolations, invalidArgument } from "./field-violations.ts";
export { mapHandlerErrors } from "./error-mapping.ts";
export { startRuntime, serveConnect } from "./runtime.ts";
export type { Runtime, RuntimeConfig, ListenConfig } from "./runtime.ts";
export type { Violation } from "./field-violations.ts";
