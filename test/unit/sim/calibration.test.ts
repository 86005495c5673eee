/**
 * The simulated underlying keeps the real Chainlink BTC/USD day's statistics (the same
 * functions bench/calibrate-sim.ts prints in docs/simulator.md): if a change to the walk
 * breaks the calibration, this fails.
 */
import { describe, expect, test } from "bun:test";
import { loadBtcDay, returnStats, simulateDay } from "../../../bench/calibrate-sim.ts";

describe("underlying calibration vs the real Chainlink BTC/USD day", () => {
  test("one simulated day matches the real one within bands", async () => {
    const day = await loadBtcDay();
    const real = returnStats(day.ts, day.px);
    expect(real.n1s).toBe(83_520);
    const d = simulateDay(1);
    const sim = returnStats(d.ts, d.px);
    const within = (got: number, want: number, rel: number) => expect(Math.abs(got / want - 1)).toBeLessThan(rel);
    within(sim.sdPerRootS60, real.sdPerRootS60, 0.3);
    within(sim.sdPerRootS300, real.sdPerRootS300, 0.3);
    within(sim.sdPerRootS900, real.sdPerRootS900, 0.35);
    within(sim.sd1s, real.sd1s, 0.3);
    expect(Math.abs(sim.ac1 - real.ac1)).toBeLessThan(0.05);
    expect(sim.kurtosis).toBeGreaterThan(10);
    within(sim.jumpFrac5bp, real.jumpFrac5bp, 0.7);
    within(sim.rv1mP50, real.rv1mP50, 0.3);
    expect(sim.rv1mP90 / sim.rv1mP10).toBeGreaterThan(2);
    const peak = (s: typeof sim) => (s.hourly[12]! + s.hourly[13]!) / (s.hourly[20]! + s.hourly[21]!); // 12–13h vs 20–21h UTC
    expect(peak(sim)).toBeGreaterThan(1.5);
    expect(sim.upFrac5m).toBeGreaterThan(0.4);
    expect(sim.upFrac5m).toBeLessThan(0.6);
  });
});
