/**
 * The simulated exchange never creates or destroys money: across any sequence of orders,
 * cancels, fills (with taker fees), splits, merges, expiries, market ends, resolutions and
 * rebates, pUSD in accounts + fees kept + collateral locked in pairs = all deposits; per
 * market YES supply = NO supply = pairs; no balance or hold ever goes negative, and a
 * rejected order changes nothing.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { OrderType, Side } from "../../src/core/ports.ts";
import { COLLATERAL } from "../../src/sim/accounts.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import type { Outcome } from "../../src/sim/matching.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";

const OWNERS = ["k-a", "k-b", "k-c"] as const;

type Op =
  | {
      kind: "place";
      who: number;
      outcome: Outcome;
      side: Side;
      price: number;
      lots: number;
      type: OrderType;
      postOnly: boolean;
      budget: number;
    }
  | { kind: "cancel"; who: number; pick: number }
  | { kind: "cancelAll"; who: number }
  | { kind: "split" | "merge"; who: number; lots: number }
  | { kind: "advance"; ms: number }
  | { kind: "resolve"; winner: Outcome };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      who: fc.nat(2),
      outcome: fc.constantFrom<Outcome>(0, 1),
      side: fc.constantFrom<Side>("BUY", "SELL"),
      price: fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 40, max: 60 })),
      lots: fc.integer({ min: 4, max: 60 }),
      type: fc.constantFrom<OrderType>("GTC", "GTC", "GTD", "FOK", "FAK"),
      postOnly: fc.boolean(),
      budget: fc.integer({ min: 0, max: 30 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("cancel" as const), who: fc.nat(2), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancelAll" as const), who: fc.nat(2) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom("split" as const, "merge" as const),
      who: fc.nat(2),
      lots: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("resolve" as const), winner: fc.constantFrom<Outcome>(0, 1) }) },
);

function audit(ex: SimExchange): void {
  const a = ex.accounts.audit();
  expect(a.negative).toEqual([]);
  expect(a.collateralE6 + a.feesKeptE6 + a.pairsE6).toBe(a.depositedE6);
  expect(a.feesKeptE6).toBeGreaterThanOrEqual(0);
  for (const [id, [yes, no, pairs]] of a.markets) expect({ id, yes, no }).toEqual({ id, yes: pairs, no: pairs });
}

let orderSeq = 0;

describe("simulated ledger conservation", () => {
  test("random sessions conserve collateral + positions and never go negative", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), (ops) => {
        const ex = new SimExchange({
          seed: 7,
          flow: null,
          initialBalanceE6: 300_000_000,
          schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300], leadWindows: 1, resolveDelaySec: 30 },
        });
        for (const o of OWNERS) ex.openAccount(o, `0x${o}`);
        audit(ex);
        for (const op of ops) {
          const live = ex.allMarkets().filter((m) => m.state === "open");
          const m = live[0];
          switch (op.kind) {
            case "place": {
              if (!m) break;
              const owner = OWNERS[op.who] as string;
              const info = m.sched.info;
              const before = JSON.stringify([...ex.accounts.holdings(owner)]);
              const heldBefore = ex.accounts.held(owner, COLLATERAL);
              const byBudget = op.side === "BUY" && (op.type === "FOK" || op.type === "FAK") && op.budget > 0;
              const r = ex.place({
                orderId: `0x${(++orderSeq).toString(16)}`,
                owner,
                makerAddress: `0x${owner}`,
                tokenId: op.outcome === 0 ? info.yesTokenId : info.noTokenId,
                side: op.side,
                priceE4: op.price * 100,
                sizeE6: op.lots * 1_000_000,
                budgetE6: byBudget ? op.budget * 1_000_000 : 0,
                orderType: op.type,
                postOnly: op.postOnly,
                expirationSec: Math.floor(ex.nowMs / 1000) + 90,
              });
              if (!r.success) {
                expect(JSON.stringify([...ex.accounts.holdings(owner)])).toBe(before);
                expect(ex.accounts.held(owner, COLLATERAL)).toBe(heldBefore);
              }
              break;
            }
            case "cancel": {
              const owner = OWNERS[op.who] as string;
              const ids = ex.openOrderIds(owner);
              if (ids.length > 0) expect(ex.cancel(owner, [ids[op.pick % ids.length] as string]).canceled.length).toBe(1);
              break;
            }
            case "cancelAll": {
              const owner = OWNERS[op.who] as string;
              ex.cancelAll(owner);
              expect(ex.openOrderIds(owner)).toEqual([]);
              for (const tok of ex.allMarkets().flatMap((x) => [x.sched.info.yesTokenId, x.sched.info.noTokenId]))
                expect(ex.accounts.held(owner, tok)).toBe(0);
              expect(ex.accounts.held(owner, COLLATERAL)).toBe(0);
              break;
            }
            case "split":
            case "merge":
              if (m) ex[op.kind](OWNERS[op.who] as string, m.sched.info.conditionId, op.lots * 1_000_000);
              break;
            case "advance":
              ex.advanceTo(ex.nowMs + op.ms);
              break;
            case "resolve":
              if (m) ex.resolveNow(m.sched.info.conditionId, op.winner);
              break;
          }
          audit(ex);
        }
        // after everything resolves, only pUSD remains and it all adds up
        ex.advanceTo(ex.nowMs + 20 * 60_000);
        audit(ex);
      }),
      { numRuns: 120, seed: 4242 },
    );
  });
});
