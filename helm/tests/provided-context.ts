// What the global setup hands to test files through inject().
declare module "vitest" {
  export interface ProvidedContext {
    /** The pinned helm binary (scripts/tools/helm.sh). */
    helm: string;
  }
}

export {};
