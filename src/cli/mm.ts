/**
 * `mm`: the market maker (issue 7), and what `bun run src/main.ts` runs with no command
 * (BOT_MODE=market_maker). Simulator by default: the embedded Polymarket simulator is
 * started in process on 127.0.0.1 and the real client stack trades against it
 * (cli/compose.ts). Live only with `--venue polymarket --live`, a key, and the limits
 * confirmed on stdin (or `--yes`).
 *
 * The run: print configuration notices and the redacted configuration once, compose the
 * venue, start the bot and the status screen, stop after `--duration` (real time; the
 * simulator runs `--speed` times faster) or on SIGINT/SIGTERM, cancel everything, read the
 * open orders back *from the exchange*, print the summary (and `--summary-json FILE`).
 * Exit 0 on a clean stop with no order left, 1 on a fatal error or orders left open, 2 on bad
 * flags or configuration, 4 when the venue cannot be reached.
 */
import { type BotSnapshot, MarketMakerBot, type RunResult } from "../bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../bots/market-maker-params.ts";
import { SystemClock } from "../core/clock.ts";
import { openEventLog, StatusBoard } from "../monitor/status.ts";
import { observabilityOf } from "../monitor/bot-observability.ts";
import {
  awaitOrdersSettled,
  type BotArgs,
  closeRun,
  drainOpenOrders,
  emitSummary,
  loadBotConfig,
  journalStartsFresh,
  openRunJournal,
  openVenue,
  parseBotArgs,
  untilStopped,
  venueLabel,
} from "./bot-runner.ts";
import { EXIT, type CliCommand } from "./command.ts";
import { liveLimitsSummary } from "./compose.ts";

const HELP = `usage: bun run src/main.ts mm [--venue sim|polymarket] [--speed N] [--duration 30s]
                               [--summary-json FILE] [--seed N] [--sim-url URL]
                               [--live | --paper] [--yes] [--no-status]
       bun run src/main.ts            (BOT_MODE=market_maker: the same on the simulator)

Quotes both sides of the BTC/ETH/SOL Up/Down markets of MM_MARKETS × MM_WINDOWS, centred on
a fair value from the underlying (Chainlink) price, with spreads scaled by volatility,
inventory skew, requotes on MM_REQUOTE_THRESHOLD, pre-emptive cancels on underlying jumps,
and risk checks every second (position, correlated exposure, daily loss, circuit breaker).

  --venue V          sim (default): start the embedded simulator on 127.0.0.1 and trade on it
                     with a throwaway key; polymarket: the real exchange (needs --live or --paper)
  --speed N          simulated seconds per real second (default SIM_SPEED)
  --duration D       stop cleanly after D of real time (30s, 5m, 1h); default: until Ctrl-C
  --summary-json F   also write the run summary as JSON to F
  --seed N           simulator seed (default SIM_SEED)
  --sim-url URL      use a simulator already running (bun run src/main.ts sim) at its REST URL;
                     it must run in real time (sim --speed 1): this process keeps the system clock
  --live             real orders on Polymarket: prints the limits and asks you to type "yes"
  --paper            Polymarket's live data, fills simulated locally, nothing sent
  --yes              skip the confirmation of --live (unattended runs)
  --no-status        no live status screen (events still go to the JSONL log)

Output: a status screen (~1 Hz; plain text blocks when stdout is not a terminal), the
JSONL trade/event log under LOG_DIR (default logs/), and at the end a summary with markets,
quotesSent, fills, rejects by code, pnl, maxAbsInventory, openOrdersAtExit (read back from
the exchange), riskTrips. Configuration keys: docs/config.md; this bot: docs/market-maker.md.`;

export interface MmArgs extends BotArgs {
  status: boolean;
}

export function parseMmArgs(argv: readonly string[]): MmArgs | string {
  let status = true;
  const a = parseBotArgs(argv, (flag) => {
    if (flag !== "--no-status") return false;
    status = false;
    return true;
  });
  return typeof a === "string" ? a : { ...a, status };
}

/** The run summary (all money in dollars, sizes in shares). */
export interface MmSummary {
  /** Markets handed to the bot by auto-roll, and those it placed quotes in. */
  readonly markets: number;
  readonly marketsQuoted: number;
  readonly quotesSent: number;
  readonly cancelsSent: number;
  readonly requotes: number;
  readonly preemptiveCancels: number;
  readonly fills: number;
  /** Order rejects by venue code, e.g. {"POST_ONLY_CROSS": 3, "TIMEOUT_AMBIGUOUS": 1}. */
  readonly rejects: Readonly<Record<string, number>>;
  readonly pnl: { readonly total: number; readonly realised: number; readonly unrealised: number; readonly fees: number };
  readonly volume: number;
  readonly markoutCentsPerShare: number | null;
  /** Largest |YES − NO| in one market, shares; and that net position at cost, dollars. */
  readonly maxAbsInventory: number;
  readonly maxAbsInventoryUsd: number;
  /** Open orders of our key read back from the exchange after the final cancel-all (−1: unreadable). */
  readonly openOrdersAtExit: number;
  readonly riskTrips: number;
  readonly riskTripReasons: readonly string[];
  readonly exitReason: string;
  readonly venue: string;
  readonly wallMs: number;
  readonly simulatedMs: number;
}

