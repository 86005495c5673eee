/**
 * User channel codec, sans-I/O (protocol notes §5.2): `order` and `trade` frames → typed
 * events in engine units; the authenticated subscribe frame; counters per event and error.
 *
 * Choices a reader might question:
 * - Status strings are normalised, not rejected: an optional `ORDER_STATUS_`/`TRADE_STATUS_`
 *   prefix is stripped, and a `CANCELED_<reason>` status (sent when a FOK is killed) becomes
 *   `CANCELED` with the reason in `statusDetail`. An unknown status is kept as "UNKNOWN" with
 *   the raw text, because dropping an order update would desynchronise the order manager.
 * - Times arrive in seconds or milliseconds depending on era and message (`flexTimeMs`); the
 *   events carry epoch ms, -1 when the venue sent "" or null.
 * - `original_size` of a FOK/FAK BUY is the pUSD amount (UsdE6), not shares: consumers that
 *   know the order type read it accordingly.
 * - A frame without `event_type` is classified by its `type` ("TRADE" → trade;
 *   PLACEMENT/UPDATE/CANCELLATION → order): the docs' AsyncAPI always sends `type`.
 * - `parseTradeRecord` also reads REST `/data/trades` items (same fields, no `event_type`).
 */
import type { Side, TradeStatus } from "../core/ports.ts";
import type { PriceE4, SizeE6 } from "../core/units.ts";
import type { Secret } from "../core/secret.ts";
import {
  FieldError,
  FRAME_ERROR_CODES,
  type FrameErrorCode,
  type Obj,
  arr,
  flexTimeMs,
  int,
  isObj,
  optStr,
  price,
  side,
  size,
  str,
  strArray,
} from "./json-fields.ts";
import { NOT_REPORTED } from "./market-events.ts";
import { PONG_TEXT } from "./wire.ts";

export type UserErrorCode = FrameErrorCode;
export const USER_ERROR_CODES: readonly UserErrorCode[] = FRAME_ERROR_CODES;

export interface UserError {
  readonly ok: false;
  readonly code: UserErrorCode;
  readonly reason: string;
  readonly eventType: string;
}

export type OrderStatus = "LIVE" | "MATCHED" | "CANCELED" | "INVALID" | "DELAYED" | "UNMATCHED" | "UNKNOWN";
const ORDER_STATUSES: readonly OrderStatus[] = ["LIVE", "MATCHED", "CANCELED", "INVALID", "DELAYED", "UNMATCHED"];
const TRADE_STATUSES: readonly TradeStatus[] = ["MATCHED", "MINED", "CONFIRMED", "RETRYING", "FAILED"];

export interface UserOrderEvent {
  readonly type: "order";
  readonly kind: "PLACEMENT" | "UPDATE" | "CANCELLATION";
  readonly orderId: string;
  readonly owner: string;
  readonly market: string;
  readonly assetId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  /** Shares, except pUSD (UsdE6) for FOK/FAK BUY orders. */
  readonly originalSizeE6: SizeE6;
  readonly sizeMatchedE6: SizeE6;
  readonly status: OrderStatus;
  /** Text after the status word ("order couldn't be fully filled…"), or the raw unknown status. */
  readonly statusDetail: string;
  readonly outcome: string;
  readonly orderType: string;
  readonly makerAddress: string;
  readonly associateTrades: readonly string[];
  readonly createdAtMs: number;
  /** Epoch ms, 0 = none. */
  readonly expirationMs: number;
  readonly timestampMs: number;
}

/** One maker's side of a match: `matchedSizeE6` shares at the maker's own price. */
export interface MakerFill {
  readonly orderId: string;
  readonly owner: string;
  readonly makerAddress: string;
  readonly matchedSizeE6: SizeE6;
  readonly priceE4: PriceE4;
  readonly feeRateBps: number;
  readonly assetId: string;
  readonly outcome: string;
  /** V2 only; "" on V1-era frames. */
  readonly side: Side | "";
}

