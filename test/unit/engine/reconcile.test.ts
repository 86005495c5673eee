import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { OpenOrderSnapshot, TradeStatus } from "../../../src/core/ports.ts";
import {
  DEFAULT_RECONCILE_POLICY,
  type OpenIntentView,
  type ReconcileInput,
  type TradeView,
  fillKeyOf,
  planReconcile,
} from "../../../src/engine/reconcile.ts";

const NOW_MS = 1_780_000_100_000;

const intent = (clientId: string, over: Partial<OpenIntentView> = {}): OpenIntentView => ({
  clientId,
  orderHash: `0x${clientId}`,
  conditionId: "0xcond",
  tokenId: "tok",
  side: "BUY",
  priceE4: 4500,
  sizeE6: 10_000_000,
  orderType: "GTC",
  state: "live",
  createdAtMs: NOW_MS - 60_000,
  filledE6: 0,
  ...over,
});

const order = (orderId: string, over: Partial<OpenOrderSnapshot> = {}): OpenOrderSnapshot => ({
  orderId,
  conditionId: "0xcond",
  tokenId: "tok",
  side: "BUY",
  priceE4: 4500,
  originalSizeE6: 10_000_000,
  matchedSizeE6: 0,
  createdAtSec: Math.floor((NOW_MS - 59_000) / 1000),
  ...over,
});

const trade = (tradeId: string, orderId: string, status: TradeStatus, over: Partial<TradeView> = {}): TradeView => ({
  tradeId,
  orderId,
  tokenId: "tok",
  side: "BUY",
  priceE4: 4500,
  sizeE6: 10_000_000,
  feeE6: 0,
  liquidity: "maker",
  status,
  exchTsMs: NOW_MS - 30_000,
  ...over,
});

const input = (over: Partial<ReconcileInput>): ReconcileInput => ({
  nowMs: NOW_MS,
  intents: [],
  openOrders: [],
  trades: [],
  journaledFills: new Map(),
  journalPositions: new Map(),
  balances: null,
  ...over,
});

