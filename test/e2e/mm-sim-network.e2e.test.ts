/**
 * Market maker end to end over the network: the embedded simulator server on 127.0.0.1:0 and
 * the real client stack composed by cli/compose.ts (market/RTDS/user WebSockets, REST with
 * EIP-712 signing and L2 auth, heartbeat, Gamma auto-roll). BTC, ETH and SOL 15-minute
 * markets over two full windows.
 *
 * Time: one ManualClock drives the simulator and the bot. The test advances it 200 ms at a
 * time and sleeps 1 ms of real time between steps (at most 200× real time), so socket and
 * HTTP traffic flows in real time while simulated time only moves when the test moves it: a
 * busy machine slows the run down instead of turning a pause into a "stale feed". Faults go through the simulator's test
 * API (drop the market socket; silence every socket).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../../src/bots/market-maker-params.ts";
import { composeVenue, type VenueHandle } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config.ts";
import { ManualClock } from "../../src/core/clock.ts";

const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START - 90_000;

let venue: VenueHandle | undefined;
afterAll(async () => {
  await venue?.close();
});

describe("market maker on the simulator server, real client stack", () => {
  test("three markets, two 15-minute windows: quotes, fills, limits, breaker, disconnect, shutdown", async () => {
    const clock = new ManualClock(T0);
    const config = loadConfig({}, { overrides: { MM_WINDOWS: "15m", RISK_DAILY_LOSS_LIMIT: "100000", SIM_SEED: "11" } });
    const composed = await composeVenue({
      config,
      venue: "sim",
      tradingMode: "paper",
      clock,
      simStartMs: T0,
      simTestApi: true,
      rediscoverMs: 30_000,
    });
    if (!composed.ok) throw new Error(composed.reason);
    venue = composed.value;
    const v = venue;
    const sim = v.sim;
    if (!sim) throw new Error("no embedded simulator");
    const params = marketMakerParamsFromConfig(config);
    const events: Array<{ event: string; fields: Readonly<Record<string, unknown>> }> = [];
    const bot = new MarketMakerBot({
      feed: v.feed,
      exchange: v.exchange,
      clock,
      params,
      events: (_l, event, fields) => events.push({ event, fields }),
    });
    const done = bot.run();
    await v.start();
    const key = v.apiKey;
    const open = () => sim.exchange.openOrders(key).length;
    const fault = async (body: Record<string, unknown>) => {
      const r = await fetch(`${sim.urls.rest}/test/fault`, { method: "POST", body: JSON.stringify(body) });
      expect(r.status).toBe(200);
    };

    const twoSided = new Set<string>();
    // A real-time sleep per step: HTTP and socket round trips (a few real ms) must land within
    // the simulated timeouts (heartbeat lapse 10 s, order timeout 3 s): at most 200× real time.
    const step = async (ms: number) => {
      clock.advanceBy(ms);
      sim.server.sync();
      await Bun.sleep(Math.max(1, Math.ceil(ms / 200)));
    };
    const run = async (seconds: number) => {
      for (let i = 0; i < seconds * 5; i++) {
        await step(200);
        for (const m of bot.snapshot().markets) if (m.bidE4 > 0 && m.askE4 > 0) twoSided.add(m.slug);
      }
    };

    // Sockets connect in real time: let them (and the first prices) arrive before time moves on.
    const ready = () => ["btc/usd", "eth/usd", "sol/usd"].every((u) => (bot.underlyings.get(u)?.vol.samples() ?? 0) > 0);
    for (let i = 0; i < 500 && !ready(); i++) {
      clock.advanceBy(100);
      sim.server.sync();
      await Bun.sleep(10);
    }
    expect(ready()).toBe(true);

    // Window A opens 90 s in.
    await run(240);
    expect(open()).toBeGreaterThan(0);

    // The simulator drops our market socket: every order of our key is gone within 1 s.
    await fault({ drop_sockets: "market" });
    let zeroAfterMs = -1;
    for (let ms = 50; ms <= 1000; ms += 50) {
      await step(50);
      if (open() === 0) {
        zeroAfterMs = ms;
        break;
      }
    }
    expect(zeroAfterMs).toBeGreaterThan(0);
    // The socket reconnects by itself; quoting resumes once the breaker has seen it up for 10 s.
    await run(30);
    expect(bot.breaker.state()).toBe("ACTIVE");
    expect(open()).toBeGreaterThan(0);

    // Every socket goes silent (no close): the stale-feed breaker trips, then clears.
    const tripsBefore = bot.totals.riskTrips;
    await fault({ silence: true });
    await run(8);
    expect(bot.breaker.state()).toBe("HALTED");
    expect(open()).toBe(0);
    await fault({ silence: false });
    await run(30);
    expect(bot.breaker.state()).toBe("ACTIVE");
    expect(bot.totals.riskTrips).toBeGreaterThan(tripsBefore);
    expect(open()).toBeGreaterThan(0);

    // The rest of window A, all of window B, and their resolutions.
    await run(Math.ceil((FIRST_START + 2 * WINDOW_MS + 70_000 - clock.wallMs()) / 1000));

    const started = events.filter((e) => e.event === "market_started").map((e) => String(e.fields.market));
    const resolved = events.filter((e) => e.event === "market_resolved").map((e) => String(e.fields.market));
    for (const coin of ["btc", "eth", "sol"]) {
      for (const start of [FIRST_START, FIRST_START + WINDOW_MS]) {
        const slug = `${coin}-updown-15m-${start / 1000}`;
        expect(started).toContain(slug);
        expect(resolved).toContain(slug);
        expect(twoSided.has(slug)).toBe(true);
      }
    }
    const t = bot.totals;
    expect(t.fills).toBeGreaterThan(0);
    expect(t.maxAbsInventoryUsdE6).toBeLessThanOrEqual(params.risk.maxPositionUsdE6);
    expect(t.requotes).toBeGreaterThan(t.fills + 6);
    const trips = events.filter((e) => e.event === "risk_trip").map((e) => e.fields.reason);
    expect(trips).toContain("disconnect");

    // Shutdown: cancel-all, and the exchange shows nothing of ours.
    bot.stop("duration");
    expect((await done).reason).toBe("duration");
    for (let i = 0; i < 20 && open() > 0; i++) await step(50);
    expect(open()).toBe(0);
    expect(await v.exchange.fetchOpenOrders()).toEqual([]);
  }, 90_000);
});
