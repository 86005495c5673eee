import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import type { TradeStatus } from "../../../src/core/ports.ts";
import { InvariantError } from "../../../src/core/result.ts";
import type { OrderJournal } from "../../../src/engine/order-manager.ts";
import { planReconcile } from "../../../src/engine/reconcile.ts";
import { type JournalFill, Journal, JOURNAL_SCHEMA_VERSION, journalPathFor } from "../../../src/store/journal.ts";
import { intentFactory } from "../../helpers/order-intents.ts";
import { tempJournals } from "../../helpers/temp-journals.ts";

const journals = tempJournals("mmp-journal-");
const dir = journals.dir;
const open = journals.open;
const intent = intentFactory({ conditionId: "0xcond", tokenId: "tok-up" });

const fill = (tradeId: string, orderId: string, status: TradeStatus, over: Partial<JournalFill> = {}): JournalFill => ({
  tradeId,
  orderId,
  tokenId: "tok-up",
  side: "BUY",
  priceE4: 4500,
  sizeE6: 4_000_000,
  feeE6: 0,
  liquidity: "maker",
  status,
  exchTsMs: 1_780_000_000_500,
  ...over,
});

describe("journal", () => {
  test("implements the OrderManager's OrderJournal hooks", () => {
    const { j } = open();
    const hooks: OrderJournal = j;
    hooks.intent(intent("c1"), 123);
    hooks.ack("c1", "0xh1", "live", 456);
    expect(j.intentByClientId("c1")?.state).toBe("live");
    expect(j.intentByClientId("c1")?.orderHash).toBe("0xh1");
    j.close();
  });

  test("schema version table, WAL mode, one file per mode", () => {
    const path = journalPathFor(dir, "paper");
    expect(path).toEndWith("journal-paper.sqlite");
    const r = Journal.open({ path, mode: "paper", clock: new ManualClock() });
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.select<{ version: number }>("SELECT version FROM schema_version")).toEqual([{ version: JOURNAL_SCHEMA_VERSION }]);
    expect(r.value.select<{ journal_mode: string }>("SELECT * FROM pragma_journal_mode")).toEqual([{ journal_mode: "wal" }]);
    r.value.close();
    const again = Journal.open({ path, mode: "paper", clock: new ManualClock() });
    expect(again.ok).toBe(true);
    if (again.ok) again.value.close();
    const wrong = Journal.open({ path, mode: "live", clock: new ManualClock() });
    expect(wrong.ok ? "" : wrong.code).toBe("MODE_MISMATCH");
    const db = new Database(path);
    db.run("INSERT INTO schema_version VALUES (99, 0)");
    db.close();
    const newer = Journal.open({ path, mode: "paper", clock: new ManualClock() });
    expect(newer.ok ? "" : newer.code).toBe("SCHEMA_TOO_NEW");
  });

  test("intent → ack → fills → close; late events never reopen a terminal intent", () => {
    const { j, clock } = open();
    j.startRun("mm", "test");
    j.intent(intent("c1"));
    expect(j.openIntents().map((i) => [i.clientId, i.state, i.orderHash])).toEqual([["c1", "pending", ""]]);
    clock.advanceBy(30);
    j.ack("c1", "0xh1", "live");
    expect(j.fill(fill("t1", "0xh1", "MATCHED"))).toEqual({ kind: "new", status: "MATCHED" });
    expect(j.intentByClientId("c1")?.filledE6).toBe(4_000_000);
    j.cancel("c1", "0xh1");
    j.closed("c1", "0xh1", "cancelled");
    expect(j.openIntents()).toEqual([]);
    j.ack("c1", "0xh1", "live"); // late duplicate ack
    expect(j.intentByClientId("c1")?.state).toBe("closed");
    expect(j.intentByClientId("c1")?.closeReason).toBe("cancelled");
    const kinds = j.select<{ kind: string }>("SELECT kind FROM order_events ORDER BY seq").map((r) => r.kind);
    expect(kinds).toEqual(["ack", "cancel_req", "closed", "ack"]);
    j.close();
  });

  test("a duplicate clientId or a failed write refuses the intent (throws: nothing may be sent)", () => {
    const { j, path } = open();
    j.intent(intent("c1"), 0, "0xh1");
    expect(() => j.intent(intent("c1"))).toThrow(InvariantError);
    expect(j.tryIntent(intent("c2"), "0xh1")).toMatchObject({ ok: false, code: "DUPLICATE" });
    const saboteur = new Database(path);
    saboteur.run("CREATE TRIGGER full_disk BEFORE INSERT ON intents BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    expect(() => j.intent(intent("c3"))).toThrow("journal write failed: database or disk is full");
    expect(j.lastWriteError).toContain("disk is full");
    saboteur.run("DROP TRIGGER full_disk");
    saboteur.close();
    j.intent(intent("c3"));
    expect(j.intentByClientId("c3")?.state).toBe("pending");
    j.close();
  });

  test("FOK/FAK acks close at once; unmatched closes; TIMEOUT_AMBIGUOUS → ambiguous, then rejected on the lookup's verdict", () => {
    const { j } = open();
    j.intent(intent("fok", { orderType: "FOK" }));
    j.ack("fok", "0xf", "matched");
    expect(j.intentByClientId("fok")).toMatchObject({ state: "closed", closeReason: "filled" });
    j.intent(intent("fak", { orderType: "FAK" }));
    j.ack("fak", "0xa", "unmatched");
    expect(j.intentByClientId("fak")).toMatchObject({ state: "closed", closeReason: "unmatched" });
    j.intent(intent("amb"));
    j.reject("amb", "0xamb", "TIMEOUT_AMBIGUOUS", "no reply in 5000 ms");
    expect(j.unknownIntents().map((i) => [i.clientId, i.state, i.orderHash])).toEqual([["amb", "ambiguous", "0xamb"]]);
    j.reject("amb", "0xamb", "TIMEOUT_AMBIGUOUS", "not on the exchange after 3 lookups");
    expect(j.intentByClientId("amb")?.state).toBe("rejected");
    j.intent(intent("amb2"));
    j.reject("amb2", "0xamb2", "TIMEOUT_AMBIGUOUS", "lost reply");
    j.ack("amb2", "0xamb2", "live"); // found live by the lookup
    expect(j.intentByClientId("amb2")?.state).toBe("live");
    j.intent(intent("rej"));
    j.reject("rej", "", "POST_ONLY_CROSS", "order crosses book");
    expect(j.intentByClientId("rej")).toMatchObject({ state: "rejected", closeReason: "POST_ONLY_CROSS" });
    j.close();
  });

  test("pending intents of a previous run are unknown; unclean runs are listed", () => {
    const path = join(dir, "restart.sqlite");
    const a = open(path);
    a.j.startRun("mm", "v1");
    a.j.intent(intent("c1"));
    a.j.close(); // "kill -9": no stopRun
    const b = open(path);
    b.j.startRun("mm", "v1");
    b.j.intent(intent("c2"));
    expect(b.j.unknownIntents().map((i) => i.clientId)).toEqual(["c1"]);
    expect(b.j.uncleanRuns().map((r) => r.runId)).toEqual([1]);
    b.j.stopRun("clean");
    b.j.close();
  });

  test("fill status moves forward only; replays and stale statuses never count twice", () => {
    const { j } = open();
    expect(j.fill(fill("t1", "0xh", "MATCHED")).kind).toBe("new");
    expect(j.fill(fill("t1", "0xh", "MATCHED")).kind).toBe("duplicate");
    expect(j.fill(fill("t1", "0xh", "MINED"))).toEqual({ kind: "updated", from: "MATCHED", to: "MINED" });
    expect(j.fill(fill("t1", "0xh", "CONFIRMED"))).toEqual({ kind: "updated", from: "MINED", to: "CONFIRMED" });
    expect(j.fill(fill("t1", "0xh", "MINED"))).toEqual({ kind: "stale", current: "CONFIRMED", received: "MINED" });
    expect(j.fill(fill("t1", "0xh", "FAILED")).kind).toBe("stale");
    // the same trade touching a second order of ours is a separate fill
    expect(j.fill(fill("t1", "0xh2", "MATCHED", { sizeE6: 1_000_000 })).kind).toBe("new");
    expect(j.select<{ n: number }>("SELECT COUNT(*) AS n FROM fills")[0]?.n).toBe(2);
    expect(
      j.select<{ status: string }>("SELECT status FROM fill_status_log WHERE order_id = '0xh' ORDER BY seq").map((r) => r.status),
    ).toEqual(["MATCHED", "MINED", "CONFIRMED"]);
    j.close();
  });

  test("positions from fills: confirmed, pending, FAILED excluded, adjustments included; last trade time", () => {
    const { j } = open();
    j.fill(fill("t1", "0xa", "CONFIRMED", { sizeE6: 10_000_000, priceE4: 4500, feeE6: 10_000, exchTsMs: 100 }));
    j.fill(fill("t2", "0xb", "MATCHED", { side: "SELL", sizeE6: 3_000_000, priceE4: 5000, exchTsMs: 300 }));
    j.fill(fill("t3", "0xc", "MATCHED", { sizeE6: 7_000_000, exchTsMs: 200 }));
    j.fill(fill("t3", "0xc", "RETRYING", { sizeE6: 7_000_000, exchTsMs: 200 }));
    j.fill(fill("t3", "0xc", "FAILED", { sizeE6: 7_000_000, exchTsMs: 200 }));
    j.adjustPosition("tok-up", -2_000_000, 2_000_000, "merge");
    expect(j.positions().get("tok-up")).toEqual({
      tokenId: "tok-up",
      confirmedE6: 10_000_000 - 2_000_000,
      pendingE6: -3_000_000,
      cashE6: -4_500_000 - 10_000 + 1_500_000 + 2_000_000,
    });
    expect(j.lastTradeTimeMs()).toBe(300);
    expect([...j.fillStatusesSince(200).entries()].sort()).toEqual([
      ["t2|0xb", "MATCHED"],
      ["t3|0xc", "FAILED"],
    ]);
    j.close();
  });

  test("property: any order of fill status events gives the same result as a naive forward-only model", () => {
    const statuses: TradeStatus[] = ["MATCHED", "MINED", "RETRYING", "CONFIRMED", "FAILED"];
    const { j } = open();
    let round = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ trade: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom(...statuses) }), { maxLength: 25 }),
        (events) => {
          round++;
          const naive = new Map<string, TradeStatus>();
          for (const e of events) {
            const key = `r${round}-t${e.trade}`;
            const cur = naive.get(key);
            const terminal = cur === "CONFIRMED" || cur === "FAILED";
            if (cur === undefined) naive.set(key, e.status);
            else if (!terminal && cur !== e.status && e.status !== "MATCHED") naive.set(key, e.status);
            j.fill(fill(key, "0xo", e.status));
          }
          for (const [key, st] of naive) {
            expect(j.select<{ status: string }>("SELECT status FROM fills WHERE trade_id = ?", key)[0]?.status).toBe(st);
          }
          expect(j.select<{ n: number }>("SELECT COUNT(*) AS n FROM fills WHERE trade_id LIKE ?", `r${round}-%`)[0]?.n).toBe(naive.size);
        },
      ),
      { numRuns: 150, seed: 20260101 },
    );
    j.close();
  });

  test("risk events and reconcile outcomes are journaled", () => {
    const { j, clock } = open();
    j.startRun("mm", "test");
    j.riskEvent("max_position", { tokenId: "tok-up", positionE6: 150_000_000, limitE6: 100_000_000 }, "btc-updown-5m");
    j.intent(intent("gone"), 0, "0xgone");
    j.intent(intent("live"), 0, "0xlive");
    clock.advanceBy(60_000);
    const plan = planReconcile({
      nowMs: clock.wallMs(),
      intents: j.openIntents(),
      openOrders: [
        {
          orderId: "0xlive",
          conditionId: "0xcond",
          tokenId: "tok-up",
          side: "BUY",
          priceE4: 4500,
          originalSizeE6: 10_000_000,
          matchedSizeE6: 0,
          createdAtSec: 1_780_000_000,
        },
      ],
      trades: [{ ...fill("t9", "0xother", "CONFIRMED") }],
      journaledFills: j.fillStatusesSince(j.lastTradeTimeMs()),
      journalPositions: j.positions(),
      balances: { collateralE6: 0, positionsE6: new Map([["tok-up", 4_000_000]]) },
      isJournaledOrder: (id) => j.isJournaledOrder(id),
    });
    j.applyReconcile(plan);
    expect(j.intentByClientId("gone")).toMatchObject({ state: "closed", closeReason: "not_found" });
    expect(j.intentByClientId("live")?.state).toBe("live");
    expect(j.positions().get("tok-up")?.confirmedE6).toBe(4_000_000);
    expect(j.riskEvents().map((e) => e.kind)).toEqual(["max_position"]);
    j.applyReconcile(plan); // applying twice changes nothing
    expect(j.select<{ n: number }>("SELECT COUNT(*) AS n FROM fills")[0]?.n).toBe(1);
    j.close();
  });
});
