/**
 * `calculateQuotes` (the user's formula) → `DesiredQuotes`: what should rest on the book for
 * one binary market. Another part (the order manager) makes it so.
 *
 *   spread = clamp(MM_BASE_SPREAD × volatility multiplier × time-left factor, MIN, MAX)
 *   bid    = centre − spread/2 + bid adjustment      ask = centre + spread/2 + ask adjustment
 *
 * in YES terms, centre = fair value P(Up). Then, in this order:
 *  1. snapped to the book's current tick (bid down, ask up), so a quote never improves on
 *     the model by rounding; a raw price within `SNAP_TOLERANCE_E4` of a grid line counts as
 *     on it (float noise: a centre of 0.50000001 must ask 0.51, not 0.52);
 *  2. kept inside (0, 1): bid ≥ tick and ask ≤ 1 − tick, else that side is dropped;
 *  3. post-only: never crossing. The effective best ask against our bid is the lower of the
 *     YES book's ask and 1 − the NO book's bid (the two books mirror each other, and a YES
 *     BUY at b matches a NO BUY at ≥ 1 − b by minting); a bid at or through it is pulled to
 *     one tick below. The same for the ask. A crossed or stale book gets no quotes.
 *
 * Two tokens, one market: on Polymarket you can only SELL tokens you hold. So each YES-terms
 * side becomes one order on whichever token fits:
 *  - bid side (we buy YES exposure): SELL NO at 1 − bid when we hold ≥ min size of NO
 *    (frees collateral, same economics as buying YES and merging), else BUY YES at bid;
 *  - ask side (we sell YES exposure): SELL YES at ask when we hold ≥ min size of YES,
 *    else BUY NO at 1 − ask — a maker without inventory quotes the YES ask as a NO bid.
 * Every tick size divides $1, so 1 − p stays on the grid.
 *
 * Sizes: MM_ORDER_SIZE × size multiplier, floored to the 0.01-share grid, at least the
 * market minimum; a SELL is capped by what we hold.
 *
 * Near the end: from `endGameMs` before the stop the spread and the inventory skew grow
 * linearly up to ×(1 + endGameSpreadFactor) and ×(1 + endGameSkewFactor), and nothing is
 * quoted in the last `stopBeforeEndMs` (MM_STOP_BEFORE_END_SECONDS).
 *
 * Pure: time comes in as `nowMs`.
 */
import { type BookView, type MarketInfo, NO_ASK_E4, NO_BID_E4, type Side } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, snapAskUp, snapBidDown } from "../core/units.ts";
import type { QuoteAdjustment } from "./delta-hedge.ts";
import type { VolatilityRecommendations } from "./volatility.ts";

export interface QuoteParams {
  /** MM_BASE_SPREAD, PriceE4. */
  readonly baseSpreadE4: number;
  /** MM_MIN_SPREAD / MM_MAX_SPREAD bound the final spread. */
  readonly minSpreadE4: number;
  readonly maxSpreadE4: number;
  /** MM_ORDER_SIZE in SizeE6. */
  readonly orderSizeE6: SizeE6;
  /** MM_STOP_BEFORE_END_SECONDS in ms. */
  readonly stopBeforeEndMs: number;
  /** Length of the end game before the stop, ms. */
  readonly endGameMs: number;
  /** Extra spread multiple reached at the stop (1 → spread doubles). */
  readonly endGameSpreadFactor: number;
  /** Extra skew multiple reached at the stop. */
  readonly endGameSkewFactor: number;
  /** |YES − NO| shares at which the side that adds to it is no longer quoted; 0 = no limit. */
  readonly maxInventoryE6: SizeE6;
}

export const DEFAULT_QUOTE_PARAMS: QuoteParams = {
  baseSpreadE4: 200,
  minSpreadE4: 100,
  maxSpreadE4: 2000,
  orderSizeE6: 10_000_000,
  stopBeforeEndMs: 10_000,
  endGameMs: 60_000,
  endGameSpreadFactor: 1,
  endGameSkewFactor: 1,
  maxInventoryE6: 0,
};

