import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type RepairInput, availableAt, decideRepair, repairLossE6, retryLimitE4, unwindLimitE4 } from "../../../src/bots/leg-repair.ts";
import { takerFeeE6 } from "../../../src/polymarket/fees.ts";
import { FakeBook, type Level } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const fee = (s: number, p: number) => takerFeeE6(s, p, 0.07, 1);
const notional = (s: number, p: number) => Math.round((s * p) / 10_000);
// 20 YES bought at 0.44: 8.80 + fee 0.34496
const YES_COST = 8_800_000 + 344_960;

function input(over: Partial<RepairInput> & { long?: [Level[], Level[]]; short?: [Level[], Level[]] }): RepairInput {
  const { long = [[], []], short = [[], []], ...rest } = over;
  return {
    kind: "buy_pair",
    rule: "unwind",
    longTokenId: "Y",
    shortTokenId: "N",
    excessE6: 20 * M,
    excessCashE6: YES_COST,
    lossSoFarE6: 0,
    maxLossE6: 2 * M,
    longBook: new FakeBook("Y", long[0], long[1]),
    shortBook: new FakeBook("N", short[0], short[1]),
    minSizeE6: 5 * M,
    tickE4: 100,
    feeRate: 0.07,
    feeExponent: 1,
    mayWait: true,
    ...rest,
  };
}

describe("limits by hand", () => {
  test("retry limit keeps the pair at or under $1 after fees (buy pair)", () => {
    // 0.457248 a share paid: q + 0.07·q(1 − q) ≤ 0.542752 → 0.52 (0.537472), not 0.53 (0.547437)
    expect(retryLimitE4(input({}))).toBe(5200);
    expect(retryLimitE4(input({ excessCashE6: 20 * M }))).toBe(-1); // already paid $1 a share: nothing fits
  });

  test("unwind limit keeps the loss within the budget left (buy pair)", () => {
    // proceeds ≥ 9.14496 − 2 → p − 0.07·p(1 − p) ≥ 0.357248 → 0.38 (0.363508), not 0.37 (0.353683)
    expect(unwindLimitE4(input({}))).toBe(3800);
    // 0.5 left → ≥ 0.432248 a share → 0.45 (0.432675), not 0.44 (0.422752)
    expect(unwindLimitE4(input({ lossSoFarE6: 1_500_000 }))).toBe(4500);
    expect(unwindLimitE4(input({ lossSoFarE6: 2_000_001 }))).toBe(-1); // budget spent
  });

  test("sell pair mirror: retry sells the kept token for ≥ $1 a pair, unwind buys back within budget", () => {
    // sold 10 YES @ 0.56 net of fee: 5.60 − 0.17248 = 5.42752 → NO must bring ≥ 0.457248 a share
    const sold = 5_600_000 - fee(10 * M, 5600);
    const i = input({ kind: "sell_pair", excessE6: 10 * M, excessCashE6: sold });
    const q = retryLimitE4(i);
    expect(sold + notional(10 * M, q) - fee(10 * M, q)).toBeGreaterThanOrEqual(10 * M);
    expect(sold + notional(10 * M, q - 100) - fee(10 * M, q - 100)).toBeLessThan(10 * M);
    const p = unwindLimitE4(i);
    expect(notional(10 * M, p) + fee(10 * M, p) - sold).toBeLessThanOrEqual(2 * M);
    expect(notional(10 * M, p + 100) + fee(10 * M, p + 100) - sold).toBeGreaterThan(2 * M);
  });
});

