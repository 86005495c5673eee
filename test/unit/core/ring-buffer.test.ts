import { expect, test } from "bun:test";
import fc from "fast-check";
import { RingBuffer } from "../../../src/core/ring-buffer.ts";

test("rolling mean and std equal a naive rescan", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20 }),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 }),
      (cap, xs) => {
        const r = new RingBuffer(cap);
        for (const x of xs) r.push(x);
        const kept = xs.slice(-cap);
        expect(r.length).toBe(kept.length);
        if (kept.length === 0) return;
        const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
        expect(Math.abs(r.mean() - mean)).toBeLessThan(1e-6 * (1 + Math.abs(mean)));
        kept.forEach((x, i) => {
          expect(r.at(i)).toBe(x);
        });
        if (kept.length > 1) {
          const v = kept.reduce((a, b) => a + (b - mean) ** 2, 0) / (kept.length - 1);
          expect(Math.abs(r.variance() - v)).toBeLessThan(1e-3 * (1 + v));
        }
      },
    ),
  );
});
