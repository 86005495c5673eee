/**
 * `arb`: the arbitrage bot (issue 8). Also what `BOT_MODE=arbitrage bun run src/main.ts`
 * runs. Simulator by default; Polymarket with `--venue polymarket --paper` (live data, fills
 * simulated, nothing sent) or `--live` (real money: the limits are printed and must be
 * confirmed by typing "yes", or `--yes`).
 *
 * The run (steps shared with `mm`, cli/bot-runner.ts): compose the venue, reconcile the
 * write-ahead journal with the exchange, start the bot, stop after `--duration` (wall-clock
 * time; the simulator runs `--speed` times faster) or on SIGINT/SIGTERM, cancel all, read
 * the open orders back from the exchange, write the summary (stdout, and `--summary-json
 * FILE`). Event lines (JSON) go to stderr. Exit: 0, 3 when the loss limit stopped trading, 1
 * on a fatal error or orders left open, 2 on bad flags or configuration, 4 venue unreachable.
 *
 * Venues (cli/compose.ts): `--venue sim` starts the embedded simulator server on 127.0.0.1
 * and trades on it through the real client stack (sockets, signed REST, pre-signed pool,
 * heartbeat, Gamma auto-roll, CTF merges over REST), with the dislocation knob on so that
 * gaps appear (src/sim/dislocation.ts). `--in-process` keeps the older path for quick runs:
 * the same simulator in this process with no sockets (src/venue/sim-inprocess.ts).
 */
import { ArbBot, type ArbSummary } from "../bots/arb-bot.ts";
import { arbParamsFromConfig } from "../bots/arb-params.ts";
import type { Config } from "../config.ts";
import { AcceleratedClock } from "../core/clock.ts";
import { formatFixed } from "../core/units.ts";
import { Logger, StderrSink } from "../monitor/logger.ts";
import { DEFAULT_DISLOCATION } from "../sim/dislocation.ts";
import { SimExchange } from "../sim/exchange.ts";
import { inProcessVenue } from "../venue/sim-inprocess.ts";
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
import { alignedSimStart, type VenueHandle } from "./compose.ts";

const HELP = `usage: bun run src/main.ts arb [--venue sim|polymarket] [--speed N] [--duration 30s|5m|1h]
                                [--summary-json FILE] [--seed N] [--no-dislocation] [--in-process]
                                [--sim-url URL] [--live | --paper] [--yes]
       BOT_MODE=arbitrage bun run src/main.ts [same flags]

Buys YES and NO together when the pair costs less than $1 − ARB_MIN_EDGE after taker fees,
sells held pairs above $1 + edge, merges the rest, repairs broken pairs by ARB_LEG_RULE.

  --venue V          sim (default): start the embedded simulator on 127.0.0.1 and trade on it
                     through the real client stack with a throwaway key; polymarket: the real
                     exchange (with --paper or --live)
  --speed N          simulated seconds per real second on the simulator (default SIM_SPEED, 1)
  --duration D       stop after D of wall-clock time (30s, 5m, 1h, or ms); default: until Ctrl-C
  --summary-json F   write the run summary as JSON to F (also printed on stdout)
  --seed N           simulator seed (default SIM_SEED)
  --no-dislocation   simulator without arbitrage gaps: Polymarket's shared book never rests one
  --in-process       the simulator in this process, no sockets (quick runs and tests)
  --sim-url URL      use a simulator already running in real time (bun run src/main.ts sim)
  --paper            Polymarket's live data, fills simulated locally, nothing sent
  --live             trade real money on Polymarket: prints the limits, asks you to type "yes"
  --yes              skip the typed confirmation of --live

Markets: MM_MARKETS × MM_WINDOWS (default BTC,ETH,SOL × 5m,15m,1h), found by Gamma auto-roll.
Configuration (env or .env, see docs/config.md): ARB_MIN_EDGE, ARB_MAX_CAPITAL, ARB_LEG_RULE,
ARB_MAX_LEG_LOSS, ARB_ORDER_TYPE, RISK_DAILY_LOSS_LIMIT, SIM_SEED, SIM_SPEED, SIM_START_BALANCE,
PRE_SIGN_POOL_SIZE, JOURNAL_PATH (arb journals to its "-arb" sibling).
Summary fields: opportunitiesSeen, tradesTaken, pairsBought, profit, legIncidents,
openOrdersAtExit (read back from the exchange), and more; see docs/arbitrage.md.`;

