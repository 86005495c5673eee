/**
 * Polymarket CLOB REST client: every call the engine makes, with L2 auth on trading calls,
 * the rate limiter in front and typed failures out. Paths are the SDK's (`src/endpoints.ts`,
 * protocol notes §4); batch limits are the docs' (15 orders per `POST /orders`, 1,000 ids per
 * `DELETE /orders`, and never more than the signer bucket's burst).
 *
 * Contract: no method throws for an exchange or network condition. Each returns
 * `Ok<T> | RestFailure` (see rest-errors.ts) keeping the exchange's own message.
 *
 * Order posts take **pre-serialized bodies** (`orderPostBody` from signing.ts): a batch is
 * the bodies joined into a JSON array, so nothing is serialized twice, and the HMAC covers
 * exactly the bytes sent. They are sent once: a timeout, reset or gateway 5xx becomes
 * `TIMEOUT_AMBIGUOUS` for every order in the request, never a resend (the order id is the
 * EIP-712 hash, so the caller looks it up).
 *
 * Auth is injected as an `L2Auth` (built from auth.ts `l2Headers`), so this file never sees a
 * secret and tests can count headers. Timestamps are `clock.wallMs()` in seconds plus an
 * optional server-time offset.
 */
import type { Clock } from "../core/clock.ts";
import type { OrderLookup } from "../core/ports.ts";
import { type Ok, ok } from "../core/result.ts";
import { type HttpClient, type HttpMethod, type HttpOutcome, NO_RETRY, parseRetryAfterMs, sleepOn } from "../net/http.ts";
import type { EndpointClass, RateLimiter } from "../net/rate-limiter.ts";
import {
  type BalanceAllowance,
  parseBalanceAllowance,
  parseFeeRate,
  parseHeartbeat,
  parseOrderLookup,
  parseServerTime,
  parseVersion,
} from "./rest-codec.ts";
import { classifyError, readErrorBody, type RestFailure } from "./rest-errors.ts";
import {
  type CancelResult,
  type OpenOrderRecord,
  type OrderPostResult,
  type Page,
  parseCancelResponse,
  parseNegRisk,
  parseOpenOrders,
  parseOrderResponse,
  parseOrderResponses,
  parseRestBook,
  parseRestBooks,
  parseTickSize,
  parseTrades,
  type RestBook,
  type RestResult as ParseResult,
} from "./rest-types.ts";
import type { UserTradeEvent } from "./user-channel.ts";

export type RestOutcome<T> = Ok<T> | RestFailure;

/** Builds the five POLY_* headers for one request (auth.ts `l2Headers` bound to the creds). */
export interface L2Auth {
  headers(timestampSec: number, method: HttpMethod, requestPath: string, body?: string): Record<string, string>;
}

export const MAX_ORDERS_PER_POST = 15;
export const MAX_IDS_PER_CANCEL = 1_000;
export const INITIAL_CURSOR = "MA==";
export const END_CURSOR = "LTE=";

export interface RestClientOptions {
  readonly baseUrl: string;
  readonly http: HttpClient;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly auth?: L2Auth;
  /** Timeout of order posts; shorter than reads because a late answer is a stale quote. */
  readonly orderTimeoutMs?: number;
  /** Added to local time for POLY_TIMESTAMP (set from `GET /time` when the clock is off). */
  readonly serverTimeOffsetSec?: number;
  /** `signature_type` the SDK adds to balance queries. */
  readonly signatureType?: number;
  /** Cap on pages followed by the paginated reads. */
  readonly maxPages?: number;
}

/** What a posted order came to: the exchange's per-order reply, or a failure for it. */
export type OrderPostOutcome = RestOutcome<OrderPostResult>;

export interface OpenOrdersQuery {
  readonly id?: string;
  readonly market?: string;
  readonly assetId?: string;
}

export interface TradesQuery extends OpenOrdersQuery {
  readonly makerAddress?: string;
  /** Unix seconds. */
  readonly before?: number;
  readonly after?: number;
}

