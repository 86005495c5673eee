/**
 * Volatility for quoting decisions, in two parts:
 *
 * 1. `VolatilityEngine` (the user's plan): fed `update(price, timestamp)` and
 *    `updateSpread(spread)`, it keeps on fixed rings (O(1) per update, running sums, no
 *    rescans) the rolling std of the last `lookback` prices, the std of the last `lookback`
 *    returns beside a `baselineLookback` std (its "normal" level), an ATR over fixed-time
 *    bars beside a long ATR, and the current spread beside its average. `getRecommendations()`
 *    turns that into `{ volatilityScore 0–100, spreadMultiplier, sizeMultiplier, shouldQuote }`.
 *
 *    The score is *relative*: stress = weighted mean of (short/long return std),
 *    (short/long ATR) and (spread/average spread), each 1 in a normal market; score =
 *    100 × (stress − 1)/(maxStress − 1), clamped. Ratios make one set of defaults work for a
 *    token priced in probability units and for BTC in dollars, and for calm and busy hours
 *    alike; the price level itself never enters. A persistently wild market stops scoring
 *    high once the long rings have caught up; the fair value still sees its absolute
 *    volatility, so its quotes stay wide through the model, not through this score.
 *
 *    One market uses two instances: one on the token's own prices (`returns: "absolute"`,
 *    probability units) with `updateSpread`, one on the underlying (`returns: "log"`).
 *    `combineRecommendations(a, b)` takes the more cautious of each field.
 *
 * 2. `UnderlyingVol`: the per-second volatility that the fair value needs, from the
 *    underlying's own ~1 Hz prices (see `fair-value.ts` for the model). The Chainlink
 *    series that settles Up/Down markets is an aggregate whose 1-second log returns are
 *    positively autocorrelated (lag-1 ≈ 0.31 on 2026-06-08; the variance of 60-second
 *    returns is ~2.2× sixty 1-second variances), so it tracks an AR(1) coefficient `phi`
 *    beside the 1-second variance. Both are a 50/50 blend of a fast EWMA (half-life
 *    120 s) and a rolling hour (3,600 samples): the fast part follows regime changes, the
 *    hour damps its noise. A floor keeps a frozen feed from claiming certainty.
 *
 * Pure: no clock, time comes in as arguments (ms). Floats are fine here (STYLE §4).
 */
import { RingBuffer } from "../core/ring-buffer.ts";

export interface VolatilityParams {
  /** MM_VOLATILITY_LOOKBACK: samples in the short rings (prices, returns). */
  readonly lookback: number;
  /** Samples in the long return ring that defines "normal" (default 20 × lookback). */
  readonly baselineLookback: number;
  /** "absolute": returns are price differences (token prices); "log": log returns (underlying). */
  readonly returns: "absolute" | "log";
  /** ATR bar length in ms; one true range is recorded per completed bar. */
  readonly atrBarMs: number;
  /** Bars in the short ATR. */
  readonly atrPeriod: number;
  /** Bars in the long ATR (its normal level). */
  readonly atrBaselinePeriod: number;
  /** Spread samples in the average spread. */
  readonly spreadLookback: number;
  /** Stress level that maps to score 100 (stress 1 = normal = score 0). */
  readonly maxStress: number;
  /** Spread multiplier at score 100 (linear from 1 at score 0). */
  readonly maxSpreadMultiplier: number;
  /** Size multiplier at score 100 (linear from 1 at score 0). */
  readonly minSizeMultiplier: number;
  /** Score at or above which `shouldQuote` is false. */
  readonly haltScore: number;
  /** Returns needed before the engine recommends quoting at all. */
  readonly minSamples: number;
}

export const DEFAULT_VOLATILITY_PARAMS: VolatilityParams = {
  lookback: 60,
  baselineLookback: 1200,
  returns: "absolute",
  atrBarMs: 5_000,
  atrPeriod: 12,
  atrBaselinePeriod: 240,
  spreadLookback: 300,
  maxStress: 4,
  maxSpreadMultiplier: 3,
  minSizeMultiplier: 0.25,
  haltScore: 90,
  minSamples: 10,
};

export interface VolatilityRecommendations {
  /** 0 = normal or calmer, 100 = `maxStress` times normal or worse. */
  readonly volatilityScore: number;
  /** ≥ 1: multiply the base spread by it. */
  readonly spreadMultiplier: number;
  /** In (0, 1]: multiply the base size by it. */
  readonly sizeMultiplier: number;
  /** False while warming up or at/above the halt score. */
  readonly shouldQuote: boolean;
}

