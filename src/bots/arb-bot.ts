/**
 * `ArbBot` (the user's Bot 1): buys YES and NO together when the pair costs less than $1
 * after taker fees, sells held pairs when they fetch more than $1, merges the rest, and
 * repairs broken pairs. It sees only `MarketFeed`, `ExchangeClient` and `Clock`; the venue
 * (simulator, live) is chosen in `cli/compose.ts`.
 *
 * Per event, in the engine loop's order (engine/loop.ts):
 *  - book change of either token of a live market → `detectBuyPair` (and `detectSellPair`
 *    when pairs are held) on the live books; an opportunity within capital, rate and risk
 *    limits becomes two FOK (or FAK) orders sent in ONE `place` call (one batch request),
 *    each taken from the pre-signed pool or signed on the spot by the venue client;
 *  - fills, acks, rejects → the legs' states (OrderManager); both legs settled → the trade
 *    is booked: equal fills = pairs; unequal = a leg incident (see below);
 *  - every `tickMs`: leg deadlines, incident repairs, merges, the loss limit.
 *
 * Leg incidents: the excess of the longer leg is repaired by `decideRepair` (leg-repair.ts)
 * under ARB_LEG_RULE, one FAK order at a time, until balanced, or held when no repair fits
 * the loss bound ARB_MAX_LEG_LOSS within `repairWindowMs`. Every incident is logged when it
 * opens and when it closes, with its outcome and loss; `summary()` lists them.
 *
 * Accounting: inventory and P&L live in the P&L tracker (fills, merges, resolution). Held
 * pairs are merged back to collateral (freeing capital) unless selling them beats $1.
 * Capital in use = cost of held tokens + buy legs in flight; a trade never takes more than
 * ARB_MAX_CAPITAL minus that. Disconnect of feed or venue pauses trading and cancels all;
 * the loss limit stops new trades for the rest of the run.
 */
