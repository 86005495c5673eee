/**
 * The report as one self-contained HTML file: no network needed to open it. uPlot (MIT,
 * github.com/leeoniya/uPlot, ~50 kB) and its CSS are read from node_modules when the report is
 * written and inlined; the numbers are embedded as JSON; a small script draws each chart from
 * a declarative spec. Charts: per market, price and our quotes over time with fills marked,
 * inventory, cumulative P&L by component; in total, cumulative P&L of every run, the
 * mark-out curve and the latency histogram. Tables: the summary (ours next to the baseline),
 * per market, and every setting.
 *
 * Deterministic: the same reports give the same bytes (no timestamps of "now", stable
 * ordering, numbers rounded to fixed decimals before they are serialised).
 */
import { readFileSync } from "node:fs";
import { CURVE_HORIZONS_S, type ChartSeries, type MarketStats, percentile, type Report, SUMMARY_COLUMNS, summaryCells } from "./report.ts";

type Kind = "line" | "step" | "points" | "bars";

interface SeriesSpec {
  readonly label: string;
  readonly kind: Kind;
  readonly color: string;
  readonly values: (number | null)[];
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: number[];
  readonly series: SeriesSpec[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"];
/** Most rows a chart keeps (fills are always kept). */
const MAX_ROWS = 4000;

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const finite = (x: number | undefined, f: (v: number) => number): number | null => (x !== undefined && Number.isFinite(x) ? f(x) : null);

/** Aligns several (t, v) series on the union of their times; step series carry forward. */
function align(
  parts: readonly { t: readonly number[]; v: readonly number[]; carry: boolean; scale: (v: number) => number }[],
  keep: ReadonlySet<number> = new Set(),
): { x: number[]; cols: (number | null)[][] } {
  const xs = [...new Set(parts.flatMap((p) => p.t.map(r3)))].sort((a, b) => a - b);
  const cols = parts.map((p) => {
    const out: (number | null)[] = new Array(xs.length).fill(null);
    let j = 0;
    let last: number | null = null;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i] as number;
      let hit = false;
      while (j < p.t.length && r3(p.t[j] as number) <= x) {
        last = finite(p.v[j], p.scale);
        if (r3(p.t[j] as number) === x) hit = true;
        j++;
      }
      out[i] = p.carry ? last : hit ? last : null;
    }
    return out;
  });
  if (xs.length <= MAX_ROWS) return { x: xs, cols };
  // Decimate deterministically, keeping every row that carries a kept series' point.
  const step = Math.ceil(xs.length / MAX_ROWS);
  const rows: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const keepRow = i % step === 0 || i === xs.length - 1 || [...keep].some((k) => cols[k]?.[i] !== null);
    if (keepRow) rows.push(i);
  }
  return { x: rows.map((i) => xs[i] as number), cols: cols.map((c) => rows.map((i) => c[i] ?? null)) };
}

const cents = (e4: number): number => Math.round(e4) / 100;
const dollars = (e6: number): number => r6(e6 / 1e6);
const shares = (e6: number): number => r6(e6 / 1e6);

