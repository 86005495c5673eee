import { afterEach, describe, expect, test } from "bun:test";
import path from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import type { FeedEvent, MarketInfo } from "../../../src/core/ports.ts";
import { Secret } from "../../../src/core/secret.ts";
import { RestPollFeed } from "../../../src/polymarket/rest-poll-feed.ts";
import type { UserEvent } from "../../../src/polymarket/user-channel.ts";
import { UserFeed } from "../../../src/polymarket/user-feed.ts";
import { Waiter } from "../../helpers/market-ws-server.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const MARKET: MarketInfo = {
  conditionId: "0xc0",
  slug: "s",
  question: "q",
  underlying: "btc/usd",
  windowSec: 300,
  yesTokenId: "111",
  noTokenId: "222",
  outcomes: ["Up", "Down"],
  tickE4: 100,
  minSizeE6: 5_000_000,
  negRisk: false,
  exchangeVersion: 2,
  startMs: 0,
  endMs: 300_000,
  feeRate: 0.07,
  feeExponent: 1,
  rebateRate: 0.2,
  resolution: "twap60",
};

describe("RestPollFeed (USE_WSS=false) against a local POST /books", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterEach(async () => {
    await server?.stop(true);
  });

  test("feeds the same books and events; failures mark stale, recovery resyncs", async () => {
    let failing = false;
    let bid = "0.48";
    const bodies: unknown[] = [];
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        if (failing) return new Response("busy", { status: 503 });
        bodies.push(await req.json());
        const summary = (asset: string) => ({
          market: "0xc0",
          asset_id: asset,
          timestamp: "1790000000000",
          hash: `h${bid}`,
          bids: [{ price: bid, size: "10" }],
          asks: [{ price: "0.52", size: "20" }],
          min_order_size: "5",
          tick_size: "0.01",
          neg_risk: false,
          last_trade_price: "0.5",
        });
        return Response.json([summary("111"), summary("222")]);
      },
    });
    const clock = new ManualClock();
    const feed = new RestPollFeed({ clock, baseUrl: `http://127.0.0.1:${server.port}`, failuresBeforeDisconnect: 2 });
    const events: FeedEvent[] = [];
    let updates = 0;
    feed.onEvent((e) => events.push(e.kind === "book" ? { ...e } : e));
    feed.onPriceUpdate(() => updates++);
    feed.subscribe([MARKET]);
    await feed.pollOnce();
    expect(bodies[0]).toEqual([{ token_id: "111" }, { token_id: "222" }]);
    expect(feed.getOrderbook("111")?.stale).toBe(false);
    expect(feed.getOrderbook("111")?.bestBidE4()).toBe(4800);
    expect(updates).toBe(2);
    await feed.pollOnce(); // same hash: nothing re-applied
    expect(feed.counters.unchanged).toBe(2);
    expect(updates).toBe(2);
    failing = true;
    await feed.pollOnce();
    expect(feed.getOrderbook("111")?.stale).toBe(false);
    await feed.pollOnce();
    expect(feed.getOrderbook("111")?.stale).toBe(true);
    failing = false;
    bid = "0.49";
    await feed.pollOnce();
    expect(feed.getOrderbook("111")?.bestBidE4()).toBe(4900);
    const states = events.flatMap((e) => (e.kind === "connection" ? [e.state] : []));
    expect(states).toEqual(["connected", "disconnected", "connected", "resynced"]);
    expect(feed.counters.failures).toBe(2);
  });
});

describe("UserFeed against a local user-channel server", () => {
  test("authenticates on connect, delivers decoded order events, counts garbage, changes markets live", async () => {
    const w = new Waiter();
    const received: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, s) => (s.upgrade(req) ? undefined : new Response("no", { status: 400 })),
      websocket: {
        message(_ws, m) {
          received.push(String(m));
          w.poke();
        },
      },
    });
    const placement = await Bun.file(path.join(SHARED, "data/ws/nautilus_v1_user_order_placement.json")).text();
    const got: UserEvent[] = [];
    const feed = new UserFeed({
      clock: new ManualClock(),
      url: `ws://127.0.0.1:${server.port}`,
      credentials: { apiKey: "key-1", secret: new Secret("c2VjcmV0"), passphrase: new Secret("pass") },
      markets: ["0xc0"],
      onUserEvent: (ev) => {
        got.push(ev);
        w.poke();
      },
    });
    try {
      feed.start();
      await w.until(() => received.length === 1 && feed.ws.isOpen, "auth frame");
      expect(JSON.parse(received[0] ?? "{}")).toEqual({
        auth: { apiKey: "key-1", secret: "c2VjcmV0", passphrase: "pass" },
        type: "user",
        markets: ["0xc0"],
      });
      feed.subscribe(["0xd1"]);
      await w.until(() => received.length === 2, "add market");
      expect(JSON.parse(received[1] ?? "{}")).toEqual({ operation: "subscribe", markets: ["0xd1"] });
      feed.onFrame(placement, 1);
      feed.onFrame("{garbage", 2);
      expect(got.length).toBe(1);
      expect(got[0]?.type).toBe("order");
      expect(feed.codec.errors.BAD_JSON).toBe(1);
    } finally {
      feed.close();
      await server.stop(true);
    }
  });
});
