/**
 * Soak run (issue #10): the market maker on the real client stack (sockets, REST, signing,
 * heartbeat, Gamma auto-roll, write-ahead journal on disk) against the simulator server with
 * every market it lists (BTC/ETH/SOL × 5m/15m/1h), for ≥ 24 simulated hours in accelerated
 * time. Prints one line of memory and activity per simulated hour and a verdict.
 *
 *   bun run scripts/soak.ts [--hours 24] [--step-ms 200] [--seed 3] [--warmup-hours 3] [--json FILE]
 *
 * Time: one simulated clock for the bot (main thread) and the simulator (a worker thread,
 * scripts/soak-sim-worker.ts), moved `--step-ms` at a time with 1 ms of real time per step for
 * the traffic; the simulator being in its own thread keeps its heap out of the bot's numbers
 * (RSS is the process's, both threads).
 *
 * Measured every simulated hour, after a full GC: the bot thread's heap (`heapUsed`), the
 * process RSS, the simulator thread's heap, the journal's size, and activity. Reported:
 * - growth trend after warm-up: least-squares slope of the bot heap and of RSS (MB/hour);
 *   "no growth trend" when the heap slope is below 1 % of its mean per hour (or 0.5 MB/h);
 * - lost events: our fills on the exchange vs the fills the bot counted, our placements vs
 *   the bot's acks, open orders after the final cancel-all, inventory vs exchange balances;
 * - unhandled errors: uncaught exceptions, unhandled rejections, fatal stops, error events.
 * Exit 0 when there is no growth trend, nothing lost and no unhandled error.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { MarketMakerBot } from "../src/bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../src/bots/market-maker-params.ts";
import { composeVenue } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config.ts";
import { ManualClock } from "../src/core/clock.ts";
import { Journal } from "../src/store/journal.ts";
import type { SoakWorkerReply, SoakWorkerRequest } from "./soak-sim-worker.ts";

const { values } = parseArgs({
  options: {
    hours: { type: "string", default: "24" },
    "step-ms": { type: "string", default: "200" },
    seed: { type: "string", default: "3" },
    "warmup-hours": { type: "string", default: "3" },
    json: { type: "string" },
  },
});
const HOURS = Number(values.hours);
const STEP_MS = Number(values["step-ms"]);
const WARMUP = Number(values["warmup-hours"]);
const START_MS = Math.floor(1_780_876_800_000 / 900_000) * 900_000 - 90_000;

// ---- unhandled errors -------------------------------------------------------------------
const unhandled: string[] = [];
process.on("uncaughtException", (e) => void unhandled.push(`uncaught: ${e instanceof Error ? e.message : String(e)}`));
process.on("unhandledRejection", (e) => void unhandled.push(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`));

// ---- simulator thread -------------------------------------------------------------------
const worker = new Worker(new URL("./soak-sim-worker.ts", import.meta.url).href);
worker.addEventListener("error", (e) => void unhandled.push(`simulator worker: ${e.message}`));
const pending: ((r: SoakWorkerReply) => void)[] = [];
worker.onmessage = (e: MessageEvent<SoakWorkerReply>) => pending.shift()?.(e.data);
const ask = (m: SoakWorkerRequest): Promise<SoakWorkerReply> =>
  new Promise((resolve) => {
    pending.push(resolve);
    worker.postMessage(m);
  });
const tell = (m: SoakWorkerRequest): void => worker.postMessage(m);

const started = await ask({ kind: "start", seed: Number(values.seed), startMs: START_MS, balanceE6: 100_000_000_000 });
if (started.kind !== "started") throw new Error("simulator did not start");

// ---- bot ---------------------------------------------------------------------------------
const clock = new ManualClock(START_MS);
const dir = mkdtempSync(path.join(tmpdir(), "mmp-soak-"));
const config = loadConfig({}, { overrides: { RISK_DAILY_LOSS_LIMIT: "1000000", SIM_SEED: String(values.seed) } });
const composed = await composeVenue({ config, venue: "sim", tradingMode: "paper", clock, simUrl: started.rest, rediscoverMs: 60_000 });
if (!composed.ok) throw new Error(composed.reason);
const venue = composed.value;
tell({ kind: "track", key: venue.apiKey });
const journalPath = path.join(dir, "journal-sim.sqlite");
const jr = Journal.open({ path: journalPath, mode: "sim", clock });
if (!jr.ok) throw new Error(jr.reason);
const journal = jr.value;
journal.startRun("mm", "soak");
const levels = { info: 0, warn: 0, error: 0 };
const errorEvents: string[] = [];
const bot = new MarketMakerBot({
  feed: venue.feed,
  exchange: venue.exchange,
  clock,
  params: marketMakerParamsFromConfig(config),
  journal,
  events: (level, event, fields) => {
    levels[level]++;
    if (level === "error" && errorEvents.length < 20) errorEvents.push(`${event} ${JSON.stringify(fields).slice(0, 200)}`);
  },
});
const done = bot.run();
let fatal: unknown;
void done.then((r) => {
  if (r.reason === "fatal") fatal = r.error;
});
await venue.start();

const step = async (): Promise<void> => {
  clock.advanceBy(STEP_MS);
  await ask({ kind: "advanceBy", ms: STEP_MS });
  await Bun.sleep(1);
};
// Sockets connect in real time: let them and the first prices arrive.
for (let i = 0; i < 300 && (bot.underlyings.get("btc/usd")?.vol.samples() ?? 0) === 0; i++) {
  clock.advanceBy(100);
  await ask({ kind: "advanceBy", ms: 100 });
  await Bun.sleep(5);
}

interface Sample {
  readonly hour: number;
  readonly realS: number;
  readonly botHeapMB: number;
  readonly rssMB: number;
  readonly simHeapMB: number;
  readonly journalMB: number;
  readonly walMB: number;
  readonly markets: number;
  readonly activeOrders: number;
  /** The bot's active orders by state (live, live with a cancel in flight, pending, unknown). */
  readonly activeByState: string;
  /** Our open orders as the exchange has them. */
  readonly exchangeOpen: number;
  readonly quotes: number;
  readonly fills: number;
  readonly trips: number;
  readonly simOrders: number;
  readonly simTrades: number;
}
const samples: Sample[] = [];
const mb = (b: number) => Math.round((b / 1e6) * 10) / 10;
const fileMB = (f: string): number => {
  try {
    return mb(statSync(f).size);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw e;
  }
};
const t0 = performance.now();
const account = async (tokens: readonly string[]) => {
  const r = await ask({ kind: "account", tokens });
  if (r.kind !== "account") throw new Error("bad worker reply");
  return r;
};

