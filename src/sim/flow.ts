/**
 * Synthetic participants that keep the simulated books alive (pure: a view and a time go
 * in, actions come out; the exchange executes them through the normal order path, so
 * their fills, fees and balances are real ledger entries).
 *
 * - Passive makers (two): a ladder around their fair value P(Up), computed from the
 *   underlying as they saw it `makerLagMs` ago, requoted every 1–3 s or when fair value
 *   moves a tick; they quote with BUYs only (BUY Up for bids, BUY Down for asks), skew
 *   by inventory and merge their pairs.
 * - A deep ladder: small resting orders on every tick further than 6 c from fair value,
 *   plus large orders at 0.01 / 0.99, as in the recorded books.
 * - Noise takers: Poisson arrivals of marketable FAK orders, random outcome, log-normal
 *   sizes (real trades: 10, 122, 10, 7 shares), mostly BUYs (the real wallet tape is).
 * - Informed takers: see the underlying *now* and take any quote that is wrong by more
 *   than the taker fee plus `informedEdgeE4`. A maker that requotes slower than the
 *   underlying moves is picked off: adverse selection is the point.
 *
 * Calibration targets (docs/simulator.md table): spread 1–2 ticks (recorded V2 15m books:
 * 360 × 0.01, 180 × 0.02 of 540), top-of-book size ~370–530 shares, depth within 5 c of
 * the touch ~2 000–4 300 shares, 36–112 levels per book, ~0.1–0.4 trades/s per live market
 * (el-capturo 4 trades in 39 s; Gamma volume median $776 per 5-minute BTC market).
 */
import type { PriceE4, SizeE6 } from "../core/units.ts";
import { ONE_E4 } from "../core/units.ts";
import { Rng } from "../core/rng.ts";
import { feePerShare } from "../polymarket/fees.ts";
import { type MarketBook, type OrderSpec, type Outcome, type RestingOrder, SIZE_GRID_E6 } from "./matching.ts";
import type { ScheduledMarket } from "./schedule.ts";
import { CALIBRATION, type CoinSymbol, DEFAULT_COINS } from "./underlying.ts";

/** API keys of the synthetic participants (uuid-shaped like real keys). */
export const FLOW_OWNERS = {
  makerA: "5157a000-0000-4000-8000-00000000000a",
  makerB: "5157a000-0000-4000-8000-00000000000b",
  ladder: "5157a000-0000-4000-8000-00000000000c",
  noise: "5157a000-0000-4000-8000-00000000000d",
  informed: "5157a000-0000-4000-8000-00000000000e",
} as const;
export const FLOW_FUNDING_E6 = 100_000_000_000_000; // $100M each: never the binding constraint

export interface FlowConfig {
  readonly makerLagMs: number;
  readonly noiseRatePerSec: number;
  readonly informedRatePerSec: number;
  readonly informedEdgeE4: PriceE4;
  /** Size of a maker's inner level; level k holds base × (1 + growth × k), ±30 % noise. */
  readonly makerBaseSizeE6: SizeE6;
  readonly makerSizeGrowth: number;
  /** Levels a side per maker. */
  readonly ladderLevels: number;
  /** Median size of a noise taker's order (log-normal, σ = 1), in shares. */
  readonly noiseMedianShares: number;
  /** Largest informed take. */
  readonly informedMaxSizeE6: SizeE6;
  /**
   * Dispersion of activity across windows: each market draws a = exp(σ·z), z ~ N(0,1), once,
   * and its noise takers come √a times as often with √a times the size (real 5-minute
   * volumes spread p10 $53 / p50 $776 / p90 $37.8k).
   */
  readonly activitySigma: number;
  /** Inventory (net Up − Down) at which a maker stops adding to that side. */
  readonly makerMaxNetE6: SizeE6;
}

export const DEFAULT_FLOW: FlowConfig = {
  makerLagMs: 1500,
  noiseRatePerSec: 0.04,
  informedRatePerSec: 1,
  informedEdgeE4: 100,
  makerBaseSizeE6: 350_000_000,
  makerSizeGrowth: 0.2,
  ladderLevels: 2,
  noiseMedianShares: 8,
  informedMaxSizeE6: 30_000_000,
  activitySigma: 2.2,
  makerMaxNetE6: 5_000_000_000,
};

export interface FlowMarketView {
  readonly market: ScheduledMarket;
  readonly book: MarketBook;
  /** Settlement reference at the window start; undefined before the start. */
  readonly strike: number | undefined;
}

