/**
 * The simulator's REST API: the CLOB paths and JSON shapes of the real exchange and of the
 * SDK's endpoints.ts (protocol notes §4), plus a Gamma-like discovery API under `/gamma`
 * (§7.1). One function per route group; each takes the parsed request and returns a
 * `Response`. Auth (L1/L2) is checked here with sim-auth.ts; everything stateful is in
 * SimExchange. Errors carry the real strings (`{"error": "..."}` bodies; order rejects
 * also carry `success:false` / `errorMsg` like the batch replies).
 */
import type { OrderType } from "../core/ports.ts";
import { formatPriceE4, formatSizeE6, ONE_E4, parseSizeE6 } from "../core/units.ts";
import { computeOrderId } from "../polymarket/signing.ts";
import { COLLATERAL } from "./accounts.ts";
import * as C from "./catalog-out.ts";
import type { SimExchange, SimMarket } from "./exchange.ts";
import { decodePostBody, termsOf } from "./order-intake.ts";
import { ERR_L1, ERR_L2, type SimKey, type SimKeys } from "./sim-auth.ts";
import * as W from "./wire-out.ts";

export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Raw body text ("" when none). */
  readonly body: string;
  readonly headers: Headers;
}

export interface RestContext {
  readonly ex: SimExchange;
  readonly keys: SimKeys;
}

export const INITIAL_CURSOR = "MA==";
export const END_CURSOR = "LTE=";
const MAX_BATCH = 15;
/** Spender addresses reported by /balance-allowance (SDK config.ts, Polygon). */
const SPENDERS = [
  "0xE111180000d2663C0091e4f400237545B87B996B",
  "0xe2222d279d744050d28e00520010520000310F59",
  "0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296",
];
const MAX_UINT256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

export const json = (v: unknown, status = 200, headers?: Record<string, string>): Response =>
  new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json", ...headers } });
export const errorJson = (message: string, status: number): Response => json({ error: message }, status);

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}

