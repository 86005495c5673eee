/**
 * Integer units used everywhere inside the engine.
 *
 * - `PriceE4`: price in units of $0.0001, the finest Polymarket tick. Every tick size
 *   (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001) is a whole number of these.
 * - `SizeE6` / `UsdE6`: the protocol's 6-decimal fixed point for shares and pUSD.
 *
 * Decimal strings from the wire are parsed straight to integers, never through
 * `parseFloat`, so "0.29" is exactly 2900 and not 2899.9999.
 */

export type PriceE4 = number;
export type SizeE6 = number;
export type UsdE6 = number;
export type TickE4 = number;

export const PRICE_SCALE = 10_000;
export const SIZE_SCALE = 1_000_000;
/** $1 in PriceE4: a YES at p and a NO at ONE_E4 - p make one pair. */
export const ONE_E4 = 10_000;

export const TICK_SIZES = ["0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"] as const;
export type TickSize = (typeof TICK_SIZES)[number];
export const TICK_E4: Readonly<Record<TickSize, TickE4>> = {
  "0.1": 1000,
  "0.01": 100,
  "0.005": 50,
  "0.0025": 25,
  "0.001": 10,
  "0.0001": 1,
};

/** Sentinel returned by the parsers on bad input (a real value is never negative). */
export const BAD_NUMBER = -1;

/**
 * Parses a non-negative decimal string ("0.48", ".48", "12", "12.") into an integer
 * scaled by 10^decimals. Digits beyond `decimals` must be zeros, otherwise the value is
 * not representable and BAD_NUMBER is returned (we never round silently).
 * Returns BAD_NUMBER on anything that is not a plain decimal.
 */
export function parseFixed(text: string, decimals: number): number {
  const n = text.length;
  if (n === 0 || n > 40) return BAD_NUMBER;
  let intPart = 0;
  let frac = 0;
  let fracDigits = 0;
  let seenDot = false;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (seenDot) return BAD_NUMBER;
      seenDot = true;
      continue;
    }
    if (c < 48 || c > 57) return BAD_NUMBER;
    digits++;
    const d = c - 48;
    if (!seenDot) {
      intPart = intPart * 10 + d;
    } else if (fracDigits < decimals) {
      frac = frac * 10 + d;
      fracDigits++;
    } else if (d !== 0) {
      return BAD_NUMBER;
    }
  }
  if (digits === 0) return BAD_NUMBER;
  while (fracDigits < decimals) {
    frac *= 10;
    fracDigits++;
  }
  const value = intPart * 10 ** decimals + frac;
  return Number.isSafeInteger(value) ? value : BAD_NUMBER;
}

export const parsePriceE4 = (text: string): PriceE4 => parseFixed(text, 4);
export const parseSizeE6 = (text: string): SizeE6 => parseFixed(text, 6);

/** Formats a non-negative scaled integer as the shortest decimal string ("0.5", "12", "0.0025"). */
export function formatFixed(value: number, decimals: number): string {
  const neg = value < 0;
  const abs = Math.abs(value);
  const scale = 10 ** decimals;
  const intPart = Math.floor(abs / scale);
  let frac = abs - intPart * scale;
  let s = String(intPart);
  if (frac !== 0) {
    let fs = String(frac).padStart(decimals, "0");
    let end = fs.length;
    while (end > 0 && fs.charCodeAt(end - 1) === 48) end--;
    fs = fs.slice(0, end);
    s += `.${fs}`;
    frac = 0;
  }
  return neg ? `-${s}` : s;
}

export const formatPriceE4 = (p: PriceE4): string => formatFixed(p, 4);
export const formatSizeE6 = (s: SizeE6): string => formatFixed(s, 6);

export function isTickSize(s: string): s is TickSize {
  return (TICK_SIZES as readonly string[]).includes(s);
}

/** Tick size string → TickE4, or BAD_NUMBER if it is not one of Polymarket's tick sizes. */
export function tickE4Of(tick: string): TickE4 {
  return isTickSize(tick) ? TICK_E4[tick] : BAD_NUMBER;
}

export function tickSizeOfE4(tickE4: TickE4): TickSize {
  for (const t of TICK_SIZES) if (TICK_E4[t] === tickE4) return t;
  throw new RangeError(`not a Polymarket tick size: ${tickE4} (E4)`);
}

/** Largest price on the tick grid that is ≤ p. */
export function snapBidDown(priceE4: PriceE4, tickE4: TickE4): PriceE4 {
  return Math.floor(priceE4 / tickE4) * tickE4;
}

/** Smallest price on the tick grid that is ≥ p. */
export function snapAskUp(priceE4: PriceE4, tickE4: TickE4): PriceE4 {
  return Math.ceil(priceE4 / tickE4) * tickE4;
}

/** A float probability/price (only from volatility / fair-value maths) to PriceE4, rounded to nearest. */
export function priceE4FromFloat(p: number): PriceE4 {
  return Math.round(p * PRICE_SCALE);
}

/** pUSD notional of `sizeE6` shares at `priceE4`, exact for sizes on the 0.01-share grid. */
export function notionalE6(sizeE6: SizeE6, priceE4: PriceE4): UsdE6 {
  return Math.round((sizeE6 * priceE4) / PRICE_SCALE);
}

/** Shares as a float, for display and float maths only. */
export const sharesOf = (sizeE6: SizeE6): number => sizeE6 / SIZE_SCALE;
export const dollarsOf = (usdE6: UsdE6): number => usdE6 / SIZE_SCALE;
export const priceOf = (priceE4: PriceE4): number => priceE4 / PRICE_SCALE;