/** Weights of the three stress ratios (sum 1). */
const W_VOL = 0.4;
const W_ATR = 0.4;
const W_SPREAD = 0.2;

export class VolatilityEngine {
  readonly params: VolatilityParams;
  private readonly prices: RingBuffer;
  private readonly shortReturns: RingBuffer;
  private readonly longReturns: RingBuffer;
  private readonly shortTr: RingBuffer;
  private readonly longTr: RingBuffer;
  private readonly spreads: RingBuffer;
  private lastPrice = Number.NaN;
  private priceAnchor = Number.NaN;
  private lastSpread = Number.NaN;
  private barStartMs = Number.NaN;
  private barHigh = 0;
  private barLow = 0;
  private barClose = 0;
  private prevBarClose = Number.NaN;

  constructor(params: Partial<VolatilityParams> = {}) {
    this.params = { ...DEFAULT_VOLATILITY_PARAMS, ...params };
    const p = this.params;
    for (const k of ["lookback", "baselineLookback", "atrPeriod", "atrBaselinePeriod", "spreadLookback"] as const) {
      if (!Number.isInteger(p[k]) || p[k] < 2) throw new RangeError(`volatility ${k} must be an integer ≥ 2, got ${p[k]}`);
    }
    if (!(p.atrBarMs > 0)) throw new RangeError(`volatility atrBarMs must be > 0, got ${p.atrBarMs}`);
    if (!(p.maxStress > 1)) throw new RangeError(`volatility maxStress must be > 1, got ${p.maxStress}`);
    this.prices = new RingBuffer(p.lookback);
    this.shortReturns = new RingBuffer(p.lookback);
    this.longReturns = new RingBuffer(p.baselineLookback);
    this.shortTr = new RingBuffer(p.atrPeriod);
    this.longTr = new RingBuffer(p.atrBaselinePeriod);
    this.spreads = new RingBuffer(p.spreadLookback);
  }

  /** A new price observation; non-finite or non-positive prices are ignored. */
  update(price: number, timestampMs: number): void {
    if (!(price > 0) || !Number.isFinite(price)) return;
    if (this.lastPrice > 0) {
      const r = this.params.returns === "log" ? Math.log(price / this.lastPrice) : price - this.lastPrice;
      this.shortReturns.push(r);
      this.longReturns.push(r);
    }
    this.lastPrice = price;
    // Shifted by the first price: the std is unchanged and the running sums keep their
    // precision (sumSq − sum²/n cancels badly on large, nearly equal values).
    if (Number.isNaN(this.priceAnchor)) this.priceAnchor = price;
    this.prices.push(price - this.priceAnchor);
    this.updateBar(price, timestampMs);
  }

  /** The current bid–ask spread (any unit, as long as it is always the same one). */
  updateSpread(spread: number): void {
    if (!(spread >= 0) || !Number.isFinite(spread)) return;
    this.lastSpread = spread;
    this.spreads.push(spread);
  }

  /** Rolling std of the last `lookback` prices (the user's definition). */
  priceStd(): number {
    return this.prices.std();
  }

  /** Std of the last `lookback` returns, in return units (see `returns`). */
  returnStd(): number {
    return this.shortReturns.std();
  }

  /** Short ATR (mean true range of the last `atrPeriod` completed bars); NaN before one bar. */
  atr(): number {
    return this.shortTr.length === 0 ? Number.NaN : this.shortTr.mean();
  }

  /** Current spread over its rolling average; 1 without spread data. */
  spreadRatio(): number {
    if (this.spreads.length === 0) return 1;
    const avg = this.spreads.mean();
    if (!(avg > 0)) return this.lastSpread > 0 ? this.params.maxStress : 1;
    return this.lastSpread / avg;
  }

  /** Number of returns seen (capped at the long ring). */
  samples(): number {
    return this.longReturns.length;
  }

