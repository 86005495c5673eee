/**
 * One market of one run: fills measured against the market's own mids (spread captured,
 * adverse selection at each mark-out horizon and to the end, resolution P&L, fees and
 * rebates), equity, inventory and cumulative P&L parts over time, time quoting, and the
 * market's charts. The decomposition is documented in report.ts; pure and deterministic.
 */
import { ONE_E4 } from "../core/units.ts";
import {
  CURVE_HORIZONS_S,
  MARKOUT_HORIZONS_S,
  type MarketCharts,
  type MarketStats,
  type PnlParts,
  type RunFill,
  type RunMarket,
  type RunRecord,
} from "./report-types.ts";

/** A market's equity step series and its cumulative parts (spread, fees, rebates, resolution, adverse). */
export interface EquitySeries {
  readonly tMs: number[];
  readonly eq: number[];
  readonly parts: number[][];
}

/** Last finite mid at or before each query, by binary search on a prepared array. */
class MidLookup {
  private readonly t: number[] = [];
  private readonly m: number[] = [];
  constructor(series: RunMarket["series"]) {
    for (let i = 0; i < series.tMs.length; i++) {
      const v = series.midE4[i] as number;
      if (Number.isFinite(v)) {
        this.t.push(series.tMs[i] as number);
        this.m.push(v);
      }
    }
  }
  get empty(): boolean {
    return this.m.length === 0;
  }
  /** YES mid at `tMs` (the first one when `tMs` precedes the data); NaN when none. */
  at(tMs: number): number {
    const t = this.t;
    if (t.length === 0) return Number.NaN;
    let lo = 0;
    let hi = t.length - 1;
    if (tMs < (t[0] as number)) return this.m[0] as number;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((t[mid] as number) <= tMs) lo = mid;
      else hi = mid - 1;
    }
    return this.m[lo] as number;
  }
  /**
   * YES mid just before `tMs` (strictly earlier), falling back to `at`: the mid a fill is
   * measured against, before the book change that came with it (a book moving through our
   * price fills us at the same instant; the spread is the edge against where it was).
   */
  before(tMs: number): number {
    const t = this.t;
    if (t.length === 0 || tMs <= (t[0] as number)) return this.at(tMs);
    let lo = 0;
    let hi = t.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((t[mid] as number) < tMs) lo = mid;
      else hi = mid - 1;
    }
    return this.m[lo] as number;
  }
  firstMs(): number {
    return this.t[0] ?? Number.NaN;
  }
}

const own = (yesMidE4: number, isYes: boolean): number => (isYes ? yesMidE4 : ONE_E4 - yesMidE4);
const signed = (f: RunFill): number => (f.side === "BUY" ? f.sizeE6 : -f.sizeE6);

export function emptyParts(): PnlParts {
  return { spreadE6: 0, adverseEndE6: 0, adverseE6: MARKOUT_HORIZONS_S.map(() => 0), resolutionE6: 0, feesE6: 0, rebatesE6: 0, totalE6: 0 };
}

export function addParts(a: PnlParts, b: PnlParts): void {
  a.spreadE6 += b.spreadE6;
  a.adverseEndE6 += b.adverseEndE6;
  for (let i = 0; i < a.adverseE6.length; i++) a.adverseE6[i] = (a.adverseE6[i] as number) + (b.adverseE6[i] as number);
  a.resolutionE6 += b.resolutionE6;
  a.feesE6 += b.feesE6;
  a.rebatesE6 += b.rebatesE6;
  a.totalE6 += b.totalE6;
}

interface Step {
  readonly tMs: number;
  readonly kind: 0 | 1 | 2 | 3; // mid change, fill, merge, resolution (ties in that order)
  readonly i: number;
}

