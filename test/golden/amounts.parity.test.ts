/**
 * makerAmount/takerAmount parity with the SDK's float code (`getOrderRawAmounts`,
 * `getMarketOrderRawAmounts` + viem `parseUnits`, exactly as `buildOrderCreationArgs` does):
 * - exhaustive over every PriceE4 in [tick, 1 − tick] for every tick size (on and off the
 *   tick grid), both sides, limit and market mode, with sizes cycling through a tricky list;
 * - fast-check over random sizes up to 10^11 base units (100,000 shares / pUSD), where the
 *   SDK's doubles are still exact;
 * - fast-check against a naive BigInt reference over the whole safe range, where the SDK's
 *   floats drift (we stay exact: see docs/signing.md).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseUnits } from "viem";
import { TICK_E4, TICK_SIZES, type TickSize } from "../../src/core/units.ts";
import { type AmountMode, computeAmounts, newAmountsOut, orderAmounts, priceDecimalsOf } from "../../src/polymarket/amounts.ts";
import { sdkAmounts } from "../helpers/sdk-order-reference.ts";

type Side = "BUY" | "SELL";

function sdk(side: Side, priceE4: number, sizeE6: number, tick: TickSize, mode: AmountMode): [string, string] {
  const rc = sdkAmounts.roundingConfig[tick];
  const r = (mode === "limit" ? sdkAmounts.limit : sdkAmounts.market)(side, sizeE6 / 1e6, priceE4 / 1e4, rc);
  return [parseUnits(r.rawMakerAmt.toString(), 6).toString(), parseUnits(r.rawTakerAmt.toString(), 6).toString()];
}

const out = newAmountsOut();
function ours(side: Side, priceE4: number, sizeE6: number, tick: TickSize, mode: AmountMode): [string, string] | string {
  const e = computeAmounts(side, priceE4, sizeE6, TICK_E4[tick], mode, out);
  return e ?? [String(out.makerAmount), String(out.takerAmount)];
}

/** Naive exact reference: decimal maths on BigInt, written from the SDK's description, not from our code. */
function reference(side: Side, priceE4: number, sizeE6: number, tick: TickSize, mode: AmountMode): [string, string] {
  const pd = { "0.1": 1, "0.01": 2, "0.005": 3, "0.0025": 4, "0.001": 3, "0.0001": 4 }[tick];
  const unit = 10n ** BigInt(4 - pd);
  const p = BigInt(priceE4);
  // price to pd decimals (PriceE4 units): half-up for limit, down for market
  const rp = mode === "limit" ? ((p * 2n + unit) / (2n * unit)) * unit : (p / unit) * unit;
  const base = (BigInt(sizeE6) / 10_000n) * 10_000n; // floor to 0.01 (base units)
  let quote: bigint;
  if (mode === "market" && side === "BUY") {
    // x = base/1e6 / (rp/1e4) dollars→shares; ceil at pd+6 decimals, floor at pd+2 decimals
    const fine = 10n ** BigInt(pd + 6);
    const num = base * 10_000n * fine; // x·fine = base·1e4·fine / (rp·1e6)
    const den = rp * 1_000_000n;
    const ceil = (num + den - 1n) / den;
    const coarse = ceil / 10_000n; // now in units of 10^-(pd+2)
    quote = coarse * 10n ** BigInt(4 - pd); // to base units (10^-6)
  } else {
    quote = (base * rp) / 10_000n; // shares·price, exact
  }
  if (side === "BUY") return mode === "market" ? [String(base), String(quote)] : [String(quote), String(base)];
  return [String(base), String(quote)];
}

const TRICKY_SIZES = [
  10_000, 1_000_000, 5_000_000, 21_040_000, 290_000, 123_456_789, 99_999_990_000, 3_333_333, 70_000, 1_005_000, 15_550_000, 7_770_001,
];

