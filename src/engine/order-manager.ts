/**
 * OrderManager: the one owner of our orders' truth (the user's names: `preSignOrders`,
 * `submitOrder`, `cancelAll`, `getActiveOrders`). It talks only to the `ExchangeClient`
 * port, so the same code runs on the simulator, paper, backtest and live.
 *
 * - **One submission per intent.** Intents are keyed by `clientId`; a second `submitOrder`
 *   with a known id returns the tracked order and sends nothing (counted).
 * - **Journal before send.** `OrderJournal.intent` / `.cancel` run before the command
 *   leaves; acks, rejects, fills and closes are appended as they arrive.
 * - **Identity.** Acks and rejects carry our clientId; fills and closes carry only the
 *   exchange id. Events for an id nobody has claimed yet (a fill before its ack: the user
 *   socket beats the REST reply) wait in `unclaimed` for `unknownOrderGraceMs`; if still
 *   unclaimed then, the order is not ours (an orphan) and is cancelled.
 * - **Ambiguous submit.** A `TIMEOUT_AMBIGUOUS` reject carries the precomputed order hash;
 *   the order goes to `unknown` and is looked up by that hash (`fetchOrder`, else the open
 *   orders) until found or `lookupAttempts` lookups say it is not there. Never resent.
 * - **Stuck pending.** No ack or reject after `pendingTimeoutMs`: looked up by fingerprint
 *   (token, side, price, size) among open orders; found → claimed and cancelled; not found →
 *   rejected. Either way nothing is resubmitted.
 * - **Fills** keyed by (trade, order); FAILED reverses (order-state.ts). Positions per token
 *   are derived from fills only, including fills of orphans (they are ours all the same).
 *
 * Deadlines run on the injected `Clock` (one timer at a time, set to the earliest one).
 * Layers: `OrderTracker` (order-tracker.ts: indexes, unclaimed-event buffer, fills and
 * positions, observers, the deadline timer) ← `OrderResolver` (order-resolver.ts: orphans,
 * stuck and ambiguous orders, lookups, retention) ← this file (commands and venue events).
 */
import type { ExchangeEvent, OpenOrderSnapshot, OrderIntent } from "../core/ports.ts";
import {
  applyAck,
  applyClosed,
  applyFillEvent,
  applyFillToOrder,
  applyFillToPosition,
  applyReject,
  isTerminal,
  newPosition,
  newTrackedOrder,
  type OrderView,
  remainingE6,
} from "./order-state.ts";
import type { OrderManagerOptions } from "./order-tracker.ts";
import { matchesIntent, OrderResolver } from "./order-resolver.ts";
import { type DesiredQuote, fitPlacedSells, type QuotePlan, reconcileQuotes, type SellFitter } from "./quote-reconcile.ts";

export { NO_JOURNAL, OrderTracker } from "./order-tracker.ts";
export { OrderResolver } from "./order-resolver.ts";
export type { OrderJournal, OrderListener, OrderManagerOptions, OrderManagerStats } from "./order-tracker.ts";

export class OrderManager extends OrderResolver {
  private readonly pendingTimeoutNs: number;
  private readonly sizeToleranceE6: number;
  private readonly newClientId: () => string;
  private readonly unsubscribe: () => void;
  private seq = 0;

  constructor(opts: OrderManagerOptions) {
    super(opts);
    this.pendingTimeoutNs = (opts.pendingTimeoutMs ?? 10_000) * 1e6;
    this.sizeToleranceE6 = opts.sizeToleranceE6 ?? 0;
    this.newClientId = opts.newClientId ?? (() => `om-${this.clock.wallMs()}-${++this.seq}`);
    this.unsubscribe = this.ex.onEvent((ev) => this.onExchangeEvent(ev));
  }

  /** Warms the venue's pre-signed pool for intents the strategy expects to send next. */
  preSignOrders(intents: readonly OrderIntent[]): void {
    this.ex.prepare(intents);
  }

  /** Sends one intent (never twice). Returns its tracked state; `orderId` fills in on ack. */
  submitOrder(intent: OrderIntent): OrderView {
    const [view] = this.submitOrders([intent]);
    return view as OrderView;
  }

  /** Sends several intents in one `place` call (one batch request where the venue allows). */
  submitOrders(intents: readonly OrderIntent[]): OrderView[] {
    const now = this.clock.nowNs();
    const out: OrderView[] = [];
    const fresh: OrderIntent[] = [];
    for (const intent of intents) {
      const known = this.byClient.get(intent.clientId);
      if (known) {
        this.stats.duplicateIntents++;
        out.push(known);
        continue;
      }
      const o = newTrackedOrder(intent, now);
      o.deadlineNs = now + this.pendingTimeoutNs;
      this.byClient.set(intent.clientId, o);
      this.journal.intent(intent, now);
      fresh.push(intent);
      out.push(o);
    }
    if (fresh.length > 0) {
      this.stats.submitted += fresh.length;
      this.ex.place(fresh);
      this.schedule(now + this.pendingTimeoutNs);
    }
    return out;
  }

