/**
 * Leg risk of the arbitrage bot (issue 8 item 3), pure: what to do when one leg of a YES+NO
 * pair trade filled and the other did not (or filled less).
 *
 * Vocabulary. The *long* leg is the one that filled more; `excessE6` shares of it are
 * unpaired. For a buy pair we hold those shares and miss their complement; for a sell pair
 * (the mirror: selling held YES+NO above $1) we sold them and still hold the complement.
 * `excessCashE6` is what the excess shares cost (buy, fees included) or brought (sell, net
 * of fees), so every price below is judged against $1 a pair exactly.
 *
 * Two repairs, each one FAK order whose limit price *is* the guarantee:
 *   retry  — complete the pair: buy the missing token (buy pair) / sell the kept token (sell
 *            pair) at a limit that keeps the pair at or under $1 (buy) / at or over $1 (sell)
 *            after the taker fee. No loss, possibly still a profit.
 *   unwind — undo the filled leg: sell it back (buy pair) / buy it back (sell pair) at a
 *            limit that keeps this incident's loss within `maxLossE6 − lossSoFarE6`.
 * Price + fee per share, p + r·p(1 − p), rises with p (r < 1), and so does p − r·p(1 − p):
 * the worst fill of a limit order is at its limit, so the bound holds for every fill, and
 * for a partial fill proportionally (the next decision gets the budget that is left).
 *
 * Order of preference: the configured rule first. `retry` waits for liquidity while
 * `mayWait` (inside the repair window, attempts left), then falls back to `unwind`.
 * `unwind` falls back at once to a no-loss `retry` when that is possible (it costs nothing).
 * When neither fits, the exposure is held (`hold`) and reported: never a loss beyond the
 * bound. Fewer excess shares than the market's minimum order size cannot be traded: `hold`
 * (dust). Repair sizes are clean market-order lots (`cleanMarketSizeE6`): a FAK is a market
 * order on Polymarket, and a lot cut there loses no precision; a lot below the minimum is not
 * sent (the reason is in the wait/hold reason). Units: PriceE4, SizeE6, UsdE6; fees by `takerFeeE6`.
 */
import type { BookView, Side } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { cleanMarketSizeE6, marketLotE6 } from "../polymarket/amounts.ts";
import { takerFeeE6 } from "../polymarket/fees.ts";

export type LegRule = "retry" | "unwind";
export type PairKind = "buy_pair" | "sell_pair";

const LOT_E6 = 10_000;
/** A marketable BUY must be worth at least $1 (protocol notes §3.4). */
const MIN_MARKETABLE_BUY_E6 = 1_000_000;

export interface RepairInput {
  readonly kind: PairKind;
  readonly rule: LegRule;
  /** The leg that filled more, and its complement. */
  readonly longTokenId: string;
  readonly shortTokenId: string;
  readonly excessE6: SizeE6;
  /** Buy: paid for the excess shares, fees included. Sell: received for them, net of fees. */
  readonly excessCashE6: UsdE6;
  /** Net loss of this incident's repairs so far (negative = they made money). */
  readonly lossSoFarE6: UsdE6;
  readonly maxLossE6: UsdE6;
  readonly longBook: BookView;
  readonly shortBook: BookView;
  readonly minSizeE6: SizeE6;
  readonly tickE4: PriceE4;
  readonly feeRate: number;
  readonly feeExponent: number;
  /** Still inside the repair window with attempts left: a missing retry may wait. */
  readonly mayWait: boolean;
}

export type RepairVia = "retry" | "unwind";

export type RepairAction =
  | {
      readonly kind: "order";
      readonly via: RepairVia;
      readonly tokenId: string;
      readonly side: Side;
      readonly limitPriceE4: PriceE4;
      readonly sizeE6: SizeE6;
      /** Most this order can lose (≤ 0 for a retry: it cannot lose). */
      readonly worstLossE6: UsdE6;
    }
  | { readonly kind: "wait"; readonly reason: string }
  | { readonly kind: "done" }
  | { readonly kind: "hold"; readonly reason: string };

/** One side of a repair: which token, which way, at what limit, and how much the book offers there. */
interface Plan {
  readonly via: RepairVia;
  readonly tokenId: string;
  readonly side: Side;
  readonly limitE4: PriceE4;
  readonly availableE6: SizeE6;
}