export interface HeartbeatFailure extends RestFailure {
  /** The id the exchange expects next ("" when it did not say). */
  readonly expectedId: string;
}
export type HeartbeatOutcome = Ok<{ heartbeatId: string; errorMsg: string }> | HeartbeatFailure;

/** Statuses after which an order post may have been executed by the exchange. */
const AMBIGUOUS_STATUSES = new Set([500, 502, 504, 520, 521, 522, 523, 524, 525, 526, 527]);

/** Running counts for the metrics (monitor/venue-stats.ts): only ever incremented. */
export interface RestStats {
  /** 2xx reply bodies that failed to parse, by code (`BAD_JSON`, or the decoder's `RestErrorCode`). */
  readonly badBodies: Record<string, number>;
  /** 429 replies that reached this client (after the HTTP layer's own retries), by endpoint class. */
  readonly tooManyRequests: Partial<Record<EndpointClass, number>>;
}

export class PolymarketRest {
  readonly stats: RestStats = { badBodies: {}, tooManyRequests: {} };
  serverTimeOffsetSec: number;
  private readonly base: string;
  private readonly http: HttpClient;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly auth: L2Auth | undefined;
  private readonly orderTimeoutMs: number;
  private readonly signatureType: number;
  private readonly maxPages: number;

  constructor(opts: RestClientOptions) {
    this.base = opts.baseUrl.endsWith("/") ? opts.baseUrl.slice(0, -1) : opts.baseUrl;
    this.http = opts.http;
    this.limiter = opts.limiter;
    this.clock = opts.clock;
    this.auth = opts.auth;
    this.orderTimeoutMs = opts.orderTimeoutMs ?? 3_000;
    this.serverTimeOffsetSec = opts.serverTimeOffsetSec ?? 0;
    this.signatureType = opts.signatureType ?? 0;
    this.maxPages = opts.maxPages ?? 1_000;
  }

  // ── orders ─────────────────────────────────────────────────────────────

  /** `POST /order` with one `orderPostBody`. */
  async postOrder(body: string): Promise<OrderPostOutcome> {
    const r = await this.send("post_order", 1, "POST", "/order", "", body, false, this.orderTimeoutMs);
    if (!r.ok) return r.failure;
    return orderOutcome(r.status, this.parsed(parseOrderResponse(r.json)));
  }

  /**
   * `POST /orders`: splits into requests of ≤ 15 (and ≤ the signer burst), sent concurrently;
   * returns one outcome per body, in input order.
   */
  async postOrders(bodies: readonly string[]): Promise<OrderPostOutcome[]> {
    const per = Math.max(1, Math.min(MAX_ORDERS_PER_POST, this.limiter.maxItems("post_orders")));
    const chunks: string[][] = [];
    for (let i = 0; i < bodies.length; i += per) chunks.push(bodies.slice(i, i + per));
    const results = await Promise.all(chunks.map((c) => this.postChunk(c)));
    return results.flat();
  }

  private async postChunk(bodies: readonly string[]): Promise<OrderPostOutcome[]> {
    if (bodies.length === 1) return [await this.postOrder(bodies[0] as string)];
    const body = `[${bodies.join(",")}]`;
    const r = await this.send("post_orders", bodies.length, "POST", "/orders", "", body, false, this.orderTimeoutMs);
    if (!r.ok) return bodies.map(() => r.failure);
    const parsed = this.parsed(parseOrderResponses(r.json));
    if (!parsed.ok) return bodies.map(() => badBody(r.status, parsed.reason));
    const items = parsed.value;
    return bodies.map((_, i) => {
      const item = items[i];
      return item ? orderOutcome(r.status, ok(item)) : badBody(r.status, `no reply for order ${i} of ${bodies.length}`);
    });
  }

  // ── cancels (idempotent: retried by the HTTP policy) ────────────────────

  /** The most orders one cancel-all may cancel and still fit the cancel burst (1 + N). */
  maxCancelAllItems(): number {
    return this.limiter.maxItems("cancel_all");
  }