export interface UserTradeEvent {
  readonly type: "trade";
  readonly tradeId: string;
  readonly takerOrderId: string;
  readonly market: string;
  readonly assetId: string;
  /** Taker side, size and price. */
  readonly side: Side;
  readonly sizeE6: SizeE6;
  readonly priceE4: PriceE4;
  readonly feeRateBps: number;
  readonly status: TradeStatus | "UNKNOWN";
  readonly statusRaw: string;
  readonly matchTimeMs: number;
  readonly lastUpdateMs: number;
  readonly outcome: string;
  readonly owner: string;
  readonly makerAddress: string;
  readonly transactionHash: string;
  readonly bucketIndex: number;
  readonly traderSide: "TAKER" | "MAKER";
  readonly makerOrders: readonly MakerFill[];
}

export type UserEvent = UserOrderEvent | UserTradeEvent;

function splitStatus<S extends string>(raw: string, prefix: string, known: readonly S[]): [S | "UNKNOWN", string] {
  const s = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  for (const k of known) {
    if (s === k) return [k, ""];
    if (s.startsWith(`${k}_`)) return [k, s.slice(k.length + 1)];
  }
  return ["UNKNOWN", raw];
}

function orderKind(o: Obj): UserOrderEvent["kind"] {
  const k = str(o, "type");
  if (k === "PLACEMENT" || k === "UPDATE" || k === "CANCELLATION") return k;
  throw new FieldError("BAD_FIELD", `type: ${JSON.stringify(k)} is not PLACEMENT/UPDATE/CANCELLATION`);
}

function feeBps(o: Obj): number {
  return o.fee_rate_bps === undefined || o.fee_rate_bps === null || o.fee_rate_bps === "" ? NOT_REPORTED : int(o, "fee_rate_bps");
}

function parseOrder(o: Obj): UserOrderEvent {
  const [status, statusDetail] = splitStatus(str(o, "status"), "ORDER_STATUS_", ORDER_STATUSES);
  const expiration = flexTimeMs(o, "expiration");
  return {
    type: "order",
    kind: orderKind(o),
    orderId: str(o, "id"),
    owner: str(o, "owner"),
    market: str(o, "market"),
    assetId: str(o, "asset_id"),
    side: side(o, "side"),
    priceE4: price(o, "price"),
    originalSizeE6: size(o, "original_size"),
    sizeMatchedE6: size(o, "size_matched", true),
    status,
    statusDetail,
    outcome: optStr(o, "outcome") ?? "",
    orderType: optStr(o, "order_type") ?? "",
    makerAddress: optStr(o, "maker_address") ?? "",
    associateTrades: strArray(o, "associate_trades", false),
    createdAtMs: flexTimeMs(o, "created_at"),
    expirationMs: Math.max(0, expiration),
    timestampMs: flexTimeMs(o, "timestamp"),
  };
}

function parseMakerFill(m: unknown): MakerFill {
  if (!isObj(m)) throw new FieldError("BAD_FIELD", "maker_orders: entry is not an object");
  const s = optStr(m, "side");
  return {
    orderId: str(m, "order_id"),
    owner: optStr(m, "owner") ?? "",
    makerAddress: str(m, "maker_address"),
    matchedSizeE6: size(m, "matched_amount"),
    priceE4: price(m, "price"),
    feeRateBps: feeBps(m),
    assetId: str(m, "asset_id"),
    outcome: optStr(m, "outcome") ?? "",
    side: s === undefined ? "" : side(m, "side"),
  };
}

