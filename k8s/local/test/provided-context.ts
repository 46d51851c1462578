// What the global setup hands to test files through inject().
declare module "vitest" {
  export interface ProvidedContext {
    /** The cluster's kubectl (k8s/local/build.sh), of the cluster's version. */
    kubectl: string;
    /** The pinned helm (scripts/tools/helm.sh). */
    helm: string;
  }
}

export {};
