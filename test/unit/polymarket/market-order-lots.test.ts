/**
 * FOK/FAK as market orders inside the engine: clean market-order lots (`marketLotE6`,
 * `cleanMarketSizeE6`, `limitMatchesMarket`) against naive references, the pre-signed pool
 * serving a market take only when its limit-signed bytes are the market order, the live
 * order source signing market amounts, and leg repairs sized in clean lots.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type RepairInput, decideRepair } from "../../../src/bots/leg-repair.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import type { OrderIntent } from "../../../src/core/ports.ts";
import { Secret } from "../../../src/core/secret.ts";
import { TICK_E4, TICK_SIZES } from "../../../src/core/units.ts";
import { cleanMarketSizeE6, limitMatchesMarket, marketAmountE6, marketLotE6, orderAmounts } from "../../../src/polymarket/amounts.ts";
import { SignerOrderSource } from "../../../src/polymarket/exchange-client.ts";
import { PreSignPool } from "../../../src/polymarket/presign-pool.ts";
import { OrderSigner } from "../../../src/polymarket/signing.ts";
import { termsOf } from "../../../src/sim/order-intake.ts";
import { FakeBook } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const signer = new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: 137 });
const TOKEN = "123456789";

/** Naive: the amounts are exact when shares·price (in base units) sits on the quantum. */
const naiveClean = (side: "BUY" | "SELL", p: number, s: number): boolean => ((s / 10_000) * p) % (side === "BUY" ? 10_000 : 100) === 0;

describe("clean market-order lots", () => {
  test("by hand", () => {
    expect(marketLotE6("BUY", 5300)).toBe(1 * M); // 0.53: whole shares
    expect(marketLotE6("BUY", 5000)).toBe(20_000); // 0.50: 0.02 share = 1 cent
    expect(marketLotE6("BUY", 5350)).toBe(2 * M); // 0.535 (tick 0.005): 2 shares
    expect(marketLotE6("BUY", 1)).toBe(100 * M); // 0.0001: 100 shares = 1 cent
    expect(marketLotE6("SELL", 5300)).toBe(10_000); // tick 0.01 sells are always clean
    expect(marketLotE6("SELL", 5355)).toBe(200_000); // 0.5355: 0.2 share → 0.1071 pUSD
    expect(cleanMarketSizeE6("BUY", 5300, 13_090_000)).toBe(13 * M);
    expect(cleanMarketSizeE6("BUY", 5300, 990_000)).toBe(0);
    // 10.01 @ 0.53 = 5.3053 → a market BUY of $5.30 → exactly 10 shares
    expect(marketAmountE6("BUY", 5300, 10_010_000)).toBe(5_300_000);
    expect(marketAmountE6("SELL", 5300, 10_015_000)).toBe(10_010_000);
  });

  test("property: the clean size is the largest clean multiple of 0.01 share ≤ size, and its market amounts are exact", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TICK_SIZES),
        fc.integer({ min: 1, max: 9_999 }),
        fc.integer({ min: 1, max: 2_000_000_000 }),
        fc.boolean(),
        (tick, k, size, buy) => {
          const t = TICK_E4[tick];
          const p = Math.min(10_000 - t, Math.max(t, Math.floor(k / t) * t));
          const side = buy ? "BUY" : "SELL";
          const c = cleanMarketSizeE6(side, p, size);
          expect(c).toBeLessThanOrEqual(size);
          expect(c % 10_000).toBe(0);
          if (c > 0) expect(naiveClean(side, p, c)).toBe(true);
          // nothing clean between c and size (naive scan over the 0.01 grid, bounded)
          const lot = marketLotE6(side, p);
          expect(size - c).toBeLessThan(lot);
          for (let s = c + 10_000; s <= Math.min(size, c + lot); s += 10_000) expect(naiveClean(side, p, s)).toBe(false);
          if (c > 0) {
            // limit amounts = market amounts, and a market BUY buys exactly c shares
            expect(limitMatchesMarket(side, p, c, t)).toBe(true);
            const m = orderAmounts(side, p, marketAmountE6(side, p, c), t, "market");
            if (typeof m === "string") throw new Error(m);
            expect(side === "BUY" ? m.takerAmount : m.makerAmount).toBe(c);
            // the taker has at most 4 decimals: the server's stated rule holds whatever the tick
            expect(m.takerAmount % 100).toBe(0);
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });

  test("a BUY that is not a clean lot does not match its limit order", () => {
    expect(limitMatchesMarket("BUY", 5300, 10_010_000, 100)).toBe(false);
    expect(limitMatchesMarket("BUY", 5300, 10_000_000, 100)).toBe(true);
    expect(limitMatchesMarket("SELL", 5300, 10_010_000, 100)).toBe(true);
  });
});

