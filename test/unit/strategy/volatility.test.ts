import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Rng } from "../../../src/core/rng.ts";
import { UnderlyingVol, VolatilityEngine, combineRecommendations } from "../../../src/strategy/volatility.ts";

const naiveStd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe("VolatilityEngine", () => {
  test("rolling std of the last N prices by hand", () => {
    const v = new VolatilityEngine({ lookback: 3 });
    for (const [i, p] of [5, 1, 2, 3].entries()) v.update(p, i * 1000);
    expect(v.priceStd()).toBeCloseTo(1, 12); // [1, 2, 3]
    expect(v.returnStd()).toBeCloseTo(naiveStd([-4, 1, 1]), 12);
  });

  test("price and return std equal a naive rescan (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.array(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { maxLength: 80 }),
        (n, ps) => {
          const v = new VolatilityEngine({ lookback: n });
          ps.forEach((p, i) => {
            v.update(p, i * 1000);
          });
          expect(Math.abs(v.priceStd() - naiveStd(ps.slice(-n)))).toBeLessThan(1e-9);
          const rets = ps.slice(1).map((p, i) => p - (ps[i] as number));
          expect(Math.abs(v.returnStd() - naiveStd(rets.slice(-n)))).toBeLessThan(1e-9);
        },
      ),
    );
  });

  test("ATR over fixed bars by hand", () => {
    const v = new VolatilityEngine({ atrBarMs: 1000, atrPeriod: 2 });
    // bar 0: 10..12 close 11; bar 1: 9..11 close 10 (TR vs prev close 11: 11 − 9 = 2); bar 2 opens → closes bar 1.
    v.update(10, 0);
    v.update(12, 300);
    v.update(11, 900);
    v.update(9, 1000);
    v.update(11, 1500);
    v.update(10, 1900);
    v.update(10, 2000);
    // bar 0's TR = 12 − 10 = 2 (no previous close), bar 1's = 2.
    expect(v.atr()).toBeCloseTo(2, 12);
    v.update(10, 3000); // bar 2 flat at 10 vs prev close 10: TR 0
    expect(v.atr()).toBeCloseTo(1, 12); // mean of last two: (2 + 0) / 2
  });

  test("spread ratio against its average", () => {
    const v = new VolatilityEngine();
    expect(v.spreadRatio()).toBe(1);
    for (const s of [1, 1, 1, 4]) v.updateSpread(s);
    expect(v.spreadRatio()).toBeCloseTo(4 / 1.75, 12);
  });

  test("warm-up, calm, then a burst: score and multipliers follow", () => {
    const v = new VolatilityEngine({
      lookback: 20,
      baselineLookback: 400,
      atrBarMs: 1000,
      atrPeriod: 5,
      atrBaselinePeriod: 100,
      minSamples: 10,
    });
    expect(v.getRecommendations().shouldQuote).toBe(false);
    const rng = new Rng(1);
    let p = 0.5;
    for (let i = 0; i < 400; i++) {
      p = Math.min(0.95, Math.max(0.05, p + 0.001 * rng.normal()));
      v.update(p, i * 1000);
      v.updateSpread(0.02);
    }
    const calm = v.getRecommendations();
    expect(calm.shouldQuote).toBe(true);
    expect(calm.volatilityScore).toBeLessThan(20);
    expect(calm.spreadMultiplier).toBeGreaterThanOrEqual(1);
    expect(calm.sizeMultiplier).toBeLessThanOrEqual(1);
    for (let i = 400; i < 420; i++) {
      p = Math.min(0.95, Math.max(0.05, p + 0.02 * rng.normal()));
      v.update(p, i * 1000);
      v.updateSpread(0.08);
    }
    const wild = v.getRecommendations();
    expect(wild.volatilityScore).toBeGreaterThan(90);
    expect(wild.shouldQuote).toBe(false);
    expect(wild.spreadMultiplier).toBeGreaterThan(2.5);
    expect(wild.sizeMultiplier).toBeLessThan(0.4);
  });

  test("log returns for the underlying ignore the price level", () => {
    const a = new VolatilityEngine({ returns: "log", lookback: 5 });
    const b = new VolatilityEngine({ returns: "log", lookback: 5 });
    const path = [1, 1.01, 0.99, 1.02, 1.0, 1.03];
    path.forEach((x, i) => {
      a.update(x * 100, i * 1000);
      b.update(x * 60_000, i * 1000);
    });
    expect(a.returnStd()).toBeCloseTo(b.returnStd(), 12);
  });

  test("bad input is ignored; params are validated", () => {
    const v = new VolatilityEngine();
    v.update(Number.NaN, 0);
    v.update(-1, 0);
    v.updateSpread(Number.POSITIVE_INFINITY);
    expect(v.samples()).toBe(0);
    expect(() => new VolatilityEngine({ lookback: 1 })).toThrow(RangeError);
    expect(() => new VolatilityEngine({ maxStress: 1 })).toThrow(RangeError);
  });

  test("combineRecommendations takes the cautious side of each field", () => {
    const c = combineRecommendations(
      { volatilityScore: 10, spreadMultiplier: 1.2, sizeMultiplier: 0.5, shouldQuote: true },
      { volatilityScore: 40, spreadMultiplier: 1.1, sizeMultiplier: 0.9, shouldQuote: false },
    );
    expect(c).toEqual({ volatilityScore: 40, spreadMultiplier: 1.2, sizeMultiplier: 0.5, shouldQuote: false });
  });
});

