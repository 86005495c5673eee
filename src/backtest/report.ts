/**
 * The report: from a `RunRecord` (a backtest, or `analyze` over the logs of a live, paper or
 * simulator run) to P&L by component, fills, fill rate, inventory, drawdown, time quoting
 * and latency, per market and in total — and the terminal summary. html.ts draws the same
 * numbers. Pure and deterministic: the same record gives the same report, byte for byte
 * (no "now", records sorted by market id, numbers printed with fixed decimals).
 *
 * P&L decomposition (docs/backtest.md, "The report"). A fill of signed size q (+ buy) at
 * price p on a token whose mid was m(t) just before the fill, m_end at the end of the market's data
 * (or at its window end) and which finally pays V ($1/$0 when resolved, else m_end):
 *
 *   q·(V − p) = q·(m(t) − p)          spread captured
 *             + q·(m_end − m(t))      adverse selection (to the end of the market)
 *             + q·(V − m_end)         resolution P&L
 *
 * and total P&L = Σ of those − fees + rebates. Mark-outs at 1 s, 10 s and 60 s are
 * q·(m(t+h) − m(t)) (the adverse part at that horizon); the mark-out curve plots
 * q·(m(t+h) − p) per share over h. NO-token mids are 1 − the YES mid (the books mirror).
 * Merges are conversions at $1 and move no component. Money in UsdE6, shown in dollars.
 */
import { ONE_E4 } from "../core/units.ts";

export type FillLiquidity = "maker" | "taker";

export interface RunFill {
  readonly tMs: number;
  readonly conditionId: string;
  readonly isYes: boolean;
  readonly side: "BUY" | "SELL";
  readonly priceE4: number;
  readonly sizeE6: number;
  readonly feeE6: number;
  readonly rebateE6: number;
  readonly liquidity: FillLiquidity;
  /** queue / trade_through / book_through / taker for a backtest; "live" from logs. */
  readonly cause: string;
}

export interface RunMarket {
  readonly conditionId: string;
  readonly slug: string;
  readonly startMs: number;
  readonly endMs: number;
  /** YES top of book over time; mid NaN when one-sided. */
  readonly series: { readonly tMs: number[]; readonly midE4: number[]; readonly bidE4: number[]; readonly askE4: number[] };
  /** Our best resting bid/ask in YES terms at each change; 0 = none. */
  readonly quotes: { readonly tMs: number[]; readonly bidE4: number[]; readonly askE4: number[] };
  readonly resolution: { readonly tMs: number; readonly yesWon: boolean } | null;
  readonly merges: readonly { readonly tMs: number; readonly sizeE6: number }[];
}

export interface RunRecord {
  /** "mm", "naive", "arb", or the run's name. */
  readonly label: string;
  readonly source: "backtest" | "logs";
  readonly settings: readonly (readonly [string, string])[];
  readonly startMs: number;
  readonly endMs: number;
  readonly markets: readonly RunMarket[];
  readonly fills: readonly RunFill[];
  readonly orders: {
    readonly byMarket: Readonly<Record<string, { readonly placed: number; readonly placedE6: number; readonly rejected: number }>>;
    readonly rejectsByCode: Readonly<Record<string, number>>;
    readonly cancels: number;
    readonly cancelsTooLate: number;
    readonly filledWhileCancellingE6: number;
  };
  readonly latencies: { readonly placeAckMs: readonly number[]; readonly cancelMs: readonly number[] };
  readonly counters: Readonly<Record<string, number>>;
}

export const MARKOUT_HORIZONS_S: readonly number[] = [1, 10, 60];
export const CURVE_HORIZONS_S: readonly number[] = [0, 1, 2, 5, 10, 20, 30, 60];

export interface PnlParts {
  spreadE6: number;
  adverseEndE6: number;
  /** By horizon, in MARKOUT_HORIZONS_S order. */
  adverseE6: number[];
  resolutionE6: number;
  feesE6: number;
  rebatesE6: number;
  totalE6: number;
}

