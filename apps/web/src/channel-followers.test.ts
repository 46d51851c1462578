import { describe, expect, it } from "vitest";
import { ChannelFollowers } from "./channel-followers.ts";
import { noTracing } from "./page-tracing.ts";
import type { EventFrame } from "./push-messages.ts";

function following(fromStart = false) {
  const sent: Array<Record<string, unknown>> = [];
  const frames: EventFrame[] = [];
  const channels = new ChannelFollowers(noTracing, (m) => sent.push(m));
  const stop = channels.add("lot:1", (f) => frames.push(f), fromStart);
  return { channels, sent, frames, stop };
}

const event = (seq: number) => ({ type: "event", channel: "lot:1", seq, event: "bid", data: {} });

describe("following channels over the push socket", () => {
  it("subscribes from now on, or after 0 for a channel's whole history", () => {
    const live = following();
    live.channels.subscribe("lot:1");
    expect(live.sent).toEqual([{ type: "subscribe", id: "sub:lot:1", channel: "lot:1" }]);
    const history = following(true);
    history.channels.subscribeAll();
    expect(history.sent).toEqual([
      { type: "subscribe", id: "sub:lot:1", channel: "lot:1", after: 0 },
    ]);
  });

  it("resubscribes after the last sequence it got, and marks what comes then as replayed", () => {
    const { channels, sent, frames } = following();
    channels.subscribed({ type: "subscribed", channel: "lot:1", after: 4 });
    channels.deliver(event(5));
    channels.subscribe("lot:1");
    expect(sent.at(-1)).toMatchObject({ type: "subscribe", after: 5 });
    channels.deliver(event(6));
    channels.subscribed({ type: "subscribed", channel: "lot:1", after: 6 });
    channels.deliver(event(7));
    expect(frames.map((f) => [f.seq, f.replayed])).toEqual([
      [5, false],
      [6, true],
      [7, false],
    ]);
  });

  it("drops an event it has had already, and any once it stopped following", () => {
    const { channels, frames, stop } = following();
    channels.deliver(event(3));
    channels.deliver(event(3));
    channels.deliver(event(2));
    expect(stop()).toBe(true);
    expect(stop()).toBe(false);
    channels.deliver(event(4));
    expect(frames.map((f) => f.seq)).toEqual([3]);
  });
});
