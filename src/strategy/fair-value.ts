/**
 * Fair value of an Up/Down market: P(Up), the probability that the settlement price ends
 * at or above the strike (ties resolve Up, protocol notes §7.3).
 *
 * Model: a cash-or-nothing digital on the underlying's log price, with zero drift and
 * normal increments, plus one correction the data asked for. Chainlink's ~1 Hz BTC/USD
 * series (the one that settles these markets) has positively autocorrelated 1-second
 * returns (lag-1 ≈ 0.31, lag-2 ≈ 0.13 on 2026-06-08: an AR(1) with phi ≈ 0.35–0.4, the
 * signature of an aggregate that catches up with the market over a few seconds). So the
 * 1-second returns r are modelled as AR(1): r_{t+1} = phi·r_t + e, Var(r) = σ², and over
 * the τ seconds left the log move X has
 *
 *     E[X]   = r_last · phi(1 − phi^τ)/(1 − phi)                       (pending momentum)
 *     Var[X] = σ²(1 − phi²)/(1 − phi)² · [τ − 2phi(1 − phi^τ)/(1 − phi) + phi²(1 − phi^2τ)/(1 − phi²)]
 *
 * which is the exact conditional variance of a sum of τ AR(1) steps; for phi = 0 it is the
 * plain σ²τ of a random walk, and for large τ it tends to the long-run σ²(1 + phi)/(1 − phi)·τ.
 * P(Up) = Φ((ln(S/K) + E[X]) / √Var[X]).
 *
 * Why a digital and not Black–Scholes' N(d2) with its −σ²τ/2 term: over five minutes
 * σ²τ ≈ 4e-6, a shift of < 0.1 % of a standard deviation, while the autocorrelation
 * changes the variance by a factor of ~2. Why not Student-t tails: on the real day they
 * made both Brier score and log loss worse at every horizon (docs/strategy.md). The
 * calibration against 284 real markets is `bun run src/main.ts calibrate`.
 *
 * TWAP rule (markets since 2026-08-07): Up iff A_end = mean of the settlement price over
 * the last W = 60 s ≥ the strike (the TWAP at window start). With τ seconds left:
 *  - τ ≥ W: A_end = S·exp(X_{τ−W} + mean of the path over W). A Brownian path's mean over
 *    a window of W ahead has variance σ_L²·W/3, so Var = σ_L²·(τ − W) + σ_L²·W/3, using the
 *    long-run variance σ_L² = σ²(1 + phi)/(1 − phi) (averaging washes out the short-lag
 *    structure).
 *  - τ < W: the first W − τ seconds of the average are already known (observed mean Ā);
 *    A_end = ((W − τ)·Ā + τ·F)/W where F is the mean of the path still ahead: mean
 *    S·(1 + momentum), variance (in log terms) σ_L²·τ/3. So the uncertain part shrinks as
 *    (τ/W)·√(τ/3): fair value converges fast in the last minute.
 *  - τ ≤ 0: the answer is known, Ā ≥ K.
 *
 * Pure: no clock, no I/O. Floats in, float probability out; quotes convert through the
 * snap functions of core/units.ts.
 */
import type { ResolutionRule } from "../core/ports.ts";

export interface TwapProgress {
  /** Length of the settlement average (60 s for the TWAP markets). */
  readonly windowSec: number;
  /** Mean of the settlement prices seen so far inside the window; NaN if none. */
  readonly observedMean: number;
  /** Seconds of the window already observed. */
  readonly observedSec: number;
}

export interface FairValueInput {
  readonly rule: ResolutionRule;
  /** Latest underlying price. */
  readonly spot: number;
  /** Price to beat: the settlement price at window start (Gamma `strike_value`). */
  readonly strike: number;
  /** Seconds until the window ends (may be fractional; ≤ 0 means ended). */
  readonly secondsLeft: number;
  /** Per-second volatility of 1-second log returns (from `UnderlyingVol`, floored). */
  readonly sigmaPerSec: number;
  /** AR(1) coefficient of 1-second returns, in [0, 1); 0 = random walk. */
  readonly phi: number;
  /** Last 1-second log return (momentum), 0 if unknown. */
  readonly lastReturn: number;
  /** For `twap60`: what is known of the settlement average. Absent: the window is not reached. */
  readonly twap?: TwapProgress;
}

/** P(Up) in [0, 1]. NaN in → NaN out, so a missing input is never mistaken for 50 %. */
export function probUp(input: FairValueInput): number {
  const { spot, strike, secondsLeft: tau, sigmaPerSec: sigma } = input;
  if (!(spot > 0) || !(strike > 0) || Number.isNaN(tau) || !(sigma >= 0)) return Number.NaN;
  const phi = input.phi > 0 && input.phi < 1 ? input.phi : 0;
  if (input.rule === "twap60") return probUpTwap(input, phi);
  if (tau <= 0) return spot >= strike ? 1 : 0;
  const mean = Math.log(spot / strike) + momentum(input.lastReturn, phi, tau);
  const sd = sigma * Math.sqrt(arSumVarianceFactor(phi, tau));
  return digital(mean, sd);
}