export interface QuoteInput {
  readonly market: Pick<MarketInfo, "conditionId" | "yesTokenId" | "noTokenId" | "tickE4" | "minSizeE6" | "endMs">;
  readonly nowMs: number;
  /** P(YES) in (0, 1), blended fair value. */
  readonly fairValue: number;
  readonly yesBook: BookView;
  readonly noBook: BookView;
  readonly vol: Pick<VolatilityRecommendations, "spreadMultiplier" | "sizeMultiplier" | "shouldQuote">;
  /** Inventory skew for the YES token (`DeltaHedger.getQuoteAdjustment(yesTokenId)`), PriceE4. */
  readonly adjustment: QuoteAdjustment;
  readonly yesHeldE6: SizeE6;
  readonly noHeldE6: SizeE6;
  readonly params: QuoteParams;
}

export interface QuoteOrder {
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
}

export type NoQuoteReason =
  | "stale_book"
  | "crossed_book"
  | "volatility"
  | "window_end"
  | "no_fair_value"
  | "price_bounds"
  | "inventory_limit";

export interface DesiredQuotes {
  readonly conditionId: string;
  /** Buys YES exposure: BUY YES at `bidE4`, or SELL NO at 1 − `bidE4`. */
  readonly bid: QuoteOrder | null;
  /** Sells YES exposure: SELL YES at `askE4`, or BUY NO at 1 − `askE4`. */
  readonly ask: QuoteOrder | null;
  /** YES-terms prices after snapping and the post-only rule; 0 when that side is empty. */
  readonly bidE4: PriceE4;
  readonly askE4: PriceE4;
  /** Centre (fair value × 1e4, float) and final raw spread, for requote decisions and status. */
  readonly centreE4: number;
  readonly spreadE4: number;
  /** Why a side (or everything) is empty; null when both sides are quoted. */
  readonly bidReason: NoQuoteReason | null;
  readonly askReason: NoQuoteReason | null;
}

const LOT_E6 = 10_000;

/**
 * Float noise allowed when snapping a raw (float) price to the grid: $0.000001, i.e. 1e-4 of
 * a 0.01 tick and 1 % of the finest 0.0001 tick. Fair-value maths leaves residues like 1e-8
 * (0.50000001 → ask 5100.0001 E4); floored or ceiled as they are, they cost a whole tick. A
 * millionth of a dollar is no edge worth a tick, and far above double-precision error here.
 */
export const SNAP_TOLERANCE_E4 = 0.01;

/** Largest grid price ≤ `rawE4` (a float), treating values within the tolerance of a grid line as on it. */
export function snapFloatBidDown(rawE4: number, tickE4: number): PriceE4 {
  const up = Math.ceil(rawE4 / tickE4) * tickE4;
  return up - rawE4 <= SNAP_TOLERANCE_E4 ? up : Math.floor(rawE4 / tickE4) * tickE4;
}

/** Smallest grid price ≥ `rawE4` (a float), treating values within the tolerance of a grid line as on it. */
export function snapFloatAskUp(rawE4: number, tickE4: number): PriceE4 {
  const down = Math.floor(rawE4 / tickE4) * tickE4;
  return rawE4 - down <= SNAP_TOLERANCE_E4 ? down : Math.ceil(rawE4 / tickE4) * tickE4;
}

function none(conditionId: string, centreE4: number, reason: NoQuoteReason): DesiredQuotes {
  return { conditionId, bid: null, ask: null, bidE4: 0, askE4: 0, centreE4, spreadE4: 0, bidReason: reason, askReason: reason };
}

