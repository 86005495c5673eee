/**
 * Shares held by our own SELLs: a resting SELL keeps its shares at the exchange until the
 * exchange confirms it gone, so a replacement SELL sent while the old one is pending or its
 * cancel is in flight is refused (INSUFFICIENT_BALANCE). `OrderManager.reservedSellE6` says
 * what our SELLs hold; `applyQuotes(…, fitSell)` shows every SELL it is about to place to the
 * caller with that number (`fitPlacedSells`), which sizes, swaps or drops it.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import type { Side } from "../../../src/core/ports.ts";
import { OrderManager } from "../../../src/engine/order-manager.ts";
import {
  type DesiredQuote,
  fitPlacedSells,
  type LiveQuote,
  reconcileQuotes,
  type SellFitter,
} from "../../../src/engine/quote-reconcile.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";

const M = 1_000_000;
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

/** The policy under test in the bot, reduced: sell what is free, else buy the other token. */
const heldFitter =
  (held: Readonly<Record<string, number>>): SellFitter =>
  (q, reservedE6) =>
    q.sizeE6 <= (held[q.tokenId] ?? 0) - reservedE6
      ? q
      : { ...q, tokenId: q.tokenId === "Y" ? "N" : "Y", side: "BUY", priceE4: 10_000 - q.priceE4 };