describe("UnderlyingVol", () => {
  test("constant 1-second return: variance r², phi clamped at the top", () => {
    const u = new UnderlyingVol({ slowWindow: 100 });
    let p = 100;
    for (let s = 0; s <= 50; s++) {
      u.update(p, s * 1000);
      p *= Math.exp(1e-4);
    }
    expect(u.variancePerSec()).toBeCloseTo(1e-8, 14);
    expect(u.phi()).toBe(0.8);
    expect(u.lastReturn(50_000)).toBeCloseTo(1e-4, 12);
    expect(u.lastReturn(52_000)).toBeCloseTo(1e-4 * 0.8 ** 2, 12); // decays by phi per second
  });

  test("alternating returns: phi clamped at 0, same-second updates only move the spot", () => {
    const u = new UnderlyingVol();
    let p = 100;
    let lastSpot = 0;
    for (let s = 0; s <= 40; s++) {
      u.update(p, s * 1000);
      lastSpot = p * 5;
      u.update(lastSpot, s * 1000 + 500); // same second: not a sample
      p *= Math.exp(s % 2 === 0 ? 2e-4 : -2e-4);
    }
    expect(u.variancePerSec()).toBeCloseTo(4e-8, 14);
    expect(u.phi()).toBe(0);
    expect(u.spot()).toBe(lastSpot);
    expect(u.samples()).toBe(40);
  });

  test("gaps: returns are normalised by elapsed seconds; long gaps break the chain", () => {
    const u = new UnderlyingVol();
    u.update(100, 0);
    u.update(100 * Math.exp(2e-4), 4_000); // 4 s: r²/dt = 1e-8
    expect(u.variancePerSec()).toBeCloseTo(1e-8, 14);
    expect(u.lastReturn(4_000)).toBe(0); // not a 1-second return
    u.update(200, 100_000); // 96 s gap > maxGapSec: not a variance sample
    expect(u.samples()).toBe(1);
  });

  test("floor on a frozen feed", () => {
    const u = new UnderlyingVol({ sigmaFloor: 2e-5 });
    for (let s = 0; s < 30; s++) u.update(100, s * 1000);
    expect(u.sigmaPerSec()).toBeCloseTo(2e-5, 14);
  });

  test("recovers a simulated AR(1) process's sigma and phi", () => {
    const rng = new Rng(3);
    const u = new UnderlyingVol({ fastHalfLifeSec: 2000, slowWindow: 20_000 });
    const phi = 0.35;
    const sigma = 5e-5;
    const sdE = sigma * Math.sqrt(1 - phi * phi);
    let r = 0;
    let logP = Math.log(60_000);
    for (let s = 0; s < 20_000; s++) {
      r = phi * r + sdE * rng.normal();
      logP += r;
      u.update(Math.exp(logP), s * 1000);
    }
    expect(u.sigmaPerSec() / sigma).toBeCloseTo(1, 1);
    expect(Math.abs(u.phi() - phi)).toBeLessThan(0.05);
  });
});
