/**
 * REST response shapes the engine reads (protocol notes §3.7, §4.1, §4.2; SDK
 * `src/types/clob.ts`) and validating parsers from `unknown` (the parsed body) to engine
 * units. Every parser returns `Result<T, RestErrorCode>` and never throws; field errors name
 * the field. Wire interfaces keep the venue's names and types.
 *
 * Choices a reader might question:
 * - `/book` from the docs example and some fixtures lacks `tick_size`, `min_order_size`,
 *   `neg_risk`: they parse as NOT_REPORTED / null instead of failing the whole book.
 * - `/tick-size` sends a JSON number (`0.01`); `String(0.01)` is exactly "0.01", so it maps
 *   onto the tick table without float maths.
 * - Order responses: `orderID`/`errorMsg` may be null (error replies); amounts may be "".
 * - Open orders and trades accept both a bare array and a `{data, next_cursor}` page.
 */
import { type Result, err, ok } from "../core/result.ts";
import type { OpenOrderSnapshot } from "../core/ports.ts";
import type { PriceE4, SizeE6, TickE4 } from "../core/units.ts";
import {
  FieldError,
  type FieldErrorCode,
  type Obj,
  arr,
  bool,
  flexTimeMs,
  isObj,
  obj,
  optStr,
  price,
  side,
  size,
  str,
  tick,
  timestampMs,
} from "./json-fields.ts";
import { levels } from "./market-channel.ts";
import { type BookLevels, NOT_REPORTED } from "./market-events.ts";
import { type UserTradeEvent, parseTradeRecord } from "./user-channel.ts";
import type { WireLevel, WireMakerOrder, WireSide } from "./wire.ts";

export type RestErrorCode = "NOT_AN_OBJECT" | FieldErrorCode;
export type RestResult<T> = Result<T, RestErrorCode>;

// ---- Wire shapes ------------------------------------------------------------------------

/**
 * `GET /book?token_id=` (and each element of `POST /books`).
 * @example
 * {"market":"0x7ad4…c422","asset_id":"1604…1627","timestamp":"1781289337944","hash":"3082b8da…2de7",
 *  "bids":[{"price":"0.001","size":"2202468"}],"asks":[{"price":"0.999","size":"45521.44"}],
 *  "min_order_size":"5","tick_size":"0.001","neg_risk":true,"last_trade_price":"0.152"}
 */
export interface WireOrderBookSummary {
  readonly market: string;
  readonly asset_id: string;
  readonly timestamp: string;
  readonly hash: string;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  readonly min_order_size: string;
  readonly tick_size: string;
  readonly neg_risk: boolean;
  readonly last_trade_price: string;
}

/** `GET /tick-size?token_id=` → `{"minimum_tick_size":0.01}` */
export interface WireTickSize {
  readonly minimum_tick_size: number;
}

/** `GET /neg-risk?token_id=` → `{"neg_risk":false}` */
export interface WireNegRisk {
  readonly neg_risk: boolean;
}

/**
 * `POST /order` (and each element of `POST /orders`).
 * @example
 * {"errorMsg":"","orderID":"0x94f3…cd16","takingAmount":"","makingAmount":"","status":"live","success":true}
 */
export interface WireOrderResponse {
  readonly success: boolean;
  readonly errorMsg: string | null;
  readonly orderID: string | null;
  readonly status?: string;
  readonly makingAmount?: string;
  readonly takingAmount?: string;
  readonly transactionsHashes?: readonly string[];
  readonly tradeIDs?: readonly string[];
}

/** `GET /data/orders` item (SDK `OpenOrder`). */
export interface WireOpenOrder {
  readonly id: string;
  readonly status: string;
  readonly owner: string;
  readonly maker_address: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: WireSide;
  readonly original_size: string;
  readonly size_matched: string;
  readonly price: string;
  readonly associate_trades: readonly string[] | null;
  readonly outcome: string;
  readonly created_at: number;
  readonly expiration: string | null;
  readonly order_type: string;
}

