/**
 * `DeltaHedger` (the user's plan): inventory per outcome token, the market's delta, the
 * quote skew that leans against it, and the urgent hedge when it grows too large.
 *
 * Units: shares are SizeE6, prices PriceE4. Delta of a binary market = YES shares − NO
 * shares (a YES+NO pair is worth exactly $1 whatever happens, so only the difference is
 * directional).
 *
 * Skew: q = clamp(delta / fullSkewE6, −1, 1); the YES quotes both move by −q·maxSkewE4 (long
 * YES → bid less eagerly, offer more cheaply) and the NO quotes by +q·maxSkewE4. Bounded by
 * `maxSkewE4`, proportional to inventory until then.
 *
 * Hedge: when |delta| > `hedgeThresholdE6`, `needsHedge` returns a `reduce` action for
 * |delta| − `hedgeTargetE6` shares; `planHedgeOrder` turns it into a taker order, picking the
 * better of two equivalent trades: SELL the excess token at its best bid b, or BUY the other
 * token at its best ask a and later merge the pair (effectively selling at 1 − a).
 * Otherwise, when ≥ `minMergeE6` matched pairs are held, a `merge` action recycles them to
 * collateral (no spread crossed, no fee).
 *
 * Pure and synchronous; `InvariantError` on a fill that would make a position negative
 * (we can only sell what we hold: such a fill means our books are wrong).
 */
import { type BookView, NO_ASK_E4, NO_BID_E4, type Side } from "../core/ports.ts";
import { InvariantError } from "../core/result.ts";
import { ONE_E4, type PriceE4, type SizeE6 } from "../core/units.ts";

export interface HedgeParams {
  /** Largest skew applied to a quote, PriceE4 (200 = 2 cents). */
  readonly maxSkewE4: number;
  /** |delta| at which the skew reaches `maxSkewE4`. */
  readonly fullSkewE6: SizeE6;
  /** |delta| above which a hedge is urgent. */
  readonly hedgeThresholdE6: SizeE6;
  /** |delta| the hedge brings us back to. */
  readonly hedgeTargetE6: SizeE6;
  /** Smallest number of pairs worth a merge transaction. */
  readonly minMergeE6: SizeE6;
}

export const DEFAULT_HEDGE_PARAMS: HedgeParams = {
  maxSkewE4: 200,
  fullSkewE6: 100_000_000,
  hedgeThresholdE6: 150_000_000,
  hedgeTargetE6: 50_000_000,
  minMergeE6: 5_000_000,
};

export interface QuoteAdjustment {
  /** Added to the bid, PriceE4 (integer, may be negative). */
  readonly bidAdjustment: number;
  /** Added to the ask, PriceE4. */
  readonly askAdjustment: number;
}

export type HedgeAction =
  | {
      readonly kind: "reduce";
      readonly conditionId: string;
      /** The token we hold too much of, and its complement. */
      readonly excessTokenId: string;
      readonly otherTokenId: string;
      /** Shares to neutralise (sell of the excess, or buy of the other). */
      readonly sizeE6: SizeE6;
      /** Excess-token shares held now (caps a sell). */
      readonly heldExcessE6: SizeE6;
    }
  | { readonly kind: "merge"; readonly conditionId: string; readonly sizeE6: SizeE6 };

export interface HedgeOrder {
  readonly tokenId: string;
  readonly side: Side;
  /** Worst acceptable price for a FAK/FOK order. */
  readonly limitPriceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly via: "sell_excess" | "buy_other";
}

interface MarketPosition {
  readonly conditionId: string;
  readonly yesTokenId: string;
  readonly noTokenId: string;
  yesE6: number;
  noE6: number;
}

const LOT_E6 = 10_000; // 0.01 share: the size grid

export class DeltaHedger {
  readonly params: HedgeParams;
  private readonly byCondition = new Map<string, MarketPosition>();
  private readonly byToken = new Map<string, MarketPosition>();

  constructor(params: Partial<HedgeParams> = {}) {
    this.params = { ...DEFAULT_HEDGE_PARAMS, ...params };
    if (!(this.params.fullSkewE6 > 0)) throw new RangeError(`fullSkewE6 must be > 0, got ${this.params.fullSkewE6}`);
    if (this.params.hedgeTargetE6 > this.params.hedgeThresholdE6) throw new RangeError("hedgeTargetE6 must be ≤ hedgeThresholdE6");
  }

  /** Registers a market (idempotent); starting positions default to zero. */
  addMarket(conditionId: string, yesTokenId: string, noTokenId: string, yesE6 = 0, noE6 = 0): void {
    if (this.byCondition.has(conditionId)) return;
    const m: MarketPosition = { conditionId, yesTokenId, noTokenId, yesE6, noE6 };
    this.byCondition.set(conditionId, m);
    this.byToken.set(yesTokenId, m);
    this.byToken.set(noTokenId, m);
  }

  removeMarket(conditionId: string): void {
    const m = this.byCondition.get(conditionId);
    if (!m) return;
    this.byCondition.delete(conditionId);
    this.byToken.delete(m.yesTokenId);
    this.byToken.delete(m.noTokenId);
  }

