/**
 * `BacktestExchange`: an `ExchangeClient` (src/core/ports.ts) whose matching is the fill
 * model (fill-model.ts) over a market's *public* data, for backtests (recorded frames) and
 * paper trading (live frames). Nothing is ever sent anywhere: orders live in this object.
 *
 * Time and latency (docs/backtest.md, "Latency"):
 *   bot ──place──▶ (orderLatencyMs) ──▶ exchange decides on its book ──▶ (responseLatencyMs) ──▶ ack/fill to bot
 *   bot ──cancel─▶ (cancelLatencyMs) ─▶ exchange removes the rest      ──▶ (responseLatencyMs) ──▶ order_closed
 * Until a cancel *arrives* the order can still fill: a cancel that lands after the trade
 * does not save the order. Each direction is one FIFO on the injected `Clock` (one timer at
 * a time, `DelayQueue`), so a `ManualClock` makes a backtest exact and a `SystemClock`
 * makes paper trading real-time.
 *
 * Market data comes in through `onBook` / `onPrint` (the replay driver or the paper glue
 * call them at exchange time), read from `books(tokenId)`: the exchange's view of each
 * token's book, which in a backtest may run ahead of the bot's (feed latency).
 *
 * Ledger: pUSD collateral and token positions; a BUY holds its notional (plus the worst
 * taker fee when marketable), a SELL needs free tokens; merges turn pairs into $1 after
 * `mergeLatencyMs`; resolution pays $1 a winning share and the market's maker rebates.
 * Everything the report needs is kept in `journal` (orders, fills, cancels, quote times).
 *
 * Files: this one takes what comes in (the bot's commands, through the arrival queue; market
 * data, window ends and resolutions, at exchange time) and answers queries; what the exchange
 * does with an arrived order (checks, matching, fills, ledger, events to the bot) is
 * `BacktestVenue` in backtest-venue.ts; settings in backtest-settings.ts; the latency queues
 * in latency-queues.ts.
 */
