/**
 * The embedded simulator as a venue **in process**: a `MarketFeed` and an `ExchangeClient`
 * over a `SimExchange`, no sockets, no signing, no HTTP. For fast end-to-end tests, the
 * one-hour comparison runs and the backtester, on a `ManualClock` the caller advances.
 *
 * What is real: the simulator (matching, accounts, flow, lifecycle), the market-channel
 * decoder and the book cache (every wire event the simulator emits goes through
 * `decodeMarketObject` into `BookCache`, exactly as socket frames do), the user-channel
 * decoder for our orders and trades. What is not: transport, signing, REST codecs, rate
 * limits (the network run covers those: cli/compose.ts `--venue sim`).
 *
 * Latency: every command reaches the simulator `latencyMs` after it is issued, and every
 * event reaches the bot `latencyMs` after the simulator emitted it (one FIFO per direction,
 * one clock timer at a time), so nothing re-enters the caller and ordering is as on a
 * socket. Deterministic for a given seed, clock steps and latency.
 *
 * Auto-roll: the feed discovers the simulator's listed markets for the chosen coins and
 * windows and runs the pure `RollPlanner`: subscribe `leadMs` before the start (snapshots
 * are pushed at once, as the real server does after a subscribe), `market_started` /
 * `market_ended` at the window edges, unsubscribe on resolution.
 *
 * Fault hooks for tests: `feed.disconnect()` / `feed.reconnect()` (books go stale, then
 * fresh snapshots), `feed.pause()` / `feed.resume()` (silence without a disconnect: the
 * stale-feed breaker's case), `exchange.disconnect()` (a venue connection event).
 */
import type { Clock } from "../core/clock.ts";
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
  Side,
  VenueOrderStatus,
} from "../core/ports.ts";
import type { SizeE6 } from "../core/units.ts";
import { BookCache } from "../polymarket/book-cache.ts";
import { takerFeeE6 } from "../polymarket/fees.ts";
import { decodeMarketObject } from "../polymarket/market-channel.ts";
import { codeOfMessage } from "../polymarket/rest-errors.ts";
import { RollPlanner } from "../polymarket/roll-planner.ts";
import { decodeUserObject, type UserOrderEvent, type UserTradeEvent } from "../polymarket/user-channel.ts";
import type { SimExchange, SimOrder } from "../sim/exchange.ts";
import * as W from "../sim/wire-out.ts";
import { DelayQueue } from "./latency-queues.ts";

export interface InProcessFeedOptions {
  readonly sim: SimExchange;
  readonly clock: Clock;
  /** Underlyings ("btc/usd") and window lengths (s) to roll; default all the simulator lists. */
  readonly underlyings?: readonly string[];
  readonly windowsSec?: readonly number[];
  readonly latencyMs?: number;
  /** Subscribe this long before a window starts (default 60 s). */
  readonly leadMs?: number;
}

export class InProcessFeed implements MarketFeed {
  readonly cache: BookCache;
  readonly planner: RollPlanner;
  private readonly sim: SimExchange;
  private readonly clock: Clock;
  private readonly q: DelayQueue;
  private readonly listeners = new Set<(ev: FeedEvent) => void>();
  private readonly subscribed = new Set<string>();
  private readonly filterU: ReadonlySet<string> | undefined;
  private readonly filterW: ReadonlySet<number> | undefined;
  private readonly offs: Array<() => void> = [];
  private cancelRoll: (() => void) | undefined;
  private connected = true;
  private paused = false;
  private started = false;

  constructor(opts: InProcessFeedOptions) {
    this.sim = opts.sim;
    this.clock = opts.clock;
    this.q = new DelayQueue(opts.clock, opts.latencyMs ?? 1);
    this.planner = new RollPlanner({ leadMs: opts.leadMs ?? 60_000 });
    this.filterU = opts.underlyings ? new Set(opts.underlyings) : undefined;
    this.filterW = opts.windowsSec ? new Set(opts.windowsSec) : undefined;
    this.cache = new BookCache(opts.clock, 256, (ids) => this.snapshot(ids));
    this.cache.onEvent((ev) => this.forward(ev));
  }