export interface FlowView {
  readonly nowMs: number;
  markets(): readonly FlowMarketView[];
  /** Underlying now, and as it was at an epoch second (for lagged makers). */
  spot(coin: CoinSymbol): number;
  spotAt(coin: CoinSymbol, sec: number): number;
  ordersOf(owner: string, marketId: string): readonly RestingOrder[];
  position(owner: string, tokenId: string): SizeE6;
}

export type FlowAction =
  | { readonly kind: "place"; readonly order: Omit<OrderSpec, "id"> }
  | { readonly kind: "cancel"; readonly owner: string; readonly orderId: string }
  | { readonly kind: "merge"; readonly owner: string; readonly marketId: string; readonly sizeE6: SizeE6 };

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * P(Up) for a window: spot vs strike, the calibrated vol per √s, time left. Under the
 * TWAP rule the last 60 s are averaged, which removes 2/3 of that minute's variance.
 */
export function fairUp(spot: number, strike: number, sigmaPerRootS: number, secsLeft: number, twap: boolean): number {
  if (!(strike > 0) || !(spot > 0)) return 0.5;
  let varUnits = Math.max(0, secsLeft);
  if (twap) varUnits = secsLeft >= 60 ? secsLeft - 40 : (secsLeft * secsLeft * secsLeft) / (3 * 3600);
  if (varUnits <= 0) return spot >= strike ? 1 : 0;
  return normCdf(Math.log(spot / strike) / (sigmaPerRootS * Math.sqrt(varUnits)));
}

/** Vol per √s at pricing horizons (calibrated: ~1.0e-4 for BTC), times the coin's multiplier. */
export function sigmaOf(coin: CoinSymbol): number {
  const m = DEFAULT_COINS.find((c) => c.symbol === coin)?.volMult ?? 1;
  return CALIBRATION.sigma1s * Math.sqrt((1 + CALIBRATION.phi) / (1 - CALIBRATION.phi)) * m;
}

interface MakerState {
  nextQuoteMs: number;
  lastFairE4: PriceE4;
}

export class SyntheticFlow {
  private readonly rng: Rng;
  private readonly makers = new Map<string, MakerState>();
  private readonly ladderDoneMs = new Map<string, number>();
  private readonly activity = new Map<string, number>();
  private lastMs: number | undefined;

  constructor(
    seed: number,
    readonly cfg: FlowConfig = DEFAULT_FLOW,
  ) {
    this.rng = new Rng(seed ^ 0xf10f_0002);
  }

  /** Everything the participants want to do since the previous step. */
  step(view: FlowView): FlowAction[] {
    const now = view.nowMs;
    const dtSec = this.lastMs === undefined ? 0 : Math.max(0, (now - this.lastMs) / 1000);
    this.lastMs = now;
    const out: FlowAction[] = [];
    const markets = view.markets();
    if (this.activity.size > 4 * markets.length + 16) this.prune(markets);
    for (const mv of markets) {
      const coin = mv.market.coin;
      const lagged = this.fairE4(view, mv, view.spotAt(coin, Math.floor((now - this.cfg.makerLagMs) / 1000)));
      const truth = this.fairE4(view, mv, view.spot(coin));
      this.ladder(view, mv, lagged, out);
      this.maker(view, mv, FLOW_OWNERS.makerA, lagged, 1, 1, out);
      this.maker(view, mv, FLOW_OWNERS.makerB, lagged, 2, 1, out);
      if (mv.strike !== undefined) {
        const id = mv.market.info.conditionId;
        let act = this.activity.get(id);
        if (act === undefined) {
          act = Math.exp(this.cfg.activitySigma * this.rng.normal());
          this.activity.set(id, act);
        }
        for (let k = this.poisson(this.cfg.noiseRatePerSec * Math.sqrt(act) * dtSec); k > 0; k--) this.noise(view, mv, out, Math.sqrt(act));
        if (this.rng.chance(1 - Math.exp(-this.cfg.informedRatePerSec * dtSec))) this.informed(mv, truth, out);
      }
    }
    return out;
  }

  private fairE4(view: FlowView, mv: FlowMarketView, spot: number): PriceE4 {
    const m = mv.market;
    if (mv.strike === undefined) return 5000;
    const s = Number.isFinite(spot) ? spot : view.spot(m.coin);
    const p = fairUp(s, mv.strike, sigmaOf(m.coin), m.endSec - view.nowMs / 1000, m.info.resolution === "twap60");
    return Math.round(p * ONE_E4);
  }

