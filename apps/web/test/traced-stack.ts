import { fileURLToPath } from "node:url";
import {
  freePort,
  serviceEnv,
  ServiceGroup,
  startJaeger,
  startNatsServer,
  type JaegerHandle,
  type NatsServerHandle,
} from "@gavel/testing";

/**
 * Every app exporting to one real Jaeger, as `npm start -- --jaeger` runs them, with two
 * push replicas: edge A serves the page wired to replica A, edge B to replica B, so two
 * browsers follow one lot through different replicas. Both edges relay the page's spans
 * and serve traces from that Jaeger. NATS of its own: durable consumers are per server.
 */
export async function startTracedStack() {
  let nats: NatsServerHandle | undefined;
  let jaeger: JaegerHandle | undefined;
  const group = new ServiceGroup();
  const stop = async () => {
    const codes = await group.stop();
    await jaeger?.stop();
    await nats?.stop();
    return codes;
  };
  try {
    [nats, jaeger] = await Promise.all([startNatsServer(), startJaeger()]);
    const env = {
      ...serviceEnv(nats.url),
      ...jaeger.env,
      GAVEL_MIN_LOT_SECONDS: "1",
      // Every push replica on one NATS must agree: it is the presence bucket's TTL.
      GAVEL_PUSH_PRESENCE_RENEW_MS: "500",
    };
    const [identity, catalog, bidding] = await Promise.all(
      (["identity", "catalog", "bidding"] as const).map((app) => group.start(app, env)),
    );
    const [settlement] = await Promise.all([
      group.start("settlement", env),
      group.start("notifier", env),
    ]);
    const ports = [await freePort(), await freePort()] as const;
    const origins = ports.map((port) => `http://127.0.0.1:${port}`);
    const upstream = {
      ...env,
      GAVEL_IDENTITY_URL: identity!.rpcUrl,
      GAVEL_CATALOG_URL: catalog!.rpcUrl,
      GAVEL_BIDDING_URL: bidding!.rpcUrl,
      GAVEL_SETTLEMENT_URL: settlement!.rpcUrl,
      GAVEL_CORS_ORIGINS: origins.join(","),
    };
    const [bff, pushA, pushB] = await Promise.all([
      group.start("bff", upstream),
      group.start("push", { ...upstream, GAVEL_REPLICA_ID: "push-a" }),
      group.start("push", { ...upstream, GAVEL_REPLICA_ID: "push-b" }),
    ]);
    const webDir = fileURLToPath(new URL("../dist", import.meta.url));
    const edgeFor = (port: number, pushUrl: string) =>
      group.start("edge", {
        ...upstream,
        PORT: String(port),
        GAVEL_WEB_DIR: webDir,
        GAVEL_WEB_BFF_URL: bff!.rpcUrl,
        GAVEL_PUSH_PUBLIC_URL: pushUrl,
        GAVEL_TRACE_QUERY_URL: jaeger!.query,
      });
    const [edgeA, edgeB] = await Promise.all([
      edgeFor(ports[0], pushA!.rpcUrl),
      edgeFor(ports[1], pushB!.rpcUrl),
    ]);
    return { jaeger, edgeA: edgeA!.rpcUrl, edgeB: edgeB!.rpcUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export type TracedStack = Awaited<ReturnType<typeof startTracedStack>>;
