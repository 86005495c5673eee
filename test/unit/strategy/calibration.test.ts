import { describe, expect, test } from "bun:test";
import path from "node:path";
import { formatReport } from "../../../src/cli/calibrate.ts";
import { baselineProbUp, parseMarketsJsonl, parsePriceCsv, runCalibration } from "../../../src/strategy/calibration.ts";
import { normCdf } from "../../../src/strategy/fair-value.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const MARKETS = path.join(SHARED, "data/gamma/ligengxin_BTC-5m-markets-2026-06-08.jsonl.gz");
const PRICES = path.join(SHARED, "data/rtds/ligengxin_BTCUSD-chainlink-prices-2026-06-08.csv.gz");

async function gunzipText(file: string): Promise<string> {
  return new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await Bun.file(file).arrayBuffer())));
}

describe("parsers", () => {
  test("price CSV: full accuracy preferred, duplicate seconds keep the last row, bad rows skipped", () => {
    const s = parsePriceCsv(
      "feed_ts_ms,value,full_accuracy_value,server_ts_ms,recv_ms\n" +
        "1000,1.5,63304200301195075000000,0,0\n1500,9,1000000000000000000,0,0\n2000,2.5,,0,0\nx,1,1,0,0\n3000,-1,,0,0\n",
    );
    expect([...s.secs]).toEqual([1, 2]);
    expect(s.prices[0]).toBe(1);
    expect(s.prices[1]).toBe(2.5);
    expect(() => parsePriceCsv("a,b\n1,2\n")).toThrow(RangeError);
  });
  test("markets JSONL: outcome, strike, rule", () => {
    const { markets, badLines } = parseMarketsJsonl(
      [
        JSON.stringify({
          slug: "a",
          start_sec: 0,
          end_sec: 300,
          resolved: true,
          outcome_prices: ["0", "1"],
          strike_value: "63123544863797618000000",
          raw: { resolutionSource: "https://data.chain.link/streams/btc-usd" },
        }),
        JSON.stringify({
          slug: "b",
          start_sec: 300,
          end_sec: 600,
          resolved: false,
          outcome_prices: ["0.5", "0.5"],
          strike_value: null,
          raw: { cryptoMarketConfig: { twapEnabled: true } },
        }),
        "{not json",
        JSON.stringify({ slug: 3 }),
      ].join("\n"),
    );
    expect(badLines).toBe(2);
    expect(markets[0]).toEqual({ slug: "a", startSec: 0, endSec: 300, strike: 63123.544863797615, outcomeUp: false, rule: "price_at_end" });
    expect(markets[1]?.outcomeUp).toBeNull();
    expect(markets[1]?.strike).toBeNaN();
    expect(markets[1]?.rule).toBe("twap60");
  });
  test("baseline is Black–Scholes N(d2)", () => {
    const sd = Math.sqrt(1e-8 * 100);
    expect(baselineProbUp(101, 100, 100, 1e-8)).toBeCloseTo(normCdf((Math.log(1.01) - (sd * sd) / 2) / sd), 12);
    expect(baselineProbUp(100, 100, 0, 1e-8)).toBe(1);
  });
});

describe("synthetic replay", () => {
  test("a certain outcome scores near zero, every second is counted once", () => {
    const secs: number[] = [];
    const prices: number[] = [];
    for (let t = 0; t < 4000; t++) {
      secs.push(t);
      prices.push(100 * Math.exp(1e-5 * Math.sin(t) + (t > 3700 ? 0.01 : 0)));
    }
    const markets = [{ slug: "m", startSec: 3600, endSec: 3900, strike: 100, outcomeUp: true, rule: "price_at_end" as const }];
    const r = runCalibration(markets, { secs, prices: Float64Array.from(prices) });
    expect(r.markets).toBe(1);
    expect(r.seconds).toBe(300);
    expect(r.byMinuteLeft.map((b) => b.seconds)).toEqual([60, 60, 60, 60, 60]);
    expect(r.byMinuteLeft[0]?.brier).toBeLessThan(1e-6); // last minute: 1 % above the strike
    expect(r.reliability.model.reduce((a, b) => a + b.n, 0)).toBe(300);
  });
});

describe("calibrate on the real day (2026-06-08, 284 BTC 5m markets)", () => {
  test("beats the hour-vol Black–Scholes baseline overall and in every minute bucket", async () => {
    const { markets } = parseMarketsJsonl(await gunzipText(MARKETS));
    const series = parsePriceCsv(await gunzipText(PRICES));
    const r = runCalibration(markets, series);
    expect(r.markets).toBe(273);
    expect(r.seconds).toBe(81_900);
    expect(r.skipped.noStrike).toBe(4);
    expect(r.coinFlip.brier).toBe(0.25);
    expect(r.brier).toBeLessThan(r.baselineBrier);
    expect(r.logLoss).toBeLessThan(r.baselineLogLoss);
    expect(r.brier).toBeLessThan(0.15); // far from the coin flip
    expect(r.byMinuteLeft.map((b) => b.minuteLeft)).toEqual([1, 2, 3, 4, 5]);
    for (const b of r.byMinuteLeft) {
      expect(b.brier).toBeLessThan(b.baselineBrier);
      expect(b.logLoss).toBeLessThan(b.baselineLogLoss);
    }
    // Held-out half (settings were chosen on the first 12 h): still better overall.
    const second = r.halves[1];
    expect(second?.brier).toBeLessThan(second?.baselineBrier ?? 0);
    expect(second?.logLoss).toBeLessThan(second?.baselineLogLoss ?? 0);
    // Reliability: bins partition the scored seconds; the model is roughly calibrated.
    expect(r.reliability.model.reduce((a, b) => a + b.n, 0)).toBe(r.seconds);
    for (const b of r.reliability.model) if (b.n > 2000) expect(Math.abs(b.meanPredicted - b.observedUp)).toBeLessThan(0.12);
    expect(formatReport(r)).toContain("1 min left");
  });
});