  /** Cancels by clientId. A pending order is cancelled as soon as its exchange id is known. */
  override cancelOrders(clientIds: readonly string[]): void {
    const now = this.clock.nowNs();
    const ids: string[] = [];
    for (const cid of clientIds) {
      const o = this.byClient.get(cid);
      if (!o || isTerminal(o.state) || o.cancelRequested) continue;
      if (o.orderId === "") {
        o.cancelOnAck = true;
        continue;
      }
      o.cancelRequested = true;
      this.journal.cancel(o.intent.clientId, o.orderId, now);
      ids.push(o.orderId);
    }
    if (ids.length > 0) {
      this.stats.cancelsSent += ids.length;
      this.ex.cancel(ids);
    }
  }

  /**
   * Journals a merge the venue confirmed: `sizeE6` YES+NO pairs became $1 each, so the
   * journal's positions stay equal to the exchange's without waiting for the next reconcile.
   */
  recordMerge(yesTokenId: string, noTokenId: string, sizeE6: number): void {
    if (sizeE6 <= 0) return;
    this.journal.adjustPosition?.(yesTokenId, -sizeE6, 0, "merge");
    this.journal.adjustPosition?.(noTokenId, -sizeE6, sizeE6, "merge");
  }

  /** Cancels every open order of the key (ours, orphans, anything the exchange holds). */
  cancelAll(): void {
    const now = this.clock.nowNs();
    for (const o of this.byClient.values()) {
      if (isTerminal(o.state)) continue;
      if (o.orderId === "") o.cancelOnAck = true;
      else {
        o.cancelRequested = true;
        this.journal.cancel(o.intent.clientId, o.orderId, now);
      }
    }
    this.stats.cancelsSent++;
    this.ex.cancelAll();
  }

  /**
   * Makes the live orders of `conditionId` equal `desired` with the fewest commands:
   * one cancel batch and one place batch. Returns the plan it carried out. With `fitSell`,
   * every SELL to be placed is first fitted to the shares our other SELLs of its token still
   * hold (quote-reconcile.ts `fitPlacedSells`).
   */
  applyQuotes(conditionId: string, desired: readonly DesiredQuote[], fitSell?: SellFitter): QuotePlan {
    const live = this.getActiveOrders(conditionId).map((o) => ({
      clientId: o.intent.clientId,
      tokenId: o.intent.tokenId,
      side: o.intent.side,
      priceE4: o.intent.priceE4,
      remainingE6: remainingE6(o),
      cancelRequested: o.cancelRequested || o.cancelOnAck,
    }));
    let plan = reconcileQuotes(desired, live, this.sizeToleranceE6);
    if (fitSell && plan.place.some((q) => q.side === "SELL")) {
      plan = reconcileQuotes(
        fitPlacedSells(desired, plan, (t) => this.reservedSellE6(t), fitSell),
        live,
        this.sizeToleranceE6,
      );
    }
    if (plan.cancel.length > 0) this.cancelOrders(plan.cancel);
    if (plan.place.length > 0) {
      this.submitOrders(
        plan.place.map((q) => ({
          clientId: this.newClientId(),
          conditionId: q.conditionId,
          tokenId: q.tokenId,
          side: q.side,
          priceE4: q.priceE4,
          sizeE6: q.sizeE6,
          orderType: q.orderType ?? "GTC",
          postOnly: q.postOnly ?? true,
          expirationSec: q.expirationSec ?? 0,
        })),
      );
    }
    return plan;
  }

  /**
   * Compares the exchange's open orders with ours (startup, after a reconnect): an open
   * order nobody here placed is cancelled; an order we think is open but the exchange no
   * longer lists (acked before `asOfNs` − grace) is closed as cancelled.
   */
  syncOpenOrders(open: readonly OpenOrderSnapshot[]): { orphans: string[]; closed: string[] } {
    const now = this.clock.nowNs();
    const seen = new Set<string>();
    const orphans: string[] = [];
    const pending = [...this.byClient.values()].filter((o) => o.state === "pending" && o.orderId === "");
    for (const s of open) {
      seen.add(s.orderId);
      const o = this.byOrderId.get(s.orderId);
      if (o && !(isTerminal(o.state) && o.state !== "filled")) continue;
      // Possibly one of ours whose reply is still on its way: leave it to the pending timeout.
      if (!o && pending.some((p) => matchesIntent(s, p.intent))) continue;
      orphans.push(s.orderId);
    }
    const closed: string[] = [];
    for (const o of this.byClient.values()) {
      if (o.orderId === "" || isTerminal(o.state) || o.state === "unknown" || seen.has(o.orderId)) continue;
      if (o.state === "pending" || now - o.ackNs < this.graceNs) continue;
      applyClosed(o, { kind: "order_closed", orderId: o.orderId, reason: "cancelled", atNs: now });
      this.journal.closed(o.intent.clientId, o.orderId, o.state, now);
      closed.push(o.intent.clientId);
    }
    if (orphans.length > 0) {
      this.stats.orphansCancelled += orphans.length;
      this.ex.cancel(orphans);
    }
    return { orphans, closed };
  }