  getRecommendations(): VolatilityRecommendations {
    const p = this.params;
    const cap = 2 * p.maxStress;
    const volRatio = ratio(this.shortReturns.std(), this.longReturns.std(), cap);
    const atrRatio = this.longTr.length < 2 ? 1 : ratio(this.shortTr.mean(), this.longTr.mean(), cap);
    const spreadRatio = Math.min(cap, this.spreadRatio());
    const stress = W_VOL * volRatio + W_ATR * atrRatio + W_SPREAD * spreadRatio;
    const score = 100 * clamp01((stress - 1) / (p.maxStress - 1));
    const s = score / 100;
    return {
      volatilityScore: score,
      spreadMultiplier: 1 + (p.maxSpreadMultiplier - 1) * s,
      sizeMultiplier: 1 - (1 - p.minSizeMultiplier) * s,
      shouldQuote: this.longReturns.length >= p.minSamples && score < p.haltScore,
    };
  }

  private updateBar(price: number, timestampMs: number): void {
    if (Number.isNaN(this.barStartMs)) {
      this.openBar(price, timestampMs);
      return;
    }
    if (timestampMs - this.barStartMs >= this.params.atrBarMs) {
      // Close the bar: true range against the previous bar's close.
      const ref = Number.isNaN(this.prevBarClose) ? this.barLow : this.prevBarClose;
      const tr = Math.max(this.barHigh, ref) - Math.min(this.barLow, ref);
      const scaled = this.params.returns === "log" ? tr / this.barClose : tr;
      this.shortTr.push(scaled);
      this.longTr.push(scaled);
      this.prevBarClose = this.barClose;
      this.openBar(price, timestampMs);
      return;
    }
    if (price > this.barHigh) this.barHigh = price;
    if (price < this.barLow) this.barLow = price;
    this.barClose = price;
  }

  private openBar(price: number, timestampMs: number): void {
    const bar = this.params.atrBarMs;
    this.barStartMs = Math.floor(timestampMs / bar) * bar;
    this.barHigh = price;
    this.barLow = price;
    this.barClose = price;
  }
}

/** The more cautious of each field: highest score and spread multiplier, lowest size, all must quote. */
export function combineRecommendations(a: VolatilityRecommendations, b: VolatilityRecommendations): VolatilityRecommendations {
  return {
    volatilityScore: Math.max(a.volatilityScore, b.volatilityScore),
    spreadMultiplier: Math.max(a.spreadMultiplier, b.spreadMultiplier),
    sizeMultiplier: Math.min(a.sizeMultiplier, b.sizeMultiplier),
    shouldQuote: a.shouldQuote && b.shouldQuote,
  };
}

