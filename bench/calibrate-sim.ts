/**
 * Real vs simulated: prints the calibration tables of docs/simulator.md.
 *
 *   bun run bench/calibrate-sim.ts [--seed 1]
 *
 * Underlying: the real Chainlink BTC/USD day (2026-06-08, RTDS, ~1 Hz) against one
 * simulated day from the same midnight. Books: the V2 books recorded on BTC/ETH/SOL 15m
 * markets (jonahgrigoryan sessions) and the V1 hourly Up/Down capture (el-capturo)
 * against the simulator's books sampled over an accelerated day.
 * The statistics functions are exported for test/unit/sim/calibration.test.ts.
 */
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { UnderlyingWalk } from "../src/sim/underlying.ts";

const SHARED = path.resolve(import.meta.dir, "../../shared");
export const BTC_DAY_FILE = `${SHARED}/data/rtds/ligengxin_BTCUSD-chainlink-prices-2026-06-08.csv.gz`;
export const BTC_DAY_START_MS = 1_780_876_800_000;

export interface ReturnStats {
  n1s: number;
  sd1s: number;
  /** sd of h-second returns divided by √h, for h = 60, 300, 900. */
  sdPerRootS60: number;
  sdPerRootS300: number;
  sdPerRootS900: number;
  ac1: number;
  kurtosis: number;
  absP50: number;
  absP99: number;
  /** Fraction of 1-s returns beyond 5 bp. */
  jumpFrac5bp: number;
  rv1mP10: number;
  rv1mP50: number;
  rv1mP90: number;
  logRvAc1: number;
  logRvAc60: number;
  /** sd of 1-s returns per UTC hour / the day's sd. */
  hourly: number[];
  /** Fraction of 5-minute windows ending ≥ their start. */
  upFrac5m: number;
  absMove5mP50Bp: number;
}

export async function loadBtcDay(): Promise<{ ts: number[]; px: number[] }> {
  const text = gunzipSync(await Bun.file(BTC_DAY_FILE).arrayBuffer()).toString();
  const ts: number[] = [];
  const px: number[] = [];
  const lines = text.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.length === 0) continue;
    const [t, v] = line.split(",");
    ts.push(Number(t));
    px.push(Number(v));
  }
  return { ts, px };
}