function priceChart(id: string, title: string, r: Report, conditionId: string): ChartSpec | null {
  const c = r.charts.get(conditionId);
  if (!c) return null;
  const q = c.quotes;
  const buys = { t: [] as number[], v: [] as number[] };
  const sells = { t: [] as number[], v: [] as number[] };
  c.fills.tS.forEach((t, i) => {
    const tgt = c.fills.buyYes[i] ? buys : sells;
    tgt.t.push(t);
    tgt.v.push(c.fills.yesPriceE4[i] as number);
  });
  const a = align(
    [
      { t: c.price.tS, v: c.price.values.bid ?? [], carry: true, scale: cents },
      { t: c.price.tS, v: c.price.values.ask ?? [], carry: true, scale: cents },
      { t: c.price.tS, v: c.price.values.mid ?? [], carry: true, scale: cents },
      { t: q.tS, v: (q.values.bid ?? []).map((x) => (x > 0 ? x : Number.NaN)), carry: true, scale: cents },
      { t: q.tS, v: (q.values.ask ?? []).map((x) => (x > 0 ? x : Number.NaN)), carry: true, scale: cents },
      { t: buys.t, v: buys.v, carry: false, scale: cents },
      { t: sells.t, v: sells.v, carry: false, scale: cents },
    ],
    new Set([5, 6]),
  );
  if (a.x.length === 0) return null;
  const labels: [string, Kind, string][] = [
    ["book bid", "step", "#9ecae1"],
    ["book ask", "step", "#fcae91"],
    ["mid", "line", "#7f7f7f"],
    ["our bid", "step", "#1f77b4"],
    ["our ask", "step", "#d62728"],
    ["fill: bought YES", "points", "#2ca02c"],
    ["fill: sold YES", "points", "#ff7f0e"],
  ];
  return {
    id,
    title,
    xLabel: "s",
    yLabel: "YES ¢",
    x: a.x,
    series: labels.map(([label, kind, color], i) => ({ label, kind, color, values: a.cols[i] ?? [] })),
  };
}

function seriesChart(
  id: string,
  title: string,
  yLabel: string,
  runs: readonly { name: string; s: ChartSeries; keys: readonly string[] }[],
  scale: (v: number) => number,
  kind: Kind,
): ChartSpec | null {
  const parts = runs.flatMap((r) => r.keys.map((k) => ({ t: r.s.tS, v: r.s.values[k] ?? [], carry: true, scale })));
  const a = align(parts);
  if (a.x.length === 0) return null;
  const labels = runs.flatMap((r) => r.keys.map((k) => (runs.length > 1 ? `${r.name} ${k}` : k)));
  return {
    id,
    title,
    xLabel: "s",
    yLabel,
    x: a.x,
    series: labels.map((label, i) => ({ label, kind, color: COLORS[i % COLORS.length] as string, values: a.cols[i] ?? [] })),
  };
}

function markoutChart(reports: readonly Report[]): ChartSpec {
  return {
    id: "markout",
    title: "Mark-out curve: average (mid(t+h) − fill price) per share, signed by side (¢)",
    xLabel: "h (s)",
    yLabel: "¢/share",
    x: [...CURVE_HORIZONS_S],
    series: reports.map((r, i) => ({
      label: r.label,
      kind: "line" as Kind,
      color: COLORS[i % COLORS.length] as string,
      values: r.total.markoutCurveE4.map((v) => finite(v, (x) => r3(x / 100))),
    })),
  };
}

