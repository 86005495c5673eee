/**
 * engine/markets.ts (registry by condition and token id, strikes from the 1-s history by each
 * settlement rule) and engine/loop.ts (in-order handling of re-entrant events, the periodic
 * tick on the injected clock, a throw stops the loop and reports once).
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { ExchangeEvent, FeedEvent } from "../../../src/core/ports.ts";
import { InvariantError } from "../../../src/core/result.ts";
import { EngineLoop } from "../../../src/engine/loop.ts";
import { MarketRegistry, Underlyings } from "../../../src/engine/markets.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";
import { FakeFeed, upDownMarket } from "../../helpers/fake-feed.ts";

const START = 1_780_000_800_000;

describe("MarketRegistry", () => {
  test("adds once, finds by token and underlying, removes both tokens", () => {
    const reg = new MarketRegistry<{ n: number }>();
    const a = upDownMarket(START);
    const b = upDownMarket(START, { underlying: "eth/usd" });
    let made = 0;
    const m = reg.add(a, () => ({ n: ++made }));
    expect(reg.add(a, () => ({ n: ++made }))).toBe(m);
    reg.add(b, () => ({ n: ++made }));
    expect(made).toBe(2);
    expect(reg.byToken(a.noTokenId)).toEqual({ market: m, isYes: false });
    expect(reg.ofUnderlying("btc/usd").map((x) => x.info.conditionId)).toEqual([a.conditionId]);
    expect(reg.remove(a.conditionId)).toBe(m);
    expect(reg.byToken(a.yesTokenId)).toBeUndefined();
    expect(reg.size).toBe(1);
  });
});

describe("Underlyings strikes", () => {
  const feed = (u: Underlyings, fromSec: number, toSec: number, price: (s: number) => number) => {
    for (let s = fromSec; s <= toSec; s++) u.update("btc/usd", price(s), s * 1000, s * 1000);
  };

  test("price_at_end: the price at the start second, once that second has been seen", () => {
    const u = new Underlyings();
    const m = upDownMarket(START);
    const s0 = START / 1000;
    feed(u, s0 - 10, s0 - 1, (s) => 100 + (s - s0));
    expect(u.strikeOf(m, START)).toBeNaN(); // the start second not seen yet
    feed(u, s0, s0 + 2, (s) => 200 + (s - s0));
    expect(u.strikeOf(m, START + 2_000)).toBe(200);
  });

  test("twap60: mean of the 1-s prices in (start − 60 s, start], gaps forward-filled", () => {
    const u = new Underlyings();
    const m = upDownMarket(START, { resolution: "twap60" });
    const s0 = START / 1000;
    // prices 1..60 for seconds s0−59 … s0, except s0−30 missing (carries 29 forward)
    for (let s = s0 - 70; s <= s0 + 1; s++)
      if (s !== s0 - 30) u.update("btc/usd", s >= s0 - 59 && s <= s0 ? s - (s0 - 60) : 1000, s * 1000, s * 1000);
    const expected = (1830 - 30 + 29) / 60;
    expect(u.strikeOf(m, START + 1_000)).toBeCloseTo(expected, 9);
  });

  test("no history (the bot started after the window did): NaN", () => {
    const u = new Underlyings();
    const m = upDownMarket(START);
    feed(u, START / 1000 + 100, START / 1000 + 110, () => 100);
    expect(u.strikeOf(m, START + 110_000)).toBeNaN();
  });

  test("an out-of-order tick fills history but does not move the spot", () => {
    const u = new Underlyings();
    u.update("btc/usd", 100, 10_000, 0);
    u.update("btc/usd", 99, 9_000, 0);
    expect(u.get("btc/usd")?.lastPrice).toBe(100);
    expect(u.priceAt("btc/usd", 9)).toBe(99);
  });
});

describe("EngineLoop", () => {
  test("events raised while handling one are handled after it, in order; ticks follow the clock", () => {
    const clock = new ManualClock(START);
    const feed = new FakeFeed();
    const ex = new FakeExchange();
    const seen: string[] = [];
    const loop = new EngineLoop({
      feed,
      exchange: ex,
      clock,
      tickMs: 1000,
      onFatal: (e) => {
        throw e;
      },
      handler: {
        onFeedEvent: (ev: FeedEvent) => {
          seen.push(`feed:${ev.kind}:start`);
          if (ev.kind === "trade") ex.emit({ kind: "connection", state: "connected", atNs: 0, reason: "" });
          seen.push(`feed:${ev.kind}:end`);
        },
        onExchangeEvent: (ev: ExchangeEvent) => seen.push(`ex:${ev.kind}`),
        onTick: (nowNs) => seen.push(`tick:${nowNs / 1e9}`),
      },
    });
    loop.start();
    feed.emit({ kind: "trade", tokenId: "1", priceE4: 5000, sizeE6: 1, side: "BUY", exchTsMs: 0, recvNs: 0 });
    expect(seen).toEqual(["feed:trade:start", "feed:trade:end", "ex:connection"]);
    expect(loop.stats.reentrantEvents).toBe(1);
    clock.advanceBy(2_500);
    expect(seen.slice(3)).toEqual(["tick:1", "tick:2"]);
    loop.stop();
    clock.advanceBy(2_000);
    feed.emit({ kind: "book", tokenId: "1", recvNs: 0 });
    expect(seen.length).toBe(5);
  });

  test("a throw stops the loop and reports once", () => {
    const clock = new ManualClock(START);
    const feed = new FakeFeed();
    const ex = new FakeExchange();
    const fatal: unknown[] = [];
    let handled = 0;
    const loop = new EngineLoop({
      feed,
      exchange: ex,
      clock,
      onFatal: (e) => fatal.push(e),
      handler: {
        onFeedEvent: () => {
          handled++;
          throw new InvariantError("negative position");
        },
        onExchangeEvent: () => {},
        onTick: () => {},
      },
    });
    loop.start();
    feed.emit({ kind: "book", tokenId: "1", recvNs: 0 });
    feed.emit({ kind: "book", tokenId: "1", recvNs: 0 });
    clock.advanceBy(5_000);
    expect(handled).toBe(1);
    expect(fatal.length).toBe(1);
    expect(fatal[0]).toBeInstanceOf(InvariantError);
    expect(loop.isRunning).toBe(false);
  });
});