export function summaryOf(
  s: BotSnapshot,
  trips: readonly string[],
  openOrdersAtExit: number,
  extra: { exitReason: string; venue: string; wallMs: number; simulatedMs: number },
): MmSummary {
  const t = s.totals;
  const mo = s.pnl.markout.perShareE4;
  return {
    markets: t.marketsSeen,
    marketsQuoted: t.marketsQuoted,
    quotesSent: t.quotesSent,
    cancelsSent: t.cancelsSent,
    requotes: t.requotes,
    preemptiveCancels: t.preemptiveCancels,
    fills: t.fills,
    rejects: { ...t.rejectsByCode },
    pnl: { total: s.pnl.totalE6 / 1e6, realised: s.pnl.realisedE6 / 1e6, unrealised: s.pnl.unrealisedE6 / 1e6, fees: s.pnl.feesE6 / 1e6 },
    volume: s.pnl.volumeE6 / 1e6,
    markoutCentsPerShare: Number.isFinite(mo) ? Math.round(mo) / 100 : null,
    maxAbsInventory: t.maxAbsInventoryE6 / 1e6,
    maxAbsInventoryUsd: t.maxAbsInventoryUsdE6 / 1e6,
    openOrdersAtExit,
    riskTrips: t.riskTrips,
    riskTripReasons: trips,
    ...extra,
  };
}

export const command: CliCommand = {
  name: "mm",
  summary: "run the market maker (sim by default; --venue polymarket --paper | --live)",
  help: HELP,
  async run(argv) {
    const args = parseMmArgs(argv);
    if (typeof args === "string") {
      console.error(`mm: ${args}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    const cfg = loadBotConfig(args, "market_maker");
    if (typeof cfg === "string") {
      console.error(`mm: ${cfg}`);
      return EXIT.USAGE;
    }
    const venue = await openVenue("mm", cfg, args, () => liveLimitsSummary(cfg, "market maker"));
    if (typeof venue === "number") return venue;
    // Startup recovery (store/recovery.ts): journal vs exchange, sweep orphans, positions back.
    const run = await openRunJournal("mm", cfg.ops.journalPath, cfg, venue, { setAsidePrevious: journalStartsFresh(venue) });
    if (typeof run === "number") {
      await venue.close();
      return run;
    }
    const clock = venue.clock;
    const log = openEventLog(cfg.ops.logDir, `mm-${cfg.venue}`, clock, { bot: "mm", venue: cfg.venue });
    console.error(`event log: ${log.path}`);
    const trips: string[] = [];
    const bot = new MarketMakerBot({
      feed: venue.feed,
      exchange: venue.exchange,
      clock,
      params: marketMakerParamsFromConfig(cfg),
      ...(run.journal !== undefined && { journal: run.journal }),
      events: (level, event, fields) => {
        if (event === "risk_trip") trips.push(String(fields.reason));
        log.sink(level, event, fields);
        observabilityOf(venue)?.botEvent(level, event, fields);
      },
    });
    observabilityOf(venue)?.watchBot(() => bot.snapshot(), bot.orders);
    for (const ev of run.positionFills) bot.onExchangeEvent(ev);
    const startedReal = performance.now();
    const startedSimMs = clock.wallMs();
    const done = bot.run();
    await venue.start();
    const board = args.status
      ? new StatusBoard(() => bot.snapshot(), {
          clock: new SystemClock(),
          write: (t) => process.stdout.write(t),
          isTTY: process.stdout.isTTY === true,
        })
      : undefined;
    board?.start();
    const result: RunResult = await untilStopped(done, (reason) => bot.stop(reason), args.durationMs);
    board?.stop();
    if (result.reason === "fatal")
      console.error(`mm: halted on a fatal error: ${result.error instanceof Error ? result.error.message : String(result.error)}`);

    const openOrdersAtExit = await drainOpenOrders(venue.exchange);
    // The exchange shows none open: let its confirmations (and any fill that raced the
    // cancel-all) reach the order manager and the journal before the journal closes.
    await awaitOrdersSettled(bot);
    const summary = summaryOf(bot.snapshot(), trips, openOrdersAtExit, {
      exitReason: result.reason,
      venue: venueLabel(cfg),
      wallMs: Math.round(performance.now() - startedReal),
      simulatedMs: clock.wallMs() - startedSimMs,
    });
    log.close();
    await closeRun(run, venue, result.reason);
    emitSummary(summary, args.summaryJson);
    if (result.reason === "fatal") return EXIT.FAILURE;
    return openOrdersAtExit === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
