import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { takerFeeE6 } from "../../../src/polymarket/fees.ts";
import { type ArbParams, detectBuyPair, detectSellPair, mergeSuggestion } from "../../../src/strategy/arb-detect.ts";
import { FakeBook, type Level } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const P: ArbParams = { minEdgeE4: 100, maxCapitalUsdE6: 1_000 * M, minSizeE6: 5 * M, feeRate: 0.07, feeExponent: 1 };
const asks = (id: string, levels: Level[]) => new FakeBook(id, [], levels);
const bids = (id: string, levels: Level[]) => new FakeBook(id, levels, []);

describe("detectBuyPair by hand", () => {
  test("one level each: cost, fees and profit to the micro-dollar", () => {
    const o = detectBuyPair(asks("Y", [[4500, 10 * M]]), asks("N", [[5000, 10 * M]]), P);
    // 10 × (0.45 + 0.50) = 9.50; fees 10 × 0.07 × 0.2475 = 0.17325 and 10 × 0.07 × 0.25 = 0.175
    expect(o).not.toBeNull();
    expect(o?.pairsE6).toBe(10 * M);
    expect(o?.feesE6).toBe(173_250 + 175_000);
    expect(o?.costE6).toBe(9_848_250);
    expect(o?.expectedProfitE6).toBe(151_750);
    expect(o?.legs[0]).toEqual({ tokenId: "Y", side: "BUY", limitPriceE4: 4500, sizeE6: 10 * M, notionalE6: 4_500_000, feeE6: 173_250 });
    expect(o?.legs[1].limitPriceE4).toBe(5000);
  });

  test("sizes to depth: stops at the first segment that fails the edge", () => {
    const o = detectBuyPair(
      asks("Y", [
        [4000, 5 * M],
        [4500, 10 * M],
      ]),
      asks("N", [
        [5000, 8 * M],
        [5500, 20 * M],
      ]),
      P,
    );
    // 5 @ (0.40, 0.50) ✓, 3 @ (0.45, 0.50) ✓, then (0.45, 0.55) ≥ $1 ✗ → 8 pairs
    expect(o?.pairsE6).toBe(8 * M);
    expect(o?.legs[0].notionalE6).toBe(3_350_000);
    expect(o?.legs[0].feeE6).toBe(84_000 + 51_970); // 0.051975 floored to 0.00001
    expect(o?.legs[1].feeE6).toBe(140_000);
    expect(o?.costE6).toBe(7_625_970);
    expect(o?.expectedProfitE6).toBe(374_030);
    expect([o?.legs[0].limitPriceE4, o?.legs[1].limitPriceE4]).toEqual([4500, 5000]);
  });

  test("fee edge: under $1 before fees but not after", () => {
    // 0.46 + 0.50 = 0.96; + fees 0.017388 + 0.0175 = 0.994888 per pair
    const yes = asks("Y", [[4600, 10 * M]]);
    const no = asks("N", [[5000, 10 * M]]);
    expect(detectBuyPair(yes, no, P)).toBeNull(); // needs ≤ 0.99
    expect(detectBuyPair(yes, no, { ...P, minEdgeE4: 50 })?.pairsE6).toBe(10 * M); // ≤ 0.995
    expect(detectBuyPair(yes, no, { ...P, minEdgeE4: 50, feeRate: 0.2 })).toBeNull();
  });

  test("exactly at the edge counts (≤ $1 − edge)", () => {
    const o = detectBuyPair(asks("Y", [[4500, 10 * M]]), asks("N", [[5400, 10 * M]]), { ...P, feeRate: 0 });
    expect(o?.expectedProfitE6).toBe(100_000);
    expect(detectBuyPair(asks("Y", [[4500, 10 * M]]), asks("N", [[5401, 10 * M]]), { ...P, feeRate: 0 })).toBeNull();
  });

  test("capital limit cuts the last segment to whole lots", () => {
    const yes = asks("Y", [
      [4000, 5 * M],
      [4500, 10 * M],
    ]);
    const no = asks("N", [
      [5000, 8 * M],
      [5500, 20 * M],
    ]);
    const o = detectBuyPair(yes, no, { ...P, maxCapitalUsdE6: 5 * M });
    expect(o?.pairsE6).toBe(5_330_000);
    expect(o?.costE6).toBe(4_996_480);
    expect(o?.expectedProfitE6).toBe(333_520);
  });

  test("minimum size edges", () => {
    const yes = asks("Y", [
      [4000, 5 * M],
      [4500, 10 * M],
    ]);
    const no = asks("N", [
      [5000, 8 * M],
      [5500, 20 * M],
    ]);
    expect(detectBuyPair(yes, no, { ...P, maxCapitalUsdE6: 4 * M })).toBeNull(); // 4.28 pairs < 5
    expect(detectBuyPair(yes, no, { ...P, maxCapitalUsdE6: 4 * M, minSizeE6: 4 * M })?.pairsE6).toBe(4_280_000);
    expect(detectBuyPair(yes, no, { ...P, maxCapitalUsdE6: 4_671_500 })?.pairsE6).toBe(5 * M); // exactly the minimum
    expect(detectBuyPair(asks("Y", [[4000, 4.99 * M]]), asks("N", [[5000, 50 * M]]), P)).toBeNull(); // depth < minimum
  });

  test("empty, one-sided and stale books", () => {
    expect(detectBuyPair(asks("Y", []), asks("N", [[5000, 10 * M]]), P)).toBeNull();
    const stale = asks("Y", [[4000, 10 * M]]);
    stale.stale = true;
    expect(detectBuyPair(stale, asks("N", [[5000, 10 * M]]), P)).toBeNull();
    expect(detectBuyPair(new FakeBook("Y", [[4000, 10 * M]], []), asks("N", [[5000, 10 * M]]), P)).toBeNull();
  });

  test("prices near 0.01 and 0.99", () => {
    const o = detectBuyPair(asks("Y", [[100, 20 * M]]), asks("N", [[9800, 20 * M]]), P);
    // 0.01 + 0.98 = 0.99; fees 20 × 0.07 × 0.0099 = 0.01386, 20 × 0.07 × 0.0196 = 0.02744 → over the edge
    expect(o).toBeNull();
    const p = detectBuyPair(asks("Y", [[100, 20 * M]]), asks("N", [[9700, 20 * M]]), P);
    expect(p?.feesE6).toBe(takerFeeE6(20 * M, 100, 0.07, 1) + takerFeeE6(20 * M, 9700, 0.07, 1));
    expect(p?.expectedProfitE6).toBe(20 * M - 19_600_000 - (p?.feesE6 ?? 0));
  });
});

