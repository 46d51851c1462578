import http2 from "node:http2";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ConnectError, type CallOptions, type Client } from "@connectrpc/connect";
import {
  BiddingService,
  BidSessionRequestSchema,
  type BidSessionResponse,
} from "@gavel/proto/bidding/v1/bidding";

type Request = MessageInitShape<typeof BidSessionRequestSchema>;
type Kind = NonNullable<BidSessionResponse["kind"]["case"]>;
/** A response of one kind, narrowed, so a test can read its value. */
export type Reply<K extends Kind> = Extract<BidSessionResponse["kind"], { case: K }>["value"];

/** The requests of a session, sent as the test pushes them; end() half-closes. */
class RequestStream implements AsyncIterable<Request> {
  readonly #items: Request[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(item: Request): void {
    this.#items.push(item);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    for (;;) {
      const item = this.#items.shift();
      if (item) yield item;
      else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

/**
 * A BidSession call as a test drives it: requests pushed one by one, responses read
 * only when the test asks (a test that never asks is a client that does not read).
 */
export function openSession(client: Client<typeof BiddingService>, options?: CallOptions) {
  const requests = new RequestStream();
  const responses = client.bidSession(requests, options)[Symbol.asyncIterator]();
  /** Every response read so far, in order. */
  const received: BidSessionResponse[] = [];

  async function read(): Promise<BidSessionResponse | undefined> {
    const next = await responses.next();
    if (next.done) return undefined;
    received.push(next.value);
    return next.value;
  }

  return {
    received,
    send: (request: Request) => requests.push(request),
    follow: (lotId: string, afterSequence = 0n) =>
      requests.push({ kind: { case: "follow", value: { lotId, afterSequence } } }),
    unfollow: (lotId: string) => requests.push({ kind: { case: "unfollow", value: { lotId } } }),
    bid: (lotId: string, bidId: string, amountMinor: bigint) =>
      requests.push({
        kind: {
          case: "placeBid",
          value: { lotId, bidId, amount: { currencyCode: "EUR", amountMinor } },
        },
      }),
    /** Half-closes: the client sends nothing more. */
    end: () => requests.end(),

    /** Reads until a response of this kind matches; fails if the call ends first. */
    async next<K extends Kind>(
      kind: K,
      match: (value: Reply<K>) => boolean = () => true,
    ): Promise<Reply<K>> {
      for (;;) {
        const message = await read();
        if (!message) throw new Error(`the session ended before a ${kind} came`);
        if (message.kind.case === kind && match(message.kind.value as Reply<K>))
          return message.kind.value as Reply<K>;
      }
    },

    /** The first response of this kind that matches, among those read or read from now. */
    async find<K extends Kind>(kind: K, match: (value: Reply<K>) => boolean): Promise<Reply<K>> {
      const earlier = repliesOf(received, kind).find(match);
      return earlier ?? this.next(kind, match);
    },

    /** Reads to the end: what came, and the error the call ended with (none: OK). */
    async rest(): Promise<{ messages: BidSessionResponse[]; error: ConnectError | undefined }> {
      const messages: BidSessionResponse[] = [];
      try {
        for (let message = await read(); message; message = await read()) messages.push(message);
        return { messages, error: undefined };
      } catch (err) {
        return { messages, error: ConnectError.from(err) };
      } finally {
        requests.end();
      }
    },
  };
}

export type Session = ReturnType<typeof openSession>;

/** The responses of one kind among some, narrowed. */
export function repliesOf<K extends Kind>(messages: BidSessionResponse[], kind: K): Reply<K>[] {
  return messages.flatMap((m) => (m.kind.case === kind ? [m.kind.value as Reply<K>] : []));
}

/**
 * A BidSession over raw HTTP/2 (the Connect protocol, binary) whose client never reads:
 * its stream stays paused, so HTTP/2 flow control stops the server once the client's
 * window is full. (connect-node's client reads every response eagerly into memory, so
 * it cannot play a client that does not read.) `collect` then reads what came, to the
 * end-of-stream message.
 */
export function openStalledSession(
  baseUrl: string,
  headers: Record<string, string>,
  lots: string[],
) {
  const session = http2.connect(baseUrl);
  const stream = session.request({
    ":method": "POST",
    ":path": `/${BiddingService.typeName}/${BiddingService.method.bidSession.name}`,
    "content-type": "application/connect+proto",
    "connect-protocol-version": "1",
    ...headers,
  });
  for (const lotId of lots) {
    const message = toBinary(
      BidSessionRequestSchema,
      create(BidSessionRequestSchema, { kind: { case: "follow", value: { lotId } } }),
    );
    const envelope = Buffer.alloc(5 + message.length);
    envelope.writeUInt32BE(message.length, 1);
    envelope.set(message, 5);
    stream.write(envelope);
  }
  return {
    /** Reads the rest: the end-of-stream message's JSON (its error, if the call failed). */
    async collect(): Promise<{ error?: { code: string; message: string } }> {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      session.close();
      return endOfStream(Buffer.concat(chunks));
    },
  };
}

/** The Connect end-of-stream message (flag 0x02) at the end of a streamed body. */
function endOfStream(body: Buffer): { error?: { code: string; message: string } } {
  for (let at = 0; at + 5 <= body.length;) {
    const length = body.readUInt32BE(at + 1);
    if (body[at]! & 0x02) return JSON.parse(body.subarray(at + 5, at + 5 + length).toString());
    at += 5 + length;
  }
  throw new Error("the body has no end-of-stream message");
}
