import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import type { OpenOrderSnapshot, TradeStatus } from "../../../src/core/ports.ts";
import { type OrderJournal, OrderManager } from "../../../src/engine/order-manager.ts";
import type { OrderState } from "../../../src/engine/order-state.ts";
import { FakeExchange, settleMicrotasks, withoutFetchOrder } from "../../helpers/fake-exchange.ts";
import { intentFactory } from "../../helpers/order-intents.ts";

const CID = "0xcond";
const TOKEN = "111";

const intent = intentFactory({ conditionId: CID, tokenId: TOKEN });

/** The venue's view of `intent(…)` resting under `orderId`. */
const snapshot = (orderId: string, over: Partial<OpenOrderSnapshot> = {}): OpenOrderSnapshot => ({
  orderId,
  conditionId: CID,
  tokenId: TOKEN,
  side: "BUY",
  priceE4: 4_500,
  originalSizeE6: 10_000_000,
  matchedSizeE6: 0,
  createdAtSec: 0,
  ...over,
});

function setup(opts: { withFetchOrder?: boolean } = {}) {
  const clock = new ManualClock();
  const ex = new FakeExchange();
  const log: string[] = [];
  const journal: OrderJournal = {
    intent: (i) => log.push(`intent:${i.clientId}`),
    ack: (c, o, s) => log.push(`ack:${c}:${o}:${s}`),
    reject: (c, _o, code) => log.push(`reject:${c}:${code}`),
    fill: (f) => log.push(`fill:${f.tradeId}:${f.status}`),
    cancel: (c) => log.push(`cancel:${c}`),
    closed: (c, _o, st) => log.push(`closed:${c}:${st}`),
  };
  const origPlace = ex.place.bind(ex);
  ex.place = (intents) => {
    log.push(`send:${intents.map((i) => i.clientId).join(",")}`);
    origPlace(intents);
  };
  const exchange = (opts.withFetchOrder ?? true) ? ex : withoutFetchOrder(ex);
  const om = new OrderManager({
    exchange,
    clock,
    journal,
    pendingTimeoutMs: 10_000,
    unknownOrderGraceMs: 3_000,
    lookupRetryMs: 1_000,
    lookupAttempts: 3,
  });
  const at = () => clock.nowNs();
  const ack = (clientId: string, orderId: string, status: "live" | "matched" | "delayed" | "unmatched" = "live") =>
    ex.emit({ kind: "ack", clientId, orderId, status, atNs: at() });
  const fill = (
    orderId: string,
    tradeId: string,
    sizeE6: number,
    status: TradeStatus = "MATCHED",
    priceE4 = 4_500,
    side: "BUY" | "SELL" = "BUY",
  ) =>
    ex.emit({
      kind: "fill",
      tradeId,
      orderId,
      tokenId: TOKEN,
      side,
      priceE4,
      sizeE6,
      feeE6: 0,
      liquidity: "maker",
      status,
      exchTsMs: 0,
      atNs: at(),
    });
  const closed = (orderId: string, reason: "cancelled" | "expired" | "filled" | "market_closed") =>
    ex.emit({ kind: "order_closed", orderId, reason, atNs: at() });
  return { clock, ex, om, log, ack, fill, closed };
}

