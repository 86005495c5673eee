/**
 * One hour of the arbitrage bot on the simulator, accelerated: the synthetic flow (makers,
 * noise and informed takers) plus the dislocation knob (src/sim/dislocation.ts) that now and
 * then opens a YES+NO gap, BTC/ETH/SOL 5m/15m/1h windows. Prints what the bot earned, how
 * many leg incidents happened and how they ended, and one JSON line.
 *
 * Two transports:
 * - in process (default): the simulator in this process on a ManualClock, `--latency` ms each
 *   way, as fast as the machine runs (src/venue/sim-inprocess.ts);
 * - `--network`: what `arb --venue sim` runs — the embedded simulator server on 127.0.0.1 and
 *   the real client stack (sockets, signed REST, pre-signed pool, heartbeat, auto-roll, merges
 *   over REST) composed by cli/compose.ts, on an accelerated clock at `--speed` (default 20: an
 *   hour in 3 minutes). Latency is then the real loopback round trip × speed.
 *
 *   bun run bench/arb-hour.ts [--minutes 60] [--seed 1] [--rule unwind|retry] [--order FOK|FAK]
 *                             [--latency 20 | --network [--speed 20]] [--no-dislocation] [--json FILE]
 *
 * Without dislocations the simulator is Polymarket's shared book: no gap ever rests, and
 * the bot (correctly) does nothing; the run says so.
 */
import { writeFileSync } from "node:fs";
import { ArbBot, type ArbSummary } from "../src/bots/arb-bot.ts";
import { type ArbBotParams, DEFAULT_ARB_PARAMS } from "../src/bots/arb-params.ts";
import { drainOpenOrders } from "../src/cli/bot-runner.ts";
import { alignedSimStart, composeVenue } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config.ts";
import { ManualClock } from "../src/core/clock.ts";
import { DEFAULT_DISLOCATION } from "../src/sim/dislocation.ts";
import { DEFAULT_SIM, SimExchange } from "../src/sim/exchange.ts";
import { inProcessVenue } from "../src/venue/sim-inprocess.ts";

interface Args {
  minutes: number;
  seed: number;
  rule: "unwind" | "retry";
  order: "FOK" | "FAK";
  latencyMs: number;
  network: boolean;
  speed: number;
  dislocation: boolean;
  json: string;
}

function parse(argv: readonly string[]): Args {
  const a: Args = {
    minutes: 60,
    seed: 1,
    rule: "unwind",
    order: "FOK",
    latencyMs: 20,
    network: false,
    speed: 20,
    dislocation: true,
    json: "",
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = (): string => argv[++i] ?? "";
    if (f === "--minutes") a.minutes = Number(v());
    else if (f === "--seed") a.seed = Number(v());
    else if (f === "--rule") a.rule = v() === "retry" ? "retry" : "unwind";
    else if (f === "--order") a.order = v() === "FAK" ? "FAK" : "FOK";
    else if (f === "--latency") a.latencyMs = Number(v());
    else if (f === "--network") a.network = true;
    else if (f === "--speed") a.speed = Number(v());
    else if (f === "--no-dislocation") a.dislocation = false;
    else if (f === "--json") a.json = v();
    else throw new Error(`unknown flag ${f}`);
  }
  if (!(a.minutes > 0) || !Number.isInteger(a.seed) || !(a.latencyMs >= 0) || !(a.speed > 0))
    throw new Error("bad --minutes / --seed / --latency / --speed");
  return a;
}

const args = parse(process.argv.slice(2));
const params: ArbBotParams = { ...DEFAULT_ARB_PARAMS, legRule: args.rule, orderType: args.order };
const progress = (minute: number, s: ArbSummary) =>
  process.stderr.write(
    `\r${minute} min  opp ${s.opportunitiesSeen}  trades ${s.tradesTaken}  pairs ${s.pairsBought}  profit $${s.profit.toFixed(2)}  incidents ${s.legIncidents}   `,
  );

/** In process on a ManualClock: as fast as the machine runs. */
async function inProcessRun(): Promise<{ s: ArbSummary; collateralDelta: number; openAtExit: number; extra: Record<string, unknown> }> {
  const startMs = DEFAULT_SIM.startMs;
  const clock = new ManualClock(startMs);
  const sim = new SimExchange({ seed: args.seed, startMs, dislocation: args.dislocation ? DEFAULT_DISLOCATION : null });
  const venue = inProcessVenue({ sim, clock, latencyMs: args.latencyMs });
  const bot = new ArbBot({ feed: venue.feed, exchange: venue.exchange, clock, params });
  const collateral0 = sim.collateral(venue.exchange.apiKey);
  void bot.run();
  venue.feed.start();
  const totalMs = args.minutes * 60_000;
  for (let done = 0; done < totalMs; done += 60_000) {
    venue.advance(Math.min(60_000, totalMs - done), 10);
    progress(Math.round((done + 60_000) / 60_000), bot.summary());
  }
  bot.stop();
  venue.advance(1_000, 10);
  const openAtExit = sim.openOrders(venue.exchange.apiKey).length;
  const out = {
    s: bot.summary(),
    collateralDelta: (sim.collateral(venue.exchange.apiKey) - collateral0) / 1e6,
    openAtExit,
    extra: { transport: "in-process", latencyMs: args.latencyMs },
  };
  venue.feed.close();
  await venue.exchange.close();
  return out;
}