  /**
   * A passive maker: `inner` ticks from fair to its best quote, `levels` levels a side,
   * sizes growing with distance. Bids are BUY Up, asks are BUY Down at 1 − price.
   */
  private maker(
    view: FlowView,
    mv: FlowMarketView,
    owner: string,
    fairE4: PriceE4,
    inner: number,
    sizeMult: number,
    out: FlowAction[],
  ): void {
    const m = mv.market.info;
    const key = `${owner}/${m.conditionId}`;
    const st = this.makers.get(key) ?? { nextQuoteMs: 0, lastFairE4: -1 };
    this.makers.set(key, st);
    const tick = mv.book.tickE4;
    const now = view.nowMs;
    if (now < st.nextQuoteMs && Math.abs(fairE4 - st.lastFairE4) < tick) return;
    st.nextQuoteMs = now + 1000 + this.rng.int(0, 2000);
    st.lastFairE4 = fairE4;
    const net = view.position(owner, m.yesTokenId) - view.position(owner, m.noTokenId);
    const skewE4 = Math.round((-net / this.cfg.makerMaxNetE6) * 2 * tick);
    const center = fairE4 + skewE4;
    const want = new Map<string, SizeE6>(); // "outcome:price" → size
    const base = this.cfg.makerBaseSizeE6 * sizeMult;
    for (let k = 0; k < this.cfg.ladderLevels; k++) {
      const size = roundLot(base * (1 + this.cfg.makerSizeGrowth * k) * (0.7 + 0.6 * this.rng.next()));
      const bid = Math.floor(center / tick) * tick - (inner - 1 + k) * tick;
      const ask = Math.ceil(center / tick) * tick + (inner - 1 + k) * tick;
      if (bid === ask) continue;
      if (bid >= tick && bid < ONE_E4 && net < this.cfg.makerMaxNetE6) want.set(`0:${bid}`, size);
      if (ask <= ONE_E4 - tick && ask > 0 && net > -this.cfg.makerMaxNetE6) want.set(`1:${ONE_E4 - ask}`, size);
    }
    this.reconcile(view, mv, owner, want, out);
    const pairs = Math.min(view.position(owner, m.yesTokenId), view.position(owner, m.noTokenId));
    if (pairs >= 100_000_000) out.push({ kind: "merge", owner, marketId: m.conditionId, sizeE6: roundLot(pairs) });
  }

  /** Deep small levels far from fair value and the big 0.01 / 0.99 walls, refreshed every ~30 s. */
  private ladder(view: FlowView, mv: FlowMarketView, fairE4: PriceE4, out: FlowAction[]): void {
    const m = mv.market.info;
    const owner = FLOW_OWNERS.ladder;
    const band = 600;
    const live = view.ordersOf(owner, m.conditionId);
    // anything that fair value came close to goes at once
    for (const o of live) if (Math.abs(o.bookPriceE4 - fairE4) < band / 2) out.push({ kind: "cancel", owner, orderId: o.id });
    const due = this.ladderDoneMs.get(m.conditionId) ?? -Infinity;
    if (view.nowMs < due) return;
    this.ladderDoneMs.set(m.conditionId, view.nowMs + 20_000 + this.rng.int(0, 20_000));
    const tick = Math.max(mv.book.tickE4, 100);
    const want = new Map<string, SizeE6>();
    for (let p = tick; p <= ONE_E4 - tick; p += tick) {
      if (Math.abs(p - fairE4) < band) continue;
      const wall = p === tick || p === ONE_E4 - tick;
      const size = wall ? roundLot(2_500_000_000 + this.rng.next() * 1_500_000_000) : roundLot(10_000_000 + this.rng.exp(25_000_000));
      if (p < fairE4) want.set(`0:${p}`, size);
      else want.set(`1:${ONE_E4 - p}`, size);
    }
    this.reconcile(view, mv, owner, want, out, true);
  }

  /** Diffs desired BUY orders ("outcome:ownPrice" → size) against live ones: cancel extras, place missing. */
  private reconcile(
    view: FlowView,
    mv: FlowMarketView,
    owner: string,
    want: Map<string, SizeE6>,
    out: FlowAction[],
    keepSizes = false,
  ): void {
    const m = mv.market.info;
    for (const o of view.ordersOf(owner, m.conditionId)) {
      const key = `${o.outcome}:${o.priceE4}`;
      const size = want.get(key);
      if (size !== undefined && (keepSizes || Math.abs(o.remainingE6 - size) < size / 2)) want.delete(key);
      else out.push({ kind: "cancel", owner, orderId: o.id });
    }
    for (const [key, sizeE6] of want) {
      const [oc, pr] = key.split(":");
      const outcome: Outcome = oc === "1" ? 1 : 0;
      out.push({ kind: "place", order: gtc(owner, m.conditionId, outcome, "BUY", Number(pr), sizeE6, true) });
    }
  }