const byState = (): string => {
  const c = new Map<string, number>();
  for (const o of bot.orders.getActiveOrders()) {
    const k = o.state === "live" && o.cancelRequested ? "cancelling" : o.state;
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return [...c].map(([k, n]) => `${k}:${n}`).join(",");
};
console.log(
  "hour  real_s  bot_heap_MB  rss_MB  sim_heap_MB  journal_MB  wal_MB  markets  active_orders  ex_open  quotes  fills  trips  sim_orders  sim_trades  active_by_state",
);
const stepsPerHour = Math.round(3_600_000 / STEP_MS);
for (let hour = 1; hour <= HOURS && fatal === undefined; hour++) {
  for (let i = 0; i < stepsPerHour; i++) await step();
  Bun.gc(true);
  const mem = process.memoryUsage();
  const a = await account([]);
  const s: Sample = {
    hour,
    realS: Math.round((performance.now() - t0) / 1000),
    botHeapMB: mb(mem.heapUsed),
    rssMB: mb(mem.rss),
    simHeapMB: mb(a.heapUsed),
    journalMB: fileMB(journalPath),
    walMB: fileMB(`${journalPath}-wal`),
    markets: bot.snapshot().markets.length,
    activeOrders: bot.orders.getActiveOrders().length,
    activeByState: byState(),
    exchangeOpen: a.openOrders,
    quotes: bot.totals.quotesSent,
    fills: bot.totals.fills,
    trips: bot.totals.riskTrips,
    simOrders: a.records.orders ?? 0,
    simTrades: a.records.trades ?? 0,
  };
  samples.push(s);
  console.log(
    `${[s.hour, s.realS, s.botHeapMB, s.rssMB, s.simHeapMB, s.journalMB, s.walMB, s.markets, s.activeOrders, s.exchangeOpen, s.quotes, s.fills, s.trips, s.simOrders, s.simTrades].map((v, k) => String(v).padStart(k === 0 ? 4 : 6)).join("  ")}  ${s.activeByState}`,
  );
}

// ---- stop, then the lost-event checks ------------------------------------------------------
bot.stop("duration");
await done;
for (let i = 0; i < 50; i++) await step();
const liveTokensReply = await account([]);
const final = await account(liveTokensReply.liveTokens);
const invMismatch: string[] = [];
for (const [t, exE6] of Object.entries(final.balancesE6)) {
  if (!bot.markets.byToken(t)) continue;
  const q = bot.pnl.qty(t);
  if (q !== exE6) invMismatch.push(`${t.slice(0, 10)}…: bot ${q}, exchange ${exE6}`);
}
const lost = {
  fillsOnExchange: final.fillLegs,
  fillsCountedByBot: bot.totals.fills,
  placementsOnExchange: final.placements,
  acksSeenByBot: bot.orders.stats.acks,
  openOrdersAfterStop: final.openOrders,
  inventoryMismatches: invMismatch,
};
journal.stopRun("soak done");
journal.close();
await venue.close();
await ask({ kind: "stop" });
worker.terminate();
rmSync(dir, { recursive: true, force: true });

function slope(xs: readonly number[], ys: readonly number[]): { perHour: number; r2: number } {
  const n = xs.length;
  if (n < 2) return { perHour: 0, r2: 0 };
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { perHour: b, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}
const after = samples.filter((s) => s.hour > WARMUP);
const hs = after.map((s) => s.hour);
const heap = slope(
  hs,
  after.map((s) => s.botHeapMB),
);
const rss = slope(
  hs,
  after.map((s) => s.rssMB),
);
const simHeap = slope(
  hs,
  after.map((s) => s.simHeapMB),
);
const meanHeap = after.reduce((a, s) => a + s.botHeapMB, 0) / Math.max(1, after.length);
const heapLimit = Math.max(0.5, meanHeap * 0.01);
const noGrowth = Math.abs(heap.perHour) < heapLimit || heap.perHour < 0;
const nothingLost = lost.fillsOnExchange === lost.fillsCountedByBot && lost.openOrdersAfterStop === 0 && invMismatch.length === 0;
const noErrors = unhandled.length === 0 && fatal === undefined && levels.error === 0;
const verdict = {
  simulatedHours: samples.length,
  realSeconds: Math.round((performance.now() - t0) / 1000),
  warmupHours: WARMUP,
  botHeapSlopeMBPerHour: Math.round(heap.perHour * 1000) / 1000,
  botHeapR2: Math.round(heap.r2 * 100) / 100,
  botHeapMeanMB: Math.round(meanHeap * 10) / 10,
  botHeapSlopeLimitMBPerHour: Math.round(heapLimit * 1000) / 1000,
  rssSlopeMBPerHour: Math.round(rss.perHour * 1000) / 1000,
  simHeapSlopeMBPerHour: Math.round(simHeap.perHour * 1000) / 1000,
  noGrowthTrend: noGrowth,
  lost,
  nothingLost,
  unhandledErrors: unhandled,
  fatal: fatal === undefined ? null : String(fatal),
  botEventLevels: levels,
  errorEvents,
  totals: bot.totals,
};
console.log(JSON.stringify(verdict, null, 2));
if (values.json) writeFileSync(values.json, `${JSON.stringify({ samples, verdict }, null, 2)}\n`);
process.exit(noGrowth && nothingLost && noErrors ? 0 : 1);
