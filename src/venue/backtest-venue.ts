/**
 * The exchange side of `BacktestExchange` (backtest-exchange.ts): what happens once a
 * command has *arrived*. Orders are checked (market open, tick, minimum size, balance),
 * matched by the fill model (fill-model.ts) against the public book the exchange sees
 * (`books(tokenId)`), rest in a queue position (which `onBook` / `onPrint` in
 * backtest-exchange.ts move), and fill (`makerFill`); cancels take them off (`finish`). Every outcome goes to the bot
 * `responseLatencyMs` later through `send` (built at delivery, so `atNs` is delivery time).
 *
 * Ledger: pUSD collateral and token positions; a BUY holds its notional (plus the worst
 * taker fee when marketable), a SELL needs free tokens; resolution pays $1 a winning share
 * and the market's maker rebates. Everything the report needs is kept in `journal`.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeEvent, MarketInfo, OrderIntent, RejectCode } from "../core/ports.ts";
import { notionalE6, ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { maxTakerFeeE6 } from "../polymarket/fees.ts";
import {
  commitWalk,
  decideArrival,
  type FeeSchedule,
  feeScheduleOf,
  type FillCause,
  isMarketable,
  joinQueue,
  makerRebateE6,
  type QueuedOrder,
  TakenLiquidity,
} from "./fill-model.ts";
import type { CancelRecord, OrderOutcome, OrderRecord, VenueJournal } from "./backtest-journal.ts";
import {
  type BacktestExchangeOptions,
  type BacktestExchangeSettings,
  type BooksOf,
  DEFAULT_BACKTEST_EXCHANGE,
} from "./backtest-settings.ts";
import { DelayQueue } from "./latency-queues.ts";

export interface VenueMarket {
  readonly info: MarketInfo;
  readonly fees: FeeSchedule;
  closed: boolean;
  resolved: boolean;
  /** Rebates earned, paid at resolution. */
  rebatesOwedE6: UsdE6;
  lastBidE4: number;
  lastAskE4: number;
}

export interface LiveOrder {
  readonly rec: OrderRecord;
  readonly intent: OrderIntent;
  readonly market: VenueMarket;
  readonly isYes: boolean;
  q: QueuedOrder | null;
  fills: number;
  /** A cancel is on its way (for the report's "filled while the cancel flew"). */
  cancel: CancelRecord | null;
}

export class BacktestVenue {
  readonly settings: BacktestExchangeSettings;
  readonly journal: VenueJournal = { orders: [], fills: [], cancels: [], merges: [], resolutions: [], quotes: new Map() };
  readonly stats = { placed: 0, rejected: 0, fills: 0, cancels: 0, cancelAlls: 0, merges: 0, unknownMarketOrders: 0 };
  protected readonly clock: Clock;
  protected readonly books: BooksOf;
  protected readonly toBot: DelayQueue;
  protected readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  protected readonly markets = new Map<string, VenueMarket>();
  protected readonly tokenMarket = new Map<string, { market: VenueMarket; isYes: boolean }>();
  protected readonly byId = new Map<string, LiveOrder>();
  /** Resting orders per token (small arrays: a handful of our quotes). */
  protected readonly resting = new Map<string, LiveOrder[]>();
  private readonly taken = new TakenLiquidity();
  protected readonly positions = new Map<string, SizeE6>();
  protected collateralE6: UsdE6;
  private tradeSeq = 0;
  protected closed = false;

  constructor(opts: BacktestExchangeOptions) {
    this.settings = { ...DEFAULT_BACKTEST_EXCHANGE, ...opts.settings };
    this.clock = opts.clock;
    this.books = opts.books;
    const s = this.settings;
    this.toBot = new DelayQueue(opts.clock, s.responseLatencyMs);
    this.collateralE6 = s.initialCollateralE6;
    if (opts.markets) this.addMarkets(opts.markets);
  }

  /** Markets the exchange knows (fees, tick, minimum size, token pair). Idempotent. */
  addMarkets(markets: readonly MarketInfo[]): void {
    for (const info of markets) {
      if (this.markets.has(info.conditionId)) continue;
      const m: VenueMarket = {
        info,
        fees: feeScheduleOf(info),
        closed: false,
        resolved: false,
        rebatesOwedE6: 0,
        lastBidE4: 0,
        lastAskE4: 0,
      };
      this.markets.set(info.conditionId, m);
      this.tokenMarket.set(info.yesTokenId, { market: m, isYes: true });
      this.tokenMarket.set(info.noTokenId, { market: m, isYes: false });
      this.journal.quotes.set(info.conditionId, { tNs: [], wallMs: [], bidE4: [], askE4: [] });
    }
  }

  market(conditionId: string): MarketInfo | undefined {
    return this.markets.get(conditionId)?.info;
  }

  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── internals ─────────────────────────────────────────────────────────────