  /** Fetches the exchange's open orders and runs `syncOpenOrders`. */
  async reconcileWithExchange(): Promise<{ orphans: string[]; closed: string[] }> {
    return this.syncOpenOrders(await this.ex.fetchOpenOrders());
  }

  close(): void {
    this.unsubscribe();
    this.stopTimer();
  }

  // ── events ───────────────────────────────────────────────────────────────

  /** Entry point for venue events (subscribed in the constructor). */
  onExchangeEvent(ev: ExchangeEvent): void {
    switch (ev.kind) {
      case "ack": {
        const o = this.byClient.get(ev.clientId);
        if (!o) {
          this.bufferUnclaimed(ev.orderId, ev);
          return;
        }
        const wasActive = !isTerminal(o.state);
        this.claim(o, ev.orderId);
        if (applyAck(o, ev) === "ignored") {
          this.stats.ignoredEvents++;
          return;
        }
        this.stats.acks++;
        o.deadlineNs = 0;
        this.armTakerDeadline(o, ev.atNs);
        this.journal.ack(o.intent.clientId, o.orderId, ev.status, ev.atNs);
        this.emit(o, ev);
        this.drainUnclaimed(o);
        if (!wasActive && !isTerminal(o.state)) this.cancelZombie(o);
        else if (o.cancelOnAck && !isTerminal(o.state)) {
          o.cancelOnAck = false;
          this.cancelOrders([o.intent.clientId]);
        }
        return;
      }
      case "reject": {
        const o = this.byClient.get(ev.clientId);
        if (!o || applyReject(o, ev) === "ignored") {
          this.stats.ignoredEvents++;
          return;
        }
        this.stats.rejects++;
        if (o.orderId !== "") this.claim(o, o.orderId);
        this.journal.reject(o.intent.clientId, o.orderId, ev.code, ev.message, ev.atNs);
        this.emit(o, ev);
        if (o.state === "unknown") {
          o.deadlineNs = 0;
          void this.lookup(o);
        } else {
          o.deadlineNs = 0;
          this.drainUnclaimed(o);
        }
        return;
      }
      case "fill": {
        const eff = applyFillEvent(this.fillIndex, ev);
        if (eff.kind !== "duplicate") {
          let pos = this.positionsByToken.get(ev.tokenId);
          if (!pos) {
            pos = newPosition(ev.tokenId);
            this.positionsByToken.set(ev.tokenId, pos);
          }
          applyFillToPosition(pos, eff);
          if (eff.kind === "new") this.stats.fills++;
          if (eff.kind === "reversed") this.stats.failedTrades++;
          this.journal.fill(eff.fill, ev.atNs);
        }
        const o = this.byOrderId.get(ev.orderId);
        if (!o) {
          if (eff.kind !== "duplicate") this.bufferUnclaimed(ev.orderId, ev);
          return;
        }
        const wasTerminal = isTerminal(o.state);
        if (applyFillToOrder(o, eff, ev.atNs) === "applied") {
          this.armTakerDeadline(o, ev.atNs);
          this.emit(o, ev);
          if (wasTerminal && !isTerminal(o.state) && o.rejectCode === "TIMEOUT_AMBIGUOUS") this.cancelZombie(o);
          if (isTerminal(o.state)) this.journal.closed(o.intent.clientId, o.orderId, o.state, ev.atNs);
        } else this.stats.ignoredEvents++;
        return;
      }
      case "order_closed": {
        const o = this.byOrderId.get(ev.orderId);
        if (!o) {
          this.bufferUnclaimed(ev.orderId, ev);
          return;
        }
        if (applyClosed(o, ev) === "ignored") {
          this.stats.ignoredEvents++;
          return;
        }
        o.deadlineNs = 0;
        // A FOK/FAK closed with fills still in flight waits for them, within the deadline.
        this.armTakerDeadline(o, ev.atNs);
        this.journal.closed(o.intent.clientId, o.orderId, o.state, ev.atNs);
        this.emit(o, ev);
        return;
      }
      case "cancel_failed": {
        const o = this.byOrderId.get(ev.orderId);
        if (!o) {
          this.stats.ignoredEvents++;
          return;
        }
        o.cancelRequested = false;
        o.message = ev.message;
        this.emit(o, ev);
        return;
      }
      case "merged":
      case "connection":
        return;
    }
  }
}
