/**
 * The RTDS subscribe backfill (a minute of history sent on subscribe) reaches the bots as
 * `underlying` events flagged `backfill`, so a window that began within that minute gets its
 * strike from prices; it never makes the feed look live. Local socket on 127.0.0.1:0.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { FeedEvent } from "../../../src/core/ports.ts";
import { RtdsFeed } from "../../../src/polymarket/rtds-feed.ts";
import { Waiter } from "../../helpers/market-ws-server.ts";

const NOW_MS = 1_777_428_600_000;

describe("RtdsFeed subscribe backfill", () => {
  let server: ReturnType<typeof Bun.serve<{ n: number }>> | undefined;
  let feed: RtdsFeed | undefined;
  afterEach(async () => {
    feed?.close();
    await server?.stop(true);
  });

  test("backfill points go out flagged, in order, and leave the feed stale", async () => {
    const w = new Waiter();
    const history = Array.from({ length: 60 }, (_, i) => ({ timestamp: NOW_MS - (59 - i) * 1000, value: 76_000 + i }));
    server = Bun.serve<{ n: number }>({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, s) => (s.upgrade(req, { data: { n: 0 } }) ? undefined : new Response("no", { status: 400 })),
      websocket: {
        message: (ws, m) => {
          if (String(m) === "PING") return;
          ws.send(
            JSON.stringify({ topic: "crypto_prices", type: "subscribe", timestamp: NOW_MS, payload: { symbol: "btc/usd", data: history } }),
          );
          w.poke();
        },
      },
    });
    const clock = new ManualClock(NOW_MS);
    const events: FeedEvent[] = [];
    feed = new RtdsFeed({ clock, url: `ws://127.0.0.1:${server.port}`, symbols: ["btc/usd"], sources: ["chainlink"] });
    feed.onEvent((e) => {
      events.push(e);
      w.poke();
    });
    feed.start();
    const ticks = () => events.filter((e): e is Extract<FeedEvent, { kind: "underlying" }> => e.kind === "underlying");
    await w.until(() => ticks().length === 60, "60 backfill events");
    expect(ticks().every((e) => e.backfill === true && e.source === "chainlink" && e.symbol === "btc/usd")).toBe(true);
    expect(ticks().map((e) => e.priceTsMs)).toEqual(history.map((h) => h.timestamp));
    expect(feed.counters.backfillTicks).toBe(60);
    expect(feed.counters.ticks).toBe(0);
    expect(feed.isStale("btc/usd")).toBe(true); // history is not liveness
  });
});
