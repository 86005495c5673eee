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

describe("market-order amounts (FOK/FAK legs on Polymarket)", () => {
  const cents = (sizeE6: number, priceE4: number) => ((sizeE6 / 10_000) * priceE4) % 10_000 === 0;
  test("buy legs are cut to sizes whose pUSD amount is whole cents at each limit", () => {
    // 13.09 × 0.45 = 5.8905 and × 0.48: cut to a multiple of lcm(0.20, 0.25) = 1 share → 13
    const o = detectBuyPair(asks("Y", [[4500, 13_090_000]]), asks("N", [[4800, 13_090_000]]), { ...P, marketAmounts: true });
    expect(o?.pairsE6).toBe(13 * M);
    expect(o?.legs.every((l) => cents(l.sizeE6, l.limitPriceE4))).toBe(true);
    // without the option the 0.01 grid is kept
    expect(detectBuyPair(asks("Y", [[4500, 13_090_000]]), asks("N", [[4800, 13_090_000]]), P)?.pairsE6).toBe(13_090_000);
    // 0.44 (0.25-share lots) and 0.50 (0.02-share lots): 20.37 → 20.00
    expect(detectBuyPair(asks("Y", [[4400, 20_370_000]]), asks("N", [[5000, 30 * M]]), { ...P, marketAmounts: true })?.pairsE6).toBe(
      20 * M,
    );
  });

  test("a cut that drops a level lowers the limit and stays clean; below the minimum there is no trade", () => {
    // YES: 5.5 @ 0.40 then 0.5 @ 0.41; NO: 10 @ 0.50. Walked N = 6 (limit 0.41 → 1-share lots): 6 stays.
    const o = detectBuyPair(
      asks("Y", [
        [4000, 5_500_000],
        [4100, 500_000],
      ]),
      asks("N", [[5000, 10 * M]]),
      { ...P, marketAmounts: true },
    );
    expect(o?.pairsE6).toBe(6 * M);
    expect(o?.legs[0].limitPriceE4).toBe(4100);
    // 5.3 at 0.47 (1-share lots) → 5 ≥ the 5-share minimum; 4.9 → 4 < 5: none
    expect(detectBuyPair(asks("Y", [[4700, 5_300_000]]), asks("N", [[4500, 10 * M]]), { ...P, marketAmounts: true })?.pairsE6).toBe(5 * M);
    expect(
      detectBuyPair(asks("Y", [[4700, 4_990_000]]), asks("N", [[4500, 10 * M]]), { ...P, minSizeE6: 1 * M, marketAmounts: true })?.pairsE6,
    ).toBe(4 * M);
  });

  test("property: every buy the option returns has clean amounts and is never larger than without it", () => {
    for (let k = 0; k < 300; k++) {
      const py = 300 + ((k * 37) % 40) * 100;
      const pn = 9_000 - py - 100 * (1 + (k % 5));
      const sy = 5 * M + ((k * 7_919) % 3_000) * 10_000;
      const sn = 5 * M + ((k * 104_729) % 3_000) * 10_000;
      const y = asks("Y", [
        [py, sy],
        [py + 100, sy],
      ]);
      const n = asks("N", [
        [pn, sn],
        [pn + 100, sn],
      ]);
      const plain = detectBuyPair(y, n, P);
      const clean = detectBuyPair(y, n, { ...P, marketAmounts: true });
      if (!clean) continue;
      expect(clean.pairsE6).toBeLessThanOrEqual(plain?.pairsE6 ?? 0);
      for (const l of clean.legs) expect(cents(l.sizeE6, l.limitPriceE4)).toBe(true);
      expect(clean.expectedProfitE6 * 10_000).toBeGreaterThanOrEqual(clean.pairsE6 * P.minEdgeE4);
    }
  });

  test("sell legs: pUSD amounts with at most 4 decimals (0.001 tick: 0.1-share lots at 0.497)", () => {
    const b = (id: string, levels: Level[]) => new FakeBook(id, levels, [], 10);
    // 0.497 + 0.56 = 1.057, fees ~0.0347 a pair: a sale; 12.37 × 0.497 = 6.14789 → 12.3 × 0.497 = 6.1131
    const o = detectSellPair(b("Y", [[4970, 20 * M]]), b("N", [[5600, 20 * M]]), 12_370_000, 12_370_000, { ...P, marketAmounts: true });
    expect(o?.pairsE6).toBe(12_300_000);
    for (const l of o?.legs ?? []) expect(((l.sizeE6 / 10_000) * l.limitPriceE4) % 100).toBe(0);
  });
});

describe("minimum size and lot edges", () => {
  test("depth that meets the minimum exactly is taken; a hair less is not", () => {
    expect(detectBuyPair(asks("Y", [[4000, 5 * M]]), asks("N", [[5000, 50 * M]]), P)?.pairsE6).toBe(5 * M);
    expect(detectBuyPair(asks("Y", [[4000, 4_990_000]]), asks("N", [[5000, 50 * M]]), P)).toBeNull();
  });

  test("dust below one 0.01-share lot at a level is stepped over", () => {
    // YES 5.005 @ 0.40 then 10 @ 0.41: the 0.005 cannot be bought alone; pairs continue at the next level
    const o = detectBuyPair(
      asks("Y", [
        [4000, 5_005_000],
        [4100, 10 * M],
      ]),
      asks("N", [[5000, 12 * M]]),
      P,
    );
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
    const yes = new FakeBook(
      "Y",
      [
        [5000, 20 * M],
        [4300, 100 * M],
      ],
      [[4400, 20 * M]],
    );
    const no = new FakeBook(
      "N",
      [[5600, 20 * M]],
      [
        [5000, 20 * M],
        [5700, 100 * M],
      ],
    );
    const o = detectBuyPair(yes, no, P);
    expect(o?.pairsE6).toBe(20 * M);
    expect(o?.costE6).toBe(8_800_000 + 344_960 + 10_000_000 + 350_000);
  });
});