  /** Hooks the simulator and starts rolling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.offs.push(
      this.sim.onMarket((ev) => {
        if (!this.connected || this.paused) return;
        this.q.push(() => {
          if (!this.connected || this.paused) return;
          const decoded = decodeMarketObject(ev);
          if ("ok" in decoded) return; // a decode error: counted by the real codec; none expected here
          this.cache.applyEvent(decoded, this.clock.nowNs());
          if (decoded.type === "market_resolved") {
            this.planner.markResolved(decoded.market);
            this.roll();
          }
        });
      }),
      this.sim.onPrice((t) => {
        if (!this.connected || this.paused) return;
        this.q.push(() => {
          if (!this.connected || this.paused) return;
          this.forward({ kind: "underlying", symbol: t.symbol, price: t.value, priceTsMs: t.priceTsMs, source: "chainlink", recvNs: this.clock.nowNs() });
        });
      }),
    );
    this.forward({ kind: "connection", state: "connected", atNs: this.clock.nowNs(), reason: "in-process" });
    this.roll();
  }

  subscribe(markets: readonly MarketInfo[]): void {
    const fresh = this.cache.add(markets);
    for (const m of markets) this.subscribed.add(m.conditionId);
    this.snapshot(fresh);
  }

  unsubscribe(conditionIds: readonly string[]): void {
    this.cache.remove(conditionIds);
    for (const id of conditionIds) this.subscribed.delete(id);
  }

  book(tokenId: string): BookView | undefined {
    return this.cache.book(tokenId);
  }

  onEvent(listener: (ev: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.cancelRoll?.();
    this.cancelRoll = undefined;
    this.q.clear();
    this.listeners.clear();
  }

  /** Socket lost: books stale, nothing delivered until `reconnect`. */
  disconnect(reason = "forced disconnect"): void {
    if (!this.connected) return;
    this.connected = false;
    this.q.clear();
    this.cache.connectionLost("disconnected", this.clock.nowNs(), reason);
  }

  /** Socket back: `connected`, then fresh snapshots (→ `resynced`). */
  reconnect(): void {
    if (this.connected) return;
    this.connected = true;
    this.connection("connected", "reconnected");
    this.snapshot(this.cache.tokenIds());
  }

