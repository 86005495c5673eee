import { describe, expect, test } from "bun:test";
import { Rng } from "../../../src/core/rng.ts";
import { SettlementTwap, arSumVarianceFactor, blendFairValue, momentum, normCdf, probUp } from "../../../src/strategy/fair-value.ts";

const base = { rule: "price_at_end" as const, strike: 100_000, sigmaPerSec: 1e-4, phi: 0, lastReturn: 0 };

describe("normCdf", () => {
  test("known values", () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 7);
    expect(normCdf(1)).toBeCloseTo(0.841344746, 6);
    expect(normCdf(-1.959964)).toBeCloseTo(0.025, 6);
    // Far tail keeps relative accuracy (log loss reads it).
    expect(normCdf(-8) / 6.22096057e-16).toBeCloseTo(1, 4);
    expect(normCdf(8)).toBe(1 - normCdf(-8));
  });
});

describe("AR(1) sums", () => {
  test("variance factor by hand", () => {
    expect(arSumVarianceFactor(0, 100)).toBe(100);
    expect(arSumVarianceFactor(0.5, 1)).toBeCloseTo(0.75, 12); // innovation variance σ²(1 − φ²)
    // r1 + r2 given r0 = const + (1 + φ)e1 + e2 → σe²(2.25 + 1), σe² = 0.75σ²
    expect(arSumVarianceFactor(0.5, 2)).toBeCloseTo(2.4375, 12);
    expect(arSumVarianceFactor(0.4, 10_000) / 10_000).toBeCloseTo(1.4 / 0.6, 3); // long-run ratio
    expect(arSumVarianceFactor(0.3, 0)).toBe(0);
  });
  test("momentum by hand", () => {
    expect(momentum(0.001, 0.5, 2)).toBeCloseTo(0.00075, 12); // r(φ + φ²)
    expect(momentum(0.001, 0, 50)).toBe(0);
    expect(momentum(0.001, 0.5, 0)).toBe(0);
  });
});

describe("probUp, point price at the end", () => {
  test("random walk digital by hand", () => {
    // ln(S/K) = 0.001, σ√τ = 1e-4·10 = 0.001 → Φ(1)
    const spot = 100_000 * Math.exp(0.001);
    expect(probUp({ ...base, spot, secondsLeft: 100 })).toBeCloseTo(0.841344746, 6);
    expect(probUp({ ...base, spot: 100_000, secondsLeft: 100 })).toBeCloseTo(0.5, 7);
  });
  test("momentum shifts the mean, autocorrelation widens the variance", () => {
    const spot = 100_000;
    const up = probUp({ ...base, spot, secondsLeft: 30, phi: 0.4, lastReturn: 0.0005 });
    const down = probUp({ ...base, spot, secondsLeft: 30, phi: 0.4, lastReturn: -0.0005 });
    expect(up).toBeGreaterThan(0.5);
    expect(down).toBeCloseTo(1 - up, 9);
    // by hand: mean = 0.0005·0.4·(1 − 0.4^30)/0.6, sd = 1e-4·√factor
    const mean = (0.0005 * 0.4 * (1 - 0.4 ** 30)) / 0.6;
    expect(up).toBeCloseTo(normCdf(mean / (1e-4 * Math.sqrt(arSumVarianceFactor(0.4, 30)))), 9);
    const s = 100_000 * Math.exp(0.001);
    expect(probUp({ ...base, spot: s, secondsLeft: 100, phi: 0.4 })).toBeLessThan(probUp({ ...base, spot: s, secondsLeft: 100 }));
  });
  test("last seconds and the end: a step with ties Up", () => {
    expect(probUp({ ...base, spot: 100_000, secondsLeft: 0 })).toBe(1);
    expect(probUp({ ...base, spot: 99_999.99, secondsLeft: 0 })).toBe(0);
    expect(probUp({ ...base, spot: 100_050, secondsLeft: 1 })).toBeGreaterThan(0.99999);
    expect(probUp({ ...base, spot: 100_050, secondsLeft: -5 })).toBe(1);
    expect(probUp({ ...base, spot: 100_010, secondsLeft: 1, sigmaPerSec: 0 })).toBe(1);
  });
  test("bad inputs give NaN, never a fake 50 %", () => {
    expect(probUp({ ...base, spot: Number.NaN, secondsLeft: 10 })).toBeNaN();
    expect(probUp({ ...base, spot: 100, strike: 0, secondsLeft: 10 })).toBeNaN();
    expect(probUp({ ...base, spot: 100, secondsLeft: Number.NaN })).toBeNaN();
  });
  test("monotone in spot and always in [0, 1]", () => {
    let prev = -1;
    for (let s = 99_000; s <= 101_000; s += 50) {
      const p = probUp({ ...base, spot: s, secondsLeft: 120, phi: 0.3, lastReturn: 1e-4 });
      expect(p).toBeGreaterThanOrEqual(prev);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      prev = p;
    }
  });
});

