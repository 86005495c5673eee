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
import { writeFileSync } from "node:fs";
import { type BotSnapshot, MarketMakerBot, type RunResult } from "../bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../bots/market-maker-params.ts";
import { type Config, ConfigError, type ConfigKey, describeConfig, loadConfigFromProcess } from "../config.ts";
import { SystemClock } from "../core/clock.ts";
import type { ExchangeClient } from "../core/ports.ts";
import { openEventLog, StatusBoard } from "../monitor/status.ts";
import { Journal, type JournalMode } from "../store/journal.ts";
import { recoverAtStartup, startupPositionFills } from "../store/recovery.ts";
import { EXIT, type CliCommand } from "./command.ts";
import { composeVenue, confirmLive, liveLimitsSummary } from "./compose.ts";
import { parseDuration } from "./arb.ts";

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
quotesSent, fills, pnl, maxAbsInventory, openOrdersAtExit (read back from the exchange),
riskTrips. Configuration keys: docs/config.md; this bot: docs/market-maker.md.`;

export interface MmArgs {
  venue: "sim" | "polymarket" | undefined;
  speed: number | undefined;
  durationMs: number;
  summaryJson: string;
  seed: number | undefined;
  simUrl: string | undefined;
  live: boolean;
  paper: boolean;
  yes: boolean;
  status: boolean;
}

export function parseMmArgs(argv: readonly string[]): MmArgs | string {
  const a: MmArgs = { venue: undefined, speed: undefined, durationMs: 0, summaryJson: "", seed: undefined, simUrl: undefined, live: false, paper: false, yes: false, status: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => argv[++i] ?? "";
    switch (flag) {
      case "--venue": {
        const v = value();
        if (v !== "sim" && v !== "polymarket") return "--venue must be sim or polymarket";
        a.venue = v;
        break;
      }
      case "--speed": {
        const v = Number(value());
        if (!(v >= 0.01 && v <= 100_000)) return "--speed must be a number in 0.01 … 100000";
        a.speed = v;
        break;
      }
      case "--duration": {
        const v = parseDuration(value());
        if (!(v > 0)) return "--duration must be like 30s, 5m, 1h or a number of ms";
        a.durationMs = v;
        break;
      }
      case "--summary-json":
        a.summaryJson = value();
        if (a.summaryJson === "") return "--summary-json needs a file name";
        break;
      case "--seed": {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0) return "--seed must be a non-negative integer";
        a.seed = v;
        break;
      }
      case "--sim-url": {
        const v = value();
        if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(v)) return "--sim-url must be the simulator's loopback REST URL, e.g. http://127.0.0.1:8080";
        a.simUrl = v;
        break;
      }
      case "--live":
        a.live = true;
        break;
      case "--paper":
        a.paper = true;
        break;
      case "--yes":
        a.yes = true;
        break;
      case "--no-status":
        a.status = false;
        break;
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  if (a.live && a.paper) return "--live and --paper exclude each other";
  return a;
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

export function summaryOf(s: BotSnapshot, trips: readonly string[], openOrdersAtExit: number, extra: { exitReason: string; venue: string; wallMs: number; simulatedMs: number }): MmSummary {
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

/**
 * Cancels everything and reads the exchange back until it shows no open order of ours
 * (a cancel-all may race an order still in flight), for up to `maxMs` of real time.
 * Returns the last count read, or −1 when the exchange could not be read.
 */
export async function drainOpenOrders(exchange: ExchangeClient, maxMs = 3_000): Promise<number> {
  const started = performance.now();
  let count = -1;
  for (let attempt = 0; ; attempt++) {
    try {
      count = (await exchange.fetchOpenOrders()).length;
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      count = -1;
    }
    if (count === 0 || performance.now() - started > maxMs) return count;
    if (attempt > 0) exchange.cancelAll();
    await Bun.sleep(50 * (attempt + 1));
  }
}

function loadConfig(args: MmArgs): Config | string {
  const overrides: Partial<Record<ConfigKey, string>> = { BOT_MODE: "market_maker" };
  if (args.venue) overrides.VENUE = args.venue;
  if (args.live) overrides.TRADING_MODE = "live";
  if (args.paper) overrides.TRADING_MODE = "paper";
  try {
    return loadConfigFromProcess(overrides);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
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
    const cfg = loadConfig(args);
    if (typeof cfg === "string") {
      console.error(`mm: ${cfg}`);
      return EXIT.USAGE;
    }
    for (const n of cfg.notices) console.error(`notice: ${n}`);
    for (const line of describeConfig(cfg)) console.error(line);
    const venueName = cfg.venue;
    if (venueName === "polymarket" && cfg.tradingMode === "live") {
      if (!args.live) {
        console.error("mm: TRADING_MODE=live trades real money: pass --live explicitly (or --paper)");
        return EXIT.USAGE;
      }
      if (!(await confirmLive(liveLimitsSummary(cfg, "market maker"), args.yes))) {
        console.error("mm: live trading not confirmed; nothing was started");
        return EXIT.USAGE;
      }
    }
    const composed = await composeVenue({
      config: cfg,
      venue: venueName,
      tradingMode: cfg.tradingMode,
      ...(args.speed !== undefined && { speed: args.speed }),
      ...(args.seed !== undefined && { seed: args.seed }),
      ...(args.simUrl !== undefined && { simUrl: args.simUrl }),
    });
    if (!composed.ok) {
      console.error(`mm: ${composed.reason}`);
      return composed.code === "USAGE" ? EXIT.USAGE : composed.code === "NOT_BUILT" ? EXIT.NOT_BUILT : EXIT.VENUE;
    }
    const venue = composed.value;
    for (const line of venue.lines) console.error(line);
    const clock = venue.clock;
    const journalMode: JournalMode = venueName === "sim" ? "sim" : cfg.tradingMode;
    const jr = Journal.open({ path: cfg.ops.journalPath, mode: journalMode, clock });
    if (!jr.ok && journalMode === "live") {
      console.error(`mm: ${jr.reason} (live trading needs its write-ahead journal)`);
      await venue.close();
      return EXIT.FAILURE;
    }
    if (!jr.ok) console.error(`mm: journal off: ${jr.reason}`);
    const journal = jr.ok ? jr.value : undefined;
    journal?.startRun("mm", "0.1.0");
    // Startup recovery (store/recovery.ts): journal vs exchange, sweep orphans, positions back.
    const recovered = journal ? await recoverAtStartup({ journal, exchange: venue.exchange, clock, ...(venue.fetchTrades && { fetchTrades: venue.fetchTrades }), log: (l) => console.error(`reconcile: ${l}`) }) : undefined;
    const log = openEventLog(cfg.ops.logDir, `mm-${venueName}`, clock, { bot: "mm", venue: venueName });
    console.error(`event log: ${log.path}`);
    const trips: string[] = [];
    const bot = new MarketMakerBot({
      feed: venue.feed,
      exchange: venue.exchange,
      clock,
      params: marketMakerParamsFromConfig(cfg),
      ...(journal !== undefined && { journal }),
      events: (level, event, fields) => {
        if (event === "risk_trip") trips.push(String(fields.reason));
        log.sink(level, event, fields);
      },
    });
    if (recovered) for (const ev of startupPositionFills(recovered, clock.nowNs(), clock.wallMs())) bot.onExchangeEvent(ev);
    const startedReal = performance.now();
    const startedSimMs = clock.wallMs();
    const done = bot.run();
    await venue.start();
    const board = args.status ? new StatusBoard(() => bot.snapshot(), { clock: new SystemClock(), write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY === true }) : undefined;
    board?.start();

    const stop = (reason: "duration" | "signal") => () => bot.stop(reason);
    const timer = args.durationMs > 0 ? setTimeout(stop("duration"), args.durationMs) : undefined;
    const onSignal = stop("signal");
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const result: RunResult = await done;
    if (timer) clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    board?.stop();
    if (result.reason === "fatal") console.error(`mm: halted on a fatal error: ${result.error instanceof Error ? result.error.message : String(result.error)}`);

    const openOrdersAtExit = await drainOpenOrders(venue.exchange);
    const summary = summaryOf(bot.snapshot(), trips, openOrdersAtExit, {
      exitReason: result.reason,
      venue: venueName === "sim" ? "sim" : `polymarket-${cfg.tradingMode}`,
      wallMs: Math.round(performance.now() - startedReal),
      simulatedMs: clock.wallMs() - startedSimMs,
    });
    journal?.stopRun(result.reason);
    journal?.close();
    log.close();
    await venue.close();
    const text = JSON.stringify(summary, null, 2);
    console.log(text);
    if (args.summaryJson !== "") writeFileSync(args.summaryJson, `${text}\n`);
    if (result.reason === "fatal") return EXIT.FAILURE;
    return openOrdersAtExit === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
