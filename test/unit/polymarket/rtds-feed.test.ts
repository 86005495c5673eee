import { afterEach, describe, expect, test } from "bun:test";
import path from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import type { FeedEvent } from "../../../src/core/ports.ts";
import { backoff } from "../../../src/net/reconnect-policy.ts";
import { normaliseSymbol, parseRtdsFrame, RtdsFeed, rtdsSubscribeFrames } from "../../../src/polymarket/rtds-feed.ts";
import { replay } from "../../../src/store/replay.ts";
import { Waiter } from "../../helpers/market-ws-server.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const DATA = path.join(SHARED, "data");

describe("parseRtdsFrame on real frames", () => {
  test("single update frames: Chainlink TWAP-60 and Binance-relayed spot", async () => {
    const twap = parseRtdsFrame(await Bun.file(path.join(DATA, "rtds/nautilus_rtds_crypto_prices_twap_sixty_update.json")).text());
    expect(twap).toEqual({
      kind: "ticks",
      backfill: false,
      ticks: [{ symbol: "btc/usd", source: "twap60", price: 64997.81, priceTsMs: 1786179814000 }],
    });
    const spot = parseRtdsFrame(await Bun.file(path.join(DATA, "rtds/nautilus_rtds_crypto_prices_update.json")).text());
    expect(spot).toEqual({
      kind: "ticks",
      backfill: false,
      ticks: [{ symbol: "btc/usd", source: "spot", price: 61035.86, priceTsMs: 1780730269000 }],
    });
  });

  test("every RTDS line of the 30-minute session parses: 810 Chainlink updates (270 per symbol) + 90 backfills", async () => {
    const file = path.join(DATA, "ws/jonahgrigoryan_v2_session_raw_2026-04-29T0210Z_btc-eth-sol-15m_prewindow.jsonl.gz");
    const updates: Record<string, number> = {};
    let backfills = 0;
    let other = 0;
    const seconds = new Map<string, Set<number>>();
    for await (const f of replay(file)) {
      if (f.src !== "rtds") continue;
      const r = parseRtdsFrame(f.frame);
      if (r.kind !== "ticks") {
        other++;
        continue;
      }
      if (r.backfill) backfills++;
      for (const t of r.ticks) {
        expect(t.source).toBe("chainlink");
        if (!r.backfill) updates[t.symbol] = (updates[t.symbol] ?? 0) + 1;
        let s = seconds.get(t.symbol);
        if (!s) {
          s = new Set();
          seconds.set(t.symbol, s);
        }
        s.add(Math.floor(t.priceTsMs / 1000));
      }
    }
    expect(other).toBe(0);
    expect(updates).toEqual({ "btc/usd": 270, "eth/usd": 270, "sol/usd": 270 });
    expect(backfills).toBe(90);
    // SOURCES.md: the union covers 1,779 / 1,779 / 1,774 distinct seconds.
    expect(seconds.get("btc/usd")?.size).toBe(1779);
    expect(seconds.get("eth/usd")?.size).toBe(1779);
    expect(seconds.get("sol/usd")?.size).toBe(1774);
  });

  test("malformed frames are coded, never thrown", () => {
    expect(parseRtdsFrame("PONG")).toEqual({ kind: "pong" });
    expect(parseRtdsFrame("{oops")).toMatchObject({ kind: "error", code: "BAD_JSON" });
    expect(parseRtdsFrame("[1]")).toMatchObject({ kind: "error", code: "NOT_AN_OBJECT" });
    expect(parseRtdsFrame('{"topic":"crypto_prices_chainlink","payload":{}}')).toMatchObject({ kind: "error", code: "BAD_PAYLOAD" });
    expect(parseRtdsFrame('{"topic":"crypto_prices_chainlink","payload":{"symbol":"btc/usd","value":"1","timestamp":1}}')).toMatchObject({
      code: "BAD_PAYLOAD",
    });
    expect(parseRtdsFrame('{"topic":"weather","payload":{"symbol":"x"}}')).toMatchObject({ code: "UNKNOWN_TOPIC" });
    expect(parseRtdsFrame('{"connection_id":"x"}')).toMatchObject({ kind: "ignored" });
    expect(normaliseSymbol("SOLUSDT")).toBe("sol/usd");
  });

  test("one compact subscribe frame per topic and symbol", () => {
    const frames = rtdsSubscribeFrames(["btc/usd"], ["chainlink", "twap60", "spot"]);
    expect(frames).toEqual([
      '{"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink","type":"*","filters":"{\\"symbol\\":\\"btc/usd\\"}"}]}',
      '{"action":"subscribe","subscriptions":[{"topic":"crypto_prices_twap_sixty","type":"*","filters":"{\\"symbol\\":\\"btc/usd\\"}"}]}',
      '{"action":"subscribe","subscriptions":[{"topic":"crypto_prices","type":"update","filters":"btcusdt"}]}',
    ]);
  });
});

