/** The simulator's arbitrage-gap knob: shapes of the gaps, seeded, off by default, and what the shared book then shows. */
import { describe, expect, test } from "bun:test";
import { DEFAULT_DISLOCATION, Dislocations } from "../../../src/sim/dislocation.ts";
import { DEFAULT_SIM, SimExchange } from "../../../src/sim/exchange.ts";
import { MarketBook } from "../../../src/sim/matching.ts";

function book(bid: number, ask: number): MarketBook {
  const b = new MarketBook("m", 100, 5_000_000);
  b.bestBid = bid;
  b.bestAsk = ask;
  return b;
}
const view = (b: MarketBook, started = true) => ({ marketId: "m", book: b, started, endMs: 10_000_000, minSizeE6: 5_000_000 });

describe("Dislocations (pure)", () => {
  test("each gap opens YES ask + NO ask = $1 − gap at the touch, gap on the tick grid within the range", () => {
    const d = new Dislocations(5, { ...DEFAULT_DISLOCATION, ratePerMin: 600 });
    const b = book(4800, 5000);
    let seen = 0;
    for (let t = 0; t <= 60_000; t += 200) {
      for (const o of d.step(t, [view(b)])) {
        seen++;
        expect(o.gapE4 % 100).toBe(0);
        expect(o.gapE4).toBeGreaterThanOrEqual(DEFAULT_DISLOCATION.minGapE4);
        expect(o.gapE4).toBeLessThanOrEqual(DEFAULT_DISLOCATION.maxGapE4);
        expect(o.sizeE6 % 10_000).toBe(0);
        expect(o.sizeE6).toBeGreaterThanOrEqual(5_000_000);
        if (o.outcome === 1) {
          // BUY NO at q rests as a YES-terms ask at 1 − q: YES ask (1 − q) + NO ask (1 − bid)
          expect(10_000 - o.priceE4 + (10_000 - b.bestBid)).toBe(10_000 - o.gapE4);
        } else {
          // BUY YES at p rests as a YES-terms bid: NO ask (1 − p) + YES ask
          expect(10_000 - o.priceE4 + b.bestAsk).toBe(10_000 - o.gapE4);
        }
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  test("seeded; nothing before the window starts, near its end, or on a one-sided book", () => {
    const run = (seed: number) => {
      const d = new Dislocations(seed, { ...DEFAULT_DISLOCATION, ratePerMin: 120 });
      const out = [];
      for (let t = 0; t <= 30_000; t += 200) out.push(...d.step(t, [view(book(4800, 5000))]));
      return out;
    };
    expect(run(9)).toEqual(run(9));
    const d = new Dislocations(1, { ...DEFAULT_DISLOCATION, ratePerMin: 6000 });
    for (let t = 0; t <= 5_000; t += 200) {
      expect(d.step(t, [view(book(4800, 5000), false)])).toEqual([]);
      expect(d.step(t, [{ ...view(book(4800, 5000)), endMs: t + 10_000 }])).toEqual([]);
      expect(d.step(t, [view(book(0, 5000))])).toEqual([]);
    }
    expect(() => new Dislocations(1, { ...DEFAULT_DISLOCATION, maxGapE4: 50 })).toThrow(RangeError);
  });
});

describe("in the exchange", () => {
  test("off by default: Polymarket's shared book", () => {
    expect(DEFAULT_SIM.dislocation ?? null).toBeNull();
  });

  test("placeUnmatched rests a crossing order; the next taker trades with it", () => {
    const sim = new SimExchange({ seed: 2, flow: null });
    const m = sim.allMarkets().find((x) => x.state === "open");
    if (!m) throw new Error("no market");
    const info = m.sched.info;
    expect(sim.placeBook(info.yesTokenId, [], [["0.44", "20"]]).ok).toBe(true);
    sim.openAccount("k", "0x00000000000000000000000000000000000000aa");
    sim.fund("k", 1_000_000_000);
    const base = {
      owner: "k",
      makerAddress: "0x00000000000000000000000000000000000000aa",
      budgetE6: 0,
      postOnly: false,
      expirationSec: 0,
    } as const;
    const r = sim.placeUnmatched({
      ...base,
      orderId: "0x01",
      tokenId: info.yesTokenId,
      side: "BUY",
      priceE4: 5000,
      sizeE6: 20_000_000,
      orderType: "GTC",
    });
    expect(r.success).toBe(true);
    expect(r.tradeIDs).toEqual([]);
    expect(m.book.bestBid).toBe(5000);
    expect(m.book.bestAsk).toBe(4400); // crossed: YES 0.44 + NO 0.50 = 0.94
    expect(
      sim.placeUnmatched({
        ...base,
        orderId: "0x02",
        tokenId: info.yesTokenId,
        side: "BUY",
        priceE4: 5000,
        sizeE6: 20_000_000,
        orderType: "FOK",
      }).success,
    ).toBe(false);
    // a NO buyer at 0.50 takes the crossing YES bid (a mint)
    const taker = sim.place({
      ...base,
      orderId: "0x03",
      tokenId: info.noTokenId,
      side: "BUY",
      priceE4: 5000,
      sizeE6: 20_000_000,
      orderType: "FOK",
    });
    expect(taker.success).toBe(true);
    expect(taker.status).toBe("matched");
  });
});
