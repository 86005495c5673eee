/**
 * The market maker's `status` line in its event log (one a second of its clock: per market
 * the YES book, our quotes, fair value, inventory), and `analyze` rebuilding mids and quote
 * timelines from the log alone (parseLogs, no recording). The bot runs on the in-process
 * simulator with its events written through the project's Logger, as compose wires it.
 */
import { expect, test } from "bun:test";
import { parseLogs } from "../../../src/backtest/logs.ts";
import { MarketMakerBot } from "../../../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS } from "../../../src/bots/market-maker-params.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { Logger, MemorySink } from "../../../src/monitor/logger.ts";
import { SimExchange } from "../../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.ts";
import { inProcessVenue } from "../../../src/venue/sim-inprocess.ts";

const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;

test("status lines once a second; parseLogs takes mids and quote timelines from them without a recording", () => {
  const clock = new ManualClock(FIRST_START - 60_000);
  const sim = new SimExchange({ seed: 7, startMs: clock.wallMs(), schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [900] } });
  const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 2 });
  const sink = new MemorySink();
  const logger = new Logger({ clock, sinks: [sink], base: { bot: "mm" } });
  const bot = new MarketMakerBot({
    feed: venue.feed,
    exchange: venue.exchange,
    clock,
    params: DEFAULT_MM_PARAMS,
    events: (level, event, fields) => logger.log(level, event, fields),
  });
  void bot.run();
  venue.feed.start();
  for (let i = 0; i < 240; i++) venue.advance(1000);
  bot.stop("duration");
  venue.feed.close();

  const lines = sink.lines
    .join("")
    .split("\n")
    .filter((l) => l !== "");
  const status = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.event === "status");
  // One a second of clock time once a market is live (a few ticks may coalesce).
  expect(status.length).toBeGreaterThan(200);
  expect(status.length).toBeLessThanOrEqual(241);
  const quoted = status
    .flatMap((o) => o.markets as Record<string, unknown>[])
    .filter((m) => (m.bidE4 as number) > 0 && (m.askE4 as number) > 0);
  expect(quoted.length).toBeGreaterThan(100);
  for (const m of quoted.slice(0, 20)) {
    expect(m).toMatchObject({ slug: expect.stringMatching(/^btc-updown-15m-/), state: expect.any(String) });
    expect(m.bookBidE4 as number).toBeGreaterThan(0);
    expect(m.bookAskE4 as number).toBeGreaterThan(m.bookBidE4 as number);
    expect(m.fairValue as number).toBeGreaterThan(0);
    expect(m.fairValue as number).toBeLessThan(1);
    expect(typeof m.yesE6).toBe("number");
    expect(typeof m.noE6).toBe("number");
  }

  const parsed = parseLogs(lines);
  expect(parsed.malformed).toBe(0);
  expect(parsed.midSource).toBe("status");
  const rec = parsed.records[0];
  if (!rec) throw new Error("no run");
  const market = rec.markets.find((m) => m.slug === `btc-updown-15m-${FIRST_START / 1000}`);
  if (!market) throw new Error("window not in the log");
  const mids = market.series.midE4.filter((x) => Number.isFinite(x));
  expect(mids.length).toBeGreaterThan(100);
  expect(mids.every((x) => x > 0 && x < 10_000)).toBe(true);
  // Quote timeline: changes only, both sides resting most of the time.
  expect(market.quotes.tMs.length).toBeGreaterThan(3);
  expect(market.quotes.bidE4.some((b, i) => b > 0 && (market.quotes.askE4[i] ?? 0) > b)).toBe(true);
});

test("status lines with no book (one-sided or stale) still give fair-value mids between fills", () => {
  const status = (tMs: number, fv: number) =>
    JSON.stringify({
      tsMs: tMs,
      level: "info",
      event: "status",
      bot: "mm",
      markets: [
        {
          conditionId: "0xc",
          slug: "m",
          bookBidE4: 0,
          bookAskE4: 0,
          bidE4: 0,
          askE4: 0,
          fairValue: fv,
          yesE6: 0,
          noE6: 0,
          state: "quoting",
        },
      ],
    });
  const lines = [
    JSON.stringify({ tsMs: 0, level: "info", event: "market_started", bot: "mm", market: "m", conditionId: "0xc", endMs: 900_000 }),
    status(1_000, 0.5),
    JSON.stringify({
      tsMs: 1_500,
      level: "info",
      event: "fill",
      bot: "mm",
      market: "m",
      side: "BUY",
      quoteSide: "bid",
      priceE4: 4900,
      sizeE6: 10_000_000,
      feeE6: 0,
      liquidity: "maker",
      fairValue: 0.5,
    }),
    status(2_000, 0.52),
    status(3_000, 0.55),
  ];
  const parsed = parseLogs(lines);
  expect(parsed.midSource).toBe("fair_value");
  const series = parsed.records[0]?.markets[0]?.series;
  expect(series?.tMs).toEqual([1_000, 1_500, 2_000, 3_000]);
  expect(series?.midE4).toEqual([5000, 5000, 5200, 5500]);
});