function probUpTwap(input: FairValueInput, phi: number): number {
  const { spot, strike, secondsLeft: tau } = input;
  const w = input.twap?.windowSec ?? 60;
  const sigmaL = input.sigmaPerSec * Math.sqrt((1 + phi) / (1 - phi));
  const drift = momentum(input.lastReturn, phi, Math.max(tau, 0));
  if (tau >= w) {
    const sd = sigmaL * Math.sqrt(tau - w + w / 3);
    return digital(Math.log(spot / strike) + drift, sd);
  }
  const seen = input.twap;
  const observedSec = Math.min(w, Math.max(0, seen ? seen.observedSec : 0));
  const observedMean = seen && observedSec > 0 && seen.observedMean > 0 ? seen.observedMean : spot;
  const ahead = Math.max(0, tau);
  // Weights by time: the known part and the part still ahead. If fewer seconds were seen than
  // w − τ (a late start), the unseen past is taken at the observed mean.
  const knownWeight = (w - ahead) / w;
  const aheadWeight = ahead / w;
  const expected = knownWeight * observedMean + aheadWeight * spot * Math.exp(drift);
  if (ahead <= 0) return expected >= strike ? 1 : 0;
  const sdPrice = aheadWeight * spot * sigmaL * Math.sqrt(ahead / 3);
  return digital(expected - strike, sdPrice);
}

/** E[sum of the next τ AR(1) returns | last return r]. */
export function momentum(lastReturn: number, phi: number, tau: number): number {
  if (phi <= 0 || !Number.isFinite(lastReturn) || tau <= 0) return 0;
  return (lastReturn * phi * (1 - phi ** tau)) / (1 - phi);
}

/** Var[sum of the next τ AR(1) returns] / Var(r): τ for phi = 0. */
export function arSumVarianceFactor(phi: number, tau: number): number {
  if (tau <= 0) return 0;
  if (phi <= 0) return tau;
  const s = tau - (2 * phi * (1 - phi ** tau)) / (1 - phi) + (phi * phi * (1 - phi ** (2 * tau))) / (1 - phi * phi);
  return ((1 - phi * phi) / ((1 - phi) * (1 - phi))) * Math.max(s, 0);
}

/** P(N(mean, sd²) ≥ 0), with the degenerate sd = 0 case as a step (ties Up). */
function digital(mean: number, sd: number): number {
  if (!(sd > 0)) return mean >= 0 ? 1 : 0;
  return normCdf(mean / sd);
}

/**
 * Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error
 * < 1.2e-7 everywhere, including the far tails that log loss punishes).
 */
export function normCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

// ---------------------------------------------------------------------------------------------

/**
 * Mean of the settlement prices inside the last `windowSec` before `endMs`, one sample per
 * second (the first update in each second), as the TWAP rule averages them. O(1).
 */
export class SettlementTwap {
  private sum = 0;
  private n = 0;
  private lastSec = Number.NaN;
  private readonly startSec: number;
  private readonly endSec: number;

  constructor(
    endMs: number,
    readonly windowSec = 60,
  ) {
    this.endSec = Math.floor(endMs / 1000);
    this.startSec = this.endSec - windowSec;
  }

  update(price: number, timestampMs: number): void {
    if (!(price > 0)) return;
    const sec = Math.floor(timestampMs / 1000);
    // (start, end]: the window's W one-second samples.
    if (sec <= this.startSec || sec > this.endSec || sec === this.lastSec) return;
    this.lastSec = sec;
    this.sum += price;
    this.n++;
  }

  /** What `probUp` needs; `nowMs` sets how many seconds of the window have elapsed. */
  progress(nowMs: number): TwapProgress {
    const elapsed = Math.min(this.windowSec, Math.max(0, Math.floor(nowMs / 1000) - this.startSec));
    return { windowSec: this.windowSec, observedMean: this.n > 0 ? this.sum / this.n : Number.NaN, observedSec: this.n > 0 ? elapsed : 0 };
  }
}

// ---------------------------------------------------------------------------------------------

export interface BlendOptions {
  readonly secondsLeft: number;
  /** Window length (s); the book's weight falls as the window runs out. */
  readonly windowSec: number;
  /** Model weight at the very start of the window, in [0, 1]. Default 0.6. */
  readonly modelWeightAtStart?: number;
  /** Model weight at the end. Default 0.95: near the end the book lags the underlying. */
  readonly modelWeightAtEnd?: number;
  /** Scales the model's weight (0 = no trust, e.g. a stale underlying feed; 1 = full). Default 1. */
  readonly confidence?: number;
}

/**
 * Weighted mean of the model's P(Up) and the book's microprice (both in [0, 1]). The model
 * weight moves linearly from `modelWeightAtStart` to `modelWeightAtEnd` as time runs out,
 * times `confidence`. A NaN on either side yields the other; both NaN yield NaN.
 */
export function blendFairValue(modelP: number, microprice: number, opts: BlendOptions): number {
  if (Number.isNaN(modelP)) return microprice;
  if (Number.isNaN(microprice)) return modelP;
  const w0 = opts.modelWeightAtStart ?? 0.6;
  const w1 = opts.modelWeightAtEnd ?? 0.95;
  const elapsed = opts.windowSec > 0 ? 1 - Math.min(1, Math.max(0, opts.secondsLeft / opts.windowSec)) : 1;
  const conf = Math.min(1, Math.max(0, opts.confidence ?? 1));
  const w = conf * (w0 + (w1 - w0) * elapsed);
  return w * modelP + (1 - w) * microprice;
}
