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
 *
 * Files: report-types.ts (record and report shapes), report-market.ts (one market),
 * report-summary.ts (terminal table); this file sums the markets and re-exports the rest.
 */
import { addParts, analyseMarket, emptyParts, type EquitySeries, maxDrawdown } from "./report-market.ts";
import {
  CURVE_HORIZONS_S,
  type ChartSeries,
  type MarketCharts,
  type MarketStats,
  type Report,
  type RunFill,
  type RunRecord,
} from "./report-types.ts";

export { maxDrawdown } from "./report-market.ts";
export { formatSummary, percentile, SUMMARY_COLUMNS, summaryCells } from "./report-summary.ts";
export { CURVE_HORIZONS_S, MARKOUT_HORIZONS_S } from "./report-types.ts";
export type {
  ChartSeries,
  FillLiquidity,
  MarketCharts,
  MarketStats,
  PnlParts,
  Report,
  RunFill,
  RunMarket,
  RunRecord,
} from "./report-types.ts";

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
  const equities: EquitySeries[] = [];
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

/** Sums markets; drawdown of the summed equity (each market's equity held between its steps). */
function totalOf(
  stats: readonly MarketStats[],
  equities: readonly EquitySeries[],
  run: RunRecord,
): { stats: MarketStats; chart: ChartSeries } {
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
    ps.forEach((v, j) => {
      partVals[j]?.push(v);
    });
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
