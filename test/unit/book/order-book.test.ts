import { describe, expect, test } from "bun:test";
import { OrderBook } from "../../../src/book/order-book.ts";
import { NO_ASK_E4, NO_BID_E4 } from "../../../src/core/ports.ts";

const lv = (pairs: [number, number][]) => ({ pricesE4: pairs.map((p) => p[0]), sizesE6: pairs.map((p) => p[1]) });

function sample(): OrderBook {
  const b = new OrderBook("YES", 100);
  // Venue order: bids ascending, asks descending (best last) — the book must not care.
  expect(
    b.applySnapshot(
      lv([
        [4700, 30e6],
        [4800, 20e6],
        [4900, 10e6],
      ]),
      lv([
        [5300, 60e6],
        [5200, 25e6],
        [5100, 5e6],
      ]),
    ),
  ).toBe("OK");
  return b;
}

describe("OrderBook", () => {
  test("starts empty and stale, with the BookView sentinels", () => {
    const b = new OrderBook("T");
    expect(b.stale).toBe(true);
    expect(b.bestBidE4()).toBe(NO_BID_E4);
    expect(b.bestAskE4()).toBe(NO_ASK_E4);
    expect(b.bestBidSizeE6()).toBe(0);
    expect(b.microprice()).toBeNaN();
    expect(b.lastTradeE4()).toBe(0);
  });

  test("snapshot: top of book, mid, spread, microprice, depth, sizeAt", () => {
    const b = sample();
    expect(b.stale).toBe(false);
    expect(b.bestBidE4()).toBe(4900);
    expect(b.bestAskE4()).toBe(5100);
    expect(b.mid()).toBe(5000);
    expect(b.spreadE4()).toBe(200);
    // (4900·5 + 5100·10) / 15: the heavier bid pulls the microprice up.
    expect(b.microprice()).toBeCloseTo((4900 * 5 + 5100 * 10) / 15, 9);
    expect(b.depthE6("BUY", 2)).toBe(30e6);
    expect(b.depthE6("SELL", 10)).toBe(90e6);
    expect(b.sizeThroughE6("SELL", 5200)).toBe(30e6);
    expect(b.sizeThroughE6("BUY", 4800)).toBe(30e6);
    expect(b.sizeAtE6("BUY", 4800)).toBe(20e6);
    expect(b.sizeAtE6("SELL", 4800)).toBe(0);
    expect(b.sizeAtE6("SELL", 12_000)).toBe(0);
  });

  test("forEachLevel walks best-first and stops on false", () => {
    const b = sample();
    const asks: number[] = [];
    b.forEachLevel("SELL", (p) => {
      asks.push(p);
      return undefined;
    });
    expect(asks).toEqual([5100, 5200, 5300]);
    const bids: number[] = [];
    b.forEachLevel("BUY", (p) => {
      bids.push(p);
      return bids.length < 2;
    });
    expect(bids).toEqual([4900, 4800]);
  });

  test("deltas are absolute sizes; removing the best finds the next level", () => {
    const b = sample();
    expect(b.setLevel("BUY", 4900, 0)).toBe("OK");
    expect(b.bestBidE4()).toBe(4800);
    expect(b.setLevel("BUY", 4850, 7e6)).toBe("OFF_TICK"); // applied: the venue is the truth
    expect(b.bestBidE4()).toBe(4850);
    expect(b.setLevel("SELL", 5100, 1e6)).toBe("OK");
    expect(b.bestAskSizeE6()).toBe(1e6);
    expect(b.levelCount("BUY")).toBe(3);
  });

  test("crossed books are applied, reported and counted", () => {
    const b = sample();
    expect(b.setLevel("BUY", 5100, 1e6)).toBe("CROSSED");
    expect(b.isCrossed()).toBe(true);
    expect(b.spreadE4()).toBe(0);
    expect(b.problems.CROSSED).toBe(1);
    expect(b.setLevel("SELL", 5100, 0)).toBe("OK");
    expect(b.isCrossed()).toBe(false);
    expect(b.applySnapshot(lv([[5000, 1]]), lv([[4000, 1]]))).toBe("CROSSED");
  });

  test("impossible levels are rejected and counted, the book unchanged", () => {
    const b = sample();
    for (const p of [0, 10_000, -1, 10_001, 4900.5, Number.NaN]) expect(b.setLevel("BUY", p, 1e6)).toBe("PRICE_OUT_OF_RANGE");
    for (const z of [-1, 1.5, Number.POSITIVE_INFINITY]) expect(b.setLevel("BUY", 4000, z)).toBe("BAD_SIZE");
    expect(b.problems.PRICE_OUT_OF_RANGE).toBe(6);
    expect(b.problems.BAD_SIZE).toBe(3);
    expect(b.bestBidE4()).toBe(4900);
    expect(b.levelCount("BUY")).toBe(3);
    expect(
      b.applySnapshot(
        lv([
          [0, 5],
          [4000, 5],
        ]),
        lv([]),
      ),
    ).toBe("PRICE_OUT_OF_RANGE");
    expect(b.bestBidE4()).toBe(4000);
  });

  test("tick change: finer keeps the book live; coarser with off-grid levels makes it stale", () => {
    const b = new OrderBook("T", 100);
    b.applySnapshot(lv([[9600, 1e6]]), lv([[9700, 1e6]]));
    expect(b.changeTick(10)).toBe("OK");
    expect(b.stale).toBe(false);
    expect(b.setLevel("SELL", 9650, 2e6)).toBe("OK"); // on the new grid
    const epoch = b.epoch;
    expect(b.changeTick(100)).toBe("OFF_TICK"); // 0.965 is off the 0.01 grid
    expect(b.stale).toBe(true);
    expect(b.epoch).toBe(epoch + 1);
    b.applySnapshot(lv([[9600, 1e6]]), lv([[9700, 1e6]]), 100);
    expect(b.stale).toBe(false);
    expect(b.changeTick(1000)).toBe("OFF_TICK");
    const c = new OrderBook("U", 10);
    c.applySnapshot(lv([[4000, 1]]), lv([[6000, 1]]));
    expect(c.changeTick(100)).toBe("OK"); // coarser but every level on the grid
    expect(c.stale).toBe(false);
  });

  test("epoch moves on every reset; clear empties and makes stale", () => {
    const b = sample();
    const e = b.epoch;
    b.markStale();
    b.markStale(); // already stale: same epoch
    expect(b.epoch).toBe(e + 1);
    b.clear();
    expect(b.levelCount("BUY") + b.levelCount("SELL")).toBe(0);
    expect(b.bestAskE4()).toBe(NO_ASK_E4);
    expect(b.stale).toBe(true);
  });

  test("large sizes stay exact (2024 book: 10,500,100 shares)", () => {
    const b = new OrderBook("T", 10);
    b.applySnapshot(lv([]), lv([[9990, 10_500_100_000_000]]));
    expect(b.bestAskSizeE6()).toBe(10_500_100_000_000);
  });

  test("last trade", () => {
    const b = sample();
    b.setLastTrade(4950);
    expect(b.lastTradeE4()).toBe(4950);
  });
});
