/**
 * `arb`: the arbitrage bot (issue 8). Also what `BOT_MODE=arbitrage bun run src/main.ts`
 * runs. Simulator by default; the live venue only with `--venue polymarket --live` and a
 * typed confirmation (or `--yes`).
 *
 * The run: build the venue, start the bot, stop after `--duration` (wall-clock time; the
 * simulator runs `--speed` times faster) or on SIGINT/SIGTERM, cancel all, read the open
 * orders back from the exchange, write the summary (stdout, and `--summary-json FILE`).
 * Event lines (JSON) go to stderr. Exit: 0, 3 when the loss limit stopped trading, 1 on a
 * fatal error, 2 on bad flags or configuration, 69 for a venue this build cannot make.
 *
 * Venues: `--venue sim` runs the embedded simulator in process (src/venue/sim-inprocess.ts:
 * the real market/user decoders and book cache, no sockets) on an accelerated clock, with
 * the dislocation knob on so that gaps appear (src/sim/dislocation.ts). `--venue polymarket`
 * needs cli/compose.ts (the network client stack), which this build does not have yet.
 */
import { writeFileSync } from "node:fs";
import { ArbBot, type ArbEventSink, type ArbSummary } from "../bots/arb-bot.ts";
import { arbParamsFromConfig } from "../bots/arb-params.ts";
import { type Config, ConfigError, loadConfigFromProcess } from "../config.ts";
import { AcceleratedClock, type Clock } from "../core/clock.ts";
import type { ExchangeClient, MarketFeed } from "../core/ports.ts";
import { Logger, StderrSink } from "../monitor/logger.ts";
import { DEFAULT_DISLOCATION } from "../sim/dislocation.ts";
import { SimExchange } from "../sim/exchange.ts";
import { inProcessVenue } from "../venue/sim-inprocess.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: bun run src/main.ts arb [--venue sim|polymarket] [--speed N] [--duration 30s|5m|1h]
                                [--summary-json FILE] [--seed N] [--no-dislocation] [--live] [--yes]
       BOT_MODE=arbitrage bun run src/main.ts [same flags]

Buys YES and NO together when the pair costs less than $1 − ARB_MIN_EDGE after taker fees,
sells held pairs above $1 + edge, merges the rest, repairs broken pairs by ARB_LEG_RULE.

  --venue V          sim (default: the embedded simulator) or polymarket
  --speed N          simulated seconds per real second on the simulator (default SIM_SPEED, 1)
  --duration D       stop after D of wall-clock time (30s, 5m, 1h, or ms); default: until Ctrl-C
  --summary-json F   write the run summary as JSON to F (also printed on stdout)
  --seed N           simulator seed (default SIM_SEED)
  --no-dislocation   simulator without arbitrage gaps: Polymarket's shared book never rests one
  --live             trade real money on Polymarket (with --venue polymarket)
  --yes              skip the typed confirmation of --live

