import { IncomingMessage, type IncomingHttpHeaders } from "node:http";
import { Socket } from "node:net";
import { generateSigningKeyPair, TokenIssuer, TokenVerifier } from "@gavel/auth";
import { describe, expect, it } from "vitest";
import { AuthError, bearer, holderOf, identify, offeredProtocols } from "./request-identity.ts";
import { TicketBook } from "./tickets.ts";

const keys = generateSigningKeyPair();
const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "test", 600);
const verifier = await TokenVerifier.fromPem(keys.publicKeyPem);
const tickets = new TicketBook("a-secret-of-the-replicas", 60);
const token = (await issuer.issue({ id: "u-1", displayName: "Ada" })).token;

function request(headers: IncomingHttpHeaders): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  return req;
}

const who = (headers: IncomingHttpHeaders, query = "") =>
  identify(request(headers), new URL(`http://push/ws${query}`), verifier, tickets);

describe("bearer", () => {
  it("reads the token of an Authorization header, around surrounding spaces", () => {
    expect(bearer("Bearer abc.DEF-ghi_9")).toBe("abc.DEF-ghi_9");
    expect(bearer("  Bearer abc  ")).toBe("abc");
  });

  it.each(["", "Bearer", "Bearer ", "Basic dTpw", "Bearer a b", "Bearer  a", "Bearer a,b", "a"])(
    "refuses %j",
    (header) => {
      expect(() => bearer(header)).toThrow(AuthError);
    },
  );
});

describe("offeredProtocols", () => {
  it("lists a WebSocket's subprotocols in order, without blanks", () => {
    const req = request({ "sec-websocket-protocol": " gavel.v1 ,, bearer.abc," });
    expect(offeredProtocols(req)).toEqual(["gavel.v1", "bearer.abc"]);
    expect(offeredProtocols(request({}))).toEqual([]);
  });
});

describe("identify", () => {
  it("knows a caller by an Authorization header's token", async () => {
    const identity = await who({ authorization: `Bearer ${token}` });
    expect(identity).toMatchObject({ kind: "token", caller: { userId: "u-1", token } });
  });

  it("knows a browser's socket by the token in its bearer. subprotocol", async () => {
    const identity = await who({ "sec-websocket-protocol": `gavel.v1, bearer.${token}` });
    expect(identity).toMatchObject({ kind: "token", caller: { userId: "u-1" } });
  });

  it("knows an EventSource by its ticket", async () => {
    const holder = { userId: "u-2", sessionExpiresAtMs: Date.now() + 60_000 };
    const { ticket } = tickets.issue(holder);
    expect(await who({}, `?ticket=${ticket}`)).toEqual({ kind: "ticket", ...holder });
  });

  it("takes a request with no credential as anonymous", async () => {
    expect(await who({ "sec-websocket-protocol": "gavel.v1" })).toEqual({ kind: "anonymous" });
  });

  it("refuses a bad credential rather than falling back to another or to anonymous", async () => {
    const { ticket } = tickets.issue({ userId: "u-2", sessionExpiresAtMs: Date.now() + 60_000 });
    const good = { "sec-websocket-protocol": `gavel.v1, bearer.${token}` };
    await expect(
      who({ ...good, authorization: "Bearer nope" }, `?ticket=${ticket}`),
    ).rejects.toThrow(AuthError);
    await expect(who({ authorization: "Basic dTpw" }, `?ticket=${ticket}`)).rejects.toThrow(
      AuthError,
    );
    await expect(who({ "sec-websocket-protocol": "gavel.v1, bearer." })).rejects.toThrow(AuthError);
    await expect(who({}, `?ticket=${ticket}x`)).rejects.toThrow(/ticket is invalid or expired/);
    await expect(who({}, "?ticket=")).rejects.toThrow(AuthError);
  });

  it("refuses an expired token, saying so", async () => {
    const old = await issuer.issue(
      { id: "u-1", displayName: "Ada" },
      new Date(Date.now() - 3_600_000),
    );
    await expect(who({ authorization: `Bearer ${old.token}` })).rejects.toThrow(/expired/);
  });

  it("refuses a valid token whose subject could not be a channel's user id", async () => {
    const odd = await issuer.issue({ id: "u.1", displayName: "Dot" });
    await expect(who({ authorization: `Bearer ${odd.token}` })).rejects.toThrow(/not a user id/);
  });
});

describe("holderOf", () => {
  it("ends a token's session with the token and a ticket's with its token; a guest's never", async () => {
    const caller = await verifier.verify(token);
    expect(holderOf({ kind: "token", caller })).toEqual({
      userId: "u-1",
      sessionExpiresAtMs: caller.expiresAtMs,
    });
    const ticket = { userId: "u-2", sessionExpiresAtMs: 5 };
    expect(holderOf({ kind: "ticket", ...ticket })).toMatchObject(ticket);
    expect(holderOf({ kind: "anonymous" })).toBeUndefined();
  });
});
