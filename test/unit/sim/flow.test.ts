import { describe, expect, test } from "bun:test";
import { SimExchange } from "../../../src/sim/exchange.ts";
import { fairUp, normCdf, sigmaOf } from "../../../src/sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.ts";

describe("fair value maths", () => {
  test("normCdf matches known values", () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 7);
    expect(normCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normCdf(-1)).toBeCloseTo(0.158655, 6);
  });
  test("fairUp: at the strike 0.5, moves with spot, sharpens as time runs out", () => {
    const s = sigmaOf("btc/usd");
    expect(fairUp(100, 100, s, 300, false)).toBeCloseTo(0.5, 6);
    expect(fairUp(100.05, 100, s, 300, false)).toBeGreaterThan(0.6);
    expect(fairUp(100.05, 100, s, 10, false)).toBeGreaterThan(fairUp(100.05, 100, s, 300, false));
    expect(fairUp(99, 100, s, 0, true)).toBe(0);
    expect(sigmaOf("eth/usd")).toBeCloseTo(1.7 * sigmaOf("btc/usd"), 12);
  });
});

describe("synthetic participants", () => {
  const START = 1_780_876_800_000 + 43_200_000; // 12:00 UTC, a busy hour
  function session(seed: number): { careless: number; sharp: number; carelessTrades: number; spreads: number[] } {
    const ex = new SimExchange({ seed, startMs: START, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300], leadWindows: 1 } });
    ex.openAccount("careless", "0xc");
    ex.openAccount("sharp", "0xs");
    const c0 = ex.collateral("careless");
    const s0 = ex.collateral("sharp");
    let n = 0;
    const spreads: number[] = [];
    const place = (owner: string, tokenId: string, priceE4: number) =>
      ex.place({ orderId: `0x${(++n).toString(16)}`, owner, makerAddress: "0x", tokenId, side: "BUY", priceE4, sizeE6: 50_000_000, budgetE6: 0, orderType: "GTC", postOnly: true, expirationSec: 0 });
    for (let t = 0; t < 600; t++) {
      ex.advanceTo(START + t * 1000);
      const m = ex.allMarkets().find((x) => x.state === "open" && x.strike !== undefined);
      if (!m || m.strike === undefined) continue;
      const i = m.sched.info;
      if (t % 10 === 0) spreads.push(m.book.bestAsk - m.book.bestBid);
      // careless: a bid at 0.48 on Up and on Down, put back whenever it is gone
      const mine = ex.openOrders("careless", { market: i.conditionId });
      if (!mine.some((o) => o.outcome === 0)) place("careless", i.yesTokenId, 4800);
      if (!mine.some((o) => o.outcome === 1)) place("careless", i.noTokenId, 4800);
      // sharp: requotes every second ±3 ticks around fair value from the live underlying
      const left = m.sched.endSec - ex.nowMs / 1000;
      const fair = fairUp(ex.walk.price("btc/usd"), m.strike, sigmaOf("btc/usd"), left, true);
      ex.cancelAll("sharp");
      const bid = Math.floor(fair * 100) * 100 - 300;
      const ask = Math.ceil(fair * 100) * 100 + 300;
      if (left > 20 && bid >= 100) place("sharp", i.yesTokenId, bid);
      if (left > 20 && ask <= 9900) place("sharp", i.noTokenId, 10_000 - ask);
    }
    ex.advanceTo(START + 900_000 + 120_000);
    const a = ex.accounts.audit();
    expect(a.collateralE6 + a.feesKeptE6 + a.pairsE6).toBe(a.depositedE6);
    return { careless: ex.collateral("careless") - c0, sharp: ex.collateral("sharp") - s0, carelessTrades: ex.tradesOf("careless").length, spreads };
  }

  test("a maker that never requotes is picked off; one that follows the underlying is not", () => {
    for (const seed of [2, 3]) {
      const r = session(seed);
      expect(r.carelessTrades).toBeGreaterThan(10);
      expect(r.careless).toBeLessThan(-50_000_000); // lost more than $50 in two windows
      expect(r.sharp).toBeGreaterThan(r.careless + 40_000_000);
      // the flow's own makers keep a tight book: median spread 1–2 ticks
      const sorted = [...r.spreads].sort((x, y) => x - y);
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(300);
    }
  });
});