describe("reconcile planner", () => {
  test("a timed-out submit found live is adopted, never resent", () => {
    const plan = planReconcile(input({ intents: [intent("a", { state: "ambiguous" })], openOrders: [order("0xa", { matchedSizeE6: 0 })] }));
    expect(plan.actions).toEqual([{ kind: "adopt", clientId: "a", orderId: "0xa", remainingE6: 10_000_000, matchedE6: 0 }]);
    expect(plan.clean).toBe(true);
    expect(plan.summary.join("\n")).toContain("adopted live order 0xa for intent a (BUY 10 @ 0.45, ambiguous)");
  });

  test("a timed-out submit that filled is closed as filled and its fill recorded", () => {
    const plan = planReconcile(
      input({
        intents: [intent("a", { state: "ambiguous" })],
        trades: [trade("t1", "0xa", "CONFIRMED")],
        balances: { collateralE6: 0, positionsE6: new Map([["tok", 10_000_000]]) },
      }),
    );
    expect(plan.actions).toEqual([
      { kind: "record_fill", fill: trade("t1", "0xa", "CONFIRMED"), previous: null, knownOrder: true },
      { kind: "close_intent", clientId: "a", orderId: "0xa", reason: "filled", filledE6: 10_000_000 },
    ]);
    expect(plan.mismatches).toEqual([]);
    expect(plan.summary.join("\n")).toContain("recorded missed fill (CONFIRMED): trade t1 order 0xa, BUY 10 @ 0.45");
  });

  test("a timed-out submit not found: closed when old enough, rechecked while it may be in flight", () => {
    const old = planReconcile(input({ intents: [intent("a", { state: "ambiguous" })] }));
    expect(old.actions).toEqual([{ kind: "close_intent", clientId: "a", orderId: "0xa", reason: "not_found", filledE6: 0 }]);
    expect(old.summary.join("\n")).toContain("closed intent a (BUY 10 @ 0.45, ambiguous): not on the exchange and no fill");
    const young = planReconcile(input({ intents: [intent("b", { state: "pending", createdAtMs: NOW_MS - 2_000 })] }));
    expect(young.actions).toEqual([{ kind: "recheck", clientId: "b", orderId: "0xb", ageMs: 2_000 }]);
  });

  test("a live intent gone with a partial fill closes as partially filled", () => {
    const plan = planReconcile(input({ intents: [intent("a", { filledE6: 3_000_000 })] }));
    expect(plan.actions).toEqual([
      { kind: "close_intent", clientId: "a", orderId: "0xa", reason: "partially_filled_then_gone", filledE6: 3_000_000 },
    ]);
  });

  test("an intent journaled before its hash was known is matched by fingerprint", () => {
    const plan = planReconcile(
      input({
        intents: [intent("a", { orderHash: "", state: "pending" })],
        openOrders: [order("0xother", { priceE4: 4600 }), order("0xfound")],
      }),
    );
    expect(plan.actions).toContainEqual({ kind: "adopt", clientId: "a", orderId: "0xfound", remainingE6: 10_000_000, matchedE6: 0 });
    expect(plan.actions).toContainEqual({ kind: "cancel", orderId: "0xother", clientId: null, reason: "unknown_order" });
    expect(plan.actions).toHaveLength(2);
  });

  test("an unknown order on the exchange is cancelled, or adopted under that policy", () => {
    const inp = input({ openOrders: [order("0xstranger", { side: "SELL", priceE4: 5500 })] });
    const cancel = planReconcile(inp);
    expect(cancel.actions).toEqual([{ kind: "cancel", orderId: "0xstranger", clientId: null, reason: "unknown_order" }]);
    expect(cancel.summary.join("\n")).toContain("cancelling unknown live order 0xstranger (SELL 10 @ 0.55, token tok)");
    expect(cancel.clean).toBe(false);
    const adopt = planReconcile(inp, { ...DEFAULT_RECONCILE_POLICY, unknownOrders: "adopt" });
    expect(adopt.actions[0]).toMatchObject({
      kind: "adopt_unknown",
      intent: { clientId: "adopted:0xstranger", side: "SELL", priceE4: 5500 },
    });
  });

  test("a known order the policy no longer wants is cancelled", () => {
    const plan = planReconcile(input({ intents: [intent("a")], openOrders: [order("0xa")] }), {
      ...DEFAULT_RECONCILE_POLICY,
      keep: () => false,
    });
    expect(plan.actions).toEqual([{ kind: "cancel", orderId: "0xa", clientId: "a", reason: "unwanted" }]);
  });

  test("missed fills: new trades recorded, journaled ones skipped, status updates recorded once", () => {
    const plan = planReconcile(
      input({
        trades: [
          trade("t1", "0xa", "CONFIRMED"), // journaled as MATCHED → update
          trade("t2", "0xa", "MATCHED"), // already journaled → skip
          trade("t3", "0xz", "MATCHED", { sizeE6: 1_000_000 }), // never seen, unknown order
          trade("t3", "0xz", "MATCHED", { sizeE6: 1_000_000 }), // page overlap → once
          trade("t4", "0xa", "MINED"), // journaled CONFIRMED → stale, skip
        ],
        journaledFills: new Map<string, TradeStatus>([
          [fillKeyOf("t1", "0xa"), "MATCHED"],
          [fillKeyOf("t2", "0xa"), "MATCHED"],
          [fillKeyOf("t4", "0xa"), "CONFIRMED"],
        ]),
        isJournaledOrder: (id) => id === "0xa",
      }),
    );
    expect(plan.actions).toEqual([
      { kind: "record_fill", fill: trade("t1", "0xa", "CONFIRMED"), previous: "MATCHED", knownOrder: true },
      { kind: "record_fill", fill: trade("t3", "0xz", "MATCHED", { sizeE6: 1_000_000 }), previous: null, knownOrder: false },
    ]);
    expect(plan.summary.join("\n")).toContain("(order not in journal)");
  });

  test("position mismatch is flagged with the smallest correction; pending fills widen the band", () => {
    const positions = new Map([["tok", { tokenId: "tok", confirmedE6: 10_000_000, pendingE6: 5_000_000 }]]);
    const within = planReconcile(
      input({ journalPositions: positions, balances: { collateralE6: 0, positionsE6: new Map([["tok", 12_000_000]]) } }),
    );
    expect(within.mismatches).toEqual([]);
    const off = planReconcile(
      input({ journalPositions: positions, balances: { collateralE6: 0, positionsE6: new Map([["tok", 8_000_000]]) } }),
    );
    expect(off.mismatches).toEqual([
      {
        kind: "position",
        tokenId: "tok",
        journalConfirmedE6: 10_000_000,
        journalPendingE6: 5_000_000,
        exchangeE6: 8_000_000,
        adjustE6: -2_000_000,
      },
    ]);
    expect(off.summary.join("\n")).toContain("MISMATCH position token tok: journal 10 confirmed + 5 pending, exchange 8 (off by -2)");
    const unknownToJournal = planReconcile(input({ balances: { collateralE6: 0, positionsE6: new Map([["tok2", 1_000_000]]) } }));
    expect(unknownToJournal.mismatches[0]).toMatchObject({ kind: "position", tokenId: "tok2", adjustE6: 1_000_000 });
    expect(planReconcile(input({ journalPositions: positions })).summary.join("\n")).toContain("positions not checked");
  });

  test("a fill gap: the exchange has matched more of a live order than the journal knows", () => {
    const plan = planReconcile(
      input({ intents: [intent("a", { filledE6: 1_000_000 })], openOrders: [order("0xa", { matchedSizeE6: 4_000_000 })] }),
    );
    expect(plan.mismatches).toEqual([
      { kind: "fill_gap", orderId: "0xa", clientId: "a", exchangeMatchedE6: 4_000_000, journalFilledE6: 1_000_000 },
    ]);
    expect(plan.actions).toEqual([{ kind: "adopt", clientId: "a", orderId: "0xa", remainingE6: 6_000_000, matchedE6: 4_000_000 }]);
  });

  test("a fill that FAILED on the exchange takes the journal's pending size back out", () => {
    const plan = planReconcile(
      input({
        trades: [trade("t1", "0xa", "FAILED")],
        journaledFills: new Map<string, TradeStatus>([[fillKeyOf("t1", "0xa"), "MATCHED"]]),
        journalPositions: new Map([["tok", { tokenId: "tok", confirmedE6: 0, pendingE6: 10_000_000 }]]),
        balances: { collateralE6: 0, positionsE6: new Map([["tok", 0]]) },
      }),
    );
    expect(plan.mismatches).toEqual([]);
  });

  test("property: the plan never records a fill twice and never both adopts and closes one intent", () => {
    const statuses: TradeStatus[] = ["MATCHED", "MINED", "RETRYING", "CONFIRMED", "FAILED"];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.integer({ min: 0, max: 5 }),
            state: fc.constantFrom("pending", "ambiguous", "live") as fc.Arbitrary<OpenIntentView["state"]>,
            ageMs: fc.integer({ min: 0, max: 60_000 }),
          }),
          { maxLength: 6 },
        ),
        fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }),
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 4 }), o: fc.integer({ min: 0, max: 8 }), s: fc.constantFrom(...statuses) }), {
          maxLength: 12,
        }),
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 4 }), o: fc.integer({ min: 0, max: 8 }), s: fc.constantFrom(...statuses) }), {
          maxLength: 6,
        }),
        (ints, live, trades, journaled) => {
          const seen = new Set<number>();
          const intents = ints
            .filter((i) => !seen.has(i.id) && seen.add(i.id))
            .map((i) => intent(`c${i.id}`, { orderHash: `0x${i.id}`, state: i.state, createdAtMs: NOW_MS - i.ageMs }));
          const plan = planReconcile(
            input({
              intents,
              openOrders: [...new Set(live)].map((i) => order(`0x${i}`)),
              trades: trades.map((x) => trade(`t${x.t}`, `0x${x.o}`, x.s)),
              journaledFills: new Map(journaled.map((x) => [fillKeyOf(`t${x.t}`, `0x${x.o}`), x.s] as const)),
            }),
          );
          const recorded = plan.actions
            .filter((a) => a.kind === "record_fill")
            .map((a) => (a.kind === "record_fill" ? `${fillKeyOf(a.fill.tradeId, a.fill.orderId)}>${a.fill.status}` : ""));
          expect(new Set(recorded).size).toBe(recorded.length);
          for (const a of plan.actions) {
            if (a.kind !== "record_fill") continue;
            const prev = journaled.filter((x) => `t${x.t}` === a.fill.tradeId && `0x${x.o}` === a.fill.orderId);
            if (a.previous === null) expect(prev.length).toBe(0);
          }
          const perIntent = new Map<string, string[]>();
          for (const a of plan.actions) {
            if (a.kind === "adopt" || a.kind === "close_intent" || a.kind === "recheck" || (a.kind === "cancel" && a.clientId)) {
              const id = a.clientId as string;
              perIntent.set(id, [...(perIntent.get(id) ?? []), a.kind]);
            }
          }
          for (const i of intents) expect(perIntent.get(i.clientId)?.length).toBe(1);
        },
      ),
      { numRuns: 300, seed: 424242 },
    );
  });
});
