/**
 * The simulator's outgoing messages, built as the project's wire types
 * (src/polymarket/wire.ts, rest-types.ts), so every round trip through the sim server
 * exercises the same codecs the bots use against the real venue (STYLE §2.3).
 *
 * Pure builders: state in, plain JSON-ready objects out. The NO token's book is the YES
 * book mirrored (a YES bid at p is a NO ask at 1 − p, same size), which is why each
 * `price_change` carries one entry per token, as in the real V2 recordings.
 * Book arrays are ordered like the real server's: bids ascending, asks descending
 * (best = last). Hashes are opaque 40-hex strings (clients must not rely on them).
 */
import { formatPriceE4, formatSizeE6, ONE_E4, type PriceE4 } from "../core/units.ts";
import type { WireOpenOrder, WireOrderBookSummary, WireTrade } from "../polymarket/rest-types.ts";
import type {
  WireBestBidAsk,
  WireBook,
  WireEventMessage,
  WireLastTradePrice,
  WireLevel,
  WireMakerOrder,
  WireMarketResolved,
  WireNewMarket,
  WirePriceChangeEntry,
  WirePriceChangeV2,
  WireTickSizeChange,
  WireUserOrder,
  WireUserTrade,
} from "../polymarket/wire.ts";
import type { BookSide, Fill, LevelChange, MarketBook, Outcome } from "./matching.ts";
import type { ScheduledMarket } from "./schedule.ts";

/** What the builders need to know about a market. */
export interface MarketWireState {
  readonly sched: ScheduledMarket;
  readonly book: MarketBook;
  /** Last trade in YES price, 0 when none. */
  readonly lastTradeYesE4: PriceE4;
}

export interface OrderWireState {
  readonly id: string;
  readonly owner: string;
  readonly makerAddress: string;
  readonly marketId: string;
  readonly tokenId: string;
  readonly outcomeLabel: string;
  readonly side: "BUY" | "SELL";
  readonly priceE4: PriceE4;
  /** Shares, or pUSD for a FOK/FAK BUY by amount (as the real API reports it). */
  readonly originalSizeE6: number;
  readonly matchedE6: number;
  readonly status: string;
  readonly orderType: string;
  readonly expirationSec: number;
  readonly createdAtSec: number;
  readonly tradeIds: readonly string[];
}

export interface TradeWireState {
  readonly id: string;
  readonly fill: Fill;
  readonly takerTokenId: string;
  readonly makerTokenId: string;
  readonly takerOutcomeLabel: string;
  readonly makerOutcomeLabel: string;
  readonly takerAddress: string;
  readonly makerAddress: string;
  readonly status: string;
  readonly matchTimeSec: number;
  readonly lastUpdateSec: number;
  readonly txHash: string;
}

const ZERO32 = `0x${"0".repeat(64)}`;

