/**
 * The report's numbers on a hand-built run, to the cent: spread captured, adverse selection
 * (mark-outs at 1 s, 10 s, 60 s and to the end), resolution P&L, fees, rebates, total (equal
 * to cash + holdings at the payout), mark-out curve, drawdown, inventory, time quoting, fill
 * rate. Then the terminal table and the chart specs.
 */
import { describe, expect, test } from "bun:test";
import { chartSpecs } from "../../../src/backtest/html.ts";
import { buildReport, formatSummary, maxDrawdown, type RunRecord } from "../../../src/backtest/report.ts";

const SH = 1_000_000;

function run(): RunRecord {
  return {
    label: "mm",
    source: "backtest",
    settings: [["bot", "mm"]],
    startMs: 0,
    endMs: 120_000,
    markets: [
      {
        conditionId: "0xm",
        slug: "btc-updown-test",
        startMs: 0,
        endMs: 100_000,
        series: { tMs: [0, 10_000, 70_000], midE4: [5000, 5200, 5400], bidE4: [4900, 5100, 5300], askE4: [5100, 5300, 5500] },
        quotes: { tMs: [0, 50_000, 80_000], bidE4: [4900, 0, 0], askE4: [5100, 5100, 0] },
        resolution: { tMs: 100_000, yesWon: true },
        merges: [],
      },
    ],
    fills: [
      {
        tMs: 1_000,
        conditionId: "0xm",
        isYes: true,
        side: "BUY",
        priceE4: 4900,
        sizeE6: 10 * SH,
        feeE6: 0,
        rebateE6: 10_000,
        liquidity: "maker",
        cause: "queue",
      },
      {
        tMs: 20_000,
        conditionId: "0xm",
        isYes: true,
        side: "SELL",
        priceE4: 5300,
        sizeE6: 4 * SH,
        feeE6: 50_000,
        rebateE6: 0,
        liquidity: "taker",
        cause: "taker",
      },
    ],
    orders: {
      byMarket: { "0xm": { placed: 3, placedE6: 30 * SH, rejected: 0 } },
      rejectsByCode: {},
      cancels: 1,
      cancelsTooLate: 0,
      filledWhileCancellingE6: 0,
    },
    latencies: { placeAckMs: [40, 40, 41], cancelMs: [40] },
    counters: {},
  };
}

describe("P&L by component, to the cent", () => {
  const r = buildReport(run());
  const m = r.markets[0];
  test("spread, adverse selection, resolution, fees, rebates, total", () => {
    const p = m?.pnl;
    expect(p).toBeDefined();
    if (!p) return;
    // Spread: 10 × (0.50 − 0.49) + (−4) × (0.52 − 0.53) = $0.14 (mid just before each fill).
    expect(Math.round(p.spreadE6)).toBe(140_000);
    // Adverse to the end (mid 0.54): 10 × 0.04 − 4 × 0.02 = $0.32.
    expect(Math.round(p.adverseEndE6)).toBe(320_000);
    // Mark-outs at 1 s, 10 s, 60 s: $0.00, $0.20, $0.12.
    expect(p.adverseE6.map(Math.round)).toEqual([0, 200_000, 120_000]);
    // Resolution (YES pays $1): 10 × 0.46 − 4 × 0.46 = $2.76.
    expect(Math.round(p.resolutionE6)).toBe(2_760_000);
    expect(p.feesE6).toBe(50_000);
    expect(p.rebatesE6).toBe(10_000);
    // Total = cash (−4.90 + 2.12 − 0.05 + 0.01) + 6 YES × $1 = $3.18.
    expect(Math.round(p.totalE6)).toBe(3_180_000);
  });

  test("mark-out curve, drawdown, inventory, time quoting, fill rate", () => {
    if (!m) throw new Error("no market");
    // At 10 s: (10 × (0.52 − 0.49) − 4 × (0.52 − 0.53)) / 14 shares = 2.43 ¢/share.
    expect((m.markoutCurveE4[4] as number) / 100).toBeCloseTo(2.4286, 3);
    // Equity 0 → 0.11 → 0.31 → 0.30 → 0.42 → 3.18: the largest fall is $0.01.
    expect(Math.round(m.maxDrawdownE6)).toBe(10_000);
    expect(m.maxAbsInventoryE6).toBe(10 * SH);
    expect(m.quotingTwoSided).toBeCloseTo(0.5, 10);
    expect(m.quotingAny).toBeCloseTo(0.8, 10);
    expect(m.fillRate).toBeCloseTo(14 / 30, 10);
    expect(m.outcome).toBe("YES");
    expect(r.total.pnl.totalE6).toBeCloseTo(m.pnl.totalE6, 6);
    expect(r.total.maxDrawdownE6).toBeCloseTo(m.maxDrawdownE6, 6);
  });

  test("drawdown counts the last value of each instant only", () => {
    expect(maxDrawdown([0, 1, 1, 2], [0, 5, 1, 6])).toBe(0);
    expect(maxDrawdown([0, 1, 2], [0, 5, 1])).toBe(4);
  });

  test("the terminal table and the chart specs are stable", () => {
    const a = formatSummary([r, buildReport({ ...run(), label: "naive" })], "t");
    expect(a).toBe(formatSummary([buildReport(run()), buildReport({ ...run(), label: "naive" })], "t"));
    expect(a).toContain("btc-updown-test");
    expect(a).toContain("3.18");
    const specs = chartSpecs({ title: "t", dataLabel: "d", reports: [r] });
    expect(specs.map((s) => s.id)).toEqual(["pnl-total", "pnl-components", "markout", "latency", "price-0-0", "inventory-0", "pnl-0"]);
    const price = specs.find((s) => s.id === "price-0-0");
    expect(price?.series.map((s) => s.label)).toEqual([
      "book bid",
      "book ask",
      "mid",
      "our bid",
      "our ask",
      "fill: bought YES",
      "fill: sold YES",
    ]);
    // Fills are points at their prices in cents.
    expect(price?.series[5]?.values.filter((v) => v !== null)).toEqual([49]);
    expect(price?.series[6]?.values.filter((v) => v !== null)).toEqual([53]);
  });
});
