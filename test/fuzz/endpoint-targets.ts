/**
 * Fuzz targets for the simulator's network endpoints (src/sim/server.ts): public and
 * authenticated REST, and the market / user / RTDS WebSockets. One property run sends a
 * small batch of hostile requests or frames, then one valid request, and checks:
 * - no crash: every request gets an answer below 500 (Bun answers 500 when a handler
 *   throws), no socket is closed with an error code, the server keeps serving;
 * - a clear error: 4xx replies are JSON `{"error": "<non-empty, bounded>"}`;
 * - a counter incremented: the server's per-path request count moves for every request;
 * - nothing lost: the valid request after the garbage still works (a book is served, an
 *   order is accepted and cancelled, a subscription delivers its snapshot).
 * Auth: private paths with hostile or missing L2 headers are 401, like the real exchange.
 */
import { expect } from "bun:test";
import fc from "fast-check";
import { parseCancelResponse, parseOpenOrders, parseOrderResponse, parseRestBook } from "../../src/polymarket/rest-types.ts";
import { TEST_BOOK_OWNER } from "../../src/sim/exchange.ts";
import { type FuzzTarget, hostileText, wrongValue } from "./fuzz-kit.ts";
import { MAX_REASON_CHARS } from "./parser-targets.ts";
import type { SimFixture } from "./sim-fixture.ts";

/** Known defects in the simulator found by these targets (see findings.test.ts). */
export const KNOWN_SIM_FINDINGS = {
  /** rest-routes.ts gammaRoute: `decodeURIComponent` on a malformed %-escape threw → 500 (fixed by its owner). */
  gammaSlugUriError: false,
} as const;

const PUBLIC_PATHS = [
  "/ok",
  "/time",
  "/version",
  "/markets",
  "/sampling-markets",
  "/simplified-markets",
  "/sampling-simplified-markets",
  "/markets/",
  "/clob-markets/",
  "/markets-by-token/",
  "/book",
  "/tick-size",
  "/neg-risk",
  "/fee-rate",
  "/midpoint",
  "/spread",
  "/last-trade-price",
  "/price",
  "/books",
  "/midpoints",
  "/spreads",
  "/last-trades-prices",
  "/prices",
  "/prices-history",
  "/rewards/markets/current",
  "/gamma/markets",
  "/gamma/events",
  "/gamma/series",
  "/gamma/markets/slug/",
  "/gamma/events/slug/",
  "/auth/api-key",
  "/auth/derive-api-key",
  "/test/state",
  "/nope",
];
const PRIVATE_ROUTES: readonly (readonly [string, string])[] = [
  ["POST", "/order"],
  ["POST", "/orders"],
  ["DELETE", "/order"],
  ["DELETE", "/orders"],
  ["DELETE", "/cancel-all"],
  ["DELETE", "/cancel-market-orders"],
  ["GET", "/data/orders"],
  ["GET", "/data/trades"],
  ["POST", "/v1/heartbeats"],
  ["GET", "/balance-allowance"],
  ["GET", "/balance-allowance/update"],
  ["GET", "/data/order/0x1"],
  ["POST", "/orders-scoring"],
  ["GET", "/order-scoring"],
  ["POST", "/sim/ctf/split"],
  ["POST", "/sim/ctf/merge"],
  ["GET", "/auth/api-keys"],
];
const QUERY_KEYS = [
  "token_id",
  "side",
  "next_cursor",
  "market",
  "asset_id",
  "id",
  "after",
  "before",
  "slug",
  "clob_token_ids",
  "condition_ids",
  "series_slug",
  "closed",
  "offset",
  "limit",
  "asset_type",
  "signature_type",
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: wrongValue.map((v) => (typeof v === "string" ? v.slice(0, 4096) : (JSON.stringify(v) ?? "").slice(0, 4096))) },
  { weight: 1, arbitrary: fc.constantFrom("%", "%E0%A4%A", "%zz", "%00", "..", "../..", "MA==", "LTE=", "-1", "1e309", "BUY", "SELL") },
);

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: string | undefined;
}

