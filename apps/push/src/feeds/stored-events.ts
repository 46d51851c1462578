import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type MsgRequest,
  type StoredMsg,
} from "@nats-io/jetstream";
import type { MsgHdrs } from "@nats-io/nats-core";
import { isNoMessages, readSubject } from "@gavel/nats";
import type { Channel, ChannelEvent } from "./channels.ts";
import type { TraceClaims } from "../tracing/trace-claims.ts";
import { traceIdOf } from "../tracing/traceparent.ts";

/**
 * The channel's stored events after `after`, up to and including `upTo`, in order, with
 * each event's trace marked the server's in `claims`. Direct gets may come from a lagging
 * follower, so a batch that ends early is confirmed by the leader:
 * docs/architecture.md#where-a-joining-listener-goes-live
 */
export async function* replayStored(
  jsm: JetStreamManager,
  channel: Channel,
  after: number,
  upTo: number,
  claims: TraceClaims,
): AsyncGenerator<ChannelEvent> {
  const decode = (seq: number, data: Uint8Array, headers: MsgHdrs | undefined) => {
    const traceId = traceIdOf(headers);
    if (traceId) claims.markServer(traceId);
    return channel.decode(seq, data, traceId);
  };
  let next = after + 1;
  while (next <= upTo) {
    for await (const message of readSubject(jsm, channel.stream, channel.subject, next)) {
      if (message.seq > upTo) return;
      next = message.seq + 1;
      yield decode(message.seq, message.data, message.header);
    }
    if (next > upTo) return;
    const missed = await nextFromLeader(jsm, channel.stream, channel.subject, next);
    if (!missed || missed.seq > upTo) return;
    next = missed.seq + 1;
    yield decode(missed.seq, missed.data, missed.header);
  }
}

/**
 * The subject's first message at or after `seq`, as the stream's leader has it (a message
 * get, which followers do not answer, unlike a direct get); null when there is none.
 */
export async function nextFromLeader(
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  seq: number,
): Promise<StoredMsg | null> {
  // The server takes next_by_subj on message gets as on direct gets; nats.js's type for
  // message gets leaves it out.
  const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
  return jsm.streams.getMessage(stream, query);
}

/** The stream sequence of the subject's last message; 0 when it has none. */
export async function lastSequence(jsm: JetStreamManager, stream: string, subject: string) {
  try {
    const message = await jsm.direct.getMessage(stream, { last_by_subj: subject });
    return message?.seq ?? 0;
  } catch (err) {
    if (isNoMessages(err)) return 0;
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return 0;
    throw err;
  }
}
