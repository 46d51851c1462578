import { JetStreamApiError, JetStreamStatusError } from "@nats-io/jetstream/internal";
import { NoRespondersError, TimeoutError } from "@nats-io/nats-core";
import { describe, expect, it } from "vitest";
import { isNatsUnavailable } from "./unavailable.ts";

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
