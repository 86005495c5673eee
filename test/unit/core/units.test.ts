import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  BAD_NUMBER,
  formatFixed,
  parseFixed,
  parsePriceE4,
  parseSizeE6,
  snapAskUp,
  snapBidDown,
  tickE4Of,
} from "../../../src/core/units.ts";

describe("parseFixed", () => {
  test("known values", () => {
    expect(parsePriceE4("0.29")).toBe(2900);
    expect(parsePriceE4(".48")).toBe(4800);
    expect(parsePriceE4("1")).toBe(10000);
    expect(parsePriceE4("0.0025")).toBe(25);
    expect(parseSizeE6("21.04")).toBe(21_040_000);
    expect(parseSizeE6("0")).toBe(0);
    expect(parsePriceE4("0.12340")).toBe(1234);
  });
  test("rejects what it cannot represent exactly", () => {
    for (const s of ["", ".", "-1", "1e3", "0.12345", "abc", "1.2.3", " 1", "NaN"]) expect(parsePriceE4(s)).toBe(BAD_NUMBER);
  });
  test("matches a BigInt reference on random decimals", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 9n }), fc.integer({ min: 0, max: 6 }), (v, dp) => {
        const s = dp === 0 ? v.toString() : `${v / 10n ** BigInt(dp)}.${(v % 10n ** BigInt(dp)).toString().padStart(dp, "0")}`;
        expect(parseFixed(s, 6)).toBe(Number(v * 10n ** BigInt(6 - dp)));
        expect(parseFixed(formatFixed(Number(v), dp), dp)).toBe(Number(v));
      }),
      { numRuns: 2000 },
    );
  });
});

test("tick grid snapping", () => {
  expect(tickE4Of("0.01")).toBe(100);
  expect(tickE4Of("0.02")).toBe(BAD_NUMBER);
  expect(snapBidDown(4567, 100)).toBe(4500);
  expect(snapAskUp(4501, 100)).toBe(4600);
  expect(snapAskUp(4500, 100)).toBe(4500);
  expect(snapBidDown(4567, 25)).toBe(4550);
});