import type { Clock } from "../core/clock.ts";
import type { BookView, ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, MarketInfo, OrderIntent } from "../core/ports.ts";
import { ONE_E4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { EngineLoop } from "../engine/loop.ts";
import { MarketRegistry, type MarketState } from "../engine/markets.ts";
import { NO_JOURNAL, type OrderJournal, OrderManager } from "../engine/order-manager.ts";
import { isTerminal, type OrderView } from "../engine/order-state.ts";
import { PnlTracker } from "../engine/pnl.ts";
import { type ArbParams, detectBuyPair, detectSellPair, mergeSuggestion, type Opportunity } from "../strategy/arb-detect.ts";
import { type ArbIncident, closeIncident, incidentState, newIncident } from "./arb-incident.ts";
import { DEFAULT_ARB_PARAMS, type ArbBotParams } from "./arb-params.ts";
import { decideRepair } from "./leg-repair.ts";

export type ArbEventLevel = "info" | "warn" | "error";
export type ArbEventFields = Readonly<Record<string, string | number | boolean | null>>;
/** The JSONL trade/event log; never called per book message. */
export type ArbEventSink = (level: ArbEventLevel, event: string, fields: ArbEventFields) => void;

export interface ArbDeps {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly params?: ArbBotParams;
  readonly journal?: OrderJournal;
  readonly events?: ArbEventSink;
  readonly newClientId?: () => string;
}

interface ArbTrade {
  readonly id: string;
  readonly kind: Opportunity["kind"];
  readonly opportunity: Opportunity;
  readonly yes: OrderView;
  readonly no: OrderView;
  readonly sentMs: number;
}

interface ArbMarket {
  trade: ArbTrade | null;
  incident: ArbIncident | null;
  cooldownUntilMs: number;
  inOpportunity: boolean;
  opportunities: number;
  trades: number;
  pairsBoughtE6: SizeE6;
  pairsSoldE6: SizeE6;
  lockedProfitE6: UsdE6;
  mergePendingE6: SizeE6;
  mergeSentMs: number;
  lastMergeMs: number;
  presignKey: string;
}

export interface ArbTotals {
  /** Distinct opportunity episodes (an opportunity that persists over updates counts once). */
  opportunitiesSeen: number;
  /** Book updates on which the detector found an opportunity. */
  detections: number;
  /** Opportunities not taken: rate limit, capital, cooldown, risk, trade in flight. */
  skippedRate: number;
  skippedBusy: number;
  /** A BUY leg worth less than the $1 minimum of a marketable BUY. */
  skippedSmall: number;
  tradesTaken: number;
  tradesFilled: number;
  /** Both legs killed: nothing happened. */
  tradesMissed: number;
  pairsBoughtE6: SizeE6;
  pairsSoldE6: SizeE6;
  /** $1 × pairs − what they cost (buy), proceeds − $1 × pairs (sell), summed over completed pairs. */
  lockedProfitE6: UsdE6;
  legIncidents: number;
  legLossE6: UsdE6;
  repairOrders: number;
  merges: number;
  mergedPairsE6: SizeE6;
  rejects: number;
  riskTrips: number;
  disconnects: number;
  presigned: number;
}

export interface MarketSummary {
  readonly conditionId: string;
  readonly slug: string;
  readonly opportunities: number;
  readonly trades: number;
  readonly pairsBought: number;
  readonly pairsSold: number;
  readonly lockedProfit: number;
  readonly profit: number;
  readonly yesShares: number;
  readonly noShares: number;
  /** |YES − NO|: shares with no complement. */
  readonly unpairedShares: number;
}

export interface IncidentRecord {
  readonly id: string;
  readonly market: string;
  readonly kind: string;
  readonly rule: string;
  readonly excessShares: number;
  readonly outcome: string;
  readonly loss: number;
  readonly repairs: number;
  readonly durationMs: number;
}

export interface ArbSummary {
  readonly opportunitiesSeen: number;
  readonly detections: number;
  readonly tradesTaken: number;
  readonly tradesFilled: number;
  readonly tradesMissed: number;
  readonly pairsBought: number;
  readonly pairsSold: number;
  /** Total P&L in $ (realised + unrealised at the mid), fees included. */
  readonly profit: number;
  readonly realisedProfit: number;
  readonly unrealisedProfit: number;
  readonly lockedProfit: number;
  readonly fees: number;
  readonly legIncidents: number;
  readonly legLoss: number;
  readonly incidents: readonly IncidentRecord[];
  readonly merges: number;
  readonly mergedPairs: number;
  /** Shares held with no complement, over all markets. */
  readonly unpairedShares: number;
  readonly unpairedCost: number;
  readonly capitalInUse: number;
  readonly halted: boolean;
  readonly totals: ArbTotals;
  readonly markets: readonly MarketSummary[];
}

export type ArbStopReason = "duration" | "signal" | "fatal" | "requested";

export interface ArbRunResult {
  readonly reason: ArbStopReason;
  readonly error?: unknown;
}

const LOT_E6 = 10_000;
const noopSink: ArbEventSink = () => {};
const usd = (e6: number): number => Math.round(e6) / 1e6;

export class ArbBot {
  readonly params: ArbBotParams;
  readonly orders: OrderManager;
  readonly pnl = new PnlTracker();
  readonly markets = new MarketRegistry<ArbMarket>();
  readonly totals: ArbTotals = {
    opportunitiesSeen: 0,
    detections: 0,
    skippedRate: 0,
    skippedBusy: 0,
    skippedSmall: 0,
    tradesTaken: 0,
    tradesFilled: 0,
    tradesMissed: 0,
    pairsBoughtE6: 0,
    pairsSoldE6: 0,
    lockedProfitE6: 0,
    legIncidents: 0,
    legLossE6: 0,
    repairOrders: 0,
    merges: 0,
    mergedPairsE6: 0,
    rejects: 0,
    riskTrips: 0,
    disconnects: 0,
    presigned: 0,
  };
  readonly incidents: IncidentRecord[] = [];
  private readonly feed: MarketFeed;
  private readonly exchange: ExchangeClient;
  private readonly clock: Clock;
  private readonly log: ArbEventSink;
  private readonly loop: EngineLoop;
  private readonly newClientId: () => string;
  private feedUp = true;
  private venueUp = true;
  private halted = false;
  private stopping = false;
  private tokens: number;
  private tokensAtMs = Number.NaN;
  private seq = 0;
  private finish: ((r: ArbRunResult) => void) | undefined;
  private result: ArbRunResult | undefined;

  constructor(deps: ArbDeps) {
    this.params = deps.params ?? DEFAULT_ARB_PARAMS;
    this.feed = deps.feed;
    this.exchange = deps.exchange;
    this.clock = deps.clock;
    this.log = deps.events ?? noopSink;
    this.tokens = this.params.orderBurst;
    this.newClientId = deps.newClientId ?? (() => `arb-${this.clock.wallMs()}-${++this.seq}`);
    this.orders = new OrderManager({ exchange: deps.exchange, clock: deps.clock, journal: deps.journal ?? NO_JOURNAL, retentionMs: 60_000 });
    this.loop = new EngineLoop({
      feed: deps.feed,
      exchange: deps.exchange,
      clock: deps.clock,
      tickMs: this.params.tickMs,
      handler: { onFeedEvent: (ev) => this.onFeedEvent(ev), onExchangeEvent: (ev) => this.onExchangeEvent(ev), onTick: () => this.onTick() },
      onFatal: (e) => this.halt(e),
    });
  }

  /** Starts watching. Resolves when the bot stops (`stop`, or a fatal error after cancel-all). */
  run(): Promise<ArbRunResult> {
    if (this.result) return Promise.resolve(this.result);
    const done = new Promise<ArbRunResult>((resolve) => {
      this.finish = resolve;
    });
    this.loop.start();
    this.log("info", "bot_started", { bot: "arb", legRule: this.params.legRule, orderType: this.params.orderType, minEdgeE4: this.params.minEdgeE4 });
    return done;
  }

  /** Markets to trade now; the feed must have them subscribed. */
  addMarkets(markets: readonly MarketInfo[]): void {
    this.loop.runNow(() => {
      for (const m of markets) this.startMarket(m);
    });
  }

  /** Cancels everything and stops. Idempotent; resolves `run()`. */
  stop(reason: ArbStopReason = "requested"): void {
    if (this.stopping) return;
    this.stopping = true;
    this.orders.cancelAll();
    this.loop.stop();
    this.orders.close();
    this.log("info", "bot_stopped", { bot: "arb", reason });
    this.settle({ reason });
  }

  get isHalted(): boolean {
    return this.halted;
  }

  // ── events ───────────────────────────────────────────────────────────────

  onFeedEvent(ev: FeedEvent): void {
    if (this.stopping) return;
    switch (ev.kind) {
      case "book": {
        const ref = this.markets.byToken(ev.tokenId);
        if (ref) this.onBook(ref.market);
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
        if (ref) this.progress(ref.market);
        return;
      }
      case "ack":
      case "reject":
      case "order_closed": {
        if (ev.kind === "reject") this.totals.rejects++;
        const o = ev.kind === "order_closed" ? this.orders.getOrderByExchangeId(ev.orderId) : this.orders.getOrder(ev.clientId);
        const ref = o ? this.markets.byToken(o.intent.tokenId) : undefined;
        if (ref) this.progress(ref.market);
        return;
      }
      case "merged": {
        this.pnl.onMerge(ev.conditionId, ev.sizeE6);
        this.totals.merges++;
        this.totals.mergedPairsE6 += ev.sizeE6;
        const m = this.markets.get(ev.conditionId);
        if (m) m.ext.mergePendingE6 = Math.max(0, m.ext.mergePendingE6 - ev.sizeE6);
        this.log("info", "merged", { market: m?.info.slug ?? ev.conditionId, pairsE6: ev.sizeE6 });
        return;
      }
      case "connection":
        if (!this.stopping) this.onConnection("venue", ev.state, ev.reason);
        return;
      case "cancel_failed":
        return;
    }
  }

  onTick(): void {
    if (this.stopping) return;
    const nowMs = this.clock.wallMs();
    this.checkLossLimit();
    for (const m of this.markets.values()) {
      const x = m.ext;
      if (x.mergePendingE6 > 0 && nowMs - x.mergeSentMs > this.params.mergeTimeoutMs) x.mergePendingE6 = 0;
      this.progress(m);
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
    if (m.ext.incident) this.finishIncident(m, m.ext.incident, "held", "market resolved");
    const ids = [m.info.yesTokenId, m.info.noTokenId];
    const before = this.pnl.realisedOf(ids);
    this.pnl.onResolved(conditionId, winningTokenId);
    this.log("info", "market_resolved", { market: m.info.slug, settlementPnlE6: this.pnl.realisedOf(ids) - before, realisedE6: this.pnl.realisedOf(ids) });
  }

  // ── detection and execution ──────────────────────────────────────────────

  private onBook(m: MarketState<ArbMarket>): void {
    const x = m.ext;
    if (x.incident || x.trade) {
      this.progress(m);
      return;
    }
    const yes = this.feed.book(m.info.yesTokenId);
    const no = this.feed.book(m.info.noTokenId);
    if (!yes || !no || yes.stale || no.stale) return;
    const nowMs = this.clock.wallMs();
    const opp = this.detect(m, yes, no);
    if (!opp) {
      x.inOpportunity = false;
      if (this.params.presignNearE4 > 0) this.presign(m, yes, no);
      return;
    }
    this.totals.detections++;
    if (!x.inOpportunity) {
      x.inOpportunity = true;
      x.opportunities++;
      this.totals.opportunitiesSeen++;
      this.log("info", "opportunity", { market: m.info.slug, kind: opp.kind, pairsE6: opp.pairsE6, yesE4: opp.legs[0].limitPriceE4, noE4: opp.legs[1].limitPriceE4, expectedProfitE6: opp.expectedProfitE6 });
    }
    if (!this.mayTrade(m, nowMs)) {
      this.totals.skippedBusy++;
      return;
    }
    if (!legsAreMarketable(opp)) {
      // Polymarket refuses a marketable BUY under $1 (protocol notes §3.4): the cheap leg of
      // a gap near 0 or 1 would be killed and leave the other leg alone.
      this.totals.skippedSmall++;
      return;
    }
    if (!this.takeTokens(2, nowMs)) {
      this.totals.skippedRate++;
      return;
    }
    this.execute(m, opp, nowMs);
  }

  private detect(m: MarketState<ArbMarket>, yes: BookView, no: BookView): Opportunity | null {
    const p = this.detectParams(m);
    const held = this.freePairs(m);
    if (held >= m.info.minSizeE6) {
      const sell = detectSellPair(yes, no, held, held, p);
      if (sell) return sell;
    }
    return p.maxCapitalUsdE6 > 0 ? detectBuyPair(yes, no, p) : null;
  }

  private detectParams(m: MarketState<ArbMarket>, extraEdgeE4 = 0): ArbParams {
    return {
      minEdgeE4: this.params.minEdgeE4 + extraEdgeE4,
      maxCapitalUsdE6: Math.max(0, this.params.maxCapitalUsdE6 - this.capitalInUseE6()),
      minSizeE6: m.info.minSizeE6,
      feeRate: m.info.feeRate,
      feeExponent: m.info.feeExponent,
      maxLevels: this.params.maxLevels,
    };
  }

  private mayTrade(m: MarketState<ArbMarket>, nowMs: number): boolean {
    return m.phase === "live" && !this.halted && this.feedUp && this.venueUp && nowMs >= m.ext.cooldownUntilMs && nowMs < m.info.endMs - this.params.stopBeforeEndMs;
  }

  /** Both legs in one `place` call: one batch request, signed from the pool or on the spot. */
  private execute(m: MarketState<ArbMarket>, opp: Opportunity, nowMs: number): void {
    const id = this.newClientId();
    const intent = (leg: Opportunity["legs"][number], tag: string): OrderIntent => ({
      clientId: `${id}-${tag}`,
      conditionId: m.info.conditionId,
      tokenId: leg.tokenId,
      side: leg.side,
      priceE4: leg.limitPriceE4,
      sizeE6: leg.sizeE6,
      orderType: this.params.orderType,
      postOnly: false,
      expirationSec: 0,
    });
    const [yes, no] = this.orders.submitOrders([intent(opp.legs[0], "y"), intent(opp.legs[1], "n")]) as [OrderView, OrderView];
    m.ext.trade = { id, kind: opp.kind, opportunity: opp, yes, no, sentMs: nowMs };
    m.ext.trades++;
    this.totals.tradesTaken++;
    this.log("info", "trade_sent", {
      market: m.info.slug,
      trade: id,
      kind: opp.kind,
      pairsE6: opp.pairsE6,
      yesLimitE4: opp.legs[0].limitPriceE4,
      noLimitE4: opp.legs[1].limitPriceE4,
      costE6: opp.costE6,
      proceedsE6: opp.proceedsE6,
      expectedProfitE6: opp.expectedProfitE6,
      orderType: this.params.orderType,
    });
  }

  /** Warms the pre-signed pool with what a trade would send if the edge were reached now. */
  private presign(m: MarketState<ArbMarket>, yes: BookView, no: BookView): void {
    if (yes.bestAskE4() + no.bestAskE4() > ONE_E4 - this.params.minEdgeE4 + this.params.presignNearE4) return;
    const near = detectBuyPair(yes, no, this.detectParams(m, -this.params.presignNearE4));
    if (!near) return;
    const key = `${near.legs[0].limitPriceE4}/${near.legs[1].limitPriceE4}/${near.pairsE6}`;
    if (key === m.ext.presignKey) return;
    m.ext.presignKey = key;
    this.totals.presigned += 2;
    this.orders.preSignOrders(
      near.legs.map((leg) => ({ clientId: "", conditionId: m.info.conditionId, tokenId: leg.tokenId, side: leg.side, priceE4: leg.limitPriceE4, sizeE6: leg.sizeE6, orderType: this.params.orderType, postOnly: false, expirationSec: 0 })),
    );
  }

  // ── settlement of legs and incidents ─────────────────────────────────────

  /** Moves the market's trade or incident forward as far as its orders allow. */
  private progress(m: MarketState<ArbMarket>): void {
    const x = m.ext;
    const nowNs = this.clock.nowNs();
    const t = x.trade;
    if (t && this.settled(t.yes, nowNs) && this.settled(t.no, nowNs)) {
      x.trade = null;
      this.bookTrade(m, t);
    }
    const inc = x.incident;
    if (inc) this.repair(m, inc);
  }

  /** A leg is settled when terminal, or acked with no news for `legSettleMs` (FAK remainder killed). */
  private settled(o: OrderView, nowNs: number): boolean {
    if (isTerminal(o.state)) return true;
    if (o.state === "pending" || o.state === "unknown") return false;
    return nowNs - o.updatedNs >= this.params.legSettleMs * 1e6;
  }

  private bookTrade(m: MarketState<ArbMarket>, t: ArbTrade): void {
    const x = m.ext;
    const nowMs = this.clock.wallMs();
    x.cooldownUntilMs = nowMs + this.params.cooldownMs;
    const paired = Math.min(t.yes.filledE6, t.no.filledE6);
    const buy = t.kind === "buy_pair";
    if (paired > 0) {
      // Cost of the paired shares at each leg's average price, fees included.
      const part = (o: OrderView): number => Math.round(((o.notionalE6 + (buy ? o.feesE6 : -o.feesE6)) * paired) / o.filledE6);
      const cash = part(t.yes) + part(t.no);
      const locked = buy ? paired - cash : cash - paired;
      x.lockedProfitE6 += locked;
      this.totals.lockedProfitE6 += locked;
      if (buy) {
        x.pairsBoughtE6 += paired;
        this.totals.pairsBoughtE6 += paired;
      } else {
        x.pairsSoldE6 += paired;
        this.totals.pairsSoldE6 += paired;
      }
    }
    if (t.yes.filledE6 === t.no.filledE6) {
      if (paired > 0) this.totals.tradesFilled++;
      else this.totals.tradesMissed++;
      this.log("info", paired > 0 ? "trade_filled" : "trade_missed", { market: m.info.slug, trade: t.id, kind: t.kind, pairsE6: paired, yes: t.yes.state, no: t.no.state, yesCode: t.yes.rejectCode, noCode: t.no.rejectCode });
      return;
    }
    const inc = newIncident(t.id, m.info, t.kind, this.params.legRule, t.yes, t.no, nowMs, nowMs + this.params.repairWindowMs);
    x.incident = inc;
    this.totals.legIncidents++;
    const s = incidentState(inc);
    this.log("warn", "leg_incident", { market: m.info.slug, incident: inc.id, kind: t.kind, rule: inc.rule, yesFilledE6: t.yes.filledE6, noFilledE6: t.no.filledE6, excessE6: s.excessE6, longToken: inc.longTokenId === m.info.yesTokenId ? "YES" : "NO", shortCode: inc.shortLeg.rejectCode, shortMessage: inc.shortLeg.message });
    this.repair(m, inc);
  }

  private repair(m: MarketState<ArbMarket>, inc: ArbIncident): void {
    const nowNs = this.clock.nowNs();
    const last = inc.repairs[inc.repairs.length - 1];
    if (last && !this.settled(last, nowNs)) return;
    const s = incidentState(inc);
    const nowMs = this.clock.wallMs();
    const long = this.feed.book(inc.longTokenId);
    const short = this.feed.book(inc.shortTokenId);
    if (!long || !short) {
      this.finishIncident(m, inc, "held", "books unavailable");
      return;
    }
    const open = m.phase === "live" && this.venueUp && nowMs < m.info.endMs;
    const action = decideRepair({
      kind: inc.kind,
      rule: inc.rule,
      longTokenId: inc.longTokenId,
      shortTokenId: inc.shortTokenId,
      excessE6: s.excessE6,
      excessCashE6: s.excessCashE6,
      lossSoFarE6: s.lossE6,
      maxLossE6: this.params.maxLegLossUsdE6,
      longBook: long,
      shortBook: short,
      minSizeE6: m.info.minSizeE6,
      tickE4: short.tickE4,
      feeRate: m.info.feeRate,
      feeExponent: m.info.feeExponent,
      mayWait: nowMs < inc.deadlineMs && inc.repairs.length < this.params.maxRepairAttempts,
    });
    switch (action.kind) {
      case "done":
        this.finishIncident(m, inc, "", "balanced");
        return;
      case "wait":
        if (!open) this.finishIncident(m, inc, "held", "market closed");
        return;
      case "hold":
        this.finishIncident(m, inc, "held", action.reason);
        return;
      case "order": {
        if (!open) {
          this.finishIncident(m, inc, "held", "market closed");
          return;
        }
        if (inc.repairs.length >= this.params.maxRepairAttempts) {
          this.finishIncident(m, inc, "held", "repair attempts exhausted");
          return;
        }
        if (!this.takeTokens(1, nowMs)) return; // rate limit: the next tick tries again
        const clientId = `${inc.id}-r${inc.repairs.length + 1}`;
        const o = this.orders.submitOrder({ clientId, conditionId: m.info.conditionId, tokenId: action.tokenId, side: action.side, priceE4: action.limitPriceE4, sizeE6: action.sizeE6, orderType: "FAK", postOnly: false, expirationSec: 0 });
        inc.repairs.push(o);
        inc.vias.push(action.via);
        this.totals.repairOrders++;
        this.log("info", "leg_repair_sent", { market: m.info.slug, incident: inc.id, via: action.via, side: action.side, priceE4: action.limitPriceE4, sizeE6: action.sizeE6, worstLossE6: action.worstLossE6, lossSoFarE6: s.lossE6 });
        return;
      }
    }
  }

  private finishIncident(m: MarketState<ArbMarket>, inc: ArbIncident, forced: "" | "held", why: string): void {
    const nowMs = this.clock.wallMs();
    const rec = closeIncident(inc, forced);
    m.ext.incident = null;
    this.totals.legLossE6 += rec.lossE6;
    const record: IncidentRecord = { id: inc.id, market: m.info.slug, kind: inc.kind, rule: inc.rule, excessShares: inc.initialExcessE6 / 1e6, outcome: rec.outcome, loss: usd(rec.lossE6), repairs: inc.repairs.length, durationMs: nowMs - inc.openedMs };
    this.incidents.push(record);
    this.log(rec.outcome === "held" ? "warn" : "info", "leg_incident_closed", { market: m.info.slug, incident: inc.id, outcome: rec.outcome, lossE6: rec.lossE6, unpairedE6: rec.unpairedE6, repairs: inc.repairs.length, reason: why });
  }

  // ── inventory, capital, risk ─────────────────────────────────────────────

  /** Sells held pairs when that beats $1 (done by detection), else merges them back to collateral. */
  private manageInventory(m: MarketState<ArbMarket>, nowMs: number): void {
    const x = m.ext;
    if (m.phase === "resolved" || x.mergePendingE6 > 0 || nowMs - x.lastMergeMs < this.params.mergeIntervalMs) return;
    const held = this.freePairs(m);
    if (held <= 0) return;
    const yes = this.feed.book(m.info.yesTokenId);
    const no = this.feed.book(m.info.noTokenId);
    const sell = yes && no && !yes.stale && !no.stale && m.phase === "live" ? detectSellPair(yes, no, held, held, this.detectParams(m)) : null;
    const size = mergeSuggestion(held, held, this.params.mergeMinE6, sell);
    if (size <= 0) return;
    x.mergePendingE6 = size;
    x.mergeSentMs = nowMs;
    x.lastMergeMs = nowMs;
    this.exchange.merge(m.info.conditionId, size);
    this.log("info", "merge_sent", { market: m.info.slug, pairsE6: size });
  }

  /** YES+NO pairs held and not already on their way to a merge. */
  private freePairs(m: MarketState<ArbMarket>): SizeE6 {
    const pairs = Math.min(this.pnl.qty(m.info.yesTokenId), this.pnl.qty(m.info.noTokenId)) - m.ext.mergePendingE6;
    return Math.max(0, Math.floor(pairs / LOT_E6) * LOT_E6);
  }

  /**
   * Cost of held tokens plus the unfilled part of our buy orders in flight (trade legs and
   * repairs, at their limits). O(markets): only the bot's own orders are looked at.
   */
  capitalInUseE6(): UsdE6 {
    let total = 0;
    const open = (o: OrderView | undefined): void => {
      if (!o || o.intent.side !== "BUY" || isTerminal(o.state)) return;
      total += Math.round((Math.max(0, o.intent.sizeE6 - o.filledE6) * o.intent.priceE4) / ONE_E4);
    };
    for (const m of this.markets.values()) {
      total += Math.max(0, this.pnl.position(m.info.yesTokenId)?.costE6 ?? 0) + Math.max(0, this.pnl.position(m.info.noTokenId)?.costE6 ?? 0);
      const x = m.ext;
      if (x.trade) {
        open(x.trade.yes);
        open(x.trade.no);
      }
      if (x.incident) open(x.incident.repairs[x.incident.repairs.length - 1]);
    }
    return total;
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

  private onConnection(which: "feed" | "venue", state: string, reason: string): void {
    const up = state === "connected" || state === "resynced";
    const was = which === "feed" ? this.feedUp : this.venueUp;
    if (which === "feed") this.feedUp = up;
    else this.venueUp = up;
    if (up === was) return;
    this.log(up ? "info" : "warn", "connection", { channel: which, state, reason });
    if (!up) {
      this.totals.disconnects++;
      this.orders.cancelAll();
    }
  }

  /** Token bucket on orders sent (trades and repairs), refilled on the clock. */
  private takeTokens(n: number, nowMs: number): boolean {
    const p = this.params;
    if (!Number.isNaN(this.tokensAtMs)) this.tokens = Math.min(p.orderBurst, this.tokens + ((nowMs - this.tokensAtMs) / 1000) * p.ordersPerSec);
    this.tokensAtMs = nowMs;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  private halt(error: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.orders.cancelAll();
    this.orders.close();
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.log("error", "bot_halted", { reason: message });
    this.settle({ reason: "fatal", error });
  }

  private settle(r: ArbRunResult): void {
    this.result = r;
    this.finish?.(r);
    this.finish = undefined;
  }

  // ── views ────────────────────────────────────────────────────────────────

  /** A token's mark: its book mid when two-sided, else NaN (unrealised P&L then counts 0). */
  readonly mark = (tokenId: string): number => {
    const b = this.feed.book(tokenId);
    if (!b || b.stale) return Number.NaN;
    const bid = b.bestBidE4();
    const ask = b.bestAskE4();
    return bid > 0 && ask < ONE_E4 && bid < ask ? (bid + ask) / 2 : Number.NaN;
  };

  summary(): ArbSummary {
    const pnl = this.pnl.summary(this.mark);
    const markets: MarketSummary[] = [];
    let unpaired = 0;
    let unpairedCost = 0;
    for (const m of this.markets.values()) {
      const y = this.pnl.qty(m.info.yesTokenId);
      const n = this.pnl.qty(m.info.noTokenId);
      const ids = [m.info.yesTokenId, m.info.noTokenId];
      const excessToken = y > n ? m.info.yesTokenId : m.info.noTokenId;
      const pos = this.pnl.position(excessToken);
      const diff = Math.abs(y - n);
      unpaired += diff;
      if (pos && pos.qtyE6 > 0) unpairedCost += Math.round((pos.costE6 * diff) / pos.qtyE6);
      const unreal = this.pnl.unrealisedOf(m.info.yesTokenId, this.mark(m.info.yesTokenId)) + this.pnl.unrealisedOf(m.info.noTokenId, this.mark(m.info.noTokenId));
      const x = m.ext;
      markets.push({
        conditionId: m.info.conditionId,
        slug: m.info.slug,
        opportunities: x.opportunities,
        trades: x.trades,
        pairsBought: x.pairsBoughtE6 / 1e6,
        pairsSold: x.pairsSoldE6 / 1e6,
        lockedProfit: usd(x.lockedProfitE6),
        profit: usd(this.pnl.realisedOf(ids) + unreal),
        yesShares: y / 1e6,
        noShares: n / 1e6,
        unpairedShares: diff / 1e6,
      });
    }
    const t = this.totals;
    return {
      opportunitiesSeen: t.opportunitiesSeen,
      detections: t.detections,
      tradesTaken: t.tradesTaken,
      tradesFilled: t.tradesFilled,
      tradesMissed: t.tradesMissed,
      pairsBought: t.pairsBoughtE6 / 1e6,
      pairsSold: t.pairsSoldE6 / 1e6,
      profit: usd(pnl.totalE6),
      realisedProfit: usd(pnl.realisedE6),
      unrealisedProfit: usd(pnl.unrealisedE6),
      lockedProfit: usd(t.lockedProfitE6),
      fees: usd(pnl.feesE6),
      legIncidents: t.legIncidents,
      legLoss: usd(t.legLossE6),
      incidents: [...this.incidents],
      merges: t.merges,
      mergedPairs: t.mergedPairsE6 / 1e6,
      unpairedShares: unpaired / 1e6,
      unpairedCost: usd(unpairedCost),
      capitalInUse: usd(this.capitalInUseE6()),
      halted: this.halted,
      totals: { ...t },
      markets,
    };
  }
}

/** A marketable BUY must be worth at least $1 at its limit (protocol notes §3.4). */
const MIN_MARKETABLE_BUY_E6 = 1_000_000;

/** Every BUY leg is worth at least the $1 minimum at its limit price. */
export function legsAreMarketable(opp: Opportunity): boolean {
  for (const leg of opp.legs) if (leg.side === "BUY" && (leg.sizeE6 * leg.limitPriceE4) / ONE_E4 < MIN_MARKETABLE_BUY_E6) return false;
  return true;
}

function newMarketState(): ArbMarket {
  return {
    trade: null,
    incident: null,
    cooldownUntilMs: 0,
    inOpportunity: false,
    opportunities: 0,
    trades: 0,
    pairsBoughtE6: 0,
    pairsSoldE6: 0,
    lockedProfitE6: 0,
    mergePendingE6: 0,
    mergeSentMs: 0,
    lastMergeMs: Number.NEGATIVE_INFINITY,
    presignKey: "",
  };
}
