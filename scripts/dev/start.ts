/**
 * `npm start`: the whole stack on this machine; it stays up for hours only to relay logs, so
 * it imports little: docs/development.md#the-stack-on-one-machine-npm-start
 *   npm start -- --no-seed    # without demo data
 *   npm start -- --no-load    # without the load generator's lots and bidders
 *   npm start -- --jaeger     # and a local Jaeger that every service exports traces to
 */
import { join } from "node:path";
import { parseCommandLine } from "@gavel/config/command-line";
import { defaultPorts } from "@gavel/config/ports";
import { repoRoot } from "@gavel/testing/processes";
import { localJaeger } from "./local-jaeger.ts";
import { startLocalStack, type LocalStack } from "./local-stack.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";

const { values: flags } = parseCommandLine("npm start --", {
  options: {
    "no-seed": { type: "boolean", default: false },
    "no-load": { type: "boolean", default: false },
    jaeger: { type: "boolean", default: false },
  },
});

let stack: LocalStack | undefined;
// Ctrl-C while it starts stops what has started (startLocalStack sees the abort);
// once it runs, stops it all.
const starting = new AbortController();
const stopAndExit = () => {
  if (!stack) return starting.abort();
  void stack.stop().then(() => process.exit(0));
};
process.once("SIGINT", stopAndExit);
process.once("SIGTERM", stopAndExit);

try {
  stack = await startLocalStack({
    root: repoRoot,
    stateDir: join(repoRoot, ".gavel"),
    ports: defaultPorts,
    env: process.env,
    seed: !flags["no-seed"],
    load: !flags["no-load"],
    jaeger: flags.jaeger,
    echo: "all",
    say: (line) => console.log(`npm start: ${line}`),
    signal: starting.signal,
  });
  console.log(banner(stack));
  await stack.failed;
} catch (err) {
  if (starting.signal.aborted) process.exit(0);
  // One line, never a stack trace: what failed says what to do.
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  await stack?.stop();
  process.exit(1);
}

function banner(s: LocalStack): string {
  const connect = s.services.slice(0, 4);
  return `
Gavel is running (Ctrl-C stops it):
  the auction floor   http://localhost:${defaultPorts.edge.http}/  (open it in a browser)
  NATS                ${s.natsUrl}${s.nats ? ` (one user per app, as in the chart; monitoring http://127.0.0.1:${defaultPorts.nats.monitor})` : ""}
  REST API            ${s.edge.rpcUrl}/v1  (docs ${s.edge.rpcUrl}/v1/docs; lots link their live feeds below)
  GraphQL             ${s.bff.rpcUrl}/graphql
  WebSocket           ${s.push.rpcUrl.replace(/^http/, "ws")}/ws  (SSE ${s.push.rpcUrl}/sse/lots/<id>)
${connect
  .map(
    (p) =>
      `  ${p.app.padEnd(19)} ${p.rpcUrl}  (Connect, gRPC, gRPC-Web; health ${p.adminUrl}/readyz)`,
  )
  .join("\n")}
  notifier            health ${s.notifier.adminUrl}/readyz (publishes to the NOTIFICATIONS stream)
${tracingLine(s)}
${s.loadgen ? "  demo traffic        apps/loadgen: lots and bidders through the REST edge (--no-load turns it off)\n" : ""}${s.lots.length ? `  demo lots           ${s.lots.join("; ")}\n  demo users          ${DEMO_USERS.map((u) => u.email).join(", ")} (password ${DEMO_PASSWORD})` : ""}
`;
}

function tracingLine(s: LocalStack): string {
  if (s.jaeger)
    return `  Jaeger              ${localJaeger.query}/api/traces?service=edge  (OTLP ${localJaeger.otlpHttp}; log .gavel/jaeger.log)`;
  return s.tracesTo
    ? `  traces              exported to ${s.tracesTo}`
    : "  traces              not exported (npm start -- --jaeger, or set OTEL_EXPORTER_OTLP_ENDPOINT)";
}
