import type { NatsConnection } from "@nats-io/nats-core";
import { TokenIssuer } from "@gavel/auth";
import type { Health } from "../../../faults/src/fault-stack.ts";
import type { RoundTarget } from "../../../faults/src/round.ts";
import {
  connectAsApp,
  isReady,
  objectName,
  releasePods,
  secretValue,
  serviceUrl,
  type Pod,
} from "./cluster.ts";

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

  private constructor(urls: ReleaseTarget["urls"], issuer: TokenIssuer) {
    this.urls = urls;
    this.#issuer = issuer;
  }

  static async open(): Promise<ReleaseTarget> {
    const [edge, bff, push] = await Promise.all([
      serviceUrl("edge"),
      serviceUrl("bff"),
      serviceUrl("push"),
    ]);
    const key = await secretValue(objectName("jwt"), "jwt-private-key.pem");
    return new ReleaseTarget({ edge, bff, push }, await TokenIssuer.fromPem(key, "cluster-test"));
  }

  connectNats(): Promise<NatsConnection> {
    return connectAsApp("notifier");
  }

  async mintToken(userId: string): Promise<string> {
    return (await this.#issuer.issue({ id: userId, displayName: userId })).token;
  }

  async health(): Promise<Health> {
    const pods = await releasePods();
    const down = pods.filter((p) => !isReady(p)).map((p) => p.metadata.name);
    const crashes = Object.fromEntries(
      pods.filter((p) => restarts(p) > 0).map((p) => [p.metadata.name, restarts(p)]),
    );
    return { down: down.sort(), crashes };
  }
}
