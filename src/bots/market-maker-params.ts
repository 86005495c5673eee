/**
 * Everything the market maker is tuned by, as one frozen value, and its derivation from the
 * user's `Config` keys (docs/config.md). Kept apart from the bot so tests, the backtester and
 * the benches build a bot without a `Config`.
 *
 * Derived values a reader might question:
 * - `RISK_CIRCUIT_BREAKER_VOL` is a multiple of normal volatility (default 3); the breaker
 *   works on the 0–100 score of `VolatilityEngine`, where stress s maps to
 *   100·(s − 1)/(maxStress − 1). So 3× normal with maxStress 4 is score 66.7.
 * - The inventory skew reaches its maximum (`maxSkewE4` = half the base spread) at
 *   MM_MAX_POSITION / $0.50 / 2 shares (half the position limit at an even price); an urgent
 *   hedge starts at twice that, so the gate's dollar limit normally binds first.
 */
import type { Config } from "../config.ts";
import type { RiskLimits } from "../risk/gate.ts";
import type { BreakerParams } from "../risk/breaker.ts";
import type { HedgeParams } from "../strategy/delta-hedge.ts";
import { DEFAULT_QUOTE_PARAMS, DEFAULT_JUMP_PARAMS, type JumpParams, type QuoteParams } from "../strategy/quote.ts";
import { DEFAULT_VOLATILITY_PARAMS, type VolatilityParams } from "../strategy/volatility.ts";

export interface MarketMakerParams {
  readonly quote: QuoteParams;
  /** MM_REQUOTE_THRESHOLD, PriceE4. */
  readonly requoteThresholdE4: number;
  readonly hedge: HedgeParams;
  readonly jump: JumpParams;
  /** After a pre-emptive cancel, the exposed side stays empty this long (clock ms). */
  readonly jumpCooldownMs: number;
  /** After a reject, that side waits this long before it is placed again. */
  readonly rejectCooldownMs: number;
  readonly risk: RiskLimits;
  readonly breaker: BreakerParams;
  /** Token-price volatility engine (absolute returns). */
  readonly tokenVol: Partial<VolatilityParams>;
  /** Underlying volatility engine (log returns). */
  readonly underlyingVol: Partial<VolatilityParams>;
  /** Model weight in the fair value at the window's start and end (the rest is the microprice). */
  readonly modelWeightAtStart: number;
  readonly modelWeightAtEnd: number;
  /** Time constant of the exponential smoothing of the YES microprice (0 = raw). */
  readonly micropriceSmoothingMs: number;
  /**
   * Up/Down markets are quoted only with the model (strike known, underlying fresh and warm);
   * false falls back to the book's microprice alone.
   */
  readonly requireModel: boolean;
  /** Underlying 1-s returns needed before the model is trusted. */
  readonly minUnderlyingSamples: number;
  /** Seconds a quote is exposed before we can move it (reaction time to an underlying tick). */
  readonly adverseHorizonSec: number;
  /** Half-spread ≥ this × the fair value's move over that horizon. */
  readonly adverseCover: number;
  /** Before the quoting stop, this long of reduce-only quoting (|YES − NO| ≤ one order size). */
  readonly reduceOnlyBeforeEndMs: number;
  /** Risk checks period (the user's "cada 1s"). */
  readonly riskCheckMs: number;
  /** Hand each market's current quotes to the venue's pre-signed pool (`ExchangeClient.prepare`). */
  readonly presign: boolean;
  /** Largest taker slippage an urgent hedge accepts, PriceE4. */
  readonly hedgeSlippageE4: number;
  /** Whether urgent hedges send taker orders (merges always run). */
  readonly takerHedges: boolean;
  /**
   * The `status` event of the event log: every this many clock ms (simulated time on the
   * simulator), one line with each market's book, quotes, fair value and inventory; 0 = none.
   */
  readonly statusLogMs: number;
}

