import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";

/** How long a CDN may serve a public answer stale while it fetches a fresh one. */
const STALE_WHILE_REVALIDATE_SECONDS = 30;

/**
 * `Cache-Control` from the schema's @cacheControl hints, as the edge sets it for the same
 * data: Apollo folds a response's hints into one policy, and this makes it `public` (with
 * stale-while-revalidate), `private` varying by Authorization, or `no-store`.
 * docs/architecture.md#the-graphql-bff-appsbff
 */
export function cacheControlPlugins(): ApolloServerPlugin[] {
  return [
    ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response, overallCachePolicy }) {
            const policy = overallCachePolicy.policyIfCacheable();
            const failed = response.body.kind !== "single" || response.body.singleResult.errors;
            const headers = response.http.headers;
            if (!policy || failed) headers.set("cache-control", "no-store");
            else if (policy.scope === "PRIVATE") {
              headers.set("cache-control", `private, max-age=${policy.maxAge}`);
              // Replaces the Vary that CORS set (Apollo's headers overwrite Express's).
              headers.set("vary", "Origin, Authorization");
            } else {
              headers.set(
                "cache-control",
                `public, max-age=${policy.maxAge}, ` +
                  `stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
              );
            }
          },
        };
      },
    },
  ];
}
