import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as shapes from "../src/api/response-schemas.ts";
import { lotBody, signedInUser, useEdgeStack } from "./edge-stack.ts";
import { events, postEndlessBody, postNdjson, type ImportAnswer } from "./import-client.ts";

const stack = useEdgeStack();

const ndjson = (...lines: string[]) => lines.join("\n") + "\n";
const line = (overrides: Record<string, unknown> = {}) => JSON.stringify(lotBody(overrides));

describe("bulk import over NDJSON", () => {
  it("creates the good lines and answers the malformed and invalid ones by line number", async () => {
    const seller = await signedInUser(stack.base);
    const res = await postNdjson(
      stack.base,
      ndjson(
        line({ title: "Import one" }),
        '{"title": "Broken", ',
        line({ title: "Import two" }),
        JSON.stringify({ title: "x", starting_price: { currency: "EUR", amount_minor: 100 } }),
        line({ title: "Import three" }),
      ),
      seller.auth,
    );

    expect(res.status).toBe(200);
    const answer = (await res.json()) as ImportAnswer;
    expect(answer).toMatchObject({ created: 3, failed: 2 });
    expect(answer.results.map((r) => [r.line, r.status])).toEqual([
      [1, "created"],
      [2, "failed"],
      [3, "created"],
      [4, "failed"],
      [5, "created"],
    ]);
    const lots = answer.results.flatMap((r) => (r.lot ? [shapes.Lot.parse(r.lot)] : []));
    expect(lots.map((l) => [l.title, l.seller_id])).toEqual([
      ["Import one", seller.id],
      ["Import two", seller.id],
      ["Import three", seller.id],
    ]);
    expect(answer.results[1]!.error).toMatchObject({
      code: "invalid_argument",
      message: expect.stringMatching(/^not JSON/),
    });
    expect(answer.results[3]!.error?.code).toBe("invalid_argument");
    expect(answer.results[3]!.error?.errors?.map((e) => e.field)).toEqual([
      "body.title",
      "body.ends_at",
    ]);

    await expect
      .poll(async () => {
        const page = shapes.LotPage.parse(
          await (await fetch(`${stack.base}/v1/lots?seller_id=${seller.id}`)).json(),
        );
        return page.items.map((l) => l.id).sort();
      })
      .toEqual(lots.map((l) => l.id).sort());
  });

  it("merges the catalog's refusals with the edge's in line order, numbering blank lines too", async () => {
    const seller = await signedInUser(stack.base);
    const res = await postNdjson(
      stack.base,
      ndjson(
        "not json",
        "",
        line({ ends_at: new Date(Date.now() - 60_000).toISOString() }),
        line(),
      ),
      seller.auth,
    );
    const answer = (await res.json()) as ImportAnswer;
    expect(answer).toMatchObject({ created: 1, failed: 2 });
    expect(answer.results.map((r) => [r.line, r.status])).toEqual([
      [1, "failed"],
      [3, "failed"],
      [4, "created"],
    ]);
    expect(answer.results[1]!.error).toMatchObject({
      code: "invalid_argument",
      errors: [expect.objectContaining({ field: "lot.ends_at" })],
    });
  });

  it("creates each line's lot once when an import is retried with the same Idempotency-Key", async () => {
    const seller = await signedInUser(stack.base);
    const body = ndjson(line({ title: "Once" }), line({ title: "Twice" }));
    const headers = { ...seller.auth, "idempotency-key": randomUUID() };
    const first = (await (await postNdjson(stack.base, body, headers)).json()) as ImportAnswer;
    const retry = (await (await postNdjson(stack.base, body, headers)).json()) as ImportAnswer;
    const ids = (a: ImportAnswer) => a.results.map((r) => shapes.Lot.parse(r.lot).id);
    expect(first.created).toBe(2);
    expect(ids(retry)).toEqual(ids(first));
  });

  it("refuses another content type with 415 and an anonymous caller with 401", async () => {
    const seller = await signedInUser(stack.base);
    const json = await fetch(`${stack.base}/v1/lots/import`, {
      method: "POST",
      headers: { "content-type": "application/json", ...seller.auth },
      body: JSON.stringify(lotBody()),
    });
    expect(json.status).toBe(415);
    expect(json.headers.get("accept-post")).toBe("application/x-ndjson");
    expect(shapes.Problem.parse(await json.json()).type).toBe(
      "https://gavel.dev/problems/unsupported-media-type",
    );

    const anonymous = await postNdjson(stack.base, ndjson(line()), {});
    expect(anonymous.status).toBe(401);
  });

  it("answers lines past the catalog's 1000 without sending them", async () => {
    const seller = await signedInUser(stack.base);
    const res = await postNdjson(
      stack.base,
      ndjson(...Array<string>(1000).fill("{}"), line()),
      seller.auth,
    );
    const answer = (await res.json()) as ImportAnswer;
    expect(answer).toMatchObject({ created: 0, failed: 1001 });
    expect(answer.results[999]!.error?.code).toBe("invalid_argument");
    expect(answer.results[1000]).toMatchObject({
      line: 1001,
      status: "failed",
      error: { code: "resource_exhausted" },
    });
  });

  it("refuses a streamed body with 413 once it passes the limit", async () => {
    const seller = await signedInUser(stack.base);
    const { status, body, chunksSent } = await postEndlessBody(stack.base, seller.auth);
    expect(status).toBe(413);
    expect(shapes.Problem.parse(JSON.parse(body)).type).toBe(
      "https://gavel.dev/problems/body-too-large",
    );
    expect(chunksSent).toBeLessThan(1000);
  });

  it("refuses a body over the limit with 413 before reading it", async () => {
    const seller = await signedInUser(stack.base);
    const res = await postNdjson(stack.base, " ".repeat(4 * 1024 * 1024 + 1), seller.auth);
    expect(res.status).toBe(413);
    expect(shapes.Problem.parse(await res.json()).type).toBe(
      "https://gavel.dev/problems/body-too-large",
    );
  });
});

