/**
 * The fill model shared by the backtester and paper trading: decides, from a market's
 * public data only (its order books and its trade prints), when and how much of our
 * simulated orders would have filled. Pure: no clock, no I/O; times come in as `nowNs`.
 * Latency is not here: the venue (backtest-exchange.ts) delivers orders, cancels and
 * events late; this module only ever sees an order once it has *arrived* at the exchange.
 *
 * Rules (docs/backtest.md, "Fill rules"):
 *
 * 1. **Join the back.** A resting order joins the queue at its price when it arrives: the
 *    size ahead of it is the recorded size at that price on its side at that moment. Trades
 *    printed before it arrived never count for it.
 * 2. **Trades eat the queue from the front.** A trade at our price (taker on the other side)
 *    first consumes the size ahead of us; only what exceeds it fills us ("an order behind
 *    100 shares fills only after 100 more trade at its price").
 * 3. **Cancels ahead of us.** A drop in the recorded level size not explained by a trade is
 *    a cancel. `worst_case` (default): cancels come from behind us first, so our place only
 *    improves once the level is smaller than what was ahead of us. `pro_rata`: a cancel
 *    removes size ahead and behind in proportion. Either way the size ahead never exceeds the
 *    level. Trade prints and the matching level drop arrive as separate messages in either
 *    order; within `tradePairWindowMs` a drop is paired with a print at that price (the drop
 *    is not treated as a cancel too), and a print that follows a drop already treated as a
 *    cancel re-attributes it (what was taken from behind us was in fact traded in front).
 * 4. **Through our price.** A trade printed at a price worse for its taker than ours (a sell
 *    below our bid) went through our level: we fill, up to the print's size. A recorded
 *    opposite order resting at or through our price (an ask ≤ our bid) would have hit us if
 *    it was sent as a plain limit order — but a post-only maker would have been rejected
 *    instead, so this second half (`bookThrough`) is off by default: against the simulator,
 *    whose makers quote post-only, it more than doubled the fills (bench/paper-vs-sim.ts).
 * 5. **Both outcomes are one book.** YES and NO books mirror each other (a YES bid at p is a
 *    NO ask at 1 − p) and Polymarket prints a match once, on one token. A print on the
 *    other token counts in our token's terms (`complementTrades`, default on): a taker BUY
 *    of NO at q is a taker SELL of YES at 1 − q. The recordings in ../shared/data show one
 *    print per match (el-capturo: four prints, each on one token only).
 * 6. **Marketable on arrival.** Post-only → rejected (`POST_ONLY_CROSS`). Otherwise the order
 *    walks the recorded book as a taker, level by level at the resting prices, up to its
 *    limit (FOK: all or nothing; FAK: the rest is killed; GTC/GTD: the rest rests). Liquidity
 *    we took stays taken until the recorded level changes (no double taking).
 * 7. **Money.** Taker fees by the market's formula (polymarket/fees.ts). Maker rebates where
 *    the market pays them: `rebateRate` of the taker fee our maker fill generated
 *    (fees.ts: a maker's share of the pool is pro rata to that fee-equivalent, so with every
 *    maker paid alike it is exactly this). Resolution pays $1 a winning share.
 *
 * Units: prices PriceE4, sizes SizeE6, money UsdE6, integers throughout.
 */
