// What the global setup hands to test files through inject().
declare module "vitest" {
  export interface ProvidedContext {
    /** The URL of the real NATS server started for this package's tests. */
    natsUrl: string;
  }
}

export {};
