/**
 * A scripted `ExchangeClient` for order-manager tests: records every command, lets the
 * test push venue events, and answers lookups from a table the test fills in.
 */
import type { BalanceSnapshot, ExchangeClient, ExchangeEvent, OpenOrderSnapshot, OrderIntent, OrderLookup } from "../../src/core/ports.ts";

export type FakeCall =
  | { readonly op: "place"; readonly intents: readonly OrderIntent[] }
  | { readonly op: "cancel"; readonly orderIds: readonly string[] }
  | { readonly op: "cancelAll" }
  | { readonly op: "prepare"; readonly intents: readonly OrderIntent[] }
  | { readonly op: "fetchOrder"; readonly orderId: string }
  | { readonly op: "fetchOpenOrders" };

export class FakeExchange implements ExchangeClient {
  readonly calls: FakeCall[] = [];
  /** Orders `fetchOrder` knows; absent → null. */
  readonly orders = new Map<string, OrderLookup>();
  open: OpenOrderSnapshot[] = [];
  /** When set, lookups reject with this error. */
  lookupError: Error | undefined;
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();

  place(intents: readonly OrderIntent[]): void {
    this.calls.push({ op: "place", intents: [...intents] });
  }
  cancel(orderIds: readonly string[]): void {
    this.calls.push({ op: "cancel", orderIds: [...orderIds] });
  }
  cancelAll(): void {
    this.calls.push({ op: "cancelAll" });
  }
  prepare(intents: readonly OrderIntent[]): void {
    this.calls.push({ op: "prepare", intents: [...intents] });
  }
  merge(): void {}
  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    this.calls.push({ op: "fetchOpenOrders" });
    if (this.lookupError) throw this.lookupError;
    return this.open;
  }
  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    this.calls.push({ op: "fetchOrder", orderId });
    if (this.lookupError) throw this.lookupError;
    return this.orders.get(orderId) ?? null;
  }
  async fetchBalances(): Promise<BalanceSnapshot> {
    return { collateralE6: 0, positionsE6: new Map() };
  }
  async close(): Promise<void> {}

  emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
  count(op: FakeCall["op"]): number {
    return this.calls.filter((c) => c.op === op).length;
  }
  cancelled(): string[] {
    return this.calls.flatMap((c) => (c.op === "cancel" ? c.orderIds : []));
  }
  placed(): OrderIntent[] {
    return this.calls.flatMap((c) => (c.op === "place" ? c.intents : []));
  }
}

/** The same fake seen through a venue that has no `fetchOrder` (lookups use the open orders). */
export function withoutFetchOrder(ex: FakeExchange): ExchangeClient {
  return {
    place: (i) => ex.place(i),
    cancel: (ids) => ex.cancel(ids),
    cancelAll: () => ex.cancelAll(),
    prepare: (i) => ex.prepare(i),
    merge: () => {},
    onEvent: (l) => ex.onEvent(l),
    fetchOpenOrders: () => ex.fetchOpenOrders(),
    fetchBalances: () => ex.fetchBalances(),
    close: () => ex.close(),
  };
}

/** Lets pending promise callbacks (an awaited fake lookup) run. */
export async function settleMicrotasks(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
