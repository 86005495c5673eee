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
import { SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_FLOW, type FlowConfig } from "../src/sim/flow.ts";
import { tokenLevels } from "../src/sim/wire-out.ts";
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

// ---- Books and flow ------------------------------------------------------------------------

export interface BookSample {
  readonly bids: readonly (readonly [number, number])[]; // [price, shares], best first
  readonly asks: readonly (readonly [number, number])[];
}

export interface BookStats {
  n: number;
  /** Share of books whose spread is 1 tick (0.01), 2 ticks, more. */
  spread1: number;
  spread2: number;
  spreadMore: number;
  topSizeP50: number;
  depth5cP50: number;
  levelsP50: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export function bookStats(books: readonly BookSample[]): BookStats {
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  let sm = 0;
  const top: number[] = [];
  const depth: number[] = [];
  const levels: number[] = [];
  for (const b of books) {
    const bb = b.bids[0];
    const ba = b.asks[0];
    if (!bb || !ba) continue;
    n++;
    const ticks = Math.round((ba[0] - bb[0]) * 100);
    if (ticks <= 1) s1++;
    else if (ticks === 2) s2++;
    else sm++;
    top.push((bb[1] + ba[1]) / 2);
    depth.push(
      b.bids.filter(([p]) => p >= bb[0] - 0.05 + 1e-9).reduce((x, [, q]) => x + q, 0) +
        b.asks.filter(([p]) => p <= ba[0] + 0.05 - 1e-9).reduce((x, [, q]) => x + q, 0),
    );
    levels.push(b.bids.length + b.asks.length);
  }
  return {
    n,
    spread1: s1 / n,
    spread2: s2 / n,
    spreadMore: sm / n,
    topSizeP50: median(top),
    depth5cP50: median(depth),
    levelsP50: median(levels),
  };
}

type WireBookLike = { bids: { price: string; size: string }[]; asks: { price: string; size: string }[] };
function sampleOf(b: WireBookLike): BookSample {
  const lv = (xs: { price: string; size: string }[], desc: boolean) =>
    xs.map((l): [number, number] => [Number(l.price), Number(l.size)]).sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]));
  return { bids: lv(b.bids, true), asks: lv(b.asks, false) };
}

/** Books recorded on V2 BTC/ETH/SOL 15m markets (REST /book and WS book frames), by session. */
export async function realBooks(): Promise<{ prewindow: BookSample[]; live: BookSample[] }> {
  const files = {
    prewindow: [
      "jonahgrigoryan_v2_session_raw_2026-04-29T0210Z_btc-eth-sol-15m_prewindow.jsonl.gz",
      "jonahgrigoryan_v2_session_raw_2026-04-28T1404Z_btc-eth-sol-15m_prewindow.jsonl.gz",
    ],
    live: ["jonahgrigoryan_v2_session_raw_2026-04-29T0312Z_btc-eth-sol-15m_livewindow.jsonl"],
  };
  const out = { prewindow: [] as BookSample[], live: [] as BookSample[] };
  for (const kind of ["prewindow", "live"] as const) {
    for (const f of files[kind]) {
      const raw = await Bun.file(`${SHARED}/data/ws/${f}`).arrayBuffer();
      const text = f.endsWith(".gz") ? gunzipSync(raw).toString() : new TextDecoder().decode(raw);
      for (const line of text.split("\n")) {
        if (line.length === 0) continue;
        const env = JSON.parse(line) as { source: string; payload: string };
        if (env.source !== "polymarket_clob") continue;
        let p: unknown;
        try {
          p = JSON.parse(env.payload);
        } catch (e) {
          if (e instanceof SyntaxError) continue;
          throw e;
        }
        for (const m of Array.isArray(p) ? p : [p]) {
          const o = m as Partial<WireBookLike>;
          if (Array.isArray(o.bids) && Array.isArray(o.asks)) out[kind].push(sampleOf(o as WireBookLike));
        }
      }
    }
  }
  return out;
}

export interface FlowStats {
  books: BookStats;
  /** Trades per second per live (started) market. */
  tradesPerSecPerMarket: number;
  tradeSizeP50: number;
  /** pUSD traded per finished 5-minute market. */
  volume5mP50: number;
  volume5mP10: number;
  volume5mP90: number;
}

