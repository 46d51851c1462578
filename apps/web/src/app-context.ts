import type { GraphQLClient } from "./graphql-client.ts";
import type { PageTracing } from "./page-tracing.ts";
import type { PushSocket } from "./push-socket.ts";
import type { RuntimeConfig } from "./runtime-config.ts";

/** What every view gets: the clients, and ways to move and to tell the user things. */
export interface AppContext {
  config: RuntimeConfig;
  graphql: GraphQLClient;
  push: PushSocket;
  /** Spans for what a person does, for work the clients above do not carry. */
  tracing: PageTracing;
  navigate: (path: string) => void;
  toast: (message: string, options?: { href?: string; kind?: "info" | "alert" }) => void;
}

/** A view renders into its element and returns what tears it down when the route changes. */
export type View = (root: HTMLElement, context: AppContext) => () => void;
