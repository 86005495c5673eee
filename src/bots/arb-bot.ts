/**
 * `ArbBot` (the user's Bot 1): buys YES and NO together when the pair costs less than $1
 * after taker fees, sells held pairs when they fetch more than $1, merges the rest, and
 * repairs broken pairs. It sees only `MarketFeed`, `ExchangeClient` and `Clock`; the venue
 * (simulator, live) is chosen in `cli/compose.ts`.
 *
 * Per event, in the engine loop's order (engine/loop.ts):
 *  - book change of either token of a live market (arb-execution.ts) → `detectBuyPair`
 *    (and `detectSellPair` when pairs are held) on the live books; an opportunity within
 *    capital, rate and risk limits becomes two FOK (or FAK) orders sent in ONE `place` call
 *    (one batch request), each taken from the pre-signed pool or signed on the spot;
 *  - fills, acks, rejects → the legs' states (OrderManager); both legs settled → the trade
 *    is booked: equal fills = pairs; unequal = a leg incident (see below);
 *  - every `tickMs`: leg deadlines, incident repairs, merges, the loss limit.
 *
 * Leg incidents (arb-legs.ts): the excess of the longer leg is repaired by `decideRepair`
 * (leg-repair.ts) under ARB_LEG_RULE, one FAK order at a time, until balanced, or held when
 * no repair fits the loss bound ARB_MAX_LEG_LOSS within `repairWindowMs`. Every incident is
 * logged when it opens and when it closes, with its outcome and loss; `summary()` lists them.
 *
 * Accounting (arb-accounts.ts): inventory and P&L live in the P&L tracker (fills, merges,
 * resolution). Run, stop, halt and connection state: engine/bot-lifecycle.ts. Held
 * pairs are merged back to collateral (freeing capital) unless selling them beats $1.
 * Capital in use = cost of held tokens + buy legs in flight; a trade never takes more than
 * ARB_MAX_CAPITAL minus that. Disconnect of feed or venue pauses trading and cancels all;
 * the loss limit stops new trades for the rest of the run.
 */
