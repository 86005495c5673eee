/**
 * The in-process simulator venue hands out a running window's strike (as Gamma's
 * `priceToBeat` does over the network), so a bot started mid-window can quote it.
 */
import { expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { MarketInfo } from "../../../src/core/ports.ts";
import { SimExchange } from "../../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.ts";
import { inProcessVenue } from "../../../src/venue/sim-inprocess.ts";

test("a window already running at start is announced with its strike", () => {
  const WINDOW_MS = 900_000;
  const start = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + 300_000; // 5 minutes into a window
  const clock = new ManualClock(start);
  const sim = new SimExchange({ seed: 7, startMs: start, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
  const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 1 });
  const started: MarketInfo[] = [];
  venue.feed.onEvent((ev) => {
    if (ev.kind === "market_started") started.push(ev.market);
  });
  venue.feed.start();
  venue.advance(1_000, 50);
  const running = started.filter((m) => m.startMs < start);
  expect(running.length).toBeGreaterThan(0);
  for (const m of running) {
    const simStrike = sim.allMarkets().find((x) => x.sched.info.conditionId === m.conditionId)?.strike;
    expect(simStrike).toBeDefined();
    expect(m.strikePrice).toBe(simStrike as number);
  }
});