/** Runs the simulator with its synthetic flow and measures what the recordings measure. */
export function simulateFlow(
  seed: number,
  minutes: number,
  startMs = BTC_DAY_START_MS + 12 * 3_600_000,
  flow: FlowConfig = DEFAULT_FLOW,
): FlowStats {
  const ex = new SimExchange({ seed, startMs, flow });
  const books: BookSample[] = [];
  const sizes: number[] = [];
  let trades = 0;
  let liveMarketSeconds = 0;
  const volumes: number[] = [];
  ex.onMarket((ev) => {
    if (ev.event_type === "last_trade_price") {
      trades++;
      sizes.push(Number(ev.size));
    }
  });
  const counted = new Set<string>();
  for (let s = 1; s <= minutes * 60; s++) {
    ex.advanceTo(startMs + s * 1000);
    for (const m of ex.allMarkets()) {
      if (m.state === "open" && m.strike !== undefined) {
        liveMarketSeconds++;
        if (s % 15 === 0) {
          const l = tokenLevels(m.book, 0);
          books.push(sampleOf({ bids: l.bids, asks: l.asks }));
        }
      }
      if (
        m.state === "resolved" &&
        m.sched.info.windowSec === 300 &&
        !counted.has(m.sched.info.conditionId) &&
        m.sched.startSec * 1000 > startMs
      ) {
        counted.add(m.sched.info.conditionId);
        volumes.push(m.volumeE6 / 1e6);
      }
    }
  }
  const v = [...volumes].sort((a, b) => a - b);
  return {
    books: bookStats(books),
    tradesPerSecPerMarket: trades / Math.max(1, liveMarketSeconds),
    tradeSizeP50: median(sizes),
    volume5mP50: quantile(v, 0.5),
    volume5mP10: quantile(v, 0.1),
    volume5mP90: quantile(v, 0.9),
  };
}

export function flowTable(pre: BookStats, live: BookStats, sim: FlowStats): string {
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
  const rows: [string, string, string][] = [
    ["books sampled", `${pre.n} pre-window + ${live.n} in-window`, `${sim.books.n}`],
    ["spread = 1 tick (0.01)", `${pct(pre.spread1)} / ${pct(live.spread1)}`, pct(sim.books.spread1)],
    ["spread = 2 ticks", `${pct(pre.spread2)} / ${pct(live.spread2)}`, pct(sim.books.spread2)],
    ["spread > 2 ticks", `${pct(pre.spreadMore)} / ${pct(live.spreadMore)}`, pct(sim.books.spreadMore)],
    [
      "median top-of-book size (shares, mean of both sides)",
      `${pre.topSizeP50.toFixed(0)} / ${live.topSizeP50.toFixed(0)}`,
      sim.books.topSizeP50.toFixed(0),
    ],
    [
      "median depth within 5 c of the touch (shares)",
      `${pre.depth5cP50.toFixed(0)} / ${live.depth5cP50.toFixed(0)}`,
      sim.books.depth5cP50.toFixed(0),
    ],
    ["median levels per book (both sides)", `${pre.levelsP50} / ${live.levelsP50}`, String(sim.books.levelsP50)],
    ["trades per second per live market", "0.10 (el-capturo, hourly BTC, 4 in 39 s)", sim.tradesPerSecPerMarket.toFixed(2)],
    ["median trade size (shares)", "10 (el-capturo: 10, 122, 10, 7)", sim.tradeSizeP50.toFixed(1)],
    [
      "pUSD volume per 5-minute BTC market p10 / p50 / p90",
      "53 / 776 / 37 845 (Gamma, 292 markets, 2026-06-08)",
      `${sim.volume5mP10.toFixed(0)} / ${sim.volume5mP50.toFixed(0)} / ${sim.volume5mP90.toFixed(0)}`,
    ],
  ];
  return ["| statistic | real (pre-window / in-window) | simulated |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)].join(
    "\n",
  );
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
  const rb = await realBooks();
  const flow = simulateFlow(1, 60);
  console.log("\n## Books and flow (15m/5m/1h markets; simulated: seed 1, one hour from 12:00 UTC)\n");
  console.log(flowTable(bookStats(rb.prewindow), bookStats(rb.live), flow));
}