export function decideRepair(i: RepairInput): RepairAction {
  if (i.excessE6 < LOT_E6) return { kind: "done" };
  if (i.excessE6 < i.minSizeE6) return { kind: "hold", reason: `dust: ${i.excessE6} shares E6 below the minimum order size` };
  const retry = planRetry(i);
  const unwind = planUnwind(i);
  // An order, or why that plan cannot be sent ("" = no plan at all).
  const order = (p: Plan | null): RepairAction | string => (p ? toOrder(i, p) : "");
  const why = (...r: (RepairAction | string)[]): string => {
    const text = r.filter((x): x is string => typeof x === "string" && x !== "").join("; ");
    return text === "" ? "" : ` (${text})`;
  };
  if (i.rule === "retry") {
    const r = order(retry);
    if (typeof r !== "string") return r;
    if (i.mayWait)
      return {
        kind: "wait",
        reason: (retry ? "retry: book too thin at the no-loss limit" : "retry: no price keeps the pair under $1") + why(r),
      };
    const u = order(unwind);
    if (typeof u !== "string") return u;
    return { kind: "hold", reason: `no retry keeps the pair under $1 and no unwind fits the loss bound${why(r, u)}` };
  }
  const u = order(unwind);
  if (typeof u !== "string") return u;
  const r = order(retry);
  if (typeof r !== "string") return r;
  return i.mayWait
    ? { kind: "wait", reason: `unwind: no bid/ask within the loss bound${why(u, r)}` }
    : { kind: "hold", reason: `no unwind within the loss bound and no retry under $1${why(u, r)}` };
}

/**
 * Sizes the order: what the book offers at the limit, cut to a clean market-order lot
 * (`cleanMarketSizeE6`: a FAK is a market order on Polymarket, and at this size its pUSD /
 * share amounts are exact, so a BUY buys exactly the size at its limit), ≥ the minimum order
 * size and, for a BUY, ≥ $1. Otherwise the reason it cannot be sent.
 */
function toOrder(i: RepairInput, p: Plan): RepairAction | string {
  const want = Math.floor(Math.min(i.excessE6, p.availableE6) / LOT_E6) * LOT_E6;
  const size = cleanMarketSizeE6(p.side, p.limitE4, want);
  if (size <= 0 || size < i.minSizeE6) {
    if (want <= 0) return `${p.via}: nothing offered at ${p.limitE4}`;
    return `${p.via}: ${want} shares E6 in clean lots of ${marketLotE6(p.side, p.limitE4)} at ${p.limitE4} is ${size}, below the minimum order size ${i.minSizeE6}`;
  }
  if (p.side === "BUY" && (size * p.limitE4) / ONE_E4 < MIN_MARKETABLE_BUY_E6)
    return `${p.via}: a BUY of ${size} shares E6 at ${p.limitE4} is under $1`;
  const part = Math.round((i.excessCashE6 * size) / i.excessE6);
  const worst = repairLossE6(
    i.kind,
    p.via,
    size,
    part,
    p.side === "BUY" ? buyCostE6(size, p.limitE4, i) : sellProceedsE6(size, p.limitE4, i),
  );
  return { kind: "order", via: p.via, tokenId: p.tokenId, side: p.side, limitPriceE4: p.limitE4, sizeE6: size, worstLossE6: worst };
}

/**
 * Loss of one repair fill of `sizeE6` shares (negative = profit), given the excess shares'
 * cash `partCashE6` (their share of `excessCashE6`) and the fill's own cash `fillCashE6`
 * (buy: paid incl. fee; sell: received net of fee). Against $1 a pair:
 *   buy pair, retry (buy the missing):  part + fill − size
 *   buy pair, unwind (sell the held):   part − fill
 *   sell pair, retry (sell the kept):   size − (part + fill)
 *   sell pair, unwind (buy back):       fill − part
 */
export function repairLossE6(kind: PairKind, via: RepairVia, sizeE6: SizeE6, partCashE6: UsdE6, fillCashE6: UsdE6): UsdE6 {
  if (kind === "buy_pair") return via === "retry" ? partCashE6 + fillCashE6 - sizeE6 : partCashE6 - fillCashE6;
  return via === "retry" ? sizeE6 - (partCashE6 + fillCashE6) : fillCashE6 - partCashE6;
}

