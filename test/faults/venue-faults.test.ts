/**
 * Venue faults against the simulator server (docs/faults.md rows 4–7): REST 429 with
 * Retry-After, 500 and 503 on order posts, an ambiguous submit (the exchange accepts, the
 * reply is lost), a missed user-channel event. Fresh bot and simulator per test
 * (test/faults/harness.ts); each ends with the common invariants.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { expectInvariants, type Harness, injectUntil, settle, startHarness, untilQuoting } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("venue faults", () => {
  test("REST 429 with Retry-After: no order post before the wait is over, then quoting resumes", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const rateLimited = () => x.events.filter((e) => e.event === "order_rejected" && e.fields.code === "RATE_LIMITED").length;
    const seen0 = rateLimited();
    await injectUntil(x, { http_status: 429, count: 1, path: "/order", method: "POST", retry_after: 3 }, () => rateLimited() > seen0);
    const at429 = x.clock.wallMs();
    const n = x.placedAtMs.length;
    await x.until(() => x.placedAtMs.length > n, 60, "the next accepted order");
    expect((x.placedAtMs[n] ?? 0) - at429).toBeGreaterThanOrEqual(2_000); // Retry-After 3 s, from the reply (≤ 1 s before we saw the reject)
    await x.until(() => x.open().length >= 2, 30, "quotes after the 429");
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("500 on an order post: treated as ambiguous, looked up, never resent", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const lookups0 = x.bot.orders.stats.lookups;
    await injectUntil(x, { http_status: 500, count: 1, path: "/order", method: "POST" }, () => x.bot.orders.stats.lookups > lookups0);
    // The 500 came before the order took effect: the lookups find nothing and the intent
    // ends rejected (TIMEOUT_AMBIGUOUS) — not resent under a new hash.
    await x.until(() => x.bot.orders.stats.ambiguousResolvedAbsent > 0, 60, "the ambiguous order resolved absent");
    await x.until(() => x.open().length >= 2, 30, "quotes after the 500");
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("503 (trading disabled) on order posts: rejected, cooled down, quotes come back", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const rejects0 = h.bot.totals.rejects;
    await h.fault({ http_status: 503, count: 3, path: "/order", method: "POST", retry_after: 1 });
    await h.until(() => (h?.bot.totals.rejects ?? 0) >= rejects0 + 1, 60, "a reject from the 503");
    await h.until(() => (h?.open().length ?? 0) >= 2, 60, "quotes after the 503s");
    await settle(h);
    expectInvariants(h);
  }, 60_000);

  test("ambiguous submit (accepted, reply lost): resolved from the exchange, adopted; one order, no orphan", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const ambiguous = () => x.events.filter((e) => e.event === "order_rejected" && e.fields.code === "TIMEOUT_AMBIGUOUS").length;
    const seen0 = ambiguous();
    // Lost reply on an order post while the user channel delivers nothing either (silence), so
    // only a lookup can tell the order landed: GET /data/order/{hash}, never a resend.
    const lookups0 = x.bot.orders.stats.lookups;
    await injectUntil(x, { lose_replies: 1, path: "/order", method: "POST", silence: true }, () => ambiguous() > seen0);
    // Data back before the stale-feed limit (5 s) would cancel everything: the PLACEMENT of the
    // lost order stays lost (it was sent during the silence); only the lookup can find it.
    await x.fault({ silence: false });
    // Resolved by lookup: found live and adopted (or, if a requote's cancel got there first,
    // found cancelled) — either way the same order, never a second one.
    await x.until(
      () => x.bot.orders.stats.lookups > lookups0 && !x.bot.orders.getActiveOrders().some((o) => o.state === "unknown"),
      15,
      "the lost reply resolved by lookup",
    );
    await x.run(20);
    await settle(x);
    expectInvariants(x);
    // At stop every order of ours, the adopted one included, is cancelled.
    await x.stop();
    h = undefined;
    expect(x.open()).toEqual([]);
  }, 60_000);

  test("ambiguous submit whose acceptance the user channel reports first: acked once, not looked up twice", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    const acks0 = x.bot.orders.stats.acks;
    const ambiguous = () => x.events.filter((e) => e.event === "order_rejected" && e.fields.code === "TIMEOUT_AMBIGUOUS").length;
    const seen0 = ambiguous();
    await injectUntil(
      x,
      { lose_replies: 1, path: "/order", method: "POST" },
      () => ambiguous() > seen0 || x.bot.orders.stats.acks > acks0 + 1,
    );
    await x.run(10);
    await settle(x);
    expectInvariants(x);
  }, 60_000);

  test("missed user-channel event: a fill during a user-socket gap is recovered from REST trades", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const x = h;
    // The fill's user-channel event is lost: sockets silenced while another account sells into
    // one of our bids (a few tries: better bids of others may absorb the first sale), then the
    // user socket drops (the bot cancels everything and reconnects).
    await x.fault({ silence: true });
    let bid: ReturnType<Harness["open"]>[number] | undefined;
    for (let i = 0; i < 5 && x.sim.exchange.tradesOf(x.key, {}).length === 0; i++) {
      bid = x.open().find((o) => o.side === "BUY");
      if (bid) await x.testApi("/test/book", { token_id: bid.tokenId, bids: [], asks: [[(bid.priceE4 / 10_000).toString(), "2000"]] });
    }
    if (!bid) throw new Error("no bid");
    expect(x.sim.exchange.tradesOf(x.key, {}).length).toBeGreaterThan(0);
    expect(x.bot.pnl.qty(bid.tokenId)).toBe(0);
    await x.fault({ drop_sockets: "user", silence: false });
    const exBalance = () => x.sim.exchange.balanceOf(x.key, bid.tokenId);
    await x.until(
      () => exBalance() > 0 && x.bot.pnl.qty(bid.tokenId) === exBalance(),
      40,
      "the bot's inventory to include the missed fill",
    );
    await settle(x);
    expectInvariants(x);
  }, 60_000);
});