export interface ArbArgs extends BotArgs {
  dislocation: boolean;
  inProcess: boolean;
}

export function parseArbArgs(argv: readonly string[]): ArbArgs | string {
  const own = { dislocation: true, inProcess: false };
  const a = parseBotArgs(argv, (flag) => {
    if (flag === "--no-dislocation") own.dislocation = false;
    else if (flag === "--in-process") own.inProcess = true;
    else return false;
    return true;
  });
  if (typeof a === "string") return a;
  if (own.inProcess && (a.venue === "polymarket" || a.simUrl !== undefined))
    return "--in-process runs the embedded simulator: it excludes --venue polymarket and --sim-url";
  return { ...a, ...own };
}

/** The arbitrage bot's journal: JOURNAL_PATH's "-arb" sibling, so its recovery never touches the market maker's intents. */
export function arbJournalPath(journalPath: string): string {
  return /\.sqlite$/.test(journalPath) ? journalPath.replace(/\.sqlite$/, "-arb.sqlite") : `${journalPath}-arb`;
}

/** The limits a live arbitrage run trades with, for the operator to confirm. Never shows a secret. */
export function arbLiveLimits(cfg: Config): string[] {
  const usd = (e6: number) => `$${formatFixed(e6, 6)}`;
  const a = cfg.arb;
  return [
    `LIVE TRADING on Polymarket (${cfg.polymarket.clobUrl}), bot: arbitrage`,
    `  key:              ${cfg.credentials.privateKeySource === "file" ? `file ${cfg.credentials.privateKeyFile ?? ""}` : cfg.credentials.privateKeySource}, signature type ${cfg.polymarket.signatureType}`,
    `  markets:          ${cfg.mm.markets.join(",")} × ${cfg.mm.windows.join(",")}`,
    `  min edge:         ${formatFixed(a.minEdgeE4, 4)} per pair after taker fees; legs ${a.orderType}`,
    `  max capital:      ${usd(a.maxCapitalUsdE6)} (held tokens + buy legs in flight)`,
    `  leg rule:         ${a.legRule}, at most ${usd(a.maxLegLossUsdE6)} lost per leg incident`,
    `  daily loss limit: ${usd(cfg.risk.dailyLossLimitUsdE6)} (cancels all, no new trade)`,
    "  merges:           not built live (on-chain CTF merge): held pairs are sold above $1 or pay $1 at resolution",
  ];
}

/**
 * The embedded simulator in this process (no sockets) on an accelerated clock, pumped every
 * 10 ms of real time, as a venue handle.
 */