describe("detectBuyPair against a naive reference", () => {
  const levelArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 5 });
  test("the chosen N maximises profit above the edge (whole-share books)", () => {
    fc.assert(
      fc.property(levelArb, levelArb, fc.integer({ min: 0, max: 300 }), (ys, ns, edge) => {
        const dedupe = (ls: [number, number][]) => [...new Map(ls.map(([p, s]) => [p * 100, s * M])).entries()] as Level[];
        const yes = asks("Y", dedupe(ys));
        const no = asks("N", dedupe(ns));
        const p = { ...P, minEdgeE4: edge, minSizeE6: M };
        const o = detectBuyPair(yes, no, p);
        // Naive: cost of N whole pairs by walking each ladder, for every N.
        const walk = (b: FakeBook, n: number) => {
          let left = n * M;
          let cost = 0;
          b.forEachLevel("SELL", (px, sz) => {
            const take = Math.min(left, sz);
            cost += Math.round((take * px) / 10_000) + takerFeeE6(take, px, 0.07, 1);
            left -= take;
            return left > 0;
          });
          return left > 0 ? Number.POSITIVE_INFINITY : cost;
        };
        let best = 0;
        for (let n = 1; n <= 100; n++) {
          const g = n * M - walk(yes, n) - walk(no, n) - (n * M * edge) / 10_000;
          if (g > best) best = g;
        }
        if (o === null) {
          expect(best).toBeLessThan(100); // nothing worth it beyond fee-rounding dust
        } else {
          const got = o.expectedProfitE6 - (o.pairsE6 * edge) / 10_000;
          expect(got).toBeGreaterThanOrEqual(-1e-6);
          expect(got).toBeGreaterThanOrEqual(best - 100);
          expect(o.costE6).toBe(walk(yes, o.pairsE6 / M) + walk(no, o.pairsE6 / M));
        }
      }),
      { numRuns: 800 },
    );
  });
});

describe("detectSellPair and merge", () => {
  test("fees can make selling worse than merging", () => {
    expect(detectSellPair(bids("Y", [[5200, 10 * M]]), bids("N", [[5000, 10 * M]]), 6 * M, 8 * M, P)).toBeNull();
  });
  test("sells held pairs above $1 + edge, limited by what is held", () => {
    const o = detectSellPair(bids("Y", [[5600, 10 * M]]), bids("N", [[5000, 10 * M]]), 6 * M, 8 * M, P);
    // 6 × 1.06 = 6.36 − fees (0.103488 → 0.10348, 0.105) = 6.15152
    expect(o?.pairsE6).toBe(6 * M);
    expect(o?.proceedsE6).toBe(6_151_520);
    expect(o?.expectedProfitE6).toBe(151_520);
    expect(o?.legs[0]).toEqual({ tokenId: "Y", side: "SELL", limitPriceE4: 5600, sizeE6: 6 * M, notionalE6: 3_360_000, feeE6: 103_480 });
    expect(detectSellPair(bids("Y", [[5600, 10 * M]]), bids("N", [[5000, 10 * M]]), 4 * M, 8 * M, P)).toBeNull(); // < min size
  });
  test("merge suggestion", () => {
    expect(mergeSuggestion(12_345_678, 20 * M, 5 * M)).toBe(12_340_000);
    expect(mergeSuggestion(4 * M, 20 * M, 5 * M)).toBe(0);
    const sell = detectSellPair(bids("Y", [[5600, 10 * M]]), bids("N", [[5000, 10 * M]]), 12 * M, 12 * M, P);
    expect(sell?.pairsE6).toBe(10 * M);
    expect(mergeSuggestion(12 * M, 12 * M, M, sell)).toBe(2 * M);
  });
});