const cursorOf = (offset: number): string => Buffer.from(String(offset)).toString("base64");
function offsetOf(cursor: string | null): number {
  if (!cursor || cursor === INITIAL_CURSOR) return 0;
  const n = Number(Buffer.from(cursor, "base64").toString());
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
function page<T>(items: readonly T[], cursor: string | null, limit: number): Record<string, unknown> {
  const from = offsetOf(cursor);
  const data = items.slice(from, from + limit);
  const next = from + limit < items.length ? cursorOf(from + limit) : END_CURSOR;
  return { limit, count: data.length, next_cursor: next, data };
}

/** Public CLOB market data; undefined when the path is not one of these. */
export function publicRoute(ctx: RestContext, r: RestRequest): Response | undefined {
  const { ex } = ctx;
  const q = r.query;
  const get = r.method === "GET";
  if (get && r.path === "/ok") return new Response("OK");
  if (get && r.path === "/time") return json(Math.floor(ex.nowMs / 1000));
  if (get && r.path === "/version") return json({ version: 2 });
  if (get && (r.path === "/markets" || r.path === "/sampling-markets"))
    return json(page(ex.allMarkets().map(C.clobMarket), q.get("next_cursor"), 1000));
  if (get && (r.path === "/simplified-markets" || r.path === "/sampling-simplified-markets")) {
    return json(page(ex.allMarkets().map(simplified), q.get("next_cursor"), 1000));
  }
  if (get && r.path.startsWith("/markets/")) return byCondition(ex, r.path.slice(9), C.clobMarket);
  if (get && r.path.startsWith("/clob-markets/")) return byCondition(ex, r.path.slice(14), C.clobMarketDetails);
  if (get && r.path.startsWith("/markets-by-token/")) {
    const t = ex.marketByToken(r.path.slice(18));
    return t
      ? json({
          condition_id: t.market.sched.info.conditionId,
          primary_token_id: t.market.sched.info.yesTokenId,
          secondary_token_id: t.market.sched.info.noTokenId,
        })
      : errorJson("market not found", 404);
  }
  const tokenRoutes: Record<string, (m: SimMarket, o: 0 | 1) => unknown> = {
    "/book": (m, o) => W.bookSummary(m, o, ex.nowMs),
    "/tick-size": (m) => ({ minimum_tick_size: m.book.tickE4 / ONE_E4 }),
    "/neg-risk": () => ({ neg_risk: false }),
    "/fee-rate": () => ({ base_fee: 1000 }),
    "/midpoint": (m, o) => ({ mid: mid(m, o) }),
    "/spread": (m, o) => {
      const b = W.tokenBest(m.book, o);
      return { spread: formatPriceE4(Math.max(0, b.ask - b.bid)) };
    },
    "/last-trade-price": (m, o) => ({ price: lastTrade(m, o), side: "BUY" }),
  };
  if (get && r.path === "/price") {
    const t = ex.marketByToken(q.get("token_id") ?? "");
    if (!t) return errorJson("No orderbook exists for the requested token id", 404);
    const side = q.get("side");
    if (side !== "BUY" && side !== "SELL") return errorJson("Invalid side", 400);
    const b = W.tokenBest(t.market.book, t.outcome);
    return json({ price: formatPriceE4(side === "BUY" ? b.bid : b.ask) });
  }
  const tokenFn = tokenRoutes[r.path];
  if (get && tokenFn) {
    const tokenId = q.get("token_id");
    if (!tokenId) return errorJson("Invalid token id", 400);
    const t = ex.marketByToken(tokenId);
    return t ? json(tokenFn(t.market, t.outcome)) : errorJson("No orderbook exists for the requested token id", 404);
  }
  const plural: Record<string, string> = {
    "/books": "/book",
    "/midpoints": "/midpoint",
    "/spreads": "/spread",
    "/last-trades-prices": "/last-trade-price",
    "/prices": "/price",
  };
  const single = plural[r.path];
  if (r.method === "POST" && single) {
    const body = parseJson(r.body);
    if (!Array.isArray(body)) return errorJson("Invalid payload", 400);
    if (body.length > 500) return errorJson("Payload exceeds the limit", 400);
    const out: unknown[] = [];
    for (const item of body) {
      const tokenId = typeof item === "object" && item !== null ? (item as Record<string, unknown>).token_id : undefined;
      const t = typeof tokenId === "string" ? ex.marketByToken(tokenId) : undefined;
      if (!t) continue;
      const fn = tokenRoutes[single];
      if (single === "/price") {
        const side = (item as Record<string, unknown>).side;
        const b = W.tokenBest(t.market.book, t.outcome);
        out.push({ token_id: tokenId, price: formatPriceE4(side === "SELL" ? b.ask : b.bid) });
      } else if (fn) out.push(single === "/book" ? fn(t.market, t.outcome) : { token_id: tokenId, ...(fn(t.market, t.outcome) as object) });
    }
    return json(out);
  }
  if (get && r.path === "/prices-history") return json({ history: [] });
  if (get && r.path === "/rewards/markets/current") return json({ limit: 0, count: 0, next_cursor: END_CURSOR, data: [] });
  return undefined;
}

function simplified(m: SimMarket): Record<string, unknown> {
  const full = C.clobMarket(m);
  return {
    condition_id: full.condition_id,
    rewards: full.rewards,
    tokens: full.tokens,
    active: full.active,
    closed: full.closed,
    archived: false,
    accepting_orders: full.accepting_orders,
  };
}

function byCondition(ex: SimExchange, id: string, fn: (m: SimMarket) => unknown): Response {
  const m = ex.market(id);
  return m ? json(fn(m)) : errorJson("market not found", 404);
}

function mid(m: SimMarket, o: 0 | 1): string {
  const b = W.tokenBest(m.book, o);
  return formatPriceE4(Math.round((b.bid + b.ask) / 2));
}
function lastTrade(m: SimMarket, o: 0 | 1): string {
  if (m.lastTradeYesE4 <= 0) return "0.5";
  return formatPriceE4(o === 0 ? m.lastTradeYesE4 : ONE_E4 - m.lastTradeYesE4);
}

/** L1 routes: create / derive an API key. */
export function l1Route(ctx: RestContext, r: RestRequest): Response | undefined {
  const create = r.method === "POST" && r.path === "/auth/api-key";
  const derive = r.method === "GET" && r.path === "/auth/derive-api-key";
  if (!create && !derive) return undefined;
  const address = ctx.keys.l1Address(r.headers);
  if (!address) return errorJson(ERR_L1, 401);
  const nonce = Number(r.headers.get("POLY_NONCE") ?? "0");
  if (!Number.isSafeInteger(nonce) || nonce < 0) return errorJson(ERR_L1, 401);
  const k = ctx.keys.keyFor(address, nonce);
  ctx.ex.openAccount(k.creds.key, address);
  return json({ apiKey: k.creds.key, secret: k.creds.secret.reveal(), passphrase: k.creds.passphrase.reveal() });
}

/** L2 (authenticated) routes; undefined when the path is not one of them. */
export function privateRoute(ctx: RestContext, r: RestRequest): Response | undefined {
  if (!isPrivatePath(r.method, r.path)) return undefined;
  const key = ctx.keys.l2Key(r.headers, r.method, r.path, r.body);
  if (!key) return errorJson(ERR_L2, 401);
  const owner = key.creds.key;
  const { ex } = ctx;
  const q = r.query;
  const body = parseJson(r.body);
  switch (`${r.method} ${r.path}`) {
    case "POST /order":
      return postOne(ctx, key, body);
    case "POST /orders": {
      if (!Array.isArray(body)) return errorJson("Invalid order payload", 400);
      if (body.length > MAX_BATCH) return errorJson(`Too many orders in payload: ${body.length}, max allowed: ${MAX_BATCH}`, 400);
      return json(body.map((b) => placeOne(ctx, key, b)));
    }
    case "DELETE /order": {
      const id = typeof body === "object" && body !== null ? (body as Record<string, unknown>).orderID : undefined;
      return typeof id === "string" ? json(ex.cancel(owner, [id])) : errorJson("Invalid order payload", 400);
    }
    case "DELETE /orders": {
      if (!Array.isArray(body) || !body.every((x) => typeof x === "string")) return errorJson("Invalid order payload", 400);
      if (body.length > 1000) return errorJson("Too many orders in payload", 400);
      return json(ex.cancel(owner, body as string[]));
    }
    case "DELETE /cancel-all":
      return json(ex.cancelAll(owner));
    case "DELETE /cancel-market-orders": {
      const o = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const market = typeof o.market === "string" ? o.market : "";
      const asset = typeof o.asset_id === "string" ? o.asset_id : "";
      return json(ex.cancelMarket(owner, market, asset));
    }
    case "GET /data/orders": {
      const orders = ex.openOrders(owner, filter(q)).map(W.openOrder);
      return json(page(orders, q.get("next_cursor"), 500));
    }
    case "GET /data/trades": {
      const after = q.get("after");
      const before = q.get("before");
      const trades = ex.tradesOf(owner, {
        ...filter(q),
        ...(after ? { after: Number(after) } : {}),
        ...(before ? { before: Number(before) } : {}),
      });
      return json(
        page(
          trades.map((t) => W.tradeRecord(t, owner)),
          q.get("next_cursor"),
          500,
        ),
      );
    }
    case "POST /v1/heartbeats": {
      const id = typeof body === "object" && body !== null ? (body as Record<string, unknown>).heartbeat_id : undefined;
      const hb = ex.heartbeat(owner, typeof id === "string" ? id : "");
      return hb.ok ? json({ heartbeat_id: hb.heartbeatId }) : json({ error: "Invalid Heartbeat ID", heartbeat_id: hb.expected }, 400);
    }
    case "GET /balance-allowance":
    case "GET /balance-allowance/update": {
      const type = q.get("asset_type") ?? "COLLATERAL";
      const asset = type === "COLLATERAL" ? COLLATERAL : (q.get("token_id") ?? "");
      if (type !== "COLLATERAL" && !ex.marketByToken(asset) && ex.balanceOf(owner, asset) === 0)
        return json({ balance: "0", allowances: allowances() });
      return json({ balance: String(ex.balanceOf(owner, asset)), allowances: allowances() });
    }
    case "GET /auth/api-keys":
      return json({ apiKeys: [owner] });
    case "DELETE /auth/api-key":
      return json("OK");
    case "GET /auth/ban-status/closed-only":
      return json({ closed_only: false });
    case "GET /order-scoring":
      return json({ scoring: false });
    case "POST /orders-scoring": {
      const ids = Array.isArray(body) ? body : [];
      return json(Object.fromEntries(ids.filter((x): x is string => typeof x === "string").map((id) => [id, false])));
    }
    case "GET /notifications":
      return json([]);
    case "POST /sim/ctf/split":
    case "POST /sim/ctf/merge": {
      const o = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const market = typeof o.market === "string" ? o.market : "";
      const amount = typeof o.amount === "string" ? parseSizeE6(o.amount) : -1;
      if (amount <= 0) return errorJson("invalid amount", 400);
      const done = r.path.endsWith("split") ? ex.split(owner, market, amount) : ex.merge(owner, market, amount);
      return done ? json({ success: true }) : errorJson("not enough balance / allowance", 400);
    }
    default:
      if (r.method === "GET" && r.path.startsWith("/data/order/")) {
        const o = ex.order(r.path.slice(12));
        return o && o.owner === owner ? json(W.openOrder(o)) : errorJson("order not found", 404);
      }
      return errorJson("not found", 404);
  }
}

const PRIVATE = new Set([
  "POST /order",
  "POST /orders",
  "DELETE /order",
  "DELETE /orders",
  "DELETE /cancel-all",
  "DELETE /cancel-market-orders",
  "GET /data/orders",
  "GET /data/trades",
  "POST /v1/heartbeats",
  "GET /balance-allowance",
  "GET /balance-allowance/update",
  "GET /auth/api-keys",
  "DELETE /auth/api-key",
  "GET /auth/ban-status/closed-only",
  "GET /order-scoring",
  "POST /orders-scoring",
  "GET /notifications",
  "POST /sim/ctf/split",
  "POST /sim/ctf/merge",
]);
function isPrivatePath(method: string, path: string): boolean {
  return PRIVATE.has(`${method} ${path}`) || (method === "GET" && path.startsWith("/data/order/"));
}

function allowances(): Record<string, string> {
  return Object.fromEntries(SPENDERS.map((s) => [s, MAX_UINT256]));
}

function filter(q: URLSearchParams): { id?: string; market?: string; assetId?: string } {
  const out: { id?: string; market?: string; assetId?: string } = {};
  const id = q.get("id");
  const market = q.get("market");
  const asset = q.get("asset_id");
  if (id) out.id = id;
  if (market) out.market = market;
  if (asset) out.assetId = asset;
  return out;
}

function postOne(ctx: RestContext, key: SimKey, body: unknown): Response {
  const r = placeOne(ctx, key, body);
  return r.success ? json(r) : json({ error: r.errorMsg, ...r }, 400);
}

type OrderReply = ReturnType<SimExchange["place"]>;

/** One order of a post: decode, verify, convert amounts, place. Failures are `success:false` replies. */
function placeOne(ctx: RestContext, key: SimKey, raw: unknown): OrderReply {
  const fail = (orderID: string, errorMsg: string): OrderReply => ({
    success: false,
    errorMsg,
    orderID,
    status: "",
    makingAmount: "",
    takingAmount: "",
    transactionsHashes: [],
    tradeIDs: [],
  });
  const body = decodePostBody(raw);
  if (typeof body === "string") return fail("", `Invalid order payload: ${body}`);
  if (body.owner !== key.creds.key) return fail("", ERR_L2);
  const o = body.order;
  const orderId = computeOrderId(o, false, 2, ctx.keys.chainId);
  if (!orderId) return fail("", "Invalid order payload");
  const auth = ctx.keys.checkOrder(o, key, false);
  if (!auth.ok) return fail(orderId, auth.message);
  const t = ctx.ex.marketByToken(o.tokenId);
  if (!t) return fail(orderId, "the market is not yet ready to process new orders");
  const orderType: OrderType = body.orderType;
  if (body.postOnly && (orderType === "FOK" || orderType === "FAK"))
    return fail(orderId, "invalid post-only order: only GTC and GTD order types are allowed");
  const terms = termsOf(orderId, o.side, o.makerAmount, o.takerAmount, orderType, t.market.book.tickE4);
  if (typeof terms === "string") return fail(orderId, terms);
  return ctx.ex.place({
    orderId,
    owner: key.creds.key,
    makerAddress: o.maker,
    tokenId: o.tokenId,
    side: o.side,
    priceE4: terms.priceE4,
    sizeE6: terms.sizeE6,
    budgetE6: terms.budgetE6,
    orderType,
    postOnly: body.postOnly,
    expirationSec: Number(o.expiration),
  });
}

/** Gamma-like discovery under `/gamma`: `/markets`, `/markets/slug/:slug`, `/events`, `/events/slug/:slug`. */
export function gammaRoute(ctx: RestContext, r: RestRequest): Response | undefined {
  if (r.method !== "GET" || !r.path.startsWith("/gamma/")) return undefined;
  const { ex } = ctx;
  const path = r.path.slice(6);
  const q = r.query;
  const now = ex.nowMs;
  if (path.startsWith("/markets/slug/")) {
    const m = ex.marketBySlug(decodeSegment(path.slice(14)));
    return m ? json(C.gammaMarket(m, now)) : errorJson("not found", 404);
  }
  if (path.startsWith("/events/slug/")) {
    const m = ex.marketBySlug(decodeSegment(path.slice(13)));
    return m ? json(C.gammaEvent(m, now)) : errorJson("not found", 404);
  }
  if (path === "/markets" || path === "/events") {
    let ms = ex.allMarkets();
    const slugs = q.getAll("slug");
    const tokens = q.getAll("clob_token_ids");
    const conds = q.getAll("condition_ids");
    const series = q.get("series_slug");
    if (slugs.length > 0) ms = ms.filter((m) => slugs.includes(m.sched.info.slug));
    if (tokens.length > 0) ms = ms.filter((m) => tokens.includes(m.sched.info.yesTokenId) || tokens.includes(m.sched.info.noTokenId));
    if (conds.length > 0) ms = ms.filter((m) => conds.includes(m.sched.info.conditionId));
    if (series) ms = ms.filter((m) => C.gammaEvent(m, now).seriesSlug === series);
    const closed = q.get("closed");
    if (closed === "false") ms = ms.filter((m) => m.state === "open");
    if (closed === "true") ms = ms.filter((m) => m.state !== "open");
    const offset = Number(q.get("offset") ?? "0") || 0;
    const limit = Math.min(500, Number(q.get("limit") ?? "100") || 100);
    ms = ms.slice(offset, offset + limit);
    return json(path === "/markets" ? ms.map((m) => C.gammaMarket(m, now)) : ms.map((m) => C.gammaEvent(m, now)));
  }
  if (path === "/series") {
    const slug = q.get("slug") ?? "";
    const ms = ex.allMarkets().filter((m) => C.gammaEvent(m, now).seriesSlug === slug);
    return json(
      ms.length === 0
        ? []
        : [{ slug, title: slug, recurrence: `${ms[0]?.sched.info.windowSec}s`, events: ms.map((m) => C.gammaEvent(m, now)) }],
    );
  }
  return errorJson("not found", 404);
}

/** A %-decoded path segment; a malformed escape decodes to "" (no market has that slug → 404). */
function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (e) {
    if (e instanceof URIError) return "";
    throw e;
  }
}

/** Formats an amount for test-API replies. */
export const usd = (e6: number): string => formatSizeE6(e6);