  cancelOrder(orderId: string): Promise<RestOutcome<CancelResult>> {
    return this.cancelReq("cancel_order", 1, "/order", JSON.stringify({ orderID: orderId }));
  }

  /**
   * `DELETE /orders` in chunks of ≤ 1,000 ids and ≤ the cancel burst, sent concurrently.
   * A chunk that failed lists its ids under `notCanceled` with the failure; only when every
   * chunk failed is the result a failure.
   */
  async cancelOrders(orderIds: readonly string[]): Promise<RestOutcome<CancelResult>> {
    if (orderIds.length === 1) return this.cancelOrder(orderIds[0] as string);
    const per = Math.max(1, Math.min(MAX_IDS_PER_CANCEL, this.limiter.maxItems("cancel_orders")));
    const chunks: string[][] = [];
    for (let i = 0; i < orderIds.length; i += per) chunks.push(orderIds.slice(i, i + per));
    const outs = await Promise.all(chunks.map((ids) => this.cancelReq("cancel_orders", ids.length, "/orders", JSON.stringify(ids))));
    const failed = outs.find((o) => !o.ok);
    if (failed && outs.every((o) => !o.ok)) return failed;
    const canceled: string[] = [];
    const notCanceled = new Map<string, string>();
    outs.forEach((o, k) => {
      if (o.ok) {
        canceled.push(...o.value.canceled);
        for (const [id, why] of o.value.notCanceled) notCanceled.set(id, why);
      } else for (const id of chunks[k] ?? []) notCanceled.set(id, `${o.code}: ${o.reason}`);
    });
    return ok({ canceled, notCanceled });
  }

  /** `DELETE /cancel-all`. `expectedOpen` sizes its rate-limit charge (1 + N). */
  cancelAll(expectedOpen = 0): Promise<RestOutcome<CancelResult>> {
    const n = Math.min(expectedOpen, this.limiter.maxItems("cancel_all"));
    return this.cancelReq("cancel_all", n, "/cancel-all", undefined);
  }

  cancelMarketOrders(q: { readonly market?: string; readonly assetId?: string }, expectedOpen = 0): Promise<RestOutcome<CancelResult>> {
    const payload: Record<string, string> = {};
    if (q.market !== undefined) payload.market = q.market;
    if (q.assetId !== undefined) payload.asset_id = q.assetId;
    const n = Math.min(expectedOpen, this.limiter.maxItems("cancel_market"));
    return this.cancelReq("cancel_market", n, "/cancel-market-orders", JSON.stringify(payload));
  }

  private async cancelReq(cls: EndpointClass, items: number, path: string, body: string | undefined): Promise<RestOutcome<CancelResult>> {
    const r = await this.send(cls, items, "DELETE", path, "", body, true);
    return r.ok ? decoded(r.status, this.parsed(parseCancelResponse(r.json))) : r.failure;
  }

  // ── account reads (L2) ────────────────────────────────────────────────

  /** `GET /data/orders`, every page. */
  getOpenOrders(q: OpenOrdersQuery = {}): Promise<RestOutcome<OpenOrderRecord[]>> {
    return this.paginate("data_orders", "/data/orders", queryOf(q), parseOpenOrders);
  }

  /** `GET /data/order/{id}`: the order whatever its status; null when unknown. */
  async getOrder(orderId: string): Promise<RestOutcome<OrderLookup | null>> {
    const r = await this.send("data_orders", 1, "GET", `/data/order/${orderId}`, "", undefined, true);
    if (!r.ok) return r.failure.status === 404 ? ok(null) : r.failure;
    return decoded(r.status, this.parsed(parseOrderLookup(r.json)));
  }

  /** `GET /data/trades`, every page. */
  getTrades(q: TradesQuery = {}): Promise<RestOutcome<UserTradeEvent[]>> {
    const params = queryOf(q);
    if (q.makerAddress !== undefined) params.push(["maker_address", q.makerAddress]);
    if (q.before !== undefined) params.push(["before", String(q.before)]);
    if (q.after !== undefined) params.push(["after", String(q.after)]);
    return this.paginate("data_trades", "/data/trades", params, parseTrades);
  }

