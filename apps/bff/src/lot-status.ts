import { LotOrder as ProtoOrder, LotStatus as ProtoStatus } from "@gavel/proto/catalog/v1/catalog";
import type { LotOrder, LotStatus } from "./gen/resolvers-types.ts";

const TO_PROTO: Record<LotStatus, ProtoStatus> = {
  OPEN: ProtoStatus.OPEN,
  CLOSED: ProtoStatus.CLOSED,
  CANCELLED: ProtoStatus.CANCELLED,
};

export function protoStatus(status: LotStatus | null | undefined): ProtoStatus {
  return status ? TO_PROTO[status] : ProtoStatus.UNSPECIFIED;
}

export function graphQLStatus(status: ProtoStatus): LotStatus {
  if (status === ProtoStatus.OPEN) return "OPEN";
  if (status === ProtoStatus.CLOSED) return "CLOSED";
  if (status === ProtoStatus.CANCELLED) return "CANCELLED";
  throw new Error(`lot status ${status} unknown to the BFF`);
}

export function protoOrder(order: LotOrder | null | undefined): ProtoOrder {
  return order === "ENDING_SOONEST" ? ProtoOrder.ENDING_SOONEST : ProtoOrder.NEWEST;
}
