/**
 * Edges of the arbitrage detector not covered by arb-detect.test.ts: the edge met to the
 * micro-dollar after fees, fee flooring, the finer 0.001 tick, a fee exponent ≠ 1, dust
 * below one 0.01-share lot, minimum size met exactly by depth, and the crossed books the
 * simulator's gaps show. Every number is computed by hand in the comment beside it.
 */
import { describe, expect, test } from "bun:test";
import { takerFeeE6 } from "../../../src/polymarket/fees.ts";
import { type ArbParams, detectBuyPair, detectSellPair } from "../../../src/strategy/arb-detect.ts";
import { FakeBook, type Level } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const P: ArbParams = { minEdgeE4: 100, maxCapitalUsdE6: 1_000 * M, minSizeE6: 5 * M, feeRate: 0.07, feeExponent: 1 };
const asks = (id: string, levels: Level[], tick = 100) => new FakeBook(id, [], levels, tick);
const bids = (id: string, levels: Level[]) => new FakeBook(id, levels, []);

describe("fee edges", () => {
  test("an edge met to the micro-dollar after fees counts; one more 0.0001 does not", () => {
    // 10 × (0.40 + 0.50) = 9.00; fees 10·0.07·0.24 = 0.168 and 10·0.07·0.25 = 0.175 → cost 9.343, 0.0657 a pair
    const y = asks("Y", [[4000, 10 * M]]);
    const n = asks("N", [[5000, 10 * M]]);
    const o = detectBuyPair(y, n, { ...P, minEdgeE4: 657 });
    expect(o?.costE6).toBe(9_343_000);
    expect(o?.expectedProfitE6).toBe(657_000);
    expect(detectBuyPair(y, n, { ...P, minEdgeE4: 658 })).toBeNull();
  });

  test("fees are floored to 0.00001 per level, and the profit uses the floored fees", () => {
    // 7.03 × 0.07 × 0.45 × 0.55 = 0.121793… → 0.12179; 7.03 × 0.07 × 0.25 = 0.123025 → 0.12302
    const o = detectBuyPair(asks("Y", [[4500, 7_030_000]]), asks("N", [[5000, 7_030_000]]), { ...P, minEdgeE4: 1 });
    expect(o?.legs[0].feeE6).toBe(121_790);
    expect(o?.legs[1].feeE6).toBe(123_020);
    expect(o?.expectedProfitE6).toBe(7_030_000 - 3_163_500 - 3_515_000 - 121_790 - 123_020);
  });

  test("fees erase a 4-cent gap at the middle but not at the extremes", () => {
    // 0.46 + 0.50: fees 0.034888 a pair → 0.994888 > 0.99
    expect(detectBuyPair(asks("Y", [[4600, 20 * M]]), asks("N", [[5000, 20 * M]]), P)).toBeNull();
    // 0.90 + 0.06: fees 0.0063 + 0.003948 = 0.010248 a pair → 0.970248 ≤ 0.99
    const o = detectBuyPair(asks("Y", [[9000, 20 * M]]), asks("N", [[600, 20 * M]]), P);
    expect(o?.feesE6).toBe(126_000 + 78_960);
    expect(o?.expectedProfitE6).toBe(20 * M - 18 * M - 1_200_000 - 204_960);
  });

  test("fee exponent 2 (a non-crypto schedule) goes through the float path", () => {
    // 10 × 0.25 × (0.45·0.55)² = 0.153140… → 0.15314; 10 × 0.25 × 0.0625 = 0.15625
    const p = { ...P, feeRate: 0.25, feeExponent: 2, minEdgeE4: 1 };
    const o = detectBuyPair(asks("Y", [[4500, 10 * M]]), asks("N", [[5000, 10 * M]]), p);
    expect(o?.legs[0].feeE6).toBe(takerFeeE6(10 * M, 4500, 0.25, 2));
    expect(o?.legs[0].feeE6).toBe(153_140);
    expect(o?.legs[1].feeE6).toBe(156_250);
  });

  test("0.001 tick: prices between cents are walked exactly", () => {
    // 0.441 + 0.509 = 0.950; fees 10·0.07·0.246519 = 0.1725633 → 0.17256; 10·0.07·0.249919 = 0.1749433 → 0.17494
    const o = detectBuyPair(asks("Y", [[4410, 10 * M]], 10), asks("N", [[5090, 10 * M]], 10), P);
    expect(o?.legs[0].limitPriceE4).toBe(4410);
    expect(o?.feesE6).toBe(172_560 + 174_940);
    expect(o?.expectedProfitE6).toBe(10 * M - 4_410_000 - 5_090_000 - 347_500);
  });
});

