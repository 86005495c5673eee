/**
 * The report's terminal summary: one fixed-width row per market and bot, then the total,
 * then one line of order, latency, fill-cause and mark-out figures per bot. html.ts uses the
 * same cells (`summaryCells`) for its table.
 */
import { CURVE_HORIZONS_S, type MarketStats, type Report } from "./report-types.ts";

const usd = (e6: number): string => (e6 / 1e6).toFixed(2);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const sh = (e6: number): string => (e6 / 1e6).toFixed(2);
const cents = (e4: number): string => (Number.isFinite(e4) ? (e4 / 100).toFixed(2) : "-");

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

export const SUMMARY_COLUMNS = [
  "fills",
  "maker",
  "vol_sh",
  "fill%",
  "spread",
  "adv1s",
  "adv10s",
  "adv60s",
  "adv_end",
  "fees",
  "rebates",
  "resol",
  "total",
  "max_dd",
  "max_inv",
  "quote2",
  "outcome",
] as const;

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
  lines.push(
    `${pad("market", nameW, true)}  ${pad("bot", 6, true)}  ${SUMMARY_COLUMNS.map((c, i) => pad(c, widths[i] as number)).join(" ")}`,
  );
  const first = reports[0];
  const rows = first ? [...first.markets.map((m) => m.conditionId), "total"] : [];
  for (const id of rows) {
    for (const r of reports) {
      const s = id === "total" ? r.total : r.markets.find((m) => m.conditionId === id);
      if (!s) continue;
      const cells = summaryCells(s);
      lines.push(
        `${pad(s.slug.slice(0, 40), nameW, true)}  ${pad(r.label.slice(0, 6), 6, true)}  ${cells.map((c, i) => pad(c, widths[i] as number)).join(" ")}`,
      );
    }
  }
  lines.push(
    "money in $ (adv = adverse selection: mark-out of fills at 1 s / 10 s / 60 s / market end; resol = resolution P&L), vol_sh and max_inv in shares, quote2 = time with both sides resting",
  );
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