  /** Silence without a disconnect (no data, no connection event). */
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }

  private connection(state: ConnectionState, reason: string): void {
    this.cache.connection(state, this.clock.nowNs(), reason);
  }

  /** Pushes `book` snapshots of these tokens, as the server does after a subscribe. */
  private snapshot(tokenIds: readonly string[]): void {
    if (tokenIds.length === 0) return;
    const now = this.sim.nowMs;
    const events: ReturnType<typeof W.bookEvent>[] = [];
    for (const t of tokenIds) {
      const found = this.sim.marketByToken(t);
      if (found) events.push(W.bookEvent(found.market, found.outcome, now));
    }
    this.q.push(() => {
      if (!this.connected) return;
      for (const ev of events) {
        const decoded = decodeMarketObject(ev);
        if (!("ok" in decoded)) this.cache.applyEvent(decoded, this.clock.nowNs());
      }
    });
  }

  /** Discovers listed markets, steps the planner, applies its plan, re-arms at its next wake. */
  private roll(): void {
    const found: MarketInfo[] = [];
    for (const m of this.sim.allMarkets()) {
      const i = m.sched.info;
      if (m.state !== "open") continue;
      if (this.filterU && !this.filterU.has(i.underlying)) continue;
      if (this.filterW && !this.filterW.has(i.windowSec)) continue;
      found.push(i);
    }
    this.planner.add(found);
    const plan = this.planner.step(this.clock.wallMs());
    if (plan.subscribe.length > 0) this.subscribe(plan.subscribe);
    for (const e of plan.events) this.forward({ kind: e.kind, market: e.market, recvNs: this.clock.nowNs() });
    if (plan.unsubscribe.length > 0) this.unsubscribe(plan.unsubscribe);
    this.cancelRoll?.();
    // Re-discover at least every 5 s of clock time (new listings), else at the plan's next change.
    const wakeMs = Math.min(5_000, Math.max(1, plan.nextWakeMs - this.clock.wallMs()));
    this.cancelRoll = this.clock.setTimer(wakeMs, () => {
      this.cancelRoll = undefined;
      this.roll();
    });
  }

  private forward(ev: FeedEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

// ---------------------------------------------------------------------------------------------

export interface InProcessExchangeOptions {
  readonly sim: SimExchange;
  readonly clock: Clock;
  /** Our API key (the simulator's account owner) and maker address. */
  readonly apiKey: string;
  readonly address: string;
  readonly latencyMs?: number;
}

export class InProcessExchange implements ExchangeClient {
  readonly apiKey: string;
  readonly stats = { placed: 0, rejected: 0, cancels: 0, cancelAlls: 0, merges: 0, fills: 0 };
  private readonly sim: SimExchange;
  private readonly clock: Clock;
  private readonly out: DelayQueue;
  private readonly back: DelayQueue;
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  private readonly off: () => void;
  private seq = 0;

  constructor(opts: InProcessExchangeOptions) {
    this.sim = opts.sim;
    this.clock = opts.clock;
    this.apiKey = opts.apiKey;
    this.out = new DelayQueue(opts.clock, opts.latencyMs ?? 1);
    this.back = new DelayQueue(opts.clock, opts.latencyMs ?? 1);
    this.sim.openAccount(opts.apiKey, opts.address);
    this.off = this.sim.onUser((owner, ev) => {
      if (owner !== this.apiKey) return;
      const decoded = decodeUserObject(ev);
      if ("ok" in decoded) return;
      this.back.push(() => (decoded.type === "order" ? this.onOrder(decoded) : this.onTrade(decoded)));
    });
  }

  place(intents: readonly OrderIntent[]): void {
    const batch = intents.map((i) => ({ intent: i, orderId: this.nextOrderId() }));
    this.out.push(() => {
      for (const { intent: i, orderId } of batch) {
        const r = this.sim.place({
          orderId,
          owner: this.apiKey,
          makerAddress: this.sim.addressOf(this.apiKey),
          tokenId: i.tokenId,
          side: i.side,
          priceE4: i.priceE4,
          sizeE6: i.sizeE6,
          budgetE6: 0,
          orderType: i.orderType,
          postOnly: i.postOnly,
          expirationSec: i.expirationSec,
        });
        const immediate = i.orderType === "FOK" || i.orderType === "FAK";
        this.back.push(() => {
          const atNs = this.clock.nowNs();
          if (!r.success) {
            this.stats.rejected++;
            this.emit({ kind: "reject", clientId: i.clientId, orderId, code: codeOfMessage(r.errorMsg) ?? "UNKNOWN", message: r.errorMsg, atNs });
            return;
          }
          this.stats.placed++;
          const status = r.status === "matched" ? "matched" : immediate ? "unmatched" : "live";
          this.emit({ kind: "ack", clientId: i.clientId, orderId, status, atNs });
        });
      }
    });
  }

  cancel(orderIds: readonly string[]): void {
    if (orderIds.length === 0) return;
    const ids = [...orderIds];
    this.stats.cancels += ids.length;
    this.out.push(() => {
      const r = this.sim.cancel(this.apiKey, ids);
      const failed = Object.entries(r.not_canceled);
      if (failed.length === 0) return;
      this.back.push(() => {
        for (const [orderId, message] of failed) this.emit({ kind: "cancel_failed", orderId, message, atNs: this.clock.nowNs() });
      });
    });
  }

  cancelAll(): void {
    this.stats.cancelAlls++;
    this.out.push(() => void this.sim.cancelAll(this.apiKey));
  }

  prepare(): void {
    // Nothing to warm: no signatures in process.
  }

  merge(conditionId: string, sizeE6: SizeE6): void {
    this.out.push(() => {
      const done = this.sim.merge(this.apiKey, conditionId, sizeE6);
      if (!done) return;
      this.stats.merges++;
      this.back.push(() => this.emit({ kind: "merged", conditionId, sizeE6, atNs: this.clock.nowNs() }));
    });
  }

  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return this.sim.openOrders(this.apiKey).map(snapshotOf);
  }

  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    const o = this.sim.order(orderId);
    if (!o || o.owner !== this.apiKey) return null;
    const status: VenueOrderStatus = o.status === "LIVE" ? "live" : o.status === "MATCHED" ? "matched" : "cancelled";
    return { ...snapshotOf(o), status };
  }

  async fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot> {
    const positionsE6 = new Map<string, SizeE6>();
    for (const t of tokenIds) positionsE6.set(t, this.sim.balanceOf(this.apiKey, t));
    return { collateralE6: this.sim.collateral(this.apiKey), positionsE6 };
  }

  async close(): Promise<void> {
    this.off();
    this.out.clear();
    this.back.clear();
  }

  /** A venue connection event (the user channel dropped / came back). */
  connection(state: ConnectionState, reason: string): void {
    this.emit({ kind: "connection", state, atNs: this.clock.nowNs(), reason });
  }

  private onOrder(ev: UserOrderEvent): void {
    const atNs = this.clock.nowNs();
    if (ev.kind === "CANCELLATION" || ev.status === "CANCELED") {
      const reason = ev.statusDetail.includes("MARKET_RESOLVED") ? "market_closed" : "cancelled";
      this.emit({ kind: "order_closed", orderId: ev.orderId, reason, atNs });
      return;
    }
    if (ev.status === "MATCHED" && ev.originalSizeE6 > 0 && ev.sizeMatchedE6 >= ev.originalSizeE6) {
      this.emit({ kind: "order_closed", orderId: ev.orderId, reason: "filled", atNs });
    }
  }

  private onTrade(t: UserTradeEvent): void {
    if (t.status === "UNKNOWN") return;
    const atNs = this.clock.nowNs();
    if (t.traderSide === "TAKER" && t.owner === this.apiKey) {
      const info = this.sim.marketByToken(t.assetId)?.market.sched.info;
      const fee = info ? takerFeeE6(t.sizeE6, t.priceE4, info.feeRate, info.feeExponent) : 0;
      this.fill(t, t.takerOrderId, t.assetId, t.side, t.priceE4, t.sizeE6, fee, "taker", atNs);
    }
    for (const m of t.makerOrders) {
      if (m.owner !== this.apiKey) continue;
      const side: Side = m.side !== "" ? m.side : t.side === "BUY" ? "SELL" : "BUY";
      this.fill(t, m.orderId, m.assetId || t.assetId, side, m.priceE4, m.matchedSizeE6, 0, "maker", atNs);
    }
  }

  private fill(t: UserTradeEvent, orderId: string, tokenId: string, side: Side, priceE4: number, sizeE6: SizeE6, feeE6: number, liquidity: "maker" | "taker", atNs: number): void {
    if (t.status === "UNKNOWN") return;
    if (t.status === "MATCHED") this.stats.fills++;
    this.emit({ kind: "fill", tradeId: t.tradeId, orderId, tokenId, side, priceE4, sizeE6, feeE6, liquidity, status: t.status, exchTsMs: Math.max(0, t.matchTimeMs), atNs });
  }

  private nextOrderId(): string {
    // Unique per venue instance; shaped like an order hash.
    return `0x${(++this.seq).toString(16).padStart(24, "0")}${this.apiKey.replaceAll("-", "").slice(0, 32).padEnd(40, "0")}`;
  }

  private emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