const notionalE6 = (sizeE6: number, priceE4: number): number => Math.round((sizeE6 * priceE4) / ONE_E4);
interface FeeParams {
  readonly feeRate: number;
  readonly feeExponent: number;
}
const buyCostE6 = (s: number, p: number, i: FeeParams): number => notionalE6(s, p) + takerFeeE6(s, p, i.feeRate, i.feeExponent);
const sellProceedsE6 = (s: number, p: number, i: FeeParams): number => notionalE6(s, p) - takerFeeE6(s, p, i.feeRate, i.feeExponent);

/**
 * Highest limit (buy) or lowest limit (sell) on the tick grid for which `fits(price)` holds
 * for the whole excess; -1 when no price fits. Linear in ticks (≤ 10 000 at the finest
 * tick), off the hot path: a repair is rare.
 */
function edgePrice(side: Side, tickE4: number, fits: (p: number) => boolean): number {
  if (side === "BUY") {
    for (let p = ONE_E4 - tickE4; p >= tickE4; p -= tickE4) if (fits(p)) return p;
  } else {
    for (let p = tickE4; p <= ONE_E4 - tickE4; p += tickE4) if (fits(p)) return p;
  }
  return -1;
}

/** The no-loss limit of a retry, or -1. Exported for tests. */
export function retryLimitE4(i: Pick<RepairInput, "kind" | "excessE6" | "excessCashE6" | "tickE4" | "feeRate" | "feeExponent">): PriceE4 {
  const x = i.excessE6;
  if (i.kind === "buy_pair") return edgePrice("BUY", i.tickE4, (p) => i.excessCashE6 + buyCostE6(x, p, i) <= x);
  return edgePrice("SELL", i.tickE4, (p) => i.excessCashE6 + sellProceedsE6(x, p, i) >= x);
}

/** The loss-bounded limit of an unwind, or -1. Exported for tests. */
export function unwindLimitE4(
  i: Pick<RepairInput, "kind" | "excessE6" | "excessCashE6" | "lossSoFarE6" | "maxLossE6" | "tickE4" | "feeRate" | "feeExponent">,
): PriceE4 {
  const x = i.excessE6;
  const budget = i.maxLossE6 - i.lossSoFarE6;
  if (budget < 0) return -1;
  if (i.kind === "buy_pair") return edgePrice("SELL", i.tickE4, (p) => i.excessCashE6 - sellProceedsE6(x, p, i) <= budget);
  return edgePrice("BUY", i.tickE4, (p) => buyCostE6(x, p, i) - i.excessCashE6 <= budget);
}

function planRetry(i: RepairInput): Plan | null {
  const limit = retryLimitE4(i);
  if (limit < 0) return null;
  // Buy pair: buy the missing token. Sell pair: sell the token we kept.
  const side: Side = i.kind === "buy_pair" ? "BUY" : "SELL";
  const book = i.shortBook;
  if (book.stale) return null;
  return { via: "retry", tokenId: i.shortTokenId, side, limitE4: limit, availableE6: availableAt(book, side, limit) };
}

function planUnwind(i: RepairInput): Plan | null {
  const limit = unwindLimitE4(i);
  if (limit < 0) return null;
  // Buy pair: sell the unpaired shares back. Sell pair: buy back what was sold.
  const side: Side = i.kind === "buy_pair" ? "SELL" : "BUY";
  const book = i.longBook;
  if (book.stale) return null;
  return { via: "unwind", tokenId: i.longTokenId, side, limitE4: limit, availableE6: availableAt(book, side, limit) };
}

/** Shares a taker order on `side` with this limit can reach now: asks ≤ limit (BUY), bids ≥ limit (SELL). */
export function availableAt(book: BookView, side: Side, limitE4: PriceE4): SizeE6 {
  let total = 0;
  if (side === "BUY") {
    book.forEachLevel("SELL", (p, s) => {
      if (p > limitE4) return false;
      total += s;
      return true;
    });
  } else {
    book.forEachLevel("BUY", (p, s) => {
      if (p < limitE4) return false;
      total += s;
      return true;
    });
  }
  return total;
}
