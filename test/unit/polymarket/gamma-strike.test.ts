/**
 * The strike of a running Up/Down window from Gamma: `eventMetadata.priceToBeat` on the
 * market or its parent event (protocol notes §7.1/§7.3, UNCONFIRMED field), parsed into
 * `MarketInfo.strikePrice`; and the simulator's Gamma serving it once the window started, so
 * a bot that starts mid-window can price the market.
 */
import { afterEach, describe, expect, test } from "bun:test";
import path from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import { GammaClient, parseGammaMarket, upDownSlug, windowStartSec } from "../../../src/polymarket/gamma.ts";
import { gammaEvent, gammaMarket } from "../../../src/sim/catalog-out.ts";
import { SimExchange } from "../../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.ts";
import { SimServer } from "../../../src/sim/server.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");

async function realMarket(): Promise<Record<string, unknown>> {
  return JSON.parse(await Bun.file(path.join(SHARED, "data/gamma/nautilus_gamma_market_btc-updown-5m-1773307200.json")).text()) as Record<
    string,
    unknown
  >;
}

function strikeOf(o: unknown): number | undefined {
  const r = parseGammaMarket(o);
  if (!r.ok) throw new Error(r.reason);
  return r.value.strikePrice;
}

describe("parseGammaMarket: strikePrice from eventMetadata.priceToBeat", () => {
  test("absent on the real capture (no eventMetadata): no strike, and the field is left out", async () => {
    const m = await realMarket();
    const r = parseGammaMarket(m);
    if (!r.ok) throw new Error(r.reason);
    expect("strikePrice" in r.value).toBe(false);
  });

  test("from the parent event (events[0]) or the market itself; numbers, strings, JSON-string metadata", async () => {
    const m = await realMarket();
    const events = m.events as Record<string, unknown>[];
    const withEvent = (meta: unknown) => ({ ...m, events: [{ ...events[0], eventMetadata: meta }] });
    expect(strikeOf(withEvent({ priceToBeat: 70123.45 }))).toBe(70123.45);
    expect(strikeOf(withEvent({ priceToBeat: "70123.45", finalPrice: "70200" }))).toBe(70123.45);
    expect(strikeOf(withEvent('{"priceToBeat":70123.45}'))).toBe(70123.45);
    expect(strikeOf({ ...m, eventMetadata: { priceToBeat: 1.5 } })).toBe(1.5);
    // The market's own metadata wins over the event's.
    expect(strikeOf({ ...withEvent({ priceToBeat: 2 }), eventMetadata: { priceToBeat: 3 } })).toBe(3);
  });

  test("not yet known or unusable: no strike, never a parse error", async () => {
    const m = await realMarket();
    const events = m.events as Record<string, unknown>[];
    for (const meta of [
      {},
      null,
      "",
      "{not json",
      { priceToBeat: null },
      { priceToBeat: "" },
      { priceToBeat: "abc" },
      { priceToBeat: 0 },
      { priceToBeat: -5 },
      [1, 2],
      42,
    ]) {
      expect(strikeOf({ ...m, events: [{ ...events[0], eventMetadata: meta }] })).toBeUndefined();
    }
    expect(strikeOf({ ...m, events: "nope" })).toBeUndefined();
    expect(strikeOf({ ...m, events: [] })).toBeUndefined();
  });

  test("the hourly series fallback reads the strike from the event the market is listed in", async () => {
    const now = 1786856512;
    const s1h = windowStartSec(now, "1h");
    const hourly = {
      conditionId: "0xabc",
      slug: "hourly-x",
      outcomes: '["Up", "Down"]',
      clobTokenIds: '["11", "12"]',
      orderPriceMinTickSize: 0.01,
      orderMinSize: 5,
      eventStartTime: new Date(s1h * 1000).toISOString(),
      endDate: new Date((s1h + 3600) * 1000).toISOString(),
    };
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const u = new URL(req.url);
        if (u.pathname === "/events") return Response.json([{ eventMetadata: { priceToBeat: 64999.5 }, markets: [hourly] }]);
        return Response.json([]);
      },
    });
    const g = new GammaClient({ baseUrl: `http://127.0.0.1:${server.port}` });
    const r = await g.upDown("BTC", "1h", s1h);
    expect(r.ok && r.value.strikePrice).toBe(64999.5);
  });

  let server: ReturnType<typeof Bun.serve> | undefined;
  afterEach(async () => {
    await server?.stop(true);
    server = undefined;
  });
});

describe("the simulator's Gamma carries the strike once the window started", () => {
  test("market objects: events[0].eventMetadata.priceToBeat = the sim's strike after the start, none before", () => {
    const startMs = 1_780_876_860_000;
    const sim = new SimExchange({
      seed: 3,
      startMs,
      flow: null,
      schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300, 3600] },
    });
    const running = sim.allMarkets().filter((m) => m.sched.info.startMs <= startMs);
    const upcoming = sim.allMarkets().filter((m) => m.sched.info.startMs > startMs);
    expect(running.length).toBeGreaterThan(0);
    expect(upcoming.length).toBeGreaterThan(0);
    for (const m of running) {
      expect(m.strike).toBeGreaterThan(0);
      const strike = strikeOf(gammaMarket(m, startMs));
      expect(strike).toBe(m.strike as number);
      expect((gammaEvent(m, startMs).eventMetadata as Record<string, unknown>).priceToBeat).toBe(m.strike);
    }
    for (const m of upcoming) expect(strikeOf(gammaMarket(m, startMs))).toBeUndefined();
  });

  test("over HTTP: discovery of a running hourly window returns its strike", async () => {
    const clock = new ManualClock(1_780_876_860_000);
    const sim = new SimExchange({
      seed: 4,
      startMs: clock.wallMs(),
      flow: null,
      schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [3600] },
    });
    const srv = new SimServer({ exchange: sim, clock });
    const urls = srv.start();
    try {
      const g = new GammaClient({ baseUrl: urls.gamma });
      const startSec = windowStartSec(Math.floor(clock.wallMs() / 1000), "1h");
      const r = await g.marketBySlug(upDownSlug("BTC", "1h", startSec));
      if (!r.ok) throw new Error(r.reason);
      expect(r.value.startMs).toBeLessThan(clock.wallMs());
      const simMarket = sim.allMarkets().find((m) => m.sched.info.conditionId === r.value.conditionId);
      expect(r.value.strikePrice).toBe(simMarket?.strike as number);
    } finally {
      await srv.stop();
    }
  });
});