export const DEFAULT_MM_PARAMS: MarketMakerParams = {
  quote: { ...DEFAULT_QUOTE_PARAMS, stopBeforeEndMs: 30_000 },
  requoteThresholdE4: 50,
  hedge: { maxSkewE4: 100, fullSkewE6: 100_000_000, hedgeThresholdE6: 200_000_000, hedgeTargetE6: 50_000_000, minMergeE6: 5_000_000 },
  jump: DEFAULT_JUMP_PARAMS,
  jumpCooldownMs: 750,
  rejectCooldownMs: 1_000,
  risk: {
    maxPositionUsdE6: 100_000_000,
    maxTotalExposureUsdE6: 500_000_000,
    maxCorrelatedExposureUsdE6: 250_000_000,
    dailyLossLimitUsdE6: 50_000_000,
  },
  breaker: {
    volTripScore: 66.7,
    volClearScore: 50,
    staleFeedMs: 5_000,
    dailyLossLimitUsdE6: 50_000_000,
    clearAfterMs: 10_000,
    historyLimit: 1_000,
  },
  tokenVol: { lookback: 100, baselineLookback: 2_000 },
  underlyingVol: { lookback: 100, baselineLookback: 2_000 },
  modelWeightAtStart: 0.6,
  modelWeightAtEnd: 0.95,
  micropriceSmoothingMs: 2_000,
  requireModel: true,
  minUnderlyingSamples: 30,
  adverseHorizonSec: 1,
  adverseCover: 1,
  reduceOnlyBeforeEndMs: 120_000,
  riskCheckMs: 1_000,
  presign: true,
  hedgeSlippageE4: 200,
  takerHedges: true,
  statusLogMs: 1_000,
};

/** Stress multiple (RISK_CIRCUIT_BREAKER_VOL) → volatility score, for a given `maxStress`. */
export function volScoreOfMultiple(multiple: number, maxStress = DEFAULT_VOLATILITY_PARAMS.maxStress): number {
  return Math.min(100, Math.max(0, (100 * (multiple - 1)) / (maxStress - 1)));
}

/** The bot's parameters from the user's configuration. */
export function marketMakerParamsFromConfig(config: Config): MarketMakerParams {
  const mm = config.mm;
  const r = config.risk;
  const d = DEFAULT_MM_PARAMS;
  const tripScore = volScoreOfMultiple(r.circuitBreakerVolScore);
  // Shares at which the skew is full: half the position limit at $0.50 a share.
  const fullSkewE6 = Math.max(mm.orderSizeE6, Math.floor(mm.maxPositionUsdE6 / 10_000) * 10_000);
  const lookback = Math.max(2, mm.volatilityLookback);
  return {
    ...d,
    quote: {
      ...d.quote,
      baseSpreadE4: mm.baseSpreadE4,
      minSpreadE4: mm.minSpreadE4,
      maxSpreadE4: mm.maxSpreadE4,
      orderSizeE6: mm.orderSizeE6,
      stopBeforeEndMs: mm.stopBeforeEndMs,
    },
    requoteThresholdE4: mm.requoteThresholdE4,
    hedge: {
      ...d.hedge,
      maxSkewE4: Math.max(1, Math.round(mm.baseSpreadE4 / 2)),
      fullSkewE6,
      hedgeThresholdE6: 2 * fullSkewE6,
      hedgeTargetE6: Math.floor(fullSkewE6 / 2 / 10_000) * 10_000,
    },
    risk: {
      maxPositionUsdE6: mm.maxPositionUsdE6,
      maxTotalExposureUsdE6: r.maxTotalExposureUsdE6,
      maxCorrelatedExposureUsdE6: r.maxCorrelatedExposureUsdE6,
      dailyLossLimitUsdE6: r.dailyLossLimitUsdE6,
    },
    breaker: {
      ...d.breaker,
      volTripScore: tripScore,
      volClearScore: Math.max(0, tripScore * 0.75),
      staleFeedMs: r.staleFeedMs,
      dailyLossLimitUsdE6: r.dailyLossLimitUsdE6,
    },
    tokenVol: { ...d.tokenVol, lookback, baselineLookback: 20 * lookback },
    underlyingVol: { ...d.underlyingVol, lookback, baselineLookback: 20 * lookback },
  };
}
