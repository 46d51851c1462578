// `helm test`: one bid through the installed system, the way a client makes it. Two users
// sign up over REST, one lists a lot, the other bids on it, and the bid must arrive on
// the lot's SSE stream from the push gateway, then show in the BFF's GraphQL view of
// the lot (through the catalog's projection). Run with the edge image's Node (global
// fetch); Node built-ins only. Prints each step; exits 1 on the first failure.
/* eslint-disable no-console -- the test's output is its report (`helm test --logs`) */
/* global fetch, AbortController, AbortSignal */
import { randomUUID } from "node:crypto";
import { clearTimeout, setTimeout } from "node:timers";
import { TextDecoder } from "node:util";

const { EDGE_URL, BFF_URL, PUSH_URL } = process.env;
const deadline = Date.now() + Number(process.env.TIMEOUT_SECONDS ?? 60) * 1000;
const run = randomUUID().slice(0, 8);

const step = (message) => console.log(`smoke: ${message}`);

async function call(method, url, { token, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Resolves once `url` answers at all. A network plugin applies this pod's policy a moment
 * after the pod starts (kube-router within about a second); until then its connections
 * are refused, as Kubernetes allows (pods must tolerate it).
 */
async function reachable(url) {
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.body?.cancel();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`${url} never answered: ${err.cause?.code ?? err.message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function signUp(name) {
  const session = await call("POST", `${EDGE_URL}/v1/auth/sign-up`, {
    body: {
      email: `${name}-${run}@smoke.gavel.test`,
      password: `smoke-${randomUUID()}`,
      display_name: name,
    },
  });
  step(`signed up ${name} (${session.user.id})`);
  return session;
}

/** Resolves with the first SSE event of the given type whose data passes `match`. */
async function nextEvent(url, type, match) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(1, deadline - Date.now()));
  try {
    const res = await fetch(url, {
      headers: { accept: "text/event-stream" },
      signal: controller.signal,
    });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    step(`following ${url}`);
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split("\n")
            .filter((line) => line && !line.startsWith(":"))
            .map((line) => [
              line.slice(0, line.indexOf(":")),
              line.slice(line.indexOf(":") + 1).trim(),
            ]),
        );
        buffer = buffer.slice(end + 2);
        if (fields.event === type && match(JSON.parse(fields.data), Number(fields.id))) {
          return { id: Number(fields.id), data: JSON.parse(fields.data) };
        }
      }
    }
    throw new Error(`${url} ended before a ${type} event`);
  } catch (err) {
    if (controller.signal.aborted) {
      throw new Error(`no ${type} event on ${url} in time`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function graphqlLot(lotId) {
  const answer = await call("POST", `${BFF_URL}/graphql`, {
    body: {
      query: "query SmokeLot($id: ID!) { lot(id: $id) { bidCount highestBid { amountMinor } } }",
      variables: { id: lotId },
    },
  });
  if (answer.errors) throw new Error(`GraphQL: ${JSON.stringify(answer.errors)}`);
  return answer.data.lot;
}

try {
  await Promise.all([EDGE_URL, BFF_URL, PUSH_URL].map((url) => reachable(url)));
  step("the edge, the BFF and the push gateway answer");
  const seller = await signUp("seller");
  const bidder = await signUp("bidder");
  const lot = await call("POST", `${EDGE_URL}/v1/lots`, {
    token: seller.access_token,
    body: {
      title: `Smoke test lot ${run}`,
      starting_price: { currency: "EUR", amount_minor: 1000 },
      ends_at: new Date(Date.now() + 15 * 60_000).toISOString(),
    },
  });
  step(`listed lot ${lot.id} (version ${lot.version})`);

  // Follow the lot from its beginning, so the bid is seen however fast it lands.
  const seen = nextEvent(`${PUSH_URL}/sse/lots/${lot.id}?after=0`, "bid_accepted", () => true);
  const bid = await call("POST", `${EDGE_URL}/v1/lots/${lot.id}/bids`, {
    token: bidder.access_token,
    body: { amount: { currency: "EUR", amount_minor: 1000 }, bid_id: `smoke-${run}` },
  });
  step(`placed bid ${bid.id} at sequence ${bid.sequence}`);
  const event = await seen;
  if (event.id !== bid.sequence) {
    throw new Error(`the stream's bid_accepted is sequence ${event.id}, the bid ${bid.sequence}`);
  }
  step(`the bid arrived on the lot's SSE stream as event ${event.id}`);

  // The BFF reads lots from the catalog's projection, a moment behind the stream.
  for (;;) {
    const view = await graphqlLot(lot.id);
    if (view?.bidCount === 1 && view.highestBid?.amountMinor === "1000") break;
    if (Date.now() > deadline) throw new Error(`GraphQL still shows ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  step("GraphQL shows the bid");
  step("passed");
} catch (err) {
  console.error(`smoke: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
