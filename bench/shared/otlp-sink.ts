/**
 * An OTLP/HTTP receiver that accepts every export, counts it and keeps nothing, so the
 * tracing bench can show the spans left the services; in its own process, off the load
 * generator's event loop.
 *   node otlp-sink.ts <port>     # prints "ready"; GET /stats answers the counts as JSON
 */
import http from "node:http";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

const stats = { traceExports: 0, spans: 0, metricExports: 0, bytes: 0 };

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    stats.bytes += body.length;
    if (req.url === "/v1/traces") {
      stats.traceExports++;
      stats.spans += countSpans(body);
    } else if (req.url === "/v1/metrics") stats.metricExports++;
    // An empty body is a valid Export*ServiceResponse: everything accepted.
    res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("ready\n"));

/**
 * Spans in an ExportTraceServiceRequest, read straight off the wire format:
 * resource_spans (1) > scope_spans (2) > spans (2).
 */
function countSpans(body: Uint8Array): number {
  let spans = 0;
  for (const resourceSpans of fields(body, 1))
    for (const scopeSpans of fields(resourceSpans, 2)) spans += fields(scopeSpans, 2).length;
  return spans;
}

/** The length-delimited values of one field number in a message. */
function fields(message: Uint8Array, fieldNo: number): Uint8Array[] {
  const reader = new BinaryReader(message);
  const values: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.LengthDelimited) values.push(reader.bytes());
    else reader.skip(wireType, no);
  }
  return values;
}
