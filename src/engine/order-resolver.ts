/**
 * `OrderResolver`: what the order manager does when the venue did not answer, on the
 * tracker's deadline timer (order-tracker.ts) and the venue's lookups. Nothing here ever
 * resends an order.
 *
 * - **Orphans.** Events for an exchange id nobody claimed within `unknownOrderGraceMs` are
 *   not ours: the order is cancelled if it may still be open.
 * - **Stuck pending.** No ack or reject after `pendingTimeoutMs`: the order becomes `unknown`
 *   and is looked up by fingerprint (token, side, price, size) among the open orders; found
 *   → claimed and cancelled (a zombie); not found after `lookupAttempts` → rejected.
 * - **Ambiguous submit.** A `TIMEOUT_AMBIGUOUS` reject leaves the order `unknown` with its
 *   precomputed hash: looked up by it (`fetchOrder`, else the open orders) until found
 *   (adopted as live, or closed if the venue says cancelled) or absent `lookupAttempts` times.
 *   A failed lookup proves nothing: it is retried after `lookupRetryMs`.
 * - **Retention.** Terminal orders are forgotten after `retentionMs`.
 */
import type { ExchangeClient, ExchangeEvent, OpenOrderSnapshot, OrderIntent, OrderLookup } from "../core/ports.ts";
import { applyAck, applyClosed, closeTakerRemainder, isTerminal, type TrackedOrder } from "./order-state.ts";
import { type OrderManagerOptions, OrderTracker } from "./order-tracker.ts";

export abstract class OrderResolver extends OrderTracker {
  protected readonly ex: ExchangeClient;
  protected readonly lookupsInFlight = new Set<TrackedOrder>();
  private readonly lookupRetryNs: number;
  private readonly lookupAttempts: number;

  constructor(opts: OrderManagerOptions) {
    super(opts);
    this.ex = opts.exchange;
    this.lookupRetryNs = (opts.lookupRetryMs ?? 1_000) * 1e6;
    this.lookupAttempts = opts.lookupAttempts ?? 3;
  }

  /** Cancels by clientId (the manager's command). */
  abstract cancelOrders(clientIds: readonly string[]): void;

  /** Runs every deadline due at `nowNs`. Called by the manager's own timer; callable by a loop. */
  override onTimer(nowNs: number): void {
    for (const [orderId, u] of this.unclaimed) {
      if (nowNs - u.firstNs < this.graceNs) continue;
      this.unclaimed.delete(orderId);
      this.handleOrphan(orderId, u.events);
    }
    for (const [cid, o] of this.byClient) {
      if (isTerminal(o.state)) {
        if (this.isExpired(o, nowNs) && !this.lookupsInFlight.has(o)) this.forget(cid, o);
        continue;
      }
      if (o.deadlineNs === 0 || o.deadlineNs > nowNs || this.lookupsInFlight.has(o)) continue;
      o.deadlineNs = 0;
      if (o.state === "pending") {
        this.stats.stuckPending++;
        o.state = "unknown";
        o.message = "no reply within the pending timeout";
      }
      if (o.state === "unknown") void this.lookup(o);
      else if (closeTakerRemainder(o, nowNs) === "applied") {
        this.stats.takerRemaindersClosed++;
        this.journal.closed(o.intent.clientId, o.orderId, o.state, nowNs);
        this.emit(o, { kind: "order_closed", orderId: o.orderId, reason: "cancelled", atNs: nowNs });
      }
    }
    this.reschedule();
  }

  /** Events for an id nobody claimed within the grace period: not ours, cancel it if open. */
  private handleOrphan(orderId: string, events: readonly ExchangeEvent[]): void {
    if (this.byOrderId.has(orderId)) return;
    if (events.some((e) => e.kind === "order_closed")) return;
    this.stats.orphansCancelled++;
    this.ex.cancel([orderId]);
  }

  /** An order we had given up on (timed out, not found) turned out to exist: cancel it. */
  protected cancelZombie(o: TrackedOrder): void {
    this.stats.orphansCancelled++;
    o.cancelOnAck = false;
    o.cancelRequested = false;
    this.cancelOrders([o.intent.clientId]);
  }

