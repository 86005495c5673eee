/**
 * A `FakeExchange` that answers like a well-behaved venue, synchronously: every placed
 * order is acked `live` with order id `oid-<clientId>`, every cancel and cancel-all closes
 * the orders it names, and `fetchOpenOrders` lists what is still open. Tests push fills with
 * `fill(...)`. Good for bot decision tests where the venue's answers are not the subject.
 */
import type { ExchangeEvent, OpenOrderSnapshot, OrderIntent } from "../../src/core/ports.ts";
import { FakeExchange } from "./fake-exchange.ts";

export class AckingExchange extends FakeExchange {
  readonly live = new Map<string, OrderIntent>();
  merges: Array<{ conditionId: string; sizeE6: number }> = [];
  private tradeSeq = 0;
  /** When false, commands are recorded but not answered (a venue that went silent). */
  answering = true;

  override place(intents: readonly OrderIntent[]): void {
    super.place(intents);
    if (!this.answering) return;
    for (const i of intents) {
      const orderId = `oid-${i.clientId}`;
      if (i.orderType === "GTC" || i.orderType === "GTD") this.live.set(orderId, i);
      this.emit({
        kind: "ack",
        clientId: i.clientId,
        orderId,
        status: i.orderType === "GTC" || i.orderType === "GTD" ? "live" : "unmatched",
        atNs: 0,
      });
    }
  }

  override cancel(orderIds: readonly string[]): void {
    super.cancel(orderIds);
    if (!this.answering) return;
    for (const id of orderIds) {
      if (!this.live.delete(id)) continue;
      this.emit({ kind: "order_closed", orderId: id, reason: "cancelled", atNs: 0 });
    }
  }

  override cancelAll(): void {
    super.cancelAll();
    if (!this.answering) return;
    for (const id of [...this.live.keys()]) {
      this.live.delete(id);
      this.emit({ kind: "order_closed", orderId: id, reason: "cancelled", atNs: 0 });
    }
  }

  // Optional parameters: the base fake's `merge()` takes none.
  override merge(conditionId = "", sizeE6 = 0): void {
    this.merges.push({ conditionId, sizeE6 });
  }

  override async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return [...this.live.entries()].map(([orderId, i]) => ({
      orderId,
      conditionId: i.conditionId,
      tokenId: i.tokenId,
      side: i.side,
      priceE4: i.priceE4,
      originalSizeE6: i.sizeE6,
      matchedSizeE6: 0,
      createdAtSec: 0,
    }));
  }

  /** The live order (by intent) matching a predicate, for picking what to fill. */
  find(pred: (i: OrderIntent) => boolean): { orderId: string; intent: OrderIntent } | undefined {
    for (const [orderId, intent] of this.live) if (pred(intent)) return { orderId, intent };
    return undefined;
  }

  /** A maker fill of `sizeE6` on a live order (closes it when fully filled). */
  fill(orderId: string, sizeE6: number, status: "MATCHED" | "CONFIRMED" | "FAILED" = "MATCHED"): void {
    const i = this.live.get(orderId);
    if (!i) throw new Error(`no live order ${orderId}`);
    const ev: ExchangeEvent = {
      kind: "fill",
      tradeId: `t-${++this.tradeSeq}`,
      orderId,
      tokenId: i.tokenId,
      side: i.side,
      priceE4: i.priceE4,
      sizeE6,
      feeE6: 0,
      liquidity: "maker",
      status,
      exchTsMs: 0,
      atNs: 0,
    };
    this.emit(ev);
    if (sizeE6 >= i.sizeE6) {
      this.live.delete(orderId);
      this.emit({ kind: "order_closed", orderId, reason: "filled", atNs: 0 });
    }
  }
}