  private noise(view: FlowView, mv: FlowMarketView, out: FlowAction[], sizeMult: number): void {
    const m = mv.market.info;
    const owner = FLOW_OWNERS.noise;
    const outcome: Outcome = this.rng.chance(0.5) ? 0 : 1;
    const token = outcome === 0 ? m.yesTokenId : m.noTokenId;
    const size = roundLot(
      Math.min(
        2_000_000_000,
        Math.max(m.minSizeE6, Math.exp(Math.log(this.cfg.noiseMedianShares * sizeMult) + 1.0 * this.rng.normal()) * 1e6),
      ),
    );
    const held = view.position(owner, token);
    const sell = held >= size && this.rng.chance(0.3);
    const tick = mv.book.tickE4;
    // marketable by two ticks through the touch of this outcome's book
    const bestAskOwn = outcome === 0 ? mv.book.bestAsk : ONE_E4 - mv.book.bestBid;
    const bestBidOwn = outcome === 0 ? mv.book.bestBid : ONE_E4 - mv.book.bestAsk;
    const price = sell ? bestBidOwn - 2 * tick : bestAskOwn + 2 * tick;
    if (price < tick || price > ONE_E4 - tick) return;
    if (!sell && (size * price) / ONE_E4 < 1_000_000) return;
    out.push({
      kind: "place",
      order: { ...gtc(owner, m.conditionId, outcome, sell ? "SELL" : "BUY", price, size, false), orderType: "FAK" },
    });
  }

  /** Takes the best quote on the wrong side of true fair value by more than fee + edge. */
  private informed(mv: FlowMarketView, truthE4: PriceE4, out: FlowAction[]): void {
    const m = mv.market.info;
    const b = mv.book;
    const edge = this.cfg.informedEdgeE4;
    const askFee = feePerShare(b.bestAsk / ONE_E4, m.feeRate, m.feeExponent) * ONE_E4;
    const bidFee = feePerShare(b.bestBid / ONE_E4, m.feeRate, m.feeExponent) * ONE_E4;
    if (b.bestAsk < ONE_E4 && truthE4 - b.bestAsk > askFee + edge) {
      const size = roundLot(Math.min(b.sizeAt("ask", b.bestAsk), this.cfg.informedMaxSizeE6));
      if (size >= m.minSizeE6)
        out.push({
          kind: "place",
          order: { ...gtc(FLOW_OWNERS.informed, m.conditionId, 0, "BUY", b.bestAsk, size, false), orderType: "FAK" },
        });
    } else if (b.bestBid > 0 && b.bestBid - truthE4 > bidFee + edge) {
      const size = roundLot(Math.min(b.sizeAt("bid", b.bestBid), this.cfg.informedMaxSizeE6));
      // selling Up without inventory = buying Down at 1 − bid
      if (size >= m.minSizeE6)
        out.push({
          kind: "place",
          order: { ...gtc(FLOW_OWNERS.informed, m.conditionId, 1, "BUY", ONE_E4 - b.bestBid, size, false), orderType: "FAK" },
        });
    }
  }

  /** Forgets the state of markets that are gone (long runs). */
  private prune(markets: readonly FlowMarketView[]): void {
    const live = new Set(markets.map((m) => m.market.info.conditionId));
    for (const id of this.activity.keys()) if (!live.has(id)) this.activity.delete(id);
    for (const id of this.ladderDoneMs.keys()) if (!live.has(id)) this.ladderDoneMs.delete(id);
    for (const key of this.makers.keys()) if (!live.has(key.slice(key.indexOf("/") + 1))) this.makers.delete(key);
  }

  private poisson(mean: number): number {
    if (mean <= 0) return 0;
    let k = 0;
    let t = this.rng.exp(1);
    while (t < mean) {
      k++;
      t += this.rng.exp(1);
    }
    return k;
  }
}

function roundLot(sizeE6: number): SizeE6 {
  return Math.max(SIZE_GRID_E6, Math.floor(sizeE6 / SIZE_GRID_E6) * SIZE_GRID_E6);
}

function gtc(
  owner: string,
  marketId: string,
  outcome: Outcome,
  side: "BUY" | "SELL",
  priceE4: PriceE4,
  sizeE6: SizeE6,
  postOnly: boolean,
): Omit<OrderSpec, "id"> {
  return { owner, marketId, outcome, side, priceE4, sizeE6, orderType: "GTC", postOnly, expiresAtMs: 0, budgetE6: 0 };
}
