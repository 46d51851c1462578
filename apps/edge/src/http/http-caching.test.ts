import { describe, expect, it } from "vitest";
import { notModified, versionEtag } from "./http-caching.ts";

describe("notModified", () => {
  const etag = versionEtag("lot", "a", 7);

  it("matches the same version, also weakly or in a list", () => {
    expect(notModified('"lot-a-v7"', etag)).toBe(true);
    expect(notModified('W/"lot-a-v7"', etag)).toBe(true);
    expect(notModified('"lot-a-v6", "lot-a-v7"', etag)).toBe(true);
    expect(notModified("*", etag)).toBe(true);
  });

  it("does not match another version or no header", () => {
    expect(notModified('"lot-a-v6"', etag)).toBe(false);
    expect(notModified(undefined, etag)).toBe(false);
    expect(notModified('"lot-a-v70"', etag)).toBe(false);
  });
});
