/**
 * Arbitrage detection on one binary market (issue 8 item 1). Integer maths throughout:
 * prices PriceE4, sizes SizeE6, money UsdE6; fees by the market's formula (`takerFeeE6`).
 *
 * Buy case: one YES + one NO pay exactly $1 at resolution (or at once by merging). Buying N
 * of each costs the YES asks walked for N shares + the NO asks walked for N shares + the
 * taker fee on every level of both legs. We walk both ask ladders together, one segment at a
 * time (a segment = the shares available at the current YES level and NO level), and keep a
 * segment while its cost per pair ≤ $1 − min edge. Price + fee per share,
 * p + rate·p(1 − p), rises with p for any rate < 1, so segment costs only rise: the first
 * segment that fails ends the walk, and the N reached maximises profit within depth. The
 * capital limit cuts the last segment to what the budget buys; N is floored to the 0.01-share
 * grid and must reach the market's minimum order size (both legs have the same N).
 *
 * Sell case (the mirror): when we hold pairs, selling one YES and one NO into the bids for
 * more than $1 + min edge after fees beats merging them for $1. Limited by the pairs held.
 *
 * Merge: held pairs worth merging (≥ minimum) when no sell beats $1: `mergeSuggestion`.
 *
 * The walk decides with a float fee estimate rounded up to the fee quantum (the exact
 * integer fee may need BigInt, too slow for every segment). Once N is fixed the totals are
 * recomputed exactly, leg by leg over whole book levels, with `takerFeeE6`; the opportunity
 * must still clear the edge after that.
 *
 * Hot path: no allocation except the returned object; level ladders go into scratch
 * typed arrays reused across calls (single-threaded, synchronous).
 */
import type { BookView, Side } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { takerFeeE6 } from "../polymarket/fees.ts";

export interface ArbParams {
  /** ARB_MIN_EDGE per pair, PriceE4 (100 = 1 cent a pair). */
  readonly minEdgeE4: number;
  /** ARB_MAX_CAPITAL: most a buy may spend, fees included. */
  readonly maxCapitalUsdE6: UsdE6;
  /** The market's minimum order size. */
  readonly minSizeE6: SizeE6;
  readonly feeRate: number;
  readonly feeExponent: number;
  /** Levels read per ladder (default 64). */
  readonly maxLevels?: number;
  /**
   * Size legs so Polymarket accepts them as FOK/FAK (market) orders: a market BUY's pUSD
   * amount has at most 2 decimals and a market SELL's at most 4 ("invalid amounts, the market
   * buy orders maker amount supports a max accuracy of 2 decimals…"), and a BUY spends that
   * amount, so size × limit must be whole cents for it to buy exactly the size. N is cut to
   * the lot that makes both legs' amounts clean at their limits (whole shares at tick 0.01
   * for buys, at worst). Default off (the detector's hand tests size to the 0.01 grid).
   */
  readonly marketAmounts?: boolean;
}

export interface ArbLeg {
  readonly tokenId: string;
  readonly side: Side;
  /** Worst level used: the FOK/FAK limit price. */
  readonly limitPriceE4: PriceE4;
  readonly sizeE6: SizeE6;
  /** Shares × price summed over levels (before fees). */
  readonly notionalE6: UsdE6;
  readonly feeE6: UsdE6;
}

export interface Opportunity {
  readonly kind: "buy_pair" | "sell_pair";
  readonly pairsE6: SizeE6;
  /** [YES leg, NO leg]. */
  readonly legs: readonly [ArbLeg, ArbLeg];
  /** Buy: everything paid (notional + fees). Sell: 0. */
  readonly costE6: UsdE6;
  /** Buy: $1 per pair. Sell: notional received − fees. */
  readonly proceedsE6: UsdE6;
  readonly feesE6: UsdE6;
  /** Buy: proceeds − cost. Sell: proceeds − what merging would give ($1 a pair). */
  readonly expectedProfitE6: UsdE6;
}

const LOT_E6 = 10_000;
const SCALE = ONE_E4; // shares(E6) × price(E4) / 1e4 = USD(E6)

let cap = 64;
let yesPx = new Int32Array(cap);
let yesSz = new Float64Array(cap);
let noPx = new Int32Array(cap);
let noSz = new Float64Array(cap);

function ensure(n: number): void {
  if (n <= cap) return;
  cap = n;
  yesPx = new Int32Array(cap);
  yesSz = new Float64Array(cap);
  noPx = new Int32Array(cap);
  noSz = new Float64Array(cap);
}

function readLadder(book: BookView, side: Side, px: Int32Array, sz: Float64Array, max: number): number {
  let n = 0;
  book.forEachLevel(side, (p, s) => {
    if (s > 0) {
      px[n] = p;
      sz[n] = s;
      n++;
    }
    return n < max;
  });
  return n;
}

const notional = (sizeE6: number, priceE4: number): number => Math.round((sizeE6 * priceE4) / SCALE);

/**
 * Fee for the walk's decisions: the formula in floats, rounded up to the fee quantum so the
 * walk never under-counts. The exact integer fee (`takerFeeE6`, which may go through BigInt)
 * is computed once per level when the totals are fixed.
 */
