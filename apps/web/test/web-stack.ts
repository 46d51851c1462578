import { fileURLToPath } from "node:url";
import { freePort, serviceEnv, ServiceGroup, startOtlpReceiver } from "@gavel/testing";
import { startDropProxy } from "./drop-proxy.ts";
import { startIngress } from "./ingress-proxy.ts";

export const JAEGER_UI = "http://jaeger.test:16686";

/**
 * The whole stack as `npm start` runs it, every process real on one real NATS: identity,
 * catalog, bidding, the notifier, the BFF, push (behind a proxy that can cut the network)
 * and the edge serving the built page (apps/web/dist) with its runtime config; and, as
 * the chart deploys it, a second edge with no URLs behind a path-routing "Ingress". Spans go
 * to an OTLP receiver, so lot events carry trace ids as they do with Jaeger.
 */
export async function startWebStack(natsUrl: string) {
  const receiver = await startOtlpReceiver();
  const group = new ServiceGroup();
  const env = { ...serviceEnv(natsUrl), ...receiver.env, GAVEL_MIN_LOT_SECONDS: "1" };
  const [identity, catalog, bidding] = await Promise.all(
    (["identity", "catalog", "bidding"] as const).map((app) => group.start(app, env)),
  );
  const [edgePort, ingressPort] = [await freePort(), await freePort()];
  const origin = `http://127.0.0.1:${edgePort}`;
  const ingressOrigin = `http://127.0.0.1:${ingressPort}`;
  const upstreamEnv = {
    ...env,
    GAVEL_IDENTITY_URL: identity!.rpcUrl,
    GAVEL_CATALOG_URL: catalog!.rpcUrl,
    GAVEL_BIDDING_URL: bidding!.rpcUrl,
    GAVEL_CORS_ORIGINS: `${origin},${ingressOrigin}`,
  };
  const [, bff, push] = await Promise.all([
    group.start("notifier", env),
    group.start("bff", upstreamEnv),
    group.start("push", upstreamEnv),
  ]);
  const proxy = await startDropProxy(Number(new URL(push!.rpcUrl).port));
  const webDir = fileURLToPath(new URL("../dist", import.meta.url));
  const [edge, sameOriginEdge] = await Promise.all([
    group.start("edge", {
      ...upstreamEnv,
      PORT: String(edgePort),
      GAVEL_WEB_DIR: webDir,
      GAVEL_WEB_BFF_URL: bff!.rpcUrl,
      GAVEL_PUSH_PUBLIC_URL: proxy.url,
      GAVEL_WEB_JAEGER_URL: JAEGER_UI,
    }),
    // As in the chart: no URLs, everything on the Ingress's one host.
    group.start("edge", { ...upstreamEnv, GAVEL_WEB_DIR: webDir }),
  ]);
  const ingress = await startIngress(ingressPort, [
    ["/graphql", bff!.rpcUrl],
    ["/ws", push!.rpcUrl],
    ["/sse/", push!.rpcUrl],
    ["/tickets", push!.rpcUrl],
    ["/", sameOriginEdge!.rpcUrl],
  ]);
  return {
    /** The edge as `npm start` runs it: the page, with the other fronts on their own ports. */
    origin: edge!.rpcUrl,
    /** One host for everything, as behind the chart's Ingress. */
    ingressOrigin: ingress.url,
    proxy,
    async stop() {
      await ingress.stop();
      await proxy.stop();
      const codes = await group.stop();
      await receiver.stop();
      return codes;
    },
  };
}

export type WebStack = Awaited<ReturnType<typeof startWebStack>>;

/** Signs a user up over REST and answers with their REST auth header. */
export async function signUp(origin: string, email: string, displayName: string, password: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${origin}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const created = await post("/v1/auth/sign-up", { email, password, display_name: displayName });
  if (created.status !== 201) throw new Error(`sign-up: ${created.status} ${await created.text()}`);
  const session = (await (await post("/v1/auth/sign-in", { email, password })).json()) as {
    access_token: string;
    user: { id: string };
  };
  return { id: session.user.id, authorization: `Bearer ${session.access_token}` };
}