function ratio(short: number, long: number, cap: number): number {
  if (!(long > 0)) return short > 0 ? cap : 1;
  return Math.min(cap, short / long);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

// ---------------------------------------------------------------------------------------------

export interface UnderlyingVolParams {
  /** Half-life of the fast EWMA, seconds. */
  readonly fastHalfLifeSec: number;
  /** Samples in the slow rolling window (1 per second → 3,600 = one hour). */
  readonly slowWindow: number;
  /** Weight of the fast EWMA in the blend (the slow window gets 1 − this). */
  readonly fastWeight: number;
  /** Floor on the per-second log volatility (1.5e-5 ≈ 8 % a year). */
  readonly sigmaFloor: number;
  /** Bounds on the AR(1) coefficient: 0 = plain random walk; < 1 keeps the maths finite. */
  readonly phiMin: number;
  readonly phiMax: number;
  /** A gap longer than this (s) breaks the return chain (no lag product across it). */
  readonly maxGapSec: number;
}

export const DEFAULT_UNDERLYING_VOL_PARAMS: UnderlyingVolParams = {
  fastHalfLifeSec: 120,
  slowWindow: 3_600,
  fastWeight: 0.5,
  sigmaFloor: 1.5e-5,
  phiMin: 0,
  phiMax: 0.8,
  maxGapSec: 30,
};

/**
 * Per-second log-return variance and lag-1 autocorrelation of the underlying, O(1) per
 * update. Samples live on a one-second grid: the first update in a new second commits a
 * return; later updates in the same second only move the spot.
 */
export class UnderlyingVol {
  readonly params: UnderlyingVolParams;
  private readonly slowSq: RingBuffer;
  private readonly slowLag: RingBuffer;
  private readonly decayPerSec: number;
  private fastSq = 0;
  private fastLag = 0;
  private fastW = 0;
  private fastLagW = 0;
  private lastSec = Number.NaN;
  private lastCommitted = Number.NaN;
  private prevReturn = Number.NaN; // last 1-second return, NaN if the chain is broken
  private spotPrice = Number.NaN;
  private count = 0;

  constructor(params: Partial<UnderlyingVolParams> = {}) {
    this.params = { ...DEFAULT_UNDERLYING_VOL_PARAMS, ...params };
    const p = this.params;
    if (!(p.fastHalfLifeSec > 0)) throw new RangeError(`fastHalfLifeSec must be > 0, got ${p.fastHalfLifeSec}`);
    if (!(p.fastWeight >= 0 && p.fastWeight <= 1)) throw new RangeError(`fastWeight must be in [0, 1], got ${p.fastWeight}`);
    if (!(p.phiMax < 1 && p.phiMin <= p.phiMax)) throw new RangeError(`phi bounds must satisfy phiMin ≤ phiMax < 1`);
    this.slowSq = new RingBuffer(p.slowWindow);
    this.slowLag = new RingBuffer(p.slowWindow);
    this.decayPerSec = 0.5 ** (1 / p.fastHalfLifeSec);
  }

  update(price: number, timestampMs: number): void {
    if (!(price > 0) || !Number.isFinite(price)) return;
    const sec = Math.floor(timestampMs / 1000);
    this.spotPrice = price;
    if (Number.isNaN(this.lastSec)) {
      this.lastSec = sec;
      this.lastCommitted = price;
      return;
    }
    const dt = sec - this.lastSec;
    if (dt <= 0) return; // same second (or out of order): spot only
    const r = Math.log(price / this.lastCommitted);
    const decay = this.decayPerSec ** dt;
    if (dt <= this.params.maxGapSec) {
      const x = (r * r) / dt;
      this.fastSq = decay * this.fastSq + x;
      this.fastW = decay * this.fastW + 1;
      this.slowSq.push(x);
      this.count++;
    } else {
      this.fastSq *= decay;
      this.fastW *= decay;
    }
    this.fastLag *= decay;
    this.fastLagW *= decay;
    if (dt === 1) {
      if (!Number.isNaN(this.prevReturn)) {
        const prod = r * this.prevReturn;
        this.fastLag += prod;
        this.fastLagW += 1;
        this.slowLag.push(prod);
      }
      this.prevReturn = r;
    } else {
      this.prevReturn = Number.NaN;
    }
    this.lastSec = sec;
    this.lastCommitted = price;
  }

  /** Latest price seen. */
  spot(): number {
    return this.spotPrice;
  }

  /** Returns committed so far (capped by nothing; use for warm-up checks). */
  samples(): number {
    return this.count;
  }

  /** Blended per-second variance of 1-second log returns, floored. */
  variancePerSec(): number {
    const fast = this.fastW > 0 ? this.fastSq / this.fastW : Number.NaN;
    const slow = this.slowSq.length > 0 ? this.slowSq.mean() : Number.NaN;
    const v = blend(fast, slow, this.params.fastWeight);
    const floor = this.params.sigmaFloor * this.params.sigmaFloor;
    return v > floor ? v : floor;
  }

  /** √variancePerSec(). */
  sigmaPerSec(): number {
    return Math.sqrt(this.variancePerSec());
  }

  /** Lag-1 autocorrelation of 1-second returns, blended like the variance, clamped. */
  phi(): number {
    const fastV = this.fastW > 0 ? this.fastSq / this.fastW : Number.NaN;
    const fast = this.fastLagW > 0 && fastV > 0 ? this.fastLag / this.fastLagW / fastV : Number.NaN;
    const slowV = this.slowSq.length > 0 ? this.slowSq.mean() : Number.NaN;
    const slow = this.slowLag.length > 0 && slowV > 0 ? this.slowLag.mean() / slowV : Number.NaN;
    const ph = blend(fast, slow, this.params.fastWeight);
    if (Number.isNaN(ph)) return 0;
    return Math.min(this.params.phiMax, Math.max(this.params.phiMin, ph));
  }

  /**
   * The last 1-second log return as seen at `nowMs`, decayed by phi for every second since
   * (its expected echo), or 0 when unknown. Feeds the fair value's momentum term.
   */
  lastReturn(nowMs: number): number {
    if (Number.isNaN(this.prevReturn)) return 0;
    const age = Math.floor(nowMs / 1000) - this.lastSec;
    if (age <= 0) return this.prevReturn;
    return this.prevReturn * this.phi() ** age;
  }
}

function blend(fast: number, slow: number, wFast: number): number {
  if (Number.isNaN(fast)) return slow;
  if (Number.isNaN(slow)) return fast;
  return wFast * fast + (1 - wFast) * slow;
}
