import http from "node:http";
import fc from "fast-check";
import * as shapes from "../src/api/response-schemas.ts";

/** What the REST hostile-input properties generate and how they judge the edge's answers. */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** Judges answers and counts their statuses, for a property's summary line. */
export class AnswerTally {
  statuses: Record<number, number> = {};

  reset(): void {
    this.statuses = {};
  }

  /** Why an answer is wrong for hostile input, or undefined when it is a proper one. */
  improper({ status, contentType, body }: Answer): string | undefined {
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status >= 500) return `HTTP ${status}: ${body.slice(0, 300)}`;
    if (status < 400) return undefined;
    if (!contentType.startsWith("application/problem+json"))
      return `HTTP ${status} as ${contentType}: ${body.slice(0, 200)}`;
    const problem = shapes.Problem.safeParse(JSON.parse(body));
    if (!problem.success) return `not a problem: ${body.slice(0, 200)}`;
    if (problem.data.status !== status)
      return `problem says ${problem.data.status}, HTTP ${status}`;
    return undefined;
  }
}

export async function answerOf(res: Response): Promise<Answer> {
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    body: await res.text(),
  };
}

/** Printable ASCII, which is all fetch lets through in a header value. */
export const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength,
  });

export const body = fc.oneof(
  fc.json().map((json) => ({ text: json, label: "random JSON" })),
  fc.jsonValue().map((v) => ({
    text: JSON.stringify({ email: v, password: v, title: v, amount: v }),
    label: "fields of any type",
  })),
  fc.string({ maxLength: 300 }).map((text) => ({ text, label: "any text" })),
  fc
    .uint8Array({ maxLength: 300 })
    .map((b) => ({ text: Buffer.from(b).toString("latin1"), label: "bytes" })),
  fc.integer({ min: 60_000, max: 3_000_000 }).map((n) => ({
    text: JSON.stringify({ title: "x".repeat(n) }),
    label: `${n} bytes of JSON`,
  })),
  fc.nat(40).map((depth) => ({
    text: "[".repeat(depth * 500) + "]".repeat(depth * 500),
    label: `nested ${depth * 500} deep`,
  })),
);

export const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "application/merge-patch+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; boundary=",
  "",
  "*/*",
);

/** A GET with the path exactly as given (fetch would normalise dots and escapes). */
export function rawGet(base: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path.startsWith("/") ? "" : "/"}`, { path }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}