/** `GET /data/trades` item (SDK `Trade`). */
export interface WireTrade {
  readonly id: string;
  readonly taker_order_id: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: WireSide;
  readonly size: string;
  readonly fee_rate_bps: string;
  readonly price: string;
  readonly status: string;
  readonly match_time: string;
  readonly last_update: string;
  readonly outcome: string;
  readonly bucket_index: number;
  readonly owner: string;
  readonly maker_address: string;
  readonly maker_orders: readonly WireMakerOrder[];
  readonly transaction_hash?: string;
  readonly trader_side: "TAKER" | "MAKER";
}

/** `DELETE /order`, `/orders`, `/cancel-all`, `/cancel-market-orders`. */
export interface WireCancelResponse {
  readonly canceled: readonly string[];
  readonly not_canceled: Readonly<Record<string, string>>;
}

// ---- Parsed forms -----------------------------------------------------------------------

export interface RestBook {
  readonly assetId: string;
  readonly market: string;
  readonly timestampMs: number;
  readonly hash: string;
  readonly bids: BookLevels;
  readonly asks: BookLevels;
  /** NOT_REPORTED when absent. */
  readonly tickE4: TickE4;
  readonly minOrderSizeE6: SizeE6;
  readonly negRisk: boolean | null;
  readonly lastTradeE4: PriceE4;
}

export type OrderPostStatus = "live" | "matched" | "delayed" | "unmatched" | "";

export interface OrderPostResult {
  readonly success: boolean;
  readonly errorMsg: string;
  readonly orderId: string;
  readonly status: OrderPostStatus | "unknown";
  readonly makingAmountE6: number;
  readonly takingAmountE6: number;
  readonly tradeIds: readonly string[];
  readonly transactionHashes: readonly string[];
}

export interface OpenOrderRecord extends OpenOrderSnapshot {
  /** Status with any `ORDER_STATUS_` prefix removed ("LIVE", "MATCHED", …). */
  readonly status: string;
  readonly orderType: string;
  readonly outcome: string;
  readonly expirationSec: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** "" when the body was a bare array; "LTE=" marks the last page. */
  readonly nextCursor: string;
}

export interface CancelResult {
  readonly canceled: readonly string[];
  readonly notCanceled: ReadonlyMap<string, string>;
}

// ---- Parsers ----------------------------------------------------------------------------

/** Runs field readers over a JSON object: a `FieldError` becomes an error value, anything else is rethrown. */
export function readObject<T>(v: unknown, f: (o: Obj) => T): RestResult<T> {
  if (!isObj(v)) return err("NOT_AN_OBJECT", "expected a JSON object");
  try {
    return ok(f(v));
  } catch (e) {
    if (e instanceof FieldError) return err(e.code, e.reason);
    throw e;
  }
}

function restBook(o: Obj): RestBook {
  const minSize = optStr(o, "min_order_size");
  const ltp = optStr(o, "last_trade_price");
  const nr = o.neg_risk;
  return {
    assetId: str(o, "asset_id"),
    market: str(o, "market"),
    timestampMs: timestampMs(o, "timestamp"),
    hash: str(o, "hash"),
    bids: levels(o, "bids"),
    asks: levels(o, "asks"),
    tickE4: o.tick_size === undefined || o.tick_size === null ? NOT_REPORTED : tick(o, "tick_size"),
    minOrderSizeE6: minSize === undefined ? NOT_REPORTED : size(o, "min_order_size"),
    negRisk: nr === undefined || nr === null ? null : bool(o, "neg_risk"),
    lastTradeE4: ltp === undefined || ltp === "" ? NOT_REPORTED : price(o, "last_trade_price"),
  };
}

export const parseRestBook = (v: unknown): RestResult<RestBook> => readObject(v, restBook);

/** `POST /books`: an array of books; one bad book fails the batch (the caller refetches). */
export function parseRestBooks(v: unknown): RestResult<RestBook[]> {
  if (!Array.isArray(v)) return err("NOT_AN_OBJECT", "expected an array of books");
  return readObject({ books: v }, (o) => arr(o, "books").map((b, k) => (isObj(b) ? restBook(b) : fieldFail(`books[${k}]: not an object`))));
}

function fieldFail(reason: string): never {
  throw new FieldError("BAD_FIELD", reason);
}

