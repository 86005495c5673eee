/**
 * Glue that turns the network pieces into the two ports a bot sees (cli/compose.ts wires it):
 *
 * - `CompositeFeed`: one `MarketFeed` over the market channel (books, trades, tick sizes,
 *   resolutions) plus other event sources (the RTDS underlying feed), with the auto-roll's
 *   lifecycle events (`market_started` / `market_ended`) injected by `applyPlan`, and the
 *   connections of every source folded into one state: the feed is up only while every
 *   source is up. A bot then cancels all when *any* socket drops, and quotes again only when
 *   all are back.
 * - `ConnectedExchange`: an `ExchangeClient` that adds the user channel's connection events
 *   to the venue client's own (a dropped user socket means fills may be missed: the bot
 *   treats it as a venue disconnect).
 *
 * Both forward everything else unchanged; neither knows which venue is behind it.
 */
import type {
  BalanceSnapshot,
  BookView,
  ConnectionState,
  ExchangeClient,
  ExchangeEvent,
  FeedEvent,
  MarketFeed,
  MarketInfo,
  OpenOrderSnapshot,
  OrderIntent,
  OrderLookup,
} from "../core/ports.ts";
import type { SizeE6 } from "../core/units.ts";
import { venueStatsFor } from "../monitor/venue-stats.ts";
import { PolymarketMarketFeed } from "../polymarket/market-feed.ts";
import type { RollPlan } from "../polymarket/roll-planner.ts";
import { RtdsFeed } from "../polymarket/rtds-feed.ts";

/** Anything that emits feed events (the RTDS feed, a replay). */
export interface FeedSource {
  onEvent(listener: (ev: FeedEvent) => void): () => void;
}

const isUp = (s: ConnectionState): boolean => s === "connected" || s === "resynced";

export class CompositeFeed implements MarketFeed {
  private readonly listeners = new Set<(ev: FeedEvent) => void>();
  private readonly up = new Map<string, boolean>();
  private readonly known = new Map<string, MarketInfo>();
  private readonly offs: Array<() => void> = [];
  private aggregateUp = true;
  /** Markets resolved on the market channel (the roller unsubscribes them). */
  onResolved: ((conditionId: string) => void) | undefined;
  /** Extra subscribers of roll subscriptions (the user channel). */
  onSubscribe: ((markets: readonly MarketInfo[]) => void) | undefined;
  onUnsubscribe: ((conditionIds: readonly string[]) => void) | undefined;

  constructor(
    private readonly market: MarketFeed,
    sources: ReadonlyArray<readonly [name: string, source: FeedSource]> = [],
    private readonly nowNs: () => number = () => 0,
  ) {
    this.up.set("market", true);
    this.offs.push(market.onEvent((ev) => this.fromSource("market", ev)));
    for (const [name, src] of sources) {
      this.up.set(name, true);
      this.offs.push(src.onEvent((ev) => this.fromSource(name, ev)));
    }
    // The parsers' error counts, for `mmp_parse_errors_total` (read at scrape time).
    const stats = venueStatsFor(this);
    if (market instanceof PolymarketMarketFeed) stats.parseErrors.push({ channel: "market", counts: () => market.codec.counters.errors });
    for (const [name, src] of sources)
      if (src instanceof RtdsFeed) stats.parseErrors.push({ channel: name, counts: () => src.counters.errors });
  }

  subscribe(markets: readonly MarketInfo[]): void {
    for (const m of markets) {
      this.known.set(m.yesTokenId, m);
      this.known.set(m.noTokenId, m);
    }
    this.market.subscribe(markets);
    this.onSubscribe?.(markets);
  }

  unsubscribe(conditionIds: readonly string[]): void {
    this.market.unsubscribe(conditionIds);
    const gone = new Set(conditionIds);
    for (const [t, m] of this.known) if (gone.has(m.conditionId)) this.known.delete(t);
    this.onUnsubscribe?.(conditionIds);
  }

  book(tokenId: string): BookView | undefined {
    return this.market.book(tokenId);
  }

  /** The market a subscribed token belongs to (signing needs its tick and exchange). */
  marketOfToken(tokenId: string): MarketInfo | undefined {
    return this.known.get(tokenId);
  }