export interface MarketStats {
  readonly conditionId: string;
  readonly slug: string;
  readonly fills: number;
  readonly makerFills: number;
  readonly takerFills: number;
  readonly volumeE6: number;
  readonly notionalE6: number;
  readonly ordersPlaced: number;
  readonly sharesPlacedE6: number;
  /** Filled shares / placed shares. */
  readonly fillRate: number;
  readonly pnl: PnlParts;
  readonly maxDrawdownE6: number;
  readonly maxAbsInventoryE6: number;
  /** Share of the market's data span with a bid and an ask resting / with any side. */
  readonly quotingTwoSided: number;
  readonly quotingAny: number;
  readonly outcome: "YES" | "NO" | "unresolved";
  /** Mark-out per share at each CURVE_HORIZONS_S, PriceE4 (NaN without fills). */
  readonly markoutCurveE4: number[];
  readonly causes: Readonly<Record<string, number>>;
}

export interface ChartSeries {
  readonly tS: number[];
  readonly values: Record<string, number[]>;
}

export interface MarketCharts {
  readonly price: ChartSeries;
  readonly fills: { readonly tS: number[]; readonly yesPriceE4: number[]; readonly buyYes: boolean[] };
  /** Our resting bid/ask (YES terms, 0 = none) at each change. */
  readonly quotes: ChartSeries;
  readonly inventory: ChartSeries;
  readonly pnl: ChartSeries;
}

