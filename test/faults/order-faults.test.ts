/**
 * Order and market faults against the simulator server (docs/faults.md rows 8–13): partial
 * fills; rejected orders (insufficient balance, invalid tick, post-only cross, below the
 * minimum size); a tick-size change mid-run; a market that resolves while we hold orders; a
 * clock jump. Fresh bot and simulator per test (test/faults/harness.ts); each ends with the
 * common invariants.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { expectInvariants, type Harness, settle, startHarness, untilQuoting } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const rejectsOf = (x: Harness, code: string) => x.events.filter((e) => e.event === "order_rejected" && e.fields.code === code).length;
const marketOf = (x: Harness) => {
  const m = x.sim.exchange.allMarkets().find((s) => s.state === "open" && x.open().some((o) => o.marketId === s.sched.info.conditionId));
  if (!m) throw new Error("no market with our orders");
  return m.sched.info;
};

describe("order faults", () => {
  test("partial fill: counted once, inventory equals the exchange's, the rest of the order stays managed", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    await x.testApi("/test/flow", { enabled: false }); // only our quotes and the test's order trade
    await x.run(2);
    // 5 shares (the venue's minimum) against our bid of 10: a partial fill. The bot requotes
    // often, so aim at its current bid until one is hit.
    const fills0 = x.bot.totals.fills;
    let bid: ReturnType<Harness["open"]>[number] | undefined;
    for (let i = 0; i < 10 && !(bid && (x.sim.exchange.order(bid.id)?.matchedE6 ?? 0) > 0); i++) {
      bid = x.open().find((o) => o.side === "BUY" && o.matchedE6 === 0);
      if (bid) await x.testApi("/test/book", { token_id: bid.tokenId, bids: [], asks: [[(bid.priceE4 / 10_000).toString(), "5"]] });
      await x.step(100);
    }
    if (!bid) throw new Error("no bid");
    const after = x.sim.exchange.order(bid.id);
    expect(after?.matchedE6).toBe(5_000_000);
    expect(after?.originalSizeE6).toBeGreaterThan(5_000_000);
    await x.until(() => x.bot.pnl.qty(bid.tokenId) === 5_000_000, 5, "the partial fill in the bot's inventory");
    expect(x.bot.totals.fills).toBe(fills0 + 1);
    await x.run(5);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("insufficient balance: rejected, cooled down (no reject storm), nothing else breaks", async () => {
    h = await startHarness({ overrides: { SIM_START_BALANCE: "1" } });
    const x = h;
    await x.run(60); // the window opens 40 s in; the bot tries to quote
    const n = rejectsOf(x, "INSUFFICIENT_BALANCE");
    expect(n).toBeGreaterThan(0);
    // One reject per side per REJECT cooldown (1 s) at most, over ~20 s of quoting.
    expect(n).toBeLessThanOrEqual(2 * 25);
    expect(x.open().filter((o) => o.side === "BUY")).toEqual([]);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("invalid tick (a tick change the bot did not see): rejects are cooled down, nothing off-grid rests", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const info = marketOf(x);
    // The tick_size_change message is lost (sockets silenced while the tick coarsens).
    await x.fault({ silence: true });
    await x.testApi("/test/tick-size", { market: info.conditionId, tick_size: "0.1" });
    await x.fault({ silence: false });
    await x.run(20);
    const n = rejectsOf(x, "INVALID_TICK");
    expect(n).toBeLessThanOrEqual(2 * 22);
    for (const o of x.open()) if (o.marketId === info.conditionId) expect(o.priceE4 % 1000).toBe(0);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("post-only cross: our bids never rest at or above the best ask; crossing posts are rejected, not filled", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const bid = x.open().find((o) => o.side === "BUY");
    if (!bid) throw new Error("no bid");
    const fills0 = x.bot.totals.fills;
    // Another account offers just above our bid: a bot that requotes up to its fair value
    // would cross it with a post-only bid. Synthetic flow is paused so no other taker lifts
    // that offer during the check (a bid above a consumed offer would be legitimate).
    x.sim.exchange.setFlowEnabled(false);
    await x.testApi("/test/book", { token_id: bid.tokenId, bids: [], asks: [[((bid.priceE4 + 100) / 10_000).toString(), "200"]] });
    await x.run(10);
    for (const o of x.open()) {
      if (o.tokenId === bid.tokenId && o.side === "BUY") expect(o.priceE4).toBeLessThan(bid.priceE4 + 100);
    }
    // Post-only orders never take liquidity: no taker fill of ours.
    const taker = x.sim.exchange.tradesOf(x.key, {}).filter((t) => t.fill.takerOwner === x.key);
    expect(taker).toEqual([]);
    expect(x.bot.totals.fills).toBeGreaterThanOrEqual(fills0);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("below the minimum size: never rests on the book; rejects (if sent) cooled down", async () => {
    h = await startHarness({ overrides: { MM_ORDER_SIZE: "2" } });
    const x = h;
    await x.run(60);
    expect(x.open().filter((o) => o.originalSizeE6 < 5_000_000)).toEqual([]);
    expect(rejectsOf(x, "ORDER_TOO_SMALL")).toBeLessThanOrEqual(2 * 25);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("tick-size change mid-run (seen on the feed): within 5 s every resting order is on the new grid", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const info = marketOf(x);
    await x.testApi("/test/tick-size", { market: info.conditionId, tick_size: "0.001" });
    await x.run(3);
    await x.testApi("/test/tick-size", { market: info.conditionId, tick_size: "0.1" });
    const onGrid = () =>
      x
        .open()
        .filter((o) => o.marketId === info.conditionId)
        .every((o) => o.priceE4 % 1000 === 0);
    const tookMs = await x.until(onGrid, 5, "every order on the 0.1 grid");
    expect(tookMs).toBeLessThanOrEqual(5_000);
    await x.run(5);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("market resolves while we hold orders: none left there, inventory settled, others unaffected", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const info = marketOf(x);
    await x.testApi("/test/resolve", { market: info.conditionId, winner: 0 });
    await x.until(() => !x.open().some((o) => o.marketId === info.conditionId), 2, "no order left in the resolved market");
    await x.until(() => x.bot.markets.get(info.conditionId) === undefined, 5, "the bot dropped the resolved market");
    expect(x.events.some((e) => e.event === "market_resolved" && e.fields.market === info.slug)).toBe(true);
    await x.run(5);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("clock jump (30 s at once): heartbeat lapse cancels our orders; the bot's view catches up, no phantom order", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    x.clock.advanceBy(30_000);
    x.sim.server.sync();
    // The simulator's dead-man's switch cancelled everything (no heartbeat for > 10 s): the
    // bot must not keep believing in orders the exchange no longer has.
    const phantom = () =>
      x.bot.orders.getActiveOrders().filter((o) => o.state === "live" && !o.cancelRequested && !x.open().some((e) => e.id === o.orderId));
    await x.until(() => phantom().length === 0, 10, "no order believed live that the exchange does not have");
    await x.until(() => x.open().length > 0, 40, "quotes again after the jump");
    await settle(x);
    expectInvariants(x);
  }, 60_000);
});