  protected arrive(rec: OrderRecord, intent: OrderIntent, ref: { market: VenueMarket; isYes: boolean } | undefined): void {
    rec.arrivedNs = this.clock.nowNs();
    if (!ref) {
      this.stats.unknownMarketOrders++;
      this.reject(rec, "MARKET_CLOSED", "No orderbook exists for the requested token id");
      return;
    }
    const m = ref.market;
    if (m.closed) {
      this.reject(rec, "MARKET_CLOSED", "the market is not yet ready to process new orders");
      return;
    }
    const book = this.books(intent.tokenId);
    const tick = book && !book.stale ? book.tickE4 : m.info.tickE4;
    if (intent.priceE4 <= 0 || intent.priceE4 >= ONE_E4 || intent.priceE4 % tick !== 0) {
      this.reject(rec, "INVALID_TICK", `price breaks minimum tick size rule: ${tick / ONE_E4}`);
      return;
    }
    if (intent.sizeE6 < m.info.minSizeE6) {
      this.reject(rec, "ORDER_TOO_SMALL", "Size lower than the minimum");
      return;
    }
    // Balance: a BUY holds its notional (and the worst taker fee if it will take), a SELL its tokens.
    const fee =
      intent.side === "BUY" && isMarketable(book, "BUY", intent.priceE4)
        ? maxTakerFeeE6(intent.sizeE6, intent.priceE4, true, m.fees.feeRate, m.fees.feeExponent)
        : 0;
    const covered =
      intent.side === "BUY"
        ? notionalE6(intent.sizeE6, intent.priceE4) + fee <= this.freeCollateralE6()
        : intent.sizeE6 <= this.freeTokensE6(intent.tokenId);
    if (!covered) {
      this.reject(rec, "INSUFFICIENT_BALANCE", "not enough balance / allowance");
      return;
    }
    const d = decideArrival(
      book,
      intent.tokenId,
      intent.side,
      intent.priceE4,
      intent.sizeE6,
      intent.orderType,
      intent.postOnly,
      this.taken,
      m.fees,
    );
    if (d.kind === "reject") {
      this.reject(
        rec,
        d.code,
        d.code === "POST_ONLY_CROSS"
          ? "invalid post-only order: order crosses book"
          : "order couldn't be fully filled. FOK orders are fully filled or killed.",
      );
      return;
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

  protected cancelArrives(c: CancelRecord, quiet = false): void {
    c.arrivedNs = this.clock.nowNs();
    const o = this.byId.get(c.orderId);
    if (o?.cancel && o.cancel !== c) c.filledInFlightE6 = 0;
    if (o?.rec.outcome !== "open" || !o.q) {
      c.tooLate = true;
      if (!quiet) {
        this.send(() => {
          c.answeredNs = this.clock.nowNs();
          return {
            kind: "cancel_failed",
            orderId: c.orderId,
            message: "order can't be found - already canceled or matched",
            atNs: this.clock.nowNs(),
          };
        });
      }
      return;
    }
    this.closeOrder(o, "cancelled", c);
  }

  protected closeOrder(o: LiveOrder, reason: "cancelled" | "market_closed", c?: CancelRecord): void {
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

  protected makerFill(o: LiveOrder, sizeE6: SizeE6, cause: FillCause): void {
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

  private applyFill(
    o: LiveOrder,
    priceE4: PriceE4,
    sizeE6: SizeE6,
    feeE6: UsdE6,
    rebateE6: UsdE6,
    liquidity: "maker" | "taker",
    cause: FillCause,
  ): void {
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
    this.journal.fills.push({
      atNs,
      wallMs,
      orderId: o.rec.orderId,
      conditionId: o.market.info.conditionId,
      tokenId: i.tokenId,
      isYes: o.isYes,
      side: i.side,
      priceE4,
      sizeE6,
      feeE6,
      rebateE6,
      liquidity,
      cause,
    });
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

  protected addPosition(tokenId: string, deltaE6: SizeE6): void {
    this.positions.set(tokenId, (this.positions.get(tokenId) ?? 0) + deltaE6);
  }

  private freeCollateralE6(): UsdE6 {
    let held = 0;
    for (const list of this.resting.values()) {
      for (const o of list) if (o.q && o.intent.side === "BUY") held += notionalE6(o.q.remainingE6, o.q.priceE4);
    }
    return this.collateralE6 - held;
  }

  protected freeTokensE6(tokenId: string): SizeE6 {
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

  /** Queues an event for the bot; `make` runs at delivery so `atNs` is the delivery time. */
  protected send(make: () => ExchangeEvent): void {
    this.toBot.push(() => {
      if (this.closed) return;
      const ev = make();
      for (const l of this.listeners) l(ev);
    });
  }
}