function feeEstimateE6(sizeE6: number, priceE4: number, p: ArbParams): number {
  if (p.feeRate <= 0) return 0;
  const x = priceE4 / ONE_E4;
  const f = sizeE6 * p.feeRate * (p.feeExponent === 1 ? x * (1 - x) : (x * (1 - x)) ** p.feeExponent);
  return Math.ceil(f / 10 - 1e-9) * 10; // − 1e-9: float noise must not bump an exact multiple
}

/**
 * Walks both ladders for the largest N whose every segment clears the edge.
 * `buy`: ladders are asks (ascending) and a segment must cost ≤ seg × (1 − edge);
 * sell: ladders are bids (descending) and must fetch ≥ seg × (1 + edge).
 */
function walkPairs(ny: number, nn: number, buy: boolean, p: ArbParams, limitE6: number): number {
  let i = 0;
  let j = 0;
  let usedY = 0; // shares consumed at level i / j
  let usedN = 0;
  let pairs = 0;
  let spent = 0;
  const edgeFactor = buy ? ONE_E4 - p.minEdgeE4 : ONE_E4 + p.minEdgeE4;
  while (i < ny && j < nn && pairs < limitE6) {
    const py = yesPx[i] as number; // in range: i < ny ≤ cap
    const pn = noPx[j] as number;
    const ry = (yesSz[i] as number) - usedY;
    const rn = (noSz[j] as number) - usedN;
    let seg = Math.min(ry, rn, limitE6 - pairs);
    seg = Math.floor(seg / LOT_E6) * LOT_E6;
    if (seg <= 0) {
      // Dust below one lot at a level: move past the smaller remainder.
      if (ry <= rn) {
        i++;
        usedY = 0;
      } else {
        j++;
        usedN = 0;
      }
      continue;
    }
    const fees = feeEstimateE6(seg, py, p) + feeEstimateE6(seg, pn, p);
    const gross = notional(seg, py) + notional(seg, pn);
    const bound = (seg * edgeFactor) / SCALE;
    if (buy ? gross + fees > bound : gross - fees < bound) break;
    if (buy) {
      const segCost = gross + fees;
      if (spent + segCost > p.maxCapitalUsdE6) {
        // The budget buys only part of this segment: the largest whole number of lots.
        const perLot = segCost / (seg / LOT_E6);
        let lots = Math.floor((p.maxCapitalUsdE6 - spent) / perLot);
        while (lots > 0) {
          const s = lots * LOT_E6;
          const c = notional(s, py) + notional(s, pn) + feeEstimateE6(s, py, p) + feeEstimateE6(s, pn, p);
          if (spent + c <= p.maxCapitalUsdE6) break;
          lots--;
        }
        pairs += lots * LOT_E6;
        break;
      }
      spent += segCost;
    }
    pairs += seg;
    usedY += seg;
    usedN += seg;
    if (usedY >= (yesSz[i] as number) - 0.5) {
      i++;
      usedY = 0;
    }
    if (usedN >= (noSz[j] as number) - 0.5) {
      j++;
      usedN = 0;
    }
  }
  return pairs;
}

