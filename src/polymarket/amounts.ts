/**
 * makerAmount / takerAmount of a CLOB V2 order, in 6-decimal base units, with integers only.
 *
 * Reference: `@polymarket/clob-client-v2` 1.1.0, `order-builder/helpers/getOrderRawAmounts.ts`,
 * `getMarketOrderRawAmounts.ts`, `roundingConfig.ts`, `utilities.ts` (roundNormal/Down/Up).
 * The SDK does this in floats; we reproduce its results exactly (proved by an exhaustive test
 * over every PriceE4 and a property test over sizes, `test/golden/amounts-parity.test.ts`).
 *
 * Per tick size the SDK keeps `price` decimals pd ∈ {1,2,3,4} (tick 0.1 → 1, 0.01 → 2, 0.005 and
 * 0.001 → 3, 0.0025 and 0.0001 → 4), sizes to 2 decimals, and amounts to pd + 2 decimals.
 *
 * Limit orders (GTC/GTD): price rounded half-up to pd decimals, size floored to 0.01 shares.
 *   BUY : taker = shares, maker = shares × price;   SELL: maker = shares, taker = shares × price.
 *   shares × price has at most 2 + pd decimals, so the SDK's float fallback rounding never
 *   changes it: in E6 units it is exactly `centiShares × priceE4`.
 * Market orders (FOK/FAK; `amount` = pUSD to spend for BUY, shares for SELL): price floored to
 *   pd decimals, amount floored to 0.01.
 *   SELL: taker = shares × price (exact, as above).
 *   BUY : taker = pUSD / price, which is not a finite decimal in general. The SDK rounds it UP
 *   at pd + 6 decimals, then DOWN at pd + 2 decimals; we do the same two steps on integers.
 *
 * Design note: the SDK accepts prices that are off the tick grid but inside the price-decimal
 * grid (e.g. 0.012 with tick 0.005) and simply rounds to pd decimals; so do we, for parity. The
 * server rejects off-tick prices ("breaks minimum tick size rule"): the engine snaps prices to
 * the grid before it gets here (`snapBidDown` / `snapAskUp`).
 */
import type { Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, TickE4 } from "../core/units.ts";

/** Price decimals the SDK keeps for a tick size (ROUNDING_CONFIG[tick].price). */
export function priceDecimalsOf(tickE4: TickE4): 1 | 2 | 3 | 4 | 0 {
  switch (tickE4) {
    case 1000:
      return 1;
    case 100:
      return 2;
    case 50:
    case 10:
      return 3;
    case 25:
    case 1:
      return 4;
    default:
      return 0;
  }
}

export type AmountMode = "limit" | "market";

/** Why amounts could not be computed (a value, not a throw: this runs on the hot path). */
export type AmountsError =
  | "BAD_TICK" // not one of Polymarket's tick sizes
  | "PRICE_OUT_OF_RANGE" // outside [tick, 1 − tick] (the SDK's priceValid)
  | "ZERO_AMOUNT" // size (or pUSD) rounds to zero, or an amount rounds to zero
  | "TOO_LARGE"; // beyond 2^53 base units

/** Reusable output: the hot path passes one preallocated instance. */
export interface AmountsOut {
  makerAmount: number;
  takerAmount: number;
  /** The price the amounts were computed at, after the SDK's rounding (PriceE4). */
  priceE4: PriceE4;
}

export function newAmountsOut(): AmountsOut {
  return { makerAmount: 0, takerAmount: 0, priceE4: 0 };
}

/**
 * Fills `out` with the base-unit amounts; returns null on success or the reason it failed.
 * `sizeE6` is shares (limit, and market SELL) or pUSD (market BUY), 6-decimal fixed point.
 */