/** A cheap, deterministic 40-hex digest (FNV-1a 32 × 5 lanes); opaque like the real `hash`. */
export function opaqueHash(text: string): string {
  let out = "";
  for (let lane = 0; lane < 5; lane++) {
    let h = (0x811c9dc5 ^ (lane * 0x9e3779b1)) >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

const tokenOf = (m: MarketWireState, outcome: Outcome): string => (outcome === 0 ? m.sched.info.yesTokenId : m.sched.info.noTokenId);

/** One token's levels, best = last, from the shared YES book. */
export function tokenLevels(book: MarketBook, outcome: Outcome): { bids: WireLevel[]; asks: WireLevel[] } {
  const collect = (side: BookSide, mirror: boolean): WireLevel[] => {
    const out: WireLevel[] = [];
    book.forEachLevel(side, (p, s) => {
      out.push({ price: formatPriceE4(mirror ? ONE_E4 - p : p), size: formatSizeE6(s) });
      return true;
    });
    return out.reverse(); // walked best-first; the wire puts the best last
  };
  return outcome === 0
    ? { bids: collect("bid", false), asks: collect("ask", false) }
    : { bids: collect("ask", true), asks: collect("bid", true) };
}

/** Best bid / ask of one token as wire strings ("0" / "1" on an empty side). */
export function tokenBest(book: MarketBook, outcome: Outcome): { bid: PriceE4; ask: PriceE4 } {
  return outcome === 0 ? { bid: book.bestBid, ask: book.bestAsk } : { bid: ONE_E4 - book.bestAsk, ask: ONE_E4 - book.bestBid };
}

function lastTradeOf(m: MarketWireState, outcome: Outcome): string {
  if (m.lastTradeYesE4 <= 0) return "";
  return formatPriceE4(outcome === 0 ? m.lastTradeYesE4 : ONE_E4 - m.lastTradeYesE4);
}

export function bookSummary(m: MarketWireState, outcome: Outcome, nowMs: number): WireOrderBookSummary {
  const { bids, asks } = tokenLevels(m.book, outcome);
  const assetId = tokenOf(m, outcome);
  return {
    market: m.sched.info.conditionId,
    asset_id: assetId,
    timestamp: String(nowMs),
    hash: opaqueHash(`${assetId}:${nowMs}:${bids.length}:${asks.length}:${bids.at(-1)?.size}:${asks.at(-1)?.size}`),
    bids,
    asks,
    min_order_size: formatSizeE6(m.book.minSizeE6),
    tick_size: formatPriceE4(m.book.tickE4),
    neg_risk: false,
    last_trade_price: lastTradeOf(m, outcome),
  };
}

export function bookEvent(m: MarketWireState, outcome: Outcome, nowMs: number): WireBook {
  const s = bookSummary(m, outcome, nowMs);
  return {
    market: s.market,
    asset_id: s.asset_id,
    timestamp: s.timestamp,
    hash: s.hash,
    bids: s.bids,
    asks: s.asks,
    event_type: "book",
    tick_size: s.tick_size,
    last_trade_price: s.last_trade_price,
  };
}

/** One `price_change` for a batch of level changes: each change gives a YES and a mirrored NO entry. */
export function priceChange(m: MarketWireState, changes: readonly LevelChange[], nowMs: number): WirePriceChangeV2 {
  const yes = tokenBest(m.book, 0);
  const no = tokenBest(m.book, 1);
  const entries: WirePriceChangeEntry[] = [];
  const info = m.sched.info;
  for (const c of changes) {
    const size = formatSizeE6(c.sizeE6);
    const yesSide = c.side === "bid" ? "BUY" : "SELL";
    entries.push({
      asset_id: info.yesTokenId,
      price: formatPriceE4(c.priceE4),
      size,
      side: yesSide,
      hash: opaqueHash(`${info.yesTokenId}:${nowMs}:${c.side}:${c.priceE4}:${c.sizeE6}`),
      best_bid: formatPriceE4(yes.bid),
      best_ask: formatPriceE4(yes.ask),
    });
    entries.push({
      asset_id: info.noTokenId,
      price: formatPriceE4(ONE_E4 - c.priceE4),
      size,
      side: yesSide === "BUY" ? "SELL" : "BUY",
      hash: opaqueHash(`${info.noTokenId}:${nowMs}:${c.side}:${c.priceE4}:${c.sizeE6}`),
      best_bid: formatPriceE4(no.bid),
      best_ask: formatPriceE4(no.ask),
    });
  }
  return { market: info.conditionId, price_changes: entries, timestamp: String(nowMs), event_type: "price_change" };
}

export function tickSizeChange(
  m: MarketWireState,
  outcome: Outcome,
  oldTickE4: number,
  newTickE4: number,
  nowMs: number,
): WireTickSizeChange {
  return {
    event_type: "tick_size_change",
    asset_id: tokenOf(m, outcome),
    market: m.sched.info.conditionId,
    old_tick_size: formatPriceE4(oldTickE4),
    new_tick_size: formatPriceE4(newTickE4),
    timestamp: String(nowMs),
  };
}

export function lastTradePrice(m: MarketWireState, f: Fill, txHash: string, nowMs: number): WireLastTradePrice {
  return {
    asset_id: tokenOf(m, f.takerOutcome),
    event_type: "last_trade_price",
    fee_rate_bps: "0",
    market: m.sched.info.conditionId,
    price: formatPriceE4(f.takerPriceE4),
    side: f.takerSide,
    size: formatSizeE6(f.sizeE6),
    timestamp: String(nowMs),
    transaction_hash: txHash,
  };
}

export function bestBidAsk(m: MarketWireState, outcome: Outcome, nowMs: number): WireBestBidAsk {
  const b = tokenBest(m.book, outcome);
  return {
    event_type: "best_bid_ask",
    market: m.sched.info.conditionId,
    asset_id: tokenOf(m, outcome),
    best_bid: formatPriceE4(b.bid),
    best_ask: formatPriceE4(b.ask),
    spread: formatPriceE4(Math.max(0, b.ask - b.bid)),
    timestamp: String(nowMs),
  };
}

function eventMessage(s: ScheduledMarket): WireEventMessage {
  return { id: s.eventId, ticker: s.info.slug, slug: s.info.slug, title: s.info.question, description: descriptionOf(s) };
}

export function descriptionOf(s: ScheduledMarket): string {
  const rule =
    s.info.resolution === "twap60"
      ? "the time-weighted average price (TWAP) of the asset, generated by Chainlink, at the end of the time range specified in the title is greater than or equal to the TWAP at the beginning of that range"
      : "the price at the end of the time range specified in the title is greater than or equal to the price at the beginning of that range";
  return `This market will resolve to "Up" if ${rule}. Otherwise, it will resolve to "Down". (Simulated market.)`;
}

export function newMarket(s: ScheduledMarket, nowMs: number): WireNewMarket {
  const i = s.info;
  return {
    id: s.gammaId,
    question: i.question,
    market: i.conditionId,
    slug: i.slug,
    description: descriptionOf(s),
    assets_ids: [i.yesTokenId, i.noTokenId],
    outcomes: [i.outcomes[0], i.outcomes[1]],
    event_message: eventMessage(s),
    timestamp: String(nowMs),
    event_type: "new_market",
    tags: ["crypto", "up-or-down"],
    condition_id: i.conditionId,
    active: true,
    clob_token_ids: [i.yesTokenId, i.noTokenId],
    order_price_min_tick_size: formatPriceE4(i.tickE4),
    taker_base_fee: "1000",
    fees_enabled: true,
    fee_schedule: { exponent: String(i.feeExponent), rate: String(i.feeRate), taker_only: true, rebate_rate: String(i.rebateRate) },
  };
}

export function marketResolved(s: ScheduledMarket, winner: Outcome, nowMs: number): WireMarketResolved {
  const i = s.info;
  return {
    event_type: "market_resolved",
    id: s.gammaId,
    market: i.conditionId,
    assets_ids: [i.yesTokenId, i.noTokenId],
    winning_asset_id: winner === 0 ? i.yesTokenId : i.noTokenId,
    winning_outcome: i.outcomes[winner],
    event_message: eventMessage(s),
    timestamp: String(nowMs),
    tags: ["crypto", "up-or-down"],
  };
}

export function userOrder(o: OrderWireState, type: WireUserOrder["type"], nowMs: number): WireUserOrder {
  return {
    asset_id: o.tokenId,
    associate_trades: o.tradeIds.length > 0 ? [...o.tradeIds] : null,
    created_at: String(o.createdAtSec),
    event_type: "order",
    expiration: String(o.expirationSec),
    id: o.id,
    maker_address: o.makerAddress,
    market: o.marketId,
    order_owner: o.owner,
    order_type: o.orderType,
    original_size: formatSizeE6(o.originalSizeE6),
    outcome: o.outcomeLabel,
    owner: o.owner,
    price: formatPriceE4(o.priceE4),
    side: o.side,
    size_matched: formatSizeE6(o.matchedE6),
    status: o.status,
    timestamp: String(Math.floor(nowMs / 1000)),
    type,
  };
}

function makerOrder(t: TradeWireState): WireMakerOrder {
  const f = t.fill;
  return {
    order_id: f.makerOrderId,
    owner: f.makerOwner,
    maker_address: t.makerAddress,
    matched_amount: formatSizeE6(f.sizeE6),
    price: formatPriceE4(f.makerPriceE4),
    fee_rate_bps: "0",
    asset_id: t.makerTokenId,
    outcome: t.makerOutcomeLabel,
    side: f.makerSide,
    builder_fee: "0",
    builder_code: ZERO32,
  };
}

/** A trade record as `GET /data/trades` returns it to `owner` (taker or maker view). */
export function tradeRecord(t: TradeWireState, owner: string): WireTrade {
  const f = t.fill;
  return {
    id: t.id,
    taker_order_id: f.takerOrderId,
    market: f.marketId,
    asset_id: t.takerTokenId,
    side: f.takerSide,
    size: formatSizeE6(f.sizeE6),
    fee_rate_bps: "0",
    price: formatPriceE4(f.takerPriceE4),
    status: t.status,
    match_time: String(t.matchTimeSec),
    last_update: String(t.lastUpdateSec),
    outcome: t.takerOutcomeLabel,
    bucket_index: 0,
    owner,
    maker_address: owner === f.takerOwner ? t.takerAddress : t.makerAddress,
    maker_orders: [makerOrder(t)],
    transaction_hash: t.txHash,
    trader_side: owner === f.takerOwner ? "TAKER" : "MAKER",
  };
}

export function userTrade(t: TradeWireState, owner: string, nowMs: number): WireUserTrade {
  const r = tradeRecord(t, owner);
  return {
    event_type: "trade",
    type: "TRADE",
    id: r.id,
    taker_order_id: r.taker_order_id,
    market: r.market,
    asset_id: r.asset_id,
    side: r.side,
    size: r.size,
    price: r.price,
    fee_rate_bps: r.fee_rate_bps,
    status: r.status,
    match_time: r.match_time,
    last_update: r.last_update,
    outcome: r.outcome,
    owner,
    trade_owner: owner,
    maker_address: r.maker_address,
    transaction_hash: t.txHash,
    bucket_index: 0,
    maker_orders: r.maker_orders,
    trader_side: r.trader_side,
    timestamp: String(Math.floor(nowMs / 1000)),
  };
}

export function openOrder(o: OrderWireState): WireOpenOrder {
  return {
    id: o.id,
    status: o.status,
    owner: o.owner,
    maker_address: o.makerAddress,
    market: o.marketId,
    asset_id: o.tokenId,
    side: o.side,
    original_size: formatSizeE6(o.originalSizeE6),
    size_matched: formatSizeE6(o.matchedE6),
    price: formatPriceE4(o.priceE4),
    associate_trades: [...o.tradeIds],
    outcome: o.outcomeLabel,
    created_at: o.createdAtSec,
    expiration: String(o.expirationSec),
    order_type: o.orderType,
  };
}

/** The `not_canceled` reason for an order that is not resting (real fixture wording). */
export const NOT_CANCELED_REASON = "already canceled or matched";

/** A 6-decimal amount as the REST API writes it ("5.1", "21.04", "0"). */
export function formatAmountE6(e6: number): string {
  return formatSizeE6(e6);
}
