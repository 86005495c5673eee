/**
 * `OrderTracker`: the bookkeeping under `OrderManager` (order-manager.ts). It knows which
 * order an exchange event belongs to and keeps what follows from it:
 *
 * - **Indexes.** Orders by our `clientId` and, once known, by the exchange id (`claim`).
 * - **Unclaimed events.** Fills and closes carry only the exchange id; one that arrives
 *   before we know the id is ours (the user socket beats the REST reply) waits in
 *   `unclaimed` for `unknownOrderGraceMs`, is replayed onto its order when claimed
 *   (`drainUnclaimed`), and is an orphan if nobody claims it by then (the manager decides).
 * - **Fills and positions.** The fill index (keyed by trade and order) and positions per
 *   token, derived from fills only (order-state.ts has the rules).
 * - **Deadlines.** One clock timer at a time, set to the earliest deadline; when it fires it
 *   calls `onTimer`, which the manager implements.
 * - **Queries and observers.** `getActiveOrders`, `getOrder`, `position`, `onUpdate`.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, OrderIntent } from "../core/ports.ts";
import {
  applyClosed,
  applyFillToOrder,
  type FillRecord,
  awaitsTakerOutcome,
  isTerminal,
  newPosition,
  type OrderState,
  type OrderView,
  type Position,
  remainingE6,
  type TrackedOrder,
} from "./order-state.ts";

/** Write-ahead hook (issue #10 plugs sqlite in). `intent` and `cancel` run before sending. */
export interface OrderJournal {
  intent(intent: OrderIntent, atNs: number): void;
  ack(clientId: string, orderId: string, status: string, atNs: number): void;
  reject(clientId: string, orderId: string, code: string, message: string, atNs: number): void;
  fill(fill: Readonly<FillRecord>, atNs: number): void;
  cancel(clientId: string, orderId: string, atNs: number): void;
  closed(clientId: string, orderId: string, state: OrderState, atNs: number): void;
  /** A position change that is no fill (a merge): signed shares and cash. Optional. */
  adjustPosition?(tokenId: string, deltaE6: number, cashE6: number, reason: string): void;
}

export const NO_JOURNAL: OrderJournal = {
  intent() {},
  ack() {},
  reject() {},
  fill() {},
  cancel() {},
  closed() {},
};

export interface OrderManagerOptions {
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly journal?: OrderJournal;
  /** No ack/reject by then → look for it, then cancel or give up. */
  readonly pendingTimeoutMs?: number;
  /** How long events for an unclaimed exchange id wait for their owner. */
  readonly unknownOrderGraceMs?: number;
  readonly lookupRetryMs?: number;
  /** "Not found" answers before an unknown order counts as never placed. */
  readonly lookupAttempts?: number;
  /** Terminal orders are forgotten after this (their clientId can then never come back anyway). */
  readonly retentionMs?: number;
  /**
   * A FOK/FAK order accepted, or last filled, this long ago and still not closed is closed
   * as cancelled: its remainder died on the exchange at once, only the news was lost.
   */
  readonly takerSettleMs?: number;
  /** `applyQuotes` keeps a live order whose remaining size is this close to the desired size. */
  readonly sizeToleranceE6?: number;
  readonly newClientId?: () => string;
}

export interface OrderManagerStats {
  submitted: number;
  duplicateIntents: number;
  acks: number;
  rejects: number;
  fills: number;
  failedTrades: number;
  cancelsSent: number;
  orphansCancelled: number;
  stuckPending: number;
  lookups: number;
  lookupErrors: number;
  ambiguousResolvedLive: number;
  ambiguousResolvedAbsent: number;
  /** FOK/FAK orders closed by `takerSettleMs` (no close or missing fills from the venue). */
  takerRemaindersClosed: number;
  ignoredEvents: number;
}

interface Unclaimed {
  readonly orderId: string;
  readonly events: ExchangeEvent[];
  readonly firstNs: number;
}

export type OrderListener = (order: OrderView, ev: ExchangeEvent) => void;

export abstract class OrderTracker {
  readonly stats: OrderManagerStats = {
    submitted: 0,
    duplicateIntents: 0,
    acks: 0,
    rejects: 0,
    fills: 0,
    failedTrades: 0,
    cancelsSent: 0,
    orphansCancelled: 0,
    stuckPending: 0,
    lookups: 0,
    lookupErrors: 0,
    ambiguousResolvedLive: 0,
    ambiguousResolvedAbsent: 0,
    takerRemaindersClosed: 0,
    ignoredEvents: 0,
  };
  protected readonly clock: Clock;
  protected readonly journal: OrderJournal;
  protected readonly graceNs: number;
  protected readonly takerSettleNs: number;
  private readonly retentionNs: number;
  protected readonly byClient = new Map<string, TrackedOrder>();
  protected readonly byOrderId = new Map<string, TrackedOrder>();
  protected readonly fillIndex = new Map<string, FillRecord>();
  protected readonly positionsByToken = new Map<string, Position>();
  protected readonly unclaimed = new Map<string, Unclaimed>();
  private readonly listeners = new Set<OrderListener>();
  private timerAtNs = Number.POSITIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;

  constructor(opts: OrderManagerOptions) {
    this.clock = opts.clock;
    this.journal = opts.journal ?? NO_JOURNAL;
    this.graceNs = (opts.unknownOrderGraceMs ?? 3_000) * 1e6;
    this.takerSettleNs = (opts.takerSettleMs ?? 5_000) * 1e6;
    this.retentionNs = (opts.retentionMs ?? 15 * 60_000) * 1e6;
  }