import type { BookView, MarketInfo, OrderType, ResolutionRule, Side } from "../core/ports.ts";
import { notionalE6, ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { rebatePoolE6, takerFeeE6 } from "../polymarket/fees.ts";

export type QueueCancelRule = "worst_case" | "pro_rata";
export const QUEUE_CANCEL_RULES: readonly QueueCancelRule[] = ["worst_case", "pro_rata"];

export interface FillModelSettings {
  readonly queueCancelRule: QueueCancelRule;
  /** Prints on the other outcome count for our token at 1 − p (rule 5). */
  readonly complementTrades: boolean;
  /** A recorded opposite order at or through our price fills us (rule 4; default off). */
  readonly bookThrough: boolean;
  /** How long a print and a level drop at the same price may be apart and still pair up. */
  readonly tradePairWindowMs: number;
}

export const DEFAULT_FILL_MODEL: FillModelSettings = {
  queueCancelRule: "worst_case",
  complementTrades: true,
  bookThrough: false,
  tradePairWindowMs: 500,
};

/** Why a fill happened (reported per fill). */
export type FillCause = "queue" | "trade_through" | "book_through" | "taker";
export const FILL_CAUSES: readonly FillCause[] = ["queue", "trade_through", "book_through", "taker"];

export interface FeeSchedule {
  readonly feeRate: number;
  readonly feeExponent: number;
  readonly rebateRate: number;
}

export const NO_FEES: FeeSchedule = { feeRate: 0, feeExponent: 1, rebateRate: 0 };

export function feeScheduleOf(m: Pick<MarketInfo, "feeRate" | "feeExponent" | "rebateRate">): FeeSchedule {
  return { feeRate: m.feeRate, feeExponent: m.feeExponent, rebateRate: m.rebateRate };
}

/** Taker fee of one fill, by the market's formula. */
export function takerFillFeeE6(sizeE6: SizeE6, priceE4: PriceE4, fees: FeeSchedule): UsdE6 {
  return takerFeeE6(sizeE6, priceE4, fees.feeRate, fees.feeExponent);
}

/** Maker rebate earned by one maker fill: `rebateRate` of the taker fee it generated. */
export function makerRebateE6(sizeE6: SizeE6, priceE4: PriceE4, fees: FeeSchedule): UsdE6 {
  if (fees.rebateRate <= 0) return 0;
  return rebatePoolE6(takerFeeE6(sizeE6, priceE4, fees.feeRate, fees.feeExponent), fees.rebateRate);
}

/** Up wins when the settlement price is at or above the strike (protocol notes §7.3). */
export function upWins(strike: number, settlement: number): boolean {
  return settlement >= strike;
}

/** What `qtyE6` shares pay at resolution: $1 each for the winner, nothing for the loser. */
export function payoutE6(qtyE6: SizeE6, won: boolean): UsdE6 {
  return won && qtyE6 > 0 ? qtyE6 : 0;
}

/**
 * The settlement reference of a window from 1-s underlying prices: the price at `atMs`
 * (`price_at_end`: the last price at or before that second) or the mean of the prices in
 * the 60 s up to it (`twap60`). NaN when the series has no price for it.
 */
export function settlementPrice(rule: ResolutionRule, atMs: number, priceAt: (sec: number) => number): number {
  const sec = Math.floor(atMs / 1000);
  if (rule === "price_at_end") {
    for (let s = sec; s > sec - 5; s--) {
      const p = priceAt(s);
      if (p > 0) return p;
    }
    return Number.NaN;
  }
  let sum = 0;
  let n = 0;
  for (let s = sec - 59; s <= sec; s++) {
    const p = priceAt(s);
    if (p > 0) {
      sum += p;
      n++;
    }
  }
  return n >= 30 ? sum / n : Number.NaN;
}

// ── queue position ───────────────────────────────────────────────────────────

/** An unexplained level drop: `sizeE6` left the level, `behindE6` of it was counted as behind us. */
export interface RecentDrop {
  sizeE6: SizeE6;
  behindE6: SizeE6;
  readonly atNs: number;
}

/** Recent drops kept per order (a print pairs with the latest ones). */
const MAX_RECENT_DROPS = 8;

/** One of our resting orders as the queue model sees it. */
export interface QueuedOrder {
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  remainingE6: SizeE6;
  /** Others' size in front of us at our price. */
  aheadE6: SizeE6;
  /** Recorded size at our price on our side, as last seen. */
  levelE6: SizeE6;
  /** Print volume at our price whose level drop has not been seen yet. */
  pendingTradeE6: SizeE6;
  pendingTradeNs: number;
  /** Level drops treated as cancels that a late print may still re-attribute, oldest first. */
  readonly recentDrops: RecentDrop[];
  /** Crossing opposite size already matched against us (rule 4). */
  crossSeenE6: SizeE6;
}

/** Recorded size on `side` at `priceE4` in `book` (bids for BUY, asks for SELL). */
export function levelSizeE6(book: BookView | undefined, side: Side, priceE4: PriceE4): SizeE6 {
  if (!book || book.stale) return 0;
  return book.sizeAtE6(side, priceE4);
}

/**
 * A new resting order at the back of its level. With no trustworthy book (none yet, or
 * stale) nothing is known about the queue: it stays infinitely far back until the next
 * snapshot says how big the level is (`onLevel` caps it there).
 */
export function joinQueue(
  orderId: string,
  tokenId: string,
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  book: BookView | undefined,
): QueuedOrder {
  const known = book !== undefined && !book.stale;
  const level = known ? book.sizeAtE6(side, priceE4) : 0;
  return {
    orderId,
    tokenId,
    side,
    priceE4,
    remainingE6: sizeE6,
    aheadE6: known ? level : Number.POSITIVE_INFINITY,
    levelE6: level,
    pendingTradeE6: 0,
    pendingTradeNs: 0,
    recentDrops: [],
    crossSeenE6: known ? crossingSizeE6(book, side, priceE4) : 0,
  };
}

function expire(o: QueuedOrder, nowNs: number, windowNs: number): void {
  if (o.pendingTradeE6 > 0 && nowNs - o.pendingTradeNs > windowNs) o.pendingTradeE6 = 0;
  const d = o.recentDrops;
  let k = 0;
  while (k < d.length && nowNs - (d[k] as RecentDrop).atNs > windowNs) k++;
  if (k > 0) d.splice(0, k);
}

/** The recorded level at our price is now `newLevelE6` (rule 3). Never fills by itself. */
export function onLevel(o: QueuedOrder, newLevelE6: SizeE6, nowNs: number, s: FillModelSettings): void {
  expire(o, nowNs, s.tradePairWindowMs * 1e6);
  const old = o.levelE6;
  if (newLevelE6 < old) {
    const drop = old - newLevelE6;
    const explained = Math.min(drop, o.pendingTradeE6);
    o.pendingTradeE6 -= explained;
    const cancelled = drop - explained;
    if (cancelled > 0 && Number.isFinite(o.aheadE6)) {
      // The level once the printed part is gone; what is not ahead of us is behind us.
      const afterTrades = old - explained;
      const behind = Math.max(0, afterTrades - o.aheadE6);
      let fromAhead: number;
      if (s.queueCancelRule === "worst_case") fromAhead = Math.max(0, cancelled - behind);
      else fromAhead = afterTrades > 0 ? Math.floor((cancelled * Math.min(o.aheadE6, afterTrades)) / afterTrades) : 0;
      o.aheadE6 = Math.max(0, o.aheadE6 - fromAhead);
      o.recentDrops.push({ sizeE6: cancelled, behindE6: cancelled - fromAhead, atNs: nowNs });
      if (o.recentDrops.length > MAX_RECENT_DROPS) o.recentDrops.shift();
    }
  }
  // Growth joins behind us. Whatever happened, nobody is ahead of us who is not in the level.
  if (o.aheadE6 > newLevelE6) o.aheadE6 = newLevelE6;
  o.levelE6 = newLevelE6;
}

/**
 * A print in our token's terms: `takerSide` traded `sizeE6` at `priceE4`. Returns the size
 * that fills us (≤ remaining) and its cause, or 0 when the print does not reach us.
 */
export function onPrint(
  o: QueuedOrder,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  takerSide: Side,
  nowNs: number,
  s: FillModelSettings,
): { readonly fillE6: SizeE6; readonly cause: FillCause } {
  if (takerSide === o.side || sizeE6 <= 0 || o.remainingE6 <= 0) return NO_FILL;
  const isBuy = o.side === "BUY";
  // A print at a level better than ours for the resting side happened in front of our level.
  if (isBuy ? priceE4 > o.priceE4 : priceE4 < o.priceE4) return NO_FILL;
  if (priceE4 !== o.priceE4) return { fillE6: Math.min(o.remainingE6, sizeE6), cause: "trade_through" };
  expire(o, nowNs, s.tradePairWindowMs * 1e6);
  let ahead = o.aheadE6;
  // Part of this print may already have left the level as a "cancel" (the drop came first):
  // pair it with the latest drops and re-attribute what was counted as behind us. Within a
  // drop, the part taken as "ahead" is re-attributed first (the cautious reading).
  let credit = 0;
  const drops = o.recentDrops;
  while (credit < sizeE6 && drops.length > 0) {
    const d = drops[drops.length - 1] as RecentDrop;
    const c = Math.min(sizeE6 - credit, d.sizeE6);
    const wasBehind = Math.max(0, c - (d.sizeE6 - d.behindE6));
    ahead -= wasBehind;
    d.sizeE6 -= c;
    d.behindE6 -= wasBehind;
    credit += c;
    if (d.sizeE6 <= 0) drops.pop();
  }
  const fresh = sizeE6 - credit;
  if (fresh > 0) {
    o.pendingTradeE6 += fresh;
    o.pendingTradeNs = nowNs;
    ahead -= fresh;
  }
  if (!Number.isFinite(ahead) || ahead >= 0) {
    o.aheadE6 = ahead;
    return NO_FILL;
  }
  o.aheadE6 = 0;
  return { fillE6: Math.min(o.remainingE6, -ahead), cause: "queue" };
}

const NO_FILL = { fillE6: 0, cause: "queue" as FillCause };

/** Opposite-side size at or through `priceE4`: asks ≤ p for a BUY, bids ≥ p for a SELL. */
export function crossingSizeE6(book: BookView | undefined, side: Side, priceE4: PriceE4): SizeE6 {
  if (!book || book.stale) return 0;
  let total = 0;
  if (side === "BUY") {
    book.forEachLevel("SELL", (p, sz) => {
      if (p > priceE4) return false;
      total += sz;
      return true;
    });
  } else {
    book.forEachLevel("BUY", (p, sz) => {
      if (p < priceE4) return false;
      total += sz;
      return true;
    });
  }
  return total;
}

/** Rule 4, book side: fills us against new crossing size (0 when none or disabled). */
export function onCross(o: QueuedOrder, book: BookView | undefined, s: FillModelSettings): SizeE6 {
  if (!s.bookThrough || o.remainingE6 <= 0) return 0;
  const crossing = crossingSizeE6(book, o.side, o.priceE4);
  if (crossing <= o.crossSeenE6) {
    o.crossSeenE6 = crossing;
    return 0;
  }
  let fresh = crossing - o.crossSeenE6;
  o.crossSeenE6 = crossing;
  // A crossed recording (a level still ahead of us while the other side is through it)
  // serves the orders ahead of us first.
  if (o.aheadE6 > 0) {
    const eat = Math.min(o.aheadE6, fresh);
    o.aheadE6 -= eat;
    fresh -= eat;
  }
  return Math.min(o.remainingE6, fresh);
}

// ── marketable orders ────────────────────────────────────────────────────────

/**
 * Liquidity our taker orders consumed, per (token, side, price): the recorded level still
 * shows it until the recording's next change of that level, so it must not be taken twice.
 */
export class TakenLiquidity {
  private readonly taken = new Map<string, { levelE6: SizeE6; takenE6: SizeE6 }>();

  private static key(tokenId: string, bookSide: Side, priceE4: PriceE4): string {
    return `${tokenId}|${bookSide}|${priceE4}`;
  }

  /** What is left at a level of recorded size `levelE6` after our earlier takes. */
  available(tokenId: string, bookSide: Side, priceE4: PriceE4, levelE6: SizeE6): SizeE6 {
    const t = this.taken.get(TakenLiquidity.key(tokenId, bookSide, priceE4));
    if (!t || t.levelE6 !== levelE6) return levelE6;
    return Math.max(0, levelE6 - t.takenE6);
  }

  take(tokenId: string, bookSide: Side, priceE4: PriceE4, levelE6: SizeE6, sizeE6: SizeE6): void {
    const key = TakenLiquidity.key(tokenId, bookSide, priceE4);
    const t = this.taken.get(key);
    if (t && t.levelE6 === levelE6) t.takenE6 += sizeE6;
    else this.taken.set(key, { levelE6, takenE6: sizeE6 });
  }

  /** Forgets a token's takes (its book was replaced). */
  clearToken(tokenId: string): void {
    for (const k of [...this.taken.keys()]) if (k.startsWith(`${tokenId}|`)) this.taken.delete(k);
  }

  get size(): number {
    return this.taken.size;
  }
}

export interface TakerFill {
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly feeE6: UsdE6;
}

export interface WalkResult {
  readonly fills: readonly TakerFill[];
  readonly filledE6: SizeE6;
  /** Σ price × size of the fills. */
  readonly notionalE6: UsdE6;
  readonly feeE6: UsdE6;
}

/**
 * Walks `book`'s opposite side best-first up to `limitE4` for `sizeE6` shares, skipping
 * what we already took. Pure: `taken` is only read (commit with `commitWalk`).
 */
export function walkBook(
  book: BookView,
  tokenId: string,
  side: Side,
  limitE4: PriceE4,
  sizeE6: SizeE6,
  taken: TakenLiquidity,
  fees: FeeSchedule,
): WalkResult {
  const fills: TakerFill[] = [];
  let left = sizeE6;
  let notional = 0;
  let fee = 0;
  const bookSide: Side = side === "BUY" ? "SELL" : "BUY";
  if (!book.stale) {
    book.forEachLevel(bookSide, (p, levelE6) => {
      if (side === "BUY" ? p > limitE4 : p < limitE4) return false;
      const avail = taken.available(tokenId, bookSide, p, levelE6);
      const q = Math.min(left, avail);
      if (q > 0) {
        const f = takerFillFeeE6(q, p, fees);
        fills.push({ priceE4: p, sizeE6: q, feeE6: f });
        notional += notionalE6(q, p);
        fee += f;
        left -= q;
      }
      return left > 0;
    });
  }
  return { fills, filledE6: sizeE6 - left, notionalE6: notional, feeE6: fee };
}

/** Records a walk's fills as taken. */
export function commitWalk(book: BookView, tokenId: string, side: Side, walk: WalkResult, taken: TakenLiquidity): void {
  const bookSide: Side = side === "BUY" ? "SELL" : "BUY";
  for (const f of walk.fills) taken.take(tokenId, bookSide, f.priceE4, book.sizeAtE6(bookSide, f.priceE4), f.sizeE6);
}

/** True when an order at `priceE4` would trade at once against `book` (rule 6). */
export function isMarketable(book: BookView | undefined, side: Side, priceE4: PriceE4): boolean {
  if (!book || book.stale) return false;
  return side === "BUY" ? book.bestAskE4() <= priceE4 : book.bestBidE4() >= priceE4 && book.bestBidE4() > 0;
}

/** What an arriving order does, decided on the exchange's book at its arrival. */
export type ArrivalDecision =
  | { readonly kind: "reject"; readonly code: "POST_ONLY_CROSS" | "FOK_NOT_FILLED" }
  | {
      readonly kind: "accept";
      readonly walk: WalkResult | null;
      /** Size left to rest (GTC/GTD) — 0 when fully taken or killed. */
      readonly restE6: SizeE6;
      /** Size killed (FAK remainder, or an FOK/FAK that found nothing). */
      readonly killedE6: SizeE6;
    };

/** Rule 6: post-only cross, FOK all-or-nothing, FAK kill, GTC/GTD rest of a marketable order. */
export function decideArrival(
  book: BookView | undefined,
  tokenId: string,
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  orderType: OrderType,
  postOnly: boolean,
  taken: TakenLiquidity,
  fees: FeeSchedule,
): ArrivalDecision {
  const immediate = orderType === "FOK" || orderType === "FAK";
  if (!isMarketable(book, side, priceE4) || !book) {
    if (immediate)
      return orderType === "FOK" ? { kind: "reject", code: "FOK_NOT_FILLED" } : { kind: "accept", walk: null, restE6: 0, killedE6: sizeE6 };
    return { kind: "accept", walk: null, restE6: sizeE6, killedE6: 0 };
  }
  if (postOnly) return { kind: "reject", code: "POST_ONLY_CROSS" };
  const walk = walkBook(book, tokenId, side, priceE4, sizeE6, taken, fees);
  const left = sizeE6 - walk.filledE6;
  if (orderType === "FOK" && left > 0) return { kind: "reject", code: "FOK_NOT_FILLED" };
  return { kind: "accept", walk, restE6: immediate ? 0 : left, killedE6: immediate ? left : 0 };
}

/** A print on `printTokenId` in the terms of `ownTokenId` (same token or its complement). */
export function printInTermsOf(
  printTokenId: string,
  ownTokenId: string,
  priceE4: PriceE4,
  takerSide: Side,
): { readonly priceE4: PriceE4; readonly takerSide: Side } {
  if (printTokenId === ownTokenId) return { priceE4, takerSide };
  return { priceE4: ONE_E4 - priceE4, takerSide: takerSide === "BUY" ? "SELL" : "BUY" };
}
