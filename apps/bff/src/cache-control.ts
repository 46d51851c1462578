import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";

/** How long a CDN may serve a public answer stale while it fetches a fresh one. */
const STALE_WHILE_REVALIDATE_SECONDS = 30;

/**
 * `Cache-Control` from the schema's @cacheControl hints: Apollo folds the hints of every
 * field a response holds into one policy (the smallest max-age, PRIVATE if any field is
 * private); this turns it into the header the edge uses for the same data. Public catalog
 * data may sit in a CDN for seconds (with GET and persisted queries it has a URL to be
 * cached by); an answer holding anything private (the viewer, a seller's reserve, an
 * email) is `private` and varies by Authorization; errors, mutations and fields without a
 * hint are `no-store`.
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