function hostileRequest(bodies: readonly string[]): fc.Arbitrary<HostileRequest> {
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PUBLIC_PATHS) },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...PUBLIC_PATHS), hostileString).map(([p, x]) => `${p}${encodeURIComponent(x).slice(0, 2048)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...PUBLIC_PATHS), fc.constantFrom("%E0%A4%A", "%", "%zz", "%C0%AF", "/%2e%2e/"))
        .map(([p, x]) => `${p}${x}`),
    },
  );
  const query = fc.dictionary(fc.constantFrom(...QUERY_KEYS), hostileString, { maxKeys: 4 }).map((d) => {
    const q = new URLSearchParams(d).toString();
    return q === "" ? "" : `?${q}`;
  });
  return fc.record({
    method: fc.constantFrom("GET", "GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS"),
    path,
    query,
    body: fc.option(hostileText(bodies), { nil: undefined }),
  });
}

/** What a non-crashing answer looks like; returns the status. */
/** Statuses Bun's HTTP layer answers itself, before our handler runs (URL or headers too large). */
const TRANSPORT_REJECTS = new Set([413, 414, 431]);

async function expectCleanReply(res: Response, what: string): Promise<number> {
  const text = await res.text();
  expect(res.status, `${what}: ${res.status} ${text.slice(0, 120)}`).toBeLessThan(500);
  if (res.status >= 400 && !TRANSPORT_REJECTS.has(res.status)) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      throw new Error(`${what}: ${res.status} reply is not JSON: ${text.slice(0, 80)}`);
    }
    const msg = typeof v === "object" && v !== null ? (v as { error?: unknown }).error : undefined;
    if (typeof msg !== "string" || msg.length === 0 || msg.length > MAX_REASON_CHARS)
      throw new Error(`${what}: ${res.status} without a clear {"error"}: ${text.slice(0, 120)}`);
  }
  return res.status;
}

export const isKnownGammaUriError = (r: HostileRequest): boolean => {
  if (!KNOWN_SIM_FINDINGS.gammaSlugUriError || !/^\/gamma\/(markets|events)\/slug\//.test(r.path) || r.method !== "GET") return false;
  try {
    decodeURIComponent(r.path);
    return false;
  } catch (e) {
    if (e instanceof URIError) return true;
    throw e;
  }
};

function requestCount(f: SimFixture): number {
  let n = 0;
  for (const v of f.server.requests.values()) n += v;
  return n;
}

export function simPublicRestTarget(f: SimFixture): FuzzTarget<HostileRequest[]> {
  const bodies = [
    JSON.stringify([{ token_id: f.tokenId }]),
    JSON.stringify([{ token_id: f.tokenId, side: "BUY" }]),
    f.validOrderBody().body,
    JSON.stringify({ orderID: "0x1" }),
  ];
  return {
    name: "sim REST public (+ L1 routes, /test off)",
    input: fc.array(hostileRequest(bodies), { minLength: 1, maxLength: 6 }),
    async check(reqs) {
      const before = requestCount(f);
      let handled = 0;
      for (const r of reqs) {
        // While the finding is open, the server would throw (and bun test reports the throw):
        // skip exactly those requests; findings.test.ts pins the case.
        if (isKnownGammaUriError(r)) continue;
        const res = await fetch(`${f.urls.rest}${r.path}${r.query}`, {
          method: r.method,
          ...(r.body !== undefined && r.method !== "GET" && r.method !== "HEAD" ? { body: r.body } : {}),
        });
        const status = await expectCleanReply(res, `${r.method} ${r.path.slice(0, 60)}`);
        if (TRANSPORT_REJECTS.has(status)) continue;
        handled++;
        if (r.path === "/auth/api-key" || r.path === "/auth/derive-api-key")
          expect([401, 404].includes(status), `L1 route without headers answered ${status}`).toBe(true);
        if (r.path.startsWith("/test/")) expect(status).toBe(404);
      }
      expect(requestCount(f) - before, "every request that reached the handler counted").toBe(handled);
      // Nothing lost: a valid read still serves the book.
      const ok = await fetch(`${f.urls.rest}/book?token_id=${f.tokenId}`);
      expect(ok.status).toBe(200);
      const book = parseRestBook(await ok.json());
      expect(book.ok && book.value.bids.pricesE4[0]).toBe(4000);
      return handled;
    },
  };
}

export interface HostilePrivate {
  readonly route: readonly [string, string];
  readonly body: string | undefined;
  readonly query: string;
  /** "valid" = correctly signed; otherwise a kind of broken auth. */
  readonly auth: "valid" | "none" | "garbage" | "wrong_sig" | "other_body";
}

export function simPrivateRestTarget(f: SimFixture): FuzzTarget<HostilePrivate[]> {
  const seeds = [
    f.validOrderBody().body,
    `[${f.validOrderBody().body},${f.validOrderBody().body}]`,
    JSON.stringify({ orderID: "0x1" }),
    JSON.stringify(["0x1", "0x2"]),
    JSON.stringify({ heartbeat_id: "" }),
    JSON.stringify({ market: f.conditionId, amount: "1" }),
  ];
  const one: fc.Arbitrary<HostilePrivate> = fc.record({
    route: fc.constantFrom(...PRIVATE_ROUTES),
    body: fc.option(hostileText(seeds), { nil: undefined, freq: 8 }),
    query: fc.dictionary(fc.constantFrom(...QUERY_KEYS), hostileString, { maxKeys: 3 }).map((d) => {
      const q = new URLSearchParams(d).toString();
      return q === "" ? "" : `?${q}`;
    }),
    auth: fc.constantFrom("valid", "valid", "valid", "none", "garbage", "wrong_sig", "other_body"),
  });
  return {
    name: "sim REST private (L2, orders, cancels)",
    input: fc.array(one, { minLength: 1, maxLength: 5 }),
    async check(reqs) {
      for (const r of reqs) {
        const [method, path] = r.route;
        const body = method === "GET" ? undefined : r.body;
        let headers: Record<string, string>;
        switch (r.auth) {
          case "valid":
            headers = f.l2(method, path, body);
            break;
          case "none":
            headers = {};
            break;
          case "garbage":
            headers = {
              POLY_ADDRESS: "0x0",
              POLY_SIGNATURE: "%%%",
              POLY_TIMESTAMP: "x",
              POLY_API_KEY: f.creds.key,
              POLY_PASSPHRASE: "nope",
            };
            break;
          case "wrong_sig":
            headers = { ...f.l2(method, path, body), POLY_SIGNATURE: "AAAA" };
            break;
          case "other_body":
            headers = f.l2(method, path, `${body ?? ""} `);
            break;
        }
        const res = await fetch(`${f.urls.rest}${path}${r.query}`, { method, headers, ...(body !== undefined ? { body } : {}) });
        const status = await expectCleanReply(res, `${method} ${path} auth=${r.auth}`);
        if (r.auth !== "valid" && !TRANSPORT_REJECTS.has(status)) expect(status, `${method} ${path} without valid L2 auth`).toBe(401);
      }
      // Nothing lost: a valid order is accepted, listed, and cancelled.
      const { orderId, body } = f.validOrderBody();
      const post = await fetch(`${f.urls.rest}/order`, { method: "POST", headers: f.l2("POST", "/order", body), body });
      const posted = parseOrderResponse(await post.json());
      expect(posted.ok && posted.value.success && posted.value.orderId).toBe(orderId);
      const listed = await fetch(`${f.urls.rest}/data/orders?id=${orderId}`, { headers: f.l2("GET", "/data/orders") });
      const open = parseOpenOrders(await listed.json());
      expect(open.ok && open.value.items.map((o) => o.orderId)).toEqual([orderId]);
      const cbody = JSON.stringify({ orderID: orderId });
      const cancel = await fetch(`${f.urls.rest}/order`, { method: "DELETE", headers: f.l2("DELETE", "/order", cbody), body: cbody });
      const c = parseCancelResponse(await cancel.json());
      expect(c.ok && c.value.canceled).toEqual([orderId]);
      // Hostile valid-auth cancels/cancel-alls may have cancelled the fixture's own book: restore it.
      if (f.ex.openOrders(TEST_BOOK_OWNER).length < 2) f.ex.placeBook(f.tokenId, [["0.40", "100"]], [["0.60", "100"]]);
      return reqs.length;
    },
  };
}

// ---- WebSockets --------------------------------------------------------------------------

interface Sock {
  readonly ws: WebSocket;
  readonly frames: string[];
  closed: { code: number; reason: string } | undefined;
  /** Resolves when a frame matching `pred` arrives after this call (or rejects on close / timeout). */
  next(pred: (text: string) => boolean, what: string): Promise<string>;
}

export function openSock(url: string): Promise<Sock> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const waiters: { pred: (t: string) => boolean; res: (t: string) => void; rej: (e: Error) => void }[] = [];
    const s: Sock = {
      ws,
      frames: [],
      closed: undefined,
      next(pred, what) {
        if (s.closed) return Promise.reject(new Error(`${what}: socket closed ${s.closed.code} ${s.closed.reason}`));
        return new Promise((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`${what}: no reply within 5 s`)), 5_000);
          waiters.push({
            pred,
            res: (t) => {
              clearTimeout(timer);
              res(t);
            },
            rej: (e) => {
              clearTimeout(timer);
              rej(e);
            },
          });
        });
      },
    };
    ws.onmessage = (ev) => {
      const text = typeof ev.data === "string" ? ev.data : String(ev.data);
      s.frames.push(text);
      if (s.frames.length > 64) s.frames.splice(0, 32);
      for (let i = 0; i < waiters.length; i++) {
        const w = waiters[i];
        if (w?.pred(text)) {
          waiters.splice(i--, 1);
          w.res(text);
        }
      }
    };
    ws.onclose = (ev) => {
      s.closed = { code: ev.code, reason: ev.reason };
      for (const w of waiters.splice(0)) w.rej(new Error(`socket closed ${ev.code} ${ev.reason}`));
    };
    ws.onopen = () => resolve(s);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
}

const wsFrames = (seeds: readonly string[]) =>
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: hostileText(seeds) },
      { weight: 1, arbitrary: fc.constantFrom("PING", "ping", "", " ", "{}", "[]", "null") },
    ),
    { minLength: 1, maxLength: 8 },
  );

/** Checks a socket is still ours after garbage; reopens it when the server closed it legitimately. */
async function ensureOpen(s: Sock, url: string, legit: readonly number[], prepare: (s: Sock) => Promise<void>): Promise<Sock> {
  if (!s.closed && s.ws.readyState === WebSocket.OPEN) return s;
  if (s.closed) expect(legit, `socket closed with ${s.closed.code} ${s.closed.reason}`).toContain(s.closed.code);
  const fresh = await openSock(url);
  await prepare(fresh);
  return fresh;
}

export function simMarketWsTarget(f: SimFixture): FuzzTarget<string[]> {
  const seeds = [
    JSON.stringify({ assets_ids: [f.tokenId], type: "market", custom_feature_enabled: true }),
    JSON.stringify({ operation: "subscribe", assets_ids: [f.tokenId] }),
    JSON.stringify({ operation: "unsubscribe", assets_ids: [f.tokenId] }),
    JSON.stringify({ assets_ids: [f.tokenId], type: "market", initial_dump: false }),
  ];
  let sock: Sock | undefined;
  return {
    name: "sim WS market channel",
    input: wsFrames(seeds),
    async check(frames) {
      sock = await ensureOpen(sock ?? (await openSock(f.urls.wsMarket)), f.urls.wsMarket, [], async () => {});
      for (const t of frames) sock.ws.send(t);
      const isOurBook = (t: string) => t.startsWith("[") && t.includes('"event_type":"book"') && t.includes(f.tokenId);
      const reply = sock.next(isOurBook, "market subscribe after garbage");
      sock.ws.send(JSON.stringify({ operation: "subscribe", assets_ids: [f.tokenId] }));
      const book = JSON.parse(await reply) as { asset_id: string; bids: { price: string }[] }[];
      expect(book.find((b) => b.asset_id === f.tokenId)?.bids.some((l) => l.price === "0.4")).toBe(true);
      expect(sock.closed).toBeUndefined();
      return frames.length;
    },
  };
}

export function simRtdsWsTarget(f: SimFixture): FuzzTarget<string[]> {
  const sub = (topic: string, filters: string) => JSON.stringify({ action: "subscribe", subscriptions: [{ topic, type: "*", filters }] });
  const seeds = [
    sub("crypto_prices_chainlink", JSON.stringify({ symbol: "btc/usd" })),
    sub("crypto_prices", "btcusdt"),
    JSON.stringify({ action: "unsubscribe", subscriptions: [{ topic: "crypto_prices", filters: "btcusdt" }] }),
  ];
  let sock: Sock | undefined;
  return {
    name: "sim WS RTDS",
    input: wsFrames(seeds),
    async check(frames) {
      sock = await ensureOpen(sock ?? (await openSock(f.urls.wsRtds)), f.urls.wsRtds, [], async () => {});
      for (const t of frames) sock.ws.send(t);
      const reply = sock.next((t) => t.includes('"type":"subscribe"') && t.includes('"symbol":"ethusdt"'), "rtds subscribe after garbage");
      sock.ws.send(sub("crypto_prices", "ethusdt"));
      const h = JSON.parse(await reply) as { payload: { data: unknown[] } };
      expect(h.payload.data.length).toBeGreaterThan(0);
      expect(sock.closed).toBeUndefined();
      return frames.length;
    },
  };
}

export function simUserWsTarget(f: SimFixture): FuzzTarget<{ preAuth: string | undefined; frames: string[] }> {
  const auth = JSON.stringify({
    auth: { apiKey: f.creds.key, secret: f.creds.secret.reveal(), passphrase: f.creds.passphrase.reveal() },
    type: "user",
    markets: [],
  });
  const seeds = [
    JSON.stringify({ operation: "subscribe", markets: [f.conditionId] }),
    JSON.stringify({ operation: "unsubscribe", markets: [f.conditionId] }),
    JSON.stringify({ auth: { apiKey: f.creds.key, secret: "x", passphrase: "y" }, type: "user" }),
  ];
  let sock: Sock | undefined;
  const login = async (s: Sock) => {
    s.ws.send(auth);
  };
  return {
    name: "sim WS user channel (auth, then garbage)",
    input: fc.record({ preAuth: fc.option(hostileText(seeds), { nil: undefined, freq: 3 }), frames: wsFrames(seeds) }),
    async check({ preAuth, frames }) {
      let sent = frames.length;
      if (preAuth !== undefined) {
        // Before auth: a JSON object is an auth attempt (bad → closed 1008, like the venue);
        // anything else is answered or ignored. Never a crash.
        const pre = await openSock(f.urls.wsUser);
        pre.ws.send(preAuth);
        pre.ws.send("PING");
        await pre
          .next((t) => t === "PONG", "PONG before auth")
          .catch((e: unknown) => {
            if (!pre.closed) throw e;
          });
        if (pre.closed) expect(pre.closed.code, `pre-auth close ${pre.closed.reason}`).toBe(1008);
        pre.ws.close();
        sent++;
      }
      sock = await ensureOpen(
        sock ??
          (await openSock(f.urls.wsUser).then(async (s) => {
            await login(s);
            return s;
          })),
        f.urls.wsUser,
        [],
        login,
      );
      for (const t of frames) sock.ws.send(t);
      // Subscribe to all of the key's markets again (garbage may have unsubscribed), then a
      // real order placement must reach us.
      sock.ws.send(JSON.stringify({ operation: "subscribe", markets: [f.conditionId] }));
      const { orderId, body } = f.validOrderBody();
      const ev = sock.next((t) => t.includes(orderId) && t.includes("PLACEMENT"), "user PLACEMENT after garbage");
      sock.ws.send("PING");
      await sock.next((t) => t === "PONG", "PONG after garbage");
      const post = await fetch(`${f.urls.rest}/order`, { method: "POST", headers: f.l2("POST", "/order", body), body });
      expect(post.status).toBe(200);
      await ev;
      const cbody = JSON.stringify({ orderID: orderId });
      await (await fetch(`${f.urls.rest}/order`, { method: "DELETE", headers: f.l2("DELETE", "/order", cbody), body: cbody })).text();
      expect(sock.closed).toBeUndefined();
      return sent;
    },
  };
}

export function endpointTargets(f: SimFixture): FuzzTarget<unknown>[] {
  return [
    simPublicRestTarget(f),
    simPrivateRestTarget(f),
    simMarketWsTarget(f),
    simRtdsWsTarget(f),
    simUserWsTarget(f),
  ] as FuzzTarget<unknown>[];
}
