import { GenericContainer, Wait, getContainerRuntimeClient } from "testcontainers";
import { freePort } from "./free-port.ts";
import { startNatsCluster, type NatsUsers } from "./nats-cluster.ts";
import { natsAccountsConfig, natsPasswords, natsPasswordsEnv } from "./nats-users.ts";
import type { AppName } from "./service-process.ts";
import { NATS_SERVER_VERSION, natsServerBinary } from "./tools.ts";

export interface NatsServerHandle {
  url: string;
  /** "container" or "binary": how this server was started. */
  kind: "container" | "binary";
  stop(): Promise<void>;
}

/**
 * Starts a real nats-server with JetStream for tests, in a container or from the binary.
 * Which, and from what image or binary, is configuration (GAVEL_TEST_NATS, default auto:
 * a container when a Docker engine answers), listed in docs/development.md#tests-npm-test.
 */
export async function startNatsServer(env = process.env): Promise<NatsServerHandle> {
  const mode = env.GAVEL_TEST_NATS ?? "auto";
  if (mode === "binary") return startBinary(env);
  if (mode === "container") return startContainer(env);
  if (mode !== "auto")
    throw new Error(`GAVEL_TEST_NATS must be container, binary or auto, not ${mode}`);
  return (await dockerAnswers()) ? startContainer(env) : startBinary(env);
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainer(env: NodeJS.ProcessEnv): Promise<NatsServerHandle> {
  const image = env.GAVEL_NATS_IMAGE ?? `nats:${NATS_SERVER_VERSION.replace(/^v/, "")}`;
  const hostNetwork = env.GAVEL_TEST_NETWORK_MODE === "host";
  const port = hostNetwork ? await freePort() : 4222;
  let container = new GenericContainer(image)
    .withCommand([
      "-js",
      "-sd",
      "/data",
      "-p",
      String(port),
      ...(hostNetwork ? ["-a", "127.0.0.1"] : []),
    ])
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .withStartupTimeout(60_000);
  container = hostNetwork ? container.withNetworkMode("host") : container.withExposedPorts(port);
  const started = await container.start();
  const url = hostNetwork
    ? `nats://127.0.0.1:${port}`
    : `nats://${started.getHost()}:${started.getMappedPort(port)}`;
  return {
    url,
    kind: "container",
    stop: async () => void (await started.stop({ timeout: 5_000 })),
  };
}

/** One nats-server binary on loopback, the users' accounts block in its config when given. */
async function startBinary(
  env: NodeJS.ProcessEnv,
  users?: NatsUsers,
): Promise<NatsServerHandle & { log: string[] }> {
  const server = await startNatsCluster({ size: 1, bin: natsServerBinary(env), users });
  return { url: server.url, kind: "binary", log: server.log, stop: server.stop };
}

/**
 * A nats-server (the binary, whatever GAVEL_TEST_NATS says) with the chart's users: one
 * per app, each allowed only its own subjects, no anonymous access (see nats-users.ts).
 * `log` holds the server's lines, where it reports permission violations.
 */
export async function startNatsServerWithUsers(
  env = process.env,
): Promise<NatsServerHandle & { log: string[]; passwords: Record<AppName, string> }> {
  const passwords = natsPasswords();
  const server = await startBinary(env, {
    accounts: natsAccountsConfig(),
    env: natsPasswordsEnv(passwords),
  });
  return { ...server, passwords };
}
