import { expect, test } from "bun:test";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import { RateLimiter } from "../../../src/net/rate-limiter.ts";

test("a burst up to the capacity goes at once; the next request waits one refill interval", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock, { tier: "standard" }); // orders 40/s, burst 60
  for (let i = 0; i < 60; i++) expect(rl.reserve("post_order")).toEqual({ ok: true, waitMs: 0 });
  expect(rl.reserve("post_order")).toEqual({ ok: true, waitMs: 25 }); // 1 token at 40/s
  expect(rl.reserve("post_order")).toEqual({ ok: true, waitMs: 50 }); // queued behind it
  const s = rl.snapshot().post_order;
  expect(s?.requests).toBe(62);
  expect(s?.waits).toBe(2);
  expect(s?.waitedMs).toBe(75);
});

test("a batch is charged per order and a batch above the burst can never fit", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock);
  expect(rl.maxItems("post_orders")).toBe(60);
  expect(rl.reserve("post_orders", 15)).toEqual({ ok: true, waitMs: 0 });
  expect(rl.available("signer_orders")).toBe(45);
  const r = rl.reserve("post_orders", 61);
  expect(r).toMatchObject({ ok: false, reason: "wont_fit", bucket: "signer_orders" });
  expect(rl.available("signer_orders")).toBe(45);
  expect(rl.snapshot().post_orders?.refusedWontFit).toBe(1);
});

test("cancel-all costs 1 + the orders it cancels; cancels draw from their own bucket", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock);
  expect(rl.maxItems("cancel_all")).toBe(119); // burst 120 = 1 + 119
  rl.reserve("cancel_all", 50);
  expect(rl.available("signer_cancels")).toBe(69);
  expect(rl.available("signer_orders")).toBe(60);
});

test("an order that would queue past maxQueueMs is refused locally and takes no tokens", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock, { maxQueueMs: { post_order: 100 } });
  for (let i = 0; i < 60; i++) rl.reserve("post_order");
  for (let i = 0; i < 4; i++) expect(rl.reserve("post_order").ok).toBe(true); // waits 25..100 ms
  const before = rl.available("signer_orders");
  expect(rl.reserve("post_order")).toMatchObject({ ok: false, reason: "queue_full", waitMs: 125, bucket: "signer_orders" });
  expect(rl.available("signer_orders")).toBe(before);
  // Cancels are always allowed: they queue as long as needed.
  for (let i = 0; i < 500; i++) expect(rl.reserve("cancel_order").ok).toBe(true);
});

test("tokens refill with the clock", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock);
  for (let i = 0; i < 60; i++) rl.reserve("post_order");
  clock.advanceBy(500); // 20 tokens at 40/s
  expect(rl.available("signer_orders")).toBeCloseTo(20, 9);
  for (let i = 0; i < 20; i++) expect(rl.reserve("post_order").waitMs).toBe(0);
  expect(rl.reserve("post_order").waitMs).toBe(25);
});

test("a 429's Retry-After blocks the class until then", () => {
  const clock = new ManualClock();
  const rl = new RateLimiter(clock);
  rl.penalize("post_order", 2_000);
  expect(rl.reserve("post_order").waitMs).toBe(2_000);
  expect(rl.reserve("book").waitMs).toBe(0); // other classes unaffected
  clock.advanceBy(2_000);
  expect(rl.reserve("post_order").waitMs).toBe(0);
  expect(rl.penalties).toBe(1);
});

test("tiers and overrides are configurable", () => {
  const clock = new ManualClock();
  const gold = new RateLimiter(clock, { tier: "gold" });
  expect(gold.maxItems("post_orders")).toBe(600);
  const custom = new RateLimiter(clock, { buckets: { signer_orders: { capacity: 10, refillPerSec: 5 } } });
  expect(custom.maxItems("post_orders")).toBe(10);
  for (let i = 0; i < 10; i++) custom.reserve("post_order");
  expect(custom.reserve("post_order").waitMs).toBe(200);
});

test("property: requests sent when the limiter says so never exceed the exchange's bucket (no 429 storm)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ gapMs: fc.nat(60), items: fc.integer({ min: 1, max: 15 }) }), { minLength: 1, maxLength: 200 }),
      (reqs) => {
        const clock = new ManualClock();
        const rl = new RateLimiter(clock, { maxQueueMs: { post_orders: Number.POSITIVE_INFINITY } });
        // The exchange's view: a naive token bucket (burst 60, 40/s) over send times, in order.
        const sends: { atNs: number; items: number }[] = [];
        for (const r of reqs) {
          clock.advanceBy(r.gapMs);
          const res = rl.reserve("post_orders", r.items);
          if (!res.ok) throw new Error("refused");
          sends.push({ atNs: clock.nowNs() + res.waitMs * 1e6, items: r.items });
        }
        // FIFO: send times never go backwards.
        for (let i = 1; i < sends.length; i++) expect((sends[i]?.atNs ?? 0) >= (sends[i - 1]?.atNs ?? 0)).toBe(true);
        let tokens = 60;
        let last = 0;
        for (const s of sends) {
          tokens = Math.min(60, tokens + ((s.atNs - last) / 1e9) * 40);
          last = s.atNs;
          tokens -= s.items;
          // A millisecond of rounding is the only slack (waits are whole ms, rounded up).
          expect(tokens).toBeGreaterThan(-1e-6);
        }
      },
    ),
    { numRuns: 200, seed: 3 },
  );
});