describe("RtdsFeed on a local RTDS-like socket", () => {
  let server: ReturnType<typeof Bun.serve<{ n: number }>> | undefined;
  let feed: RtdsFeed | undefined;
  afterEach(async () => {
    feed?.close();
    await server?.stop(true);
  });

  test("subscribes, fills rings, emits underlying events, goes stale on silence, resubscribes after a drop", async () => {
    const w = new Waiter();
    const received: string[] = [];
    const sockets = new Set<import("bun").ServerWebSocket<{ n: number }>>();
    server = Bun.serve<{ n: number }>({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, s) => (s.upgrade(req, { data: { n: 0 } }) ? undefined : new Response("no", { status: 400 })),
      websocket: {
        open: (ws) => {
          sockets.add(ws);
          w.poke();
        },
        message: (_ws, m) => {
          if (String(m) !== "PING") received.push(String(m));
          w.poke();
        },
        close: (ws) => {
          sockets.delete(ws);
          w.poke();
        },
      },
    });
    const clock = new ManualClock(1_777_428_600_000);
    const events: FeedEvent[] = [];
    feed = new RtdsFeed({
      clock,
      url: `ws://127.0.0.1:${server.port}`,
      symbols: ["btc/usd"],
      sources: ["chainlink"],
      transport: { backoff: () => backoff({ initialMs: 50, jitter: 0 }) },
    });
    feed.onEvent((e) => {
      events.push(e);
      w.poke();
    });
    feed.start();
    await w.until(() => received.length === 1, "subscription");
    const update = (ts: number, v: number) =>
      JSON.stringify({
        topic: "crypto_prices_chainlink",
        type: "update",
        timestamp: ts + 500,
        payload: { symbol: "btc/usd", timestamp: ts, value: v },
      });
    for (const ws of sockets) ws.send(update(1_777_428_600_000, 76000.5));
    await w.until(() => events.some((e) => e.kind === "underlying"), "tick");
    expect(feed.lastPrice("btc/usd")).toBe(76000.5);
    expect(feed.isStale("btc/usd")).toBe(false);
    const u = events.find((e) => e.kind === "underlying");
    expect(u).toMatchObject({ symbol: "btc/usd", price: 76000.5, priceTsMs: 1_777_428_600_000, source: "chainlink" });
    clock.advanceBy(5000);
    expect(feed.isStale("btc/usd")).toBe(true); // no tick for 5 s
    // A late duplicate is dropped and counted; the ring stays time-ordered.
    for (const ws of sockets) ws.send(update(1_777_428_599_000, 1));
    await w.until(() => feed?.counters.outOfOrder === 1, "out-of-order count");
    for (const ws of sockets) ws.terminate();
    await w.until(() => events.some((e) => e.kind === "connection" && e.state === "disconnected"), "disconnect");
    expect(feed.isStale("btc/usd")).toBe(true);
    clock.advanceBy(50);
    await w.until(() => received.length === 2, "resubscription");
    expect(received[1]).toBe(received[0]);
    expect(feed.ring("btc/usd", "chainlink").length).toBe(1);
  });
});