  onEvent(listener: (ev: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.market.close();
    this.listeners.clear();
  }

  /** Carries out an auto-roll plan: subscribe, lifecycle events (in order), unsubscribe. */
  applyPlan(plan: RollPlan): void {
    if (plan.subscribe.length > 0) this.subscribe(plan.subscribe);
    for (const e of plan.events) this.emit({ kind: e.kind, market: e.market, recvNs: this.nowNs() });
    if (plan.unsubscribe.length > 0) this.unsubscribe(plan.unsubscribe);
  }

  private fromSource(name: string, ev: FeedEvent): void {
    if (ev.kind === "resolved") this.onResolved?.(ev.conditionId);
    if (ev.kind !== "connection") {
      this.emit(ev);
      return;
    }
    this.up.set(name, isUp(ev.state));
    let all = true;
    for (const u of this.up.values()) all &&= u;
    if (all === this.aggregateUp) {
      // A "resynced" while up (fresh snapshots after a silence) is worth passing on.
      if (all && ev.state === "resynced") this.emit({ ...ev, reason: `${name}: ${ev.reason}` });
      return;
    }
    this.aggregateUp = all;
    this.emit({
      kind: "connection",
      state: all ? ev.state : ev.state === "connected" || ev.state === "resynced" ? "disconnected" : ev.state,
      atNs: ev.atNs,
      reason: `${name}: ${ev.reason}`,
    });
  }

  private emit(ev: FeedEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

/**
 * A venue client plus a second source of connection events (the user channel), and merges
 * done by `merger` when given (a failed merge emits nothing: the bot retries later); with no
 * merger, merges are skipped and counted (pairs then redeem at resolution).
 */
export class ConnectedExchange implements ExchangeClient {
  readonly stats = { merges: 0, mergeFailures: 0, mergesSkipped: 0 };
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  private readonly off: () => void;
  private userUp = true;

  constructor(
    readonly inner: ExchangeClient,
    private readonly clock: { nowNs(): number },
    private readonly merger?: (conditionId: string, sizeE6: SizeE6) => Promise<boolean>,
  ) {
    this.off = inner.onEvent((ev) => this.emit(ev));
  }

  /** The user channel's connection changed. */
  userConnection(state: ConnectionState, atNs: number, reason: string): void {
    const up = isUp(state);
    if (up === this.userUp) return;
    this.userUp = up;
    this.emit({ kind: "connection", state, atNs, reason: `user channel: ${reason}` });
  }

  place(intents: readonly OrderIntent[]): void {
    this.inner.place(intents);
  }
  cancel(orderIds: readonly string[]): void {
    this.inner.cancel(orderIds);
  }
  cancelAll(): void {
    this.inner.cancelAll();
  }
  prepare(intents: readonly OrderIntent[]): void {
    this.inner.prepare(intents);
  }
  merge(conditionId: string, sizeE6: SizeE6): void {
    if (!this.merger) {
      this.stats.mergesSkipped++;
      return;
    }
    this.merger(conditionId, sizeE6).then(
      (done) => {
        if (!done) {
          this.stats.mergeFailures++;
          return;
        }
        this.stats.merges++;
        this.emit({ kind: "merged", conditionId, sizeE6, atNs: this.clock.nowNs() });
      },
      (e: unknown) => {
        // A transport failure: the merge may or may not have happened. No event: the bot
        // retries after its merge timeout, and a retry of a merge that did happen is refused
        // for want of pairs (those pairs then pay $1 each at resolution all the same).
        this.stats.mergeFailures++;
        if (!(e instanceof Error)) throw e;
      },
    );
  }
  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return this.inner.fetchOpenOrders();
  }
  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    if (this.inner.fetchOrder) return this.inner.fetchOrder(orderId);
    // The order manager's own fallback, kept: an open order is live; absent says nothing more.
    const open = (await this.inner.fetchOpenOrders()).find((o) => o.orderId === orderId);
    return open ? { ...open, status: "live" } : null;
  }
  fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot> {
    return this.inner.fetchBalances(tokenIds);
  }
  async close(): Promise<void> {
    this.off();
    await this.inner.close();
  }

  private emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
}