  /** Orders not yet terminal (pending, unknown, live, partially filled), optionally for one market. */
  getActiveOrders(conditionId?: string): OrderView[] {
    const out: OrderView[] = [];
    for (const o of this.byClient.values()) {
      if (isTerminal(o.state)) continue;
      if (conditionId !== undefined && o.intent.conditionId !== conditionId) continue;
      out.push(o);
    }
    return out;
  }

  /**
   * Shares of `tokenId` our SELL orders hold at the exchange: the unfilled rest of every SELL
   * not yet terminal, including pending ones and those whose cancel is in flight (the
   * exchange releases the shares only when it confirms the order gone).
   */
  reservedSellE6(tokenId: string): number {
    let n = 0;
    for (const o of this.getActiveOrders()) if (o.intent.side === "SELL" && o.intent.tokenId === tokenId) n += remainingE6(o);
    return n;
  }

  getOrder(clientId: string): OrderView | undefined {
    return this.byClient.get(clientId);
  }

  getOrderByExchangeId(orderId: string): OrderView | undefined {
    return this.byOrderId.get(orderId);
  }

  position(tokenId: string): Readonly<Position> {
    return this.positionsByToken.get(tokenId) ?? newPosition(tokenId);
  }

  positions(): readonly Readonly<Position>[] {
    return [...this.positionsByToken.values()];
  }

  /** Observers (inventory, metrics): called after each event changed an order. */
  onUpdate(fn: OrderListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Earliest pending deadline (orphan grace, stuck pending, lookup retry), or +∞. */
  nextDeadlineNs(): number {
    let next = Number.POSITIVE_INFINITY;
    // A closed order's deadline is void (onTimer skips it too): it must not arm the timer.
    for (const o of this.byClient.values()) if (o.deadlineNs > 0 && o.deadlineNs < next && !isTerminal(o.state)) next = o.deadlineNs;
    for (const u of this.unclaimed.values()) next = Math.min(next, u.firstNs + this.graceNs);
    return next;
  }

  /** Runs every deadline due at `nowNs`. Called by the tracker's own timer; callable by a loop. */
  abstract onTimer(nowNs: number): void;

  /** Terminal orders past `retentionMs`, to forget. */
  protected isExpired(o: TrackedOrder, nowNs: number): boolean {
    return nowNs - o.updatedNs > this.retentionNs;
  }

  protected claim(o: TrackedOrder, orderId: string): void {
    if (o.orderId === "") o.orderId = orderId;
    if (o.orderId !== "") this.byOrderId.set(o.orderId, o);
  }

  protected bufferUnclaimed(orderId: string, ev: ExchangeEvent): void {
    if (orderId === "") {
      this.stats.ignoredEvents++;
      return;
    }
    let u = this.unclaimed.get(orderId);
    if (!u) {
      u = { orderId, events: [], firstNs: this.clock.nowNs() };
      this.unclaimed.set(orderId, u);
      this.schedule(u.firstNs + this.graceNs);
    }
    u.events.push(ev);
  }

  /** Replays events that arrived for this order's id before we knew it was ours. */
  protected drainUnclaimed(o: TrackedOrder): void {
    if (o.orderId === "") return;
    const u = this.unclaimed.get(o.orderId);
    if (!u) return;
    this.unclaimed.delete(o.orderId);
    for (const ev of u.events) {
      if (ev.kind === "fill") {
        // Position and fill index already have it; attach it to the order now.
        const rec = this.fillIndex.get(`${ev.tradeId}|${ev.orderId}`);
        if (!rec) continue;
        if (rec.counted && !o.fills.includes(rec)) applyFillToOrder(o, { kind: "new", fill: rec }, ev.atNs);
        else if (!rec.counted) continue;
        this.emit(o, ev);
      } else if (ev.kind === "order_closed") {
        if (applyClosed(o, ev) === "applied") {
          this.journal.closed(o.intent.clientId, o.orderId, o.state, ev.atNs);
          this.emit(o, ev);
        }
      }
    }
  }

  protected forget(clientId: string, o: TrackedOrder): void {
    this.byClient.delete(clientId);
    if (o.orderId !== "" && this.byOrderId.get(o.orderId) === o) this.byOrderId.delete(o.orderId);
    for (const f of o.fills) this.fillIndex.delete(f.key);
  }

  /** Arms (or pushes back) the settle deadline of an open FOK/FAK order. */
  protected armTakerDeadline(o: TrackedOrder, nowNs: number): void {
    if (!awaitsTakerOutcome(o)) return;
    o.deadlineNs = nowNs + this.takerSettleNs;
    this.schedule(o.deadlineNs);
  }

  protected emit(o: TrackedOrder, ev: ExchangeEvent): void {
    for (const fn of this.listeners) fn(o, ev);
  }

  protected schedule(atNs: number): void {
    if (atNs >= this.timerAtNs) return;
    this.cancelTimer?.();
    this.timerAtNs = atNs;
    const delayMs = Math.max(0, (atNs - this.clock.nowNs()) / 1e6);
    this.cancelTimer = this.clock.setTimer(delayMs, () => {
      this.timerAtNs = Number.POSITIVE_INFINITY;
      this.cancelTimer = undefined;
      this.onTimer(this.clock.nowNs());
    });
  }

  protected reschedule(): void {
    const next = Math.min(this.nextDeadlineNs(), this.nextRetentionNs());
    if (Number.isFinite(next)) this.schedule(next);
  }

  private nextRetentionNs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const o of this.byClient.values()) if (isTerminal(o.state)) next = Math.min(next, o.updatedNs + this.retentionNs + 1);
    return next;
  }

  protected stopTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}