describe("decideRepair", () => {
  test("unwind rule sells into bids at or above the limit, sized to what is there", () => {
    const a = decideRepair(
      input({
        long: [
          [
            [4300, 12 * M],
            [3700, 50 * M],
          ],
          [],
        ],
      }),
    );
    expect(a).toEqual({
      kind: "order",
      via: "unwind",
      tokenId: "Y",
      side: "SELL",
      limitPriceE4: 3800,
      sizeE6: 12 * M,
      worstLossE6: expect.any(Number),
    });
    if (a.kind === "order") expect(a.worstLossE6).toBe(Math.round((YES_COST * 12) / 20) - (notional(12 * M, 3800) - fee(12 * M, 3800)));
  });

  test("unwind rule takes a no-loss retry when no unwind fits, else waits, then holds", () => {
    const retryOnly = decideRepair(input({ short: [[], [[5100, 30 * M]]] }));
    expect(retryOnly).toMatchObject({ kind: "order", via: "retry", side: "BUY", tokenId: "N", limitPriceE4: 5200, sizeE6: 20 * M });
    if (retryOnly.kind === "order") expect(retryOnly.worstLossE6).toBeLessThanOrEqual(0);
    expect(decideRepair(input({})).kind).toBe("wait");
    expect(decideRepair(input({ mayWait: false })).kind).toBe("hold");
  });

  test("retry rule waits for the no-loss price, then falls back to the bounded unwind", () => {
    const books = { long: [[[4000, 50 * M]], []] as [Level[], Level[]], short: [[], [[5300, 50 * M]]] as [Level[], Level[]] };
    expect(decideRepair(input({ rule: "retry", ...books })).kind).toBe("wait");
    expect(decideRepair(input({ rule: "retry", ...books, mayWait: false }))).toMatchObject({
      kind: "order",
      via: "unwind",
      limitPriceE4: 3800,
    });
    expect(decideRepair(input({ rule: "retry", short: [[], [[5200, 50 * M]]] }))).toMatchObject({
      kind: "order",
      via: "retry",
      limitPriceE4: 5200,
      sizeE6: 20 * M,
    });
  });

  test("minimum size edges: dust below the minimum is held, a thin book below the minimum waits", () => {
    expect(decideRepair(input({ excessE6: 4_990_000, excessCashE6: 2_000_000 })).kind).toBe("hold");
    expect(decideRepair(input({ excessE6: 5_000 })).kind).toBe("done");
    expect(decideRepair(input({ long: [[[4300, 4_990_000]], []] })).kind).toBe("wait");
    expect(decideRepair(input({ long: [[[4300, 5 * M]], []] }))).toMatchObject({ kind: "order", sizeE6: 5 * M });
    // a marketable BUY must be worth $1: buying back 5 shares at ≤ 0.15 (the $0.30 bound) is not
    const cheap = input({
      kind: "sell_pair",
      excessE6: 5 * M,
      excessCashE6: 500_000,
      maxLossE6: 300_000,
      long: [[], [[1000, 50 * M]]],
      mayWait: false,
    });
    expect(unwindLimitE4(cheap)).toBe(1500);
    expect(decideRepair(cheap).kind).toBe("hold");
    expect(decideRepair({ ...cheap, excessE6: 7 * M, excessCashE6: 700_000, maxLossE6: 420_000 })).toMatchObject({
      kind: "order",
      via: "unwind",
      side: "BUY",
      sizeE6: 7 * M,
    });
  });

  test("a stale book is never traded on", () => {
    const long = new FakeBook("Y", [[4300, 50 * M]], []);
    long.stale = true;
    expect(decideRepair({ ...input({}), longBook: long }).kind).toBe("wait");
  });

  test("availableAt counts only levels inside the limit", () => {
    const b = new FakeBook(
      "X",
      [
        [4300, 10 * M],
        [4200, 5 * M],
        [4000, 7 * M],
      ],
      [
        [4500, 3 * M],
        [4600, 4 * M],
      ],
    );
    expect(availableAt(b, "SELL", 4200)).toBe(15 * M);
    expect(availableAt(b, "BUY", 4500)).toBe(3 * M);
    expect(availableAt(b, "BUY", 4400)).toBe(0);
  });
});

describe("the bound holds for every fill the order can get (property, against a naive walk)", () => {
  const levels = fc.array(fc.tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 6 });
  test("unwind and retry orders: loss of any fill within the book ≤ budget left; retry never loses", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"buy_pair" | "sell_pair">("buy_pair", "sell_pair"),
        fc.constantFrom<"retry" | "unwind">("retry", "unwind"),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 20, max: 80 }),
        fc.integer({ min: 0, max: 3_000_000 }),
        fc.integer({ min: -500_000, max: 1_000_000 }),
        levels,
        levels,
        (kind, rule, excess, avgCents, maxLoss, lossSoFar, l1, l2) => {
          const lv = (ls: [number, number][]): Level[] => [...new Map(ls.map(([p, s]) => [p * 100, s * M])).entries()];
          const excessE6 = excess * M;
          const cash = Math.round(excessE6 * (avgCents / 100));
          const i = input({
            kind,
            rule,
            excessE6,
            excessCashE6: cash,
            maxLossE6: maxLoss,
            lossSoFarE6: lossSoFar,
            long: [lv(l1), lv(l2)],
            short: [lv(l2), lv(l1)],
            mayWait: false,
          });
          const a = decideRepair(i);
          if (a.kind !== "order") return;
          // Naive: walk the book this order would take from, best first, within the limit.
          const book = a.tokenId === "Y" ? i.longBook : i.shortBook;
          let left = a.sizeE6;
          let fillCash = 0;
          book.forEachLevel(a.side === "BUY" ? "SELL" : "BUY", (p, s) => {
            if (a.side === "BUY" ? p > a.limitPriceE4 : p < a.limitPriceE4) return false;
            const take = Math.min(left, s);
            fillCash += a.side === "BUY" ? notional(take, p) + fee(take, p) : notional(take, p) - fee(take, p);
            left -= take;
            return left > 0;
          });
          expect(left).toBe(0); // sized to the book
          const part = Math.round((cash * a.sizeE6) / excessE6);
          const loss = repairLossE6(kind, a.via, a.sizeE6, part, fillCash);
          expect(loss).toBeLessThanOrEqual(a.worstLossE6);
          if (a.via === "retry") expect(loss).toBeLessThanOrEqual(0);
          else expect(loss).toBeLessThanOrEqual(maxLoss - lossSoFar);
        },
      ),
      { numRuns: 600 },
    );
  });
});
