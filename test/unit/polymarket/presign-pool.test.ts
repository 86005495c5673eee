import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Clock, ManualClock } from "../../../src/core/clock.ts";
import { Secret } from "../../../src/core/secret.ts";
import { orderAmounts } from "../../../src/polymarket/amounts.ts";
import { ALL_TOKENS, type PoolQuotes, PreSignPool, ladder } from "../../../src/polymarket/presign-pool.ts";
import { OrderSigner, type SignedOrder, computeOrderId, recoverOrderSigner } from "../../../src/polymarket/signing.ts";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const signer = new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: 137 });
const TOKEN_A = "1111";
const TOKEN_B = "2222";
const Q: PoolQuotes = { bidE4: 4_500, askE4: 4_700, sizeE6: 10_000_000, tickE4: 100, negRisk: false, exchangeVersion: 2 };

function saltCounter(): () => number {
  let s = 1_000;
  return () => ++s;
}

function pool(size = 6, clock: Clock = new ManualClock(), maxAgeMs = 60_000) {
  return new PreSignPool(signer, { size, clock, nextSalt: saltCounter(), maxAgeMs });
}

const levels = (keys: number[]) => keys.map((k) => (k >= 16_384 ? `S${k - 16_384}` : `B${k}`));

/** Checks an order handed out by the pool is what was asked for, validly signed. */
function expectOrder(o: SignedOrder | undefined, token: string, side: "BUY" | "SELL", priceE4: number, q: PoolQuotes): void {
  expect(o).toBeDefined();
  const a = orderAmounts(side, priceE4, q.sizeE6, q.tickE4);
  if (typeof a === "string" || o === undefined) throw new Error("unreachable");
  expect([o.tokenId, o.side, o.makerAmount, o.takerAmount, o.expiration]).toEqual([
    token,
    side,
    String(a.makerAmount),
    String(a.takerAmount),
    "0",
  ]);
  expect(computeOrderId(o, q.negRisk, q.exchangeVersion, 137)).toBe(o.orderId);
  expect(recoverOrderSigner(o, q.negRisk, q.exchangeVersion, 137)).toBe(signer.address);
}

describe("ladder", () => {
  test("quote first, then one tick away and toward on each side, interleaved", () => {
    expect(levels(ladder(Q, 6))).toEqual(["B4500", "S4700", "B4400", "S4800", "B4600", "S4600"]);
  });
  test("one side unquoted → every slot on the other side; clipped at the edges", () => {
    expect(levels(ladder({ ...Q, bidE4: 0 }, 3))).toEqual(["S4700", "S4800", "S4600"]);
    expect(levels(ladder({ ...Q, askE4: 10_000, bidE4: 100 }, 4))).toEqual(["B100", "B200", "B300", "B400"]);
    expect(levels(ladder({ ...Q, bidE4: 0, askE4: 10_000 }, 4))).toEqual([]);
    expect(levels(ladder({ ...Q, askE4: 9_900, bidE4: 9_800 }, 6))).toEqual(["B9800", "S9900", "B9700", "B9900", "S9800", "B9600"]);
    expect(ladder(Q, 0)).toEqual([]);
  });
});

