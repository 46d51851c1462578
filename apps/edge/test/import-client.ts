import http from "node:http";

/** Clients of the edge's bulk import (POST /v1/lots/import) for its tests. */
export interface ImportAnswer {
  created: number;
  failed: number;
  results: Array<{
    line: number;
    status: "created" | "failed";
    lot?: unknown;
    error?: { code: string; message: string; errors?: Array<{ field: string; message: string }> };
  }>;
}

export function postNdjson(base: string, body: string, headers: Record<string, string>) {
  return fetch(`${base}/v1/lots/import`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", ...headers },
    body,
  });
}

/**
 * Posts a body that never ends on its own (64 KiB chunks, up to 1000) with node:http, which
 * reads an answer that comes mid-body, as curl does. `chunksSent` is how many had gone out
 * when the refusal arrived (the lingering edge drains the rest at full speed); an error
 * before the answer fails the test. Why: docs/architecture.md#the-rest-edge-appsedge
 */
export function postEndlessBody(base: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string; chunksSent: number }>((resolve, reject) => {
    const chunk = "x".repeat(64 * 1024);
    let sent = 0;
    let answered = false;
    const req = http.request(`${base}/v1/lots/import`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", ...headers },
    });
    req.on("response", (res) => {
      let text = "";
      let sentAtRefusal: number | undefined;
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
        if (sentAtRefusal === undefined && text.includes("body-too-large")) sentAtRefusal = sent;
      });
      res.on("end", () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, body: text, chunksSent: sentAtRefusal ?? sent });
        req.destroy();
      });
    });
    req.on("error", (err) => (answered ? undefined : reject(err)));
    const write = () => {
      while (sent < 1000 && !answered && !req.destroyed) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

export interface StreamedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole text/event-stream answer into its events. */
export async function events(res: Response): Promise<StreamedEvent[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2) ?? "";
      return { event: field("event"), data: JSON.parse(field("data")) as Record<string, unknown> };
    });
}