export interface Report {
  readonly label: string;
  readonly settings: readonly (readonly [string, string])[];
  readonly startMs: number;
  readonly endMs: number;
  readonly markets: readonly MarketStats[];
  readonly total: MarketStats;
  readonly charts: ReadonlyMap<string, MarketCharts>;
  readonly totalPnlChart: ChartSeries;
  readonly latency: { readonly placeAckMs: readonly number[]; readonly cancelMs: readonly number[] };
  readonly orders: RunRecord["orders"];
  readonly counters: RunRecord["counters"];
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

function emptyParts(): PnlParts {
  return { spreadE6: 0, adverseEndE6: 0, adverseE6: MARKOUT_HORIZONS_S.map(() => 0), resolutionE6: 0, feesE6: 0, rebatesE6: 0, totalE6: 0 };
}

function addParts(a: PnlParts, b: PnlParts): void {
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
function analyseMarket(run: RunRecord, m: RunMarket, fills: readonly RunFill[]): { stats: MarketStats; charts: MarketCharts; equity: { tMs: number[]; eq: number[]; parts: number[][] } } {
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
  m.series.tMs.forEach((t, i) => steps.push({ tMs: t, kind: 0, i }));
  fills.forEach((f, i) => steps.push({ tMs: f.tMs, kind: 1, i }));
  m.merges.forEach((x, i) => steps.push({ tMs: x.tMs, kind: 2, i }));
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
    markoutCurveE4: curveNum.map((x) => (curveDen > 0 ? (x / curveDen) : Number.NaN)),
    causes,
  };
  const rel = (t: number): number => (t - run.startMs) / 1000;
  const charts: MarketCharts = {
    price: {
      tS: m.series.tMs.map(rel),
      values: { mid: [...m.series.midE4], bid: m.series.bidE4.map((x) => (x > 0 ? x : Number.NaN)), ask: m.series.askE4.map((x) => (x < ONE_E4 ? x : Number.NaN)) },
    },
    fills: {
      tS: fills.map((f) => rel(f.tMs)),
      yesPriceE4: fills.map((f) => (f.isYes ? f.priceE4 : ONE_E4 - f.priceE4)),
      buyYes: fills.map((f) => (f.side === "BUY") === f.isYes),
    },
    quotes: { tS: m.quotes.tMs.map(rel), values: { bid: [...m.quotes.bidE4], ask: [...m.quotes.askE4] } },
    inventory: { tS: invT.map(rel), values: { net: invV } },
    pnl: { tS: eqT.map(rel), values: { total: eqV, spread: parts[0] ?? [], fees: parts[1] ?? [], rebates: parts[2] ?? [], resolution: parts[3] ?? [], adverse: parts[4] ?? [] } },
  };
  return { stats, charts, equity: { tMs: eqT, eq: eqV, parts } };
}

export function buildReport(run: RunRecord): Report {
  const markets = [...run.markets].sort((a, b) => (a.conditionId < b.conditionId ? -1 : a.conditionId > b.conditionId ? 1 : 0));
  const byMarket = new Map<string, RunFill[]>();
  for (const f of run.fills) {
    let l = byMarket.get(f.conditionId);
    if (!l) {
      l = [];
      byMarket.set(f.conditionId, l);
    }
    l.push(f);
  }
  const stats: MarketStats[] = [];
  const charts = new Map<string, MarketCharts>();
  const equities: { tMs: number[]; eq: number[]; parts: number[][] }[] = [];
  for (const m of markets) {
    const fills = (byMarket.get(m.conditionId) ?? []).slice().sort((a, b) => a.tMs - b.tMs);
    const r = analyseMarket(run, m, fills);
    stats.push(r.stats);
    charts.set(m.conditionId, r.charts);
    equities.push(r.equity);
  }
  const total = totalOf(stats, equities, run);
  return {
    label: run.label,
    settings: run.settings,
    startMs: run.startMs,
    endMs: run.endMs,
    markets: stats,
    total: total.stats,
    charts,
    totalPnlChart: total.chart,
    latency: run.latencies,
    orders: run.orders,
    counters: run.counters,
  };
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

/** Sums markets; drawdown of the summed equity (each market's equity held between its steps). */
function totalOf(stats: readonly MarketStats[], equities: readonly { tMs: number[]; eq: number[]; parts: number[][] }[], run: RunRecord): { stats: MarketStats; chart: ChartSeries } {
  const p = emptyParts();
  let fills = 0;
  let maker = 0;
  let vol = 0;
  let notional = 0;
  let placed = 0;
  let placedE6 = 0;
  let maxInv = 0;
  let two = 0;
  let any = 0;
  const causes: Record<string, number> = {};
  const curve = CURVE_HORIZONS_S.map(() => 0);
  for (const s of stats) {
    addParts(p, s.pnl);
    fills += s.fills;
    maker += s.makerFills;
    vol += s.volumeE6;
    notional += s.notionalE6;
    placed += s.ordersPlaced;
    placedE6 += s.sharesPlacedE6;
    maxInv = Math.max(maxInv, s.maxAbsInventoryE6);
    two += s.quotingTwoSided;
    any += s.quotingAny;
    for (const [k, v] of Object.entries(s.causes)) causes[k] = (causes[k] ?? 0) + v;
    s.markoutCurveE4.forEach((x, k) => {
      if (Number.isFinite(x)) curve[k] = (curve[k] as number) + x * s.volumeE6;
    });
  }
  // Merge the per-market equity step series.
  const times = [...new Set(equities.flatMap((e) => e.tMs))].sort((a, b) => a - b);
  const idx = equities.map(() => -1);
  const tS: number[] = [];
  const tot: number[] = [];
  const partNames = ["spread", "fees", "rebates", "resolution", "adverse"] as const;
  const partVals: number[][] = partNames.map(() => []);
  for (const t of times) {
    let eq = 0;
    const ps = partNames.map(() => 0);
    equities.forEach((e, k) => {
      let i = idx[k] as number;
      while (i + 1 < e.tMs.length && (e.tMs[i + 1] as number) <= t) i++;
      idx[k] = i;
      if (i >= 0) {
        eq += e.eq[i] as number;
        for (let j = 0; j < ps.length; j++) ps[j] = (ps[j] as number) + ((e.parts[j] as number[])[i] as number);
      }
    });
    tS.push((t - run.startMs) / 1000);
    tot.push(eq);
    ps.forEach((v, j) => partVals[j]?.push(v));
  }
  const maxDd = maxDrawdown(tS, tot);
  const n = stats.length;
  const values: Record<string, number[]> = { total: tot };
  partNames.forEach((name, j) => {
    values[name] = partVals[j] ?? [];
  });
  return {
    stats: {
      conditionId: "total",
      slug: "TOTAL",
      fills,
      makerFills: maker,
      takerFills: fills - maker,
      volumeE6: vol,
      notionalE6: notional,
      ordersPlaced: placed,
      sharesPlacedE6: placedE6,
      fillRate: placedE6 > 0 ? vol / placedE6 : 0,
      pnl: p,
      maxDrawdownE6: maxDd,
      maxAbsInventoryE6: maxInv,
      quotingTwoSided: n > 0 ? two / n : 0,
      quotingAny: n > 0 ? any / n : 0,
      outcome: "unresolved",
      markoutCurveE4: curve.map((x) => (vol > 0 ? x / vol : Number.NaN)),
      causes,
    },
    chart: { tS, values },
  };
}

// ── terminal summary ─────────────────────────────────────────────────────────

const usd = (e6: number): string => (e6 / 1e6).toFixed(2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const sh = (e6: number): string => (e6 / 1e6).toFixed(2);
const cents = (e4: number): string => (Number.isFinite(e4) ? (e4 / 100).toFixed(2) : "-");

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

export const SUMMARY_COLUMNS = ["fills", "maker", "vol_sh", "fill%", "spread", "adv1s", "adv10s", "adv60s", "adv_end", "fees", "rebates", "resol", "total", "max_dd", "max_inv", "quote2", "outcome"] as const;

/** One row of numbers for a market or the total, in SUMMARY_COLUMNS order. */
export function summaryCells(s: MarketStats): string[] {
  const p = s.pnl;
  return [
    String(s.fills),
    String(s.makerFills),
    sh(s.volumeE6),
    pct(s.fillRate),
    usd(p.spreadE6),
    usd(p.adverseE6[0] ?? 0),
    usd(p.adverseE6[1] ?? 0),
    usd(p.adverseE6[2] ?? 0),
    usd(p.adverseEndE6),
    usd(-p.feesE6),
    usd(p.rebatesE6),
    usd(p.resolutionE6),
    usd(p.totalE6),
    usd(s.maxDrawdownE6),
    sh(s.maxAbsInventoryE6),
    pct(s.quotingTwoSided),
    s.conditionId === "total" ? "" : s.outcome,
  ];
}

/** Plain-text table of several reports (ours and the baseline) over the same markets. */
export function formatSummary(reports: readonly Report[], title: string): string {
  const lines: string[] = [title];
  const nameW = Math.max(12, ...reports.flatMap((r) => r.markets.map((m) => Math.min(40, m.slug.length))));
  const widths = SUMMARY_COLUMNS.map((c) => Math.max(c.length, 8));
  lines.push(`${pad("market", nameW, true)}  ${pad("bot", 6, true)}  ${SUMMARY_COLUMNS.map((c, i) => pad(c, widths[i] as number)).join(" ")}`);
  const first = reports[0];
  const rows = first ? [...first.markets.map((m) => m.conditionId), "total"] : [];
  for (const id of rows) {
    for (const r of reports) {
      const s = id === "total" ? r.total : r.markets.find((m) => m.conditionId === id);
      if (!s) continue;
      const cells = summaryCells(s);
      lines.push(`${pad(s.slug.slice(0, 40), nameW, true)}  ${pad(r.label.slice(0, 6), 6, true)}  ${cells.map((c, i) => pad(c, widths[i] as number)).join(" ")}`);
    }
  }
  lines.push("money in $ (adv = adverse selection: mark-out of fills at 1 s / 10 s / 60 s / market end; resol = resolution P&L), vol_sh and max_inv in shares, quote2 = time with both sides resting");
  for (const r of reports) {
    const lat = r.latency.placeAckMs;
    const curve = r.total.markoutCurveE4.map((x, i) => `${CURVE_HORIZONS_S[i]}s:${cents(x)}`).join(" ");
    const causes = Object.entries(r.total.causes)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    lines.push(
      `${r.label}: orders ${r.total.ordersPlaced}, rejects ${Object.values(r.orders.rejectsByCode).reduce((a, b) => a + b, 0)}, cancels ${r.orders.cancels} (too late ${r.orders.cancelsTooLate}, filled while cancelling ${sh(r.orders.filledWhileCancellingE6)} sh), place→ack p50 ${percentile(lat, 0.5).toFixed(1)} ms; fill causes ${causes === "" ? "none" : causes}; mark-out ¢/share ${curve}`,
    );
  }
  return lines.join("\n");
}

export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}
