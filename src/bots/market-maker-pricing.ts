/**
 * The market maker's pricing decisions around the pure strategy functions: the fair value of
 * one market now (the digital model on the underlying, blended with the smoothed microprice),
 * the volatility multiplier that also covers the fair value's own short-term move, and the
 * end-game quote parameters. Pure: state and time come in as arguments.
 */
import { ONE_E4 } from "../core/units.ts";
import type { MarketState, UnderlyingState } from "../engine/markets.ts";
import { blendFairValue, probUp } from "../strategy/fair-value.ts";
import type { QuoteParams } from "../strategy/quote.ts";
import type { VolatilityRecommendations } from "../strategy/volatility.ts";
import type { MarketMakerParams } from "./market-maker-params.ts";

export interface FairValue {
  /** Blended P(Up) in (0, 1); NaN when the market must not be quoted on it. */
  readonly fairValue: number;
  /** The model's P(Up) alone (NaN without a strike or an underlying). */
  readonly modelP: number;
  /** One-sd move of P(Up) over `adverseHorizonSec`, PriceE4 (NaN without a model). */
  readonly pMoveE4: number;
}

/**
 * Fair value of `m` at `nowMs`. `micro` is the YES microprice in [0, 1] (NaN on a stale or
 * one-sided book). The model counts only when the strike is known, the underlying is fresh
 * (≤ `staleFeedMs` old) and warm (≥ `minUnderlyingSamples` returns).
 *
 * An Up/Down market priced by the book alone is priced by whoever moved it last: the informed
 * flow. So without a model (the window started before the bot saw its strike) the fair value
 * is NaN — not quoted — unless `requireModel` is off.
 */
export function fairValueOf(
  m: MarketState<unknown>,
  u: UnderlyingState | undefined,
  micro: number,
  nowMs: number,
  p: MarketMakerParams,
): FairValue {
  const info = m.info;
  const secondsLeft = (info.endMs - nowMs) / 1000;
  let modelP = Number.NaN;
  let pMoveE4 = Number.NaN;
  let confidence = 0;
  if (u && m.strike > 0) {
    const sigma = u.vol.sigmaPerSec();
    const at = (spot: number) =>
      probUp({
        rule: info.resolution,
        spot,
        strike: m.strike,
        secondsLeft,
        sigmaPerSec: sigma,
        phi: u.vol.phi(),
        lastReturn: u.vol.lastReturn(nowMs),
        twap: m.twap.progress(nowMs),
      });
    modelP = at(u.lastPrice);
    // P(Up) one standard deviation of the underlying up and down over the horizon.
    const shift = sigma * Math.sqrt(p.adverseHorizonSec);
    pMoveE4 = (Math.abs(at(u.lastPrice * Math.exp(shift)) - at(u.lastPrice * Math.exp(-shift))) / 2) * ONE_E4;
    const fresh = nowMs - u.lastRecvMs <= p.breaker.staleFeedMs;
    confidence = fresh && u.vol.samples() >= p.minUnderlyingSamples ? 1 : 0;
  }
  if (confidence === 0) return { fairValue: info.underlying !== "" && p.requireModel ? Number.NaN : micro, modelP, pMoveE4 };
  const fairValue = blendFairValue(modelP, micro, {
    secondsLeft,
    windowSec: info.windowSec > 0 ? info.windowSec : Math.max(1, (info.endMs - info.startMs) / 1000),
    modelWeightAtStart: p.modelWeightAtStart,
    modelWeightAtEnd: p.modelWeightAtEnd,
    confidence,
  });
  return { fairValue, modelP, pMoveE4 };
}

/**
 * The volatility multiplier also answers to the fair value's own volatility: a quote rests
 * for about `adverseHorizonSec` before we can move it, and over that time P(Up) moves by
 * `pMoveE4`. A half-spread smaller than `adverseCover` × that move is picked off by whoever
 * sees the move first, so the multiplier is at least that; when even MM_MAX_SPREAD cannot
 * cover it (the money line in the last minute), the market is not quoted.
 */
export function withModelVolatility(recs: VolatilityRecommendations, pMoveE4: number, p: MarketMakerParams): VolatilityRecommendations {
  if (!(pMoveE4 > 0)) return recs;
  const needE4 = 2 * p.adverseCover * pMoveE4;
  if (needE4 > p.quote.maxSpreadE4) return { ...recs, shouldQuote: false };
  const mult = needE4 / p.quote.baseSpreadE4;
  return mult > recs.spreadMultiplier ? { ...recs, spreadMultiplier: mult } : recs;
}

/**
 * The quote parameters for a market ending at `endMs`: in the last `reduceOnlyBeforeEndMs`
 * before the quoting stop, a side that would take |YES − NO| beyond one order size is not
 * quoted, so the market ends flat or paired (merged) rather than holding a losing side.
 */
export function endGameQuoteParams(endMs: number, nowMs: number, p: MarketMakerParams): QuoteParams {
  const q = p.quote;
  if (nowMs < endMs - q.stopBeforeEndMs - p.reduceOnlyBeforeEndMs) return q;
  return { ...q, maxInventoryE6: q.maxInventoryE6 > 0 ? Math.min(q.maxInventoryE6, q.orderSizeE6) : q.orderSizeE6 };
}