export function calculateQuotes(input: QuoteInput): DesiredQuotes {
  const { market, params: p, yesBook, noBook } = input;
  const id = market.conditionId;
  const centre = input.fairValue * ONE_E4;
  if (!(input.fairValue > 0 && input.fairValue < 1)) return none(id, Number.isFinite(centre) ? centre : 0, "no_fair_value");
  if (yesBook.stale || noBook.stale) return none(id, centre, "stale_book");
  const msLeft = market.endMs - input.nowMs;
  if (msLeft <= p.stopBeforeEndMs) return none(id, centre, "window_end");
  if (!input.vol.shouldQuote) return none(id, centre, "volatility");

  const tick = Math.max(yesBook.tickE4, noBook.tickE4, market.tickE4);
  // Effective touch of the one binary book seen through both tokens.
  const effAsk = Math.min(yesBook.bestAskE4(), ONE_E4 - noBook.bestBidE4());
  const effBid = Math.max(yesBook.bestBidE4(), ONE_E4 - noBook.bestAskE4());
  if (effBid >= effAsk && effBid > NO_BID_E4 && effAsk < NO_ASK_E4) return none(id, centre, "crossed_book");

  const endGame = p.endGameMs > 0 ? clamp01((p.endGameMs - (msLeft - p.stopBeforeEndMs)) / p.endGameMs) : 0;
  const rawSpread = p.baseSpreadE4 * input.vol.spreadMultiplier * (1 + p.endGameSpreadFactor * endGame);
  const spread = Math.min(p.maxSpreadE4, Math.max(p.minSpreadE4, rawSpread));
  const skewScale = 1 + p.endGameSkewFactor * endGame;

  let bidE4 = snapFloatBidDown(centre - spread / 2 + input.adjustment.bidAdjustment * skewScale, tick);
  let askE4 = snapFloatAskUp(centre + spread / 2 + input.adjustment.askAdjustment * skewScale, tick);
  if (bidE4 >= effAsk) bidE4 = snapBidDown(effAsk - 1, tick);
  if (askE4 <= effBid) askE4 = snapAskUp(effBid + 1, tick);
  if (bidE4 > ONE_E4 - tick) bidE4 = ONE_E4 - tick;
  if (askE4 < tick) askE4 = tick;
  let bidReason: NoQuoteReason | null = null;
  let askReason: NoQuoteReason | null = null;
  if (bidE4 < tick || bidE4 >= askE4) bidReason = "price_bounds";
  if (askE4 > ONE_E4 - tick || askE4 <= bidE4) askReason = "price_bounds";

  const delta = input.yesHeldE6 - input.noHeldE6;
  if (p.maxInventoryE6 > 0 && delta >= p.maxInventoryE6) bidReason ??= "inventory_limit";
  if (p.maxInventoryE6 > 0 && -delta >= p.maxInventoryE6) askReason ??= "inventory_limit";

  const size = Math.max(market.minSizeE6, Math.floor((p.orderSizeE6 * input.vol.sizeMultiplier) / LOT_E6) * LOT_E6);
  const bid = bidReason ? null : sideOrder(bidE4, size, input.noHeldE6, market.minSizeE6, market.yesTokenId, market.noTokenId);
  const ask = askReason ? null : sideOrder(ONE_E4 - askE4, size, input.yesHeldE6, market.minSizeE6, market.noTokenId, market.yesTokenId);
  return {
    conditionId: id,
    bid,
    ask,
    bidE4: bid ? bidE4 : 0,
    askE4: ask ? askE4 : 0,
    centreE4: centre,
    spreadE4: spread,
    bidReason,
    askReason,
  };
}

/**
 * One YES-terms side as an order. `buyPriceE4` is the price at which we would BUY
 * `buyToken` (YES at the bid, or NO at 1 − ask); when we hold enough of `sellToken`, selling
 * it at 1 − that price is the same trade without locking more collateral.
 */
function sideOrder(
  buyPriceE4: PriceE4,
  size: SizeE6,
  heldSellE6: SizeE6,
  minSizeE6: SizeE6,
  buyToken: string,
  sellToken: string,
): QuoteOrder {
  const sellable = Math.floor(heldSellE6 / LOT_E6) * LOT_E6;
  if (sellable >= minSizeE6 && sellable > 0) {
    return { tokenId: sellToken, side: "SELL", priceE4: ONE_E4 - buyPriceE4, sizeE6: Math.min(size, sellable) };
  }
  return { tokenId: buyToken, side: "BUY", priceE4: buyPriceE4, sizeE6: size };
}

