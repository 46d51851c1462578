import { describe, expect, it } from "vitest";
import { parseChannel } from "./channels.ts";
import { followedChannel } from "./followed-channels.ts";

describe("followedChannel", () => {
  it("gives every follower of a name the same channel, as parseChannel reads it", () => {
    const first = followedChannel("lot:lot-7");
    const again = followedChannel(["lot", "lot-7"].join(":"));
    expect(again).toBe(first);
    expect(first).toMatchObject({ ...parseChannel("lot:lot-7"), decode: expect.any(Function) });
    expect(followedChannel("user:u-7")).not.toBe(first);
  });

  it("names nothing that parseChannel refuses", () => {
    expect(followedChannel("lot:bad.id")).toBeUndefined();
    expect(followedChannel("bid:lot-7")).toBeUndefined();
  });
});
