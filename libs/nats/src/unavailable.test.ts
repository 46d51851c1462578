import { JetStreamApiError, JetStreamStatusError } from "@nats-io/jetstream/internal";
import { NoRespondersError, TimeoutError } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { isNatsUnavailable, untilAvailable } from "./unavailable.ts";

describe("isNatsUnavailable", () => {
  it("is true for what passes: no connection, no answer, JetStream not there yet", () => {
    expect(isNatsUnavailable(new TimeoutError())).toBe(true);
    expect(isNatsUnavailable(new NoRespondersError("$JS.API.DIRECT.GET.LOT_EVENTS"))).toBe(true);
    // A direct get while a restarted server has not brought JetStream back yet.
    expect(isNatsUnavailable(new JetStreamStatusError("no responders", 503))).toBe(true);
    const electing = new JetStreamApiError({
      code: 503,
      err_code: 10008,
      description: "JetStream system temporarily unavailable",
    });
    expect(isNatsUnavailable(electing)).toBe(true);
    expect(isNatsUnavailable(new Error("storing failed", { cause: electing }))).toBe(true);
  });

  it("is false for answers that are final, and for anything else", () => {
    expect(isNatsUnavailable(new JetStreamStatusError("no messages", 404))).toBe(false);
    const wrongSequence = new JetStreamApiError({
      code: 400,
      err_code: 10071,
      description: "wrong last sequence: 41",
    });
    expect(isNatsUnavailable(wrongSequence)).toBe(false);
    expect(isNatsUnavailable(new Error("no responders"))).toBe(false);
    expect(isNatsUnavailable("503")).toBe(false);
  });
});

describe("untilAvailable", () => {
  /** A step that fails with each of `errors` in turn, then answers "done". */
  function failing(...errors: unknown[]) {
    const step = {
      calls: 0,
      run: async () => {
        const err = errors[step.calls++];
        if (err !== undefined) throw err;
        return "done";
      },
    };
    return step;
  }

  it("runs a step again while NATS is unavailable, then answers what it answers", async () => {
    const step = failing(new TimeoutError(), new NoRespondersError("$JS.API.STREAM.CREATE.X"));
    expect(await untilAvailable(step.run)).toBe("done");
    expect(step.calls).toBe(3);
  });

  it("throws any other error at once", async () => {
    const final = new JetStreamApiError({ code: 400, err_code: 10058, description: "in use" });
    const step = failing(final);
    await expect(untilAvailable(step.run)).rejects.toBe(final);
    expect(step.calls).toBe(1);
  });

  it("runs a step again on an error it says passes too, and on no other", async () => {
    const forming = new JetStreamApiError({ code: 404, err_code: 10059, description: "not found" });
    const alsoWhile = (err: unknown) => err === forming;
    const step = failing(forming, new TimeoutError(), forming);
    expect(await untilAvailable(step.run, { alsoWhile })).toBe("done");
    expect(step.calls).toBe(4);
    const final = failing(forming);
    await expect(untilAvailable(final.run)).rejects.toBe(forming);
    expect(final.calls).toBe(1);
  });

  it("throws the unavailable error that outlasts its time", async () => {
    const timeouts = Array.from({ length: 100 }, () => new TimeoutError());
    const step = failing(...timeouts);
    const thrown = await untilAvailable(step.run, { forMs: 600 }).catch((err: unknown) => err);
    expect(thrown).toBe(timeouts[step.calls - 1]);
    expect(step.calls).toBeGreaterThan(1);
    expect(step.calls).toBeLessThan(6);
  });
});
