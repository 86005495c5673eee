import { describe, expect, test } from "bun:test";
import { type MarketExposure, type PortfolioView, type RiskLimits, checkOrder } from "../../../src/risk/gate.ts";

const M = 1_000_000;
const limits: RiskLimits = {
  maxPositionUsdE6: 50 * M,
  maxTotalExposureUsdE6: 120 * M,
  maxCorrelatedExposureUsdE6: 80 * M,
  dailyLossLimitUsdE6: 20 * M,
};

function mkt(id: string, over: Partial<MarketExposure> = {}): MarketExposure {
  return {
    conditionId: id,
    yesTokenId: `${id}Y`,
    noTokenId: `${id}N`,
    endMs: 900_000,
    yesE6: 0,
    noE6: 0,
    openBuyYesE6: 0,
    openBuyNoE6: 0,
    openSellYesE6: 0,
    openSellNoE6: 0,
    markYesE4: 5000,
    ...over,
  };
}
function pf(ms: MarketExposure[], dailyPnlE6 = 0): PortfolioView {
  return { markets: new Map(ms.map((m) => [m.conditionId, m])), dailyPnlE6 };
}
const buy = (id: string, tok: "Y" | "N", shares: number, priceE4 = 5000) => ({
  conditionId: id,
  tokenId: `${id}${tok}`,
  side: "BUY" as const,
  priceE4,
  sizeE6: shares * M,
});
const sell = (id: string, tok: "Y" | "N", shares: number, priceE4 = 5000) => ({ ...buy(id, tok, shares, priceE4), side: "SELL" as const });

describe("checkOrder", () => {
  test("per side per market: $50 at a 0.50 mark is 100 shares", () => {
    expect(checkOrder(buy("a", "Y", 100), pf([mkt("a")]), limits)).toEqual({ ok: true });
    const d = checkOrder(buy("a", "Y", 101), pf([mkt("a")]), limits);
    expect(d.ok === false && d.code).toBe("MAX_POSITION");
    // Resting buys count as filled.
    const resting = checkOrder(buy("a", "Y", 10), pf([mkt("a", { openBuyYesE6: 95 * M })]), limits);
    expect(resting.ok === false && resting.code).toBe("MAX_POSITION");
    // Held NO offsets YES: pairs are riskless.
    expect(checkOrder(buy("a", "Y", 140), pf([mkt("a", { noE6: 40 * M })]), limits)).toEqual({ ok: true });
  });

  test("orders that reduce exposure pass even beyond every limit", () => {
    const over = pf([mkt("a", { yesE6: 300 * M })], -50 * M);
    expect(checkOrder(sell("a", "Y", 100), over, limits)).toEqual({ ok: true });
    expect(checkOrder(buy("a", "N", 100), over, limits)).toEqual({ ok: true });
  });

  test("oversell: only shares held and not already offered", () => {
    const p = pf([mkt("a", { yesE6: 10 * M, openSellYesE6: 6 * M })]);
    expect(checkOrder(sell("a", "Y", 4), p, limits)).toEqual({ ok: true });
    const d = checkOrder(sell("a", "Y", 5), p, limits);
    expect(d.ok === false && d.code).toBe("OVERSELL");
  });

  test("total exposure across markets", () => {
    const p = pf([mkt("a", { yesE6: 100 * M }), mkt("b", { noE6: 100 * M, endMs: 1 })]); // $50 + $50
    expect(checkOrder(buy("c", "Y", 40), { ...p, markets: new Map([...p.markets, ["c", mkt("c", { endMs: 2 })]]) }, limits)).toEqual({
      ok: true,
    });
    const d = checkOrder(buy("c", "Y", 41), { ...p, markets: new Map([...p.markets, ["c", mkt("c", { endMs: 2 })]]) }, limits);
    expect(d.ok === false && d.code).toBe("MAX_TOTAL");
  });

  test("correlated: Up bets on windows ending together add up, opposite bets do not", () => {
    const ms = [mkt("btc", { yesE6: 100 * M }), mkt("eth", { yesE6: 40 * M }), mkt("sol")]; // $50 + $20 Up
    const d = checkOrder(buy("sol", "Y", 21), pf(ms), limits);
    expect(d.ok === false && d.code).toBe("MAX_CORRELATED");
    expect(checkOrder(buy("sol", "Y", 20), pf(ms), limits)).toEqual({ ok: true });
    expect(checkOrder(buy("sol", "N", 60), pf(ms), limits)).toEqual({ ok: true }); // Down side: $30
    const later = [ms[0] as MarketExposure, ms[1] as MarketExposure, mkt("sol", { endMs: 1_800_000 })];
    expect(checkOrder(buy("sol", "Y", 30), pf(later), limits)).toEqual({ ok: true });
  });

  test("daily loss: reduce-only", () => {
    const p = pf([mkt("a", { yesE6: 10 * M })], -20 * M);
    const d = checkOrder(buy("a", "Y", 1), p, limits);
    expect(d.ok === false && d.code).toBe("DAILY_LOSS");
    expect(checkOrder(sell("a", "Y", 10), p, limits)).toEqual({ ok: true });
    expect(checkOrder(buy("a", "Y", 1), pf([mkt("a")], -19_999_999), limits)).toEqual({ ok: true });
  });

  test("bad orders", () => {
    expect(checkOrder(buy("zz", "Y", 1), pf([mkt("a")]), limits)).toMatchObject({ ok: false, code: "UNKNOWN_MARKET" });
    expect(checkOrder({ ...buy("a", "Y", 1), tokenId: "bY" }, pf([mkt("a")]), limits)).toMatchObject({ ok: false, code: "BAD_ORDER" });
    expect(checkOrder(buy("a", "Y", 1, 10_000), pf([mkt("a")]), limits)).toMatchObject({ ok: false, code: "BAD_ORDER" });
    expect(checkOrder(buy("a", "Y", 0), pf([mkt("a")]), limits)).toMatchObject({ ok: false, code: "BAD_ORDER" });
  });
});
