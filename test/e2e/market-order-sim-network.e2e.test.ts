/**
 * FOK/FAK as market orders over the real client stack (cli/compose.ts: signed REST, L2 auth,
 * user socket) against the embedded simulator server on 127.0.0.1:0, with the order manager
 * on top. One BTC 15-minute market, no synthetic flow, books engineered in the simulator.
 *
 * - A FOK BUY of 10.01 shares at 0.53 is a market BUY of $5.30 (⌊10.01 × 0.53⌋ to the cent):
 *   the simulator accepts it (its amounts are what the SDK signs), it buys 10 shares, and the
 *   order manager closes it on the exchange's outcome with 10 shares filled — not left
 *   "partially filled" waiting for 0.01 share that will never come.
 * - A clean-lot FOK BUY (13 @ 0.53 = $6.89) buys exactly its size: filled.
 * - A FAK SELL of 7.77 shares into a 0.52 bid sells 7.77.
 * Money is checked against the simulator's ledger.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { VenueHandle } from "../../src/cli/compose.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { OrderIntent } from "../../src/core/ports.ts";
import { OrderManager } from "../../src/engine/order-manager.ts";
import { isTerminal } from "../../src/engine/order-state.ts";
import { composeQuietSim } from "../helpers/quiet-sim.ts";

const M = 1_000_000;
const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START + 30_000;

let venue: VenueHandle | undefined;
afterAll(async () => {
  await venue?.close();
});

describe("FOK/FAK market orders on the simulator server, real client stack", () => {
  test("a market BUY that buys fewer shares than its intent closes with them; clean lots fill exactly; a FAK SELL sells its shares", async () => {
    const clock = new ManualClock(T0);
    const quiet = await composeQuietSim(clock, T0, { SIM_SEED: "5", PRE_SIGN_POOL_SIZE: "0" });
    venue = quiet.venue;
    const v = venue;
    const sim = quiet.sim;
    const om = new OrderManager({ exchange: v.exchange, clock });
    await v.start();
    const step = async (ms: number) => {
      clock.advanceBy(ms);
      sim.server.sync();
      await Bun.sleep(5);
    };
    const until = async (cond: () => boolean, maxSteps = 400, ms = 20) => {
      for (let i = 0; i < maxSteps && !cond(); i++) await step(ms);
      return cond();
    };
    const m = sim.exchange.allMarkets().find((x) => x.state === "open" && x.sched.info.startMs <= T0 && T0 < x.sched.info.endMs);
    if (!m) throw new Error("no live market");
    const yes = m.sched.info.yesTokenId;
    expect(await until(() => v.feed.book(yes) !== undefined, 500, 100)).toBe(true);
    const key = v.apiKey;
    const book = (bids: [string, string][], asks: [string, string][]) => {
      const r = sim.exchange.placeBook(yes, bids, asks);
      if (!r.ok) throw new Error(r.error);
    };
    const intent = (clientId: string, side: "BUY" | "SELL", priceE4: number, sizeE6: number, orderType: "FOK" | "FAK"): OrderIntent => ({
      clientId,
      conditionId: m.sched.info.conditionId,
      tokenId: yes,
      side,
      priceE4,
      sizeE6,
      orderType,
      postOnly: false,
      expirationSec: 0,
    });
    const done = (id: string) => () => {
      const o = om.getOrder(id);
      return o !== undefined && isTerminal(o.state);
    };

    book([], [["0.53", "100"]]);
    expect(await until(() => (v.feed.book(yes)?.bestAskE4() ?? 0) === 5300)).toBe(true);

    // 1. 10.01 @ 0.53: a market BUY of $5.30 buys 10 shares; closed on the exchange's outcome.
    const cash0 = sim.exchange.collateral(key);
    om.submitOrder(intent("b1", "BUY", 5300, 10_010_000, "FOK"));
    expect(await until(done("b1"))).toBe(true);
    const b1 = om.getOrder("b1");
    expect(b1?.rejectCode).toBe("");
    expect(b1?.filledE6).toBe(10 * M);
    expect(b1?.notionalE6).toBe(5_300_000);
    expect(sim.exchange.balanceOf(key, yes)).toBe(10 * M);
    expect(cash0 - sim.exchange.collateral(key)).toBe(5_300_000 + (b1?.feesE6 ?? 0));
    expect(om.getActiveOrders(m.sched.info.conditionId).length).toBe(0);

    // 2. A clean lot (13 × 0.53 = $6.89) buys exactly its size.
    om.submitOrder(intent("b2", "BUY", 5300, 13 * M, "FOK"));
    expect(await until(done("b2"))).toBe(true);
    expect(om.getOrder("b2")?.state).toBe("filled");
    expect(om.getOrder("b2")?.filledE6).toBe(13 * M);
    expect(sim.exchange.balanceOf(key, yes)).toBe(23 * M);

    // 3. A FAK SELL of 7.77 shares into a 0.52 bid (tick 0.01 sells are always clean).
    book([["0.52", "50"]], []);
    expect(await until(() => (v.feed.book(yes)?.bestBidE4() ?? 0) === 5200)).toBe(true);
    om.submitOrder(intent("s1", "SELL", 5200, 7_770_000, "FAK"));
    expect(await until(done("s1"))).toBe(true);
    expect(om.getOrder("s1")?.state).toBe("filled");
    expect(sim.exchange.balanceOf(key, yes)).toBe(23 * M - 7_770_000);
    expect(await v.exchange.fetchOpenOrders()).toEqual([]);
  }, 60_000);
});