describe("bulk import with its progress as Server-Sent Events", () => {
  const asEvents = { accept: "text/event-stream" };

  it("streams progress while it reads, then the same answer as the JSON one", async () => {
    const seller = await signedInUser(stack.base);
    const lines = Array.from({ length: 40 }, (_, i) =>
      i % 10 === 9 ? '{"title": ' : line({ title: `Streamed import ${i + 1}` }),
    );
    const res = await postNdjson(stack.base, ndjson(...lines), { ...seller.auth, ...asEvents });

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("content-encoding")).toBeNull();
    const all = await events(res);
    const progress = all.filter((e) => e.event === "progress").map((e) => e.data);
    expect(progress.length).toBeGreaterThan(0);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.lines_read as number).toBeGreaterThanOrEqual(
        progress[i - 1]!.lines_read as number,
      );
    expect(progress.at(-1)).toEqual({ lines_read: 40, sent_to_catalog: 36, failed_here: 4 });
    expect(all.at(-1)!.event).toBe("result");
    const answer = all.at(-1)!.data as unknown as ImportAnswer;
    expect(answer).toMatchObject({ created: 36, failed: 4 });
    expect(answer.results.filter((r) => r.status === "failed").map((r) => r.line)).toEqual([
      10, 20, 30, 40,
    ]);
    expect(all.filter((e) => e.event === "result")).toHaveLength(1);
  });

  it("ends with a problem event when the import fails after the stream began", async () => {
    const seller = await signedInUser(stack.base);
    const tooMany = ndjson(...Array.from({ length: 10_001 }, () => "{}"));
    const res = await postNdjson(stack.base, tooMany, { ...seller.auth, ...asEvents });

    expect(res.status).toBe(200);
    const all = await events(res);
    expect(all.at(-1)!.event).toBe("problem");
    expect(shapes.Problem.parse(all.at(-1)!.data)).toMatchObject({
      status: 413,
      type: "https://gavel.dev/problems/body-too-large",
      detail: "an import takes at most 1000 lines",
    });
    expect(all.filter((e) => e.event === "result")).toEqual([]);
  });

  it("ends an endless body's stream with a 413 problem event", async () => {
    const seller = await signedInUser(stack.base);
    // The status (200) went out with the first event, so the connection closes after
    // the stream instead of saying Connection: close; the response still ends.
    const { status, body, chunksSent } = await postEndlessBody(stack.base, {
      ...seller.auth,
      ...asEvents,
    });
    expect(status).toBe(200);
    const last = body.trim().split("\n\n").at(-1)!;
    expect(last).toMatch(/^event: problem\n/);
    expect(shapes.Problem.parse(JSON.parse(last.split("data: ")[1]!))).toMatchObject({
      status: 413,
      detail: "an import body takes at most 4194304 bytes",
    });
    expect(chunksSent).toBeLessThan(1000);
  });

  it("refuses before any event what it refuses before reading: 415, 401", async () => {
    const seller = await signedInUser(stack.base);
    const wrongType = await fetch(`${stack.base}/v1/lots/import`, {
      method: "POST",
      headers: { "content-type": "application/json", ...seller.auth, ...asEvents },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    const anonymous = await postNdjson(stack.base, ndjson(line()), asEvents);
    expect(anonymous.status).toBe(401);
  });
});
