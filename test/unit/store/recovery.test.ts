/**
 * Startup recovery (src/store/recovery.ts) over a scripted exchange and an in-memory journal:
 * an orphan the journal knows and one it does not are swept and confirmed gone, their intents
 * closed; a fill the journal missed is recorded from the trade history (so a later user-channel
 * copy of it is a duplicate, not a second fill); an unknown-outcome submit that never landed
 * is closed, never resent; positions end equal to the exchange's; the bot is seeded with them.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { BalanceSnapshot, OpenOrderSnapshot, OrderIntent } from "../../../src/core/ports.ts";
import { Journal } from "../../../src/store/journal.ts";
import { recoverAtStartup, startupPositionFills, tradeViewsOf } from "../../../src/store/recovery.ts";
import { parseTradeRecord } from "../../../src/polymarket/user-channel.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";

const TOKEN = "1111";
const intent = (clientId: string, priceE4: number): OrderIntent => ({
  clientId,
  conditionId: "0xc",
  tokenId: TOKEN,
  side: "BUY",
  priceE4,
  sizeE6: 10_000_000,
  orderType: "GTC",
  postOnly: true,
  expirationSec: 0,
});
const snap = (orderId: string, priceE4: number, matchedE6 = 0): OpenOrderSnapshot => ({
  orderId,
  conditionId: "0xc",
  tokenId: TOKEN,
  side: "BUY",
  priceE4,
  originalSizeE6: 10_000_000,
  matchedSizeE6: matchedE6,
  createdAtSec: 1_780_000_000,
});

class SweepingExchange extends FakeExchange {
  balance: BalanceSnapshot = { collateralE6: 0, positionsE6: new Map() };
  override cancel(ids: readonly string[]): void {
    super.cancel(ids);
    this.open = this.open.filter((o) => !ids.includes(o.orderId));
  }
  override cancelAll(): void {
    super.cancelAll();
    this.open = [];
  }
  override async fetchBalances(): Promise<BalanceSnapshot> {
    return this.balance;
  }
}

describe("recoverAtStartup", () => {
  test("sweeps orphans, records the missed fill, closes intents, positions equal the exchange's", async () => {
    const clock = new ManualClock(1_780_000_100_000);
    const j = Journal.open({ path: ":memory:", mode: "sim", clock, checkpoints: "manual" });
    if (!j.ok) throw new Error(j.reason);
    const journal = j.value;
    // The dead run: two acked orders (one then partly filled unseen), one submit with no reply.
    journal.startRun("mm", "dead");
    journal.intent(intent("a", 4500), 0, "0xaaa");
    journal.ack("a", "0xaaa", "live");
    journal.intent(intent("b", 4400), 0, "0xbbb");
    journal.ack("b", "0xbbb", "live");
    journal.intent(intent("c", 4300), 0, "0xccc");
    clock.advanceBy(30_000);
    journal.startRun("mm", "restart");

    const ex = new SweepingExchange();
    ex.open = [snap("0xaaa", 4500, 4_000_000), snap("0xbbb", 4400), snap("0xzzz", 4200)]; // 0xzzz: unknown to the journal
    ex.balance = { collateralE6: 0, positionsE6: new Map([[TOKEN, 4_000_000]]) };
    const trade = parseTradeRecord({
      id: "t1",
      taker_order_id: "0xtaker",
      market: "0xc",
      asset_id: TOKEN,
      side: "SELL",
      size: "4",
      price: "0.45",
      status: "MATCHED",
      match_time: "1780000110",
      last_update: "1780000110",
      owner: "other",
      trader_side: "TAKER",
      maker_orders: [
        { order_id: "0xaaa", owner: "me", maker_address: "0xm", matched_amount: "4", price: "0.45", asset_id: TOKEN, side: "BUY" },
      ],
    });
    const lines: string[] = [];
    const r = await recoverAtStartup({
      journal,
      exchange: ex,
      clock,
      fetchTrades: async () => tradeViewsOf([trade], "me", "0xm"),
      log: (l) => lines.push(l),
    });

    expect(r.foundOpen).toBe(3);
    expect(r.remainingOpen).toBe(0);
    expect(ex.cancelled().sort()).toEqual(["0xaaa", "0xbbb", "0xzzz"]);
    expect(journal.openIntents()).toEqual([]);
    expect(journal.intentByClientId("c")).toMatchObject({ state: "closed", closeReason: "not_found" });
    expect(ex.placed()).toEqual([]); // never resent
    expect(journal.fillsOf("0xaaa").map((f) => [f.tradeId, f.sizeE6])).toEqual([["t1", 4_000_000]]);
    expect(r.positionsE6.get(TOKEN)).toBe(4_000_000);
    expect(r.adjustments).toBe(0);
    expect(lines.some((l) => l.includes("previous run(s) ended without a stop marker"))).toBe(true);
    expect(lines.some((l) => l.includes("swept 3 open order(s): none remain"))).toBe(true);
    // The same fill arriving later over the user channel is a duplicate, not a second fill.
    const again = journal.fill({
      tradeId: "t1",
      orderId: "0xaaa",
      tokenId: TOKEN,
      side: "BUY",
      priceE4: 4500,
      sizeE6: 4_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 1_780_000_110_000,
    });
    expect(again.kind).toBe("duplicate");
    // The bot starts long 4 shares at 0.45.
    const seed = startupPositionFills(r, 0, clock.wallMs());
    expect(seed).toEqual([
      {
        kind: "fill",
        tradeId: `startup-position:${TOKEN}`,
        orderId: "",
        tokenId: TOKEN,
        side: "BUY",
        priceE4: 4500,
        sizeE6: 4_000_000,
        feeE6: 0,
        liquidity: "maker",
        status: "CONFIRMED",
        exchTsMs: clock.wallMs(),
        atNs: 0,
      },
    ]);
    journal.close();
  });

  test("a position the journal cannot explain is corrected to the exchange's (and logged)", async () => {
    const clock = new ManualClock(1_780_000_100_000);
    const j = Journal.open({ path: ":memory:", mode: "sim", clock, checkpoints: "manual" });
    if (!j.ok) throw new Error(j.reason);
    j.value.startRun("mm", "dead");
    j.value.intent(intent("a", 4500), 0, "0xaaa");
    j.value.ack("a", "0xaaa", "live");
    j.value.fill({
      tradeId: "t1",
      orderId: "0xaaa",
      tokenId: TOKEN,
      side: "BUY",
      priceE4: 4500,
      sizeE6: 3_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "CONFIRMED",
      exchTsMs: 1_780_000_050_000,
    });
    j.value.closed("a", "0xaaa", "cancelled");
    j.value.startRun("mm", "restart");
    const ex = new SweepingExchange();
    ex.balance = { collateralE6: 0, positionsE6: new Map([[TOKEN, 7_000_000]]) }; // 4 shares the journal never saw (no trade history)
    const lines: string[] = [];
    const r = await recoverAtStartup({ journal: j.value, exchange: ex, clock, log: (l) => lines.push(l) });
    expect(r.adjustments).toBe(1);
    expect(r.positionsE6.get(TOKEN)).toBe(7_000_000);
    expect(lines.some((l) => l.startsWith("corrected journal position"))).toBe(true);
    expect(j.value.riskEvents().map((e) => e.kind)).toContain("reconcile_position_mismatch");
    j.value.close();
  });
});