  async getBalanceAllowance(assetType: "COLLATERAL" | "CONDITIONAL", tokenId?: string): Promise<RestOutcome<BalanceAllowance>> {
    return this.balanceReq("balance", "/balance-allowance", assetType, tokenId);
  }

  /** Makes the exchange re-read on-chain balances (after a deposit, merge or approval). */
  async updateBalanceAllowance(assetType: "COLLATERAL" | "CONDITIONAL", tokenId?: string): Promise<RestOutcome<BalanceAllowance>> {
    return this.balanceReq("balance_update", "/balance-allowance/update", assetType, tokenId);
  }

  private async balanceReq(
    cls: EndpointClass,
    path: string,
    assetType: string,
    tokenId: string | undefined,
  ): Promise<RestOutcome<BalanceAllowance>> {
    const p = new URLSearchParams({ asset_type: assetType });
    if (tokenId !== undefined) p.set("token_id", tokenId);
    p.set("signature_type", String(this.signatureType));
    const r = await this.send(cls, 1, "GET", path, `?${p}`, undefined, true);
    return r.ok ? decoded(r.status, this.parsed(parseBalanceAllowance(r.json))) : r.failure;
  }

  /**
   * `POST /v1/heartbeats` with the last id ("" first). On 400 "Invalid Heartbeat ID" the
   * exchange names the id it expects: the failure carries it as `expectedId`.
   */
  async postHeartbeat(heartbeatId: string): Promise<HeartbeatOutcome> {
    const r = await this.send("heartbeat", 1, "POST", "/v1/heartbeats", "", JSON.stringify({ heartbeat_id: heartbeatId }), true);
    if (!r.ok) {
      const expected = r.json !== undefined ? parseHeartbeat(r.json) : undefined;
      return { ...r.failure, expectedId: expected?.ok ? expected.value.heartbeatId : "" };
    }
    const parsed = this.parsed(parseHeartbeat(r.json));
    return parsed.ok ? parsed : { ...badBody(r.status, `${parsed.code}: ${parsed.reason}`), expectedId: "" };
  }

  // ── public reads ───────────────────────────────────────────────────────

  async getBook(tokenId: string): Promise<RestOutcome<RestBook>> {
    const r = await this.send("book", 1, "GET", "/book", `?token_id=${encodeURIComponent(tokenId)}`, undefined, true, undefined, false);
    return r.ok ? decoded(r.status, this.parsed(parseRestBook(r.json))) : r.failure;
  }

  async getBooks(tokenIds: readonly string[]): Promise<RestOutcome<RestBook[]>> {
    const body = JSON.stringify(tokenIds.map((token_id) => ({ token_id })));
    const r = await this.send("books", 1, "POST", "/books", "", body, true, undefined, false);
    return r.ok ? decoded(r.status, this.parsed(parseRestBooks(r.json))) : r.failure;
  }

  async getTickSize(tokenId: string): Promise<RestOutcome<number>> {
    const r = await this.send(
      "tick_size",
      1,
      "GET",
      "/tick-size",
      `?token_id=${encodeURIComponent(tokenId)}`,
      undefined,
      true,
      undefined,
      false,
    );
    return r.ok ? decoded(r.status, this.parsed(parseTickSize(r.json))) : r.failure;
  }

  async getNegRisk(tokenId: string): Promise<RestOutcome<boolean>> {
    const r = await this.send(
      "market_info",
      1,
      "GET",
      "/neg-risk",
      `?token_id=${encodeURIComponent(tokenId)}`,
      undefined,
      true,
      undefined,
      false,
    );
    return r.ok ? decoded(r.status, this.parsed(parseNegRisk(r.json))) : r.failure;
  }