function snapshotOf(o: SimOrder): OpenOrderSnapshot {
  return {
    orderId: o.id,
    conditionId: o.marketId,
    tokenId: o.tokenId,
    side: o.side,
    priceE4: o.priceE4,
    originalSizeE6: o.originalSizeE6,
    matchedSizeE6: o.matchedE6,
    createdAtSec: o.createdAtSec,
  };
}

/** Feed and exchange of one in-process simulator, plus the step that moves it. */
export interface InProcessVenue {
  readonly sim: SimExchange;
  readonly feed: InProcessFeed;
  readonly exchange: InProcessExchange;
  /** Advances the clock (firing every due timer) and the simulator to its wall time, in `stepMs` slices. */
  advance(ms: number, stepMs?: number): void;
}

export interface InProcessVenueOptions extends Omit<InProcessFeedOptions, "clock"> {
  readonly clock: { advanceBy(ms: number): void } & Clock;
  readonly apiKey?: string;
  readonly address?: string;
}

/** Wires feed + exchange over `sim` on a clock the caller advances (a `ManualClock`). */
export function inProcessVenue(opts: InProcessVenueOptions): InProcessVenue {
  const { sim, clock } = opts;
  const feed = new InProcessFeed(opts);
  const exchange = new InProcessExchange({
    sim,
    clock,
    apiKey: opts.apiKey ?? "b0757a00-0000-4000-8000-000000000001",
    address: opts.address ?? "0xb0757a0000000000000000000000000000000001",
    ...(opts.latencyMs !== undefined && { latencyMs: opts.latencyMs }),
  });
  return {
    sim,
    feed,
    exchange,
    advance(ms: number, stepMs = 50): void {
      let left = ms;
      while (left > 0) {
        const d = Math.min(stepMs, left);
        left -= d;
        clock.advanceBy(d);
        sim.advanceTo(clock.wallMs());
      }
    },
  };
}