/** One leg of `sizeE6` shares walked over whole levels: notional, fee, worst price. */
function legTotals(
  px: Int32Array,
  sz: Float64Array,
  n: number,
  sizeE6: number,
  p: ArbParams,
): { notionalE6: number; feeE6: number; worstE4: number } {
  let left = sizeE6;
  let notionalE6 = 0;
  let feeE6 = 0;
  let worstE4 = 0;
  for (let k = 0; k < n && left > 0; k++) {
    const take = Math.min(left, sz[k] as number);
    const price = px[k] as number;
    notionalE6 += notional(take, price);
    feeE6 += takerFeeE6(take, price, p.feeRate, p.feeExponent);
    worstE4 = price;
    left -= take;
  }
  return { notionalE6, feeE6, worstE4 };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The 0.01-share lots whose amount at `priceE4` is clean for a market order (BUY: cents, SELL: 4 decimals). */
function cleanLots(priceE4: number, buy: boolean): number {
  const quantum = buy ? 10_000 : 100; // UsdE6 per cent, per 0.0001
  return quantum / gcd(priceE4, quantum);
}

/**
 * The largest N ≤ `pairs` whose legs have clean market-order amounts at their limits (the
 * limits can only fall as N does, so a few rounds settle it); 0 when none.
 */
function marketPairs(pairs: number, ny: number, nn: number, buy: boolean, p: ArbParams): number {
  let n = pairs;
  for (let round = 0; round < 8 && n > 0; round++) {
    const y = legTotals(yesPx, yesSz, ny, n, p).worstE4;
    const m = legTotals(noPx, noSz, nn, n, p).worstE4;
    const a = cleanLots(y, buy);
    const b = cleanLots(m, buy);
    const step = ((a * b) / gcd(a, b)) * LOT_E6;
    const next = Math.floor(n / step) * step;
    if (next === n) return n;
    n = next;
  }
  return 0;
}

/** Buy YES + NO together below $1 − edge after fees; null when there is no such trade. */
export function detectBuyPair(yes: BookView, no: BookView, p: ArbParams): Opportunity | null {
  if (yes.stale || no.stale || p.maxCapitalUsdE6 <= 0) return null;
  const max = p.maxLevels ?? 64;
  ensure(max);
  const ny = readLadder(yes, "SELL", yesPx, yesSz, max);
  const nn = readLadder(no, "SELL", noPx, noSz, max);
  if (ny === 0 || nn === 0) return null;
  if ((yesPx[0] as number) + (noPx[0] as number) > ONE_E4 - p.minEdgeE4) return null; // fast reject: the touch alone fails
  const walked = walkPairs(ny, nn, true, p, Number.MAX_SAFE_INTEGER);
  const pairs = p.marketAmounts ? marketPairs(walked, ny, nn, true, p) : walked;
  if (pairs < p.minSizeE6 || pairs <= 0) return null;
  const y = legTotals(yesPx, yesSz, ny, pairs, p);
  const n = legTotals(noPx, noSz, nn, pairs, p);
  const fees = y.feeE6 + n.feeE6;
  const cost = y.notionalE6 + n.notionalE6 + fees;
  const proceeds = pairs; // $1 a pair: SizeE6 and UsdE6 share the 1e-6 scale
  const profit = proceeds - cost;
  // A positive edge implies profit > 0; a negative one (the bot's pre-sign look-ahead: "what
  // would a trade send if the books moved that much") accepts a near miss.
  if (profit * SCALE < pairs * p.minEdgeE4 || (p.minEdgeE4 >= 0 && profit <= 0) || cost > p.maxCapitalUsdE6) return null;
  return {
    kind: "buy_pair",
    pairsE6: pairs,
    legs: [
      { tokenId: yes.tokenId, side: "BUY", limitPriceE4: y.worstE4, sizeE6: pairs, notionalE6: y.notionalE6, feeE6: y.feeE6 },
      { tokenId: no.tokenId, side: "BUY", limitPriceE4: n.worstE4, sizeE6: pairs, notionalE6: n.notionalE6, feeE6: n.feeE6 },
    ],
    costE6: cost,
    proceedsE6: proceeds,
    feesE6: fees,
    expectedProfitE6: profit,
  };
}

/** Sell held YES + NO together above $1 + edge after fees (better than merging). */
export function detectSellPair(yes: BookView, no: BookView, heldYesE6: SizeE6, heldNoE6: SizeE6, p: ArbParams): Opportunity | null {
  const held = Math.floor(Math.min(heldYesE6, heldNoE6) / LOT_E6) * LOT_E6;
  if (yes.stale || no.stale || held < p.minSizeE6 || held <= 0) return null;
  const max = p.maxLevels ?? 64;
  ensure(max);
  const ny = readLadder(yes, "BUY", yesPx, yesSz, max);
  const nn = readLadder(no, "BUY", noPx, noSz, max);
  if (ny === 0 || nn === 0) return null;
  if ((yesPx[0] as number) + (noPx[0] as number) < ONE_E4 + p.minEdgeE4) return null;
  const walked = walkPairs(ny, nn, false, p, held);
  const pairs = p.marketAmounts ? marketPairs(walked, ny, nn, false, p) : walked;
  if (pairs < p.minSizeE6 || pairs <= 0) return null;
  const y = legTotals(yesPx, yesSz, ny, pairs, p);
  const n = legTotals(noPx, noSz, nn, pairs, p);
  const fees = y.feeE6 + n.feeE6;
  const proceeds = y.notionalE6 + n.notionalE6 - fees;
  const profit = proceeds - pairs;
  if (profit * SCALE < pairs * p.minEdgeE4 || profit <= 0) return null;
  return {
    kind: "sell_pair",
    pairsE6: pairs,
    legs: [
      { tokenId: yes.tokenId, side: "SELL", limitPriceE4: y.worstE4, sizeE6: pairs, notionalE6: y.notionalE6, feeE6: y.feeE6 },
      { tokenId: no.tokenId, side: "SELL", limitPriceE4: n.worstE4, sizeE6: pairs, notionalE6: n.notionalE6, feeE6: n.feeE6 },
    ],
    costE6: 0,
    proceedsE6: proceeds,
    feesE6: fees,
    expectedProfitE6: profit,
  };
}

/**
 * Pairs to merge back to collateral now: all held pairs (on the 0.01 grid) when there are at
 * least `minMergeE6`, unless selling them beats $1 (`sellOpportunity` given), then only the
 * pairs that sale does not take.
 */
export function mergeSuggestion(
  heldYesE6: SizeE6,
  heldNoE6: SizeE6,
  minMergeE6: SizeE6,
  sellOpportunity: Opportunity | null = null,
): SizeE6 {
  const held = Math.floor(Math.min(heldYesE6, heldNoE6) / LOT_E6) * LOT_E6;
  const left = held - (sellOpportunity?.kind === "sell_pair" ? sellOpportunity.pairsE6 : 0);
  return left >= minMergeE6 && left > 0 ? left : 0;
}
