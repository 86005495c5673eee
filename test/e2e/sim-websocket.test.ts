/**
 * The simulator's WebSocket output through the project's own parsers: every market, user
 * and RTDS frame decodes with zero errors, and the books rebuilt from the market stream
 * (src/book/apply.ts) equal the simulator's books, level by level, for both tokens of every
 * market, while the synthetic flow trades and requotes. Time is a ManualClock; "all frames
 * are in" is a PING answered by PONG on each socket (frames are ordered per socket).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { BookSet } from "../../src/book/apply.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { MarketChannelCodec } from "../../src/polymarket/market-channel.ts";
import { parseRtdsFrame } from "../../src/polymarket/rtds-feed.ts";
import { UserChannelCodec } from "../../src/polymarket/user-channel.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { SimServer } from "../../src/sim/server.ts";
import { tokenLevels } from "../../src/sim/wire-out.ts";

const START = 1_780_876_830_000;

class Socket {
  readonly frames: string[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;
  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.onmessage = (e) => {
      const text = String(e.data);
      if (text === "PONG") {
        this.waiters.shift()?.();
        return;
      }
      this.frames.push(text);
    };
  }
  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("socket error"));
    });
  }
  /** Resolves when everything sent before our PING has arrived. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.ws.send("PING");
    });
  }
}

let clock: ManualClock;
let ex: SimExchange;
let server: SimServer;
let urls: ReturnType<SimServer["start"]>;

beforeAll(() => {
  clock = new ManualClock(START);
  ex = new SimExchange({ seed: 9, startMs: START, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd", "eth/usd"], windows: [300, 900] } });
  server = new SimServer({ exchange: ex, clock });
  urls = server.start();
});
afterAll(async () => {
  await server.stop();
});

describe("sim WebSocket output", () => {
  test("parses with zero errors and rebuilds the simulator's books exactly", async () => {
    const market = new Socket(urls.wsMarket);
    const user = new Socket(urls.wsUser);
    const rtds = new Socket(urls.wsRtds);
    await Promise.all([market.opened(), user.opened(), rtds.opened()]);

    const key = server.keys.keyFor("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", 0);
    ex.openAccount(key.creds.key, key.address);
    user.ws.send(
      JSON.stringify({
        auth: { apiKey: key.creds.key, secret: key.creds.secret.reveal(), passphrase: key.creds.passphrase.reveal() },
        type: "user",
        markets: [],
      }),
    );
    rtds.ws.send(
      JSON.stringify({
        action: "subscribe",
        subscriptions: [
          { topic: "crypto_prices_chainlink", type: "*", filters: '{"symbol":"btc/usd"}' },
          { topic: "crypto_prices_twap_sixty", type: "*", filters: "" },
          { topic: "crypto_prices", type: "update", filters: "btcusdt,ethusdt" },
        ],
      }),
    );

    // let the flow build books for a few seconds, then subscribe every listed token
    clock.advanceBy(5_000);
    server.sync();
    const tokens = ex.allMarkets().flatMap((m) => [m.sched.info.yesTokenId, m.sched.info.noTokenId]);
    market.ws.send(JSON.stringify({ assets_ids: tokens, type: "market", custom_feature_enabled: true }));
    await market.flush();

    // the user rests quotes that the flow will trade against
    const live = ex.allMarkets().filter((m) => m.strike !== undefined);
    for (const m of live) {
      for (const [outcome, px] of [
        [0, m.book.bestBid],
        [1, 10_000 - m.book.bestAsk],
      ] as const) {
        if (px <= 100 || px >= 9_900) continue;
        ex.place({
          orderId: `0x${m.sched.info.slug.length}${outcome}${px}`.padEnd(66, "0"),
          owner: key.creds.key,
          makerAddress: key.address,
          tokenId: outcome === 0 ? m.sched.info.yesTokenId : m.sched.info.noTokenId,
          side: "BUY",
          priceE4: px,
          sizeE6: 20_000_000,
          budgetE6: 0,
          orderType: "GTC",
          postOnly: false,
          expirationSec: 0,
        });
      }
    }
    for (let s = 0; s < 90; s++) {
      clock.advanceBy(1_000);
      server.sync();
      if (s % 10 === 9) await Promise.all([market.flush(), user.flush(), rtds.flush()]);
    }
    await Promise.all([market.flush(), user.flush(), rtds.flush()]);

    const codec = new MarketChannelCodec();
    const books = new BookSet({ autoTrack: true });
    for (const f of market.frames) {
      const frame = codec.decode(f);
      expect(frame.errors).toEqual([]);
      for (const ev of frame.events) books.apply(ev);
    }
    expect(codec.counters.totalErrors()).toBe(0);
    expect(codec.counters.events.book).toBeGreaterThan(0);
    expect(codec.counters.events.price_change).toBeGreaterThan(100);
    expect(codec.counters.events.last_trade_price).toBeGreaterThan(0);
    expect(codec.counters.events.best_bid_ask).toBeGreaterThan(0);
    expect(books.counters.staleDrops).toBe(0);
    expect(books.counters.bboMismatches).toBe(0);

    let compared = 0;
    for (const m of ex.allMarkets()) {
      if (m.state !== "open") continue;
      for (const outcome of [0, 1] as const) {
        const tokenId = outcome === 0 ? m.sched.info.yesTokenId : m.sched.info.noTokenId;
        const got = books.get(tokenId);
        if (!got) throw new Error(`no book rebuilt for ${m.sched.info.slug}/${outcome}`);
        const want = tokenLevels(m.book, outcome);
        const levels = (side: "BUY" | "SELL") => {
          const out: [number, number][] = [];
          got.forEachLevel(side, (p, s) => {
            out.push([p, s]);
            return true;
          });
          return out;
        };
        const toE = (ls: { price: string; size: string }[]) =>
          ls.map((l): [number, number] => [Math.round(Number(l.price) * 1e4), Math.round(Number(l.size) * 1e6)]).reverse();
        expect(levels("BUY")).toEqual(toE(want.bids));
        expect(levels("SELL")).toEqual(toE(want.asks));
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(8);

    const userCodec = new UserChannelCodec();
    for (const f of user.frames) expect(userCodec.decode(f).errors).toEqual([]);
    expect(userCodec.events.order).toBeGreaterThan(0);
    expect(userCodec.events.trade).toBeGreaterThan(0); // the flow traded against the user's quotes

    let ticks = 0;
    for (const f of rtds.frames) {
      const r = parseRtdsFrame(f);
      expect(r.kind).not.toBe("error");
      if (r.kind === "ticks") ticks += r.ticks.length;
    }
    expect(ticks).toBeGreaterThan(90 * 3);
    for (const s of [market, user, rtds]) s.ws.close();
  });
});
