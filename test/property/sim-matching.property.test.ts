/**
 * Matching engine vs a naive reference: an array of resting orders, matched by sorting the
 * eligible ones by (best price, arrival). Same fills, same resting book, for any sequence
 * of GTC / FOK / FAK / post-only orders and cancels on a shared YES/NO book.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { OrderType, Side } from "../../src/core/ports.ts";
import { bookSideOf, MatchingEngine, type OrderSpec, type Outcome, yesPriceOf } from "../../src/sim/matching.ts";

const M = "m";

interface NaiveOrder {
  id: string;
  side: "bid" | "ask";
  price: number;
  remaining: number;
  seq: number;
}

type Op =
  | { kind: "order"; outcome: Outcome; side: Side; price: number; lots: number; type: OrderType; postOnly: boolean }
  | { kind: "cancel"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("order" as const),
      outcome: fc.constantFrom<Outcome>(0, 1),
      side: fc.constantFrom<Side>("BUY", "SELL"),
      price: fc.integer({ min: 40, max: 60 }),
      lots: fc.integer({ min: 5, max: 40 }),
      type: fc.constantFrom<OrderType>("GTC", "GTC", "FOK", "FAK"),
      postOnly: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
);

function naiveMatch(book: NaiveOrder[], side: "bid" | "ask", limit: number, _size: number) {
  const eligible = book
    .filter((o) => o.side !== side && (side === "bid" ? o.price <= limit : o.price >= limit))
    .sort((a, b) => (side === "bid" ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
  return eligible;
}

describe("matching engine = naive price-time reference", () => {
  test("random order flow", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const e = new MatchingEngine();
        e.addMarket(M, 100, 5_000_000);
        const naive: NaiveOrder[] = [];
        let seq = 0;
        let n = 0;
        for (const op of ops) {
          if (op.kind === "cancel") {
            if (naive.length === 0) continue;
            const victim = naive[op.pick % naive.length] as NaiveOrder;
            expect(e.cancel(victim.id)?.order.id).toBe(victim.id);
            naive.splice(naive.indexOf(victim), 1);
            continue;
          }
          const id = `o${++n}`;
          const spec: OrderSpec = {
            id,
            owner: "x",
            marketId: M,
            outcome: op.outcome,
            side: op.side,
            priceE4: op.price * 100,
            sizeE6: op.lots * 1_000_000,
            orderType: op.type,
            postOnly: op.postOnly && (op.type === "GTC" || op.type === "GTD"),
            expiresAtMs: 0,
            budgetE6: 0,
          };
          const side = bookSideOf(op.outcome, op.side);
          const limit = yesPriceOf(op.outcome, spec.priceE4);
          const eligible = naiveMatch(naive, side, limit, spec.sizeE6);
          const available = eligible.reduce((s, o) => s + o.remaining, 0);
          const crossesNotional = eligible.length > 0 && op.side === "BUY" && (spec.sizeE6 * op.price) / 100 < 1_000_000;
          const r = e.submit(spec);
          if (spec.postOnly && eligible.length > 0) {
            expect(r.ok).toBe(false);
            continue;
          }
          if (crossesNotional) {
            expect(r.ok).toBe(false);
            continue;
          }
          if (op.type === "FOK" && available < spec.sizeE6) {
            expect(r).toMatchObject({ ok: false, code: "FOK_NOT_FILLED" });
            continue;
          }
          if (op.type === "FAK" && eligible.length === 0) {
            expect(r).toMatchObject({ ok: false, code: "FOK_NOT_FILLED" });
            continue;
          }
          if (!r.ok) throw new Error(`unexpected reject: ${r.message}`);
          // expected fills: walk eligible in order
          let want = spec.sizeE6;
          const expected: [string, number, number][] = [];
          for (const o of eligible) {
            if (want === 0) break;
            const take = Math.min(want, o.remaining);
            expected.push([o.id, o.price, take]);
            o.remaining -= take;
            want -= take;
          }
          for (let i = naive.length - 1; i >= 0; i--) if ((naive[i] as NaiveOrder).remaining === 0) naive.splice(i, 1);
          expect(r.fills.map((f) => [f.makerOrderId, f.yesPriceE4, f.sizeE6])).toEqual(expected);
          if ((op.type === "GTC" || op.type === "GTD") && want > 0) naive.push({ id, side, price: limit, remaining: want, seq: ++seq });
        }
        // final books agree level by level
        const book = e.book(M);
        for (const side of ["bid", "ask"] as const) {
          const levels = new Map<number, number>();
          for (const o of naive) if (o.side === side) levels.set(o.price, (levels.get(o.price) ?? 0) + o.remaining);
          const got = new Map<number, number>();
          book?.forEachLevel(side, (p, s) => {
            got.set(p, s);
            return true;
          });
          expect(got).toEqual(levels);
          const order = [...levels.keys()].sort((a, b) => (side === "bid" ? b - a : a - b));
          const best = order[0] ?? (side === "bid" ? 0 : 10_000);
          expect(side === "bid" ? book?.bestBid : book?.bestAsk).toBe(best);
          for (const p of order) {
            const ids = naive
              .filter((o) => o.side === side && o.price === p)
              .sort((a, b) => a.seq - b.seq)
              .map((o) => o.id);
            expect(book?.ordersAt(side, p).map((o) => o.id)).toEqual(ids);
          }
        }
      }),
      { numRuns: 400, seed: 20261125 },
    );
  });
});
