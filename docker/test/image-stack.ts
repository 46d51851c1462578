import { randomUUID } from "node:crypto";
import {
  GenericContainer,
  Network,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
} from "testcontainers";
import { defaultPorts } from "@gavel/config";
import { freePort, NATS_SERVER_VERSION } from "@gavel/testing";

export type ImageApp =
  "identity" | "catalog" | "bidding" | "settlement" | "notifier" | "edge" | "bff" | "push";

/** Where an app serves inside the stack, and how the test reaches it. */
export interface RunningApp {
  /** Its URL for the other containers. */
  internalUrl: string;
  /** Its URL for the test, on the host. */
  url: string;
  container: StartedTestContainer;
}

/** The port an app serves on, and its admin port (health) when it has a separate one. */
function portsOf(app: ImageApp): { port: number; admin?: number } {
  const ports = defaultPorts[app];
  return "rpc" in ports ? { port: ports.rpc, admin: ports.admin } : { port: ports.http };
}

/**
 * The built images (gavel-<app>:<tag>) run as containers with NATS, the way a cluster
 * runs them. Configuration, not code, decides the network, as for the NATS tests:
 * GAVEL_TEST_NETWORK_MODE=host (machines with no bridge: every container on the host's
 * loopback, each on a free port) or a bridge network of its own with an alias per app.
 */
export class ImageStack {
  readonly #host = process.env.GAVEL_TEST_NETWORK_MODE === "host";
  readonly #tag = process.env.GAVEL_IMAGE_TAG ?? "0.1.0";
  readonly #containers: StartedTestContainer[] = [];
  #network: StartedNetwork | undefined;
  natsUrl = "";

  async startNats(): Promise<void> {
    const image = process.env.GAVEL_NATS_IMAGE ?? `nats:${NATS_SERVER_VERSION.replace(/^v/, "")}`;
    const port = this.#host ? await freePort() : 4222;
    let nats = new GenericContainer(image)
      .withCommand(["-js", "-sd", "/data", "-p", String(port)])
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .withStartupTimeout(60_000);
    if (this.#host) {
      nats = nats.withNetworkMode("host");
    } else {
      this.#network = await new Network().start();
      nats = nats.withNetwork(this.#network).withNetworkAliases("nats");
    }
    this.#containers.push(await nats.start());
    this.natsUrl = this.#host ? `nats://127.0.0.1:${port}` : "nats://nats:4222";
  }

  /** Starts an app's image and waits until Docker reports its HEALTHCHECK healthy. */
  async start(app: ImageApp, env: Record<string, string>): Promise<RunningApp> {
    const ports = portsOf(app);
    const port = this.#host ? await freePort() : ports.port;
    const admin =
      ports.admin === undefined ? undefined : this.#host ? await freePort() : ports.admin;
    let container = new GenericContainer(`gavel-${app}:${this.#tag}`)
      .withEnvironment({
        ...env,
        NATS_URL: this.natsUrl,
        PORT: String(port),
        ...(admin === undefined ? {} : { ADMIN_PORT: String(admin) }),
        OTEL_SERVICE_NAME: app,
      })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(90_000);
    container = this.#host
      ? container.withNetworkMode("host")
      : container
          .withNetwork(this.#network!)
          .withNetworkAliases(app)
          .withExposedPorts(port)
          .withName(`gavel-test-${app}-${randomUUID().slice(0, 8)}`);
    const started = await container.start();
    this.#containers.push(started);
    return {
      container: started,
      internalUrl: this.#host ? `http://127.0.0.1:${port}` : `http://${app}:${port}`,
      url: this.#host
        ? `http://127.0.0.1:${port}`
        : `http://${started.getHost()}:${started.getMappedPort(port)}`,
    };
  }

  async stop(): Promise<void> {
    for (const container of this.#containers.reverse()) {
      await container.stop({ timeout: 10_000 }).catch(() => undefined);
    }
    await this.#network?.stop();
  }
}