export function simulateDay(seed: number, startMs = BTC_DAY_START_MS, seconds = 86_400): { ts: number[]; px: number[] } {
  const walk = new UnderlyingWalk(seed, startMs);
  const ts: number[] = [];
  const px: number[] = [];
  for (let s = 0; s < seconds; s++) {
    walk.advanceTo(startMs + s * 1000);
    ts.push(startMs + s * 1000);
    px.push(walk.price("btc/usd"));
  }
  return { ts, px };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;

export function returnStats(ts: number[], px: number[]): ReturnStats {
  const bySec = new Map<number, number>();
  for (let i = 0; i < ts.length; i++) bySec.set(Math.floor((ts[i] ?? 0) / 1000), px[i] ?? 0);
  const secs = [...bySec.keys()].sort((a, b) => a - b);
  const first = secs[0] ?? 0;
  const last = secs[secs.length - 1] ?? 0;
  const r1: number[] = [];
  const hourOf: number[] = [];
  for (let s = first + 1; s <= last; s++) {
    const a = bySec.get(s - 1);
    const b = bySec.get(s);
    if (a === undefined || b === undefined) continue;
    r1.push(Math.log(b / a));
    hourOf.push(Math.floor((s % 86_400) / 3600));
  }
  const n = r1.length;
  const m2 = r1.reduce((s, r) => s + r * r, 0) / n;
  const sd = Math.sqrt(m2);
  const kurt = r1.reduce((s, r) => s + r ** 4, 0) / n / (m2 * m2);
  let ac = 0;
  for (let i = 1; i < n; i++) ac += (r1[i] ?? 0) * (r1[i - 1] ?? 0);
  const abs = r1.map(Math.abs).sort((a, b) => a - b);
  const horizon = (h: number) => {
    const rr: number[] = [];
    for (let s = first; s + h <= last; s += h) {
      const a = bySec.get(s);
      const b = bySec.get(s + h);
      if (a !== undefined && b !== undefined) rr.push(Math.log(b / a));
    }
    return { sd: Math.sqrt(rr.reduce((x, r) => x + r * r, 0) / rr.length) / Math.sqrt(h), rr };
  };
  const rv: number[] = [];
  for (let s = first; s + 60 <= last; s += 60) {
    let sum = 0;
    let k = 0;
    for (let j = 1; j <= 60; j++) {
      const a = bySec.get(s + j - 1);
      const b = bySec.get(s + j);
      if (a !== undefined && b !== undefined) {
        sum += Math.log(b / a) ** 2;
        k++;
      }
    }
    rv.push(k > 40 ? Math.sqrt(sum / k) : Number.NaN);
  }
  const lrv = rv.map((x) => Math.log(x));
  const okIdx = (i: number) => Number.isFinite(lrv[i] ?? Number.NaN);
  const valid = lrv.filter((_, i) => okIdx(i));
  const mean = valid.reduce((s, x) => s + x, 0) / valid.length;
  const varL = valid.reduce((s, x) => s + (x - mean) ** 2, 0) / valid.length;
  const lrvAc = (lag: number) => {
    let c = 0;
    let k = 0;
    for (let i = lag; i < lrv.length; i++) {
      if (!okIdx(i) || !okIdx(i - lag)) continue;
      c += ((lrv[i] ?? 0) - mean) * ((lrv[i - lag] ?? 0) - mean);
      k++;
    }
    return c / k / varL;
  };
  const hv = new Array<number>(24).fill(0);
  const hn = new Array<number>(24).fill(0);
  r1.forEach((r, i) => {
    const h = hourOf[i] ?? 0;
    hv[h] = (hv[h] ?? 0) + r * r;
    hn[h] = (hn[h] ?? 0) + 1;
  });
  const h300 = horizon(300);
  const moves = h300.rr.map((r) => Math.abs(r) * 1e4).sort((a, b) => a - b);
  const rvSorted = rv.filter(Number.isFinite).sort((a, b) => a - b);
  return {
    n1s: n,
    sd1s: sd,
    sdPerRootS60: horizon(60).sd,
    sdPerRootS300: h300.sd,
    sdPerRootS900: horizon(900).sd,
    ac1: ac / n / m2,
    kurtosis: kurt,
    absP50: quantile(abs, 0.5),
    absP99: quantile(abs, 0.99),
    jumpFrac5bp: r1.filter((r) => Math.abs(r) > 5e-4).length / n,
    rv1mP10: quantile(rvSorted, 0.1),
    rv1mP50: quantile(rvSorted, 0.5),
    rv1mP90: quantile(rvSorted, 0.9),
    logRvAc1: lrvAc(1),
    logRvAc60: lrvAc(60),
    hourly: hv.map((v, h) => Math.sqrt(v / (hn[h] || 1)) / sd),
    upFrac5m: h300.rr.filter((r) => r >= 0).length / Math.max(1, h300.rr.length),
    absMove5mP50Bp: quantile(moves, 0.5),
  };
}

const fmt = (x: number): string => (Math.abs(x) < 0.01 && x !== 0 ? x.toExponential(2) : x.toFixed(3));

export function underlyingTable(real: ReturnStats, sims: ReturnStats[]): string {
  const rows: [string, (s: ReturnStats) => number][] = [
    ["sd of 1-s log return", (s) => s.sd1s],
    ["sd per √s, 60-s returns", (s) => s.sdPerRootS60],
    ["sd per √s, 300-s returns", (s) => s.sdPerRootS300],
    ["sd per √s, 900-s returns", (s) => s.sdPerRootS900],
    ["lag-1 autocorrelation, 1-s", (s) => s.ac1],
    ["kurtosis, 1-s", (s) => s.kurtosis],
    ["median |1-s return|", (s) => s.absP50],
    ["p99 |1-s return|", (s) => s.absP99],
    ["share of 1-s moves > 5 bp (jumps)", (s) => s.jumpFrac5bp],
    ["1-min realised vol p10", (s) => s.rv1mP10],
    ["1-min realised vol p50", (s) => s.rv1mP50],
    ["1-min realised vol p90", (s) => s.rv1mP90],
    ["log 1-min RV autocorr, lag 1 min", (s) => s.logRvAc1],
    ["log 1-min RV autocorr, lag 60 min", (s) => s.logRvAc60],
    ["intraday: vol 12–15h / 18–22h UTC", (s) => mean(s.hourly.slice(12, 15)) / mean(s.hourly.slice(18, 23))],
    ["5-min windows ending Up", (s) => s.upFrac5m],
    ["median |5-min move| (bp)", (s) => s.absMove5mP50Bp],
  ];
  const lines = ["| statistic | real BTC 2026-06-08 | simulated (mean of seeds) | sim range |", "|---|---|---|---|"];
  for (const [name, f] of rows) {
    const vals = sims.map(f);
    lines.push(`| ${name} | ${fmt(f(real))} | ${fmt(mean(vals))} | ${fmt(Math.min(...vals))} – ${fmt(Math.max(...vals))} |`);
  }
  return lines.join("\n");
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

if (import.meta.main) {
  const seeds = [1, 2, 3, 4, 5];
  const day = await loadBtcDay();
  const real = returnStats(day.ts, day.px);
  const sims = seeds.map((s) => {
    const d = simulateDay(s);
    return returnStats(d.ts, d.px);
  });
  console.log("## Underlying (BTC/USD Chainlink, 1-s)\n");
  console.log(underlyingTable(real, sims));
}