  /** Applies a fill: BUY adds shares of `tokenId`, SELL removes them. Unknown tokens are ignored (false). */
  updatePosition(tokenId: string, sizeE6: SizeE6, side: Side): boolean {
    const m = this.byToken.get(tokenId);
    if (!m) return false;
    if (!(sizeE6 >= 0)) throw new InvariantError(`fill size must be ≥ 0, got ${sizeE6}`);
    const signed = side === "BUY" ? sizeE6 : -sizeE6;
    if (tokenId === m.yesTokenId) m.yesE6 += signed;
    else m.noE6 += signed;
    if (m.yesE6 < 0 || m.noE6 < 0) throw new InvariantError(`negative position in ${m.conditionId}: yes ${m.yesE6}, no ${m.noE6}`);
    return true;
  }

  /** Applies a completed merge of `sizeE6` pairs. */
  applyMerge(conditionId: string, sizeE6: SizeE6): void {
    const m = this.byCondition.get(conditionId);
    if (!m) return;
    m.yesE6 -= sizeE6;
    m.noE6 -= sizeE6;
    if (m.yesE6 < 0 || m.noE6 < 0) throw new InvariantError(`merge of ${sizeE6} exceeds held pairs in ${conditionId}`);
  }

  position(tokenId: string): SizeE6 {
    const m = this.byToken.get(tokenId);
    if (!m) return 0;
    return tokenId === m.yesTokenId ? m.yesE6 : m.noE6;
  }

  /** YES shares − NO shares (SizeE6, signed); 0 for an unknown market. */
  delta(conditionId: string): number {
    const m = this.byCondition.get(conditionId);
    return m ? m.yesE6 - m.noE6 : 0;
  }

  /** Matched YES+NO pairs that a merge would turn back into $1 each. */
  mergeable(conditionId: string): SizeE6 {
    const m = this.byCondition.get(conditionId);
    return m ? Math.min(m.yesE6, m.noE6) : 0;
  }

  /** Skew for `tokenId`'s own quotes (a NO token's quotes lean the opposite way to YES). */
  getQuoteAdjustment(tokenId: string, scale = 1): QuoteAdjustment {
    const m = this.byToken.get(tokenId);
    if (!m) return { bidAdjustment: 0, askAdjustment: 0 };
    const q = clamp((m.yesE6 - m.noE6) / this.params.fullSkewE6, -1, 1);
    const sign = tokenId === m.yesTokenId ? -1 : 1;
    const adj = Math.round(sign * q * this.params.maxSkewE4 * scale) + 0; // + 0 turns −0 into 0
    return { bidAdjustment: adj, askAdjustment: adj };
  }

  /** The most urgent hedge for a market: reduce beats merge; null when none is due. */
  needsHedge(conditionId: string): HedgeAction | null {
    const m = this.byCondition.get(conditionId);
    if (!m) return null;
    const delta = m.yesE6 - m.noE6;
    const p = this.params;
    if (Math.abs(delta) > p.hedgeThresholdE6) {
      const size = Math.floor((Math.abs(delta) - p.hedgeTargetE6) / LOT_E6) * LOT_E6;
      if (size > 0) {
        const longYes = delta > 0;
        return {
          kind: "reduce",
          conditionId,
          excessTokenId: longYes ? m.yesTokenId : m.noTokenId,
          otherTokenId: longYes ? m.noTokenId : m.yesTokenId,
          sizeE6: size,
          heldExcessE6: longYes ? m.yesE6 : m.noE6,
        };
      }
    }
    const pairs = Math.min(m.yesE6, m.noE6);
    if (pairs >= p.minMergeE6 && pairs > 0) return { kind: "merge", conditionId, sizeE6: Math.floor(pairs / LOT_E6) * LOT_E6 };
    return null;
  }

  /** `needsHedge` for every market, in registration order. */
  hedgeActions(): HedgeAction[] {
    const out: HedgeAction[] = [];
    for (const id of this.byCondition.keys()) {
      const a = this.needsHedge(id);
      if (a) out.push(a);
    }
    return out;
  }
}

/**
 * The taker order that carries out a `reduce`: the better of selling the excess at its best
 * bid or buying the complement at its best ask (1 − ask ≥ bid ⇔ buying is cheaper), limited
 * to `maxSlippageE4` beyond the touch. Null when neither book offers anything.
 */
export function planHedgeOrder(
  action: Extract<HedgeAction, { kind: "reduce" }>,
  excessBook: BookView,
  otherBook: BookView,
  maxSlippageE4 = 200,
): HedgeOrder | null {
  const bid = excessBook.stale ? NO_BID_E4 : excessBook.bestBidE4();
  const ask = otherBook.stale ? NO_ASK_E4 : otherBook.bestAskE4();
  const sellValue = bid > NO_BID_E4 ? bid : -1;
  const buyValue = ask < NO_ASK_E4 ? ONE_E4 - ask : -1;
  if (sellValue < 0 && buyValue < 0) return null;
  const sellSize = Math.min(action.sizeE6, Math.floor(action.heldExcessE6 / LOT_E6) * LOT_E6);
  if (sellValue >= buyValue && sellSize > 0) {
    const tick = excessBook.tickE4;
    const limit = Math.max(tick, bid - maxSlippageE4);
    return {
      tokenId: action.excessTokenId,
      side: "SELL",
      limitPriceE4: Math.ceil(limit / tick) * tick,
      sizeE6: sellSize,
      via: "sell_excess",
    };
  }
  if (buyValue < 0) return null;
  const tick = otherBook.tickE4;
  const limit = Math.min(ONE_E4 - tick, ask + maxSlippageE4);
  return {
    tokenId: action.otherTokenId,
    side: "BUY",
    limitPriceE4: Math.floor(limit / tick) * tick,
    sizeE6: action.sizeE6,
    via: "buy_other",
  };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
