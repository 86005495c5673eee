/**
 * One simulated hour of BTC/ETH/SOL 15-minute Up/Down markets, run twice on the same seed:
 * our `MarketMakerBot` and the naive "mid ± fixed spread" `NaiveBot`, each alone against the
 * in-process simulator (src/venue/sim-inprocess.ts: real matching, flow with informed
 * takers, real decoders; 1 ms venue latency each way) on a ManualClock. Prints P&L, fills,
 * volume and the mark-out of fills 10 s later (adverse selection), per seed and in total.
 *
 *   bun run bench/mm-vs-naive.ts [--seeds 1,2,3] [--minutes 60] [--json FILE]
 *
 * Both bots use the user's defaults (MM_* keys, docs/config.md) except the daily loss stop,
 * which is lifted so an unlucky hour is measured to its end instead of halting.
 */
import { writeFileSync } from "node:fs";
import { MarketMakerBot } from "../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS, type MarketMakerParams } from "../src/bots/market-maker-params.ts";
import { NaiveBot } from "../src/bots/naive-bot.ts";
import { ManualClock } from "../src/core/clock.ts";
import type { PnlSummary } from "../src/engine/pnl.ts";
import { SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import { inProcessVenue } from "../src/venue/sim-inprocess.ts";

const WINDOW_MS = 900_000;
/** A fixed simulated start, 2 minutes before a 15-minute boundary (so strikes are observed). */
const START_MS = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS - 120_000;

export interface RunRow {
  readonly bot: "mm" | "naive";
  readonly seed: number;
  readonly pnlUsd: number;
  readonly realisedUsd: number;
  readonly fills: number;
  readonly volumeUsd: number;
  readonly ordersSent: number;
  readonly markoutUsd: number;
  /** Mark-out per share filled, cents. */
  readonly markoutCentsPerShare: number;
  readonly maxInventoryAtCostUsd: number;
  readonly wallMs: number;
}

const MM_PARAMS: MarketMakerParams = {
  ...DEFAULT_MM_PARAMS,
  risk: { ...DEFAULT_MM_PARAMS.risk, dailyLossLimitUsdE6: 1e15 },
  breaker: { ...DEFAULT_MM_PARAMS.breaker, dailyLossLimitUsdE6: 1e15 },
};

function row(bot: "mm" | "naive", seed: number, s: PnlSummary, ordersSent: number, maxInvE6: number, wallMs: number): RunRow {
  return {
    bot,
    seed,
    pnlUsd: s.totalE6 / 1e6,
    realisedUsd: s.realisedE6 / 1e6,
    fills: s.fills,
    volumeUsd: s.volumeE6 / 1e6,
    ordersSent,
    markoutUsd: s.markout.totalE6 / 1e6,
    markoutCentsPerShare: s.markout.perShareE4 / 100,
    maxInventoryAtCostUsd: maxInvE6 / 1e6,
    wallMs,
  };
}

/** Runs one bot for `minutes` simulated minutes on `seed`. */
export function runOne(kind: "mm" | "naive", seed: number, minutes: number): RunRow {
  const clock = new ManualClock(START_MS);
  const sim = new SimExchange({ seed, startMs: START_MS, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
  const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 1 });
  const t0 = performance.now();
  if (kind === "mm") {
    const bot = new MarketMakerBot({ feed: venue.feed, exchange: venue.exchange, clock, params: MM_PARAMS });
    void bot.run();
    venue.feed.start();
    venue.advance(minutes * 60_000, 50);
    // a last mark-out pass for fills older than 10 s
    bot.pnl.sampleMarkouts(clock.wallMs(), bot.mark);
    const s = bot.pnl.summary(bot.mark);
    bot.stop("duration");
    return row("mm", seed, s, bot.totals.quotesSent, bot.totals.maxAbsInventoryUsdE6, performance.now() - t0);
  }
  const bot = new NaiveBot({ feed: venue.feed, exchange: venue.exchange, clock });
  void bot.run();
  venue.feed.start();
  venue.advance(minutes * 60_000, 50);
  bot.pnl.sampleMarkouts(clock.wallMs(), bot.mark);
  const s = bot.summary();
  bot.stop("duration");
  return row("naive", seed, s, bot.totals.quotesSent, Number.NaN, performance.now() - t0);
}

function parseArgs(argv: readonly string[]): { seeds: number[]; minutes: number; json: string } {
  const out = { seeds: [1, 2, 3], minutes: 60, json: "" };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1] ?? "";
    if (argv[i] === "--seeds") out.seeds = v.split(",").map(Number).filter(Number.isFinite);
    else if (argv[i] === "--minutes") out.minutes = Number(v);
    else if (argv[i] === "--json") out.json = v;
    else continue;
    i++;
  }
  return out;
}

if (import.meta.main) {
  const args = parseArgs(process.argv.slice(2));
  const rows: RunRow[] = [];
  const fmt = (x: number, d = 2) => x.toFixed(d).padStart(9);
  console.log(
    `${args.minutes} simulated minutes of BTC/ETH/SOL 15m Up/Down markets per run, in-process simulator, same seed for both bots`,
  );
  console.log("bot    seed    P&L $  realised $  fills  volume $  orders  markout $  markout ¢/sh  wall ms");
  for (const seed of args.seeds) {
    for (const kind of ["mm", "naive"] as const) {
      const r = runOne(kind, seed, args.minutes);
      rows.push(r);
      console.log(
        `${r.bot.padEnd(6)} ${String(seed).padStart(4)} ${fmt(r.pnlUsd)} ${fmt(r.realisedUsd, 2).padStart(11)} ${String(r.fills).padStart(6)} ${fmt(r.volumeUsd, 0)} ${String(r.ordersSent).padStart(7)} ${fmt(r.markoutUsd).padStart(10)} ${fmt(r.markoutCentsPerShare).padStart(13)} ${String(Math.round(r.wallMs)).padStart(8)}`,
      );
    }
  }
  for (const kind of ["mm", "naive"] as const) {
    const rs = rows.filter((r) => r.bot === kind);
    const sum = (f: (r: RunRow) => number) => rs.reduce((a, r) => a + f(r), 0);
    const shares = rs.reduce(
      (a, r) =>
        a + (Number.isFinite(r.markoutCentsPerShare) && r.markoutCentsPerShare !== 0 ? (r.markoutUsd * 100) / r.markoutCentsPerShare : 0),
      0,
    );
    console.log(
      `${kind.padEnd(6)} total P&L $${sum((r) => r.pnlUsd).toFixed(2)}, fills ${sum((r) => r.fills)}, markout $${sum((r) => r.markoutUsd).toFixed(2)} (${shares > 0 ? ((sum((r) => r.markoutUsd) * 100) / shares).toFixed(2) : "n/a"} ¢/share)`,
    );
  }
  if (args.json !== "") writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
}
