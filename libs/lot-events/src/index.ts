export { LotStream, VersionConflictError, DUPLICATE_WINDOW_MS } from "./lot-stream.ts";
export type { StoredLotEvent, AppendOptions, AppendResult } from "./lot-stream.ts";
export { LotState, CorruptStreamError } from "./lot-state.ts";
export type { AcceptedBid, LotPhase } from "./lot-state.ts";
export { LotStateStore } from "./lot-state-store.ts";
export {
  minimumNextBid,
  nextBidAbove,
  incrementAbove,
  INCREMENT_BANDS,
  TOP_INCREMENT,
} from "./bid-increments.ts";
export { KeyedMutex } from "./keyed-mutex.ts";
export { LotWriter, LotRefusal, LotNotFoundError, LotContentionError } from "./lot-writer.ts";
export type { Step } from "./lot-writer.ts";
export {
  SUPPORTED_CURRENCIES,
  isSupportedCurrency,
  toMoney,
  fromMoney,
  formatAmount,
} from "./money.ts";
export type { Amount, Currency } from "./money.ts";
