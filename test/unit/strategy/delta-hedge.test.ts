import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { InvariantError } from "../../../src/core/result.ts";
import { DeltaHedger, planHedgeOrder } from "../../../src/strategy/delta-hedge.ts";
import { FakeBook } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const params = { maxSkewE4: 200, fullSkewE6: 100 * M, hedgeThresholdE6: 150 * M, hedgeTargetE6: 50 * M, minMergeE6: 5 * M };

function hedger(): DeltaHedger {
  const h = new DeltaHedger(params);
  h.addMarket("c1", "Y", "N");
  return h;
}

describe("DeltaHedger", () => {
  test("positions, delta and mergeable pairs after fills", () => {
    const h = hedger();
    h.updatePosition("Y", 30 * M, "BUY");
    h.updatePosition("N", 12 * M, "BUY");
    h.updatePosition("Y", 5 * M, "SELL");
    expect(h.position("Y")).toBe(25 * M);
    expect(h.delta("c1")).toBe(13 * M);
    expect(h.mergeable("c1")).toBe(12 * M);
    expect(h.updatePosition("other", M, "BUY")).toBe(false);
    h.applyMerge("c1", 12 * M);
    expect([h.position("Y"), h.position("N")]).toEqual([13 * M, 0]);
  });

  test("skew is proportional, bounded, and opposite on the NO token", () => {
    const h = hedger();
    expect(h.getQuoteAdjustment("Y")).toEqual({ bidAdjustment: 0, askAdjustment: 0 });
    h.updatePosition("Y", 50 * M, "BUY"); // half of fullSkew
    expect(h.getQuoteAdjustment("Y")).toEqual({ bidAdjustment: -100, askAdjustment: -100 });
    expect(h.getQuoteAdjustment("N")).toEqual({ bidAdjustment: 100, askAdjustment: 100 });
    h.updatePosition("Y", 500 * M, "BUY");
    expect(h.getQuoteAdjustment("Y").bidAdjustment).toBe(-200);
    expect(h.getQuoteAdjustment("Y", 1.5).bidAdjustment).toBe(-300); // end-game scale
    h.updatePosition("N", 700 * M, "BUY"); // now short delta
    expect(h.getQuoteAdjustment("Y").askAdjustment).toBe(200);
    expect(h.getQuoteAdjustment("unknown")).toEqual({ bidAdjustment: 0, askAdjustment: 0 });
  });

  test("skew is monotone in inventory and never exceeds the bound (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (y, n) => {
        const h = hedger();
        h.updatePosition("Y", y * M, "BUY");
        h.updatePosition("N", n * M, "BUY");
        const a = h.getQuoteAdjustment("Y").bidAdjustment;
        expect(Math.abs(a)).toBeLessThanOrEqual(200);
        expect(Math.sign(a) === -Math.sign(y - n) || a === 0).toBe(true);
      }),
    );
  });

  test("needsHedge: reduce above the threshold, merge otherwise, nothing when flat", () => {
    const h = hedger();
    expect(h.needsHedge("c1")).toBeNull();
    h.updatePosition("Y", 160 * M, "BUY");
    expect(h.needsHedge("c1")).toEqual({
      kind: "reduce",
      conditionId: "c1",
      excessTokenId: "Y",
      otherTokenId: "N",
      sizeE6: 110 * M,
      heldExcessE6: 160 * M,
    });
    h.updatePosition("N", 20 * M, "BUY"); // delta 140: under the threshold; 20 pairs held
    expect(h.needsHedge("c1")).toEqual({ kind: "merge", conditionId: "c1", sizeE6: 20 * M });
    const g = hedger();
    g.updatePosition("N", 200 * M, "BUY");
    const a = g.needsHedge("c1");
    expect(a?.kind === "reduce" && a.excessTokenId).toBe("N");
    expect(g.hedgeActions()).toHaveLength(1);
  });

  test("selling more than held breaks an invariant", () => {
    const h = hedger();
    h.updatePosition("Y", 3 * M, "BUY");
    expect(() => h.updatePosition("Y", 4 * M, "SELL")).toThrow(InvariantError);
    expect(() => hedger().applyMerge("c1", M)).toThrow(InvariantError);
  });
});

describe("planHedgeOrder", () => {
  const action = {
    kind: "reduce" as const,
    conditionId: "c1",
    excessTokenId: "Y",
    otherTokenId: "N",
    sizeE6: 40 * M,
    heldExcessE6: 100 * M,
  };
  test("sells the excess when its bid beats 1 − the other's ask", () => {
    const yes = new FakeBook("Y", [[6000, 50 * M]], [[6200, 50 * M]]);
    const no = new FakeBook("N", [[3700, 50 * M]], [[4100, 50 * M]]); // 1 − 0.41 = 0.59 < 0.60
    expect(planHedgeOrder(action, yes, no, 200)).toEqual({
      tokenId: "Y",
      side: "SELL",
      limitPriceE4: 5800,
      sizeE6: 40 * M,
      via: "sell_excess",
    });
  });
  test("buys the complement when that is cheaper, and with nothing to sell", () => {
    const yes = new FakeBook("Y", [[5700, 50 * M]], [[6200, 50 * M]]);
    const no = new FakeBook("N", [[3700, 50 * M]], [[4000, 50 * M]]); // 0.60 > 0.57
    expect(planHedgeOrder(action, yes, no, 200)).toEqual({
      tokenId: "N",
      side: "BUY",
      limitPriceE4: 4200,
      sizeE6: 40 * M,
      via: "buy_other",
    });
    const empty = new FakeBook("Y", [], []);
    expect(planHedgeOrder(action, empty, new FakeBook("N", [], []))).toBeNull();
    expect(planHedgeOrder(action, empty, no)?.via).toBe("buy_other");
  });
  test("limits stay inside (0, 1) near the edges", () => {
    const yes = new FakeBook("Y", [[100, 50 * M]], []);
    expect(planHedgeOrder(action, yes, new FakeBook("N", [], []), 500)?.limitPriceE4).toBe(100);
    const no = new FakeBook("N", [], [[9900, 50 * M]]);
    expect(planHedgeOrder(action, new FakeBook("Y", [], []), no, 500)?.limitPriceE4).toBe(9900);
  });
});
