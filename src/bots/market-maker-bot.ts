/**
 * `MarketMakerBot` (the user's Bot 2): quotes both sides of every live Up/Down market it is
 * handed, on any venue. It sees only `MarketFeed`, `ExchangeClient` and `Clock`; the mode
 * (simulator, paper, live, backtest) is chosen once in `cli/compose.ts`.
 *
 * Per event, in the engine loop's order (engine/loop.ts):
 *  - underlying tick → strike/TWAP/volatility; a jump pulls the exposed side of every market
 *    on that coin at once (pre-emptive cancel: an up-jump makes our YES ask too cheap), then
 *    those markets are re-evaluated;
 *  - book change → token volatility; the market is re-evaluated;
 *  - fill → P&L, inventory (DeltaHedger), the filled side is requoted;
 *  - market started / ended / resolved (auto-roll) → markets added, flattened, removed;
 *  - disconnect of either feed or venue → cancel everything at once.
 * "Re-evaluated" = `calculateQuotes(market)` (the user's formula, strategy/quote.ts) →
 * `shouldRequote` (centre moved more than MM_REQUOTE_THRESHOLD, the side filled, or the side
 * appeared/vanished) → the risk gate on what would be placed → `OrderManager.applyQuotes`
 * (one cancel batch + one place batch: the fewest requests). Small wiggles send nothing.
 *
 * Every `riskCheckMs` (1 s): mark-outs, the circuit breaker (extreme underlying volatility,
 * stale feed, disconnect, daily loss), merges of matched pairs, urgent hedges, and every
 * market re-evaluated (window end, cooldowns, stale books). A trip cancels everything and
 * quoting stays off until the breaker clears; every trip is logged with its reason. The
 * exchange heartbeat is the venue client's: it keeps running through a trip, so our orders
 * die with the process.
 *
 * Inventory lives in one place, the P&L tracker (fills, FAILED reversals, merges,
 * resolution); the DeltaHedger is kept in step with it for skew and hedging.
 *
 * This file owns the state, the event dispatch, run/stop and the status line. The parts
 * share one `MmContext` (market-maker-context.ts): market lifecycle, underlyings and strikes
 * in market-maker-markets.ts, quoting in market-maker-quoting.ts, fills and inventory in
 * market-maker-inventory.ts, the risk checks in market-maker-guard.ts, the mark and the
 * status snapshot in market-maker-views.ts.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { BotLifecycle } from "../engine/bot-lifecycle.ts";
import { EngineLoop } from "../engine/loop.ts";
import { MarketRegistry, type MarketState, Underlyings } from "../engine/markets.ts";
import { NO_JOURNAL, type OrderJournal, OrderManager } from "../engine/order-manager.ts";
import { PnlTracker } from "../engine/pnl.ts";
import { CircuitBreaker } from "../risk/breaker.ts";
import { DeltaHedger } from "../strategy/delta-hedge.ts";
import type { DesiredQuotes } from "../strategy/quote.ts";
import type { MmContext } from "./market-maker-context.ts";
import { RiskGuard } from "./market-maker-guard.ts";
import { InventoryDesk } from "./market-maker-inventory.ts";
import { MarketDesk } from "./market-maker-markets.ts";
import { DEFAULT_MM_PARAMS, type MarketMakerParams } from "./market-maker-params.ts";
import { MarketQuoter } from "./market-maker-quoting.ts";
import {
  type BotEventSink,
  type BotSnapshot,
  type BotTotals,
  type MmMarket,
  quoteSideOf,
  type RunResult,
  type StopReason,
} from "./market-maker-types.ts";
import { snapshotOf, statusFieldsOf, tokenMark } from "./market-maker-views.ts";

export type {
  BotEventFields,
  BotEventLevel,
  BotEventSink,
  BotSnapshot,
  BotTotals,
  MarketStatus,
  RunResult,
  StopReason,
} from "./market-maker-types.ts";
export { quoteSideOf } from "./market-maker-types.ts";

export interface MarketMakerDeps {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly params?: MarketMakerParams;
  readonly journal?: OrderJournal;
  readonly events?: BotEventSink;
  readonly newClientId?: () => string;
}

const noopSink: BotEventSink = () => {};

export class MarketMakerBot {
  readonly params: MarketMakerParams;
  readonly orders: OrderManager;
  readonly pnl = new PnlTracker();
  readonly hedger: DeltaHedger;
  readonly breaker: CircuitBreaker;
  readonly markets = new MarketRegistry<MmMarket>();
  readonly underlyings: Underlyings;
  readonly totals: BotTotals = {
    marketsSeen: 0,
    marketsQuoted: 0,
    quotesSent: 0,
    cancelsSent: 0,
    requotes: 0,
    preemptiveCancels: 0,
    fills: 0,
    rejects: 0,
    rejectsByCode: {},
    sellsAsBuys: 0,
    sellsShrunk: 0,
    sellsSkipped: 0,
    riskTrips: 0,
    riskDenials: 0,
    merges: 0,
    hedges: 0,
    cancelAlls: 0,
    maxAbsInventoryE6: 0,
    maxAbsInventoryUsdE6: 0,
  };
  private readonly feed: MarketFeed;
  private readonly exchange: ExchangeClient;
  private readonly clock: Clock;
  private readonly log: BotEventSink;
  private readonly loop: EngineLoop;
  private readonly ctx: MmContext;
  private readonly quoter: MarketQuoter;
  private readonly inventory: InventoryDesk;
  private readonly guard: RiskGuard;
  private readonly desk: MarketDesk;
  private dayIndex = Number.NaN;
  private lastStatusMs = Number.NEGATIVE_INFINITY;
  private readonly lifecycle: BotLifecycle;

  constructor(deps: MarketMakerDeps) {
    this.params = deps.params ?? DEFAULT_MM_PARAMS;
    this.feed = deps.feed;
    this.exchange = deps.exchange;
    this.clock = deps.clock;
    this.log = deps.events ?? noopSink;
    this.hedger = new DeltaHedger(this.params.hedge);
    this.breaker = new CircuitBreaker(this.params.breaker);
    this.underlyings = new Underlyings({ volEngine: this.params.underlyingVol });
    this.orders = new OrderManager({
      exchange: deps.exchange,
      clock: deps.clock,
      journal: deps.journal ?? NO_JOURNAL,
      retentionMs: 60_000,
      ...(deps.newClientId !== undefined && { newClientId: deps.newClientId }),
    });
    this.loop = new EngineLoop({
      feed: deps.feed,
      exchange: deps.exchange,
      clock: deps.clock,
      tickMs: this.params.riskCheckMs,
      handler: {
        onFeedEvent: (ev) => this.onFeedEvent(ev),
        onExchangeEvent: (ev) => this.onExchangeEvent(ev),
        onTick: () => this.onTick(),
      },
      onFatal: (e) => this.lifecycle.halt(e),
    });
    this.lifecycle = new BotLifecycle({
      bot: "mm",
      loop: this.loop,
      orders: this.orders,
      log: this.log,
      cancelAll: (why) => this.guard.cancelEverything(why),
    });
    this.ctx = {
      params: this.params,
      feed: this.feed,
      exchange: this.exchange,
      clock: this.clock,
      log: this.log,
      orders: this.orders,
      pnl: this.pnl,
      hedger: this.hedger,
      breaker: this.breaker,
      markets: this.markets,
      underlyings: this.underlyings,
      totals: this.totals,
      isStopping: () => this.lifecycle.stopping,
      mark: this.mark,
      portfolio: (replacing) => this.guard.portfolio(replacing),
    };
    this.guard = new RiskGuard(this.ctx);
    this.quoter = new MarketQuoter(this.ctx);
    this.inventory = new InventoryDesk(this.ctx, (m) => this.quoter.evaluate(m));
    this.desk = new MarketDesk(this.ctx, this.quoter, this.guard);
  }

  /**
   * Starts quoting. Resolves when the bot stops (`stop`, or a fatal error after everything
   * was cancelled). Markets arrive as `market_started` events (auto-roll) or `addMarkets`.
   */
  run(): Promise<RunResult> {
    if (Number.isNaN(this.dayIndex)) {
      const nowMs = this.clock.wallMs();
      this.guard.start(nowMs);
      this.dayIndex = Math.floor(nowMs / 86_400_000);
    }
    return this.lifecycle.run();
  }

  /** Markets to quote now (those already in their window); the feed must have them subscribed. */
  addMarkets(markets: readonly MarketInfo[]): void {
    this.loop.runNow(() => {
      for (const m of markets) this.desk.start(m);
    });
  }

  /**
   * Cancels every order and stops. Idempotent; resolves `run()`. The order manager keeps
   * listening until none of our orders is open any more (or `dispose`), so the exchange's
   * confirmations of that cancel-all — and any fill that raced it — still reach the journal.
   */
  stop(reason: StopReason = "requested"): void {
    this.lifecycle.stop(reason);
  }

  get isStopping(): boolean {
    return this.lifecycle.stopping;
  }

  /** True once stopped and no order of ours is open (the order manager has stopped listening). */
  get ordersSettled(): boolean {
    return this.lifecycle.ordersSettled;
  }

  /** Stops listening to the venue now, settled or not (after the caller's bounded wait). */
  dispose(): void {
    this.lifecycle.dispose();
  }

  // ── events ───────────────────────────────────────────────────────────────

  onFeedEvent(ev: FeedEvent): void {
    if (this.lifecycle.stopping) return;
    switch (ev.kind) {
      case "book": {
        this.guard.noteBookData(this.clock.wallMs());
        const ref = this.markets.byToken(ev.tokenId);
        if (!ref) return;
        if (ref.isYes) this.quoter.observeTokenBook(ref.market);
        this.quoter.evaluate(ref.market);
        return;
      }
      case "trade":
        this.guard.noteBookData(this.clock.wallMs());
        return;
      case "tick_size": {
        const ref = this.markets.byToken(ev.tokenId);
        if (ref) this.quoter.evaluate(ref.market);
        return;
      }
      case "underlying":
        this.desk.onUnderlying(ev.symbol, ev.price, ev.priceTsMs, ev.source, ev.backfill === true);
        return;
      case "market_started":
        this.desk.start(ev.market);
        return;
      case "market_ended":
        this.desk.end(ev.market.conditionId);
        return;
      case "resolved":
        this.desk.resolve(ev.conditionId, ev.winningTokenId);
        return;
      case "connection":
        this.guard.onConnection("feed", ev.state, ev.reason);
        return;
    }
  }

  onExchangeEvent(ev: ExchangeEvent): void {
    switch (ev.kind) {
      case "fill":
        this.inventory.onFill(ev);
        return;
      case "reject": {
        const o = this.orders.getOrder(ev.clientId);
        // A late reject for an order the venue had already accepted (the user channel's ack came
        // first) is ignored by the order manager, and so here: no count, no cooldown, no warning.
        if (o && o.state !== "rejected" && o.state !== "unknown") return;
        this.totals.rejects++;
        this.totals.rejectsByCode[ev.code] = (this.totals.rejectsByCode[ev.code] ?? 0) + 1;
        if (!o) return;
        const ref = this.markets.byToken(o.intent.tokenId);
        if (!ref) return;
        const side = quoteSideOf(o.intent.side, ref.isYes);
        const until = this.clock.wallMs() + this.params.rejectCooldownMs;
        if (side === "bid") ref.market.ext.cooldownBidMs = until;
        else ref.market.ext.cooldownAskMs = until;
        if (ev.code !== "POST_ONLY_CROSS")
          this.log("warn", "order_rejected", { market: ref.market.info.slug, code: ev.code, message: ev.message, side });
        return;
      }
      case "merged":
        this.inventory.onMerged(ev);
        return;
      case "connection":
        if (!this.lifecycle.stopping) this.guard.onConnection("venue", ev.state, ev.reason);
        return;
      case "ack":
      case "order_closed":
      case "cancel_failed":
        return;
    }
  }

  /** The periodic risk check; also re-evaluates every market. */
  onTick(): void {
    if (this.lifecycle.stopping) return;
    const nowMs = this.clock.wallMs();
    const day = Math.floor(nowMs / 86_400_000);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      this.pnl.resetDay(this.mark);
      this.breaker.resetDay();
    }
    this.pnl.sampleMarkouts(nowMs, this.mark);
    this.guard.check(nowMs);
    for (const m of this.markets.values()) {
      this.inventory.manageInventory(m, nowMs);
      this.quoter.evaluate(m);
    }
    const every = this.params.statusLogMs;
    if (every > 0 && nowMs - this.lastStatusMs >= every - every / 10 && this.markets.size > 0) {
      this.lastStatusMs = nowMs;
      this.log("info", "status", statusFieldsOf(this.ctx));
    }
  }

  // ── views ────────────────────────────────────────────────────────────────

  /** The user's `calculateQuotes(market)`: desired quotes for one market now. */
  calculateQuotes(m: MarketState<MmMarket>): DesiredQuotes | null {
    return this.quoter.calculateQuotes(m);
  }

  /** The mark of a token: its book mid when two-sided, else the market's fair value. */
  readonly mark = (tokenId: string): number => tokenMark(this.feed, this.markets, tokenId);

  snapshot(): BotSnapshot {
    return snapshotOf(this.ctx);
  }
}
