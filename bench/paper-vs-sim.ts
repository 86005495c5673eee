/**
 * Sanity check of the fill model (issue 9, item 5): the market maker runs twice on the same
 * simulator seed —
 *   A. trading for real against the embedded simulator (src/venue/sim-inprocess.ts: our orders
 *      rest in its matching engine, its synthetic flow trades against them);
 *   B. in paper mode on the simulator's public feed (src/venue/paper.ts: the same bot, the fill
 *      model decides its fills from the public book and trade prints; nothing reaches the
 *      simulator).
 * and the fills and P&L are compared. They cannot be identical: in A our orders are in the
 * book and change what the flow does (it trades with us instead of others, a requote moves
 * the touch), in B the market never sees us. The difference is the fill model's error plus
 * our market impact; the script prints both runs and the difference.
 *
 *   bun run bench/paper-vs-sim.ts [--seed 11] [--minutes 35] [--latency-ms 2] [--queue worst_case|pro_rata] [--book-through]
 */
import { MarketMakerBot } from "../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS } from "../src/bots/market-maker-params.ts";
import { ManualClock } from "../src/core/clock.ts";
import type { ExchangeClient, ExchangeEvent, MarketFeed } from "../src/core/ports.ts";
import { SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import { DEFAULT_FILL_MODEL, type QueueCancelRule } from "../src/venue/fill-model.ts";
import { paperVenue } from "../src/venue/paper.ts";
import { inProcessVenue } from "../src/venue/sim-inprocess.ts";

const WINDOW_MS = 900_000;

export interface RunNumbers {
  readonly fills: number;
  readonly makerFills: number;
  readonly volumeSh: number;
  readonly buySh: number;
  readonly sellSh: number;
  readonly realisedUsd: number;
  readonly unrealisedUsd: number;
  readonly totalUsd: number;
  readonly feesUsd: number;
  readonly markout10sCentsPerShare: number;
  readonly quotesSent: number;
}

export interface Comparison {
  readonly seed: number;
  readonly minutes: number;
  readonly sim: RunNumbers;
  readonly paper: RunNumbers;
  readonly paperCauses: Readonly<Record<string, number>>;
}

function numbers(bot: MarketMakerBot, fills: readonly Extract<ExchangeEvent, { kind: "fill" }>[]): RunNumbers {
  const s = bot.pnl.summary(bot.mark);
  let buy = 0;
  let sell = 0;
  let maker = 0;
  const seen = new Set<string>();
  for (const f of fills) {
    const key = `${f.tradeId}|${f.orderId}`;
    if (seen.has(key)) continue; // a trade reported MATCHED, MINED, CONFIRMED counts once
    seen.add(key);
    if (f.side === "BUY") buy += f.sizeE6;
    else sell += f.sizeE6;
    if (f.liquidity === "maker") maker++;
  }
  return {
    fills: seen.size,
    makerFills: maker,
    volumeSh: (buy + sell) / 1e6,
    buySh: buy / 1e6,
    sellSh: sell / 1e6,
    realisedUsd: s.realisedE6 / 1e6,
    unrealisedUsd: s.unrealisedE6 / 1e6,
    totalUsd: s.totalE6 / 1e6,
    feesUsd: s.feesE6 / 1e6,
    markout10sCentsPerShare: s.markout.perShareE4 / 100,
    quotesSent: bot.totals.quotesSent,
  };
}

function runOnce(
  seed: number,
  minutes: number,
  latencyMs: number,
  mode: "sim" | "paper",
  queue: QueueCancelRule,
  bookThrough: boolean,
): { n: RunNumbers; causes: Record<string, number> } {
  const firstStart = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
  const t0 = firstStart - 120_000;
  const clock = new ManualClock(t0);
  const sim = new SimExchange({ seed, startMs: t0, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
  const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs });
  const feed: MarketFeed = venue.feed;
  let exchange: ExchangeClient = venue.exchange;
  const paper =
    mode === "paper"
      ? paperVenue({
          feed,
          clock,
          settings: {
            orderLatencyMs: latencyMs,
            cancelLatencyMs: latencyMs,
            responseLatencyMs: latencyMs,
            fill: { ...DEFAULT_FILL_MODEL, queueCancelRule: queue, bookThrough },
          },
        })
      : undefined;
  if (paper) exchange = paper.exchange;
  const fills: Extract<ExchangeEvent, { kind: "fill" }>[] = [];
  exchange.onEvent((ev) => {
    if (ev.kind === "fill") fills.push(ev);
  });
  const params = {
    ...DEFAULT_MM_PARAMS,
    risk: { ...DEFAULT_MM_PARAMS.risk, dailyLossLimitUsdE6: 10_000_000_000 },
    breaker: { ...DEFAULT_MM_PARAMS.breaker, dailyLossLimitUsdE6: 10_000_000_000 },
  };
  const bot = new MarketMakerBot({ feed, exchange, clock, params });
  void bot.run();
  venue.feed.start();
  for (let s = 0; s < minutes * 60; s++) venue.advance(1000);
  bot.stop("duration");
  venue.advance(1000);
  const causes: Record<string, number> = {};
  for (const f of paper?.exchange.journal.fills ?? []) causes[f.cause] = (causes[f.cause] ?? 0) + 1;
  return { n: numbers(bot, fills), causes };
}

export function comparePaperToSim(
  seed: number,
  minutes: number,
  latencyMs = 2,
  queue: QueueCancelRule = "worst_case",
  bookThrough = DEFAULT_FILL_MODEL.bookThrough,
): Comparison {
  const a = runOnce(seed, minutes, latencyMs, "sim", queue, bookThrough);
  const b = runOnce(seed, minutes, latencyMs, "paper", queue, bookThrough);
  return { seed, minutes, sim: a.n, paper: b.n, paperCauses: b.causes };
}

export function formatComparison(c: Comparison): string {
  const keys = Object.keys(c.sim) as (keyof RunNumbers)[];
  const lines = [
    `paper vs simulator, MM, seed ${c.seed}, ${c.minutes} simulated minutes (BTC/ETH/SOL 15-minute windows)`,
    `${"".padEnd(26)}${"simulator".padStart(12)}${"paper".padStart(12)}${"paper − sim".padStart(14)}`,
  ];
  for (const k of keys) {
    const a = c.sim[k];
    const b = c.paper[k];
    lines.push(`${k.padEnd(26)}${a.toFixed(2).padStart(12)}${b.toFixed(2).padStart(12)}${(b - a).toFixed(2).padStart(14)}`);
  }
  lines.push(
    `paper fills by cause: ${Object.entries(c.paperCauses)
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  return lines.join("\n");
}

if (import.meta.main) {
  const argv = process.argv.slice(2);
  const arg = (name: string, dflt: string): string => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? dflt) : dflt;
  };
  const queue = arg("--queue", "worst_case") as QueueCancelRule;
  const c = comparePaperToSim(
    Number(arg("--seed", "11")),
    Number(arg("--minutes", "35")),
    Number(arg("--latency-ms", "2")),
    queue,
    argv.includes("--book-through"),
  );
  console.log(formatComparison(c));
}
