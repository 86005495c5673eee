/**
 * OrderBook against a naive Map-based reference on random operation sequences: every read
 * (best levels, sizes, level order, depth, mid, spread, microprice, crossed, stale) and
 * every status must agree after every operation.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { OrderBook, type BookStatus } from "../../src/book/order-book.ts";
import type { Side } from "../../src/core/ports.ts";

/** The reference: two Maps, sorted on every read. Deliberately simple. */
class MapBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  tick = 100;
  stale = true;

  private side(s: Side): Map<number, number> {
    return s === "BUY" ? this.bids : this.asks;
  }
  sorted(s: Side): [number, number][] {
    return [...this.side(s).entries()].sort((a, b) => (s === "BUY" ? b[0] - a[0] : a[0] - b[0]));
  }
  best(s: Side): number | undefined {
    return this.sorted(s)[0]?.[0];
  }
  crossed(): boolean {
    const b = this.best("BUY");
    const a = this.best("SELL");
    return b !== undefined && a !== undefined && b >= a;
  }
  set(s: Side, p: number, z: number): BookStatus {
    if (!(Number.isInteger(p) && p > 0 && p < 10_000)) return "PRICE_OUT_OF_RANGE";
    if (!(Number.isSafeInteger(z) && z >= 0)) return "BAD_SIZE";
    if (z === 0) this.side(s).delete(p);
    else this.side(s).set(p, z);
    if (this.crossed()) return "CROSSED";
    return p % this.tick === 0 ? "OK" : "OFF_TICK";
  }
  snapshot(bids: [number, number][], asks: [number, number][], tick: number): void {
    this.bids.clear();
    this.asks.clear();
    if (tick > 0) this.tick = tick;
    this.stale = false;
    for (const [p, z] of bids) if (z > 0) this.bids.set(p, z);
    for (const [p, z] of asks) if (z > 0) this.asks.set(p, z);
  }
  changeTick(t: number): BookStatus {
    const coarser = t > this.tick;
    this.tick = t;
    if (!coarser) return "OK";
    const off = [...this.bids.keys(), ...this.asks.keys()].some((p) => p % t !== 0);
    if (off) this.stale = true;
    return off ? "OFF_TICK" : "OK";
  }
}

const TICKS = [1000, 100, 50, 25, 10, 1];
// Prices cluster on a few values so levels collide, get removed, and cross.
const price = fc.oneof(
  fc.constantFrom(100, 2500, 4900, 5000, 5100, 7500, 9900, 4950, 5010),
  fc.integer({ min: 1, max: 9999 }),
  fc.constantFrom(0, 10_000, -1, 10_001, 4999.5),
);
const size = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000_000 }), fc.constantFrom(-5, 1.5));
const side = fc.constantFrom<Side>("BUY", "SELL");
const validLevels = fc.array(fc.tuple(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 1e9 })), { maxLength: 30 });

type Op =
  | { k: "set"; side: Side; p: number; z: number }
  | { k: "snap"; bids: [number, number][]; asks: [number, number][]; tick: number }
  | { k: "tick"; tick: number }
  | { k: "stale" };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ k: fc.constant("set" as const), side, p: price, z: size }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant("snap" as const), bids: validLevels, asks: validLevels, tick: fc.constantFrom(0, ...TICKS) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("tick" as const), tick: fc.constantFrom(...TICKS) }) },
  { weight: 1, arbitrary: fc.constant({ k: "stale" as const }) },
);

function levelsOf(book: OrderBook, s: Side): [number, number][] {
  const out: [number, number][] = [];
  book.forEachLevel(s, (p, z) => {
    out.push([p, z]);
    return true;
  });
  return out;
}

function check(book: OrderBook, ref: MapBook): void {
  const rb = ref.best("BUY");
  const ra = ref.best("SELL");
  expect(book.bestBidE4()).toBe(rb ?? 0);
  expect(book.bestAskE4()).toBe(ra ?? 10_000);
  expect(book.bestBidSizeE6()).toBe(rb === undefined ? 0 : ref.bids.get(rb)!);
  expect(book.bestAskSizeE6()).toBe(ra === undefined ? 0 : ref.asks.get(ra)!);
  expect(levelsOf(book, "BUY")).toEqual(ref.sorted("BUY"));
  expect(levelsOf(book, "SELL")).toEqual(ref.sorted("SELL"));
  expect(book.levelCount("BUY")).toBe(ref.bids.size);
  expect(book.levelCount("SELL")).toBe(ref.asks.size);
  expect(book.isCrossed()).toBe(ref.crossed());
  expect(book.stale).toBe(ref.stale);
  expect(book.tickE4).toBe(ref.tick);
  for (const n of [1, 3]) {
    expect(book.depthE6("BUY", n)).toBe(
      ref
        .sorted("BUY")
        .slice(0, n)
        .reduce((a, [, z]) => a + z, 0),
    );
    expect(book.depthE6("SELL", n)).toBe(
      ref
        .sorted("SELL")
        .slice(0, n)
        .reduce((a, [, z]) => a + z, 0),
    );
  }
  if (rb !== undefined && ra !== undefined) {
    const qb = ref.bids.get(rb)!;
    const qa = ref.asks.get(ra)!;
    expect(book.mid()).toBe((rb + ra) / 2);
    expect(book.spreadE4()).toBe(ra - rb);
    expect(Math.abs(book.microprice() - (rb * qa + ra * qb) / (qa + qb))).toBeLessThan(1e-9);
  } else {
    expect(book.mid()).toBeNaN();
    expect(book.spreadE4()).toBeNaN();
    expect(book.microprice()).toBeNaN();
  }
  for (const p of [rb, ra, 5000, 100]) {
    if (p === undefined) continue;
    expect(book.sizeAtE6("BUY", p)).toBe(ref.bids.get(p) ?? 0);
    expect(book.sizeAtE6("SELL", p)).toBe(ref.asks.get(p) ?? 0);
  }
}

test("OrderBook matches a Map reference on random sequences", () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 120 }), (ops) => {
      const book = new OrderBook("T", 100);
      const ref = new MapBook();
      for (const o of ops) {
        if (o.k === "set") expect(book.setLevel(o.side, o.p, o.z)).toBe(ref.set(o.side, o.p, o.z));
        else if (o.k === "snap") {
          const toLv = (l: [number, number][]) => ({ pricesE4: l.map((x) => x[0]), sizesE6: l.map((x) => x[1]) });
          book.applySnapshot(toLv(o.bids), toLv(o.asks), o.tick);
          ref.snapshot(o.bids, o.asks, o.tick);
        } else if (o.k === "tick") expect(book.changeTick(o.tick)).toBe(ref.changeTick(o.tick));
        else {
          book.markStale();
          ref.stale = true;
        }
        check(book, ref);
      }
    }),
    { numRuns: 300, seed: 0x5eed },
  );
});

test("best level removal scans across bitmap words and to the grid ends", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: 1, maxLength: 60 }), (prices) => {
      const book = new OrderBook("T", 1);
      for (const p of prices) {
        book.setLevel("BUY", p, 1);
        book.setLevel("SELL", 10_000 - p, 1);
      }
      const desc = [...prices].sort((a, b) => b - a);
      for (const p of desc) {
        expect(book.bestBidE4()).toBe(p);
        expect(book.bestAskE4()).toBe(10_000 - p);
        book.setLevel("BUY", p, 0);
        book.setLevel("SELL", 10_000 - p, 0);
      }
      expect(book.bestBidE4()).toBe(0);
      expect(book.bestAskE4()).toBe(10_000);
    }),
    { numRuns: 200, seed: 7 },
  );
});