describe("probUp, 60-second TWAP", () => {
  const tw = { ...base, rule: "twap60" as const };
  test("before the averaging window: σ²(τ − W + W/3)", () => {
    const spot = 100_000 * Math.exp(0.001);
    // τ = 60: variance σ²·20 → z = 0.001 / (1e-4·√20)
    expect(probUp({ ...tw, spot, secondsLeft: 60 })).toBeCloseTo(normCdf(0.001 / (1e-4 * Math.sqrt(20))), 9);
    expect(probUp({ ...tw, spot, secondsLeft: 240 })).toBeCloseTo(normCdf(0.001 / (1e-4 * Math.sqrt(200))), 9);
  });
  test("inside the window the observed part is known", () => {
    // 45 s seen at mean 100 100; 15 s ahead at spot 100 000; strike 100 070.
    const twap = { windowSec: 60, observedMean: 100_100, observedSec: 45 };
    const expected = 0.75 * 100_100 + 0.25 * 100_000; // 100 075
    const sd = 0.25 * 100_000 * 1e-4 * Math.sqrt(15 / 3);
    const p = probUp({ ...tw, spot: 100_000, strike: 100_070, secondsLeft: 15, twap });
    expect(p).toBeCloseTo(normCdf((expected - 100_070) / sd), 9);
    // At the end the average is fixed.
    expect(probUp({ ...tw, spot: 1, strike: 100_070, secondsLeft: 0, twap: { ...twap, observedSec: 60 } })).toBe(1);
    expect(probUp({ ...tw, spot: 1e9, strike: 100_200, secondsLeft: 0, twap: { ...twap, observedSec: 60 } })).toBe(0);
  });
  test("matches a Monte Carlo of a discrete random walk", () => {
    const rng = new Rng(7);
    const sigma = 2e-4;
    for (const [tau, x0] of [
      [120, 0.002],
      [30, 0.0005],
      [10, -0.0003],
    ] as const) {
      const end = 10_000;
      const strike = 50_000;
      const spot0 = strike * Math.exp(x0);
      // Fixed history: the seen part of the window sat at the strike.
      const twapSeen = new SettlementTwap(end * 1000, 60);
      for (let s = end - 59; s <= end - tau; s++) twapSeen.update(strike, s * 1000);
      const p = probUp({ ...tw, spot: spot0, strike, secondsLeft: tau, sigmaPerSec: sigma, twap: twapSeen.progress((end - tau) * 1000) });
      let ups = 0;
      const paths = 20_000;
      for (let k = 0; k < paths; k++) {
        const acc = new SettlementTwap(end * 1000, 60);
        for (let s = end - 59; s <= end - tau; s++) acc.update(s === end - tau ? spot0 : strike, s * 1000);
        let logS = Math.log(spot0);
        for (let s = end - tau + 1; s <= end; s++) {
          logS += sigma * rng.normal();
          acc.update(Math.exp(logS), s * 1000);
        }
        if (acc.progress(end * 1000).observedMean >= strike) ups++;
      }
      expect(Math.abs(ups / paths - p)).toBeLessThan(0.03);
    }
  });
});

describe("SettlementTwap", () => {
  test("averages one sample per second inside (end − W, end]", () => {
    const t = new SettlementTwap(100_000, 60);
    t.update(1, 39_000); // before the window
    t.update(10, 41_000);
    t.update(99, 41_500); // same second: ignored
    t.update(20, 42_000);
    t.update(1000, 101_000); // after the end
    const p = t.progress(42_000);
    expect(p.observedMean).toBe(15);
    expect(p.observedSec).toBe(2);
    expect(new SettlementTwap(100_000).progress(30_000).observedSec).toBe(0);
  });
});

describe("blendFairValue", () => {
  test("weights by time left and confidence", () => {
    expect(blendFairValue(0.8, 0.6, { secondsLeft: 300, windowSec: 300 })).toBeCloseTo(0.6 * 0.8 + 0.4 * 0.6, 12);
    expect(blendFairValue(0.8, 0.6, { secondsLeft: 150, windowSec: 300 })).toBeCloseTo(0.755, 12);
    expect(blendFairValue(0.8, 0.6, { secondsLeft: 0, windowSec: 300 })).toBeCloseTo(0.95 * 0.8 + 0.05 * 0.6, 12);
    expect(blendFairValue(0.8, 0.6, { secondsLeft: 0, windowSec: 300, confidence: 0 })).toBeCloseTo(0.6, 12);
  });
  test("one side missing yields the other", () => {
    expect(blendFairValue(0.7, Number.NaN, { secondsLeft: 10, windowSec: 300 })).toBe(0.7);
    expect(blendFairValue(Number.NaN, 0.4, { secondsLeft: 10, windowSec: 300 })).toBe(0.4);
    expect(blendFairValue(Number.NaN, Number.NaN, { secondsLeft: 10, windowSec: 300 })).toBeNaN();
  });
});
