/**
 * Clients and loops that drive Gavel through its REST edge: the load generator
 * (apps/loadgen), the benchmarks and the fault suite share them.
 */
export { LOT_TITLES } from "./bid-choice.ts";
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