/** Everything about one market of one run. */
export function analyseMarket(
  run: RunRecord,
  m: RunMarket,
  fills: readonly RunFill[],
): { stats: MarketStats; charts: MarketCharts; equity: EquitySeries } {
  const mids = new MidLookup(m.series);
  const dataEndMs = Math.min(run.endMs, m.endMs);
  const yesEnd = mids.at(dataEndMs);
  const vYes = m.resolution ? (m.resolution.yesWon ? ONE_E4 : 0) : yesEnd;
  const p = emptyParts();
  const curveNum = CURVE_HORIZONS_S.map(() => 0);
  let curveDen = 0;
  let volume = 0;
  let notional = 0;
  let maker = 0;
  const causes: Record<string, number> = {};
  for (const f of fills) {
    const q = signed(f);
    const mt0 = mids.before(f.tMs);
    const mt = Number.isFinite(mt0) ? own(mt0, f.isYes) : f.priceE4;
    const mEnd = Number.isFinite(yesEnd) ? own(yesEnd, f.isYes) : mt;
    const v = Number.isFinite(vYes) ? own(vYes, f.isYes) : mEnd;
    p.spreadE6 += (q * (mt - f.priceE4)) / ONE_E4;
    p.adverseEndE6 += (q * (mEnd - mt)) / ONE_E4;
    p.resolutionE6 += (q * (v - mEnd)) / ONE_E4;
    p.feesE6 += f.feeE6;
    p.rebatesE6 += f.rebateE6;
    MARKOUT_HORIZONS_S.forEach((h, k) => {
      const x = mids.at(Math.min(f.tMs + h * 1000, dataEndMs));
      const mh = Number.isFinite(x) ? own(x, f.isYes) : mt;
      p.adverseE6[k] = (p.adverseE6[k] as number) + (q * (mh - mt)) / ONE_E4;
    });
    CURVE_HORIZONS_S.forEach((h, k) => {
      const x = h === 0 ? mt0 : mids.at(Math.min(f.tMs + h * 1000, dataEndMs));
      const mh = Number.isFinite(x) ? own(x, f.isYes) : mt;
      curveNum[k] = (curveNum[k] as number) + q * (mh - f.priceE4);
    });
    curveDen += f.sizeE6;
    volume += f.sizeE6;
    notional += (f.sizeE6 * f.priceE4) / ONE_E4;
    if (f.liquidity === "maker") maker++;
    causes[f.cause] = (causes[f.cause] ?? 0) + 1;
  }
  p.totalE6 = p.spreadE6 + p.adverseEndE6 + p.resolutionE6 - p.feesE6 + p.rebatesE6;

  // Equity, inventory and cumulative parts over time: one ordered pass.
  const steps: Step[] = [];
  m.series.tMs.forEach((t, i) => {
    steps.push({ tMs: t, kind: 0, i });
  });
  fills.forEach((f, i) => {
    steps.push({ tMs: f.tMs, kind: 1, i });
  });
  m.merges.forEach((x, i) => {
    steps.push({ tMs: x.tMs, kind: 2, i });
  });
  if (m.resolution) steps.push({ tMs: m.resolution.tMs, kind: 3, i: 0 });
  steps.sort((a, b) => a.tMs - b.tMs || a.kind - b.kind || a.i - b.i);
  let cash = 0;
  let qYes = 0;
  let qNo = 0;
  let resolved = false;
  let spreadCum = 0;
  let feesCum = 0;
  let rebCum = 0;
  let resCum = 0;
  let maxInv = 0;
  const eqT: number[] = [];
  const eqV: number[] = [];
  const parts: number[][] = [[], [], [], [], []];
  const invT: number[] = [];
  const invV: number[] = [];
  const markYes = (t: number): number => {
    if (resolved && Number.isFinite(vYes)) return vYes;
    const x = mids.at(t);
    return Number.isFinite(x) ? x : 5_000;
  };
  for (const s of steps) {
    if (s.kind === 1) {
      const f = fills[s.i] as RunFill;
      const q = signed(f);
      cash += (-q * f.priceE4) / ONE_E4 - f.feeE6 + f.rebateE6;
      if (f.isYes) qYes += q;
      else qNo += q;
      const mt0 = mids.before(f.tMs);
      const mt = Number.isFinite(mt0) ? own(mt0, f.isYes) : f.priceE4;
      spreadCum += (q * (mt - f.priceE4)) / ONE_E4;
      feesCum += f.feeE6;
      rebCum += f.rebateE6;
    } else if (s.kind === 2) {
      const x = m.merges[s.i] as { sizeE6: number };
      qYes -= x.sizeE6;
      qNo -= x.sizeE6;
      cash += x.sizeE6;
    } else if (s.kind === 3) {
      const mEnd = Number.isFinite(yesEnd) ? yesEnd : 5_000;
      resCum = (qYes * (vYes - mEnd)) / ONE_E4 + (qNo * (ONE_E4 - vYes - (ONE_E4 - mEnd))) / ONE_E4;
      resolved = true;
    }
    if (s.kind !== 0 || qYes !== 0 || qNo !== 0 || eqT.length === 0) {
      const my = markYes(s.tMs);
      const eq = cash + (qYes * my) / ONE_E4 + (qNo * (ONE_E4 - my)) / ONE_E4;
      eqT.push(s.tMs);
      eqV.push(eq);
      parts[0]?.push(spreadCum);
      parts[1]?.push(-feesCum);
      parts[2]?.push(rebCum);
      parts[3]?.push(resCum);
      parts[4]?.push(eq - spreadCum + feesCum - rebCum - resCum);
    }
    if (s.kind !== 0) {
      const net = resolved ? 0 : qYes - qNo;
      if (Math.abs(qYes - qNo) > maxInv) maxInv = Math.abs(qYes - qNo);
      invT.push(s.tMs);
      invV.push(net);
    }
  }

  const maxDd = maxDrawdown(eqT, eqV);
  // Time quoting over the market's data span.
  const spanStart = Number.isFinite(mids.firstMs()) ? Math.max(mids.firstMs(), run.startMs) : run.startMs;
  const spanEnd = Math.max(spanStart, dataEndMs);
  let two = 0;
  let any = 0;
  const qt = m.quotes;
  for (let i = 0; i < qt.tMs.length; i++) {
    const a = Math.max(spanStart, qt.tMs[i] as number);
    const b = Math.min(spanEnd, i + 1 < qt.tMs.length ? (qt.tMs[i + 1] as number) : spanEnd);
    if (b <= a) continue;
    const bid = (qt.bidE4[i] as number) > 0;
    const ask = (qt.askE4[i] as number) > 0;
    if (bid && ask) two += b - a;
    if (bid || ask) any += b - a;
  }
  const span = spanEnd - spanStart;
  const placed = run.orders.byMarket[m.conditionId];
  const stats: MarketStats = {
    conditionId: m.conditionId,
    slug: m.slug,
    fills: fills.length,
    makerFills: maker,
    takerFills: fills.length - maker,
    volumeE6: volume,
    notionalE6: notional,
    ordersPlaced: placed?.placed ?? 0,
    sharesPlacedE6: placed?.placedE6 ?? 0,
    fillRate: placed && placed.placedE6 > 0 ? volume / placed.placedE6 : 0,
    pnl: p,
    maxDrawdownE6: maxDd,
    maxAbsInventoryE6: maxInv,
    quotingTwoSided: span > 0 ? two / span : 0,
    quotingAny: span > 0 ? any / span : 0,
    outcome: m.resolution ? (m.resolution.yesWon ? "YES" : "NO") : "unresolved",
    markoutCurveE4: curveNum.map((x) => (curveDen > 0 ? x / curveDen : Number.NaN)),
    causes,
  };
  const rel = (t: number): number => (t - run.startMs) / 1000;
  const charts: MarketCharts = {
    price: {
      tS: m.series.tMs.map(rel),
      values: {
        mid: [...m.series.midE4],
        bid: m.series.bidE4.map((x) => (x > 0 ? x : Number.NaN)),
        ask: m.series.askE4.map((x) => (x < ONE_E4 ? x : Number.NaN)),
      },
    },
    fills: {
      tS: fills.map((f) => rel(f.tMs)),
      yesPriceE4: fills.map((f) => (f.isYes ? f.priceE4 : ONE_E4 - f.priceE4)),
      buyYes: fills.map((f) => (f.side === "BUY") === f.isYes),
    },
    quotes: { tS: m.quotes.tMs.map(rel), values: { bid: [...m.quotes.bidE4], ask: [...m.quotes.askE4] } },
    inventory: { tS: invT.map(rel), values: { net: invV } },
    pnl: {
      tS: eqT.map(rel),
      values: {
        total: eqV,
        spread: parts[0] ?? [],
        fees: parts[1] ?? [],
        rebates: parts[2] ?? [],
        resolution: parts[3] ?? [],
        adverse: parts[4] ?? [],
      },
    },
  };
  return { stats, charts, equity: { tMs: eqT, eq: eqV, parts } };
}

/** Largest peak-to-trough fall of an equity series (from 0), on the last value of each instant. */
export function maxDrawdown(tMs: readonly number[], eq: readonly number[]): number {
  let peak = 0;
  let dd = 0;
  for (let i = 0; i < eq.length; i++) {
    if (i + 1 < tMs.length && tMs[i + 1] === tMs[i]) continue;
    const v = eq[i] as number;
    if (v > peak) peak = v;
    if (peak - v > dd) dd = peak - v;
  }
  return dd;
}
