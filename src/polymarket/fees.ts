/**
 * Polymarket taker fees and maker rebates (protocol notes §8.1, §8.4), shared by the
 * simulator, the arbitrage detector and the backtest reports.
 *
 * Taker fee: `fee = shares × rate × (p × (1 − p))^exponent` in pUSD, makers pay 0.
 * Rounding: the result is floored to 0.00001 pUSD (10 units of the 6-decimal wire
 * mantissa). This is what the chain shows: all 21 real CTF Exchange V2 `OrderFilled`
 * fills in ../shared/data/trades/nautilus_v2_chain_order_filled_taker_fees.json agree
 * exactly with that rule (e.g. 7.042251 sh × 0.05 × 0.71 × 0.29 = 0.07249997 → 72490),
 * and neither round-half-up nor a 1-unit floor does (test/unit/polymarket/fees.test.ts).
 *
 * Exponent 1 (every crypto market) is computed exactly in integers: prices are PriceE4
 * and the rate is held in parts per million (0.07 → 70 000, 0.072 → 72 000), so the
 * product is a ratio of integers; BigInt is used only when it would pass 2^53.
 * Other exponents go through floats and are floored with a one-part-in-10^12 allowance.
 *
 * Collection (V2): the SDK's `adjustBuyAmountForFees` reserves the fee in pUSD on top of
 * a BUY's notional, and a SELL pays it out of its pUSD proceeds, so both are pUSD here.
 *
 * Maker rebates: per market, `rebateRate` (crypto 20 %) of the taker fees collected is
 * shared among the makers whose resting orders were filled, pro rata to the
 * fee-equivalent `C × rate × p(1 − p)` of their maker fills. Shares are floored; the dust
 * stays with the exchange, so the payout never exceeds the pool.
 */
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";

/** Fees are floored to 0.00001 pUSD: 10 units of the 6-decimal mantissa. */
export const FEE_QUANTUM_E6 = 10;

const PPM = 1_000_000;
/** sizeE6 (1e-6) × rate (1e-6) × p (1e-4) × (1 − p) (1e-4) → 1e-6 pUSD units: divide by 1e14. */
const EXACT_DIVISOR = 100_000_000_000_000;
const EXACT_DIVISOR_BIG = 100_000_000_000_000n;
const QUANTUM_BIG = 10n;

/** A fee rate (0.07) as integer parts per million, the unit the exact path works in. */
export function feeRatePpm(rate: number): number {
  if (!(rate >= 0) || rate > 1) throw new RangeError(`fee rate must be in [0, 1], got ${rate}`);
  return Math.round(rate * PPM);
}

/**
 * Taker fee in pUSD E6 for `sizeE6` shares traded at `priceE4`.
 * `feeRate` is the market's `feeSchedule.rate` / CLOB `fd.r`; `exponent` is `fd.e`.
 */
export function takerFeeE6(sizeE6: SizeE6, priceE4: PriceE4, feeRate: number, exponent: number): UsdE6 {
  if (sizeE6 <= 0 || feeRate <= 0 || priceE4 <= 0 || priceE4 >= ONE_E4) return 0;
  if (exponent === 1) return exactFeeE6(sizeE6, priceE4, feeRatePpm(feeRate));
  const p = priceE4 / ONE_E4;
  const feeUnits = sizeE6 * feeRate * (p * (1 - p)) ** exponent;
  const floored = Math.floor((feeUnits * (1 + 1e-12)) / FEE_QUANTUM_E6) * FEE_QUANTUM_E6;
  return Math.max(0, floored);
}

function exactFeeE6(sizeE6: SizeE6, priceE4: PriceE4, ratePpm: number): UsdE6 {
  const perShare = ratePpm * priceE4 * (ONE_E4 - priceE4); // ≤ 1e6 × 2.5e7: exact
  const product = sizeE6 * perShare;
  if (product <= Number.MAX_SAFE_INTEGER) {
    const units = Math.floor(product / EXACT_DIVISOR);
    return units - (units % FEE_QUANTUM_E6);
  }
  const units = (BigInt(sizeE6) * BigInt(perShare)) / EXACT_DIVISOR_BIG;
  return Number(units - (units % QUANTUM_BIG));
}

/**
 * The fee per share as a float fraction of $1 (`rate × (p(1 − p))^exponent`), for pricing
 * maths only (fair value, arbitrage edge); money is always computed by `takerFeeE6`.
 */
export function feePerShare(price: number, feeRate: number, exponent: number): number {
  if (!(price > 0 && price < 1)) return 0;
  return feeRate * (price * (1 - price)) ** exponent;
}

/**
 * Largest fee any fill of `sizeE6` shares can cost at a price no worse than `limitE4`
 * for a BUY (≤ limit) or no better than it for a SELL (≥ limit): p(1 − p) peaks at 0.5,
 * so the bound is the fee at the point of the allowed range closest to 0.5.
 * Used to hold back enough pUSD for a marketable order's fee before it matches.
 */
export function maxTakerFeeE6(sizeE6: SizeE6, limitE4: PriceE4, isBuy: boolean, feeRate: number, exponent: number): UsdE6 {
  const half = ONE_E4 / 2;
  const worstE4 = isBuy ? Math.min(limitE4, half) : Math.max(limitE4, half);
  return takerFeeE6(sizeE6, worstE4, feeRate, exponent);
}

/** The part of a market's collected taker fees paid back to makers: floor(total × rebateRate). */
export function rebatePoolE6(totalTakerFeesE6: UsdE6, rebateRate: number): UsdE6 {
  if (totalTakerFeesE6 <= 0 || rebateRate <= 0) return 0;
  const ppm = feeRatePpm(rebateRate);
  const product = totalTakerFeesE6 * ppm;
  if (product <= Number.MAX_SAFE_INTEGER) return Math.floor(product / PPM);
  return Number((BigInt(totalTakerFeesE6) * BigInt(ppm)) / BigInt(PPM));
}

/**
 * Splits `poolE6` among makers pro rata to their fee-equivalent volume (`weightsE6`,
 * e.g. the sum of `takerFeeE6` over each maker's fills). Each share is floored, so the
 * total paid is ≤ the pool. Owners with zero weight get nothing.
 */
export function splitRebatesE6(poolE6: UsdE6, weightsE6: ReadonlyMap<string, number>): Map<string, UsdE6> {
  const out = new Map<string, UsdE6>();
  let total = 0n;
  for (const w of weightsE6.values()) if (w > 0) total += BigInt(w);
  if (poolE6 <= 0 || total === 0n) return out;
  const pool = BigInt(poolE6);
  for (const [owner, w] of weightsE6) {
    if (w <= 0) continue;
    const share = Number((pool * BigInt(w)) / total);
    if (share > 0) out.set(owner, share);
  }
  return out;
}
