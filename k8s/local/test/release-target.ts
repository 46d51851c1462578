import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { TokenIssuer } from "@gavel/auth";
import type { Health } from "../../../faults/src/fault-stack.ts";
import type { RoundTarget } from "../../../faults/src/round.ts";
import { objectName, releasePods, secretValue, serviceUrl, type Pod } from "./cluster.ts";

const ready = (pod: Pod) =>
  pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const restarts = (pod: Pod) =>
  (pod.status.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0);

/**
 * The installed release as the fault suite's rounds see a stack: the fronts by their
 * Services, NATS as the notifier's chart user (it may read the lot, notification and
 * invoice streams the checks read), tokens signed with the key the release's hook made,
 * and health from the pods: not Ready is down, a container restart is a crash.
 */
export class ReleaseTarget implements RoundTarget {
  readonly urls: { edge: string; bff: string; push: string };
  readonly #issuer: TokenIssuer;
  readonly #natsUrl: string;
  readonly #natsPassword: string;

  private constructor(
    urls: ReleaseTarget["urls"],
    issuer: TokenIssuer,
    natsUrl: string,
    natsPassword: string,
  ) {
    this.urls = urls;
    this.#issuer = issuer;
    this.#natsUrl = natsUrl;
    this.#natsPassword = natsPassword;
  }

  static async open(): Promise<ReleaseTarget> {
    const [edge, bff, push, nats] = await Promise.all([
      serviceUrl("edge"),
      serviceUrl("bff"),
      serviceUrl("push"),
      serviceUrl("nats", "client"),
    ]);
    const key = await secretValue(objectName("jwt"), "jwt-private-key.pem");
    return new ReleaseTarget(
      { edge, bff, push },
      await TokenIssuer.fromPem(key, "cluster-test"),
      nats.replace("http:", "nats:"),
      await secretValue(objectName("credentials"), "nats-password-notifier"),
    );
  }

  connectNats(): Promise<NatsConnection> {
    return connect({
      servers: this.#natsUrl,
      user: "notifier",
      pass: this.#natsPassword,
      ignoreClusterUpdates: true,
    });
  }

  async mintToken(userId: string): Promise<string> {
    return (await this.#issuer.issue({ id: userId, displayName: userId })).token;
  }

  async health(): Promise<Health> {
    const pods = await releasePods();
    const down = pods.filter((p) => !ready(p)).map((p) => p.metadata.name);
    const crashes = Object.fromEntries(
      pods.filter((p) => restarts(p) > 0).map((p) => [p.metadata.name, restarts(p)]),
    );
    return { down: down.sort(), crashes };
  }
}