import type { Clock } from "../core/clock.ts";
import type { ConnectionState, ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import type { UsdE6 } from "../core/units.ts";
import { BotLifecycle, type Channel, Connectivity } from "../engine/bot-lifecycle.ts";
import { EngineLoop } from "../engine/loop.ts";
import { MarketRegistry, type MarketState } from "../engine/markets.ts";
import { NO_JOURNAL, OrderManager } from "../engine/order-manager.ts";
import { bookMidE4, PnlTracker } from "../engine/pnl.ts";
import { detectSellPair, mergeSuggestion } from "../strategy/arb-detect.ts";
import { capitalInUseE6, freePairsE6, summarize } from "./arb-accounts.ts";
import { ArbExecutor } from "./arb-execution.ts";
import { ArbLegs } from "./arb-legs.ts";
import { DEFAULT_ARB_PARAMS, type ArbBotParams } from "./arb-params.ts";
import {
  type ArbDeps,
  type ArbEventSink,
  type ArbMarket,
  type ArbRunResult,
  type ArbStopReason,
  type ArbSummary,
  type ArbTotals,
  type IncidentRecord,
  newMarketState,
  newTotals,
} from "./arb-types.ts";

export type {
  ArbDeps,
  ArbEventFields,
  ArbEventLevel,
  ArbEventSink,
  ArbRunResult,
  ArbStopReason,
  ArbSummary,
  ArbTotals,
  IncidentRecord,
  MarketSummary,
} from "./arb-types.ts";

const noopSink: ArbEventSink = () => {};

export class ArbBot {
  readonly params: ArbBotParams;
  readonly orders: OrderManager;
  readonly pnl = new PnlTracker();
  readonly markets = new MarketRegistry<ArbMarket>();
  readonly totals: ArbTotals = newTotals();
  readonly incidents: IncidentRecord[] = [];
  private readonly feed: MarketFeed;
  private readonly exchange: ExchangeClient;
  private readonly clock: Clock;
  private readonly log: ArbEventSink;
  private readonly loop: EngineLoop;
  private readonly lifecycle: BotLifecycle;
  private readonly links = new Connectivity();
  private readonly legs: ArbLegs;
  private readonly executor: ArbExecutor;
  private readonly newClientId: () => string;
  private halted = false;
  private tokens: number;
  private tokensAtMs = Number.NaN;
  private seq = 0;

  constructor(deps: ArbDeps) {
    this.params = deps.params ?? DEFAULT_ARB_PARAMS;
    this.feed = deps.feed;
    this.exchange = deps.exchange;
    this.clock = deps.clock;
    this.log = deps.events ?? noopSink;
    this.tokens = this.params.orderBurst;
    this.newClientId = deps.newClientId ?? (() => `arb-${this.clock.wallMs()}-${++this.seq}`);
    this.orders = new OrderManager({
      exchange: deps.exchange,
      clock: deps.clock,
      journal: deps.journal ?? NO_JOURNAL,
      retentionMs: 60_000,
    });
    this.loop = new EngineLoop({
      feed: deps.feed,
      exchange: deps.exchange,
      clock: deps.clock,
      tickMs: this.params.tickMs,
      handler: {
        onFeedEvent: (ev) => this.onFeedEvent(ev),
        onExchangeEvent: (ev) => this.onExchangeEvent(ev),
        onTick: () => this.onTick(),
      },
      onFatal: (e) => this.lifecycle.halt(e),
    });
    this.lifecycle = new BotLifecycle({
      bot: "arb",
      loop: this.loop,
      orders: this.orders,
      log: this.log,
      cancelAll: () => this.orders.cancelAll(),
    });
    this.legs = new ArbLegs({
      clock: this.clock,
      feed: this.feed,
      orders: this.orders,
      params: this.params,
      totals: this.totals,
      incidents: this.incidents,
      log: this.log,
      venueUp: () => this.links.venueUp,
      takeTokens: (n, nowMs) => this.takeTokens(n, nowMs),
    });
    this.executor = new ArbExecutor({
      clock: this.clock,
      feed: this.feed,
      orders: this.orders,
      pnl: this.pnl,
      params: this.params,
      totals: this.totals,
      log: this.log,
      newClientId: () => this.newClientId(),
      capitalInUseE6: () => this.capitalInUseE6(),
      tradingOn: () => !this.halted && this.links.allUp,
      takeTokens: (n, nowMs) => this.takeTokens(n, nowMs),
    });
  }

  /** Starts watching. Resolves when the bot stops (`stop`, or a fatal error after cancel-all). */
  run(): Promise<ArbRunResult> {
    return this.lifecycle.run({ legRule: this.params.legRule, orderType: this.params.orderType, minEdgeE4: this.params.minEdgeE4 });
  }

  /** Markets to trade now; the feed must have them subscribed. */
  addMarkets(markets: readonly MarketInfo[]): void {
    this.loop.runNow(() => {
      for (const m of markets) this.startMarket(m);
    });
  }

  /** Cancels everything and stops. Idempotent; resolves `run()`. */
  stop(reason: ArbStopReason = "requested"): void {
    this.lifecycle.stop(reason);
  }

  /** Stopped, and the exchange confirmed every order of ours closed (all of it journaled). */
  get ordersSettled(): boolean {
    return this.lifecycle.ordersSettled;
  }

  /** Stops listening to the venue's order events now (after the caller's bounded wait). */
  dispose(): void {
    this.lifecycle.dispose();
  }

  get isHalted(): boolean {
    return this.halted;
  }

  // ── events ───────────────────────────────────────────────────────────────

  onFeedEvent(ev: FeedEvent): void {
    if (this.lifecycle.stopping) return;
    switch (ev.kind) {
      case "book": {
        const ref = this.markets.byToken(ev.tokenId);
        if (!ref) return;
        const x = ref.market.ext;
        if (x.trade || x.incident) this.legs.progress(ref.market);
        else this.executor.onBook(ref.market);
        return;
      }
      case "market_started":
        this.startMarket(ev.market);
        return;
      case "market_ended": {
        const m = this.markets.get(ev.market.conditionId);
        if (m && m.phase !== "resolved") m.phase = "ended";
        return;
      }
      case "resolved":
        this.resolveMarket(ev.conditionId, ev.winningTokenId);
        return;
      case "connection":
        this.onConnection("feed", ev.state, ev.reason);
        return;
      case "trade":
      case "tick_size":
      case "underlying":
        return;
    }
  }

  onExchangeEvent(ev: ExchangeEvent): void {
    switch (ev.kind) {
      case "fill": {
        this.pnl.onFill(ev, this.clock.wallMs());
        const ref = this.markets.byToken(ev.tokenId);
        if (ref) this.legs.progress(ref.market);
        return;
      }
      case "ack":
      case "reject":
      case "order_closed": {
        if (ev.kind === "reject") this.totals.rejects++;
        const o = ev.kind === "order_closed" ? this.orders.getOrderByExchangeId(ev.orderId) : this.orders.getOrder(ev.clientId);
        const ref = o ? this.markets.byToken(o.intent.tokenId) : undefined;
        if (ref) this.legs.progress(ref.market);
        return;
      }
      case "merged": {
        this.pnl.onMerge(ev.conditionId, ev.sizeE6);
        this.totals.merges++;
        this.totals.mergedPairsE6 += ev.sizeE6;
        const m = this.markets.get(ev.conditionId);
        if (m) {
          m.ext.mergePendingE6 = Math.max(0, m.ext.mergePendingE6 - ev.sizeE6);
          this.orders.recordMerge(m.info.yesTokenId, m.info.noTokenId, ev.sizeE6);
        }
        this.log("info", "merged", { market: m?.info.slug ?? ev.conditionId, pairsE6: ev.sizeE6 });
        return;
      }
      case "connection":
        if (!this.lifecycle.stopping) this.onConnection("venue", ev.state, ev.reason);
        return;
      case "cancel_failed":
        return;
    }
  }

  onTick(): void {
    if (this.lifecycle.stopping) return;
    const nowMs = this.clock.wallMs();
    this.checkLossLimit();
    for (const m of this.markets.values()) {
      const x = m.ext;
      if (x.mergePendingE6 > 0 && nowMs - x.mergeSentMs > this.params.mergeTimeoutMs) x.mergePendingE6 = 0;
      this.legs.progress(m);
      if (!x.trade && !x.incident) this.manageInventory(m, nowMs);
    }
  }

  // ── markets ──────────────────────────────────────────────────────────────

  private startMarket(info: MarketInfo): void {
    const known = this.markets.get(info.conditionId);
    const m = known ?? this.markets.add(info, () => newMarketState());
    if (!known) {
      this.pnl.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
      this.log("info", "market_started", { market: info.slug, conditionId: info.conditionId, endMs: info.endMs, feeRate: info.feeRate });
    }
    if (m.phase === "pending") m.phase = "live";
  }

  private resolveMarket(conditionId: string, winningTokenId: string): void {
    const m = this.markets.get(conditionId);
    if (!m) return;
    m.phase = "resolved";
    m.winningTokenId = winningTokenId;
    if (m.ext.incident) this.legs.finishIncident(m, m.ext.incident, "held", "market resolved");
    const ids = [m.info.yesTokenId, m.info.noTokenId];
    const before = this.pnl.realisedOf(ids);
    this.pnl.onResolved(conditionId, winningTokenId);
    this.log("info", "market_resolved", {
      market: m.info.slug,
      settlementPnlE6: this.pnl.realisedOf(ids) - before,
      realisedE6: this.pnl.realisedOf(ids),
    });
  }

  // ── inventory, capital, risk ─────────────────────────────────────────────

  /** Sells held pairs when that beats $1 (done by detection), else merges them back to collateral. */
  private manageInventory(m: MarketState<ArbMarket>, nowMs: number): void {
    const x = m.ext;
    if (!this.params.merges || m.phase === "resolved" || x.mergePendingE6 > 0 || nowMs - x.lastMergeMs < this.params.mergeIntervalMs)
      return;
    const held = freePairsE6(this.pnl, m);
    if (held <= 0) return;
    const yes = this.feed.book(m.info.yesTokenId);
    const no = this.feed.book(m.info.noTokenId);
    const sell =
      yes && no && !yes.stale && !no.stale && m.phase === "live"
        ? detectSellPair(yes, no, held, held, this.executor.detectParams(m))
        : null;
    const size = mergeSuggestion(held, held, this.params.mergeMinE6, sell);
    if (size <= 0) return;
    x.mergePendingE6 = size;
    x.mergeSentMs = nowMs;
    x.lastMergeMs = nowMs;
    this.exchange.merge(m.info.conditionId, size);
    this.log("info", "merge_sent", { market: m.info.slug, pairsE6: size });
  }

  /** Cost of held tokens plus the unfilled part of our buy orders in flight (arb-accounts.ts). */
  capitalInUseE6(): UsdE6 {
    return capitalInUseE6(this.pnl, this.markets);
  }

  private checkLossLimit(): void {
    if (this.halted) return;
    const pnl = this.pnl.summary(this.mark).totalE6;
    if (pnl > -this.params.lossLimitUsdE6) return;
    this.halted = true;
    this.totals.riskTrips++;
    this.orders.cancelAll();
    this.log("error", "risk_trip", { reason: "loss_limit", pnlE6: pnl, limitE6: this.params.lossLimitUsdE6 });
  }

  /** A disconnect of feed or venue pauses trading (mayTrade) and cancels all. */
  private onConnection(which: Channel, state: ConnectionState, reason: string): void {
    if (this.links.update(which, state, reason, this.log) !== "down") return;
    this.totals.disconnects++;
    this.orders.cancelAll();
  }

  /** Token bucket on orders sent (trades and repairs), refilled on the clock. */
  private takeTokens(n: number, nowMs: number): boolean {
    const p = this.params;
    if (!Number.isNaN(this.tokensAtMs))
      this.tokens = Math.min(p.orderBurst, this.tokens + ((nowMs - this.tokensAtMs) / 1000) * p.ordersPerSec);
    this.tokensAtMs = nowMs;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  // ── views ────────────────────────────────────────────────────────────────

  /** A token's mark: its book mid when two-sided, else NaN (unrealised P&L then counts 0). */
  readonly mark = (tokenId: string): number => bookMidE4(this.feed.book(tokenId));

  summary(): ArbSummary {
    return summarize({
      pnl: this.pnl,
      markets: this.markets,
      mark: this.mark,
      totals: this.totals,
      incidents: this.incidents,
      halted: this.halted,
    });
  }
}
