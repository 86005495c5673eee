/**
 * The real journal under the real OrderManager: the hooks land in the right rows, the
 * intent is on disk before `place` is called, and a journal that cannot write stops the
 * order from leaving.
 */
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import type { TradeStatus } from "../../../src/core/ports.ts";
import { OrderManager } from "../../../src/engine/order-manager.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";
import { intentFactory } from "../../helpers/order-intents.ts";
import { tempJournals } from "../../helpers/temp-journals.ts";

const journals = tempJournals("mmp-jom-");
const intent = intentFactory({ conditionId: "0xcond", tokenId: "tok" });

function setup() {
  const { j: journal, clock, path } = journals.open();
  journal.startRun("mm", "test");
  const ex = new FakeExchange();
  const seenAtSend: string[][] = [];
  const place = ex.place.bind(ex);
  ex.place = (intents) => {
    // What a crash right now would leave on disk: read through a second connection.
    const db = new Database(path, { readonly: true });
    seenAtSend.push(
      db
        .query<{ client_id: string }, []>("SELECT client_id FROM intents ORDER BY seq")
        .all()
        .map((x) => x.client_id),
    );
    db.close();
    place(intents);
  };
  const om = new OrderManager({ exchange: ex, clock, journal });
  const fill = (orderId: string, tradeId: string, status: TradeStatus, sizeE6 = 4_000_000) =>
    ex.emit({
      kind: "fill",
      tradeId,
      orderId,
      tokenId: "tok",
      side: "BUY",
      priceE4: 4500,
      sizeE6,
      feeE6: 0,
      liquidity: "maker",
      status,
      exchTsMs: 1_780_000_000_000,
      atNs: clock.nowNs(),
    });
  return { clock, journal, ex, om, path, seenAtSend, fill };
}

describe("journal under the OrderManager", () => {
  test("intent on disk before send; ack, fills with status updates, cancel and close land once", () => {
    const { journal, ex, om, seenAtSend, fill } = setup();
    om.submitOrder(intent("a"));
    expect(seenAtSend).toEqual([["a"]]);
    ex.emit({ kind: "ack", clientId: "a", orderId: "0xa", status: "live", atNs: 1 });
    expect(journal.intentByClientId("a")).toMatchObject({ state: "live", orderHash: "0xa" });
    fill("0xa", "t1", "MATCHED");
    fill("0xa", "t1", "MATCHED"); // replay
    fill("0xa", "t1", "MINED");
    fill("0xa", "t1", "CONFIRMED");
    expect(journal.fillsOf("0xa").map((f) => [f.tradeId, f.status])).toEqual([["t1", "CONFIRMED"]]);
    expect(journal.positions().get("tok")?.confirmedE6).toBe(4_000_000);
    om.cancelOrders(["a"]);
    expect(ex.cancelled()).toEqual(["0xa"]);
    ex.emit({ kind: "order_closed", orderId: "0xa", reason: "cancelled", atNs: 2 });
    expect(journal.intentByClientId("a")).toMatchObject({ state: "closed", closeReason: "cancelled", filledE6: 4_000_000 });
    const kinds = journal.select<{ kind: string }>("SELECT kind FROM order_events ORDER BY seq").map((r) => r.kind);
    expect(kinds).toEqual(["ack", "cancel_req", "closed"]);
    journal.close();
  });

  test("a lost submit reply: the intent is ambiguous in the journal, then live when the lookup finds it", async () => {
    const { journal, ex, om, clock } = setup();
    om.submitOrder(intent("b"));
    ex.orders.set("0xb", {
      orderId: "0xb",
      conditionId: "0xcond",
      tokenId: "tok",
      side: "BUY",
      priceE4: 4500,
      originalSizeE6: 10_000_000,
      matchedSizeE6: 0,
      createdAtSec: 1_780_000_000,
      status: "live",
    });
    ex.emit({ kind: "reject", clientId: "b", orderId: "0xb", code: "TIMEOUT_AMBIGUOUS", message: "no reply", atNs: clock.nowNs() });
    expect(journal.intentByClientId("b")?.state).toBe("ambiguous");
    expect(journal.unknownIntents().map((i) => i.clientId)).toEqual(["b"]);
    // The manager looks it up (async); wait for its ack hook to land.
    for (let i = 0; i < 20 && journal.intentByClientId("b")?.state === "ambiguous"; i++) await Promise.resolve();
    expect(journal.intentByClientId("b")).toMatchObject({ state: "live", orderHash: "0xb" });
    expect(ex.placed().map((p) => p.clientId)).toEqual(["b"]); // never resent
    journal.close();
  });

  test("a confirmed merge is journaled: YES and NO each down by the pairs, $1 a pair in cash", () => {
    const { journal, om, fill } = setup();
    om.submitOrder(intent("a", { sizeE6: 4_000_000 }));
    fill("0xa", "t1", "CONFIRMED");
    om.recordMerge("tok", "tok-no", 1_500_000);
    const p = journal.positions();
    expect(p.get("tok")?.confirmedE6).toBe(4_000_000 - 1_500_000);
    expect(p.get("tok-no")?.confirmedE6).toBe(-1_500_000);
    expect(p.get("tok-no")?.cashE6).toBe(1_500_000);
  });

  test("a journal that cannot write stops the order from leaving", () => {
    const { journal, ex, om, path } = setup();
    const saboteur = new Database(path);
    saboteur.run("CREATE TRIGGER full BEFORE INSERT ON intents BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    expect(() => om.submitOrder(intent("c"))).toThrow("journal write failed: database or disk is full");
    expect(ex.count("place")).toBe(0);
    saboteur.close();
    journal.close();
  });
});