function latencyChart(reports: readonly Report[]): ChartSpec {
  const all = reports.flatMap((r) => [...r.latency.placeAckMs, ...r.latency.cancelMs]);
  const max = all.length > 0 ? Math.max(...all) : 1;
  const min = all.length > 0 ? Math.min(...all) : 0;
  const width = Math.max(1, Math.ceil((max - min + 1) / 30));
  const lo = Math.floor(min / width) * width;
  const bins = Math.max(1, Math.ceil((max - lo + 1) / width));
  const x = Array.from({ length: bins }, (_, i) => lo + i * width);
  const hist = (xs: readonly number[]): number[] => {
    const h = new Array(bins).fill(0);
    for (const v of xs) h[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    return h;
  };
  const series: SeriesSpec[] = [];
  reports.forEach((r, i) => {
    series.push({
      label: `${r.label} place→ack`,
      kind: "bars",
      color: COLORS[(2 * i) % COLORS.length] as string,
      values: hist(r.latency.placeAckMs),
    });
    series.push({
      label: `${r.label} cancel→confirm`,
      kind: "bars",
      color: COLORS[(2 * i + 1) % COLORS.length] as string,
      values: hist(r.latency.cancelMs),
    });
  });
  return { id: "latency", title: `Latency histogram as the bot saw it (bins of ${width} ms)`, xLabel: "ms", yLabel: "count", x, series };
}

export interface HtmlInput {
  readonly title: string;
  /** What was replayed (a path or a run name): shown, never a timestamp of now. */
  readonly dataLabel: string;
  /** Ours first, then the baseline(s). */
  readonly reports: readonly Report[];
  /** Extra notes (e.g. catalogue source, data caveats). */
  readonly notes?: readonly string[];
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

function statsRow(name: string, bot: string, s: MarketStats): string {
  return `<tr><td>${esc(name)}</td><td>${esc(bot)}</td>${summaryCells(s)
    .map((c) => `<td>${esc(c)}</td>`)
    .join("")}</tr>`;
}

/** Builds every chart spec of the page (exported for tests). */
export function chartSpecs(input: HtmlInput): ChartSpec[] {
  const reports = input.reports;
  const specs: ChartSpec[] = [];
  const total = seriesChart(
    "pnl-total",
    "Cumulative P&L by run ($)",
    "$",
    reports.map((r) => ({ name: r.label, s: r.totalPnlChart, keys: ["total"] })),
    dollars,
    "step",
  );
  if (total) specs.push(total);
  const first = reports[0];
  if (first) {
    const comp = seriesChart(
      "pnl-components",
      `Cumulative P&L by component, ${first.label} ($)`,
      "$",
      [{ name: first.label, s: first.totalPnlChart, keys: ["total", "spread", "adverse", "fees", "rebates", "resolution"] }],
      dollars,
      "step",
    );
    if (comp) specs.push(comp);
  }
  specs.push(markoutChart(reports));
  specs.push(latencyChart(reports));
  const ids = first ? first.markets.map((m) => m.conditionId) : [];
  ids.forEach((id, k) => {
    const slug = first?.markets[k]?.slug ?? id;
    // A market nobody quoted or traded in gets no charts (the summary still lists it).
    const active = reports.some(
      (r) => (r.markets.find((m) => m.conditionId === id)?.fills ?? 0) > 0 || (r.charts.get(id)?.quotes.tS.length ?? 0) > 0,
    );
    if (!active) return;
    for (const [j, r] of reports.entries()) {
      const p = priceChart(`price-${k}-${j}`, `${slug}: price, ${r.label} quotes and fills (YES ¢)`, r, id);
      if (p) specs.push(p);
    }
    const inv = seriesChart(
      `inventory-${k}`,
      `${slug}: inventory, YES − NO (shares)`,
      "shares",
      reports.map((r) => ({ name: r.label, s: r.charts.get(id)?.inventory ?? { tS: [], values: {} }, keys: ["net"] })),
      shares,
      "step",
    );
    if (inv) specs.push(inv);
    const pnl = seriesChart(
      `pnl-${k}`,
      `${slug}: cumulative P&L by component ($)`,
      "$",
      reports.map((r) => ({
        name: r.label,
        s: r.charts.get(id)?.pnl ?? { tS: [], values: {} },
        keys: ["total", "spread", "adverse", "fees", "rebates", "resolution"],
      })),
      dollars,
      "step",
    );
    if (pnl) specs.push(pnl);
  });
  return specs;
}

const PAGE_SCRIPT = `
(function () {
  var specs = JSON.parse(document.getElementById("chart-data").textContent);
  var drawn = 0;
  specs.forEach(function (c) {
    var host = document.getElementById("chart-" + c.id);
    var series = [{ label: c.xLabel }];
    var data = [c.x];
    c.series.forEach(function (s) {
      var o = { label: s.label, stroke: s.color, width: 1.5, spanGaps: s.kind !== "points" };
      if (s.kind === "step") o.paths = uPlot.paths.stepped({ align: 1 });
      if (s.kind === "points") { o.paths = function () { return null; }; o.points = { show: true, size: 7, fill: s.color, stroke: s.color }; }
      if (s.kind === "bars") { o.paths = uPlot.paths.bars({ size: [0.8, 40] }); o.fill = s.color + "99"; o.points = { show: false }; }
      series.push(o);
      data.push(s.values);
    });
    new uPlot({ title: c.title, width: 960, height: 280, series: series, scales: { x: { time: false } },
      axes: [{ label: c.xLabel }, { label: c.yLabel, size: 70 }], legend: { live: true } }, data, host);
    drawn++;
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
`;

/** The whole page. Throws if uPlot is not installed (npm install). */
export function renderHtml(input: HtmlInput): string {
  const js = readFileSync(Bun.resolveSync("uplot/dist/uPlot.iife.min.js", import.meta.dir), "utf8").replaceAll("</script", "<\\/script");
  const css = readFileSync(Bun.resolveSync("uplot/dist/uPlot.min.css", import.meta.dir), "utf8");
  const specs = chartSpecs(input);
  const reports = input.reports;
  const first = reports[0];
  const head = `<tr><th>market</th><th>bot</th>${SUMMARY_COLUMNS.map((c) => `<th>${c}</th>`).join("")}</tr>`;
  const rows: string[] = [];
  if (first) {
    for (const [k, m] of first.markets.entries()) {
      for (const r of reports) {
        const s = r.markets[k];
        if (s) rows.push(statsRow(m.slug, r.label, s));
      }
    }
    for (const r of reports) rows.push(statsRow("TOTAL", r.label, r.total));
  }
  const settingKeys = [...new Set(reports.flatMap((r) => r.settings.map(([k]) => k)))];
  const settingsRows = settingKeys
    .map(
      (k) => `<tr><td>${esc(k)}</td>${reports.map((r) => `<td>${esc(r.settings.find(([kk]) => kk === k)?.[1] ?? "")}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const runLines = reports
    .map((r) => {
      const rej = Object.entries(r.orders.rejectsByCode)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      const causes = Object.entries(r.total.causes)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      return `<li><b>${esc(r.label)}</b>: ${r.total.ordersPlaced} orders (rejects: ${esc(rej === "" ? "none" : rej)}), ${r.orders.cancels} cancels (${r.orders.cancelsTooLate} too late; ${(r.orders.filledWhileCancellingE6 / 1e6).toFixed(2)} shares filled while a cancel was in flight), fills by cause: ${esc(causes === "" ? "none" : causes)}; place→ack p50 ${fmt(percentile(r.latency.placeAckMs, 0.5))} ms, p99 ${fmt(percentile(r.latency.placeAckMs, 0.99))} ms.</li>`;
    })
    .join("\n");
  const notes = (input.notes ?? []).map((n) => `<li>${esc(n)}</li>`).join("\n");
  const charts = specs.map((s) => `<div class="chart" id="chart-${s.id}"></div>`).join("\n");
  const data = JSON.stringify(specs).replaceAll("</", "<\\/");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(input.title)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
td:first-child, th:first-child, td:nth-child(2) { text-align: left; }
.chart { margin: 12px 0 28px; }
code { background: #f4f4f4; padding: 1px 4px; }
</style>
</head>
<body>
<h1>${esc(input.title)}</h1>
<p>Data: <code>${esc(input.dataLabel)}</code>. Span ${fmt((reports[0]?.endMs ?? 0) - (reports[0]?.startMs ?? 0), 0)} ms from epoch ms ${reports[0]?.startMs ?? 0}.</p>
<h2>Summary</h2>
<table>${head}
${rows.join("\n")}
</table>
<p>Money in $. spread = edge against the mid at the fill; adv1s/adv10s/adv60s/adv_end = adverse selection (mid move against the fill over 1 s, 10 s, 60 s, to the market's end); resol = resolution P&amp;L; total = spread + adv_end + resol + fees + rebates. vol_sh and max_inv in shares; fill% = filled / placed shares; quote2 = share of the market's data span with a bid and an ask resting.</p>
<ul>
${runLines}
</ul>
${notes === "" ? "" : `<h3>Notes</h3><ul>\n${notes}\n</ul>`}
<h2>Charts</h2>
${charts}
<h2>Settings</h2>
<table><tr><th>setting</th>${reports.map((r) => `<th>${esc(r.label)}</th>`).join("")}</tr>
${settingsRows}
</table>
<script>${js}</script>
<script type="application/json" id="chart-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "-";
}
