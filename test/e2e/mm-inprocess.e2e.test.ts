/**
 * Market maker end to end on the simulator, in process (src/venue/sim-inprocess.ts) on a
 * ManualClock: BTC, ETH and SOL 15-minute markets over two full windows (~33 simulated
 * minutes in a few seconds of wall time). The bot quotes both sides, gets filled, keeps
 * inventory within MM_MAX_POSITION, requotes on threshold, trips the circuit breaker on a
 * silent feed and recovers, cancels everything on a forced disconnect (the simulator shows
 * zero open orders for our key within 1 s) and leaves nothing open after shutdown.
 */
import { describe, expect, test } from "bun:test";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS } from "../../src/bots/market-maker-params.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { inProcessVenue } from "../../src/venue/sim-inprocess.ts";

const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START - 120_000;

describe("market maker on the in-process simulator", () => {
  test("three markets, two 15-minute windows: quotes, fills, limits, breaker, disconnect, shutdown", async () => {
    const clock = new ManualClock(T0);
    const sim = new SimExchange({ seed: 11, startMs: T0, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
    const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 2 });
    const events: Array<{ event: string; fields: Readonly<Record<string, unknown>> }> = [];
    // The user's defaults, except the daily loss stop: two windows of inventory swings on one
    // seed can pass $50, and a loss-limit halt lasts until the next UTC day (tested in unit tests).
    const params = {
      ...DEFAULT_MM_PARAMS,
      risk: { ...DEFAULT_MM_PARAMS.risk, dailyLossLimitUsdE6: 10_000_000_000 },
      breaker: { ...DEFAULT_MM_PARAMS.breaker, dailyLossLimitUsdE6: 10_000_000_000 },
    };
    const bot = new MarketMakerBot({
      feed: venue.feed,
      exchange: venue.exchange,
      clock,
      params,
      events: (_l, event, fields) => events.push({ event, fields }),
    });
    const done = bot.run();
    venue.feed.start();
    const key = venue.exchange.apiKey;

    const twoSided = new Set<string>();
    const sample = () => {
      for (const m of bot.snapshot().markets) if (m.bidE4 > 0 && m.askE4 > 0) twoSided.add(m.slug);
    };
    const run = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        venue.advance(1000);
        sample();
      }
    };

    // Window A opens at +120 s.
    run(300);
    expect(sim.openOrders(key).length).toBeGreaterThan(0);

    // Forced disconnect of the market feed: every order of our key is gone within 1 s.
    venue.feed.disconnect("test: socket dropped");
    let zeroAfterMs = -1;
    for (let ms = 50; ms <= 1000; ms += 50) {
      venue.advance(50);
      if (sim.openOrders(key).length === 0) {
        zeroAfterMs = ms;
        break;
      }
    }
    expect(zeroAfterMs).toBeGreaterThan(0);
    expect(zeroAfterMs).toBeLessThanOrEqual(1000);
    run(3);
    expect(sim.openOrders(key).length).toBe(0); // still disconnected: nothing placed
    venue.feed.reconnect();
    run(15);
    expect(bot.breaker.state()).toBe("ACTIVE");
    expect(sim.openOrders(key).length).toBeGreaterThan(0);

    // A silent feed (no disconnect event) trips the stale-feed breaker; it clears when data is back.
    const tripsBefore = bot.totals.riskTrips;
    venue.feed.pause();
    run(7);
    expect(bot.breaker.activeReasons()).toContain("stale_feed");
    expect(sim.openOrders(key).length).toBe(0);
    venue.feed.resume();
    run(15);
    expect(bot.breaker.state()).toBe("ACTIVE");
    expect(bot.totals.riskTrips).toBeGreaterThan(tripsBefore);
    expect(sim.openOrders(key).length).toBeGreaterThan(0);

    // The rest of window A and all of window B, then resolution.
    const untilEndOfB = (FIRST_START + 2 * WINDOW_MS + 70_000 - clock.wallMs()) / 1000;
    run(Math.ceil(untilEndOfB));

    const t = bot.totals;
    const started = events.filter((e) => e.event === "market_started").map((e) => String(e.fields.market));
    const resolved = events.filter((e) => e.event === "market_resolved").map((e) => String(e.fields.market));
    // Three coins × two windows quoted and resolved (plus the window running at the start, unquoted).
    for (const coin of ["btc", "eth", "sol"]) {
      for (const start of [FIRST_START, FIRST_START + WINDOW_MS]) {
        const slug = `${coin}-updown-15m-${start / 1000}`;
        expect(started).toContain(slug);
        expect(resolved).toContain(slug);
        expect(twoSided.has(slug)).toBe(true);
      }
    }
    expect(t.fills).toBeGreaterThan(0);
    // MM_MAX_POSITION is dollars at cost per market (docs/config.md).
    expect(t.maxAbsInventoryUsdE6).toBeLessThanOrEqual(params.risk.maxPositionUsdE6);
    // Requotes on threshold: far more cancel-and-replace rounds than fills.
    expect(t.requotes).toBeGreaterThan(t.fills + 6);
    // A SELL never goes out on shares an earlier SELL of ours still holds (pending, or its
    // cancel in flight): those requotes became the equivalent BUY, and nothing was refused
    // for balance (before, a run like this one saw dozens of INSUFFICIENT_BALANCE rejects).
    expect(t.rejectsByCode.INSUFFICIENT_BALANCE ?? 0).toBe(0);
    expect(t.sellsAsBuys).toBeGreaterThan(0);
    const trips = events.filter((e) => e.event === "risk_trip").map((e) => e.fields.reason);
    expect(trips).toContain("disconnect");
    expect(trips).toContain("stale_feed");

    // Shutdown: cancel all, nothing left on the exchange.
    bot.stop("duration");
    expect((await done).reason).toBe("duration");
    venue.advance(1000);
    expect(sim.openOrders(key)).toEqual([]);
    expect(await venue.exchange.fetchOpenOrders()).toEqual([]);
    const pnl = bot.pnl.summary(bot.mark);
    expect(Number.isFinite(pnl.totalE6)).toBe(true);
    venue.feed.close();
    await venue.exchange.close();
  }, 30_000);
});
