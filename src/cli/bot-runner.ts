/**
 * What the bot commands (`mm`, `arb`) do the same way, as steps each command calls in order:
 *
 *   parseBotArgs → loadBotConfig → openVenue (live confirmation, compose, banner)
 *   → openRunJournal (write-ahead journal + startup recovery) → build and start the bot
 *   → untilStopped (duration or SIGINT/SIGTERM) → drainOpenOrders (read back from the
 *   exchange) → closeRun (journal, venue) → emitSummary (stdout and --summary-json).
 *
 * The bot itself, its summary and its exit rule stay in the command. Nothing here knows
 * which bot runs; the venue differences stay in compose.ts.
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { type BotMode, type Config, ConfigError, type ConfigKey, describeConfig, loadConfigFromProcess } from "../config.ts";
import type { ExchangeClient, ExchangeEvent } from "../core/ports.ts";
import type { StopReason } from "../engine/bot-lifecycle.ts";
import { Journal, type JournalMode } from "../store/journal.ts";
import { reconcileMismatchLines } from "../monitor/alert-events.ts";
import { observabilityOf, observeVenue } from "../monitor/bot-observability.ts";
import { recoverAtStartup, startupPositionFills } from "../store/recovery.ts";
import { EXIT } from "./command.ts";
import { type ComposeOptions, composeVenue, confirmLive, type VenueHandle } from "./compose.ts";

/** The flags every bot command takes. */
export interface BotArgs {
  venue: "sim" | "polymarket" | undefined;
  speed: number | undefined;
  durationMs: number;
  summaryJson: string;
  seed: number | undefined;
  simUrl: string | undefined;
  live: boolean;
  paper: boolean;
  yes: boolean;
}

/**
 * A command's own flag: true when `flag` was its and is consumed (`value()` reads the next
 * argument), false when it is not its, or an error message.
 */
export type OwnFlag = (flag: string, value: () => string) => boolean | string;

/** "30s", "5m", "1h", "250ms" or a plain number of ms → ms; NaN when not a duration. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  return Math.round(n * (unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1));
}

export function parseBotArgs(argv: readonly string[], own: OwnFlag = () => false): BotArgs | string {
  const a: BotArgs = {
    venue: undefined,
    speed: undefined,
    durationMs: 0,
    summaryJson: "",
    seed: undefined,
    simUrl: undefined,
    live: false,
    paper: false,
    yes: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    const value = (): string => argv[++i] ?? "";
    const mine = own(flag, value);
    if (typeof mine === "string") return mine;
    if (mine) continue;
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
        if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(v))
          return "--sim-url must be the simulator's loopback REST URL, e.g. http://127.0.0.1:8080";
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
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  if (a.live && a.paper) return "--live and --paper exclude each other";
  return a;
}

/** The configuration with the command line's overrides; prints notices and the redacted configuration. */
export function loadBotConfig(args: BotArgs, botMode: BotMode): Config | string {
  const overrides: Partial<Record<ConfigKey, string>> = { BOT_MODE: botMode };
  if (args.venue) overrides.VENUE = args.venue;
  if (args.live) overrides.TRADING_MODE = "live";
  if (args.paper) overrides.TRADING_MODE = "paper";
  let cfg: Config;
  try {
    cfg = loadConfigFromProcess(overrides);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message;
  }
  if (args.live && cfg.venue !== "polymarket") return "--live needs --venue polymarket (or VENUE=polymarket)";
  for (const n of cfg.notices) console.error(`notice: ${n}`);
  for (const line of describeConfig(cfg)) console.error(line);
  return cfg;
}

/** "sim", "polymarket-paper" or "polymarket-live". */
export const venueLabel = (cfg: Config): string => (cfg.venue === "sim" ? "sim" : `polymarket-${cfg.tradingMode}`);

/**
 * Live needs `--live` on the command line and the limits confirmed (or `--yes`); then the
 * venue is composed and its banner printed. Returns the venue, or the exit code after
 * saying why on stderr.
 */
export async function openVenue(
  cmd: string,
  cfg: Config,
  args: BotArgs,
  liveLimits: () => readonly string[],
  extra: Partial<ComposeOptions> = {},
): Promise<VenueHandle | number> {
  if (cfg.venue === "polymarket" && cfg.tradingMode === "live") {
    if (!args.live) {
      console.error(`${cmd}: TRADING_MODE=live trades real money: pass --live explicitly (or --paper)`);
      return EXIT.USAGE;
    }
    if (!(await confirmLive(liveLimits(), args.yes))) {
      console.error(`${cmd}: live trading not confirmed; nothing was started`);
      return EXIT.USAGE;
    }
  }
  const composed = await composeVenue({
    config: cfg,
    venue: cfg.venue,
    tradingMode: cfg.tradingMode,
    // `--venue sim --paper`: the simulator's public feed, paper fills, nothing sent to it.
    ...(cfg.venue === "sim" && args.paper && { simPaper: true }),
    ...(args.speed !== undefined && { speed: args.speed }),
    ...(args.seed !== undefined && { seed: args.seed }),
    ...(args.simUrl !== undefined && { simUrl: args.simUrl }),
    ...extra,
  });
  if (!composed.ok) {
    console.error(`${cmd}: ${composed.reason}`);
    return composed.code === "USAGE" ? EXIT.USAGE : composed.code === "NOT_BUILT" ? EXIT.NOT_BUILT : EXIT.VENUE;
  }
  for (const line of composed.value.lines) console.error(line);
  // Metrics server and alerts when configured (monitor/bot-observability.ts); else unchanged.
  const observed = observeVenue(cmd, cfg, composed.value);
  if (typeof observed === "string") {
    console.error(`${cmd}: ${observed}`);
    await composed.value.close();
    return EXIT.USAGE;
  }
  const metricsUrl = observabilityOf(observed)?.url;
  if (metricsUrl !== undefined) console.error(`metrics: ${metricsUrl}/metrics, health: ${metricsUrl}/healthz`);
  return observed;
}