import type { BalanceSnapshot, ExchangeClient, OpenOrderSnapshot, OrderIntent, OrderLookup, Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";
import { onCross, onLevel, onPrint, printInTermsOf, type QueuedOrder } from "./fill-model.ts";
import type { CancelRecord, OrderRecord } from "./backtest-journal.ts";
import type { BacktestExchangeOptions } from "./backtest-settings.ts";
import { BacktestVenue, type LiveOrder } from "./backtest-venue.ts";
import { ArrivalQueue } from "./latency-queues.ts";

export type {
  CancelRecord,
  FillRecordOut,
  MergeRecord,
  OrderOutcome,
  OrderRecord,
  QuoteTimeline,
  ResolutionRecord,
  VenueJournal,
} from "./backtest-journal.ts";
export type { BacktestExchangeOptions, BacktestExchangeSettings, BooksOf, VenueLatency } from "./backtest-settings.ts";
export { DEFAULT_BACKTEST_EXCHANGE } from "./backtest-settings.ts";

/** Commands leave through the arrival queue; market data lands at once; queries answer from the venue's state. */
export class BacktestExchange extends BacktestVenue implements ExchangeClient {
  private readonly toExchange: ArrivalQueue;
  private seq = 0;

  constructor(opts: BacktestExchangeOptions) {
    super(opts);
    this.toExchange = new ArrivalQueue(opts.clock);
  }

  // ── ExchangeClient ────────────────────────────────────────────────────────

  place(intents: readonly OrderIntent[]): void {
    if (this.closed) return;
    const now = this.clock.nowNs();
    for (const intent of intents) {
      const ref = this.tokenMarket.get(intent.tokenId);
      const rec: OrderRecord = {
        orderId: `${this.settings.idPrefix}-${++this.seq}`,
        clientId: intent.clientId,
        conditionId: intent.conditionId,
        tokenId: intent.tokenId,
        side: intent.side,
        priceE4: intent.priceE4,
        sizeE6: intent.sizeE6,
        orderType: intent.orderType,
        postOnly: intent.postOnly,
        sentNs: now,
        arrivedNs: -1,
        answeredNs: -1,
        closedNs: -1,
        filledE6: 0,
        outcome: "open",
        rejectCode: "",
      };
      this.journal.orders.push(rec);
      this.toExchange.push(this.settings.orderLatencyMs, () => this.arrive(rec, intent, ref));
    }
  }

  cancel(orderIds: readonly string[]): void {
    if (this.closed || orderIds.length === 0) return;
    const now = this.clock.nowNs();
    const recs: CancelRecord[] = [];
    for (const orderId of orderIds) {
      const c: CancelRecord = { orderId, sentNs: now, arrivedNs: -1, answeredNs: -1, tooLate: false, filledInFlightE6: 0 };
      const o = this.byId.get(orderId);
      if (o && o.cancel === null) o.cancel = c;
      this.journal.cancels.push(c);
      recs.push(c);
    }
    this.stats.cancels += recs.length;
    this.toExchange.push(this.settings.cancelLatencyMs, () => {
      for (const c of recs) this.cancelArrives(c);
    });
  }

  cancelAll(): void {
    if (this.closed) return;
    this.stats.cancelAlls++;
    const now = this.clock.nowNs();
    const recs: CancelRecord[] = [];
    for (const o of this.byId.values()) {
      if (o.rec.outcome !== "open") continue;
      const c: CancelRecord = { orderId: o.rec.orderId, sentNs: now, arrivedNs: -1, answeredNs: -1, tooLate: false, filledInFlightE6: 0 };
      if (o.cancel === null) o.cancel = c;
      recs.push(c);
    }
    this.toExchange.push(this.settings.cancelLatencyMs, () => {
      // Everything resting when the cancel-all lands goes, including orders that arrived after it was sent.
      const covered = new Set(recs.map((c) => c.orderId));
      for (const c of recs) this.cancelArrives(c, true);
      for (const o of [...this.byId.values()]) {
        if (o.rec.outcome !== "open" || covered.has(o.rec.orderId) || o.q === null) continue;
        this.cancelArrives(
          { orderId: o.rec.orderId, sentNs: now, arrivedNs: -1, answeredNs: -1, tooLate: false, filledInFlightE6: 0 },
          true,
        );
      }
    });
  }

  prepare(): void {
    // Nothing to warm: no signatures leave this process.
  }

  merge(conditionId: string, sizeE6: SizeE6): void {
    if (this.closed) return;
    this.toExchange.push(this.settings.mergeLatencyMs, () => {
      const m = this.markets.get(conditionId);
      if (!m || m.resolved) return;
      const yes = this.freeTokensE6(m.info.yesTokenId);
      const no = this.freeTokensE6(m.info.noTokenId);
      const s = Math.min(sizeE6, yes, no);
      if (s <= 0) return;
      this.addPosition(m.info.yesTokenId, -s);
      this.addPosition(m.info.noTokenId, -s);
      this.collateralE6 += s;
      this.stats.merges++;
      this.journal.merges.push({ conditionId, atNs: this.clock.nowNs(), wallMs: this.clock.wallMs(), sizeE6: s });
      this.send(() => ({ kind: "merged", conditionId, sizeE6: s, atNs: this.clock.nowNs() }));
    });
  }
  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    const out: OpenOrderSnapshot[] = [];
    for (const o of this.byId.values()) if (o.rec.outcome === "open" && o.q) out.push(this.snapshotOf(o));
    return out;
  }

  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    const o = this.byId.get(orderId);
    if (!o) return null;
    const status =
      o.rec.outcome === "open" ? "live" : o.rec.outcome === "filled" ? "matched" : o.rec.outcome === "rejected" ? "invalid" : "cancelled";
    return { ...this.snapshotOf(o), status };
  }

  async fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot> {
    const positionsE6 = new Map<string, SizeE6>();
    for (const t of tokenIds) positionsE6.set(t, this.positions.get(t) ?? 0);
    return { collateralE6: this.collateralE6, positionsE6 };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.toExchange.clear();
    this.toBot.clear();
  }

  // ── balances (synchronous views for the report and tests) ─────────────────

  collateral(): UsdE6 {
    return this.collateralE6;
  }

  position(tokenId: string): SizeE6 {
    return this.positions.get(tokenId) ?? 0;
  }

  /** Open (resting) orders of a token, for tests and the status line. */
  restingOrders(tokenId?: string): readonly OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const [t, list] of this.resting) if (tokenId === undefined || t === tokenId) for (const o of list) out.push(o.rec);
    return out;
  }

  /** Queue state of a resting order (tests, docs). */
  queueOf(orderId: string): Readonly<QueuedOrder> | undefined {
    return this.byId.get(orderId)?.q ?? undefined;
  }

  // ── market data, at exchange time ─────────────────────────────────────────

  /** A token's book changed: queue positions follow it, crossing orders fill us. */
  onBook(tokenId: string): void {
    const list = this.resting.get(tokenId);
    if (!list || list.length === 0) return;
    const book = this.books(tokenId);
    if (!book || book.stale) return;
    const now = this.clock.nowNs();
    const s = this.settings.fill;
    for (const o of [...list]) {
      const q = o.q;
      if (!q) continue;
      onLevel(q, book.sizeAtE6(q.side, q.priceE4), now, s);
      const x = onCross(q, book, s);
      if (x > 0) this.makerFill(o, x, "book_through");
    }
  }

  /** A trade print (`takerSide` is the taker's, as the channel reports it). */
  onPrint(tokenId: string, priceE4: PriceE4, sizeE6: SizeE6, takerSide: Side): void {
    const ref = this.tokenMarket.get(tokenId);
    if (!ref) return;
    const s = this.settings.fill;
    this.printOn(tokenId, tokenId, priceE4, sizeE6, takerSide);
    if (s.complementTrades) {
      const other = ref.isYes ? ref.market.info.noTokenId : ref.market.info.yesTokenId;
      this.printOn(other, tokenId, priceE4, sizeE6, takerSide);
    }
  }

  /** The window ended: resting orders are cancelled by the exchange; no new ones accepted. */
  closeMarket(conditionId: string): void {
    const m = this.markets.get(conditionId);
    if (!m || m.closed) return;
    m.closed = true;
    for (const t of [m.info.yesTokenId, m.info.noTokenId]) {
      for (const o of [...(this.resting.get(t) ?? [])]) this.closeOrder(o, "market_closed");
    }
  }

  /** Pays $1 per winning share and the market's maker rebates. Idempotent. */
  resolveMarket(conditionId: string, winningTokenId: string): void {
    const m = this.markets.get(conditionId);
    if (!m || m.resolved) return;
    this.closeMarket(conditionId);
    m.resolved = true;
    let payout = 0;
    for (const t of [m.info.yesTokenId, m.info.noTokenId]) {
      const q = this.positions.get(t) ?? 0;
      if (t === winningTokenId && q > 0) payout += q;
      this.positions.set(t, 0);
    }
    this.collateralE6 += payout + m.rebatesOwedE6;
    this.journal.resolutions.push({
      conditionId,
      winningTokenId,
      atNs: this.clock.nowNs(),
      wallMs: this.clock.wallMs(),
      payoutE6: payout,
      rebatesPaidE6: m.rebatesOwedE6,
    });
    m.rebatesOwedE6 = 0;
  }

  private printOn(ownTokenId: string, printTokenId: string, priceE4: PriceE4, sizeE6: SizeE6, takerSide: Side): void {
    const list = this.resting.get(ownTokenId);
    if (!list || list.length === 0) return;
    const p = printInTermsOf(printTokenId, ownTokenId, priceE4, takerSide);
    const now = this.clock.nowNs();
    for (const o of [...list]) {
      if (!o.q) continue;
      const r = onPrint(o.q, p.priceE4, sizeE6, p.takerSide, now, this.settings.fill);
      if (r.fillE6 > 0) this.makerFill(o, r.fillE6, r.cause);
    }
  }

  private snapshotOf(o: LiveOrder): OpenOrderSnapshot {
    return {
      orderId: o.rec.orderId,
      conditionId: o.rec.conditionId,
      tokenId: o.rec.tokenId,
      side: o.rec.side,
      priceE4: o.rec.priceE4,
      originalSizeE6: o.rec.sizeE6,
      matchedSizeE6: o.rec.filledE6,
      createdAtSec: Math.floor(this.clock.wallMs() / 1000),
    };
  }

  /** Queues an event for the bot; `make` runs at delivery so `atNs` is the delivery time. */
}
