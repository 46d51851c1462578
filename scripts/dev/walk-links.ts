import { randomUUID } from "node:crypto";
import { SseText } from "@gavel/testing";
import WebSocket from "ws";

/**
 * A client that knows only the REST API's URL and follows links from `/v1`: signs up a seller
 * and a bidder, lists a lot, opens its `stream` and `websocket` links as given (relative ones
 * resolved), bids through `place_bid`, and throws unless both deliver the bid. Proof, for
 * local-stack.test.ts and k8s/local/test/links.test.ts, that the links reach the push gateway.
 */
export interface LinkWalk {
  lotId: string;
  /** The lot's links, resolved to absolute URLs. */
  streamUrl: string;
  websocketUrl: string;
  /** The bid's sequence, as the edge answered it. */
  sequence: number;
  /** The bid as the socket delivered it; the stream's was `id: <sequence>`, `bid_accepted`. */
  websocketEvent: LotEvent;
}

interface HalLinks {
  _links: Record<string, { href: string; templated?: boolean }>;
}

const TIMEOUT_MS = 15_000;

export async function walkToLiveEvents(apiOrigin: string): Promise<LinkWalk> {
  const rootUrl = new URL("/v1", apiOrigin).href;
  const root = await getJson<HalLinks>(rootUrl);
  const follow = (from: string, links: HalLinks, rel: string) => {
    const link = links._links[rel];
    if (!link) throw new Error(`no ${rel} link at ${from}`);
    // A template's variables are all optional query parameters here: expand none.
    return new URL(link.templated ? link.href.replace(/\{[^}]*\}/g, "") : link.href, from).href;
  };
  const signUpUrl = follow(rootUrl, root, "sign_up");
  const [seller, bidder] = await Promise.all([signUp(signUpUrl), signUp(signUpUrl)]);
  const lotsUrl = follow(rootUrl, root, "lots");
  const lot = await postJson<HalLinks & { id: string; version: number }>(lotsUrl, seller, {
    title: "Followed by its links",
    starting_price: { currency: "EUR", amount_minor: 10_00 },
    ends_at: new Date(Date.now() + 10 * 60_000).toISOString(),
  });
  const lotUrl = follow(lotsUrl, lot, "self");
  const streamUrl = follow(lotUrl, lot, "stream");
  const websocketUrl = follow(lotUrl, lot, "websocket").replace(/^http/, "ws");

  const socket = new WebSocket(websocketUrl, ["gavel.v1"]);
  const subscription = subscribe(socket, `lot:${lot.id}`);
  const abort = new AbortController();
  try {
    const sse = await openStream(streamUrl, abort.signal);
    await withTimeout(
      Promise.all([sse.waitFor(": live after"), subscription.live]),
      "the stream and the socket to go live",
    );
    const bid = await postJson<{ sequence: number }>(follow(lotUrl, lot, "place_bid"), bidder, {
      amount: { currency: "EUR", amount_minor: 12_00 },
    });
    const sseEvent = `id: ${bid.sequence}\nevent: bid_accepted\n`;
    await withTimeout(sse.waitFor(sseEvent), `the bid on the stream (${sseEvent})`);
    const websocketEvent = await withTimeout(
      subscription.event(bid.sequence),
      "the bid on the socket",
    );
    return {
      lotId: lot.id,
      streamUrl,
      websocketUrl,
      sequence: bid.sequence,
      websocketEvent,
    };
  } finally {
    abort.abort();
    socket.close();
  }
}

interface Session {
  authorization: string;
}

async function signUp(url: string): Promise<Session> {
  const session = await postJson<{ access_token: string }>(url, undefined, {
    email: `walker-${randomUUID()}@example.com`,
    password: "correct horse battery",
    display_name: "Link walker",
  });
  return { authorization: `Bearer ${session.access_token}` };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function postJson<T>(url: string, session: Session | undefined, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...session },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function openStream(url: string, signal: AbortSignal): Promise<SseText> {
  const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return new SseText(res);
}

interface Message {
  type: string;
  channel?: string;
  seq?: number;
  event?: string;
  messages?: Message[];
}

interface LotEvent {
  channel: string;
  seq: number;
  event: string;
}

/**
 * Subscribes to `channel` once the socket is welcomed (docs/push-protocol.md): `live`
 * resolves when subscribed, `event(seq)` once that event has arrived.
 */
function subscribe(socket: WebSocket, channel: string) {
  const events: LotEvent[] = [];
  const waiting = new Set<() => void>();
  const live = new Promise<void>((resolve, reject) => {
    socket.on("error", reject);
    socket.once("close", (code) => reject(new Error(`the socket closed with ${code}`)));
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as Message;
      for (const m of message.type === "batch" ? message.messages! : [message]) {
        if (m.type === "welcome")
          socket.send(JSON.stringify({ v: 1, type: "subscribe", id: "walk", channel }));
        else if (m.type === "subscribed") resolve();
        else if (m.type === "event" && m.channel === channel) {
          events.push({ channel, seq: m.seq!, event: m.event! });
          for (const wake of waiting) wake();
        }
      }
    });
  });
  live.catch(() => {}); // a socket closed after a failure elsewhere is not news
  const event = (seq: number) =>
    new Promise<LotEvent>((resolve) => {
      const arrived = () => {
        const found = events.find((e) => e.seq === seq);
        if (found) resolve(found);
        return found !== undefined;
      };
      if (!arrived()) waiting.add(arrived);
    });
  return { live, event };
}

async function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
