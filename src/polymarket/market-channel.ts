/**
 * Market channel codec, sans-I/O (protocol notes §5.1): text frame in → events and typed
 * errors out; subscribe/unsubscribe frames out; a keep-alive schedule the shell drives.
 *
 * Contract:
 * - `decode(text)` never throws. A frame may hold one event object or an array of them; each
 *   element becomes a `MarketEvent` or a `MarketError` (`{ok:false, code, reason}`), and
 *   every outcome is counted per event type / error code in `counters`.
 * - `PONG` (the answer to our text `PING`) is recognised before any JSON work.
 * - Prices become `PriceE4`, sizes `SizeE6`, straight from the decimal strings (no floats);
 *   a price outside $0..$1 or with more than 4 decimals is `BAD_PRICE`, never rounded.
 *
 * Hot path: `JSON.parse` (native) then validation with plain property loads for the two
 * hot shapes (V2 `price_change` entries, book levels); anything odd is re-read with the
 * field helpers of json-fields.ts, which name the error. A hand-written scanner was built,
 * fuzzed against this path and measured slower on Bun/JSC (docs/parsers-and-book.md, "Hot
 * path"), so it is not used.
 */
import type { Side } from "../core/ports.ts";
import { ONE_E4, parseFixed, parsePriceE4, parseSizeE6 } from "../core/units.ts";
import { FieldError, type Obj, isObj, optStr, price, side, size, str, strArray, tick, timestampMs as timestamp } from "./json-fields.ts";
import {
  type BookLevels,
  type LevelChange,
  MARKET_ERROR_CODES,
  MARKET_EVENT_TYPES,
  type MarketError,
  type MarketErrorCode,
  type MarketEvent,
  type MarketEventType,
  NOT_REPORTED,
  PRICE_CHANGE_ERAS,
  type PriceChangeEra,
  bookEvent,
  levelChange,
  marketError,
  priceChangeEvent,
} from "./market-events.ts";
import { PING_TEXT, PONG_TEXT } from "./wire.ts";

export * from "./market-events.ts";

/** What one text frame decoded to. */
export interface MarketFrame {
  readonly pong: boolean;
  readonly events: MarketEvent[];
  /** Shared and empty when the frame had no error (the common case: one allocation less). */
  readonly errors: readonly MarketError[];
}

const NO_ERRORS: readonly MarketError[] = Object.freeze([]);