describe("negative edge: the pre-sign look-ahead", () => {
  test("a near miss within the negative edge is returned (what a trade would send); a positive edge never returns a loss", () => {
    // 20 × (0.44 + 0.53) = 19.40; fees 20·0.07·0.2464 = 0.34496 and 20·0.07·0.2491 = 0.34874 → 20.09370, 1.0047 a pair
    const y = asks("Y", [[4400, 20 * M]]);
    const n = asks("N", [[5300, 20 * M]]);
    expect(detectBuyPair(y, n, P)).toBeNull();
    expect(detectBuyPair(y, n, { ...P, minEdgeE4: 0 })).toBeNull();
    const near = detectBuyPair(y, n, { ...P, minEdgeE4: -100 });
    expect(near?.pairsE6).toBe(20 * M);
    expect(near?.legs.map((l) => l.limitPriceE4)).toEqual([4400, 5300]);
    expect(near?.expectedProfitE6).toBe(20 * M - 20_093_700);
    // −0.0046 a pair is outside a −0.0046 edge by 0.0000… (1.00469 > 1.0046)
    expect(detectBuyPair(y, n, { ...P, minEdgeE4: -46 })).toBeNull();
  });
});

describe("minimum size and lot edges", () => {
  test("depth that meets the minimum exactly is taken; a hair less is not", () => {
    expect(detectBuyPair(asks("Y", [[4000, 5 * M]]), asks("N", [[5000, 50 * M]]), P)?.pairsE6).toBe(5 * M);
    expect(detectBuyPair(asks("Y", [[4000, 4_990_000]]), asks("N", [[5000, 50 * M]]), P)).toBeNull();
  });

  test("dust below one 0.01-share lot at a level is stepped over", () => {
    // YES 5.005 @ 0.40 then 10 @ 0.41: the 0.005 cannot be bought alone; pairs continue at the next level
    const o = detectBuyPair(asks("Y", [[4000, 5_005_000], [4100, 10 * M]]), asks("N", [[5000, 12 * M]]), P);
    expect(o?.pairsE6 ?? 0).toBeGreaterThanOrEqual(12 * M - 10_000);
    expect((o?.pairsE6 ?? 1) % 10_000).toBe(0);
  });

  test("sizes are whole lots whatever the book's sizes", () => {
    const o = detectBuyPair(asks("Y", [[4000, 7_777_777]]), asks("N", [[5000, 9_999_999]]), P);
    expect(o?.pairsE6).toBe(7_770_000);
  });

  test("sell pair: held pairs floored to the lot grid, the minimum applies to what is held", () => {
    const y = bids("Y", [[5600, 50 * M]]);
    const n = bids("N", [[5000, 50 * M]]);
    expect(detectSellPair(y, n, 12_345_678, 20 * M, P)?.pairsE6).toBe(12_340_000);
    expect(detectSellPair(y, n, 5 * M, 5 * M, P)?.pairsE6).toBe(5 * M);
    expect(detectSellPair(y, n, 4_999_999, 50 * M, P)).toBeNull();
  });
});

describe("the simulator's gaps: crossed books", () => {
  test("a crossed YES book (bid above ask) is read by its asks like any other", () => {
    // YES: bid 0.50 (the mirror of a NO ask at 0.50), ask 0.44 — the shape src/sim/dislocation.ts rests
    const yes = new FakeBook("Y", [[5000, 20 * M], [4300, 100 * M]], [[4400, 20 * M]]);
    const no = new FakeBook("N", [[5600, 20 * M]], [[5000, 20 * M], [5700, 100 * M]]);
    const o = detectBuyPair(yes, no, P);
    expect(o?.pairsE6).toBe(20 * M);
    expect(o?.costE6).toBe(8_800_000 + 344_960 + 10_000_000 + 350_000);
  });
});
