import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Side } from "../../../src/core/ports.ts";
import { type DesiredQuote, type LiveQuote, reconcileQuotes } from "../../../src/engine/quote-reconcile.ts";

const dq = (tokenId: string, side: Side, priceE4: number, sizeE6: number): DesiredQuote => ({
  conditionId: "c",
  tokenId,
  side,
  priceE4,
  sizeE6,
});
const lq = (clientId: string, tokenId: string, side: Side, priceE4: number, remainingE6: number, cancelRequested = false): LiveQuote => ({
  clientId,
  tokenId,
  side,
  priceE4,
  remainingE6,
  cancelRequested,
});

test("moves one level: one cancel, one place, the other level kept", () => {
  const plan = reconcileQuotes(
    [dq("y", "BUY", 4_500, 10e6), dq("y", "SELL", 5_600, 10e6)],
    [lq("a", "y", "BUY", 4_500, 10e6), lq("b", "y", "SELL", 5_500, 10e6)],
  );
  expect(plan.keep).toEqual(["a"]);
  expect(plan.cancel).toEqual(["b"]);
  expect(plan.place).toEqual([dq("y", "SELL", 5_600, 10e6)]);
});

test("an order with a cancel in flight is neither kept nor cancelled again", () => {
  const plan = reconcileQuotes([dq("y", "BUY", 4_500, 10e6)], [lq("a", "y", "BUY", 4_500, 10e6, true)]);
  expect(plan).toEqual({ keep: [], cancel: [], place: [dq("y", "BUY", 4_500, 10e6)] });
});

test("size tolerance keeps a slightly filled quote", () => {
  const live = [lq("a", "y", "BUY", 4_500, 9e6)];
  expect(reconcileQuotes([dq("y", "BUY", 4_500, 10e6)], live, 1e6).keep).toEqual(["a"]);
  expect(reconcileQuotes([dq("y", "BUY", 4_500, 10e6)], live, 0).cancel).toEqual(["a"]);
});

const arbSide = fc.constantFrom<Side>("BUY", "SELL");
const arbDesired = fc.array(
  fc.record({
    tokenId: fc.constantFrom("y", "n"),
    side: arbSide,
    priceE4: fc.constantFrom(4_400, 4_500, 4_600),
    sizeE6: fc.constantFrom(5e6, 10e6, 20e6),
  }),
  { maxLength: 8 },
);
const arbLive = fc.array(
  fc.record({
    tokenId: fc.constantFrom("y", "n"),
    side: arbSide,
    priceE4: fc.constantFrom(4_400, 4_500, 4_600),
    remainingE6: fc.constantFrom(5e6, 9e6, 10e6, 20e6),
    cancelRequested: fc.boolean(),
  }),
  { maxLength: 8 },
);

test("property: with zero tolerance, matches a naive multiset count and covers the desired set exactly", () => {
  fc.assert(
    fc.property(arbDesired, arbLive, (d0, l0) => {
      const desired = d0.map((d) => ({ conditionId: "c", ...d }));
      const live = l0.map((l, i) => ({ clientId: `o${i}`, ...l }));
      const plan = reconcileQuotes(desired, live);
      // Naive: count equal (token, side, price, size) keys on each side.
      const key = (t: string, s: Side, p: number, z: number) => `${t}/${s}/${p}/${z}`;
      const want = new Map<string, number>();
      for (const d of desired)
        want.set(key(d.tokenId, d.side, d.priceE4, d.sizeE6), (want.get(key(d.tokenId, d.side, d.priceE4, d.sizeE6)) ?? 0) + 1);
      const have = new Map<string, number>();
      for (const l of live)
        if (!l.cancelRequested)
          have.set(key(l.tokenId, l.side, l.priceE4, l.remainingE6), (have.get(key(l.tokenId, l.side, l.priceE4, l.remainingE6)) ?? 0) + 1);
      let matched = 0;
      for (const [k, n] of want) matched += Math.min(n, have.get(k) ?? 0);
      const liveActive = live.filter((l) => !l.cancelRequested).length;
      expect(plan.keep.length).toBe(matched);
      expect(plan.cancel.length).toBe(liveActive - matched);
      expect(plan.place.length).toBe(desired.length - matched);
      // After the plan: kept orders + placed quotes = desired, as multisets.
      const after = new Map<string, number>();
      for (const id of plan.keep) {
        const l = live.find((x) => x.clientId === id);
        if (!l) throw new Error("kept an unknown order");
        after.set(key(l.tokenId, l.side, l.priceE4, l.remainingE6), (after.get(key(l.tokenId, l.side, l.priceE4, l.remainingE6)) ?? 0) + 1);
      }
      for (const q of plan.place)
        after.set(key(q.tokenId, q.side, q.priceE4, q.sizeE6), (after.get(key(q.tokenId, q.side, q.priceE4, q.sizeE6)) ?? 0) + 1);
      expect(after).toEqual(want);
      // Every non-cancelling live order is kept or cancelled, never both.
      const touched = [...plan.keep, ...plan.cancel];
      expect(new Set(touched).size).toBe(touched.length);
      expect(touched.length).toBe(liveActive);
    }),
    { numRuns: 500, seed: 7 },
  );
});

test("property: with a tolerance the matching is maximum (checked by brute force)", () => {
  const tol = 1e6;
  fc.assert(
    fc.property(arbDesired, arbLive, (d0, l0) => {
      const desired = d0.slice(0, 5).map((d) => ({ conditionId: "c", ...d }));
      const live = l0.slice(0, 5).map((l, i) => ({ clientId: `o${i}`, ...l, cancelRequested: false }));
      const plan = reconcileQuotes(desired, live, tol);
      const ok = (d: DesiredQuote, l: LiveQuote) =>
        d.tokenId === l.tokenId && d.side === l.side && d.priceE4 === l.priceE4 && Math.abs(d.sizeE6 - l.remainingE6) <= tol;
      const best = (i: number, used: Set<number>): number => {
        if (i === desired.length) return 0;
        let b = best(i + 1, used);
        for (let j = 0; j < live.length; j++) {
          if (used.has(j) || !ok(desired[i] as DesiredQuote, live[j] as LiveQuote)) continue;
          used.add(j);
          b = Math.max(b, 1 + best(i + 1, used));
          used.delete(j);
        }
        return b;
      };
      expect(plan.keep.length).toBe(best(0, new Set()));
    }),
    { numRuns: 300, seed: 11 },
  );
});
