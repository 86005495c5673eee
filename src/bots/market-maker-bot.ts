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
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { ONE_E4, type SizeE6 } from "../core/units.ts";
import { EngineLoop } from "../engine/loop.ts";
import { MarketRegistry, type MarketState, Underlyings } from "../engine/markets.ts";
import { NO_JOURNAL, type OrderJournal, OrderManager } from "../engine/order-manager.ts";
import { PnlTracker } from "../engine/pnl.ts";
import type { DesiredQuote } from "../engine/quote-reconcile.ts";
import { CircuitBreaker, type BreakerReason, type TripRecord } from "../risk/breaker.ts";
import { checkOrder, type PortfolioView } from "../risk/gate.ts";
import { DeltaHedger, planHedgeOrder } from "../strategy/delta-hedge.ts";
import { calculateQuotes as quoteFormula, type DesiredQuotes, exposedSideOnJump, type QuoteOrder, shouldRequote } from "../strategy/quote.ts";
import { combineRecommendations, VolatilityEngine, type VolatilityRecommendations } from "../strategy/volatility.ts";
import { DEFAULT_MM_PARAMS, type MarketMakerParams } from "./market-maker-params.ts";
import { endGameQuoteParams, fairValueOf, withModelVolatility } from "./market-maker-pricing.ts";
import { portfolioView } from "./market-maker-risk.ts";
import { type BotEventSink, type BotSnapshot, type BotTotals, type MarketStatus, type MmMarket, quoteSideOf, type RunResult, type StopReason } from "./market-maker-types.ts";

export type { BotEventFields, BotEventLevel, BotEventSink, BotSnapshot, BotTotals, MarketStatus, RunResult, StopReason } from "./market-maker-types.ts";
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