  /** `GET /fee-rate` → `base_fee` (informational in V2; the effective rate is per market). */
  async getFeeRate(tokenId: string): Promise<RestOutcome<number>> {
    const r = await this.send(
      "market_info",
      1,
      "GET",
      "/fee-rate",
      `?token_id=${encodeURIComponent(tokenId)}`,
      undefined,
      true,
      undefined,
      false,
    );
    return r.ok ? decoded(r.status, this.parsed(parseFeeRate(r.json))) : r.failure;
  }

  /** `GET /time` → unix seconds. */
  async getServerTime(): Promise<RestOutcome<number>> {
    const r = await this.send("market_info", 1, "GET", "/time", "", undefined, true, undefined, false);
    return r.ok ? decoded(r.status, this.parsed(parseServerTime(r.json))) : r.failure;
  }

  async getVersion(): Promise<RestOutcome<number>> {
    const r = await this.send("market_info", 1, "GET", "/version", "", undefined, true, undefined, false);
    return r.ok ? decoded(r.status, this.parsed(parseVersion(r.json))) : r.failure;
  }

  async getOk(): Promise<RestOutcome<true>> {
    const r = await this.send("ok", 1, "GET", "/ok", "", undefined, true, undefined, false);
    return r.ok ? ok(true) : r.failure;
  }

  /** Sets `serverTimeOffsetSec` from `GET /time` (for hosts whose clock is off). */
  async syncServerTime(): Promise<RestOutcome<number>> {
    const r = await this.getServerTime();
    if (r.ok) this.serverTimeOffsetSec = r.value - Math.floor(this.clock.wallMs() / 1000);
    return r;
  }

  // ── plumbing ───────────────────────────────────────────────────────────

  /** Passes a decoded body through, counting a failure in `stats.badBodies`. */
  private parsed<T>(r: ParseResult<T>): ParseResult<T> {
    if (!r.ok) this.countBadBody(r.code);
    return r;
  }

  private countBadBody(code: string): void {
    this.stats.badBodies[code] = (this.stats.badBodies[code] ?? 0) + 1;
  }

  private async paginate<T>(
    cls: EndpointClass,
    path: string,
    params: [string, string][],
    parse: (v: unknown) => ParseResult<Page<T>>,
  ): Promise<RestOutcome<T[]>> {
    const out: T[] = [];
    let cursor = INITIAL_CURSOR;
    for (let page = 0; page < this.maxPages; page++) {
      const p = new URLSearchParams([...params, ["next_cursor", cursor]]);
      const r = await this.send(cls, 1, "GET", path, `?${p}`, undefined, true);
      if (!r.ok) return r.failure;
      const parsed = this.parsed(parse(r.json));
      if (!parsed.ok) return badBody(r.status, parsed.reason);
      out.push(...parsed.value.items);
      cursor = parsed.value.nextCursor;
      if (cursor === "" || cursor === END_CURSOR) return ok(out);
    }
    return { ok: false, code: "UNKNOWN", reason: `${path}: more than ${this.maxPages} pages`, status: 200, retryAfterMs: 0 };
  }