export function levels(o: Obj, key: string): BookLevels {
  const v = o[key];
  if (!Array.isArray(v)) throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected array`);
  const pricesE4: number[] = [];
  const sizesE6: number[] = [];
  for (const lv of v) {
    if (!isObj(lv)) throw new FieldError("BAD_FIELD", `${key}: level is not an object`);
    // Hot path with plain loads; the helpers re-read a bad level to name the error.
    const pt = lv.price;
    const st = lv.size;
    const p = typeof pt === "string" ? parsePriceE4(pt) : -1;
    const z = typeof st === "string" ? parseSizeE6(st) : -1;
    pricesE4.push(p >= 0 && p <= ONE_E4 ? p : price(lv, "price"));
    sizesE6.push(z >= 0 ? z : size(lv, "size"));
  }
  return { pricesE4, sizesE6 };
}

/** An optional best bid/ask as the slow path reads it; -2 when it needs the slow path. */
function fastBest(v: unknown): number {
  if (v === undefined || v === null || v === "") return NOT_REPORTED;
  if (typeof v !== "string") return -2;
  const p = parsePriceE4(v);
  return p < 0 || p > ONE_E4 ? -2 : p;
}

/**
 * The hot loop: one V2 entry read with plain property loads (inline-cached: every entry
 * JSON.parse builds has the same shape). Returns null when anything is off, and the caller
 * re-reads the entry with `slowEntry`, which names the error. @internal: exported for the
 * property test that holds it equal to `slowEntry` wherever it answers.
 */
export function fastEntry(e: Obj): LevelChange | null {
  const assetId = e.asset_id;
  const sideText = e.side;
  const priceText = e.price;
  const sizeText = e.size;
  const hash = e.hash;
  if (typeof assetId !== "string" || typeof priceText !== "string" || typeof sizeText !== "string" || typeof hash !== "string") return null;
  const s: Side | null = sideText === "BUY" ? "BUY" : sideText === "SELL" ? "SELL" : null;
  const p = parsePriceE4(priceText);
  const z = parseSizeE6(sizeText);
  const bb = fastBest(e.best_bid);
  const ba = fastBest(e.best_ask);
  if (s === null || p < 0 || p > ONE_E4 || z < 0 || bb === -2 || ba === -2) return null;
  return levelChange(assetId, s, p, z, hash, bb, ba);
}

/** @internal The reference reading of a V2 entry; throws FieldError naming the field. */
export function slowEntry(e: Obj): LevelChange {
  const bb = optStr(e, "best_bid");
  const ba = optStr(e, "best_ask");
  return levelChange(
    str(e, "asset_id"),
    side(e, "side"),
    price(e, "price"),
    size(e, "size"),
    str(e, "hash"),
    bb === undefined || bb === "" ? NOT_REPORTED : price(e, "best_bid"),
    ba === undefined || ba === "" ? NOT_REPORTED : price(e, "best_ask"),
  );
}

function decodePriceChange(o: Obj): MarketEvent {
  const market = str(o, "market");
  const ts = timestamp(o, "timestamp");
  const nested = o.price_changes;
  if (nested !== undefined) {
    if (!Array.isArray(nested)) throw new FieldError("BAD_FIELD", "price_changes: expected array");
    const changes: LevelChange[] = [];
    for (const e of nested) {
      if (!isObj(e)) throw new FieldError("BAD_FIELD", "price_changes: entry is not an object");
      changes.push(fastEntry(e) ?? slowEntry(e));
    }
    return priceChangeEvent("v2", market, ts, changes);
  }
  const assetId = str(o, "asset_id");
  const hash = optStr(o, "hash") ?? "";
  const listed = o.changes;
  if (listed !== undefined) {
    if (!Array.isArray(listed)) throw new FieldError("BAD_FIELD", "changes: expected array");
    const changes: LevelChange[] = [];
    for (const c of listed) {
      if (!isObj(c)) throw new FieldError("BAD_FIELD", "changes: entry is not an object");
      changes.push(levelChange(assetId, side(c, "side"), price(c, "price"), size(c, "size"), hash, NOT_REPORTED, NOT_REPORTED));
    }
    return priceChangeEvent("v1_changes", market, ts, changes);
  }
  const flat = levelChange(assetId, side(o, "side"), price(o, "price"), size(o, "size"), hash, NOT_REPORTED, NOT_REPORTED);
  return priceChangeEvent("v1_flat", market, ts, [flat]);
}

/** The event for a known `event_type`, null for an unknown one. */
function decodeEvent(o: Obj, type: string): MarketEvent | null {
  switch (type) {
    case "price_change":
      return decodePriceChange(o);
    case "book": {
      const t = optStr(o, "tick_size");
      const ltp = optStr(o, "last_trade_price");
      return bookEvent(
        str(o, "asset_id"),
        str(o, "market"),
        timestamp(o, "timestamp"),
        str(o, "hash"),
        levels(o, "bids"),
        levels(o, "asks"),
        t === undefined ? NOT_REPORTED : tick(o, "tick_size"),
        ltp === undefined || ltp === "" ? NOT_REPORTED : price(o, "last_trade_price"),
      );
    }
    case "tick_size_change":
      return {
        type: "tick_size_change",
        assetId: str(o, "asset_id"),
        market: str(o, "market"),
        oldTickE4: tick(o, "old_tick_size"),
        newTickE4: tick(o, "new_tick_size"),
        timestampMs: timestamp(o, "timestamp"),
      };
    case "last_trade_price": {
      const fee = optStr(o, "fee_rate_bps");
      const feeRateBps = fee === undefined ? NOT_REPORTED : parseFixed(fee, 0);
      if (fee !== undefined && feeRateBps < 0) throw new FieldError("BAD_FIELD", `fee_rate_bps: ${JSON.stringify(fee)}`);
      return {
        type: "last_trade_price",
        assetId: str(o, "asset_id"),
        market: str(o, "market"),
        priceE4: price(o, "price"),
        sizeE6: size(o, "size"),
        side: side(o, "side"),
        feeRateBps,
        timestampMs: timestamp(o, "timestamp"),
        transactionHash: optStr(o, "transaction_hash") ?? "",
      };
    }
    case "best_bid_ask":
      return {
        type: "best_bid_ask",
        assetId: str(o, "asset_id"),
        market: str(o, "market"),
        bestBidE4: price(o, "best_bid"),
        bestAskE4: price(o, "best_ask"),
        spreadE4: price(o, "spread"),
        timestampMs: timestamp(o, "timestamp"),
      };
    case "new_market": {
      const t = optStr(o, "order_price_min_tick_size");
      const em = o.event_message;
      return {
        type: "new_market",
        id: str(o, "id"),
        market: str(o, "market"),
        question: str(o, "question"),
        slug: str(o, "slug"),
        assetIds: strArray(o, "assets_ids", true),
        outcomes: strArray(o, "outcomes", true),
        tickE4: t === undefined || t === "" ? NOT_REPORTED : tick(o, "order_price_min_tick_size"),
        eventSlug: isObj(em) ? (optStr(em, "slug") ?? "") : "",
        tags: strArray(o, "tags", false),
        timestampMs: timestamp(o, "timestamp"),
      };
    }
    case "market_resolved":
      return {
        type: "market_resolved",
        id: str(o, "id"),
        market: str(o, "market"),
        assetIds: strArray(o, "assets_ids", true),
        winningAssetId: str(o, "winning_asset_id"),
        winningOutcome: str(o, "winning_outcome"),
        timestampMs: timestamp(o, "timestamp"),
      };
    default:
      return null;
  }
}

/** Validates one parsed JSON value as a market-channel event. Never throws. */
export function decodeMarketObject(v: unknown): MarketEvent | MarketError {
  if (!isObj(v)) return marketError("NOT_AN_OBJECT", `expected an event object, got ${Array.isArray(v) ? "array" : typeof v}`);
  const type = v.event_type;
  if (typeof type !== "string") return marketError("UNKNOWN_EVENT", "no event_type");
  try {
    return decodeEvent(v, type) ?? marketError("UNKNOWN_EVENT", `unknown event_type ${JSON.stringify(type).slice(0, 64)}`, type);
  } catch (e) {
    if (e instanceof FieldError) return marketError(e.code, e.reason, type);
    throw e;
  }
}

/** Narrows a decode result; events have no `ok` field. */
export const isMarketError = (r: MarketEvent | MarketError): r is MarketError => (r as MarketError).ok === false;

/** Decodes one text frame: `PONG`, one event object or an array of them. Never throws. */
export function decodeMarketFrame(text: string): MarketFrame {
  const events: MarketEvent[] = [];
  if (text === PONG_TEXT) return { pong: true, events, errors: NO_ERRORS };
  if (text.length === 0) return { pong: false, events, errors: [marketError("EMPTY_FRAME", "empty frame")] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return { pong: false, events, errors: [marketError("BAD_JSON", `not JSON: ${JSON.stringify(text.slice(0, 48))}`)] };
  }
  let errors: MarketError[] | null = null;
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      const r = decodeMarketObject(item);
      if (!isMarketError(r)) events.push(r);
      else if (errors) errors.push(r);
      else errors = [r];
    }
  } else {
    const r = decodeMarketObject(parsed);
    if (isMarketError(r)) errors = [r];
    else events.push(r);
  }
  return { pong: false, events, errors: errors ?? NO_ERRORS };
}

const zeroCounts = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Running totals, for metrics and the golden test. */
export class MarketCounters {
  frames = 0;
  pongs = 0;
  readonly events: Record<MarketEventType, number> = zeroCounts(MARKET_EVENT_TYPES);
  readonly errors: Record<MarketErrorCode, number> = zeroCounts(MARKET_ERROR_CODES);
  readonly priceChangeEras: Record<PriceChangeEra, number> = zeroCounts(PRICE_CHANGE_ERAS);
  /** Level entries inside price_change events. */
  levelChanges = 0;

  totalErrors(): number {
    let n = 0;
    for (const c of MARKET_ERROR_CODES) n += this.errors[c];
    return n;
  }
}

/** Stateful only in its counters; one per socket. */
export class MarketChannelCodec {
  readonly counters = new MarketCounters();

  decode(text: string): MarketFrame {
    const c = this.counters;
    c.frames++;
    const frame = decodeMarketFrame(text);
    if (frame.pong) c.pongs++;
    for (const ev of frame.events) {
      c.events[ev.type]++;
      if (ev.type === "price_change") {
        c.priceChangeEras[ev.era]++;
        c.levelChanges += ev.changes.length;
      }
    }
    for (const e of frame.errors) c.errors[e.code]++;
    return frame;
  }
}

// ---- Frames we send -------------------------------------------------------------------

/**
 * First frame after connect. `custom_feature_enabled` turns on `best_bid_ask`, `new_market`
 * and `market_resolved`. Subscribe both tokens of a market.
 */
export function marketSubscribeFrame(assetIds: readonly string[], customFeatures = true): string {
  return JSON.stringify({ assets_ids: assetIds, type: "market", custom_feature_enabled: customFeatures });
}

/** Adds assets on an open connection; a fresh `book` follows for each. */
export function marketAddAssetsFrame(assetIds: readonly string[], customFeatures = true): string {
  return JSON.stringify({ operation: "subscribe", assets_ids: assetIds, custom_feature_enabled: customFeatures });
}

export function marketRemoveAssetsFrame(assetIds: readonly string[]): string {
  return JSON.stringify({ operation: "unsubscribe", assets_ids: assetIds });
}

export { PING_TEXT, PONG_TEXT };

// ---- Keep-alive ------------------------------------------------------------------------

export type KeepAliveAction = "none" | "send_ping" | "silent";

/**
 * When to send `PING` and when the line is dead. The shell calls `opened` on connect,
 * `received` on every inbound frame (PONG included), and `onTimer(nowNs)` at
 * `nextDeadlineNs()`: "send_ping" → send `PING_TEXT` then call `pinged`; "silent" → no
 * frame for `silenceNs`, reconnect and resnapshot.
 */
export class KeepAlive {
  #lastRecvNs = 0;
  #lastPingNs = 0;

  constructor(
    readonly pingEveryNs = 10e9,
    readonly silenceNs = 30e9,
  ) {}

  opened(nowNs: number): void {
    this.#lastRecvNs = nowNs;
    this.#lastPingNs = nowNs;
  }

  received(nowNs: number): void {
    this.#lastRecvNs = nowNs;
  }

  pinged(nowNs: number): void {
    this.#lastPingNs = nowNs;
  }

  nextDeadlineNs(): number {
    return Math.min(this.#lastPingNs + this.pingEveryNs, this.#lastRecvNs + this.silenceNs);
  }

  onTimer(nowNs: number): KeepAliveAction {
    if (nowNs - this.#lastRecvNs >= this.silenceNs) return "silent";
    if (nowNs - this.#lastPingNs >= this.pingEveryNs) return "send_ping";
    return "none";
  }
}
