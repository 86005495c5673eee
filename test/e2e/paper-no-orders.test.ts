/**
 * Paper trading sends nothing (issue 9, item 5): a real bot (the arbitrage bot) on the real
 * live market feed (`PolymarketMarketFeed` over a WebSocket stand-in on 127.0.0.1) trades
 * through the paper venue; the fill model fills both legs against the live books, and a
 * CLOB stand-in that would receive any order POST counts zero requests — as does a spy on
 * `fetch`. The only frames the market socket ever received are subscriptions and PINGs.
 * And on the simulator's public feed (in process): the market maker trades on paper for ten
 * simulated minutes while the simulator holds, and was sent, no order of ours.
 */
import { afterEach, expect, test } from "bun:test";
import { ArbBot } from "../../src/bots/arb-bot.ts";
import { DEFAULT_ARB_PARAMS } from "../../src/bots/arb-params.ts";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { ManualClock, SystemClock } from "../../src/core/clock.ts";
import type { ExchangeEvent } from "../../src/core/ports.ts";
import { PolymarketMarketFeed } from "../../src/polymarket/market-feed.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { paperVenue } from "../../src/venue/paper.ts";
import { inProcessVenue } from "../../src/venue/sim-inprocess.ts";
import { ClobStandIn } from "../helpers/clob-stand-in.ts";
import { upDownMarket } from "../helpers/fake-feed.ts";
import { MarketWsServer } from "../helpers/market-ws-server.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("paper: a bot trades on a live feed, the fill model fills it, no order request is ever made", async () => {
  const ws = new MarketWsServer();
  const clob = new ClobStandIn();
  cleanups.push(
    () => ws.stop(),
    () => clob.stop(),
  );
  const realFetch = globalThis.fetch;
  let fetches = 0;
  globalThis.fetch = Object.assign((...args: Parameters<typeof fetch>) => {
    fetches++;
    return realFetch(...args);
  }, realFetch);
  cleanups.push(() => {
    globalThis.fetch = realFetch;
  });

  const now = Date.now();
  const market = upDownMarket(now - 60_000, { endMs: now + 600_000, underlying: "" });
  // Asks of 0.45 (YES) + 0.50 (NO) = 0.95: a pair under $1 after fees.
  ws.setBook(market.yesTokenId, market.conditionId, [{ price: "0.40", size: "100" }], [{ price: "0.45", size: "100" }]);
  ws.setBook(market.noTokenId, market.conditionId, [{ price: "0.45", size: "100" }], [{ price: "0.50", size: "100" }]);

  const clock = new SystemClock();
  const feed = new PolymarketMarketFeed({ clock, url: ws.url });
  const paper = paperVenue({
    feed,
    clock,
    markets: [market],
    settings: { orderLatencyMs: 5, cancelLatencyMs: 5, responseLatencyMs: 5, mergeLatencyMs: 10 },
  });
  const bot = new ArbBot({ feed, exchange: paper.exchange, clock, params: { ...DEFAULT_ARB_PARAMS, presignNearE4: 0 } });
  cleanups.push(
    () => feed.close(),
    () => bot.stop(),
  );

  const fills: Extract<ExchangeEvent, { kind: "fill" }>[] = [];
  const bothLegs = new Promise<void>((resolve) => {
    paper.exchange.onEvent((ev) => {
      if (ev.kind !== "fill") return;
      fills.push(ev);
      if (new Set(fills.map((f) => f.tokenId)).size === 2) resolve();
    });
  });
  void bot.run();
  feed.connect([market]);
  bot.addMarkets([market]);
  await bothLegs;

  // Both legs filled as takers against the live books, at the recorded ask prices.
  expect(fills.map((f) => [f.tokenId, f.side, f.priceE4, f.liquidity]).sort()).toEqual(
    [
      [market.yesTokenId, "BUY", 4500, "taker"],
      [market.noTokenId, "BUY", 5000, "taker"],
    ].sort(),
  );
  expect(paper.exchange.journal.orders.length).toBeGreaterThanOrEqual(2);
  expect(paper.exchange.position(market.yesTokenId)).toBeGreaterThan(0);
  // Nothing left the machine.
  expect(clob.seen.filter((r) => r.method === "POST").length).toBe(0);
  expect(clob.seen.length).toBe(0);
  expect(fetches).toBe(0);
  for (const frame of ws.received) expect(frame === "PING" || /"(assets_ids|operation)"/.test(frame)).toBe(true);
});

test("paper on the simulator's public feed: the market maker fills on paper, the simulator never sees an order", () => {
  const WINDOW_MS = 900_000;
  const t0 = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS - 120_000;
  const clock = new ManualClock(t0);
  const sim = new SimExchange({ seed: 11, startMs: t0, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
  const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 2 });
  const paper = paperVenue({ feed: venue.feed, clock, settings: { orderLatencyMs: 2, cancelLatencyMs: 2, responseLatencyMs: 2 } });
  const bot = new MarketMakerBot({ feed: venue.feed, exchange: paper.exchange, clock });
  void bot.run();
  venue.feed.start();
  let simOrders = 0;
  for (let s = 0; s < 600; s++) {
    venue.advance(1000);
    simOrders = Math.max(simOrders, sim.openOrders(venue.exchange.apiKey).length);
  }
  bot.stop("duration");
  venue.advance(1000);
  expect(paper.exchange.journal.orders.length).toBeGreaterThan(100);
  expect(paper.exchange.stats.fills).toBeGreaterThan(0);
  expect(simOrders).toBe(0);
  expect(venue.exchange.stats.placed + venue.exchange.stats.rejected + venue.exchange.stats.cancels).toBe(0);
}, 60_000);