export const parseTickSize = (v: unknown): RestResult<TickE4> => readObject(v, (o) => tick(o, "minimum_tick_size"));
export const parseNegRisk = (v: unknown): RestResult<boolean> => readObject(v, (o) => bool(o, "neg_risk"));

const POST_STATUSES: readonly string[] = ["live", "matched", "delayed", "unmatched", ""];

function orderResponse(o: Obj): OrderPostResult {
  const amount = (key: string): number => (o[key] === undefined || o[key] === "" ? 0 : size(o, key));
  const status = (optStr(o, "status") ?? "").toLowerCase();
  const list = (key: string): string[] =>
    o[key] === undefined || o[key] === null
      ? []
      : arr(o, key).map((x) => (typeof x === "string" ? x : fieldFail(`${key}: expected strings`)));
  return {
    success: bool(o, "success"),
    errorMsg: optStr(o, "errorMsg") ?? "",
    orderId: optStr(o, "orderID") ?? "",
    status: POST_STATUSES.includes(status) ? (status as OrderPostStatus) : "unknown",
    makingAmountE6: amount("makingAmount"),
    takingAmountE6: amount("takingAmount"),
    tradeIds: list("tradeIDs"),
    transactionHashes: list("transactionsHashes"),
  };
}

export const parseOrderResponse = (v: unknown): RestResult<OrderPostResult> => readObject(v, orderResponse);

/** `POST /orders`: one result per order, in order. */
export function parseOrderResponses(v: unknown): RestResult<OrderPostResult[]> {
  if (!Array.isArray(v)) return err("NOT_AN_OBJECT", "expected an array of order responses");
  return readObject({ r: v }, (o) => arr(o, "r").map((x, k) => (isObj(x) ? orderResponse(x) : fieldFail(`[${k}]: not an object`))));
}

function openOrder(o: Obj): OpenOrderRecord {
  const status = str(o, "status");
  const exp = flexTimeMs(o, "expiration");
  const created = flexTimeMs(o, "created_at");
  return {
    orderId: str(o, "id"),
    conditionId: str(o, "market"),
    tokenId: str(o, "asset_id"),
    side: side(o, "side"),
    priceE4: price(o, "price"),
    originalSizeE6: size(o, "original_size"),
    matchedSizeE6: size(o, "size_matched", true),
    createdAtSec: created < 0 ? 0 : Math.floor(created / 1000),
    status: status.startsWith("ORDER_STATUS_") ? status.slice(13) : status,
    orderType: optStr(o, "order_type") ?? "",
    outcome: optStr(o, "outcome") ?? "",
    expirationSec: exp < 0 ? 0 : Math.floor(exp / 1000),
  };
}

function page<T>(v: unknown, item: (o: Obj) => T): RestResult<Page<T>> {
  const body = Array.isArray(v) ? { data: v, next_cursor: "" } : v;
  return readObject(body, (o) => ({
    items: arr(o, "data").map((x, k) => (isObj(x) ? item(x) : fieldFail(`data[${k}]: not an object`))),
    nextCursor: optStr(o, "next_cursor") ?? "",
  }));
}

export const parseOpenOrders = (v: unknown): RestResult<Page<OpenOrderRecord>> => page(v, openOrder);
export const parseTrades = (v: unknown): RestResult<Page<UserTradeEvent>> => page(v, parseTradeRecord);

export function parseCancelResponse(v: unknown): RestResult<CancelResult> {
  return readObject(v, (o) => {
    const canceled = arr(o, "canceled").map((x) => (typeof x === "string" ? x : fieldFail("canceled: expected strings")));
    const nc = o.not_canceled === undefined || o.not_canceled === null ? {} : obj(o, "not_canceled");
    const notCanceled = new Map<string, string>();
    for (const [id, why] of Object.entries(nc)) notCanceled.set(id, typeof why === "string" ? why : JSON.stringify(why));
    return { canceled, notCanceled };
  });
}

/** `{"error":"…"}` bodies of 4xx/5xx replies; "" when the body has no error string. */
export function errorMessageOf(v: unknown): string {
  if (!isObj(v)) return "";
  const e = v.error ?? v.errorMsg;
  return typeof e === "string" ? e : "";
}
