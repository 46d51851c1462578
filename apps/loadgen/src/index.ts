/**
 * The load generator as a library: the benchmarks drive the stack with the same clients,
 * market and closed loop as `npm start -w apps/loadgen`.
 */
export { closedLoop, type LoopOptions, type LoopResult } from "./closed-loop.ts";
export {
  EdgeClient,
  UserClient,
  type Problem,
  type RestLot,
  type RestMoney,
} from "./edge-client.ts";
export { EdgeHttp, type HttpAnswer } from "./edge-http.ts";
export { Market, type Bidder } from "./market.ts";
export { Progress, type Attempt } from "./progress.ts";
export { median, percentile, printTable } from "./stats.ts";
