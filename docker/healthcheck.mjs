/* global fetch, AbortSignal */
// The image's HEALTHCHECK: GET /healthz on the port the app serves it on (the variable
// named by GAVEL_HEALTH_PORT_VAR if set, else the image's default), exit 0 on 200.
const port =
  process.env[process.env.GAVEL_HEALTH_PORT_VAR ?? "PORT"] ?? process.env.GAVEL_HEALTH_PORT;
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(2500),
  });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