export interface RunJournal {
  readonly journal: Journal | undefined;
  /** Fills that seed the bot's inventory with what the exchange holds (startup recovery). */
  readonly positionFills: readonly ExchangeEvent[];
}

/**
 * Opens the write-ahead journal (required live; otherwise a failure only turns it off) and
 * reconciles it with the exchange before the first order: orphans swept, positions back.
 * When observed: failed writes count in `mmp_journal_write_errors_total`, a reconcile that
 * found the journal and the exchange disagreeing raises `reconcileMismatchAlert`, and the
 * recovered positions seed `mmp_inventory_shares`.
 */
/**
 * Whether a run starts its journal afresh: on an embedded simulator, born with this process
 * (a new exchange, a new throwaway key), the last run's journal has nothing to reconcile
 * against, so it is set aside (`<file>.prev`), not replayed.
 */
export const journalStartsFresh = (venue: VenueHandle): boolean => venue.sim !== undefined;

export async function openRunJournal(
  cmd: string,
  path: string,
  cfg: Config,
  venue: VenueHandle,
  opts: { readonly setAsidePrevious?: boolean } = {},
): Promise<RunJournal | number> {
  const mode: JournalMode = cfg.venue === "sim" ? "sim" : cfg.tradingMode;
  const obs = observabilityOf(venue);
  if (opts.setAsidePrevious === true && existsSync(path)) {
    for (const ext of ["", "-wal", "-shm"]) if (existsSync(path + ext)) renameSync(path + ext, `${path}.prev${ext}`);
    console.error(`${cmd}: new embedded simulator: the last run's journal moved to ${path}.prev`);
  }
  const jr = Journal.open({ path, mode, clock: venue.clock, ...(obs && { onWriteError: () => obs.journalWriteError() }) });
  if (!jr.ok && mode === "live") {
    console.error(`${cmd}: ${jr.reason} (live trading needs its write-ahead journal)`);
    return EXIT.FAILURE;
  }
  if (!jr.ok) {
    console.error(`${cmd}: journal off: ${jr.reason}`);
    return { journal: undefined, positionFills: [] };
  }
  const journal = jr.value;
  obs?.attachJournal(journal);
  journal.startRun(cmd, "0.1.0");
  const clock = venue.clock;
  const recovered = await recoverAtStartup({
    journal,
    exchange: venue.exchange,
    clock,
    ...(venue.fetchTrades && { fetchTrades: venue.fetchTrades }),
    log: (l) => console.error(l.startsWith("reconcile") ? l : `reconcile: ${l}`),
  });
  const positionFills = startupPositionFills(recovered, clock.nowNs(), clock.wallMs());
  obs?.reconcileMismatch(reconcileMismatchLines(recovered));
  obs?.startupPositions(positionFills);
  return { journal, positionFills };
}

/**
 * Waits for the bot's run to end, asking it to stop after `durationMs` of real time (0 =
 * never) or on SIGINT/SIGTERM. Resolves with the run's own result.
 */
export async function untilStopped<R>(
  done: Promise<R>,
  stop: (reason: Extract<StopReason, "duration" | "signal">) => void,
  durationMs: number,
): Promise<R> {
  const timer = durationMs > 0 ? setTimeout(() => stop("duration"), durationMs) : undefined;
  const onSignal = () => stop("signal");
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await done;
  } finally {
    if (timer) clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
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

/**
 * After the read-back shows nothing open: lets the exchange's confirmations of the final
 * cancel-all (and any fill that raced it) reach the order manager and the journal, for up to
 * `maxMs` of real time, then stops the bot listening.
 */
export async function awaitOrdersSettled(bot: { readonly ordersSettled: boolean; dispose(): void }, maxMs = 2_000): Promise<void> {
  for (const end = performance.now() + maxMs; !bot.ordersSettled && performance.now() < end; ) await Bun.sleep(20);
  bot.dispose();
}

/** Closes the run: the journal's stop marker, then the venue (sockets, timers, embedded simulator). */
export async function closeRun(run: RunJournal, venue: VenueHandle, reason: string): Promise<void> {
  run.journal?.stopRun(reason);
  run.journal?.close();
  await venue.close();
}

/** The summary as JSON on stdout, and in `file` when given. */
export function emitSummary(summary: object, file: string): void {
  const text = JSON.stringify(summary, null, 2);
  console.log(text);
  if (file !== "") writeFileSync(file, `${text}\n`);
}
