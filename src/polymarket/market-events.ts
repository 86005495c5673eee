/**
 * Market-channel events in engine units, as produced by `market-channel.ts`. Events are
 * built through the factories below so every event of a type has one object shape (one
 * hidden class for the JIT) and tests can compare them with deep equality.
 *
 * Units: prices `PriceE4` (0..10_000 = $0..$1), sizes `SizeE6`, exchange times in epoch ms.
 * The venue's identifiers stay as the strings it sent (`assetId`, `market`, `hash`).
 * `NOT_REPORTED` (-1) marks an optional numeric field the frame did not carry.
 */
import type { Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, TickE4 } from "../core/units.ts";
import { FRAME_ERROR_CODES, type FrameErrorCode } from "./json-fields.ts";

export const NOT_REPORTED = -1;

export type MarketEventType =
  | "book"
  | "price_change"
  | "tick_size_change"
  | "last_trade_price"
  | "best_bid_ask"
  | "new_market"
  | "market_resolved";

export const MARKET_EVENT_TYPES: readonly MarketEventType[] = [
  "book",
  "price_change",
  "tick_size_change",
  "last_trade_price",
  "best_bid_ask",
  "new_market",
  "market_resolved",
];

/**
 * Which `price_change` schema a message used: `v2` nests `price_changes[]` with best bid/ask
 * (since 2025-09-15), `v1_changes` is per asset with `changes[]`, `v1_flat` is one flat level.
 */
export type PriceChangeEra = "v2" | "v1_changes" | "v1_flat";
export const PRICE_CHANGE_ERAS: readonly PriceChangeEra[] = ["v2", "v1_changes", "v1_flat"];

/** Why a frame or an event in it was not turned into an event. */
export type MarketErrorCode = FrameErrorCode;
export const MARKET_ERROR_CODES: readonly MarketErrorCode[] = FRAME_ERROR_CODES;

/** A typed error value; `eventType` is the frame's `event_type` when it had one. */
export interface MarketError {
  readonly ok: false;
  readonly code: MarketErrorCode;
  readonly reason: string;
  readonly eventType: string;
}

export const marketError = (code: MarketErrorCode, reason: string, eventType = ""): MarketError => ({
  ok: false,
  code,
  reason,
  eventType,
});

/** One level update: `sizeE6` is the new absolute size at `priceE4` (0 removes the level). */
export interface LevelChange {
  readonly assetId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  /** V2: hash of this entry's resulting book; V1: the message hash. */
  readonly hash: string;
  /** Top of this token's book after the change as the venue reports it; NOT_REPORTED in V1. */
  readonly bestBidE4: PriceE4;
  readonly bestAskE4: PriceE4;
}

export const levelChange = (
  assetId: string,
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  hash: string,
  bestBidE4: PriceE4,
  bestAskE4: PriceE4,
): LevelChange => ({ assetId, side, priceE4, sizeE6, hash, bestBidE4, bestAskE4 });

export interface PriceChangeEvent {
  readonly type: "price_change";
  readonly era: PriceChangeEra;
  readonly market: string;
  readonly timestampMs: number;
  readonly changes: readonly LevelChange[];
}

export const priceChangeEvent = (
  era: PriceChangeEra,
  market: string,
  timestampMs: number,
  changes: readonly LevelChange[],
): PriceChangeEvent => ({ type: "price_change", era, market, timestampMs, changes });

/** Levels of one side as parallel arrays, in the order the venue sent them. */
export interface BookLevels {
  readonly pricesE4: readonly PriceE4[];
  readonly sizesE6: readonly SizeE6[];
}

export interface BookEvent {
  readonly type: "book";
  readonly assetId: string;
  readonly market: string;
  readonly timestampMs: number;
  readonly hash: string;
  readonly bids: BookLevels;
  readonly asks: BookLevels;
  /** V2 snapshots carry the tick size; NOT_REPORTED on V1-era snapshots. */
  readonly tickE4: TickE4;
  readonly lastTradeE4: PriceE4;
}

export const bookEvent = (
  assetId: string,
  market: string,
  timestampMs: number,
  hash: string,
  bids: BookLevels,
  asks: BookLevels,
  tickE4: TickE4,
  lastTradeE4: PriceE4,
): BookEvent => ({ type: "book", assetId, market, timestampMs, hash, bids, asks, tickE4, lastTradeE4 });

export interface TickSizeChangeEvent {
  readonly type: "tick_size_change";
  readonly assetId: string;
  readonly market: string;
  readonly oldTickE4: TickE4;
  readonly newTickE4: TickE4;
  readonly timestampMs: number;
}

export interface LastTradePriceEvent {
  readonly type: "last_trade_price";
  readonly assetId: string;
  readonly market: string;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  /** The taker's side. */
  readonly side: Side;
  /** NOT_REPORTED when absent. */
  readonly feeRateBps: number;
  readonly timestampMs: number;
  /** "" when absent or empty (async execution). */
  readonly transactionHash: string;
}

export interface BestBidAskEvent {
  readonly type: "best_bid_ask";
  readonly assetId: string;
  readonly market: string;
  readonly bestBidE4: PriceE4;
  readonly bestAskE4: PriceE4;
  readonly spreadE4: PriceE4;
  readonly timestampMs: number;
}

export interface NewMarketEvent {
  readonly type: "new_market";
  /** Gamma market id. */
  readonly id: string;
  readonly market: string;
  readonly question: string;
  readonly slug: string;
  readonly assetIds: readonly string[];
  readonly outcomes: readonly string[];
  /** From `order_price_min_tick_size` when present, else NOT_REPORTED. */
  readonly tickE4: TickE4;
  /** `event_message.slug`, "" when absent. */
  readonly eventSlug: string;
  readonly tags: readonly string[];
  readonly timestampMs: number;
}

export interface MarketResolvedEvent {
  readonly type: "market_resolved";
  readonly id: string;
  readonly market: string;
  readonly assetIds: readonly string[];
  readonly winningAssetId: string;
  readonly winningOutcome: string;
  readonly timestampMs: number;
}

export type MarketEvent =
  | BookEvent
  | PriceChangeEvent
  | TickSizeChangeEvent
  | LastTradePriceEvent
  | BestBidAskEvent
  | NewMarketEvent
  | MarketResolvedEvent;
