/**
 * Queue position against a naive reference that knows every order in the level (fast-check).
 * The reference keeps the recorded level as an explicit FIFO of other people's orders and
 * remembers which of them were ahead of us when we joined; prints eat the front. The model
 * only sees what a recording shows: the level's total size and the prints.
 *
 *  - When cancels really do come from the back (the worst case), the model's size ahead and
 *    our fills equal the reference's exactly, whichever of the print and its level drop
 *    arrives first.
 *  - Whatever the cancel positions, the worst-case rule is never optimistic: the model's
 *    size ahead is ≥ the truth and its fills ≤ the truth's; pro rata lies between.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DEFAULT_FILL_MODEL, joinQueue, onLevel, onPrint, type QueuedOrder } from "../../src/venue/fill-model.ts";

type Op =
  | { kind: "add"; size: number }
  | { kind: "cancel"; pick: number; frac: number }
  | { kind: "print"; frac: number; dropFirst: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), size: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat(1000), frac: fc.double({ min: 0.05, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant("print" as const), frac: fc.double({ min: 0.05, max: 1, noNaN: true }), dropFirst: fc.boolean() }),
);

interface Ref {
  queue: { id: number; size: number; ahead: boolean }[];
  remaining: number;
  filled: number;
  nextId: number;
}

const total = (r: Ref): number => r.queue.reduce((s, o) => s + o.size, 0);
const aheadOf = (r: Ref): number => r.queue.filter((o) => o.ahead).reduce((s, o) => s + o.size, 0);

function run(initial: readonly number[], ops: readonly Op[], fromBack: boolean, rule: "worst_case" | "pro_rata") {
  const ref: Ref = { queue: initial.map((size, id) => ({ id, size, ahead: true })), remaining: 30, filled: 0, nextId: initial.length };
  const q: QueuedOrder = joinQueue("o", "t", "BUY", 5000, 30, undefined);
  q.aheadE6 = total(ref);
  q.levelE6 = total(ref);
  const s = { ...DEFAULT_FILL_MODEL, queueCancelRule: rule };
  let now = 0;
  let modelFilled = 0;
  const trace: { modelAhead: number; refAhead: number; modelFilled: number; refFilled: number }[] = [];
  for (const op of ops) {
    // Separate events far apart (beyond the pairing window); a print and its drop share a time.
    now += 2e9;
    if (op.kind === "add") {
      ref.queue.push({ id: ref.nextId++, size: op.size, ahead: false });
      onLevel(q, total(ref), now, s);
    } else if (op.kind === "cancel") {
      const lv = total(ref);
      if (lv === 0) continue;
      let amount = Math.max(1, Math.floor(lv * op.frac));
      // Which orders are cancelled: from the back (worst case), or starting at a random one.
      const order = fromBack
        ? [...ref.queue].reverse()
        : [...ref.queue.slice(op.pick % ref.queue.length), ...ref.queue.slice(0, op.pick % ref.queue.length)];
      for (const o of order) {
        if (amount === 0) break;
        const c = Math.min(o.size, amount);
        o.size -= c;
        amount -= c;
      }
      ref.queue = ref.queue.filter((o) => o.size > 0);
      onLevel(q, total(ref), now, s);
    } else {
      const lv = total(ref);
      if (lv === 0) continue;
      const size = Math.max(1, Math.floor(lv * op.frac));
      // The truth: the print eats what is ahead of us, then us.
      const ahead = aheadOf(ref);
      const ours = Math.min(ref.remaining, Math.max(0, size - ahead));
      ref.remaining -= ours;
      ref.filled += ours;
      // The recorded world (we are not in it): the print eats the level from the front.
      let left = size;
      for (const o of ref.queue) {
        const c = Math.min(o.size, left);
        o.size -= c;
        left -= c;
      }
      ref.queue = ref.queue.filter((o) => o.size > 0);
      if (op.dropFirst) onLevel(q, total(ref), now, s);
      const r = onPrint(q, 5000, size, "SELL", now, s);
      const f = Math.min(r.fillE6, q.remainingE6);
      q.remainingE6 -= f;
      modelFilled += f;
      if (!op.dropFirst) onLevel(q, total(ref), now, s);
    }
    trace.push({ modelAhead: q.aheadE6, refAhead: aheadOf(ref), modelFilled, refFilled: ref.filled });
  }
  return trace;
}

const initialArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 6 });
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 40 });

describe("queue position vs an order-by-order reference", () => {
  test("cancels from the back: worst case is exact, in either message order", () => {
    fc.assert(
      fc.property(initialArb, opsArb, (initial, ops) => {
        for (const step of run(initial, ops, true, "worst_case")) {
          expect(step.modelAhead).toBe(step.refAhead);
          expect(step.modelFilled).toBe(step.refFilled);
        }
      }),
      { numRuns: 500, seed: 9 },
    );
  });

  test("cancels anywhere: worst case never puts us ahead of the truth; pro rata never behind worst case", () => {
    fc.assert(
      fc.property(initialArb, opsArb, (initial, ops) => {
        const worst = run(initial, ops, false, "worst_case");
        const pro = run(initial, ops, false, "pro_rata");
        worst.forEach((w, i) => {
          expect(w.modelAhead).toBeGreaterThanOrEqual(w.refAhead);
          expect(w.modelFilled).toBeLessThanOrEqual(w.refFilled);
          expect((pro[i] as { modelAhead: number }).modelAhead).toBeLessThanOrEqual(w.modelAhead);
        });
      }),
      { numRuns: 500, seed: 10 },
    );
  });
});
