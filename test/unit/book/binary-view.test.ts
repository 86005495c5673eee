import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ComplementView, mirrorMismatch, pairAskE4, pairBidE4, pairBuyWalk } from "../../../src/book/binary-view.ts";
import { OrderBook } from "../../../src/book/order-book.ts";

const lv = (pairs: [number, number][]) => ({ pricesE4: pairs.map((p) => p[0]), sizesE6: pairs.map((p) => p[1]) });

function books(yesBids: [number, number][], yesAsks: [number, number][], noBids: [number, number][], noAsks: [number, number][]) {
  const yes = new OrderBook("YES", 100);
  const no = new OrderBook("NO", 100);
  yes.applySnapshot(lv(yesBids), lv(yesAsks));
  no.applySnapshot(lv(noBids), lv(noAsks));
  return { yes, no };
}

describe("ComplementView", () => {
  test("a YES bid at p is a NO ask at 1 − p", () => {
    const { yes } = books(
      [
        [4800, 10e6],
        [4700, 20e6],
      ],
      [[5100, 5e6]],
      [],
      [],
    );
    const no = new ComplementView(yes, "NO");
    expect(no.bestAskE4()).toBe(5200);
    expect(no.bestAskSizeE6()).toBe(10e6);
    expect(no.bestBidE4()).toBe(4900);
    expect(no.bestBidSizeE6()).toBe(5e6);
    expect(no.sizeAtE6("SELL", 5300)).toBe(20e6);
    expect(no.microprice()).toBeCloseTo(10_000 - yes.microprice(), 9);
    const asks: number[] = [];
    no.forEachLevel("SELL", (p) => {
      asks.push(p);
      return true;
    });
    expect(asks).toEqual([5200, 5300]);
  });

  test("empty sides map onto the sentinels; last trade 0 stays 0", () => {
    const empty = new OrderBook("YES");
    const no = new ComplementView(empty, "NO");
    expect(no.bestBidE4()).toBe(0);
    expect(no.bestAskE4()).toBe(10_000);
    expect(no.lastTradeE4()).toBe(0);
    empty.setLastTrade(3000);
    expect(no.lastTradeE4()).toBe(7000);
    expect(no.stale).toBe(true);
  });

  test("the complement of the complement is the book (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 4999 }), { maxLength: 20 }),
        fc.uniqueArray(fc.integer({ min: 5001, max: 9999 }), { maxLength: 20 }),
        (bp, ap) => {
          const b = new OrderBook("Y", 1);
          b.applySnapshot(lv(bp.map((p) => [p, p * 10])), lv(ap.map((p) => [p, p * 10])));
          const twice = new ComplementView(new ComplementView(b, "N"), "Y");
          expect(twice.bestBidE4()).toBe(b.bestBidE4());
          expect(twice.bestAskE4()).toBe(b.bestAskE4());
          expect(twice.bestAskSizeE6()).toBe(b.bestAskSizeE6());
          expect(mirrorMismatch(b, new ComplementView(b, "N"))).toBe(false);
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });
});

describe("pair costs", () => {
  test("touch sums and mirror check on the recorded mirrored shape", () => {
    const { yes, no } = books([[4900, 1]], [[5000, 1]], [[5000, 1]], [[5100, 1]]);
    expect(pairAskE4(yes, no)).toBe(10_100);
    expect(pairBidE4(yes, no)).toBe(9900);
    expect(mirrorMismatch(yes, no)).toBe(false);
    no.setLevel("SELL", 5050, 1);
    expect(mirrorMismatch(yes, no)).toBe(true);
  });

  test("walk buys pairs while YES ask + NO ask ≤ the limit", () => {
    // YES asks 0.47×10, 0.48×20; NO asks 0.50×15, 0.51×100 → pairs at 0.97 (10), 0.98 (5), 0.99 (15)…
    const { yes, no } = books(
      [],
      [
        [4700, 10e6],
        [4800, 20e6],
      ],
      [],
      [
        [5000, 15e6],
        [5100, 100e6],
      ],
    );
    const atMost98 = pairBuyWalk(yes, no, 1000e6, 9800);
    expect(atMost98).toEqual({ pairsE6: 15e6, costE6: 10e6 * 0.97 + 5e6 * 0.98, worstYesE4: 4800, worstNoE4: 5000 });
    const capped = pairBuyWalk(yes, no, 12e6, 9900);
    expect(capped.pairsE6).toBe(12e6);
    expect(capped.costE6).toBe(10e6 * 0.97 + 2e6 * 0.98);
    const all = pairBuyWalk(yes, no, 1000e6, 9900);
    expect(all.pairsE6).toBe(30e6);
    expect(all.worstNoE4).toBe(5100);
    expect(pairBuyWalk(yes, no, 1000e6, 9600).pairsE6).toBe(0);
    expect(pairBuyWalk(yes, new OrderBook("E"), 10e6, 10_000).pairsE6).toBe(0);
  });

  test("walk against a brute-force pair enumeration (property)", () => {
    const ladder = fc.uniqueArray(fc.integer({ min: 3000, max: 7000 }), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(ladder, ladder, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 9000, max: 10_500 }), (ya, na, maxPairs, limit) => {
        const { yes, no } = books(
          [],
          ya.map((p) => [p, ((p % 7) + 1) * 1e6]),
          [],
          na.map((p) => [p, ((p % 5) + 1) * 1e6]),
        );
        // Brute force: expand every share as a unit, pair cheapest with cheapest.
        const units = (b: OrderBook) => {
          const u: number[] = [];
          b.forEachLevel("SELL", (p, s) => {
            for (let k = 0; k < s / 1e6; k++) u.push(p);
            return true;
          });
          return u;
        };
        const uy = units(yes);
        const un = units(no);
        let pairs = 0;
        let cost = 0;
        for (let k = 0; k < Math.min(uy.length, un.length, maxPairs) && uy[k]! + un[k]! <= limit; k++) {
          pairs++;
          cost += (uy[k]! + un[k]!) * 100;
        }
        const w = pairBuyWalk(yes, no, maxPairs * 1e6, limit);
        expect(w.pairsE6).toBe(pairs * 1e6);
        expect(w.costE6).toBe(cost);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
