import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { BboRing, PriceRing } from "../../../src/book/tick-ring.ts";

describe("tick rings against a naive array (fast-check)", () => {
  test("BboRing keeps the last `capacity` ticks in order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 40 }), (cap, xs) => {
        const ring = new BboRing(cap);
        const naive: number[] = [];
        for (const [i, x] of xs.entries()) {
          ring.push(i, i * 10, x, 10_000 - x, x * 2, x * 3);
          naive.push(x);
        }
        const kept = naive.slice(-cap);
        expect(ring.length).toBe(kept.length);
        expect(ring.total).toBe(xs.length);
        for (let i = 0; i < kept.length; i++) {
          expect(ring.at(ring.bidE4, i)).toBe(kept[i] as number);
          expect(ring.at(ring.askE4, i)).toBe(10_000 - (kept[i] as number));
          expect(ring.at(ring.askSizeE6, i)).toBe((kept[i] as number) * 3);
        }
        expect(ring.at(ring.bidE4, kept.length)).toBeNaN();
        expect(ring.at(ring.bidE4, -1)).toBeNaN();
      }),
    );
  });

  test("pushIfChanged skips an unchanged top of book", () => {
    const ring = new BboRing(4);
    expect(ring.pushIfChanged(1, 1, 4900, 5100, 10, 20)).toBe(true);
    expect(ring.pushIfChanged(2, 2, 4900, 5100, 10, 20)).toBe(false);
    expect(ring.pushIfChanged(3, 3, 4900, 5100, 11, 20)).toBe(true);
    expect(ring.length).toBe(2);
    expect(ring.newest(ring.recvNs)).toBe(3);
  });

  test("PriceRing.priceAtOrBefore matches a linear scan", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
        fc.integer({ min: -5, max: 200 }),
        (cap, gaps, q) => {
          const ring = new PriceRing(cap);
          let t = 0;
          const naive: Array<[number, number]> = [];
          for (const [i, g] of gaps.entries()) {
            t += g;
            ring.push(i, t, 100 + i);
            naive.push([t, 100 + i]);
          }
          const kept = naive.slice(-cap);
          let want = Number.NaN;
          for (const [ts, p] of kept) if (ts <= q) want = p;
          expect(ring.priceAtOrBefore(q)).toBe(want);
        },
      ),
    );
  });
});
