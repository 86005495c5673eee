/**
 * Fault tests for the live market feed against a small local market-channel server: the
 * server drops the socket mid-stream, stops answering PING, sends malformed frames, sends a
 * delta before any snapshot, restarts with a different book. The client must reconnect, keep
 * books stale until resynced, rebuild books equal to the server's, never throw out of the
 * socket loop, and expose error counts. Time (PING, watchdog, backoff) is a ManualClock.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/core/clock.ts";
import type { BookView, FeedEvent, MarketInfo } from "../../src/core/ports.ts";
import { parsePriceE4, parseSizeE6 } from "../../src/core/units.ts";
import { backoff } from "../../src/net/reconnect-policy.ts";
import { PolymarketMarketFeed } from "../../src/polymarket/market-feed.ts";
import { MarketWsServer, Waiter } from "../helpers/market-ws-server.ts";

const MARKET: MarketInfo = {
  conditionId: "0xc0",
  slug: "btc-updown-5m-1786856400",
  question: "test",
  underlying: "btc/usd",
  windowSec: 300,
  yesTokenId: "111",
  noTokenId: "222",
  outcomes: ["Up", "Down"],
  tickE4: 100,
  minSizeE6: 5_000_000,
  negRisk: false,
  exchangeVersion: 2,
  startMs: 1786856400000,
  endMs: 1786856700000,
  feeRate: 0.07,
  feeExponent: 1,
  rebateRate: 0.2,
  resolution: "twap60",
};

function levelsOf(b: BookView, side: "BUY" | "SELL"): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  b.forEachLevel(side, (p, s) => {
    out.push([p, s]);
    return true;
  });
  return out;
}

function serverLevels(server: MarketWsServer, asset: string, side: "BUY" | "SELL"): Array<[number, number]> {
  return server.levels(asset, side).map(([p, s]) => [parsePriceE4(p), parseSizeE6(s)]);
}

function expectBookEqualsServer(feed: PolymarketMarketFeed, server: MarketWsServer, asset: string): void {
  const b = feed.getOrderbook(asset);
  if (!b) throw new Error(`no book for ${asset}`);
  expect(b.stale).toBe(false);
  expect(levelsOf(b, "BUY")).toEqual(serverLevels(server, asset, "BUY"));
  expect(levelsOf(b, "SELL")).toEqual(serverLevels(server, asset, "SELL"));
}

describe("PolymarketMarketFeed under faults", () => {
  let server: MarketWsServer;
  let feed: PolymarketMarketFeed | undefined;
  afterEach(async () => {
    feed?.close();
    feed = undefined;
    await server.stop();
  });

  function setup(opts: { snapshotOnSubscribe?: boolean } = {}) {
    server = new MarketWsServer(opts);
    server.setBook(
      "111",
      "0xc0",
      [
        { price: "0.48", size: "100" },
        { price: "0.49", size: "50" },
      ],
      [
        { price: "0.51", size: "70" },
        { price: "0.52", size: "30" },
      ],
    );
    server.setBook(
      "222",
      "0xc0",
      [{ price: "0.48", size: "70" }],
      [
        { price: "0.51", size: "50" },
        { price: "0.52", size: "100" },
      ],
    );
    const clock = new ManualClock();
    const w = new Waiter();
    server.onActivity(w.poke);
    const events: FeedEvent[] = [];
    const updates: string[] = [];
    const f = new PolymarketMarketFeed({
      clock,
      url: server.url,
      transport: { backoff: () => backoff({ initialMs: 100, jitter: 0 }) },
    });
    f.onEvent((e) => {
      events.push(e.kind === "book" ? { ...e } : e);
      w.poke();
    });
    f.onPriceUpdate((tokenId) => {
      updates.push(tokenId);
      w.poke();
    });
    feed = f;
    const states = () => events.flatMap((e) => (e.kind === "connection" ? [e.state] : []));
    return { clock, w, events, updates, f, states };
  }

  test("snapshot then deltas: the cached book equals the server's, callbacks see the live view", async () => {
    const { w, f, updates } = setup();
    f.connect([MARKET]);
    expect(f.getOrderbook("111")?.stale).toBe(true); // subscribed, no snapshot yet
    await w.until(() => f.getOrderbook("111")?.stale === false && f.getOrderbook("222")?.stale === false, "snapshots");
    expectBookEqualsServer(f, server, "111");
    server.change("111", "BUY", "0.50", "20");
    server.change("111", "SELL", "0.51", "0");
    server.change("222", "SELL", "0.50", "40");
    await w.until(() => updates.length >= 5, "three deltas");
    expectBookEqualsServer(f, server, "111");
    expectBookEqualsServer(f, server, "222");
    expect(f.getOrderbook("111")?.bestBidE4()).toBe(5000);
    expect(f.getOrderbook("111")?.bestAskE4()).toBe(5200);
    const ring = f.cache.ring("111");
    expect(ring?.newest(ring.bidE4)).toBe(5000);
  });

  test("server drops the socket mid-stream: books stale at once, reconnect, resynced, rebuilt book equals the server's", async () => {
    const { clock, w, f, states } = setup();
    f.connect([MARKET]);
    await w.until(() => f.getOrderbook("222")?.stale === false, "first snapshot");
    server.change("111", "BUY", "0.47", "10");
    server.dropAll();
    await w.until(() => states().includes("disconnected"), "disconnect");
    expect(f.getOrderbook("111")?.stale).toBe(true);
    expect(f.getOrderbook("222")?.stale).toBe(true);
    // The venue moves while we are away; nothing is replayed, the snapshot must carry it.
    server.change("111", "BUY", "0.49", "0");
    server.change("222", "BUY", "0.45", "33");
    clock.advanceBy(100);
    await w.until(() => states().includes("resynced"), "resync");
    expect(states()).toEqual(["connected", "disconnected", "connected", "resynced"]);
    expectBookEqualsServer(f, server, "111");
    expectBookEqualsServer(f, server, "222");
    expect(f.ws.counters.reconnects).toBe(1);
    expect(f.cache.counters.resyncs).toBe(1);
  });

  test("server stops answering PING: stale, then watchdog disconnect, books stale until the new snapshot", async () => {
    const { clock, w, f, states } = setup();
    f.connect([MARKET]);
    await w.until(() => f.getOrderbook("222")?.stale === false, "snapshot");
    server.answerPing = false;
    clock.advanceBy(15_000);
    expect(states()).toEqual(["connected", "stale"]);
    clock.advanceBy(10_000);
    expect(states()).toEqual(["connected", "stale", "disconnected"]);
    expect(f.getOrderbook("111")?.stale).toBe(true);
    expect(f.ws.counters.watchdogKills).toBe(1);
    server.answerPing = true;
    server.change("111", "SELL", "0.55", "12");
    clock.advanceBy(100);
    await w.until(() => states().includes("resynced"), "resync");
    expectBookEqualsServer(f, server, "111");
  });

  test("malformed frames are counted by code, never thrown; the connection and books survive", async () => {
    const { w, f } = setup();
    f.connect([MARKET]);
    await w.until(() => f.getOrderbook("222")?.stale === false, "snapshot");
    const bad = [
      "{not json",
      "",
      "[1,2,3]",
      '{"event_type":"mystery","asset_id":"111"}',
      '{"event_type":"price_change","market":"0xc0","timestamp":"1","price_changes":[{"asset_id":"111","price":"1.7","size":"1","side":"BUY","hash":"h"}]}',
      '{"event_type":"price_change","market":"0xc0","timestamp":"1","price_changes":[{"asset_id":"111","price":"0.5","size":"-3","side":"BUY","hash":"h"}]}',
      '{"event_type":"book","asset_id":"111"}',
      "\u0000\u0001binary-ish",
    ];
    for (const t of bad) server.sendRaw(t);
    server.change("111", "BUY", "0.50", "5"); // a good frame after the garbage
    await w.until(() => f.getOrderbook("111")?.bestBidE4() === 5000, "good delta after garbage");
    expect(f.codec.counters.totalErrors()).toBeGreaterThanOrEqual(bad.length - 1);
    expect(f.codec.counters.errors.BAD_JSON).toBeGreaterThanOrEqual(2);
    expect(f.codec.counters.errors.UNKNOWN_EVENT + f.codec.counters.errors.NOT_AN_OBJECT).toBeGreaterThanOrEqual(2);
    expect(f.ws.counters.handlerErrors).toBe(0);
    expect(f.ws.isOpen).toBe(true);
    expectBookEqualsServer(f, server, "111");
  });

  test("a delta before any snapshot is ignored and counted; the book stays stale until its snapshot", async () => {
    const { w, f, events } = setup({ snapshotOnSubscribe: false });
    f.connect([MARKET]);
    await w.until(() => server.received.length === 1, "subscription");
    server.change("111", "BUY", "0.50", "20");
    await w.until(() => f.cache.books.counters.staleDrops === 1, "stale drop");
    expect(f.getOrderbook("111")?.stale).toBe(true);
    expect(f.getOrderbook("111")?.bestBidE4()).toBe(0);
    expect(events.some((e) => e.kind === "book")).toBe(false);
    server.sendRaw(server.snapshotFrame(["111", "222"]));
    await w.until(() => f.getOrderbook("111")?.stale === false, "late snapshot");
    expectBookEqualsServer(f, server, "111");
  });

  test("server restarts with a different book: reconnect and the rebuilt book equals the new one", async () => {
    const { clock, w, f, states } = setup();
    f.connect([MARKET]);
    await w.until(() => f.getOrderbook("222")?.stale === false, "snapshot");
    server.setBook(
      "111",
      "0xc0",
      [{ price: "0.30", size: "1" }],
      [
        { price: "0.70", size: "2" },
        { price: "0.90", size: "3" },
      ],
    );
    server.setBook("222", "0xc0", [{ price: "0.10", size: "9" }], []);
    await server.restart();
    await w.until(() => states().includes("disconnected"), "disconnect on restart");
    clock.advanceBy(100);
    await w.until(() => states().includes("resynced"), "resync after restart");
    expectBookEqualsServer(f, server, "111");
    expectBookEqualsServer(f, server, "222");
    expect(f.getOrderbook("222")?.bestAskE4()).toBe(10_000); // empty side reads as NO_ASK
  });

  test("subscribe and unsubscribe without reconnecting; a throwing price callback is counted", async () => {
    const { w, f } = setup();
    f.onPriceUpdate(() => {
      throw new Error("strategy bug");
    });
    f.connect([]);
    await w.until(() => f.ws.isOpen, "connect");
    f.subscribe([MARKET]);
    await w.until(() => f.getOrderbook("111")?.stale === false, "snapshot after live subscribe");
    expect(JSON.parse(server.received[0] ?? "{}")).toMatchObject({ operation: "subscribe", assets_ids: ["111", "222"] });
    expect(f.cache.counters.listenerErrors).toBeGreaterThan(0);
    f.unsubscribe(["0xc0"]);
    await w.until(() => server.received.length === 2, "unsubscribe frame");
    expect(JSON.parse(server.received[1] ?? "{}")).toEqual({ operation: "unsubscribe", assets_ids: ["111", "222"] });
    expect(f.getOrderbook("111")).toBeUndefined();
    expect(server.connections).toBe(1);
  });
});