describe("PreSignPool", () => {
  test("plan + refill fills the ladder; take is exact, once, and counted", () => {
    const p = pool();
    p.plan(TOKEN_A, Q);
    expect(p.refill()).toBe(6);
    expect(p.stats().pooled).toBe(6);
    expectOrder(p.take(TOKEN_A, "BUY", 4_500, 10_000_000), TOKEN_A, "BUY", 4_500, Q);
    expectOrder(p.take(TOKEN_A, "SELL", 4_600, 10_000_000), TOKEN_A, "SELL", 4_600, Q);
    expect(p.take(TOKEN_A, "BUY", 4_500, 10_000_000)).toBeUndefined(); // used once
    expect(p.take(TOKEN_A, "BUY", 4_400, 20_000_000)).toBeUndefined(); // other size
    expect(p.take(TOKEN_A, "BUY", 4_300, 10_000_000)).toBeUndefined(); // not planned
    expect(p.take(TOKEN_B, "BUY", 4_500, 10_000_000)).toBeUndefined(); // unknown token
    const s = p.stats();
    expect([s.hits, s.misses, s.refills, s.pooled]).toEqual([2, 4, 6, 4]);
    expect(p.refill()).toBe(2); // only the two taken levels
    expect(p.pooledFor(TOKEN_A)).toBe(6);
  });

  test("salts are unique and timestamps come from the clock", () => {
    const clock = new ManualClock(1_790_000_000_000);
    const p = pool(6, clock);
    p.plan(TOKEN_A, Q);
    p.refill();
    const salts = new Set<number>();
    for (const k of ladder(Q, 6)) {
      const side = k >= 16_384 ? "SELL" : "BUY";
      const o = p.take(TOKEN_A, side, k % 16_384, Q.sizeE6);
      expect(o?.timestamp).toBe("1790000000000");
      salts.add(o?.salt ?? -1);
    }
    expect(salts.size).toBe(6);
  });

  test("tick, size and market changes empty the token (counted by reason)", () => {
    const p = pool();
    p.plan(TOKEN_A, Q);
    p.refill();
    p.plan(TOKEN_A, { ...Q, tickE4: 10 });
    expect(p.pooledFor(TOKEN_A)).toBe(0);
    p.refill();
    expectOrder(p.take(TOKEN_A, "BUY", 4_490, Q.sizeE6), TOKEN_A, "BUY", 4_490, { ...Q, tickE4: 10 }); // one 0.001 tick below
    p.plan(TOKEN_A, { ...Q, tickE4: 10, sizeE6: 5_000_000 });
    p.plan(TOKEN_A, { ...Q, tickE4: 10, sizeE6: 5_000_000, negRisk: true });
    p.plan(TOKEN_A, { ...Q, tickE4: 10, sizeE6: 5_000_000, negRisk: true, exchangeVersion: 3 });
    const s = p.stats();
    expect(s.invalidations).toBe(4);
    expect(s.invalidationsByReason).toEqual({ tick_size_change: 1, size_change: 1, market_change: 2, market_roll: 0, manual: 0 });
    p.refill();
    const q3 = { ...Q, tickE4: 10, sizeE6: 5_000_000, negRisk: true, exchangeVersion: 3 as const };
    expectOrder(p.take(TOKEN_A, "SELL", 4_700, 5_000_000), TOKEN_A, "SELL", 4_700, q3);
  });

  test("a quote move evicts levels that left the ladder and keeps the rest", () => {
    const p = pool();
    p.plan(TOKEN_A, Q);
    p.refill();
    const kept = p.stats().refills;
    p.plan(TOKEN_A, { ...Q, bidE4: 4_600, askE4: 4_800 }); // up one tick
    expect(p.stats().evicted).toBeGreaterThan(0);
    const signed = p.refill();
    expect(signed).toBe(p.stats().evicted);
    expect(p.stats().refills).toBe(kept + signed);
    expectOrder(p.take(TOKEN_A, "BUY", 4_600, Q.sizeE6), TOKEN_A, "BUY", 4_600, Q);
    expectOrder(p.take(TOKEN_A, "SELL", 4_900, Q.sizeE6), TOKEN_A, "SELL", 4_900, Q);
  });

  test("orders older than maxAgeMs are never handed out; refill replaces them; refresh re-signs old ones", () => {
    const clock = new ManualClock();
    const p = pool(4, clock, 10_000);
    p.plan(TOKEN_A, Q);
    p.refill();
    clock.advanceBy(10_001);
    expect(p.take(TOKEN_A, "BUY", 4_500, Q.sizeE6)).toBeUndefined();
    expect(p.stats().expired).toBe(1);
    expect(p.refill()).toBe(4); // 3 expired dropped + the taken one
    expect(p.stats().expired).toBe(4);
    const t0 = p.take(TOKEN_A, "SELL", 4_700, Q.sizeE6);
    expect(Number(t0?.timestamp)).toBe(clock.wallMs());
    // refreshAfterMs defaults to maxAge/2: after 6 s, refill re-signs (timestamps move) without dropping.
    p.refill();
    clock.advanceBy(6_000);
    expect(p.refill()).toBe(4);
    expect(Number(p.take(TOKEN_A, "BUY", 4_500, Q.sizeE6)?.timestamp)).toBe(clock.wallMs());
  });

  test("refill respects its time budget and maxSigns, round-robin by rank across tokens", () => {
    // A clock that moves 1 ms every time it is read: the budget is counted in reads.
    let ns = 0;
    const ticking: Clock = { nowNs: () => (ns += 1e6), wallMs: () => 1_780_000_000_000, setTimer: () => () => {} };
    const p = pool(6, ticking);
    p.plan(TOKEN_A, Q);
    p.plan(TOKEN_B, Q);
    const n = p.refill(3.5);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(3);
    const q = pool(6);
    q.plan(TOKEN_A, Q);
    q.plan(TOKEN_B, Q);
    expect(q.refill(undefined, 2)).toBe(2);
    expect([q.pooledFor(TOKEN_A), q.pooledFor(TOKEN_B)]).toEqual([1, 1]); // rank 0 of each token first
    expect(q.take(TOKEN_B, "BUY", 4_500, Q.sizeE6)).toBeDefined();
  });

  test("invalidate one token or all (market roll)", () => {
    const p = pool(2);
    p.plan(TOKEN_A, Q);
    p.plan(TOKEN_B, Q);
    p.refill();
    p.invalidate(TOKEN_A, "manual");
    expect(p.take(TOKEN_A, "BUY", 4_500, Q.sizeE6)).toBeUndefined();
    expect(p.stats().tokens).toBe(1);
    p.invalidate(ALL_TOKENS, "market_roll");
    expect(p.stats()).toMatchObject({ tokens: 0, pooled: 0, invalidations: 2 });
    expect(p.stats().invalidationsByReason.market_roll).toBe(1);
    p.invalidate("unknown", "manual"); // no-op, not counted
    expect(p.stats().invalidations).toBe(2);
  });

  test("autoRefill runs on the clock until stopped", () => {
    const clock = new ManualClock();
    const p = pool(2, clock);
    p.plan(TOKEN_A, Q);
    const stop = p.autoRefill(100, 5);
    expect(p.pooledFor(TOKEN_A)).toBe(0);
    clock.advanceBy(100);
    expect(p.pooledFor(TOKEN_A)).toBe(2);
    p.take(TOKEN_A, "BUY", 4_500, Q.sizeE6);
    clock.advanceBy(100);
    expect(p.pooledFor(TOKEN_A)).toBe(2);
    stop();
    p.take(TOKEN_A, "BUY", 4_500, Q.sizeE6);
    clock.advanceBy(1_000);
    expect(p.pooledFor(TOKEN_A)).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  test("property: any sequence of plan/take/refill/advance/invalidate never hands out a wrong, stale or reused order", () => {
    const plan = fc.record({
      k: fc.constant("plan" as const),
      token: fc.constantFrom(TOKEN_A, TOKEN_B),
      bid: fc.integer({ min: 44, max: 46 }),
      spread: fc.integer({ min: 1, max: 2 }),
      tick: fc.constantFrom(100, 100, 100, 100, 50),
      size: fc.constantFrom(5_000_000, 5_000_000, 5_000_000, 5_000_000, 10_000_000),
    });
    const take = fc.record({
      k: fc.constant("take" as const),
      token: fc.constantFrom(TOKEN_A, TOKEN_B),
      side: fc.constantFrom<"BUY" | "SELL">("BUY", "SELL"),
      px: fc.integer({ min: 43, max: 49 }),
      size: fc.constantFrom(5_000_000, 5_000_000, 10_000_000),
    });
    const refill = fc.record({ k: fc.constant("refill" as const), max: fc.integer({ min: 0, max: 8 }) });
    const advance = fc.record({ k: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 4_000 }) });
    const invalidate = fc.record({ k: fc.constant("invalidate" as const), token: fc.constantFrom(TOKEN_A, ALL_TOKENS) });
    // Weighted, with tick and size mostly constant, so that sequences often plan, refill, then
    // take on the ladder (bid 44–46) instead of invalidating all the time.
    const op = fc.oneof(
      { arbitrary: plan, weight: 1 },
      { arbitrary: take, weight: 6 },
      { arbitrary: refill, weight: 3 },
      { arbitrary: advance, weight: 1 },
      { arbitrary: invalidate, weight: 1 },
    );
    let totalHits = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 5, maxLength: 40 }), (ops) => {
        const clock = new ManualClock();
        const p = new PreSignPool(signer, { size: 4, clock, nextSalt: saltCounter(), maxAgeMs: 5_000 });
        const planned = new Map<string, PoolQuotes>();
        const seen = new Set<string>();
        let takes = 0;
        // Start from a full pool for both tokens, then anything goes.
        for (const t of [TOKEN_A, TOKEN_B]) {
          const q0: PoolQuotes = { ...Q, bidE4: 4_500, askE4: 4_600, sizeE6: 5_000_000 };
          p.plan(t, q0);
          planned.set(t, q0);
        }
        p.refill();
        for (const o of ops) {
          if (o.k === "plan") {
            const q: PoolQuotes = { ...Q, bidE4: o.bid * 100, askE4: (o.bid + o.spread) * 100, tickE4: o.tick, sizeE6: o.size };
            p.plan(o.token, q);
            planned.set(o.token, q);
          } else if (o.k === "take") {
            takes++;
            const px = o.px * 100;
            const got = p.take(o.token, o.side, px, o.size);
            if (got) {
              const q = planned.get(o.token);
              if (!q || q.sizeE6 !== o.size) return false;
              const a = orderAmounts(o.side, px, o.size, q.tickE4);
              if (typeof a === "string") return false;
              if (
                got.tokenId !== o.token ||
                got.side !== o.side ||
                got.makerAmount !== String(a.makerAmount) ||
                got.takerAmount !== String(a.takerAmount)
              )
                return false;
              if (clock.wallMs() - Number(got.timestamp) > 5_000) return false;
              if (seen.has(got.orderId)) return false;
              seen.add(got.orderId);
              if (computeOrderId(got, q.negRisk, q.exchangeVersion, 137) !== got.orderId) return false;
            }
          } else if (o.k === "refill") p.refill(undefined, o.max);
          else if (o.k === "advance") clock.advanceBy(o.ms);
          else {
            p.invalidate(o.token, "manual");
            if (o.token === ALL_TOKENS) planned.clear();
            else planned.delete(o.token);
          }
        }
        const s = p.stats();
        totalHits += s.hits;
        return s.hits + s.misses === takes && s.hits === seen.size;
      }),
      { numRuns: 150, seed: 0x9001 },
    );
    expect(totalHits).toBeGreaterThan(50); // the sequences do reach pooled orders
  }, 20_000);
});