  protected async lookup(o: TrackedOrder): Promise<void> {
    if (this.lookupsInFlight.has(o)) return;
    this.lookupsInFlight.add(o);
    this.stats.lookups++;
    let found: OrderLookup | OpenOrderSnapshot | null = null;
    let failed = false;
    try {
      found = await this.find(o);
    } catch (e) {
      // A failed lookup proves nothing either way: retry later, never resend.
      if (!(e instanceof Error)) throw e;
      this.stats.lookupErrors++;
      o.message = `lookup failed: ${e.message}`;
      failed = true;
    } finally {
      this.lookupsInFlight.delete(o);
    }
    if (o.state !== "unknown") return; // an event resolved it meanwhile
    const now = this.clock.nowNs();
    if (failed) {
      o.deadlineNs = now + this.lookupRetryNs;
      this.schedule(o.deadlineNs);
      return;
    }
    o.lookupAttempts++;
    if (found) {
      this.adoptFound(o, found, now);
      return;
    }
    if (o.lookupAttempts < this.lookupAttempts) {
      o.deadlineNs = now + this.lookupRetryNs;
      this.schedule(o.deadlineNs);
      return;
    }
    this.stats.ambiguousResolvedAbsent++;
    o.state = "rejected";
    o.rejectCode = "TIMEOUT_AMBIGUOUS";
    o.message = `not on the exchange after ${o.lookupAttempts} lookups`;
    o.updatedNs = now;
    this.journal.reject(o.intent.clientId, o.orderId, o.rejectCode, o.message, now);
    this.emit(o, { kind: "reject", clientId: o.intent.clientId, orderId: o.orderId, code: o.rejectCode, message: o.message, atNs: now });
  }

  private async find(o: TrackedOrder): Promise<OrderLookup | OpenOrderSnapshot | null> {
    if (o.orderId !== "" && this.ex.fetchOrder) return this.ex.fetchOrder(o.orderId);
    const open = await this.ex.fetchOpenOrders();
    if (o.orderId !== "") return open.find((s) => s.orderId === o.orderId) ?? null;
    return open.find((s) => !this.byOrderId.has(s.orderId) && matchesIntent(s, o.intent)) ?? null;
  }

  private adoptFound(o: TrackedOrder, found: OrderLookup | OpenOrderSnapshot, now: number): void {
    const wasStuck = o.orderId === "";
    this.claim(o, found.orderId);
    const status = "status" in found ? found.status : "live";
    if (status === "cancelled" || status === "invalid") {
      const ev: ExchangeEvent = { kind: "order_closed", orderId: o.orderId, reason: "cancelled", atNs: now };
      applyClosed(o, ev);
      this.journal.closed(o.intent.clientId, o.orderId, o.state, now);
      this.emit(o, ev);
    } else {
      this.stats.ambiguousResolvedLive++;
      const ev: ExchangeEvent = { kind: "ack", clientId: o.intent.clientId, orderId: o.orderId, status: "live", atNs: now };
      applyAck(o, ev);
      if (status === "matched" && o.filledE6 === 0) o.message = "matched on the exchange; fills pending";
      this.journal.ack(o.intent.clientId, o.orderId, status, now);
      this.emit(o, ev);
    }
    this.drainUnclaimed(o);
    // A stuck order (no reply at all) is an orphan by the brief: cancel what we found.
    if (wasStuck && !isTerminal(o.state)) this.cancelZombie(o);
    else if (o.cancelOnAck && !isTerminal(o.state)) {
      o.cancelOnAck = false;
      this.cancelOrders([o.intent.clientId]);
    }
  }
}

/** Same token, side, price and original size: how an order with no known id is recognised. */
export function matchesIntent(s: OpenOrderSnapshot, i: OrderIntent): boolean {
  return s.tokenId === i.tokenId && s.side === i.side && s.priceE4 === i.priceE4 && s.originalSizeE6 === i.sizeE6;
}