export function computeAmounts(
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  tickE4: TickE4,
  mode: AmountMode,
  out: AmountsOut,
): AmountsError | null {
  const pd = priceDecimalsOf(tickE4);
  if (pd === 0) return "BAD_TICK";
  if (!Number.isSafeInteger(priceE4) || priceE4 < tickE4 || priceE4 > 10_000 - tickE4) return "PRICE_OUT_OF_RANGE";
  if (!Number.isSafeInteger(sizeE6) || sizeE6 <= 0) return "ZERO_AMOUNT";
  const unit = 10 ** (4 - pd); // price grid step in PriceE4
  // Limit: roundNormal (half-up); market: roundDown. A price in range never rounds to 0
  // for limit (tick ≥ unit); for market it can only do so if tick < unit, which never holds.
  const p = mode === "limit" ? Math.floor((priceE4 + (unit >> 1)) / unit) * unit : Math.floor(priceE4 / unit) * unit;
  // 0.01-share (or $0.01) grid = 10_000 base units, floored.
  const centi = Math.floor(sizeE6 / 10_000);
  if (centi === 0 || p === 0) return "ZERO_AMOUNT";
  const base = centi * 10_000;
  let quote: number;
  if (mode === "market" && side === "BUY") {
    quote = marketBuyShares(centi, p, pd);
  } else {
    // centi/100 shares × p/10^4 $ = centi·p / 10^6 $ → exactly centi·p base units.
    quote = centi * p;
  }
  if (!Number.isSafeInteger(quote) || !Number.isSafeInteger(base)) return "TOO_LARGE";
  if (quote === 0) return "ZERO_AMOUNT";
  out.priceE4 = p;
  if (side === "BUY") {
    // BUY pays pUSD (maker) and receives shares (taker); a market BUY's `base` is pUSD.
    if (mode === "market") {
      out.makerAmount = base;
      out.takerAmount = quote;
    } else {
      out.makerAmount = quote;
      out.takerAmount = base;
    }
  } else {
    out.makerAmount = base;
    out.takerAmount = quote;
  }
  return null;
}

/**
 * Shares (base units) a market BUY of `centi`/100 pUSD gets at price `p` (PriceE4, on the
 * 10^(4−pd) grid). Mirrors the SDK: x = pUSD / price; roundUp(x, pd+6) then roundDown(x, pd+2).
 *
 * With y = x · 10^(pd+6) = centi · 10^(pd+8) / p (exact rational), the SDK yields
 * floor(ceil(y) / 10^4) units of 10^−(pd+2), i.e. that times 10^(4−pd) base units.
 * Split y = q·10^(pd+8) + r·10^(pd+8)/p (q, r = divmod(centi, p)) so every term stays < 2^53.
 */
function marketBuyShares(centi: number, p: number, pd: number): number {
  const q = Math.floor(centi / p);
  const r = centi - q * p;
  const scale = 10 ** (pd + 8); // ≤ 10^12, and r < p ≤ 10^4: r·scale may pass 2^53
  const ceilFrac = ceilDivScaled(r, scale, p); // ceil(r·scale / p), exact
  // floor((q·scale + ceilFrac) / 10^4) with q·scale divisible by 10^4:
  const k = q * 10 ** (pd + 4) + Math.floor(ceilFrac / 10_000);
  return k * 10 ** (4 - pd);
}

/** ceil(a · s / d) for a < d ≤ 10^4, s = 10^n ≤ 10^12, exact in doubles. */
function ceilDivScaled(a: number, s: number, d: number): number {
  // a·s may exceed 2^53; do long division in two halves of the scale: s = s1 · s2.
  const s1 = 1_000_000;
  const s2 = s / s1;
  const hi = a * s1; // < 10^10
  const q1 = Math.floor(hi / d);
  const r1 = hi - q1 * d; // < d
  const lo = r1 * s2; // < 10^4 · 10^6
  const q2 = Math.floor(lo / d);
  const r2 = lo - q2 * d;
  return q1 * s2 + q2 + (r2 > 0 ? 1 : 0);
}

/** Allocating convenience for cold paths (CLI, tests). */
export function orderAmounts(
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  tickE4: TickE4,
  mode: AmountMode = "limit",
): AmountsOut | AmountsError {
  const out = newAmountsOut();
  const e = computeAmounts(side, priceE4, sizeE6, tickE4, mode, out);
  return e ?? out;
}

