/**
 * The venue counters behind `mmp_parse_errors_total` and the rate-limit counters, and the
 * scrape-time sampling in `BotObservability`:
 * - `PolymarketRest.stats` counts unreadable 2xx bodies by code and 429 replies by endpoint
 *   class (against a loopback stand-in), and the limiter counts the waits a 429 imposes;
 * - cumulative counts registered for a feed become counter increments of the difference
 *   since the last scrape (never double-counted, never negative);
 * - `mmp_open_orders` follows the order source per market (0 for a live market without
 *   orders, removed when the market ends); startup positions seed the inventory gauge;
 *   trading seconds stop while halted; journal write errors count.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import { HttpClient } from "../../../src/net/http.ts";
import { RateLimiter } from "../../../src/net/rate-limiter.ts";
import { BotObservability } from "../../../src/monitor/bot-observability.ts";
import { CumulativeSync, venueStatsFor } from "../../../src/monitor/venue-stats.ts";
import { Counter } from "../../../src/monitor/metrics.ts";
import { PolymarketRest } from "../../../src/polymarket/rest.ts";
import { ClobStandIn, json } from "../../helpers/clob-stand-in.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";
import { FakeFeed, upDownMarket } from "../../helpers/fake-feed.ts";
import { parsePrometheusText, sampleValue } from "../../helpers/prom-text.ts";

const server = new ClobStandIn();
afterAll(() => server.stop());

describe("PolymarketRest stats", () => {
  test("bad bodies by code, 429s by endpoint class, and the wait the 429 imposes on the class", async () => {
    const clock = new ManualClock(1_780_000_000_000);
    const limiter = new RateLimiter(clock);
    const rest = new PolymarketRest({
      baseUrl: server.url,
      http: new HttpClient({ clock, random: () => 0 }),
      limiter,
      clock,
      auth: { headers: () => ({ POLY_API_KEY: "k" }) },
    });
    server.on("GET /tick-size", () => new Response("<html>oops</html>", { status: 200 }));
    expect((await rest.getTickSize("1")).ok).toBe(false);
    server.on("GET /tick-size", () => json({ minimum_tick_size: "banana" }));
    expect((await rest.getTickSize("1")).ok).toBe(false);
    expect(rest.stats.badBodies.BAD_JSON).toBe(1);
    expect(Object.values(rest.stats.badBodies).reduce((a, n) => a + n, 0)).toBe(2);

    server.on("POST /order", () => json({ error: "Too Many Requests" }, 429, { "retry-after": "0.5" }));
    const r = await rest.postOrder("{}");
    expect(r.ok).toBe(false);
    expect(rest.stats.tooManyRequests).toEqual({ post_order: 1 });
    // The next post of the class waits out the Retry-After in the limiter (one longer than the
    // class's 1 s queue bound would refuse it locally instead: a RATE_LIMITED reject, not a wait).
    server.on("POST /order", () => json({ success: true, errorMsg: "", orderID: "0x1", status: "live" }));
    const next = rest.postOrder("{}");
    expect(limiter.snapshot().post_order).toMatchObject({ waits: 1, waitedMs: 500 });
    clock.advanceBy(500);
    expect((await next).ok).toBe(true);
  });
});

describe("CumulativeSync", () => {
  test("adds only the increase since the last sync", () => {
    const c = new Counter({ name: "x_total", help: "x", labelNames: ["k"] });
    const child = c.labels("a");
    const s = new CumulativeSync();
    for (const total of [0, 3, 3, 5, 2, 4]) s.sync(child, "a", total);
    // 3, +0, +2, reset to 2 (no decrease), +2
    expect(child.value).toBe(7);
  });
});

describe("BotObservability scrape-time sampling", () => {
  test("venue counters, open orders per market, startup inventory, trading time, journal errors", () => {
    const clock = new ManualClock(1_780_000_000_000);
    const feed = new FakeFeed();
    const exchange = new FakeExchange();
    const errors = { BAD_JSON: 0, UNKNOWN_EVENT: 0 };
    const rl = { waits: 0, waitedMs: 0 };
    const stats = venueStatsFor(feed);
    stats.parseErrors.push({ channel: "market", counts: () => errors });
    stats.rateLimits.push(() => (rl.waits > 0 ? [{ endpoint: "post_orders", ...rl }] : []));
    const obs = BotObservability.start({ bot: "arb", clock, feed, exchange, metricsPort: null, sinks: [] });
    if (typeof obs === "string") throw new Error(obs);
    const scrape = () => parsePrometheusText(obs.metrics.registry.render());

    const a = upDownMarket(clock.wallMs(), { conditionId: "0xa", slug: "btc-a", yesTokenId: "ya", noTokenId: "na" });
    const b = upDownMarket(clock.wallMs(), { conditionId: "0xb", slug: "btc-b", yesTokenId: "yb", noTokenId: "nb" });
    // Startup recovery found 3 YES of market A before the market was announced.
    obs.startupPositions([
      {
        kind: "fill",
        tradeId: "startup-position:ya",
        orderId: "",
        tokenId: "ya",
        side: "BUY",
        priceE4: 5_000,
        sizeE6: 3_000_000,
        feeE6: 0,
        liquidity: "maker",
        status: "CONFIRMED",
        exchTsMs: 0,
        atNs: 0,
      },
    ]);
    const active: Array<{ intent: { conditionId: string } }> = [];
    let halted = false;
    obs.watchBot(() => ({ halted }), { getActiveOrders: () => active });
    feed.emit({ kind: "market_started", market: a, recvNs: clock.nowNs() });
    feed.emit({ kind: "market_started", market: b, recvNs: clock.nowNs() });
    active.push({ intent: { conditionId: "0xa" } }, { intent: { conditionId: "0xa" } });

    let f = scrape();
    expect(sampleValue(f, "mmp_inventory_shares", { market: "btc-a", outcome: "yes" })).toBe(3);
    expect(sampleValue(f, "mmp_open_orders", { market: "btc-a" })).toBe(2);
    expect(sampleValue(f, "mmp_open_orders", { market: "btc-b" })).toBe(0);
    expect(f.get("mmp_parse_errors_total")?.samples.length).toBe(0);

    errors.BAD_JSON = 2;
    rl.waits = 1;
    rl.waitedMs = 1_500;
    clock.advanceBy(10_000);
    f = scrape();
    expect(sampleValue(f, "mmp_parse_errors_total", { channel: "market", code: "BAD_JSON" })).toBe(2);
    expect(sampleValue(f, "mmp_parse_errors_total", { channel: "market", code: "UNKNOWN_EVENT" })).toBeUndefined();
    expect(sampleValue(f, "mmp_rate_limit_waits_total", { endpoint: "post_orders" })).toBe(1);
    expect(sampleValue(f, "mmp_rate_limit_wait_seconds_total", { endpoint: "post_orders" })).toBe(1.5);
    expect(sampleValue(f, "mmp_trading_seconds_total", { bot: "arb" })).toBe(10);
    // A second scrape with nothing new adds nothing.
    f = scrape();
    expect(sampleValue(f, "mmp_parse_errors_total", { channel: "market", code: "BAD_JSON" })).toBe(2);
    expect(sampleValue(f, "mmp_rate_limit_waits_total", { endpoint: "post_orders" })).toBe(1);

    // Halted: trading time stops; market A ends: its series go, B's orders show.
    halted = true;
    clock.advanceBy(10_000);
    active.length = 0;
    active.push({ intent: { conditionId: "0xb" } });
    feed.emit({ kind: "market_ended", market: a, recvNs: clock.nowNs() });
    f = scrape();
    expect(sampleValue(f, "mmp_trading_seconds_total", { bot: "arb" })).toBe(10);
    expect(sampleValue(f, "mmp_open_orders", { market: "btc-a" })).toBeUndefined();
    expect(sampleValue(f, "mmp_open_orders", { market: "btc-b" })).toBe(1);
    expect(sampleValue(f, "mmp_inventory_shares", { market: "btc-a", outcome: "yes" })).toBeUndefined();

    obs.journalWriteError();
    expect(sampleValue(scrape(), "mmp_journal_write_errors_total")).toBe(1);
    // No alerter configured: a mismatch is a no-op, not a throw.
    obs.reconcileMismatch(["position of token x: journal 1, exchange 0"]);
    void obs.close();
  });
});