describe("pre-signed pool and the live order source", () => {
  function setup() {
    const clock = new ManualClock();
    let salt = 0;
    const pool = new PreSignPool(signer, { size: 4, clock, nextSalt: () => ++salt });
    const src = new SignerOrderSource({
      signer,
      owner: "owner-key",
      clock,
      marketOf: () => ({ tickE4: 100, negRisk: false, exchangeVersion: 2 }),
      nextSalt: () => ++salt,
      pool,
    });
    return { pool, src };
  }
  const intent = (side: "BUY" | "SELL", priceE4: number, sizeE6: number, orderType: OrderIntent["orderType"]): OrderIntent => ({
    clientId: "c1",
    conditionId: "0xc",
    tokenId: TOKEN,
    side,
    priceE4,
    sizeE6,
    orderType,
    postOnly: false,
    expirationSec: 0,
  });
  const amounts = (body: string): [string, string] => {
    const o = (JSON.parse(body) as { order: { makerAmount: string; takerAmount: string } }).order;
    return [o.makerAmount, o.takerAmount];
  };

  test("a clean-lot FOK leg comes from the pool (the arbitrage fast path), bytes = the market order's", () => {
    const { pool, src } = setup();
    pool.plan(TOKEN, { bidE4: 5300, askE4: 5400, sizeE6: 10 * M, tickE4: 100, negRisk: false, exchangeVersion: 2 });
    pool.refill();
    const s = src.signed(intent("BUY", 5300, 10 * M, "FOK"));
    expect(s.ok && s.order.pooled).toBe(true);
    if (s.ok) expect(amounts(s.order.body)).toEqual(["5300000", "10000000"]);
    const t = src.signed(intent("SELL", 5400, 10 * M, "FAK"));
    expect(t.ok && t.order.pooled).toBe(true);
    expect(pool.stats().marketMisses).toBe(0);
  });

  test("a FOK BUY whose limit amounts are not the market order's is signed fresh in market mode; the pooled order stays", () => {
    const { pool, src } = setup();
    const q = { bidE4: 5300, askE4: 5400, sizeE6: 10_010_000, tickE4: 100, negRisk: false, exchangeVersion: 2 as const };
    pool.plan(TOKEN, q);
    pool.refill();
    const before = pool.pooledFor(TOKEN);
    const s = src.signed(intent("BUY", 5300, 10_010_000, "FOK"));
    expect(s.ok && !s.order.pooled).toBe(true);
    // $5.3053 → a market BUY of $5.30 → 10 shares at the limit (fewer than the intent's 10.01)
    if (s.ok) expect(amounts(s.order.body)).toEqual(["5300000", "10000000"]);
    expect(pool.stats().marketMisses).toBe(1);
    expect(pool.pooledFor(TOKEN)).toBe(before);
    // the same order as GTC is a plain limit order and is served from the pool
    const g = src.signed(intent("BUY", 5300, 10_010_000, "GTC"));
    expect(g.ok && g.order.pooled).toBe(true);
    if (g.ok) expect(amounts(g.order.body)).toEqual(["5305300", "10010000"]);
    // the simulator takes the market order and would refuse the limit bytes as FOK
    if (s.ok) expect(typeof termsOf("0x1", "BUY", ...amounts(s.order.body), "FOK", 100)).toBe("object");
    if (g.ok) expect(typeof termsOf("0x1", "BUY", ...amounts(g.order.body), "FOK", 100)).toBe("string");
  });

  test("a market BUY under a cent is an INVALID_ORDER reject, not a throw", () => {
    const { src } = setup();
    const s = src.signed(intent("BUY", 100, 10_000, "FAK")); // 0.01 share × 0.01 = $0.0001
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.code).toBe("INVALID_ORDER");
  });
});

