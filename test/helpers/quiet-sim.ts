/**
 * The embedded simulator server with no synthetic flow and no dislocations, one BTC 15-minute
 * market, its test API on, on a ManualClock: the real client stack against a book the test
 * builds itself (market-order and arbitrage e2e tests).
 */
import { composeVenue, type EmbeddedSim, type VenueHandle } from "../../src/cli/compose.ts";
import type { ConfigKey } from "../../src/config.ts";
import { loadConfig } from "../../src/config.ts";
import type { ManualClock } from "../../src/core/clock.ts";

export async function composeQuietSim(
  clock: ManualClock,
  startMs: number,
  overrides: Partial<Record<ConfigKey, string>>,
): Promise<{ venue: VenueHandle; sim: EmbeddedSim }> {
  const config = loadConfig({}, { overrides });
  const composed = await composeVenue({
    config,
    venue: "sim",
    tradingMode: "paper",
    clock,
    simStartMs: startMs,
    simTestApi: true,
    simFlow: null,
    dislocation: null,
    assets: ["BTC"],
    windows: ["15m"],
    rediscoverMs: 30_000,
  });
  if (!composed.ok) throw new Error(composed.reason);
  const sim = composed.value.sim;
  if (!sim) throw new Error("no embedded simulator");
  return { venue: composed.value, sim };
}
