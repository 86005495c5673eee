/**
 * Arbitrage gaps for the simulator (issue 8): an off-by-default knob that now and then rests
 * one order *across* a market's shared book, so that YES ask + NO ask < $1 for a while.
 *
 * Why a knob: Polymarket matches complementary orders (mint and merge, protocol notes §8.3),
 * so its resting books always satisfy YES ask + NO ask = $1 + spread; a faithful matching
 * engine never shows a buy-both gap. On the live venue such gaps are seen only for a frame
 * or two (crossed V2 bursts, shared/data SOURCES.md) or never (a scan of 300 binary markets
 * found none). This participant stands in for those moments: the venue "fails to match" one
 * order for `ttlMs`, after which its owner pulls it. Anyone may trade with it meanwhile —
 * the arbitrage bot, the informed takers (they take any quote wrong by more than fee +
 * edge), the makers' next marketable order — so bigger gaps close faster, as they would.
 *
 * Shape of one dislocation in the market's YES-price book (touch bid b, ask a):
 *   "cheap YES": BUY NO at 1 − (b − g) rests as a YES-terms ask at b − g → YES ask b − g,
 *               NO ask 1 − b: the pair costs 1 − g at the touch;
 *   "cheap NO":  BUY YES at a + g rests as a YES-terms bid at a + g → NO ask 1 − a − g,
 *               YES ask a: the pair costs 1 − g.
 * The gap g is uniform on the tick grid in [minGapE4, maxGapE4], so some gaps are erased by
 * the taker fees (~3.5 c a pair at 0.50) and some are not; sizes are log-normal.
 *
 * Pure: time and the books come in, orders to rest come out (exchange.ts rests them with
 * `match = false` and cancels them when their time is up). Seeded: same seed, same gaps.
 */
import { Rng } from "../core/rng.ts";
import { ONE_E4, type PriceE4, type SizeE6 } from "../core/units.ts";
import { type MarketBook, type Outcome, SIZE_GRID_E6 } from "./matching.ts";

export interface DislocationConfig {
  /** Mean dislocations per open, started market per minute. */
  readonly ratePerMin: number;
  /** Gap below $1 at the touch, PriceE4, drawn uniformly on the tick grid. */
  readonly minGapE4: PriceE4;
  readonly maxGapE4: PriceE4;
  /** Median size, shares (log-normal, σ = 0.6), at least the market's minimum. */
  readonly medianSizeE6: SizeE6;
  /** How long the order rests before its owner cancels it. */
  readonly ttlMs: number;
  /** No dislocation in the last `quietBeforeEndMs` of a window. */
  readonly quietBeforeEndMs: number;
}

/** Roughly one gap per market every two minutes, 1–8 c deep, ~40 shares, up to 2.5 s. */
export const DEFAULT_DISLOCATION: DislocationConfig = {
  ratePerMin: 0.5,
  minGapE4: 100,
  maxGapE4: 800,
  medianSizeE6: 40_000_000,
  ttlMs: 2_500,
  quietBeforeEndMs: 30_000,
};

/** API key of the dislocating participant (uuid-shaped like FLOW_OWNERS). */
export const DISLOCATION_OWNER = "5157a000-0000-4000-8000-00000000000f";

export interface DislocationMarketView {
  readonly marketId: string;
  readonly book: MarketBook;
  /** The window has started (a strike exists). */
  readonly started: boolean;
  readonly endMs: number;
  readonly minSizeE6: SizeE6;
}

/** A BUY to rest unmatched: `outcome` at its own-token `priceE4`. */
export interface DislocationOrder {
  readonly marketId: string;
  readonly outcome: Outcome;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  /** The gap it opens at the touch, PriceE4. */
  readonly gapE4: PriceE4;
}

export class Dislocations {
  private readonly rng: Rng;
  private lastMs: number | undefined;

  constructor(
    seed: number,
    readonly cfg: DislocationConfig = DEFAULT_DISLOCATION,
  ) {
    if (!(cfg.ratePerMin >= 0) || cfg.minGapE4 <= 0 || cfg.maxGapE4 < cfg.minGapE4 || !(cfg.ttlMs > 0)) {
      throw new RangeError(`dislocation config: need ratePerMin ≥ 0, 0 < minGapE4 ≤ maxGapE4, ttlMs > 0 (got ${JSON.stringify(cfg)})`);
    }
    this.rng = new Rng(seed ^ 0xd151_0c8e);
  }

  step(nowMs: number, markets: Iterable<DislocationMarketView>): DislocationOrder[] {
    const dtSec = this.lastMs === undefined ? 0 : Math.max(0, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    const out: DislocationOrder[] = [];
    if (dtSec === 0 || this.cfg.ratePerMin === 0) return out;
    const p = 1 - Math.exp((-this.cfg.ratePerMin / 60) * dtSec);
    for (const m of markets) {
      if (!m.started || nowMs > m.endMs - this.cfg.quietBeforeEndMs) continue;
      if (!this.rng.chance(p)) continue;
      const o = this.plan(m);
      if (o) out.push(o);
    }
    return out;
  }

  private plan(m: DislocationMarketView): DislocationOrder | null {
    const b = m.book;
    const tick = b.tickE4;
    if (b.bestBid <= 0 || b.bestAsk >= ONE_E4) return null;
    const steps = Math.floor((this.cfg.maxGapE4 - this.cfg.minGapE4) / tick);
    const gap = Math.ceil(this.cfg.minGapE4 / tick) * tick + this.rng.int(0, Math.max(0, steps)) * tick;
    const raw = Math.exp(Math.log(this.cfg.medianSizeE6) + 0.6 * this.rng.normal());
    const sizeE6 = Math.max(m.minSizeE6, Math.floor(raw / SIZE_GRID_E6) * SIZE_GRID_E6);
    if (this.rng.chance(0.5)) {
      const yesAsk = b.bestBid - gap; // cheap YES: BUY NO at 1 − yesAsk
      if (yesAsk < tick) return null;
      return { marketId: m.marketId, outcome: 1, priceE4: ONE_E4 - yesAsk, sizeE6, gapE4: gap };
    }
    const yesBid = b.bestAsk + gap; // cheap NO: BUY YES at yesBid
    if (yesBid > ONE_E4 - tick) return null;
    return { marketId: m.marketId, outcome: 0, priceE4: yesBid, sizeE6, gapE4: gap };
  }
}