describe("leg repairs are clean lots", () => {
  const input = (over: Partial<RepairInput>): RepairInput => ({
    kind: "buy_pair",
    rule: "unwind",
    longTokenId: "Y",
    shortTokenId: "N",
    excessE6: 13_090_000,
    excessCashE6: 5_760_000, // 13.09 YES at 0.44
    lossSoFarE6: 0,
    maxLossE6: 2 * M,
    longBook: new FakeBook("Y", [], []),
    shortBook: new FakeBook("N", [], [[5300, 50 * M]]),
    minSizeE6: 5 * M,
    tickE4: 100,
    feeRate: 0,
    feeExponent: 1,
    mayWait: true,
    ...over,
  });

  test("a retry BUY of 13.09 at 0.53 is cut to 13 shares ($6.89 exactly)", () => {
    // paid 0.47 a share: the no-loss retry limit is 0.53 (no fee here)
    const a = decideRepair(input({ rule: "retry", excessCashE6: 6_152_300 }));
    expect(a.kind).toBe("order");
    if (a.kind === "order") {
      expect(a.side).toBe("BUY");
      expect(a.limitPriceE4).toBe(5300);
      expect(a.sizeE6).toBe(13 * M);
      expect(limitMatchesMarket("BUY", a.limitPriceE4, a.sizeE6, 100)).toBe(true);
    }
  });

  test("property: every repair order is a clean market-order lot, at least the minimum size", () => {
    let orders = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4_000 }),
        fc.integer({ min: 20, max: 80 }),
        fc.integer({ min: 20, max: 80 }),
        fc.constantFrom<"retry" | "unwind">("retry", "unwind"),
        fc.constantFrom(100, 50, 10),
        (centi, ask, bid, rule, tick) => {
          const excessE6 = centi * 10_000;
          const a = decideRepair(
            input({
              rule,
              tickE4: tick,
              excessE6,
              excessCashE6: Math.round((excessE6 * 4_400) / 10_000),
              longBook: new FakeBook("Y", [[Math.floor((bid * 100) / tick) * tick, 100 * M]], []),
              shortBook: new FakeBook("N", [], [[Math.floor((ask * 100) / tick) * tick, 100 * M]]),
              mayWait: false,
            }),
          );
          if (a.kind !== "order") return;
          orders++;
          expect(a.sizeE6).toBeGreaterThanOrEqual(5 * M);
          expect(a.sizeE6).toBeLessThanOrEqual(excessE6);
          expect(naiveClean(a.side, a.limitPriceE4, a.sizeE6)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
    expect(orders).toBeGreaterThan(50);
  });

  test("when the clean lot falls below the minimum, nothing is sent and the reason says so", () => {
    // 5.5 shares paid 0.465 each: retry limit 0.535 (tick 0.005), where a BUY's clean lot is 2 shares → 4 < 5
    const a = decideRepair(
      input({
        rule: "retry",
        tickE4: 50,
        excessE6: 5_500_000,
        excessCashE6: 2_557_500,
        shortBook: new FakeBook("N", [], [[5350, 50 * M]]),
        mayWait: false,
      }),
    );
    expect(a.kind).toBe("hold");
    if (a.kind === "hold") expect(a.reason).toContain("below the minimum order size");
  });
});