  /**
   * Rate-limits, signs (the path without the query), sends and sorts the reply into JSON or
   * a typed failure. `idempotent` false = an order post: one attempt, ambiguity reported.
   */
  private async send(
    cls: EndpointClass,
    items: number,
    method: HttpMethod,
    path: string,
    query: string,
    body: string | undefined,
    idempotent: boolean,
    timeoutMs?: number,
    authenticated = true,
  ): Promise<{ ok: true; status: number; json: unknown } | { ok: false; failure: RestFailure; ambiguous: boolean; json?: unknown }> {
    const slot = this.limiter.reserve(cls, items);
    if (!slot.ok) {
      const reason = `local rate limit: ${slot.reason} on ${slot.bucket}${slot.reason === "queue_full" ? ` (wait ${slot.waitMs} ms)` : ""}`;
      return { ok: false, ambiguous: false, failure: { ok: false, code: "RATE_LIMITED", reason, status: 0, retryAfterMs: slot.waitMs } };
    }
    if (slot.waitMs > 0) await sleepOn(this.clock, slot.waitMs);
    let headers: Record<string, string> | undefined;
    if (authenticated) {
      if (!this.auth)
        return {
          ok: false,
          ambiguous: false,
          failure: { ok: false, code: "AUTH", reason: `${path} needs API credentials`, status: 0, retryAfterMs: 0 },
        };
      headers = this.auth.headers(Math.floor(this.clock.wallMs() / 1000) + this.serverTimeOffsetSec, method, path, body);
    }
    const req: Parameters<HttpClient["request"]>[0] = {
      method,
      url: `${this.base}${path}${query}`,
      idempotent,
      ...(headers ? { headers } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(idempotent ? {} : { retry: NO_RETRY }),
    };
    const out = await this.http.request(req);
    return this.sort(cls, out, idempotent);
  }

  private sort(
    cls: EndpointClass,
    out: HttpOutcome,
    idempotent: boolean,
  ): { ok: true; status: number; json: unknown } | { ok: false; failure: RestFailure; ambiguous: boolean; json?: unknown } {
    if (out.kind === "failure") {
      const ambiguous = !idempotent && out.mayHaveReached && out.failure !== "aborted";
      const code = ambiguous ? "TIMEOUT_AMBIGUOUS" : out.failure === "aborted" ? "UNKNOWN" : "SERVER_ERROR";
      return { ok: false, ambiguous, failure: { ok: false, code, reason: `${out.failure}: ${out.message}`, status: 0, retryAfterMs: 0 } };
    }
    let json: unknown;
    if (out.body.length > 0) {
      try {
        json = JSON.parse(out.body);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        json = undefined;
      }
    }
    if (out.status >= 200 && out.status < 300) {
      if (json === undefined && out.body.length > 0) {
        this.countBadBody("BAD_JSON");
        return { ok: false, ambiguous: false, failure: badBody(out.status, `not JSON: ${out.body.slice(0, 80)}`) };
      }
      return { ok: true, status: out.status, json };
    }
    const { message, retryAfterSec } = readErrorBody(out.body);
    const retryAfterMs = Math.max(retryAfterSec * 1000, parseRetryAfterMs(out.headers.get("retry-after"), this.clock.wallMs()));
    if (out.status === 429) {
      this.stats.tooManyRequests[cls] = (this.stats.tooManyRequests[cls] ?? 0) + 1;
      this.limiter.penalize(cls, retryAfterMs > 0 ? retryAfterMs : 1_000);
    }
    if (!idempotent && AMBIGUOUS_STATUSES.has(out.status)) {
      return {
        ok: false,
        ambiguous: true,
        json,
        failure: { ok: false, code: "TIMEOUT_AMBIGUOUS", reason: `HTTP ${out.status}: ${message}`, status: out.status, retryAfterMs },
      };
    }
    return { ok: false, ambiguous: false, json, failure: classifyError(out.status, message || `HTTP ${out.status}`, retryAfterMs) };
  }
}

function badBody(status: number, reason: string): RestFailure {
  return { ok: false, code: "UNKNOWN", reason: `unexpected reply: ${reason}`, status, retryAfterMs: 0 };
}

function decoded<T>(status: number, r: ParseResult<T>): RestOutcome<T> {
  return r.ok ? r : badBody(status, `${r.code}: ${r.reason}`);
}

/** A 2xx order reply: `success:false` is a reject with the exchange's `errorMsg`. */
function orderOutcome(status: number, r: ParseResult<OrderPostResult>): OrderPostOutcome {
  if (!r.ok) return badBody(status, `${r.code}: ${r.reason}`);
  if (r.value.success) return r;
  return classifyError(status, r.value.errorMsg || "order not accepted", 0);
}

function queryOf(q: OpenOrdersQuery): [string, string][] {
  const p: [string, string][] = [];
  if (q.id !== undefined) p.push(["id", q.id]);
  if (q.market !== undefined) p.push(["market", q.market]);
  if (q.assetId !== undefined) p.push(["asset_id", q.assetId]);
  return p;
}