/** Over the network stack, as `arb --venue sim` runs: embedded server + real client stack, accelerated clock. */
async function networkRun(): Promise<{ s: ArbSummary; collateralDelta: number; openAtExit: number; extra: Record<string, unknown> }> {
  const config = loadConfig({}, { overrides: { SIM_SEED: String(args.seed) } });
  const composed = await composeVenue({
    config,
    venue: "sim",
    tradingMode: "paper",
    speed: args.speed,
    seed: args.seed,
    simStartMs: alignedSimStart(DEFAULT_SIM.startMs),
    dislocation: args.dislocation ? DEFAULT_DISLOCATION : null,
  });
  if (!composed.ok) throw new Error(composed.reason);
  const v = composed.value;
  const sim = v.sim;
  if (!sim) throw new Error("no embedded simulator");
  const bot = new ArbBot({ feed: v.feed, exchange: v.exchange, clock: v.clock, params });
  const collateral0 = sim.exchange.collateral(v.apiKey);
  const done = bot.run();
  await v.start();
  const endMs = v.clock.wallMs() + args.minutes * 60_000;
  let minute = 0;
  while (v.clock.wallMs() < endMs) {
    await Bun.sleep(Math.min(1_000, Math.max(10, (endMs - v.clock.wallMs()) / args.speed)));
    const m = Math.floor((v.clock.wallMs() - (endMs - args.minutes * 60_000)) / 60_000);
    if (m !== minute) {
      minute = m;
      progress(minute, bot.summary());
    }
  }
  bot.stop("duration");
  await done;
  const openAtExit = await drainOpenOrders(v.exchange);
  const pool = v.poolStats?.();
  const out = {
    s: bot.summary(),
    collateralDelta: (sim.exchange.collateral(v.apiKey) - collateral0) / 1e6,
    openAtExit,
    extra: { transport: "network", speed: args.speed, poolHits: pool?.hits ?? 0, poolMisses: pool?.misses ?? 0 },
  };
  await v.close();
  return out;
}

const t0 = performance.now();
const { s, collateralDelta, openAtExit, extra } = args.network ? await networkRun() : await inProcessRun();
const wallS = (performance.now() - t0) / 1000;
const outcomes: Record<string, number> = {};
for (const i of s.incidents) outcomes[i.outcome] = (outcomes[i.outcome] ?? 0) + 1;
process.stderr.write("\n");
const how = args.network ? `network stack at ×${args.speed}` : `in process, latency ${args.latencyMs} ms`;
console.log(
  `arb-hour: ${args.minutes} simulated min in ${wallS.toFixed(1)} s (seed ${args.seed}, rule ${args.rule}, ${args.order}, ${how}, dislocations ${args.dislocation ? "on" : "off"})`,
);
console.log(
  `  opportunities ${s.opportunitiesSeen} (detections ${s.detections}), trades ${s.tradesTaken}: filled ${s.tradesFilled}, missed ${s.tradesMissed}`,
);
console.log(`  pairs bought ${s.pairsBought}, sold ${s.pairsSold}, merged ${s.mergedPairs}`);
console.log(
  `  earned $${s.profit.toFixed(4)} (realised $${s.realisedProfit.toFixed(4)}, locked by pairs $${s.lockedProfit.toFixed(4)}, fees $${s.fees.toFixed(4)}); collateral change $${collateralDelta.toFixed(4)}`,
);
console.log(
  `  leg incidents ${s.legIncidents}: ${JSON.stringify(outcomes)}, leg loss $${s.legLoss.toFixed(4)} (bound $${DEFAULT_ARB_PARAMS.maxLegLossUsdE6 / 1e6} each); unpaired ${s.unpairedShares} shares; open orders at exit ${openAtExit}`,
);
if (args.network) console.log(`  pre-signed pool: ${String(extra.poolHits)} hits, ${String(extra.poolMisses)} misses`);
const line = {
  minutes: args.minutes,
  seed: args.seed,
  rule: args.rule,
  orderType: args.order,
  ...extra,
  dislocation: args.dislocation,
  wallSeconds: wallS,
  collateralChange: collateralDelta,
  openOrdersAtExit: openAtExit,
  ...s,
  incidents: s.incidents,
};
console.log(JSON.stringify({ ...line, markets: undefined, totals: undefined }));
if (args.json !== "") writeFileSync(args.json, `${JSON.stringify(line, null, 2)}\n`);