const NO_RECS: VolatilityRecommendations = { volatilityScore: 0, spreadMultiplier: 1, sizeMultiplier: 1, shouldQuote: false };
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
  private feedUp = true;
  private venueUp = true;
  private startedMs = Number.NaN;
  private lastBookMs = Number.NaN;
  private dayIndex = Number.NaN;
  private stopping = false;
  private finish: ((r: RunResult) => void) | undefined;
  private result: RunResult | undefined;

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
      onFatal: (e) => this.halt(e),
    });
  }

  /**
   * Starts quoting. Resolves when the bot stops (`stop`, or a fatal error after everything
   * was cancelled). Markets arrive as `market_started` events (auto-roll) or `addMarkets`.
   */
  run(): Promise<RunResult> {
    if (this.result) return Promise.resolve(this.result);
    const done = new Promise<RunResult>((resolve) => {
      this.finish = resolve;
    });
    this.startedMs = this.clock.wallMs();
    this.dayIndex = Math.floor(this.startedMs / 86_400_000);
    this.loop.start();
    this.log("info", "bot_started", { bot: "mm" });
    return done;
  }

  /** Markets to quote now (those already in their window); the feed must have them subscribed. */
  addMarkets(markets: readonly MarketInfo[]): void {
    this.loop.runNow(() => {
      for (const m of markets) this.startMarket(m);
    });
  }

  /** Cancels every order and stops. Idempotent; resolves `run()`. */
  stop(reason: StopReason = "requested"): void {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelEverything(`stop: ${reason}`);
    this.loop.stop();
    this.orders.close();
    this.log("info", "bot_stopped", { bot: "mm", reason });
    this.settle({ reason });
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  // ── events ───────────────────────────────────────────────────────────────

  onFeedEvent(ev: FeedEvent): void {
    if (this.stopping) return;
    switch (ev.kind) {
      case "book": {
        this.lastBookMs = this.clock.wallMs();
        const ref = this.markets.byToken(ev.tokenId);
        if (!ref) return;
        if (ref.isYes) this.observeTokenBook(ref.market);
        this.evaluate(ref.market);
        return;
      }
      case "trade":
        this.lastBookMs = this.clock.wallMs();
        return;
      case "tick_size": {
        const ref = this.markets.byToken(ev.tokenId);
        if (ref) this.evaluate(ref.market);
        return;
      }
      case "underlying":
        this.onUnderlying(ev.symbol, ev.price, ev.priceTsMs, ev.source);
        return;
      case "market_started":
        this.startMarket(ev.market);
        return;
      case "market_ended":
        this.endMarket(ev.market.conditionId);
        return;
      case "resolved":
        this.resolveMarket(ev.conditionId, ev.winningTokenId);
        return;
      case "connection":
        this.onConnection("feed", ev.state, ev.reason);
        return;
    }
  }

  onExchangeEvent(ev: ExchangeEvent): void {
    switch (ev.kind) {
      case "fill":
        this.onFill(ev);
        return;
      case "reject": {
        this.totals.rejects++;
        const o = this.orders.getOrder(ev.clientId);
        if (!o) return;
        const ref = this.markets.byToken(o.intent.tokenId);
        if (!ref) return;
        const side = quoteSideOf(o.intent.side, ref.isYes);
        const until = this.clock.wallMs() + this.params.rejectCooldownMs;
        if (side === "bid") ref.market.ext.cooldownBidMs = until;
        else ref.market.ext.cooldownAskMs = until;
        if (ev.code !== "POST_ONLY_CROSS") this.log("warn", "order_rejected", { market: ref.market.info.slug, code: ev.code, message: ev.message, side });
        return;
      }
      case "merged": {
        const m = this.markets.get(ev.conditionId);
        this.pnl.onMerge(ev.conditionId, ev.sizeE6);
        if (m) {
          m.ext.mergePendingE6 = 0;
          this.syncInventory(m);
        }
        this.totals.merges++;
        this.log("info", "merged", { market: m?.info.slug ?? ev.conditionId, sizeE6: ev.sizeE6 });
        return;
      }
      case "connection":
        if (!this.stopping) this.onConnection("venue", ev.state, ev.reason);
        return;
      case "ack":
      case "order_closed":
      case "cancel_failed":
        return;
    }
  }

  /** The periodic risk check; also re-evaluates every market. */
  onTick(): void {
    if (this.stopping) return;
    const nowMs = this.clock.wallMs();
    const day = Math.floor(nowMs / 86_400_000);
    if (day !== this.dayIndex) {
      this.dayIndex = day;
      this.pnl.resetDay(this.mark);
      this.breaker.resetDay();
    }
    this.pnl.sampleMarkouts(nowMs, this.mark);
    this.checkRisk(nowMs);
    for (const m of this.markets.values()) {
      this.manageInventory(m, nowMs);
      this.evaluate(m);
    }
  }

  // ── markets ──────────────────────────────────────────────────────────────

  private startMarket(info: MarketInfo): void {
    const known = this.markets.get(info.conditionId);
    const m = known ?? this.markets.add(info, () => this.newMarketState());
    if (!known) {
      this.totals.marketsSeen++;
      // Book freshness counts from the first market: before it there is no book to be stale.
      if (Number.isNaN(this.lastBookMs)) this.lastBookMs = this.clock.wallMs();
      this.hedger.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
      this.pnl.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
      this.log("info", "market_started", { market: info.slug, conditionId: info.conditionId, endMs: info.endMs });
    }
    if (m.phase === "pending") m.phase = "live";
    if (!known) this.observeTokenBook(m);
    this.evaluate(m);
  }

  private endMarket(conditionId: string): void {
    const m = this.markets.get(conditionId);
    if (!m || m.phase === "ended" || m.phase === "resolved") return;
    m.phase = "ended";
    this.pullQuotes(m, "ended");
    this.log("info", "market_ended", { market: m.info.slug, yesE6: this.pnl.qty(m.info.yesTokenId), noE6: this.pnl.qty(m.info.noTokenId) });
  }

  private resolveMarket(conditionId: string, winningTokenId: string): void {
    const m = this.markets.get(conditionId);
    if (!m) return;
    this.pullQuotes(m, "resolved");
    m.phase = "resolved";
    m.winningTokenId = winningTokenId;
    const before = this.pnl.realisedOf([m.info.yesTokenId, m.info.noTokenId]);
    this.pnl.onResolved(conditionId, winningTokenId);
    const after = this.pnl.realisedOf([m.info.yesTokenId, m.info.noTokenId]);
    this.log("info", "market_resolved", { market: m.info.slug, winner: winningTokenId === m.info.yesTokenId ? "YES" : "NO", settlementPnlE6: after - before, realisedE6: after });
    this.hedger.removeMarket(conditionId);
    this.pnl.removeMarket(conditionId);
    this.markets.remove(conditionId);
  }

  private newMarketState(): MmMarket {
    return {
      quotes: null,
      quoteSpot: Number.NaN,
      quoteAtMs: 0,
      filledBid: false,
      filledAsk: false,
      cooldownBidMs: 0,
      cooldownAskMs: 0,
      tokenVol: new VolatilityEngine({ returns: "absolute", ...this.params.tokenVol }),
      recs: NO_RECS,
      fairValue: Number.NaN,
      modelP: Number.NaN,
      pMoveE4: Number.NaN,
      micro: Number.NaN,
      microAtMs: 0,
      fills: 0,
      requotes: 0,
      mergePendingE6: 0,
      mergeSentMs: 0,
      hedgeClientId: "",
      state: "warming",
    };
  }

  /**
   * A YES book change: token volatility on the mid, and the microprice smoothed over
   * `micropriceSmoothingMs` (the top-of-book sizes flicker many times a second; unsmoothed,
   * that flicker alone moved the centre past the threshold about twice as often as the
   * underlying did, in the simulator).
   */
  private observeTokenBook(m: MarketState<MmMarket>): void {
    const yes = this.feed.book(m.info.yesTokenId);
    if (!yes || yes.stale) return;
    const bid = yes.bestBidE4();
    const ask = yes.bestAskE4();
    if (bid <= 0 || ask >= ONE_E4) return;
    const nowMs = this.clock.wallMs();
    const x = m.ext;
    x.tokenVol.update((bid + ask) / 2 / ONE_E4, nowMs);
    x.tokenVol.updateSpread((ask - bid) / ONE_E4);
    const micro = yes.microprice() / ONE_E4;
    if (!Number.isFinite(micro)) return;
    const tau = this.params.micropriceSmoothingMs;
    if (Number.isNaN(x.micro) || tau <= 0) x.micro = micro;
    else x.micro += (1 - Math.exp(-Math.max(0, nowMs - x.microAtMs) / tau)) * (micro - x.micro);
    x.microAtMs = nowMs;
  }

  // ── underlying and pre-emptive cancel ────────────────────────────────────

  private onUnderlying(symbol: string, price: number, priceTsMs: number, source: string): void {
    // Markets settle on the Chainlink series; a TWAP or spot series would corrupt its history.
    if (source !== "chainlink") return;
    const nowMs = this.clock.wallMs();
    const u = this.underlyings.update(symbol, price, priceTsMs, nowMs);
    const sigma = u.vol.sigmaPerSec();
    for (const m of this.markets.ofUnderlying(symbol)) {
      m.twap.update(price, priceTsMs);
      if (Number.isNaN(m.strike)) m.strike = this.underlyings.strikeOf(m.info, nowMs);
      const x = m.ext;
      if (x.quotes && x.quoteSpot > 0) {
        const exposed = exposedSideOnJump(Math.log(u.lastPrice / x.quoteSpot), sigma, (nowMs - x.quoteAtMs) / 1000, this.params.jump);
        if (exposed !== "none") this.preemptiveCancel(m, exposed, nowMs);
      }
      this.evaluate(m);
    }
  }

  private preemptiveCancel(m: MarketState<MmMarket>, exposed: "bid" | "ask" | "both", nowMs: number): void {
    const x = m.ext;
    const until = nowMs + this.params.jumpCooldownMs;
    const ids: string[] = [];
    for (const o of this.orders.getActiveOrders(m.info.conditionId)) {
      const ref = this.markets.byToken(o.intent.tokenId);
      if (!ref || o.intent.orderType !== "GTC") continue;
      const side = quoteSideOf(o.intent.side, ref.isYes);
      if (exposed === "both" || exposed === side) ids.push(o.intent.clientId);
    }
    if (exposed !== "ask") x.cooldownBidMs = until;
    if (exposed !== "bid") x.cooldownAskMs = until;
    if (ids.length === 0) return;
    this.orders.cancelOrders(ids);
    this.totals.cancelsSent += ids.length;
    this.totals.preemptiveCancels++;
    this.log("info", "preemptive_cancel", { market: m.info.slug, side: exposed, orders: ids.length });
  }

  // ── quoting ──────────────────────────────────────────────────────────────

  /** The user's `calculateQuotes(market)`: desired quotes for one market now. */
  calculateQuotes(m: MarketState<MmMarket>): DesiredQuotes | null {
    const yesBook = this.feed.book(m.info.yesTokenId);
    const noBook = this.feed.book(m.info.noTokenId);
    if (!yesBook || !noBook) return null;
    const nowMs = this.clock.wallMs();
    const x = m.ext;
    const u = this.underlyings.get(m.info.underlying);
    const fv = fairValueOf(m, u, yesBook.stale ? Number.NaN : x.micro, nowMs, this.params);
    x.fairValue = fv.fairValue;
    x.modelP = fv.modelP;
    x.pMoveE4 = fv.pMoveE4;
    const recs = u ? combineRecommendations(x.tokenVol.getRecommendations(), u.volEngine.getRecommendations()) : x.tokenVol.getRecommendations();
    x.recs = withModelVolatility(recs, x.pMoveE4, this.params);
    return quoteFormula({
      market: m.info,
      nowMs,
      fairValue: x.fairValue,
      yesBook,
      noBook,
      vol: x.recs,
      // The skew widens with the spread: a lean of a fixed cent means nothing in a 6-cent market.
      adjustment: this.hedger.getQuoteAdjustment(m.info.yesTokenId, Math.max(1, x.recs.spreadMultiplier)),
      // Shares on their way to a merge are not ours to sell.
      yesHeldE6: Math.max(0, this.pnl.qty(m.info.yesTokenId) - x.mergePendingE6),
      noHeldE6: Math.max(0, this.pnl.qty(m.info.noTokenId) - x.mergePendingE6),
      params: endGameQuoteParams(m.info.endMs, nowMs, this.params),
    });
  }

  /** Decides and applies the quotes of one market (no request when nothing needs to change). */
  private evaluate(m: MarketState<MmMarket>): void {
    if (this.stopping || m.phase !== "live") return;
    const x = m.ext;
    const halted = this.breaker.state() === "HALTED";
    const q = halted ? null : this.calculateQuotes(m);
    const nowMs = this.clock.wallMs();
    let bid: QuoteOrder | null = q?.bid ?? null;
    let ask: QuoteOrder | null = q?.ask ?? null;
    if (nowMs < x.cooldownBidMs) bid = null;
    if (nowMs < x.cooldownAskMs) ask = null;
    x.state = halted ? "halted" : !q ? "no_book" : stateOf(q, bid, ask);
    const current = x.quotes;
    const desired: DesiredQuotes = q ? { ...q, bid, ask } : emptyQuotes(m.info.conditionId, current);
    // The user's rule: requote when the centre moves more than MM_REQUOTE_THRESHOLD (both
    // sides) or a side filled; a side's own one-tick rounding flicker is not a move
    // (shouldRequote compares side prices against max(threshold, tick)).
    const thr = this.params.requoteThresholdE4;
    const centreMoved = !current || Math.abs(desired.centreE4 - current.centreE4) > thr;
    const tick = Math.max(m.info.tickE4, this.feed.book(m.info.yesTokenId)?.tickE4 ?? 0);
    const d = shouldRequote(current, desired, { thresholdE4: thr, tickE4: tick, filled: { bid: x.filledBid, ask: x.filledAsk } });
    if (!d.bid && !d.ask) return;
    const next = this.gate(m, current, desired, d.bid, d.ask);
    x.quotes = { ...next, centreE4: centreMoved ? desired.centreE4 : (current?.centreE4 ?? desired.centreE4) };
    if (d.bid) x.filledBid = false;
    if (d.ask) x.filledAsk = false;
    this.apply(m, nowMs);
  }

  /** Keeps unchanged sides, and drops a new side the risk gate denies. */
  private gate(m: MarketState<MmMarket>, current: DesiredQuotes | null, desired: DesiredQuotes, newBid: boolean, newAsk: boolean): DesiredQuotes {
    let bid = newBid ? desired.bid : (current?.bid ?? null);
    let ask = newAsk ? desired.ask : (current?.ask ?? null);
    if ((newBid && bid) || (newAsk && ask)) {
      const view = this.portfolio({ conditionId: m.info.conditionId, bid: newBid, ask: newAsk });
      const check = (o: QuoteOrder): boolean => {
        const r = checkOrder({ conditionId: m.info.conditionId, tokenId: o.tokenId, side: o.side, priceE4: o.priceE4, sizeE6: o.sizeE6 }, view, this.params.risk);
        if (!r.ok) {
          this.totals.riskDenials++;
          m.ext.state = `denied:${r.code}`;
        }
        return r.ok;
      };
      if (newBid && bid && !check(bid)) bid = null;
      if (newAsk && ask && !check(ask)) ask = null;
    }
    return { ...desired, bid, ask, bidE4: bid ? (newBid ? desired.bidE4 : (current?.bidE4 ?? 0)) : 0, askE4: ask ? (newAsk ? desired.askE4 : (current?.askE4 ?? 0)) : 0 };
  }

  /** Makes the resting orders of `m` equal its `quotes` (one cancel batch, one place batch). */
  private apply(m: MarketState<MmMarket>, nowMs: number): void {
    const x = m.ext;
    const wanted: DesiredQuote[] = [];
    const q = x.quotes;
    if (q?.bid) wanted.push(toDesired(m.info.conditionId, q.bid));
    if (q?.ask) wanted.push(toDesired(m.info.conditionId, q.ask));
    const plan = this.orders.applyQuotes(m.info.conditionId, wanted);
    if (plan.place.length === 0 && plan.cancel.length === 0) return;
    this.totals.quotesSent += plan.place.length;
    this.totals.cancelsSent += plan.cancel.length;
    this.totals.requotes++;
    if (x.requotes === 0 && plan.place.length > 0) this.totals.marketsQuoted++;
    x.requotes++;
    const u = this.underlyings.get(m.info.underlying);
    x.quoteSpot = u ? u.lastPrice : Number.NaN;
    x.quoteAtMs = nowMs;
    if (plan.place.length > 0 && this.params.presign) this.presign(wanted);
  }

  /**
   * Tells the venue where this market is quoted now, so the pre-signed pool can keep signed
   * orders on the ladder around these prices (the pool decides how many ticks, by
   * PRE_SIGN_POOL_SIZE); the next requote then takes one in O(1) instead of signing.
   */
  private presign(quoted: readonly DesiredQuote[]): void {
    this.orders.preSignOrders(
      quoted.map((q) => ({ clientId: "", conditionId: q.conditionId, tokenId: q.tokenId, side: q.side, priceE4: q.priceE4, sizeE6: q.sizeE6, orderType: "GTC" as const, postOnly: true, expirationSec: 0 })),
    );
  }

  /** Cancels a market's quotes now (window end, resolution). */
  private pullQuotes(m: MarketState<MmMarket>, why: string): void {
    m.ext.quotes = null;
    m.ext.state = why;
    const plan = this.orders.applyQuotes(m.info.conditionId, []);
    this.totals.cancelsSent += plan.cancel.length;
  }

  // ── fills and inventory ──────────────────────────────────────────────────

  private onFill(ev: Extract<ExchangeEvent, { kind: "fill" }>): void {
    const nowMs = this.clock.wallMs();
    const effect = this.pnl.onFill(ev, nowMs);
    if (effect === "ignored") return;
    const ref = this.markets.byToken(ev.tokenId);
    if (effect === "new") this.totals.fills++;
    else this.totals.fills--;
    if (!ref) {
      this.log("warn", "fill_unknown_market", { tokenId: ev.tokenId, orderId: ev.orderId, sizeE6: ev.sizeE6 });
      return;
    }
    const m = ref.market;
    this.syncInventory(m);
    if (effect === "new") {
      m.ext.fills++;
      const side = quoteSideOf(ev.side, ref.isYes);
      if (side === "bid") m.ext.filledBid = true;
      else m.ext.filledAsk = true;
      this.log("info", "fill", {
        market: m.info.slug,
        outcome: ref.isYes ? m.info.outcomes[0] : m.info.outcomes[1],
        side: ev.side,
        quoteSide: side,
        priceE4: ev.priceE4,
        sizeE6: ev.sizeE6,
        feeE6: ev.feeE6,
        liquidity: ev.liquidity,
        tradeId: ev.tradeId,
        orderId: ev.orderId,
        fairValue: round4(m.ext.fairValue),
        yesE6: this.pnl.qty(m.info.yesTokenId),
        noE6: this.pnl.qty(m.info.noTokenId),
      });
    }
    this.evaluate(m);
  }

  /**
   * Brings the DeltaHedger to the P&L tracker's positions and records the inventory peak:
   * |YES − NO| in shares, and that net position at its average cost (MM_MAX_POSITION's unit).
   */
  private syncInventory(m: MarketState<MmMarket>): void {
    for (const token of [m.info.yesTokenId, m.info.noTokenId]) {
      const diff = this.pnl.qty(token) - this.hedger.position(token);
      if (diff !== 0) this.hedger.updatePosition(token, Math.abs(diff), diff > 0 ? "BUY" : "SELL");
    }
    const delta = this.hedger.delta(m.info.conditionId);
    const abs = Math.abs(delta);
    if (abs > this.totals.maxAbsInventoryE6) this.totals.maxAbsInventoryE6 = abs;
    const held = this.pnl.position(delta > 0 ? m.info.yesTokenId : m.info.noTokenId);
    const usd = held && held.qtyE6 > 0 ? Math.round((abs * held.costE6) / held.qtyE6) : 0;
    if (usd > this.totals.maxAbsInventoryUsdE6) this.totals.maxAbsInventoryUsdE6 = usd;
  }

  /** Merges matched pairs and sends urgent hedges (one at a time per market). */
  private manageInventory(m: MarketState<MmMarket>, nowMs: number): void {
    const x = m.ext;
    if (x.mergePendingE6 > 0 && nowMs - x.mergeSentMs > 30_000) x.mergePendingE6 = 0; // no answer: may retry
    const action = this.hedger.needsHedge(m.info.conditionId);
    if (!action) return;
    if (action.kind === "merge") {
      if (x.mergePendingE6 > 0) return;
      const free = this.freePairs(m);
      const size = Math.min(action.sizeE6, free);
      if (size < this.params.hedge.minMergeE6) return;
      x.mergePendingE6 = size;
      x.mergeSentMs = nowMs;
      this.exchange.merge(m.info.conditionId, size);
      this.log("info", "merge_sent", { market: m.info.slug, sizeE6: size });
      return;
    }
    if (!this.params.takerHedges || m.phase !== "live" || this.breaker.state() === "HALTED") return;
    if (x.hedgeClientId !== "") {
      const o = this.orders.getOrder(x.hedgeClientId);
      if (o && o.state !== "filled" && o.state !== "cancelled" && o.state !== "rejected" && o.state !== "expired") return;
      x.hedgeClientId = "";
    }
    const excess = this.feed.book(action.excessTokenId);
    const other = this.feed.book(action.otherTokenId);
    if (!excess || !other) return;
    const order = planHedgeOrder(action, excess, other, this.params.hedgeSlippageE4);
    if (!order) return;
    const view = this.portfolio();
    const r = checkOrder({ conditionId: m.info.conditionId, tokenId: order.tokenId, side: order.side, priceE4: order.limitPriceE4, sizeE6: order.sizeE6 }, view, this.params.risk);
    if (!r.ok) return;
    const clientId = `hedge-${m.info.conditionId.slice(2, 10)}-${nowMs}`;
    x.hedgeClientId = clientId;
    this.orders.submitOrder({
      clientId,
      conditionId: m.info.conditionId,
      tokenId: order.tokenId,
      side: order.side,
      priceE4: order.limitPriceE4,
      sizeE6: order.sizeE6,
      orderType: "FAK",
      postOnly: false,
      expirationSec: 0,
    });
    this.totals.hedges++;
    this.log("info", "hedge_sent", { market: m.info.slug, via: order.via, side: order.side, priceE4: order.limitPriceE4, sizeE6: order.sizeE6 });
  }

  /** YES+NO pairs not offered in resting SELL orders. */
  private freePairs(m: MarketState<MmMarket>): SizeE6 {
    let sellYes = 0;
    let sellNo = 0;
    for (const o of this.orders.getActiveOrders(m.info.conditionId)) {
      if (o.intent.side !== "SELL") continue;
      const rest = o.intent.sizeE6 - o.filledE6;
      if (o.intent.tokenId === m.info.yesTokenId) sellYes += rest;
      else sellNo += rest;
    }
    const pairs = Math.min(this.pnl.qty(m.info.yesTokenId) - sellYes, this.pnl.qty(m.info.noTokenId) - sellNo);
    return Math.max(0, Math.floor(pairs / 10_000) * 10_000);
  }

  // ── risk ─────────────────────────────────────────────────────────────────

  private portfolio(replacing?: { conditionId: string; bid: boolean; ask: boolean }): PortfolioView {
    return portfolioView({
      markets: this.markets,
      activeOrders: this.orders.getActiveOrders(),
      pnl: this.pnl,
      dailyPnlE6: this.pnl.dailyPnlE6(this.mark),
      ...(replacing !== undefined && { replacing }),
    });
  }

  /** Runs the circuit breaker; returns how many reasons tripped (everything is cancelled if any). */
  private checkRisk(nowMs: number): number {
    let volScore = 0;
    for (const sym of this.underlyings.symbols()) {
      const u = this.underlyings.get(sym);
      if (u) volScore = Math.max(volScore, u.volEngine.getRecommendations().volatilityScore);
    }
    const t = this.breaker.evaluate({
      nowMs,
      volatilityScore: volScore,
      lastFeedMs: this.lastFeedMs(nowMs),
      connected: this.feedUp && this.venueUp,
      dailyPnlE6: this.pnl.dailyPnlE6(this.mark),
    });
    this.onBreaker(t.tripped, t.cleared);
    return t.tripped.length;
  }

  private onBreaker(tripped: readonly TripRecord[], cleared: readonly BreakerReason[]): void {
    for (const trip of tripped) {
      this.totals.riskTrips++;
      this.log("warn", "risk_trip", { reason: trip.reason, detail: trip.detail, atMs: trip.atMs });
    }
    if (tripped.length > 0) this.cancelEverything(`risk_trip: ${tripped.map((t) => t.reason).join(",")}`);
    for (const r of cleared) this.log("info", "risk_clear", { reason: r, state: this.breaker.state() });
  }

  /**
   * Feed freshness for the breaker: the oldest latest-tick of the underlyings our markets
   * settle on (Chainlink ticks ~1 Hz, so silence means a dead feed). Books are not used when
   * an underlying is: a decided or pre-window book may rightly not change for a minute, and
   * a dead market socket shows up as a connection event (its PING watchdog). Markets with
   * no underlying fall back to the latest book data.
   */
  private lastFeedMs(nowMs: number): number {
    let last = Number.POSITIVE_INFINITY;
    for (const sym of this.underlyings.symbols()) {
      const u = this.underlyings.get(sym);
      if (u && this.markets.ofUnderlying(sym).length > 0) last = Math.min(last, Number.isNaN(u.lastRecvMs) ? this.startedMs : u.lastRecvMs);
    }
    if (last === Number.POSITIVE_INFINITY) last = this.markets.size > 0 && !Number.isNaN(this.lastBookMs) ? this.lastBookMs : nowMs;
    return Number.isNaN(last) ? nowMs : last;
  }

  private onConnection(which: "feed" | "venue", state: string, reason: string): void {
    const up = state === "connected" || state === "resynced";
    const was = which === "feed" ? this.feedUp : this.venueUp;
    if (which === "feed") this.feedUp = up;
    else this.venueUp = up;
    if (up === was) return;
    this.log(up ? "info" : "warn", "connection", { channel: which, state, reason });
    if (!up) {
      // The user's table: connection lost → cancel all now; the breaker keeps us out until it is back.
      if (this.checkRisk(this.clock.wallMs()) === 0) this.cancelEverything(`disconnect: ${which}`);
    }
  }

  /** Cancel-all at the venue and forget every quote (they are re-placed when allowed). */
  private cancelEverything(why: string): void {
    this.totals.cancelAlls++;
    for (const m of this.markets.values()) {
      m.ext.quotes = null;
      m.ext.state = "cancelled";
    }
    this.orders.cancelAll();
    this.log("warn", "cancel_all", { reason: why });
  }

  private halt(error: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelEverything("fatal");
    this.orders.close();
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log("error", "bot_halted", { reason: message });
    this.settle({ reason: "fatal", error });
  }

  private settle(r: RunResult): void {
    this.result = r;
    this.finish?.(r);
    this.finish = undefined;
  }

  // ── views ────────────────────────────────────────────────────────────────

  /** The mark of a token: its book mid when two-sided, else the market's fair value. */
  readonly mark = (tokenId: string): number => {
    const b = this.feed.book(tokenId);
    if (b && !b.stale) {
      const bid = b.bestBidE4();
      const ask = b.bestAskE4();
      if (bid > 0 && ask < ONE_E4) return (bid + ask) / 2;
    }
    const ref = this.markets.byToken(tokenId);
    if (!ref || !Number.isFinite(ref.market.ext.fairValue)) return Number.NaN;
    const fv = ref.market.ext.fairValue * ONE_E4;
    return ref.isYes ? fv : ONE_E4 - fv;
  };

  snapshot(): BotSnapshot {
    const nowMs = this.clock.wallMs();
    const markets: MarketStatus[] = [];
    for (const m of this.markets.values()) {
      const yes = this.feed.book(m.info.yesTokenId);
      const x = m.ext;
      const ids = [m.info.yesTokenId, m.info.noTokenId];
      markets.push({
        conditionId: m.info.conditionId,
        slug: m.info.slug,
        phase: m.phase,
        secondsLeft: Math.max(0, Math.round((m.info.endMs - nowMs) / 1000)),
        fairValue: x.fairValue,
        bidE4: x.quotes?.bidE4 ?? 0,
        askE4: x.quotes?.askE4 ?? 0,
        bookBidE4: yes && !yes.stale ? yes.bestBidE4() : 0,
        bookAskE4: yes && !yes.stale ? yes.bestAskE4() : 0,
        yesE6: this.pnl.qty(ids[0] as string),
        noE6: this.pnl.qty(ids[1] as string),
        realisedE6: this.pnl.realisedOf(ids),
        unrealisedE6: this.pnl.unrealisedOf(ids[0] as string, this.mark(ids[0] as string)) + this.pnl.unrealisedOf(ids[1] as string, this.mark(ids[1] as string)),
        fills: x.fills,
        volScore: x.recs.volatilityScore,
        state: x.state,
      });
    }
    return {
      nowMs,
      breaker: this.breaker.state(),
      haltReasons: this.breaker.activeReasons(),
      markets,
      totals: { ...this.totals },
      pnl: this.pnl.summary(this.mark),
    };
  }
}

function toDesired(conditionId: string, o: QuoteOrder): DesiredQuote {
  return { conditionId, tokenId: o.tokenId, side: o.side, priceE4: o.priceE4, sizeE6: o.sizeE6, orderType: "GTC", postOnly: true };
}

function emptyQuotes(conditionId: string, current: DesiredQuotes | null): DesiredQuotes {
  const centre = current?.centreE4 ?? 0;
  return { conditionId, bid: null, ask: null, bidE4: 0, askE4: 0, centreE4: centre, spreadE4: 0, bidReason: "stale_book", askReason: "stale_book" };
}

function stateOf(q: DesiredQuotes, bid: QuoteOrder | null, ask: QuoteOrder | null): string {
  if (bid && ask) return "quoting";
  if (!bid && !ask) return q.bidReason ?? q.askReason ?? "cooldown";
  return bid ? `bid only (${q.askReason ?? "cooldown"})` : `ask only (${q.bidReason ?? "cooldown"})`;
}

function round4(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : null;
}
