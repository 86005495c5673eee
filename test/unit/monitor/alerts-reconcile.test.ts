/**
 * `reconcileMismatchLines` (monitor/alert-events.ts): which startup-recovery outcomes are a
 * disagreement worth a critical alert, on plans made by the real `planReconcile`.
 */
import { describe, expect, test } from "bun:test";
import type { OpenOrderSnapshot } from "../../../src/core/ports.ts";
import { type OpenIntentView, planReconcile, type ReconcileInput } from "../../../src/engine/reconcile.ts";
import { reconcileMismatchAlert, reconcileMismatchLines } from "../../../src/monitor/alert-events.ts";

const NOW = 1_780_000_000_000;
const TOKEN = "1234567890123456789012345";
const policy = { unknownOrders: "cancel" as const, keep: () => false, settleMs: 10_000, positionToleranceE6: 0 };

const base = (over: Partial<ReconcileInput> = {}): ReconcileInput => ({
  nowMs: NOW,
  intents: [],
  openOrders: [],
  trades: [],
  journaledFills: new Map(),
  journalPositions: new Map(),
  balances: { collateralE6: 0, positionsE6: new Map() },
  ...over,
});
const order = (orderId: string): OpenOrderSnapshot => ({
  orderId,
  conditionId: "0xc",
  tokenId: TOKEN,
  side: "BUY",
  priceE4: 4_500,
  originalSizeE6: 5_000_000,
  matchedSizeE6: 0,
  createdAtSec: NOW / 1000 - 60,
});
const intent = (clientId: string, orderHash: string): OpenIntentView => ({
  clientId,
  orderHash,
  conditionId: "0xc",
  tokenId: TOKEN,
  side: "BUY",
  priceE4: 4_500,
  sizeE6: 5_000_000,
  orderType: "GTC",
  state: "live",
  createdAtMs: NOW - 60_000,
  filledE6: 0,
});

describe("reconcileMismatchLines", () => {
  test("a clean start and the sweep of our own journaled orders are not mismatches", () => {
    expect(reconcileMismatchLines({ plan: planReconcile(base(), policy), remainingIds: [] })).toEqual([]);
    // After a restart our journaled live order is cancelled as unwanted: the normal sweep.
    const own = planReconcile(base({ intents: [intent("mm-1", "0xaaa")], openOrders: [order("0xaaa")] }), policy);
    expect(own.actions.map((a) => a.kind)).toEqual(["cancel"]);
    expect(reconcileMismatchLines({ plan: own, remainingIds: [] })).toEqual([]);
  });

  test("a position the exchange does not hold is one line with both sides and the correction", () => {
    const plan = planReconcile(
      base({
        journalPositions: new Map([[TOKEN, { tokenId: TOKEN, confirmedE6: 5_000_000, pendingE6: 0 }]]),
        balances: { collateralE6: 0, positionsE6: new Map([[TOKEN, 0]]) },
      }),
      policy,
    );
    const lines = reconcileMismatchLines({ plan, remainingIds: [] });
    expect(lines).toEqual(["position of token 12345678…2345: journal 5 confirmed + 0 pending, exchange 0; journal corrected by -5"]);
    const alert = reconcileMismatchAlert(lines);
    expect(alert).toMatchObject({
      kind: "reconcile_mismatch",
      key: "reconcile",
      severity: "critical",
      title: "Reconcile found 1 mismatch(es) with the exchange",
    });
  });

  test("unknown live orders, unknown fills, matched size the journal missed and leftovers each give a line", () => {
    const plan = planReconcile(
      base({
        intents: [{ ...intent("mm-2", "0xbbb") }],
        openOrders: [{ ...order("0xbbb"), matchedSizeE6: 1_000_000 }, order("0xforeign")],
        trades: [
          {
            tradeId: "t-1",
            orderId: "0xother",
            tokenId: TOKEN,
            side: "BUY",
            priceE4: 4_000,
            sizeE6: 2_000_000,
            feeE6: 0,
            liquidity: "maker",
            status: "CONFIRMED",
            exchTsMs: NOW - 1_000,
          },
        ],
        balances: null,
      }),
      policy,
    );
    const lines = reconcileMismatchLines({ plan, remainingIds: ["0xforeign"] });
    expect(lines).toEqual([
      "order 0xbbb (mm-2): exchange matched 1, journal knew 0",
      "fill t-1 of order 0xother unknown to the journal (BUY 2)",
      "cancelled live order 0xforeign unknown to the journal",
      "1 order(s) still open after the startup sweep: 0xforeign",
    ]);
    const adopted = planReconcile(base({ openOrders: [order("0xforeign")] }), { ...policy, unknownOrders: "adopt" });
    expect(reconcileMismatchLines({ plan: adopted, remainingIds: [] })).toEqual([
      "adopted live order 0xforeign unknown to the journal (BUY 5)",
    ]);
  });
});
