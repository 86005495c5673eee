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
 */
import type { Clock } from "../core/clock.ts";
import type {
  BalanceSnapshot,
  BookView,
  ExchangeClient,
  ExchangeEvent,
  MarketInfo,
  OpenOrderSnapshot,
  OrderIntent,
  OrderLookup,
  RejectCode,
  Side,
} from "../core/ports.ts";
import { notionalE6, ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { maxTakerFeeE6 } from "../polymarket/fees.ts";
import {
  commitWalk,
  decideArrival,
  DEFAULT_FILL_MODEL,
  type FeeSchedule,
  feeScheduleOf,
  type FillCause,
  type FillModelSettings,
  isMarketable,
  joinQueue,
  makerRebateE6,
  onCross,
  onLevel,
  onPrint,
  printInTermsOf,
  type QueuedOrder,
  TakenLiquidity,
} from "./fill-model.ts";
import type { CancelRecord, OrderOutcome, OrderRecord, VenueJournal } from "./backtest-journal.ts";
import { ArrivalQueue, DelayQueue } from "./latency-queues.ts";

export type { CancelRecord, FillRecordOut, MergeRecord, OrderOutcome, OrderRecord, QuoteTimeline, ResolutionRecord, VenueJournal } from "./backtest-journal.ts";

export interface VenueLatency {
  /** Bot → exchange for new orders. */
  readonly orderLatencyMs: number;
  /** Bot → exchange for cancels ("cancelled in time or not"). */
  readonly cancelLatencyMs: number;
  /** Exchange → bot for acks, fills and closes (the user channel). */
  readonly responseLatencyMs: number;
  /** A merge settles (on chain) this long after it was asked for. */
  readonly mergeLatencyMs: number;
}

export interface BacktestExchangeSettings extends VenueLatency {
  readonly fill: FillModelSettings;
  /** pUSD the account starts with. */
  readonly initialCollateralE6: UsdE6;
  /** Order ids are `<idPrefix>-<n>`. */
  readonly idPrefix: string;
}

export const DEFAULT_BACKTEST_EXCHANGE: BacktestExchangeSettings = {
  orderLatencyMs: 20,
  cancelLatencyMs: 20,
  responseLatencyMs: 20,
  mergeLatencyMs: 5_000,
  fill: DEFAULT_FILL_MODEL,
  initialCollateralE6: 10_000_000_000,
  idPrefix: "bt",
};

interface VenueMarket {
  readonly info: MarketInfo;
  readonly fees: FeeSchedule;
  closed: boolean;
  resolved: boolean;
  /** Rebates earned, paid at resolution. */
  rebatesOwedE6: UsdE6;
  lastBidE4: number;
  lastAskE4: number;
}

interface LiveOrder {
  readonly rec: OrderRecord;
  readonly intent: OrderIntent;
  readonly market: VenueMarket;
  readonly isYes: boolean;
  q: QueuedOrder | null;
  fills: number;
  /** A cancel is on its way (for the report's "filled while the cancel flew"). */
  cancel: CancelRecord | null;
}

export type BooksOf = (tokenId: string) => BookView | undefined;

export class BacktestExchange implements ExchangeClient {
  readonly settings: BacktestExchangeSettings;
  readonly journal: VenueJournal = { orders: [], fills: [], cancels: [], merges: [], resolutions: [], quotes: new Map() };
  readonly stats = { placed: 0, rejected: 0, fills: 0, cancels: 0, cancelAlls: 0, merges: 0, unknownMarketOrders: 0 };
  private readonly clock: Clock;
  private readonly books: BooksOf;
  private readonly toExchange: ArrivalQueue;
  private readonly toBot: DelayQueue;
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  private readonly markets = new Map<string, VenueMarket>();
  private readonly tokenMarket = new Map<string, { market: VenueMarket; isYes: boolean }>();
  private readonly byId = new Map<string, LiveOrder>();
  /** Resting orders per token (small arrays: a handful of our quotes). */
  private readonly resting = new Map<string, LiveOrder[]>();
  private readonly taken = new TakenLiquidity();
  private readonly positions = new Map<string, SizeE6>();
  private collateralE6: UsdE6;
  private seq = 0;
  private tradeSeq = 0;
  private closed = false;

  constructor(opts: { readonly clock: Clock; readonly books: BooksOf; readonly settings?: Partial<BacktestExchangeSettings>; readonly markets?: readonly MarketInfo[] }) {
    this.settings = { ...DEFAULT_BACKTEST_EXCHANGE, ...opts.settings };
    this.clock = opts.clock;
    this.books = opts.books;
    const s = this.settings;
    this.toExchange = new ArrivalQueue(opts.clock);
    this.toBot = new DelayQueue(opts.clock, s.responseLatencyMs);
    this.collateralE6 = s.initialCollateralE6;
    if (opts.markets) this.addMarkets(opts.markets);
  }

  /** Markets the exchange knows (fees, tick, minimum size, token pair). Idempotent. */
  addMarkets(markets: readonly MarketInfo[]): void {
    for (const info of markets) {
      if (this.markets.has(info.conditionId)) continue;
      const m: VenueMarket = { info, fees: feeScheduleOf(info), closed: false, resolved: false, rebatesOwedE6: 0, lastBidE4: 0, lastAskE4: 0 };
      this.markets.set(info.conditionId, m);
      this.tokenMarket.set(info.yesTokenId, { market: m, isYes: true });
      this.tokenMarket.set(info.noTokenId, { market: m, isYes: false });
      this.journal.quotes.set(info.conditionId, { tNs: [], wallMs: [], bidE4: [], askE4: [] });
    }
  }

  market(conditionId: string): MarketInfo | undefined {
    return this.markets.get(conditionId)?.info;
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
        this.cancelArrives({ orderId: o.rec.orderId, sentNs: now, arrivedNs: -1, answeredNs: -1, tooLate: false, filledInFlightE6: 0 }, true);
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

  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    const out: OpenOrderSnapshot[] = [];
    for (const o of this.byId.values()) if (o.rec.outcome === "open" && o.q) out.push(this.snapshotOf(o));
    return out;
  }

  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    const o = this.byId.get(orderId);
    if (!o) return null;
    const status = o.rec.outcome === "open" ? "live" : o.rec.outcome === "filled" ? "matched" : o.rec.outcome === "rejected" ? "invalid" : "cancelled";
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
    this.journal.resolutions.push({ conditionId, winningTokenId, atNs: this.clock.nowNs(), wallMs: this.clock.wallMs(), payoutE6: payout, rebatesPaidE6: m.rebatesOwedE6 });
    m.rebatesOwedE6 = 0;
  }

  // ── internals ─────────────────────────────────────────────────────────────

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

  private arrive(rec: OrderRecord, intent: OrderIntent, ref: { market: VenueMarket; isYes: boolean } | undefined): void {
    rec.arrivedNs = this.clock.nowNs();
    if (!ref) {
      this.stats.unknownMarketOrders++;
      this.reject(rec, "MARKET_CLOSED", "No orderbook exists for the requested token id");
      return;
    }
    const m = ref.market;
    if (m.closed) return this.reject(rec, "MARKET_CLOSED", "the market is not yet ready to process new orders");
    const book = this.books(intent.tokenId);
    const tick = book && !book.stale ? book.tickE4 : m.info.tickE4;
    if (intent.priceE4 <= 0 || intent.priceE4 >= ONE_E4 || intent.priceE4 % tick !== 0) {
      return this.reject(rec, "INVALID_TICK", `price breaks minimum tick size rule: ${tick / ONE_E4}`);
    }
    if (intent.sizeE6 < m.info.minSizeE6) return this.reject(rec, "ORDER_TOO_SMALL", "Size lower than the minimum");
    // Balance: a BUY holds its notional (and the worst taker fee if it will take), a SELL its tokens.
    if (intent.side === "BUY") {
      const fee = isMarketable(book, "BUY", intent.priceE4) ? maxTakerFeeE6(intent.sizeE6, intent.priceE4, true, m.fees.feeRate, m.fees.feeExponent) : 0;
      if (notionalE6(intent.sizeE6, intent.priceE4) + fee > this.freeCollateralE6()) return this.reject(rec, "INSUFFICIENT_BALANCE", "not enough balance / allowance");
    } else if (intent.sizeE6 > this.freeTokensE6(intent.tokenId)) {
      return this.reject(rec, "INSUFFICIENT_BALANCE", "not enough balance / allowance");
    }
    const d = decideArrival(book, intent.tokenId, intent.side, intent.priceE4, intent.sizeE6, intent.orderType, intent.postOnly, this.taken, m.fees);
    if (d.kind === "reject") {
      return this.reject(rec, d.code, d.code === "POST_ONLY_CROSS" ? "invalid post-only order: order crosses book" : "order couldn't be fully filled. FOK orders are fully filled or killed.");
    }
    const o: LiveOrder = { rec, intent, market: m, isYes: ref.isYes, q: null, fills: 0, cancel: null };
    this.byId.set(rec.orderId, o);
    this.stats.placed++;
    const took = d.walk !== null && d.walk.filledE6 > 0;
    const status = d.restE6 > 0 ? (took ? "matched" : "live") : took ? "matched" : "unmatched";
    this.send(() => {
      rec.answeredNs = this.clock.nowNs();
      return { kind: "ack", clientId: intent.clientId, orderId: rec.orderId, status, atNs: this.clock.nowNs() };
    });
    if (d.walk && book && took) {
      commitWalk(book, intent.tokenId, intent.side, d.walk, this.taken);
      for (const f of d.walk.fills) this.applyFill(o, f.priceE4, f.sizeE6, f.feeE6, 0, "taker", "taker");
    }
    if (d.restE6 > 0) {
      o.q = joinQueue(rec.orderId, intent.tokenId, intent.side, intent.priceE4, d.restE6, book);
      let list = this.resting.get(intent.tokenId);
      if (!list) {
        list = [];
        this.resting.set(intent.tokenId, list);
      }
      list.push(o);
      this.quotesChanged(m);
    } else if (rec.filledE6 < rec.sizeE6) {
      this.finish(o, d.killedE6 > 0 ? "killed" : "cancelled", "cancelled");
    } else {
      this.finish(o, "filled", "filled");
    }
  }

  private reject(rec: OrderRecord, code: RejectCode, message: string): void {
    this.stats.rejected++;
    rec.outcome = "rejected";
    rec.rejectCode = code;
    rec.closedNs = this.clock.nowNs();
    this.send(() => {
      rec.answeredNs = this.clock.nowNs();
      return { kind: "reject", clientId: rec.clientId, orderId: rec.orderId, code, message, atNs: this.clock.nowNs() };
    });
  }

  private cancelArrives(c: CancelRecord, quiet = false): void {
    c.arrivedNs = this.clock.nowNs();
    const o = this.byId.get(c.orderId);
    if (o?.cancel && o.cancel !== c) c.filledInFlightE6 = 0;
    if (!o || o.rec.outcome !== "open" || !o.q) {
      c.tooLate = true;
      if (!quiet) {
        this.send(() => {
          c.answeredNs = this.clock.nowNs();
          return { kind: "cancel_failed", orderId: c.orderId, message: "order can't be found - already canceled or matched", atNs: this.clock.nowNs() };
        });
      }
      return;
    }
    this.closeOrder(o, "cancelled", c);
  }

  private closeOrder(o: LiveOrder, reason: "cancelled" | "market_closed", c?: CancelRecord): void {
    this.finish(o, reason, reason, c);
  }

  /** Takes an order off the book and tells the bot (unless it was fully filled: the fill said so). */
  private finish(o: LiveOrder, outcome: OrderOutcome, reason: "cancelled" | "market_closed" | "filled", c?: CancelRecord): void {
    o.rec.outcome = outcome;
    o.rec.closedNs = this.clock.nowNs();
    if (o.q) {
      const list = this.resting.get(o.intent.tokenId);
      if (list) {
        const k = list.indexOf(o);
        if (k >= 0) list.splice(k, 1);
      }
      o.q = null;
      this.quotesChanged(o.market);
    }
    const orderId = o.rec.orderId;
    this.send(() => {
      if (c) c.answeredNs = this.clock.nowNs();
      return { kind: "order_closed", orderId, reason, atNs: this.clock.nowNs() };
    });
  }

  private makerFill(o: LiveOrder, sizeE6: SizeE6, cause: FillCause): void {
    const q = o.q;
    if (!q) return;
    const size = Math.min(sizeE6, q.remainingE6);
    if (size <= 0) return;
    q.remainingE6 -= size;
    const rebate = makerRebateE6(size, q.priceE4, o.market.fees);
    o.market.rebatesOwedE6 += rebate;
    if (o.cancel && o.cancel.arrivedNs < 0) o.cancel.filledInFlightE6 += size;
    this.applyFill(o, q.priceE4, size, 0, rebate, "maker", cause);
    if (q.remainingE6 <= 0) this.finish(o, "filled", "filled");
  }

  private applyFill(o: LiveOrder, priceE4: PriceE4, sizeE6: SizeE6, feeE6: UsdE6, rebateE6: UsdE6, liquidity: "maker" | "taker", cause: FillCause): void {
    const i = o.intent;
    const notional = notionalE6(sizeE6, priceE4);
    if (i.side === "BUY") {
      this.collateralE6 -= notional + feeE6;
      this.addPosition(i.tokenId, sizeE6);
    } else {
      this.collateralE6 += notional - feeE6;
      this.addPosition(i.tokenId, -sizeE6);
    }
    o.rec.filledE6 += sizeE6;
    this.stats.fills++;
    const atNs = this.clock.nowNs();
    const wallMs = this.clock.wallMs();
    this.journal.fills.push({ atNs, wallMs, orderId: o.rec.orderId, conditionId: o.market.info.conditionId, tokenId: i.tokenId, isYes: o.isYes, side: i.side, priceE4, sizeE6, feeE6, rebateE6, liquidity, cause });
    const tradeId = `${this.settings.idPrefix}-t${++this.tradeSeq}`;
    const orderId = o.rec.orderId;
    this.send(() => ({
      kind: "fill",
      tradeId,
      orderId,
      tokenId: i.tokenId,
      side: i.side,
      priceE4,
      sizeE6,
      feeE6,
      liquidity,
      status: "MATCHED",
      exchTsMs: wallMs,
      atNs: this.clock.nowNs(),
    }));
  }

  private addPosition(tokenId: string, deltaE6: SizeE6): void {
    this.positions.set(tokenId, (this.positions.get(tokenId) ?? 0) + deltaE6);
  }

  private freeCollateralE6(): UsdE6 {
    let held = 0;
    for (const list of this.resting.values()) {
      for (const o of list) if (o.q && o.intent.side === "BUY") held += notionalE6(o.q.remainingE6, o.q.priceE4);
    }
    return this.collateralE6 - held;
  }

  private freeTokensE6(tokenId: string): SizeE6 {
    let held = 0;
    for (const o of this.resting.get(tokenId) ?? []) if (o.q && o.intent.side === "SELL") held += o.q.remainingE6;
    return (this.positions.get(tokenId) ?? 0) - held;
  }

  /** Records the market's best resting bid/ask (YES terms) when it changed. */
  private quotesChanged(m: VenueMarket): void {
    let bid = 0;
    let ask = 0;
    for (const t of [m.info.yesTokenId, m.info.noTokenId]) {
      const isYes = t === m.info.yesTokenId;
      for (const o of this.resting.get(t) ?? []) {
        if (!o.q) continue;
        const yesPrice = isYes ? o.q.priceE4 : ONE_E4 - o.q.priceE4;
        const isBid = (o.q.side === "BUY") === isYes;
        if (isBid) bid = Math.max(bid, yesPrice);
        else ask = ask === 0 ? yesPrice : Math.min(ask, yesPrice);
      }
    }
    if (bid === m.lastBidE4 && ask === m.lastAskE4) return;
    m.lastBidE4 = bid;
    m.lastAskE4 = ask;
    const tl = this.journal.quotes.get(m.info.conditionId);
    if (!tl) return;
    tl.tNs.push(this.clock.nowNs());
    tl.wallMs.push(this.clock.wallMs());
    tl.bidE4.push(bid);
    tl.askE4.push(ask);
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
  private send(make: () => ExchangeEvent): void {
    this.toBot.push(() => {
      if (this.closed) return;
      const ev = make();
      for (const l of this.listeners) l(ev);
    });
  }
}

