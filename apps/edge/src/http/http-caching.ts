import type { Request, Response } from "express";

/**
 * Cache-Control per kind of resource. Public catalog reads may be kept by any cache,
 * browser or CDN, for a few seconds and served stale while revalidating; anything that
 * depends on who asks is private; writes and errors are not stored.
 */
export const cachePolicy = {
  /** The API root and the OpenAPI document: change only with a deployment. */
  static: "public, max-age=300, stale-while-revalidate=3600",
  /** Lots and bid histories, read anonymously. */
  publicCatalog: "public, max-age=5, stale-while-revalidate=30",
  /** The same read with a token: only the user's own cache, and revalidate each time. */
  private: "private, no-cache",
  /**
   * An invoice: only its buyer and seller may read it, and once issued it never changes,
   * so their own cache may keep it for a day without asking again.
   */
  invoice: "private, max-age=86400",
  none: "no-store",
} as const;

/** A strong validator from a resource's version (its last event's stream sequence). */
export function versionEtag(kind: string, id: string, version: bigint | number): string {
  return `"${kind}-${id}-v${version}"`;
}

/** A strong validator for a resource that never changes once it exists (an invoice). */
export function immutableEtag(kind: string, id: string): string {
  return `"${kind}-${id}"`;
}

/**
 * Sets the validator and caching headers; answers 304 and returns true when the
 * client's If-None-Match already names this version. Reads that depend on the caller
 * are private (the policy says so) and every one varies on Authorization.
 */
export function answerConditionally(
  req: Request,
  res: Response,
  etag: string,
  policy: (typeof cachePolicy)[keyof typeof cachePolicy],
): boolean {
  res.set("etag", etag);
  res.set("cache-control", policy);
  res.vary("Authorization");
  if (notModified(req.get("if-none-match"), etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

/**
 * RFC 9110 If-None-Match for GET: weak comparison, "*" matches any current version.
 * (Express's req.fresh also gives up when the request says Cache-Control: no-cache,
 * which fetch() adds to every conditional request; an origin server should still
 * answer that revalidation with 304.)
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return (
    ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => opaque(tag) === opaque(etag))
  );
}