describe("amounts vs the SDK's float rounding", () => {
  test("protocol reference vectors", () => {
    const v = (side: Side, p: number, s: number, tick: TickSize, mode: AmountMode) => ours(side, p, s, tick, mode);
    expect(v("BUY", 5000, 21_040_000, "0.1", "limit")).toEqual(["10520000", "21040000"]);
    expect(v("BUY", 5600, 21_040_000, "0.01", "limit")).toEqual(["11782400", "21040000"]);
    expect(v("BUY", 56, 21_040_000, "0.0001", "limit")).toEqual(["117824", "21040000"]);
    expect(v("SELL", 5600, 21_040_000, "0.01", "limit")).toEqual(["21040000", "11782400"]);
    expect(v("BUY", 5600, 100_000_000, "0.01", "market")).toEqual(["100000000", "178571400"]);
    expect(v("SELL", 5000, 100_000_000, "0.1", "market")).toEqual(["100000000", "50000000"]);
  });

  test("exhaustive: every PriceE4 × tick × side × mode (sizes cycling)", () => {
    let n = 0;
    const bad: string[] = [];
    for (const tick of TICK_SIZES) {
      const t = TICK_E4[tick];
      for (let p = t; p <= 10_000 - t; p++) {
        for (const mode of ["limit", "market"] as const) {
          for (const side of ["BUY", "SELL"] as const) {
            for (let j = 0; j < 2; j++) {
              const size = TRICKY_SIZES[(p * 2 + j) % TRICKY_SIZES.length]!; // index in range
              const a = ours(side, p, size, tick, mode);
              const b = sdk(side, p, size, tick, mode);
              n++;
              if ((typeof a === "string" || a[0] !== b[0] || a[1] !== b[1]) && bad.length < 5)
                bad.push(`${tick} ${mode} ${side} p=${p} s=${size}: ours ${a} sdk ${b}`);
            }
          }
        }
      }
    }
    expect(bad).toEqual([]);
    expect(n).toBeGreaterThan(400_000);
  }, 30_000);

  const tickArb = fc.constantFrom(...TICK_SIZES);
  const caseArb = (maxSize: number) =>
    tickArb.chain((tick) =>
      fc.record({
        tick: fc.constant(tick),
        priceE4: fc.integer({ min: TICK_E4[tick], max: 10_000 - TICK_E4[tick] }),
        sizeE6: fc.integer({ min: 10_000, max: maxSize }),
        side: fc.constantFrom<Side>("BUY", "SELL"),
        mode: fc.constantFrom<AmountMode>("limit", "market"),
      }),
    );

  test("property: equal to the SDK for amounts up to 1e11 base units", () => {
    fc.assert(
      fc.property(caseArb(100_000_000_000), (c) => {
        const a = ours(c.side, c.priceE4, c.sizeE6, c.tick, c.mode);
        if (typeof a === "string") return false;
        if (Number(a[0]) > 1e11 || Number(a[1]) > 1e11) return true; // outside the float-exact range
        const b = sdk(c.side, c.priceE4, c.sizeE6, c.tick, c.mode);
        return a[0] === b[0] && a[1] === b[1];
      }),
      { numRuns: 20_000, seed: 0x4a11 },
    );
  });

  test("property: equal to an exact BigInt reference over the whole safe range", () => {
    fc.assert(
      fc.property(caseArb(2 ** 44), (c) => {
        const a = orderAmounts(c.side, c.priceE4, c.sizeE6, TICK_E4[c.tick], c.mode);
        const r = reference(c.side, c.priceE4, c.sizeE6, c.tick, c.mode);
        if (typeof a === "string") return a === "TOO_LARGE" && (Number(r[0]) > 2 ** 53 || Number(r[1]) > 2 ** 53);
        return String(a.makerAmount) === r[0] && String(a.takerAmount) === r[1];
      }),
      { numRuns: 20_000, seed: 0xb161 },
    );
  });

  test("rejects what the SDK would refuse or sign as zero", () => {
    expect(orderAmounts("BUY", 50, 1_000_000, 100)).toBe("PRICE_OUT_OF_RANGE"); // 0.005 < tick 0.01
    expect(orderAmounts("BUY", 9_950, 1_000_000, 100)).toBe("PRICE_OUT_OF_RANGE"); // > 1 − tick
    expect(orderAmounts("BUY", 5_000, 9_999, 100)).toBe("ZERO_AMOUNT"); // < 0.01 share
    expect(orderAmounts("BUY", 5_000, 1_000_000, 7)).toBe("BAD_TICK");
    expect(orderAmounts("BUY", 5_000.5, 1_000_000, 100)).toBe("PRICE_OUT_OF_RANGE");
    expect(priceDecimalsOf(25)).toBe(4);
  });
});