function inProcessHandle(cfg: Config, args: ArbArgs): VenueHandle {
  const speed = args.speed ?? cfg.sim.speed;
  const clock = new AcceleratedClock(speed, alignedSimStart(Date.now()));
  const seed = args.seed ?? cfg.sim.seed;
  const sim = new SimExchange({
    seed,
    startMs: clock.wallMs(),
    initialBalanceE6: cfg.sim.startBalanceUsdE6,
    dislocation: args.dislocation ? DEFAULT_DISLOCATION : null,
  });
  const v = inProcessVenue({
    sim,
    clock: { nowNs: () => clock.nowNs(), wallMs: () => clock.wallMs(), setTimer: (ms, fn) => clock.setTimer(ms, fn), advanceBy: () => {} },
    latencyMs: 5,
  });
  // At most 2 simulated seconds per pump: a slow machine lets the simulator lag the clock
  // (like latency) instead of blocking the event loop in ever longer catch-ups.
  const pump = setInterval(() => sim.advanceTo(Math.min(clock.wallMs(), sim.nowMs + 2_000)), 10);
  return {
    clock,
    feed: v.feed,
    exchange: v.exchange,
    lines: [`simulator: in process, no sockets (seed ${seed}, ×${speed} speed, dislocations ${args.dislocation ? "on" : "off"})`],
    apiKey: v.exchange.apiKey,
    sim: undefined,
    merges: true,
    async start() {
      v.feed.start();
    },
    async close() {
      clearInterval(pump);
      v.feed.close();
      await v.exchange.close();
    },
  };
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
    const cfg = loadBotConfig(args, "arbitrage");
    if (typeof cfg === "string") {
      console.error(`arb: ${cfg}`);
      return EXIT.USAGE;
    }
    if (args.inProcess && cfg.venue !== "sim") {
      console.error("arb: --in-process runs the embedded simulator: it needs VENUE=sim");
      return EXIT.USAGE;
    }
    const venue = args.inProcess
      ? inProcessHandle(cfg, args)
      : await openVenue("arb", cfg, args, () => arbLiveLimits(cfg), { dislocation: args.dislocation ? DEFAULT_DISLOCATION : null });
    if (typeof venue === "number") return venue;
    if (args.inProcess) for (const line of venue.lines) console.error(line);
    const run = await openRunJournal("arb", arbJournalPath(cfg.ops.journalPath), cfg, venue, {
      setAsidePrevious: journalStartsFresh(venue),
    });
    if (typeof run === "number") {
      await venue.close();
      return run;
    }
    const clock = venue.clock;
    const log = new Logger({ clock, sinks: [new StderrSink()], base: { bot: "arb" } });
    // Without merges at the venue, held pairs wait for a sale above $1 or for resolution.
    const params = { ...arbParamsFromConfig(cfg), merges: venue.merges !== false };
    const bot = new ArbBot({
      feed: venue.feed,
      exchange: venue.exchange,
      clock,
      params,
      ...(run.journal !== undefined && { journal: run.journal }),
      events: (level, event, fields) => {
        log.log(level, event, fields);
        observabilityOf(venue)?.botEvent(level, event, fields);
      },
    });
    observabilityOf(venue)?.watchBot(() => ({ pnl: bot.pnl.summary(bot.mark), halted: bot.summary().halted }), bot.orders);
    for (const ev of run.positionFills) bot.onExchangeEvent(ev);
    const startedReal = performance.now();
    const startedSimMs = clock.wallMs();
    const done = bot.run();
    await venue.start();
    const result = await untilStopped(done, (reason) => bot.stop(reason), args.durationMs);
    if (result.reason === "fatal")
      console.error(`arb: halted on a fatal error: ${result.error instanceof Error ? result.error.message : String(result.error)}`);

    const openOrdersAtExit = await drainOpenOrders(venue.exchange);
    await awaitOrdersSettled(bot);
    const pool = venue.poolStats?.();
    const summary: ArbSummary & Record<string, unknown> = {
      ...bot.summary(),
      openOrdersAtExit,
      exitReason: result.reason,
      wallMs: Math.round(performance.now() - startedReal),
      simulatedMs: clock.wallMs() - startedSimMs,
      venue: venueLabel(cfg),
      transport: args.inProcess ? "in-process" : "network",
      ...(cfg.venue === "sim" && { speed: args.speed ?? cfg.sim.speed, seed: args.seed ?? cfg.sim.seed, dislocation: args.dislocation }),
      legRule: params.legRule,
      orderType: params.orderType,
      ...(pool && { presignedHits: pool.hits, presignedMisses: pool.misses }),
    };
    await closeRun(run, venue, result.reason);
    emitSummary(summary, args.summaryJson);
    if (result.reason === "fatal") return EXIT.FAILURE;
    if (summary.halted) return EXIT.RISK_HALT;
    return openOrdersAtExit === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