describe("OrderManager state machine", () => {
  test("pending → live on ack; journal is written before the order is sent", () => {
    const { ex, om, log, ack } = setup();
    const v = om.submitOrder(intent("a"));
    expect(v.state).toBe("pending");
    expect(v.orderId).toBe("");
    expect(log).toEqual(["intent:a", "send:a"]);
    ack("a", "0xh1");
    expect(om.getOrder("a")?.state).toBe("live");
    expect(om.getOrder("a")?.orderId).toBe("0xh1");
    expect(ex.count("place")).toBe(1);
    expect(log.at(-1)).toBe("ack:a:0xh1:live");
  });

  test("pending → rejected keeps the exchange's code and message", () => {
    const { ex, om } = setup();
    om.submitOrder(intent("a"));
    ex.emit({
      kind: "reject",
      clientId: "a",
      orderId: "0xh1",
      code: "INSUFFICIENT_BALANCE",
      message: "not enough balance / allowance",
      atNs: 0,
    });
    const o = om.getOrder("a");
    expect(o?.state).toBe("rejected");
    expect(o?.rejectCode).toBe("INSUFFICIENT_BALANCE");
    expect(o?.message).toBe("not enough balance / allowance");
    expect(om.getActiveOrders()).toHaveLength(0);
  });

  test("a duplicate intent is never submitted twice, even after a reject", () => {
    const { ex, om } = setup();
    om.submitOrder(intent("a"));
    om.submitOrder(intent("a"));
    ex.emit({ kind: "reject", clientId: "a", orderId: "", code: "POST_ONLY_CROSS", message: "x", atNs: 0 });
    const again = om.submitOrder(intent("a", { priceE4: 4_400 }));
    expect(again.state).toBe("rejected");
    expect(ex.count("place")).toBe(1);
    expect(om.stats.duplicateIntents).toBe(2);
  });

  test("live → partially filled → filled, average price and fees", () => {
    const { ex, om, ack } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    ex.emit({
      kind: "fill",
      tradeId: "t1",
      orderId: "0xh1",
      tokenId: TOKEN,
      side: "BUY",
      priceE4: 4_500,
      sizeE6: 4_000_000,
      feeE6: 10_000,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    expect(om.getOrder("a")?.state).toBe("partially_filled");
    ex.emit({
      kind: "fill",
      tradeId: "t2",
      orderId: "0xh1",
      tokenId: TOKEN,
      side: "BUY",
      priceE4: 4_400,
      sizeE6: 6_000_000,
      feeE6: 5_000,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    const o = om.getOrder("a");
    expect(o?.state).toBe("filled");
    expect(o?.filledE6).toBe(10_000_000);
    expect(o?.notionalE6).toBe(1_800_000 + 2_640_000);
    expect(o?.feesE6).toBe(15_000);
    const p = om.position(TOKEN);
    expect(p.netE6).toBe(10_000_000);
    expect(p.costE6).toBe(4_440_000);
    expect(p.feesE6).toBe(15_000);
  });

  test("trade MATCHED → MINED → CONFIRMED moves status only; repeats are ignored", () => {
    const { om, ack, fill } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    fill("0xh1", "t1", 10_000_000, "MATCHED");
    fill("0xh1", "t1", 10_000_000, "MATCHED");
    fill("0xh1", "t1", 10_000_000, "MINED");
    expect(om.getOrder("a")?.confirmedE6).toBe(0);
    fill("0xh1", "t1", 10_000_000, "CONFIRMED");
    fill("0xh1", "t1", 10_000_000, "FAILED"); // after CONFIRMED: final, ignored
    const o = om.getOrder("a");
    expect(o?.filledE6).toBe(10_000_000);
    expect(o?.confirmedE6).toBe(10_000_000);
    expect(o?.fills[0]?.status).toBe("CONFIRMED");
    expect(om.position(TOKEN).netE6).toBe(10_000_000);
    expect(om.position(TOKEN).confirmedNetE6).toBe(10_000_000);
    expect(om.stats.fills).toBe(1);
  });

  test("a FAILED trade after MATCHED reverses the fill: filled → live, position back to zero", () => {
    const { om, ack, fill } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    fill("0xh1", "t1", 10_000_000, "MATCHED");
    expect(om.getOrder("a")?.state).toBe("filled");
    fill("0xh1", "t1", 10_000_000, "RETRYING");
    fill("0xh1", "t1", 10_000_000, "FAILED");
    const o = om.getOrder("a");
    expect(o?.state).toBe("live");
    expect(o?.filledE6).toBe(0);
    expect(o?.notionalE6).toBe(0);
    expect(om.position(TOKEN).netE6).toBe(0);
    expect(om.position(TOKEN).costE6).toBe(0);
    expect(om.stats.failedTrades).toBe(1);
    expect(om.getActiveOrders()).toHaveLength(1);
  });

  test("a FAILED trade on a partially filled order that was then cancelled stays cancelled", () => {
    const { om, ack, fill, closed } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    fill("0xh1", "t1", 3_000_000);
    fill("0xh1", "t2", 2_000_000);
    closed("0xh1", "cancelled");
    fill("0xh1", "t2", 2_000_000, "FAILED");
    const o = om.getOrder("a");
    expect(o?.state).toBe("cancelled");
    expect(o?.filledE6).toBe(3_000_000);
    expect(om.position(TOKEN).netE6).toBe(3_000_000);
  });

  test("partial fill then cancel: cancel is sent by exchange id, the fill is kept", () => {
    const { ex, om, ack, fill, closed, log } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    fill("0xh1", "t1", 4_000_000);
    om.cancelOrders(["a"]);
    expect(ex.cancelled()).toEqual(["0xh1"]);
    expect(om.getOrder("a")?.cancelRequested).toBe(true);
    expect(log).toContain("cancel:a");
    om.cancelOrders(["a"]); // already in flight: not sent twice
    expect(ex.cancelled()).toEqual(["0xh1"]);
    closed("0xh1", "cancelled");
    const o = om.getOrder("a");
    expect(o?.state).toBe("cancelled");
    expect(o?.filledE6).toBe(4_000_000);
    expect(o?.cancelRequested).toBe(false);
    expect(om.position(TOKEN).netE6).toBe(4_000_000);
    // A fill that raced the cancel still counts; it completes the order.
    fill("0xh1", "t9", 6_000_000);
    expect(om.getOrder("a")?.state).toBe("filled");
  });

  test("fill before ack: position at once, attached to the order on ack", () => {
    const { om, ack, fill } = setup();
    om.submitOrder(intent("a"));
    fill("0xh1", "t1", 4_000_000);
    expect(om.position(TOKEN).netE6).toBe(4_000_000);
    expect(om.getOrder("a")?.state).toBe("pending");
    ack("a", "0xh1");
    const o = om.getOrder("a");
    expect(o?.state).toBe("partially_filled");
    expect(o?.filledE6).toBe(4_000_000);
    expect(om.position(TOKEN).netE6).toBe(4_000_000);
  });

  test("close before ack is applied on ack; the order is not taken for an orphan", () => {
    const { clock, ex, om, ack, closed } = setup();
    om.submitOrder(intent("a"));
    closed("0xh1", "expired");
    ack("a", "0xh1");
    expect(om.getOrder("a")?.state).toBe("expired");
    clock.advanceBy(10_000);
    expect(ex.cancelled()).toEqual([]);
  });

  test("order_closed reasons: expired → expired, market_closed → cancelled, filled → filled", () => {
    const { om, ack, closed, fill } = setup();
    om.submitOrders([intent("a"), intent("b"), intent("c")]);
    ack("a", "0xa");
    ack("b", "0xb");
    ack("c", "0xc");
    closed("0xa", "expired");
    closed("0xb", "market_closed");
    fill("0xc", "t1", 10_000_000);
    closed("0xc", "filled");
    expect(om.getOrder("a")?.state).toBe("expired");
    expect(om.getOrder("b")?.state).toBe("cancelled");
    expect(om.getOrder("c")?.state).toBe("filled");
  });

  test("late ack or reject for a terminal order is ignored", () => {
    const { ex, om, ack, closed } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    closed("0xh1", "cancelled");
    ack("a", "0xh1");
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xh1", code: "UNKNOWN", message: "", atNs: 0 });
    expect(om.getOrder("a")?.state).toBe("cancelled");
    expect(om.stats.ignoredEvents).toBe(2);
  });

  test("FOK acked unmatched is killed (cancelled); GTC acked unmatched rests", () => {
    const { om, ack } = setup();
    om.submitOrders([intent("f", { orderType: "FOK", postOnly: false }), intent("g")]);
    ack("f", "0xf", "unmatched");
    ack("g", "0xg", "unmatched");
    expect(om.getOrder("f")?.state).toBe("cancelled");
    expect(om.getOrder("g")?.state).toBe("live");
  });

  test("FAK closed with its matched size waits for those fills, then is cancelled (remainder killed)", () => {
    const { ex, om, ack, fill, log } = setup();
    om.submitOrder(intent("k", { orderType: "FAK", postOnly: false, sizeE6: 10_000_000 }));
    ack("k", "0xk", "matched");
    ex.emit({ kind: "order_closed", orderId: "0xk", reason: "cancelled", matchedE6: 4_000_000, atNs: 1 });
    // The 4 shares are still in flight: a strategy waiting on the order must not act yet.
    expect(om.getOrder("k")?.state).toBe("live");
    expect(om.getActiveOrders()).toHaveLength(1);
    fill("0xk", "t1", 4_000_000);
    const o = om.getOrder("k");
    expect(o?.state).toBe("cancelled");
    expect(o?.filledE6).toBe(4_000_000);
    expect(om.getActiveOrders()).toHaveLength(0);
    expect(om.reservedSellE6(TOKEN)).toBe(0);
    expect(log.at(-1)).toBe("closed:k:cancelled");
  });

  test("FAK partly filled with no close from the venue is closed after takerSettleMs; a later fill still counts", () => {
    const { clock, om, ack, fill } = setup();
    om.submitOrder(intent("k", { orderType: "FAK", postOnly: false, sizeE6: 10_000_000 }));
    ack("k", "0xk", "matched");
    clock.advanceBy(1_000);
    fill("0xk", "t1", 3_000_000);
    // The fill pushed the deadline back: 4.9 s after it the order is still open.
    clock.advanceBy(4_900);
    expect(om.getOrder("k")?.state).toBe("partially_filled");
    clock.advanceBy(200);
    expect(om.getOrder("k")?.state).toBe("cancelled");
    expect(om.stats.takerRemaindersClosed).toBe(1);
    fill("0xk", "t2", 1_000_000);
    expect(om.getOrder("k")?.filledE6).toBe(4_000_000);
    expect(om.getOrder("k")?.state).toBe("cancelled");
    expect(om.position(TOKEN).netE6).toBe(4_000_000);
  });

  test("a FAK filled in full drops its deadline (a stale one re-fired the timer forever)", () => {
    const { clock, om, ack, fill } = setup();
    om.submitOrder(intent("k", { orderType: "FAK", postOnly: false, sizeE6: 2_000_000 }));
    ack("k", "0xk", "matched");
    fill("0xk", "t1", 2_000_000);
    expect(om.getOrder("k")?.state).toBe("filled");
    expect(om.nextDeadlineNs()).toBe(Number.POSITIVE_INFINITY);
    clock.advanceBy(10_000);
    expect(om.stats.takerRemaindersClosed).toBe(0);
  });

  test("a GTC order is never closed by the taker deadline", () => {
    const { clock, om, ack, fill } = setup();
    om.submitOrder(intent("g"));
    ack("g", "0xg", "matched");
    fill("0xg", "t1", 1_000_000);
    clock.advanceBy(60_000);
    expect(om.getOrder("g")?.state).toBe("partially_filled");
    expect(om.stats.takerRemaindersClosed).toBe(0);
  });

  test("cancel while pending is sent once the exchange id is known", () => {
    const { ex, om, ack } = setup();
    om.submitOrder(intent("a"));
    om.cancelOrders(["a"]);
    expect(ex.count("cancel")).toBe(0);
    ack("a", "0xh1");
    expect(ex.cancelled()).toEqual(["0xh1"]);
  });

  test("cancel_failed clears the in-flight flag so the next plan can retry", () => {
    const { ex, om, ack } = setup();
    om.submitOrder(intent("a"));
    ack("a", "0xh1");
    om.cancelOrders(["a"]);
    ex.emit({ kind: "cancel_failed", orderId: "0xh1", message: "order can't be found", atNs: 0 });
    expect(om.getOrder("a")?.cancelRequested).toBe(false);
    expect(om.getOrder("a")?.state).toBe("live");
  });

  test("cancelAll sends one cancel-all and flags every active order", () => {
    const { ex, om, ack } = setup();
    om.submitOrders([intent("a"), intent("b")]);
    ack("a", "0xa");
    om.cancelAll();
    expect(ex.count("cancelAll")).toBe(1);
    expect(om.getOrder("a")?.cancelRequested).toBe(true);
    expect(om.getOrder("b")?.cancelOnAck).toBe(true);
  });

  test("getActiveOrders filters by market", () => {
    const { om } = setup();
    om.submitOrders([intent("a"), intent("b", { conditionId: "0xother" })]);
    expect(
      om
        .getActiveOrders()
        .map((o) => o.intent.clientId)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(om.getActiveOrders("0xother").map((o) => o.intent.clientId)).toEqual(["b"]);
  });

  test("preSignOrders warms the venue", () => {
    const { ex, om } = setup();
    om.preSignOrders([intent("a")]);
    expect(ex.count("prepare")).toBe(1);
    expect(ex.count("place")).toBe(0);
  });
});

describe("ambiguous submits and orphans", () => {
  test("an ambiguous submit timeout is resolved by looking the order up by its hash (found live)", async () => {
    const { ex, om } = setup();
    om.submitOrder(intent("a"));
    ex.orders.set("0xhash", { ...snapshot("0xhash"), status: "live" });
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xhash", code: "TIMEOUT_AMBIGUOUS", message: "request timed out", atNs: 0 });
    expect(om.getOrder("a")?.state).toBe("unknown");
    await settleMicrotasks();
    expect(ex.calls.find((c) => c.op === "fetchOrder")).toEqual({ op: "fetchOrder", orderId: "0xhash" });
    expect(om.getOrder("a")?.state).toBe("live");
    expect(om.getOrder("a")?.orderId).toBe("0xhash");
    expect(ex.count("place")).toBe(1);
    expect(om.stats.ambiguousResolvedLive).toBe(1);
    expect(ex.cancelled()).toEqual([]);
  });

  test("an ambiguous submit not found after N lookups is rejected; if it surfaces later it is cancelled", async () => {
    const { clock, ex, om, fill } = setup();
    om.submitOrder(intent("a"));
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xhash", code: "TIMEOUT_AMBIGUOUS", message: "timeout", atNs: 0 });
    await settleMicrotasks();
    expect(om.getOrder("a")?.state).toBe("unknown");
    clock.advanceBy(1_000);
    await settleMicrotasks();
    clock.advanceBy(1_000);
    await settleMicrotasks();
    expect(ex.count("fetchOrder")).toBe(3);
    expect(om.getOrder("a")?.state).toBe("rejected");
    expect(om.getOrder("a")?.rejectCode).toBe("TIMEOUT_AMBIGUOUS");
    expect(om.stats.ambiguousResolvedAbsent).toBe(1);
    // It reached the exchange after all: the fill counts and the rest is cancelled.
    fill("0xhash", "t1", 2_000_000);
    expect(om.getOrder("a")?.state).toBe("partially_filled");
    expect(om.position(TOKEN).netE6).toBe(2_000_000);
    expect(ex.cancelled()).toEqual(["0xhash"]);
    expect(ex.count("place")).toBe(1);
  });

  test("an event resolving the order during the lookup wins", async () => {
    const { ex, om, ack } = setup();
    om.submitOrder(intent("a"));
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xhash", code: "TIMEOUT_AMBIGUOUS", message: "timeout", atNs: 0 });
    ack("a", "0xhash");
    await settleMicrotasks();
    expect(om.getOrder("a")?.state).toBe("live");
    expect(om.stats.ambiguousResolvedAbsent).toBe(0);
  });

  test("a failing lookup is retried, never resent", async () => {
    const { clock, ex, om } = setup();
    ex.lookupError = new Error("503");
    om.submitOrder(intent("a"));
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xhash", code: "TIMEOUT_AMBIGUOUS", message: "timeout", atNs: 0 });
    await settleMicrotasks();
    clock.advanceBy(1_000);
    await settleMicrotasks();
    expect(om.stats.lookupErrors).toBe(2);
    expect(om.getOrder("a")?.state).toBe("unknown");
    ex.lookupError = undefined;
    ex.orders.set("0xhash", { ...snapshot("0xhash"), status: "live" });
    clock.advanceBy(1_000);
    await settleMicrotasks();
    expect(om.getOrder("a")?.state).toBe("live");
    expect(ex.count("place")).toBe(1);
  });

  test("lookup falls back to the open orders when the venue has no fetchOrder", async () => {
    const { ex, om } = setup({ withFetchOrder: false });
    om.submitOrder(intent("a"));
    ex.open = [snapshot("0xhash")];
    ex.emit({ kind: "reject", clientId: "a", orderId: "0xhash", code: "TIMEOUT_AMBIGUOUS", message: "timeout", atNs: 0 });
    await settleMicrotasks();
    expect(ex.count("fetchOpenOrders")).toBe(1);
    expect(om.getOrder("a")?.state).toBe("live");
  });

  test("a pending order stuck past the timeout is found by fingerprint and cancelled", async () => {
    const { clock, ex, om } = setup();
    om.submitOrder(intent("a"));
    ex.open = [snapshot("0xstuck")];
    clock.advanceBy(9_999);
    expect(om.getOrder("a")?.state).toBe("pending");
    clock.advanceBy(1);
    await settleMicrotasks();
    expect(om.stats.stuckPending).toBe(1);
    expect(om.getOrder("a")?.orderId).toBe("0xstuck");
    expect(ex.cancelled()).toEqual(["0xstuck"]);
    expect(ex.count("place")).toBe(1);
  });

  test("a stuck pending order that is nowhere is rejected, not resent", async () => {
    const { clock, ex, om } = setup();
    om.submitOrder(intent("a"));
    clock.advanceBy(10_000);
    await settleMicrotasks();
    clock.advanceBy(1_000);
    await settleMicrotasks();
    clock.advanceBy(1_000);
    await settleMicrotasks();
    expect(om.getOrder("a")?.state).toBe("rejected");
    expect(ex.count("place")).toBe(1);
  });

  test("events for an order we did not place are cancelled after the grace period", () => {
    const { clock, ex, om, ack, fill } = setup();
    ack("stranger", "0xorphan");
    fill("0xorphan2", "t1", 1_000_000);
    clock.advanceBy(2_999);
    expect(ex.cancelled()).toEqual([]);
    clock.advanceBy(1);
    expect(ex.cancelled().sort()).toEqual(["0xorphan", "0xorphan2"]);
    expect(om.stats.orphansCancelled).toBe(2);
    expect(om.position(TOKEN).netE6).toBe(1_000_000);
  });

  test("syncOpenOrders cancels unknown open orders and closes ours that vanished", () => {
    const { clock, ex, om, ack } = setup();
    om.submitOrders([intent("a"), intent("b"), intent("c", { priceE4: 4_000 })]);
    ack("a", "0xa");
    ack("b", "0xb");
    clock.advanceBy(5_000);
    // 0xc matches pending c's fingerprint: left alone; 0xzz is nobody's.
    const r = om.syncOpenOrders([snapshot("0xa"), snapshot("0xzz", { priceE4: 3_000 }), snapshot("0xc", { priceE4: 4_000 })]);
    expect(r.orphans).toEqual(["0xzz"]);
    expect(r.closed).toEqual(["b"]);
    expect(om.getOrder("b")?.state).toBe("cancelled");
    expect(ex.cancelled()).toEqual(["0xzz"]);
  });
});

describe("applyQuotes", () => {
  test("keeps matching orders, cancels the rest in one call, places the new ones in one call", () => {
    const { ex, om, ack } = setup();
    om.submitOrders([intent("a", { priceE4: 4_500 }), intent("b", { priceE4: 4_400 }), intent("c", { side: "SELL", priceE4: 5_500 })]);
    ack("a", "0xa");
    ack("b", "0xb");
    ack("c", "0xc");
    const plan = om.applyQuotes(CID, [
      { conditionId: CID, tokenId: TOKEN, side: "BUY", priceE4: 4_500, sizeE6: 10_000_000 },
      { conditionId: CID, tokenId: TOKEN, side: "SELL", priceE4: 5_400, sizeE6: 10_000_000 },
      { conditionId: CID, tokenId: TOKEN, side: "SELL", priceE4: 5_500, sizeE6: 10_000_000 },
    ]);
    expect([...plan.keep].sort()).toEqual(["a", "c"]);
    expect(plan.cancel).toEqual(["b"]);
    expect(ex.cancelled()).toEqual(["0xb"]);
    expect(ex.count("place")).toBe(2); // the first submitOrders and one batch now
    const last = ex.placed().at(-1);
    expect(last?.priceE4).toBe(5_400);
    expect(last?.postOnly).toBe(true);
  });
});

// ── model-based: any order of place / ack / reject / fill / status / close / cancel ──

interface ModelOrder {
  submitted: boolean;
  acked: boolean;
  rejected: boolean;
  trades: Map<number, { size: number; status: TradeStatus }>;
  close: "" | "cancelled" | "expired";
}

const SIZE = 10_000_000;
const N_ORDERS = 3;

/** The naive reference: state from plain facts, no event-order subtleties beyond "rejected only before ack". */
function modelState(m: ModelOrder): OrderState {
  if (m.rejected) return "rejected";
  if (!m.acked) return "pending";
  let filled = 0;
  for (const t of m.trades.values()) if (t.status !== "FAILED") filled += t.size;
  if (filled >= SIZE) return "filled";
  if (m.close !== "") return m.close;
  return filled > 0 ? "partially_filled" : "live";
}

function modelCounted(m: ModelOrder): number {
  let filled = 0;
  for (const t of m.trades.values()) if (t.status !== "FAILED") filled += t.size;
  return filled;
}

const FINAL = new Set<TradeStatus>(["CONFIRMED", "FAILED"]);

test("model-based: the manager agrees with a naive model under any event order", () => {
  const cmd = fc.oneof(
    fc.record({ op: fc.constant("submit" as const), i: fc.nat(N_ORDERS - 1) }),
    fc.record({ op: fc.constant("ack" as const), i: fc.nat(N_ORDERS - 1) }),
    fc.record({ op: fc.constant("reject" as const), i: fc.nat(N_ORDERS - 1) }),
    fc.record({
      op: fc.constant("fill" as const),
      i: fc.nat(N_ORDERS - 1),
      trade: fc.nat(3),
      size: fc.constantFrom(1_000_000, 2_500_000, 5_000_000),
      status: fc.constantFrom<TradeStatus>("MATCHED", "MINED", "CONFIRMED", "RETRYING", "FAILED"),
    }),
    fc.record({
      op: fc.constant("close" as const),
      i: fc.nat(N_ORDERS - 1),
      reason: fc.constantFrom("cancelled" as const, "expired" as const),
    }),
    fc.record({ op: fc.constant("cancel" as const), i: fc.nat(N_ORDERS - 1) }),
  );
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 40 }), (cmds) => {
      const { ex, om } = setup();
      const model: ModelOrder[] = Array.from({ length: N_ORDERS }, () => ({
        submitted: false,
        acked: false,
        rejected: false,
        trades: new Map(),
        close: "",
      }));
      // Per order: once its fate is decided (acked or rejected) the other outcome is never generated.
      for (const c of cmds) {
        const m = model[c.i] as ModelOrder;
        const cid = `c${c.i}`;
        const oid = `0x${c.i}`;
        switch (c.op) {
          case "submit":
            om.submitOrder(intent(cid));
            m.submitted = true;
            break;
          case "ack":
            if (!m.submitted || m.rejected) break;
            ex.emit({ kind: "ack", clientId: cid, orderId: oid, status: "live", atNs: 0 });
            m.acked = true;
            break;
          case "reject":
            if (!m.submitted || m.acked || m.trades.size > 0 || m.close !== "" || m.rejected) break;
            ex.emit({ kind: "reject", clientId: cid, orderId: oid, code: "POST_ONLY_CROSS", message: "", atNs: 0 });
            m.rejected = true;
            break;
          case "fill": {
            if (!m.submitted || m.rejected) break;
            const prev = m.trades.get(c.trade);
            const size = prev?.size ?? c.size;
            ex.emit({
              kind: "fill",
              tradeId: `t${c.trade}`,
              orderId: oid,
              tokenId: TOKEN,
              side: "BUY",
              priceE4: 4_500,
              sizeE6: size,
              feeE6: 0,
              liquidity: "maker",
              status: c.status,
              exchTsMs: 0,
              atNs: 0,
            });
            if (!prev) m.trades.set(c.trade, { size, status: c.status });
            else if (!FINAL.has(prev.status) && c.status !== "MATCHED") prev.status = c.status;
            break;
          }
          case "close":
            if (!m.submitted || m.rejected) break;
            ex.emit({ kind: "order_closed", orderId: oid, reason: c.reason, atNs: 0 });
            if (m.close === "") m.close = c.reason;
            break;
          case "cancel":
            om.cancelOrders([cid]);
            break;
        }
        // Invariants after every step.
        let position = 0;
        for (let i = 0; i < N_ORDERS; i++) {
          const mi = model[i] as ModelOrder;
          position += mi.rejected ? 0 : modelCounted(mi);
          const o = om.getOrder(`c${i}`);
          if (!mi.submitted) {
            expect(o).toBeUndefined();
            continue;
          }
          expect(o?.state).toBe(modelState(mi));
          if (mi.acked) expect(o?.filledE6).toBe(modelCounted(mi));
        }
        expect(om.position(TOKEN).netE6).toBe(position);
        expect(ex.count("place")).toBe(model.filter((x) => x.submitted).length);
        // A cancel is only ever sent for an order we know the id of.
        for (const id of ex.cancelled()) expect(om.getOrderByExchangeId(id)).toBeDefined();
      }
    }),
    { numRuns: 300, seed: 42 },
  );
});