/** The resting orders a `DesiredQuotes` asks for (0–2). */
export function quoteOrders(q: DesiredQuotes): QuoteOrder[] {
  const out: QuoteOrder[] = [];
  if (q.bid) out.push(q.bid);
  if (q.ask) out.push(q.ask);
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface RequoteDecision {
  readonly bid: boolean;
  readonly ask: boolean;
}

export interface RequoteOptions {
  /** MM_REQUOTE_THRESHOLD, PriceE4: centre (or a side's price) must move more than this. */
  readonly thresholdE4: number;
  /**
   * The grid, PriceE4. A side's own price must move by more than max(threshold, tick): a
   * threshold below the tick would otherwise requote on every one-tick flicker of rounding
   * (0.005 on a 0.01 grid). The centre rule keeps the bare threshold.
   */
  readonly tickE4?: number;
  /** Sides that had a fill since `current` was placed. */
  readonly filled?: { readonly bid?: boolean; readonly ask?: boolean };
  /** Replace when the size changes by more than this fraction (default 0.5). */
  readonly sizeTolerance?: number;
}

/**
 * Which sides to cancel-and-replace. A side is replaced when it filled, appeared or
 * disappeared, changed token or direction (e.g. SELL YES → BUY NO once our YES is gone), its
 * price moved more than max(threshold, tick), or its size changed by more than the
 * tolerance; both sides when the centre moved more than the threshold. Small wiggles cost
 * nothing.
 */
export function shouldRequote(current: DesiredQuotes | null, desired: DesiredQuotes, opts: RequoteOptions): RequoteDecision {
  if (!current) return { bid: desired.bid !== null, ask: desired.ask !== null };
  const centreMoved = Math.abs(desired.centreE4 - current.centreE4) > opts.thresholdE4;
  const priceThresholdE4 = Math.max(opts.thresholdE4, opts.tickE4 ?? 0);
  const tol = opts.sizeTolerance ?? 0.5;
  const side = (a: QuoteOrder | null, b: QuoteOrder | null, filled: boolean | undefined): boolean => {
    if (a === null || b === null) return a !== b;
    if (filled || centreMoved) return true;
    if (a.tokenId !== b.tokenId || a.side !== b.side) return true;
    if (Math.abs(a.priceE4 - b.priceE4) > priceThresholdE4) return true;
    return Math.abs(a.sizeE6 - b.sizeE6) > tol * a.sizeE6 || (b.side === "SELL" && b.sizeE6 < a.sizeE6);
  };
  return { bid: side(current.bid, desired.bid, opts.filled?.bid), ask: side(current.ask, desired.ask, opts.filled?.ask) };
}

// ---------------------------------------------------------------------------------------------

export type ExposedSide = "none" | "bid" | "ask" | "both";

export interface JumpParams {
  /** |move| in standard deviations that pulls the exposed side. */
  readonly jumpSigmas: number;
  /** |move| in standard deviations that pulls both sides (too violent to trust either). */
  readonly bothSigmas: number;
  /** Ignore moves smaller than this log move, whatever sigma says (0.0002 = 2 bp). */
  readonly minLogMove: number;
}

export const DEFAULT_JUMP_PARAMS: JumpParams = { jumpSigmas: 3, bothSigmas: 8, minLogMove: 0.0002 };

/**
 * Pre-emptive cancel. `logMove` = ln(underlying now / underlying when our quotes were
 * computed), over `dtSec` seconds. An up-jump makes Up more likely, so our YES ask (SELL YES
 * or BUY NO) is now too cheap and will be lifted before the book reprices: pull the ask. A
 * down-jump exposes the bid. Both when the jump is extreme.
 */
export function exposedSideOnJump(
  logMove: number,
  sigmaPerSec: number,
  dtSec: number,
  params: JumpParams = DEFAULT_JUMP_PARAMS,
): ExposedSide {
  if (!Number.isFinite(logMove) || Math.abs(logMove) < params.minLogMove) return "none";
  const sd = sigmaPerSec * Math.sqrt(Math.max(1, dtSec));
  const z = sd > 0 ? Math.abs(logMove) / sd : Number.POSITIVE_INFINITY;
  if (z >= params.bothSigmas) return "both";
  if (z >= params.jumpSigmas) return logMove > 0 ? "ask" : "bid";
  return "none";
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