/** A trade as the user channel or REST `/data/trades` reports it. Throws FieldError. */
export function parseTradeRecord(o: Obj): UserTradeEvent {
  const statusRaw = str(o, "status");
  const [status] = splitStatus(statusRaw, "TRADE_STATUS_", TRADE_STATUSES);
  const traderSide = str(o, "trader_side");
  if (traderSide !== "TAKER" && traderSide !== "MAKER") throw new FieldError("BAD_FIELD", `trader_side: ${JSON.stringify(traderSide)}`);
  const bucket = o.bucket_index;
  return {
    type: "trade",
    tradeId: str(o, "id"),
    takerOrderId: str(o, "taker_order_id"),
    market: str(o, "market"),
    assetId: str(o, "asset_id"),
    side: side(o, "side"),
    sizeE6: size(o, "size"),
    priceE4: price(o, "price"),
    feeRateBps: feeBps(o),
    status,
    statusRaw,
    matchTimeMs: flexTimeMs(o, "match_time"),
    lastUpdateMs: flexTimeMs(o, "last_update"),
    outcome: optStr(o, "outcome") ?? "",
    owner: optStr(o, "owner") ?? "",
    makerAddress: optStr(o, "maker_address") ?? "",
    transactionHash: optStr(o, "transaction_hash") ?? "",
    bucketIndex: bucket === undefined || bucket === null ? 0 : int(o, "bucket_index"),
    traderSide,
    makerOrders: arr(o, "maker_orders").map(parseMakerFill),
  };
}

const userError = (code: UserErrorCode, reason: string, eventType = ""): UserError => ({ ok: false, code, reason, eventType });

/** Validates one parsed JSON value as a user-channel event. Never throws. */
export function decodeUserObject(v: unknown): UserEvent | UserError {
  if (!isObj(v)) return userError("NOT_AN_OBJECT", "expected an event object");
  let type = v.event_type;
  if (type === undefined) type = v.type === "TRADE" ? "trade" : typeof v.type === "string" ? "order" : undefined;
  if (typeof type !== "string") return userError("UNKNOWN_EVENT", "no event_type");
  try {
    if (type === "order") return parseOrder(v);
    if (type === "trade") return parseTradeRecord(v);
    return userError("UNKNOWN_EVENT", `unknown event_type ${JSON.stringify(type).slice(0, 64)}`, type);
  } catch (e) {
    if (e instanceof FieldError) return userError(e.code, e.reason, type);
    throw e;
  }
}

export interface UserFrame {
  readonly pong: boolean;
  readonly events: UserEvent[];
  readonly errors: UserError[];
}

export function decodeUserFrame(text: string): UserFrame {
  const events: UserEvent[] = [];
  const errors: UserError[] = [];
  if (text === PONG_TEXT) return { pong: true, events, errors };
  if (text.length === 0) return { pong: false, events, errors: [userError("EMPTY_FRAME", "empty frame")] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return { pong: false, events, errors: [userError("BAD_JSON", `not JSON: ${JSON.stringify(text.slice(0, 48))}`)] };
  }
  for (const item of Array.isArray(parsed) ? parsed : [parsed]) {
    const r = decodeUserObject(item);
    if ("ok" in r) errors.push(r);
    else events.push(r);
  }
  return { pong: false, events, errors };
}

/** Counters per event type and error code, one codec per socket. */
export class UserChannelCodec {
  frames = 0;
  pongs = 0;
  readonly events: Record<UserEvent["type"], number> = { order: 0, trade: 0 };
  readonly errors = Object.fromEntries(USER_ERROR_CODES.map((c) => [c, 0])) as Record<UserErrorCode, number>;

  decode(text: string): UserFrame {
    this.frames++;
    const f = decodeUserFrame(text);
    if (f.pong) this.pongs++;
    for (const ev of f.events) this.events[ev.type]++;
    for (const e of f.errors) this.errors[e.code]++;
    return f;
  }
}

export interface UserCredentials {
  readonly apiKey: string;
  readonly secret: Secret;
  readonly passphrase: Secret;
}

/**
 * First frame on the user socket: raw L2 credentials (no HMAC), as the venue requires.
 * The returned text holds secrets: send it and drop it, never log it.
 */
export function userSubscribeFrame(creds: UserCredentials, markets: readonly string[]): string {
  return JSON.stringify({
    auth: { apiKey: creds.apiKey, secret: creds.secret.reveal(), passphrase: creds.passphrase.reveal() },
    type: "user",
    markets,
  });
}

export function userAddMarketsFrame(markets: readonly string[]): string {
  return JSON.stringify({ operation: "subscribe", markets });
}

export function userRemoveMarketsFrame(markets: readonly string[]): string {
  return JSON.stringify({ operation: "unsubscribe", markets });
}
