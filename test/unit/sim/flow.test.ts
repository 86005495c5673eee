import { describe, expect, test } from "bun:test";
import { SimExchange } from "../../../src/sim/exchange.ts";
import { FLOW_OWNERS, fairUp, normCdf, sigmaOf } from "../../../src/sim/flow.ts";
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
  interface Markout {
    n: number;
    /** Sum over fills of (value of the bought outcome 5 s later − price paid), in $ per share. */
    sum: number;
    /** Fills whose taker was the informed participant. */
    informed: number;
  }
  interface Fill {
    owner: "careless" | "sharp";
    atMs: number;
    outcome: 0 | 1;
    price: number;
    strike: number;
    endSec: number;
    taker: string;
  }

  /** Two makers on BTC 5m for 10 minutes: one never moves its quotes, one follows the underlying. */
  function session(seed: number): { careless: Markout; sharp: Markout; spreads: number[] } {
    const ex = new SimExchange({
      seed,
      startMs: START,
      schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300], leadWindows: 1 },
    });
    ex.openAccount("careless", "0xc");
    ex.openAccount("sharp", "0xs");
    let pending: Fill[] = [];
    ex.onUser((owner, ev) => {
      if ((owner !== "careless" && owner !== "sharp") || ev.event_type !== "trade" || ev.status !== "MATCHED") return;
      const mine = ev.maker_orders.find((mo) => mo.owner === owner);
      const m = ex.market(ev.market);
      if (!mine || !m || m.strike === undefined) return;
      const outcome = mine.asset_id === m.sched.info.yesTokenId ? 0 : 1;
      pending.push({
        owner,
        atMs: ex.nowMs,
        outcome,
        price: Number(mine.price),
        strike: m.strike,
        endSec: m.sched.endSec,
        taker: ex.trade(ev.id)?.fill.takerOwner ?? "",
      });
    });
    const out = { careless: { n: 0, sum: 0, informed: 0 }, sharp: { n: 0, sum: 0, informed: 0 } };
    const spreads: number[] = [];
    let n = 0;
    const place = (owner: string, tokenId: string, priceE4: number) =>
      ex.place({
        orderId: `0x${(++n).toString(16)}`,
        owner,
        makerAddress: "0x",
        tokenId,
        side: "BUY",
        priceE4,
        sizeE6: 50_000_000,
        budgetE6: 0,
        orderType: "GTC",
        postOnly: true,
        expirationSec: 0,
      });
    for (let t = 0; t < 600; t++) {
      ex.advanceTo(START + t * 1000);
      const spot = ex.walk.price("btc/usd");
      pending = pending.filter((f) => {
        if (f.atMs + 5000 > ex.nowMs) return true;
        const up = fairUp(spot, f.strike, sigmaOf("btc/usd"), f.endSec - ex.nowMs / 1000, true);
        const o = out[f.owner];
        o.n++;
        o.sum += (f.outcome === 0 ? up : 1 - up) - f.price;
        if (f.taker === FLOW_OWNERS.informed) o.informed++;
        return false;
      });
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
      const fair = fairUp(spot, m.strike, sigmaOf("btc/usd"), left, true);
      ex.cancelAll("sharp");
      const bid = Math.floor(fair * 100) * 100 - 300;
      const ask = Math.ceil(fair * 100) * 100 + 300;
      if (left > 20 && bid >= 100) place("sharp", i.yesTokenId, bid);
      if (left > 20 && ask <= 9900) place("sharp", i.noTokenId, 10_000 - ask);
    }
    const a = ex.accounts.audit();
    expect(a.collateralE6 + a.feesKeptE6 + a.pairsE6).toBe(a.depositedE6);
    return { ...out, spreads };
  }

  test("a maker that never requotes is picked off by informed takers; one that follows the underlying is not", () => {
    for (const seed of [2, 3, 4]) {
      const r = session(seed);
      expect(r.careless.n).toBeGreaterThan(5);
      // adverse selection: what the careless maker bought is worth 5 s later well under what it paid
      expect(r.careless.sum / r.careless.n).toBeLessThan(-0.02);
      expect(r.careless.informed).toBeGreaterThan(r.careless.n / 4);
      if (r.sharp.n > 0) expect(r.sharp.sum / r.sharp.n).toBeGreaterThan(r.careless.sum / r.careless.n);
      // the flow's own makers keep a tight book: median spread 1–2 ticks
      const sorted = [...r.spreads].sort((x, y) => x - y);
      expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(200);
    }
  });
});
