/**
 * One hour of the arbitrage bot on the simulator, accelerated (as fast as the machine runs):
 * the synthetic flow (makers, noise and informed takers) plus the dislocation knob
 * (src/sim/dislocation.ts) that now and then opens a YES+NO gap, BTC/ETH/SOL 5m/15m/1h
 * windows, in process on a ManualClock with `--latency` ms each way. Prints what the bot
 * earned, how many leg incidents happened and how they ended, and one JSON line.
 *
 *   bun run bench/arb-hour.ts [--minutes 60] [--seed 1] [--rule unwind|retry] [--order FOK|FAK]
 *                             [--latency 20] [--no-dislocation] [--json FILE]
 *
 * Without dislocations the simulator is Polymarket's shared book: no gap ever rests, and
 * the bot (correctly) does nothing; the run says so.
 */
import { writeFileSync } from "node:fs";
import { ArbBot } from "../src/bots/arb-bot.ts";
import { DEFAULT_ARB_PARAMS } from "../src/bots/arb-params.ts";
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
  dislocation: boolean;
  json: string;
}

function parse(argv: readonly string[]): Args {
  const a: Args = { minutes: 60, seed: 1, rule: "unwind", order: "FOK", latencyMs: 20, dislocation: true, json: "" };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = (): string => argv[++i] ?? "";
    if (f === "--minutes") a.minutes = Number(v());
    else if (f === "--seed") a.seed = Number(v());
    else if (f === "--rule") a.rule = v() === "retry" ? "retry" : "unwind";
    else if (f === "--order") a.order = v() === "FAK" ? "FAK" : "FOK";
    else if (f === "--latency") a.latencyMs = Number(v());
    else if (f === "--no-dislocation") a.dislocation = false;
    else if (f === "--json") a.json = v();
    else throw new Error(`unknown flag ${f}`);
  }
  if (!(a.minutes > 0) || !Number.isInteger(a.seed) || !(a.latencyMs >= 0)) throw new Error("bad --minutes / --seed / --latency");
  return a;
}

const args = parse(process.argv.slice(2));
const startMs = DEFAULT_SIM.startMs;
const clock = new ManualClock(startMs);
const sim = new SimExchange({ seed: args.seed, startMs, dislocation: args.dislocation ? DEFAULT_DISLOCATION : null });
const venue = inProcessVenue({ sim, clock, latencyMs: args.latencyMs });
const bot = new ArbBot({ feed: venue.feed, exchange: venue.exchange, clock, params: { ...DEFAULT_ARB_PARAMS, legRule: args.rule, orderType: args.order } });
const collateral0 = sim.collateral(venue.exchange.apiKey);
const t0 = performance.now();
void bot.run();
venue.feed.start();
const totalMs = args.minutes * 60_000;
for (let done = 0; done < totalMs; done += 60_000) {
  venue.advance(Math.min(60_000, totalMs - done), 10);
  const s = bot.summary();
  process.stderr.write(`\r${Math.round((done + 60_000) / 60_000)} min  opp ${s.opportunitiesSeen}  trades ${s.tradesTaken}  pairs ${s.pairsBought}  profit $${s.profit.toFixed(2)}  incidents ${s.legIncidents}   `);
}
bot.stop();
venue.advance(1_000, 10);
const s = bot.summary();
const wallS = (performance.now() - t0) / 1000;
const collateralDelta = (sim.collateral(venue.exchange.apiKey) - collateral0) / 1e6;
const outcomes: Record<string, number> = {};
for (const i of s.incidents) outcomes[i.outcome] = (outcomes[i.outcome] ?? 0) + 1;
process.stderr.write("\n");
console.log(`arb-hour: ${args.minutes} simulated min in ${wallS.toFixed(1)} s (seed ${args.seed}, rule ${args.rule}, ${args.order}, latency ${args.latencyMs} ms, dislocations ${args.dislocation ? "on" : "off"})`);
console.log(`  opportunities ${s.opportunitiesSeen} (detections ${s.detections}), trades ${s.tradesTaken}: filled ${s.tradesFilled}, missed ${s.tradesMissed}`);
console.log(`  pairs bought ${s.pairsBought}, sold ${s.pairsSold}, merged ${s.mergedPairs}`);
console.log(`  earned $${s.profit.toFixed(4)} (realised $${s.realisedProfit.toFixed(4)}, locked by pairs $${s.lockedProfit.toFixed(4)}, fees $${s.fees.toFixed(4)}); collateral change $${collateralDelta.toFixed(4)}`);
console.log(`  leg incidents ${s.legIncidents}: ${JSON.stringify(outcomes)}, leg loss $${s.legLoss.toFixed(4)} (bound $${DEFAULT_ARB_PARAMS.maxLegLossUsdE6 / 1e6} each); unpaired ${s.unpairedShares} shares`);
const line = { minutes: args.minutes, seed: args.seed, rule: args.rule, orderType: args.order, latencyMs: args.latencyMs, dislocation: args.dislocation, wallSeconds: wallS, collateralChange: collateralDelta, ...s, incidents: s.incidents };
console.log(JSON.stringify({ ...line, markets: undefined, totals: undefined }));
if (args.json !== "") writeFileSync(args.json, `${JSON.stringify(line, null, 2)}\n`);
venue.feed.close();
await venue.exchange.close();
