import { describe, expect, it } from "vitest";
import { lotOfPresencePath, lotOfStreamPath, PUSH_PATHS } from "./push-paths.ts";

describe("push paths", () => {
  it("reads back the lot of every lot path it writes, and nothing else", () => {
    expect(lotOfStreamPath(PUSH_PATHS.lotStream("lot-1"))).toBe("lot-1");
    expect(lotOfPresencePath(PUSH_PATHS.lotPresence("lot-1"))).toBe("lot-1");
    for (const other of ["/sse/lots/", "/sse/lots/a/b", PUSH_PATHS.notifications, "/ws"])
      expect(lotOfStreamPath(other)).toBeUndefined();
    expect(lotOfPresencePath(PUSH_PATHS.lotStream("lot-1"))).toBeUndefined();
  });
});
