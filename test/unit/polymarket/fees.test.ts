import { describe, expect, test } from "bun:test";
import path from "node:path";
import fc from "fast-check";
import { parsePriceE4, parseSizeE6 } from "../../../src/core/units.ts";
import { feePerShare, maxTakerFeeE6, rebatePoolE6, splitRebatesE6, takerFeeE6 } from "../../../src/polymarket/fees.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");

interface ChainFill {
  exchange: string;
  side: "BUY" | "SELL";
  maker_amount_filled: string;
  taker_amount_filled: string;
  fee: string;
  price: string;
  fee_rate: string;
}

describe("takerFeeE6 against real V2 OrderFilled events", () => {
  test("all 21 chain fills agree to the unit", async () => {
    const rows = (await Bun.file(`${SHARED}/data/trades/nautilus_v2_chain_order_filled_taker_fees.json`).json()) as ChainFill[];
    expect(rows.length).toBe(21);
    for (const r of rows) {
      // Shares are what the taker receives on a BUY and what it gives on a SELL.
      const sharesE6 = Number(r.side === "BUY" ? r.taker_amount_filled : r.maker_amount_filled);
      const fee = takerFeeE6(sharesE6, parsePriceE4(r.price), Number(r.fee_rate), 1);
      expect({ row: r, fee }).toEqual({ row: r, fee: Number(r.fee) });
    }
  });
});

describe("takerFeeE6", () => {
  test("protocol notes examples: 100 @ 0.50 → $1.75, 100 @ 0.90 → $0.63", () => {
    expect(takerFeeE6(parseSizeE6("100"), 5000, 0.07, 1)).toBe(1_750_000);
    expect(takerFeeE6(parseSizeE6("100"), 9000, 0.07, 1)).toBe(630_000);
  });
  test("zero rate, empty size or a price at the bounds costs nothing", () => {
    expect(takerFeeE6(100_000_000, 5000, 0, 1)).toBe(0);
    expect(takerFeeE6(0, 5000, 0.07, 1)).toBe(0);
    expect(takerFeeE6(100_000_000, 0, 0.07, 1)).toBe(0);
    expect(takerFeeE6(100_000_000, 10_000, 0.07, 1)).toBe(0);
  });
  test("exact integer path equals a BigInt reference, including sizes past 2^53 products", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000_000 }),
        fc.integer({ min: 1, max: 9_999 }),
        fc.integer({ min: 0, max: 100_000 }),
        (size, p, ratePpm) => {
          const rate = ratePpm / 1e6;
          const num = BigInt(size) * BigInt(ratePpm) * BigInt(p) * BigInt(10_000 - p);
          const units = num / 100_000_000_000_000n;
          expect(takerFeeE6(size, p, rate, 1)).toBe(Number(units - (units % 10n)));
        },
      ),
      { numRuns: 3000 },
    );
  });
  test("general exponent follows C·r·(p(1−p))^e floored to 1e-5", () => {
    // 100 shares @ 0.5, rate 0.25, exponent 2: 100 × 0.25 × 0.0625 = 1.5625
    expect(takerFeeE6(100_000_000, 5000, 0.25, 2)).toBe(1_562_500);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000_000 }), fc.integer({ min: 1, max: 9_999 }), (size, p) => {
        const fee = takerFeeE6(size, p, 0.07, 2);
        expect(fee % 10).toBe(0);
        const real = size * 0.07 * ((p / 1e4) * (1 - p / 1e4)) ** 2;
        expect(fee).toBeLessThanOrEqual(real + 1e-6);
        expect(fee).toBeGreaterThan(real - 10.000001);
      }),
    );
  });
  test("maxTakerFeeE6 bounds the fee at every price the order can trade at", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 1, max: 9_999 }),
        fc.integer({ min: 1, max: 9_999 }),
        fc.boolean(),
        (size, limit, fillP, isBuy) => {
          const reachable = isBuy ? fillP <= limit : fillP >= limit;
          if (!reachable) return;
          expect(takerFeeE6(size, fillP, 0.07, 1)).toBeLessThanOrEqual(maxTakerFeeE6(size, limit, isBuy, 0.07, 1));
        },
      ),
    );
  });
  test("feePerShare is the float twin", () => {
    expect(feePerShare(0.5, 0.07, 1)).toBeCloseTo(0.0175, 12);
    expect(feePerShare(0, 0.07, 1)).toBe(0);
  });
});

describe("maker rebates (§8.4)", () => {
  test("pool is 20 % of collected fees, floored", () => {
    expect(rebatePoolE6(1_750_000, 0.2)).toBe(350_000);
    expect(rebatePoolE6(11, 0.2)).toBe(2);
    expect(rebatePoolE6(0, 0.2)).toBe(0);
  });
  test("split is pro rata, floored and never above the pool", () => {
    const out = splitRebatesE6(
      100,
      new Map([
        ["a", 1],
        ["b", 2],
        ["z", 0],
      ]),
    );
    expect(out.get("a")).toBe(33);
    expect(out.get("b")).toBe(66);
    expect(out.has("z")).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 0, max: 1e12 }), { maxLength: 20 }), (pool, ws) => {
        const m = new Map(ws.map((w, i) => [`m${i}`, w]));
        const paid = [...splitRebatesE6(pool, m).values()].reduce((s, v) => s + v, 0);
        expect(paid).toBeLessThanOrEqual(pool);
        if (ws.some((w) => w > 0)) expect(pool - paid).toBeLessThanOrEqual(ws.filter((w) => w > 0).length);
      }),
    );
  });
});