// ── Market orders (FOK/FAK) from share-sized intents ─────────────────────────
//
// Polymarket treats every FOK/FAK order as a market order (SDK `createMarketOrder`): a BUY's
// `amount` is pUSD to spend, a SELL's is shares. Engine intents are sized in shares for both
// sides, so a BUY of `s` shares at limit `p` becomes a market BUY of ⌊s × p⌋ (floored to the
// cent) pUSD: it buys ⌊that / p⌋ shares at the limit (fewer than `s` when s × p is not whole
// cents), more when the book is better than the limit (the exchange gives the taker the
// shares its pUSD buys at the makers' prices). A SELL stays `s` shares, floored to 0.01.

/** pUSD per cent, and per 0.0001 $, in base units. */
const CENT_E6 = 10_000;
const BASIS_E6 = 100;

const gcd = (a: number, b: number): number => {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
};

/**
 * The `amount` (6-decimal base units) a share-sized intent becomes as a market order:
 * BUY → pUSD = shares (floored to 0.01) × limit price, floored to the cent; SELL → shares
 * floored to 0.01. Pass it to `computeAmounts(…, "market", …)` / `OrderParams.sizeE6`.
 */
export function marketAmountE6(side: Side, priceE4: PriceE4, sizeE6: SizeE6): number {
  const centi = Math.floor(sizeE6 / CENT_E6);
  if (side === "SELL") return centi * CENT_E6;
  // centi/100 shares × priceE4/10^4 $ = centi·priceE4 base units, exactly.
  return Math.floor((centi * priceE4) / CENT_E6) * CENT_E6;
}

/**
 * The share step (SizeE6) at which a market order at `priceE4` loses no precision and meets
 * the server's stated rule (maker ≤ 2 decimals, taker ≤ 4): BUY when shares × price is whole
 * cents (then the pUSD amount is exact and buys exactly the shares at the limit), SELL when
 * shares × price has at most 4 decimals. A multiple of 0.01 share; at most 1 share (BUY, tick
 * 0.01), 100 shares (BUY at a 0.0001-grid price such as 0.0001 · odd).
 */
export function marketLotE6(side: Side, priceE4: PriceE4): SizeE6 {
  const quantum = side === "BUY" ? CENT_E6 : BASIS_E6;
  const p = Math.max(1, Math.floor(priceE4));
  return (quantum / gcd(p, quantum)) * CENT_E6;
}

/** `sizeE6` rounded down to a whole number of `marketLotE6(side, priceE4)` (0 when under one lot). */
export function cleanMarketSizeE6(side: Side, priceE4: PriceE4, sizeE6: SizeE6): SizeE6 {
  const lot = marketLotE6(side, priceE4);
  return sizeE6 > 0 ? Math.floor(sizeE6 / lot) * lot : 0;
}

/**
 * True when the limit-order amounts of this share-sized intent are byte-identical to its
 * market-order amounts (`marketAmountE6` then `computeAmounts(…, "market")`): a pre-signed
 * limit order may then be posted as FOK/FAK. Holds for every on-grid SELL, and for a BUY
 * whose shares × price is whole cents. `scratch` pair avoids allocation on the hot path.
 */
export function limitMatchesMarket(
  side: Side,
  priceE4: PriceE4,
  sizeE6: SizeE6,
  tickE4: TickE4,
  scratch: { readonly limit: AmountsOut; readonly market: AmountsOut } = newScratch(),
): boolean {
  const a = scratch.limit;
  const b = scratch.market;
  if (computeAmounts(side, priceE4, sizeE6, tickE4, "limit", a) !== null) return false;
  if (computeAmounts(side, priceE4, marketAmountE6(side, priceE4, sizeE6), tickE4, "market", b) !== null) return false;
  return a.makerAmount === b.makerAmount && a.takerAmount === b.takerAmount;
}

const newScratch = (): { limit: AmountsOut; market: AmountsOut } => ({ limit: newAmountsOut(), market: newAmountsOut() });

/**
 * Decimals the SDK's market-order builder can put in a taker amount at this tick:
 * ROUNDING_CONFIG[tick].amount = price decimals + 2 (3 at tick 0.1, 4 at 0.01, 5 at 0.005 /
 * 0.001, 6 at 0.0025 / 0.0001); 0 for an unknown tick.
 */
export function marketTakerDecimalsOf(tickE4: TickE4): number {
  const pd = priceDecimalsOf(tickE4);
  return pd === 0 ? 0 : pd + 2;
}
