export { startNatsServer, startNatsServerWithUsers } from "./nats-server.ts";
export { startWholeStack } from "./whole-stack.ts";
export type { WholeStack, WholeStackOptions } from "./whole-stack.ts";
export { hostileTokens } from "./hostile-tokens.ts";
export type { NatsServerHandle } from "./nats-server.ts";
export { startNatsCluster } from "./nats-cluster.ts";
export type { NatsClusterHandle } from "./nats-cluster.ts";
export type { NatsNode } from "./nats-node.ts";
export { startService, repoRoot } from "./service-process.ts";
export { syntheticBid, type SyntheticBid } from "./synthetic-bid.ts";
export { startTcpBalancer, type BalancingPolicy, type TcpBalancer } from "./tcp-balancer.ts";
export { ServiceGroup } from "./service-group.ts";
export { startFrontStack } from "./front-stack.ts";
export type { FrontStackOptions } from "./front-stack.ts";
export type { ServiceProcess, AppName, StartOptions } from "./service-process.ts";
export { testKeys, mintToken, mintShortToken, authHeader, serviceEnv } from "./test-identity.ts";
export { connectClient, grpcClient } from "./connect-client.ts";
export { freePort } from "./free-port.ts";
export { untilHttpOk, type UntilHttpOkOptions } from "./until-http-ok.ts";
export { connectFailure, connectOutcome } from "./connect-failure.ts";
export { rawH2Request } from "./raw-h2.ts";
export { expectSurvived, hostileRuns, memoryBaseline, rssBytes } from "./survival.ts";
export type { MemoryBaseline, Survival, SurvivalOptions } from "./survival.ts";
export { heapAfterGc } from "./heap.ts";
export type { HeapUsage } from "./heap.ts";
export {
  expectHostileRpcSurvived,
  expectProperRpcAnswers,
  improperRpcAnswer,
  rpcAttack,
  sendRpcAttack,
} from "./hostile-rpc.ts";
export type { RpcAttack } from "./hostile-rpc.ts";
export type { RawResponse } from "./raw-h2.ts";
export { NATS_SERVER_VERSION, natsServerBinary, toolsDir } from "./tools.ts";
export { OTLP_SPAN_KIND, startOtlpReceiver } from "./otlp-receiver.ts";
export {
  spansOf,
  startJaeger,
  type JaegerHandle,
  type JaegerSpan,
  type JaegerTrace,
} from "./jaeger.ts";
export type { ReceivedSpan } from "./otlp-receiver.ts";
export { SseText } from "./sse-text.ts";
export { SseFollower, WsFollower, type Follower } from "./push-followers.ts";
export { Tally } from "./tally.ts";
// For the local stack (scripts/dev) and the chart's tests: the chart's NATS users.
export {
  natsAccountsConfig,
  natsPasswords,
  natsPasswordsEnv,
  natsPermissions,
  natsUserEnv,
  natsUserNames,
} from "./nats-users.ts";
export type { NatsPermissions } from "./nats-users.ts";