describe("fitPlacedSells (pure)", () => {
  test("only SELLs the plan places are shown to the fitter, with what other SELLs of the token hold", () => {
    const desired = [dq("Y", "BUY", 4800, 10 * M), dq("N", "SELL", 5200, 10 * M), dq("Y", "SELL", 5300, 10 * M)];
    const live = [lq("a", "N", "SELL", 5200, 10 * M), lq("b", "Y", "SELL", 5200, 10 * M, true)];
    const plan = reconcileQuotes(desired, live);
    expect(plan.keep).toEqual(["a"]);
    const seen: Array<[string, number]> = [];
    const out = fitPlacedSells(
      desired,
      plan,
      (t) => (t === "Y" ? 10 * M : 0),
      (q, r) => {
        seen.push([`${q.tokenId} ${q.side} ${q.priceE4}`, r]);
        return heldFitter({ Y: 10 * M })(q, r);
      },
    );
    expect(seen).toEqual([["Y SELL 5300", 10 * M]]); // the kept NO SELL and the BUY are not shown
    expect(out).toEqual([dq("Y", "BUY", 4800, 10 * M), dq("N", "SELL", 5200, 10 * M), dq("N", "BUY", 4700, 10 * M)]);
  });

  test("a SELL fitted earlier in the same plan counts as held; null drops the quote", () => {
    const desired = [dq("Y", "SELL", 5300, 6 * M), dq("Y", "SELL", 5400, 6 * M)];
    const plan = reconcileQuotes(desired, []);
    const reserved: number[] = [];
    const out = fitPlacedSells(
      desired,
      plan,
      () => 0,
      (q, r) => {
        reserved.push(r);
        return r === 0 ? q : null;
      },
    );
    expect(reserved).toEqual([0, 6 * M]);
    expect(out).toEqual([dq("Y", "SELL", 5300, 6 * M)]);
  });

  test("property: with a sell-only-what-is-free fitter, SELLs placed + held by live SELLs never exceed the shares", () => {
    const level = fc.record({
      token: fc.constantFrom("Y", "N"),
      side: fc.constantFrom<Side>("BUY", "SELL"),
      price: fc.integer({ min: 1, max: 99 }),
      size: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.array(level, { maxLength: 6 }),
        fc.array(fc.tuple(level, fc.boolean()), { maxLength: 6 }),
        fc.nat(60),
        fc.nat(60),
        (want, have, heldY, heldN) => {
          const held: Record<string, number> = { Y: heldY * M, N: heldN * M };
          const live = have.map(([l, c], i) => lq(`o${i}`, l.token, l.side, l.price * 100, l.size * M, c));
          // Naive reference of what live SELLs hold: every one not yet closed, cancelling or not.
          const reservedOf = (t: string) => live.filter((o) => o.side === "SELL" && o.tokenId === t).reduce((a, o) => a + o.remainingE6, 0);
          const desired = want.map((l) => dq(l.token, l.side, l.price * 100, l.size * M));
          const plan = reconcileQuotes(
            fitPlacedSells(desired, reconcileQuotes(desired, live), reservedOf, (q, r) =>
              q.sizeE6 <= (held[q.tokenId] ?? 0) - r ? q : null,
            ),
            live,
          );
          for (const t of ["Y", "N"]) {
            const placed = plan.place.filter((q) => q.side === "SELL" && q.tokenId === t).reduce((a, q) => a + q.sizeE6, 0);
            if (placed > 0) expect(placed + reservedOf(t)).toBeLessThanOrEqual(held[t] ?? 0);
          }
        },
      ),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe("OrderManager: shares held by our SELLs", () => {
  function setup() {
    const clock = new ManualClock();
    const ex = new FakeExchange();
    let n = 0;
    const om = new OrderManager({ exchange: ex, clock, newClientId: () => `c${++n}` });
    return { clock, ex, om };
  }

  test("pending, live and cancelling SELLs hold their rest; partial fills and closes release it", () => {
    const { ex, om } = setup();
    om.applyQuotes("c", [dq("Y", "SELL", 5200, 10 * M), dq("Y", "BUY", 4800, 10 * M)]);
    expect(om.reservedSellE6("Y")).toBe(10 * M); // pending: no ack yet
    expect(om.reservedSellE6("N")).toBe(0);
    ex.emit({ kind: "ack", clientId: "c1", orderId: "o1", status: "live", atNs: 0 });
    ex.emit({
      kind: "fill",
      tradeId: "t1",
      orderId: "o1",
      tokenId: "Y",
      side: "SELL",
      priceE4: 5200,
      sizeE6: 4 * M,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    expect(om.reservedSellE6("Y")).toBe(6 * M);
    om.cancelOrders(["c1"]);
    expect(om.reservedSellE6("Y")).toBe(6 * M); // the cancel is in flight: still held
    ex.emit({ kind: "order_closed", orderId: "o1", reason: "cancelled", atNs: 0 });
    expect(om.reservedSellE6("Y")).toBe(0);
  });

  test("a replacement SELL while the old one is pending goes out as the fitter decides; the old one is cancelled on its ack", () => {
    const { ex, om } = setup();
    const fit = heldFitter({ Y: 10 * M });
    om.applyQuotes("c", [dq("Y", "SELL", 5200, 10 * M)], fit);
    expect(ex.placed().map((i) => `${i.tokenId} ${i.side} ${i.priceE4}`)).toEqual(["Y SELL 5200"]);
    // Requote before the ack: the old SELL still holds all 10 shares.
    const plan = om.applyQuotes("c", [dq("Y", "SELL", 5300, 10 * M)], fit);
    expect(plan.place).toEqual([dq("N", "BUY", 4700, 10 * M)]);
    expect(ex.placed().map((i) => `${i.tokenId} ${i.side} ${i.priceE4}`)).toEqual(["Y SELL 5200", "N BUY 4700"]);
    ex.emit({ kind: "ack", clientId: "c1", orderId: "o1", status: "live", atNs: 0 });
    expect(ex.calls.at(-1)).toEqual({ op: "cancel", orderIds: ["o1"] });
    // Same quote again: the live BUY substitute is kept, nothing is sent.
    const again = om.applyQuotes("c", [dq("Y", "SELL", 5300, 10 * M)], fit);
    expect(again.place).toEqual([]);
    expect(again.cancel).toEqual([]);
    // Once the old SELL is confirmed gone, the SELL goes out and the substitute is cancelled.
    ex.emit({ kind: "ack", clientId: "c2", orderId: "o2", status: "live", atNs: 0 });
    ex.emit({ kind: "order_closed", orderId: "o1", reason: "cancelled", atNs: 0 });
    const back = om.applyQuotes("c", [dq("Y", "SELL", 5400, 10 * M)], fit);
    expect(back.place).toEqual([dq("Y", "SELL", 5400, 10 * M)]);
    expect(back.cancel).toEqual(["c2"]);
  });

  test("without a fitter nothing changes (other callers keep the old behaviour)", () => {
    const { ex, om } = setup();
    om.applyQuotes("c", [dq("Y", "SELL", 5200, 10 * M)]);
    om.applyQuotes("c", [dq("Y", "SELL", 5300, 10 * M)]);
    expect(ex.placed().map((i) => `${i.tokenId} ${i.side} ${i.priceE4}`)).toEqual(["Y SELL 5200", "Y SELL 5300"]);
  });
});