Configuration (env or .env, see docs/config.md): ARB_MIN_EDGE, ARB_MAX_CAPITAL, ARB_LEG_RULE,
ARB_MAX_LEG_LOSS, ARB_ORDER_TYPE, RISK_DAILY_LOSS_LIMIT, SIM_SEED, SIM_SPEED, SIM_START_BALANCE.
Summary fields: opportunitiesSeen, tradesTaken, pairsBought, profit, legIncidents,
openOrdersAtExit (read back from the exchange), and more; see docs/arbitrage.md.`;

export interface ArbArgs {
  venue: "sim" | "polymarket" | undefined;
  speed: number | undefined;
  durationMs: number;
  summaryJson: string;
  seed: number | undefined;
  dislocation: boolean;
  live: boolean;
  yes: boolean;
}

/** "30s", "5m", "1h", "250ms" or a plain number of ms → ms; NaN when not a duration. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  return Math.round(n * (unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1));
}

export function parseArbArgs(argv: readonly string[]): ArbArgs | string {
  const a: ArbArgs = { venue: undefined, speed: undefined, durationMs: 0, summaryJson: "", seed: undefined, dislocation: true, live: false, yes: false };
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
      case "--no-dislocation":
        a.dislocation = false;
        break;
      case "--live":
        a.live = true;
        break;
      case "--yes":
        a.yes = true;
        break;
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  return a;
}

interface Venue {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly describe: Record<string, string | number | boolean>;
  /** Lets the venue catch up before the open orders are read back. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** The embedded simulator in process on an accelerated clock, pumped every 10 ms of real time. */
function simVenue(cfg: Config, args: ArbArgs): Venue {
  const speed = args.speed ?? cfg.sim.speed;
  const clock = new AcceleratedClock(speed, Date.now());
  const seed = args.seed ?? cfg.sim.seed;
  const sim = new SimExchange({ seed, startMs: clock.wallMs(), initialBalanceE6: cfg.sim.startBalanceUsdE6, dislocation: args.dislocation ? DEFAULT_DISLOCATION : null });
  const v = inProcessVenue({ sim, clock: { ...clockAdapter(clock), advanceBy: () => {} }, latencyMs: 5 });
  // At most 2 simulated seconds per pump: a slow machine lets the simulator lag the clock
  // (like latency) instead of blocking the event loop in ever longer catch-ups.
  const pump = setInterval(() => sim.advanceTo(Math.min(clock.wallMs(), sim.nowMs + 2_000)), 10);
  v.feed.start();
  return {
    feed: v.feed,
    exchange: v.exchange,
    clock,
    describe: { venue: "sim", speed, seed, dislocation: args.dislocation },
    async settle() {
      // the cancel-all travels through the venue's latency queue (5 ms of simulated time)
      await Bun.sleep(Math.max(20, 50 / speed));
      sim.advanceTo(clock.wallMs());
    },
    async close() {
      clearInterval(pump);
      v.feed.close();
      await v.exchange.close();
    },
  };
}

/** The Clock methods of `c`, bound (the in-process venue takes a clock plus `advanceBy`). */
function clockAdapter(c: Clock): Clock {
  return { nowNs: () => c.nowNs(), wallMs: () => c.wallMs(), setTimer: (ms, fn) => c.setTimer(ms, fn) };
}

async function confirmLive(): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  process.stderr.write('LIVE TRADING with real money on Polymarket. Type "yes" to continue: ');
  for await (const line of console) return line.trim() === "yes";
  return false;
}

export const command: CliCommand = {
  name: "arb",
  summary: "run the arbitrage bot (buy YES+NO below $1 after fees)",
  help: HELP,
  async run(argv) {
    const args = parseArbArgs(argv);
    if (typeof args === "string") {
      console.error(`arb: ${args}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let cfg: Config;
    try {
      cfg = loadConfigFromProcess();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(`arb: ${e.message}`);
      return EXIT.USAGE;
    }
    const venueName = args.venue ?? cfg.venue;
    if (args.live && venueName !== "polymarket") {
      console.error("arb: --live needs --venue polymarket");
      return EXIT.USAGE;
    }
    if (venueName === "polymarket") {
      if (!args.live) {
        console.error("arb: --venue polymarket trades real money: add --live (and confirm), or use --venue sim");
        return EXIT.USAGE;
      }
      if (!args.yes && !(await confirmLive())) {
        console.error("arb: live trading not confirmed");
        return EXIT.USAGE;
      }
      console.error("arb: the Polymarket venue is built by cli/compose.ts, which this build does not have yet");
      return EXIT.NOT_BUILT;
    }
    const venue = simVenue(cfg, args);
    const log = new Logger({ clock: venue.clock, sinks: [new StderrSink()], base: { bot: "arb" } });
    const events: ArbEventSink = (level, event, fields) => log.log(level, event, fields);
    const params = arbParamsFromConfig(cfg);
    const bot = new ArbBot({ feed: venue.feed, exchange: venue.exchange, clock: venue.clock, params, events });
    const startedReal = performance.now();
    const startedSimMs = venue.clock.wallMs();
    const done = bot.run();
    const stopOn = (reason: "duration" | "signal") => () => bot.stop(reason);
    const timer = args.durationMs > 0 ? setTimeout(stopOn("duration"), args.durationMs) : undefined;
    const onSignal = stopOn("signal");
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const result = await done;
    if (timer) clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await venue.settle();
    let openOrdersAtExit = -1;
    try {
      openOrdersAtExit = (await venue.exchange.fetchOpenOrders()).length;
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      log.error("open_orders_unreadable", { error: e.message });
    }
    const summary: ArbSummary & Record<string, unknown> = {
      ...bot.summary(),
      openOrdersAtExit,
      exitReason: result.reason,
      wallMs: Math.round(performance.now() - startedReal),
      simulatedMs: venue.clock.wallMs() - startedSimMs,
      ...venue.describe,
      legRule: params.legRule,
      orderType: params.orderType,
    };
    await venue.close();
    const text = JSON.stringify(summary, null, 2);
    console.log(text);
    if (args.summaryJson !== "") writeFileSync(args.summaryJson, `${text}\n`);
    if (result.reason === "fatal") return EXIT.FAILURE;
    if (summary.halted) return EXIT.RISK_HALT;
    return openOrdersAtExit === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
