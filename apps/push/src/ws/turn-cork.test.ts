import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSocketPair, type SocketPair } from "../../test/fixtures/socket-pair.ts";
import { corkedForTurn, corkForTurn } from "./turn-cork.ts";
import { textFrame } from "./ws-frame.ts";

let pair: SocketPair;
beforeEach(async () => {
  pair = await openSocketPair();
});
afterEach(() => pair.close());

describe("a socket corked for the turn", () => {
  it("sends what was written to it in the turn in one write, when the turn ends", async () => {
    corkForTurn(pair.socket);
    for (const text of ["1", "2", "3"]) {
      corkForTurn(pair.socket); // the turn's later writes find it corked
      pair.socket.write(textFrame(text));
    }
    pair.server.send("4"); // ws's own frames join them
    expect(corkedForTurn(pair.socket)).toBe(true);
    expect(pair.writes()).toBe(0);
    await nextTurn();
    expect(corkedForTurn(pair.socket)).toBe(false);
    expect(pair.writes()).toBe(1);
    expect(await pair.receivedCount(4)).toEqual(["1", "2", "3", "4"]);
  });

  it("is corked afresh in the next turn", async () => {
    corkForTurn(pair.socket);
    pair.socket.write(textFrame("1"));
    await nextTurn();
    corkForTurn(pair.socket);
    pair.socket.write(textFrame("2"));
    await nextTurn();
    expect(pair.writes()).toBe(2);
    expect(await pair.receivedCount(2)).toEqual(["1", "2"]);
  });
});
