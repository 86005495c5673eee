/**
 * `InProcessFeed`: the `MarketFeed` half of the in-process simulator venue (sim-inprocess.ts).
 * Every wire event the simulator emits goes through `decodeMarketObject` into `BookCache`
 * after `latencyMs`, exactly as socket frames do; the pure `RollPlanner` subscribes the
 * listed markets of the chosen coins and windows `leadMs` before their start (snapshots are
 * pushed at once, as the real server does after a subscribe), emits `market_started` /
 * `market_ended` at the window edges and unsubscribes on resolution.
 *
 * Fault hooks for tests: `disconnect()` / `reconnect()` (books go stale, then fresh
 * snapshots), `pause()` / `resume()` (silence without a disconnect: the stale-feed breaker's case).
 */
import type { Clock } from "../core/clock.ts";
import type { BookView, ConnectionState, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { BookCache } from "../polymarket/book-cache.ts";
import { decodeMarketObject } from "../polymarket/market-channel.ts";
import { RollPlanner } from "../polymarket/roll-planner.ts";
import type { SimExchange } from "../sim/exchange.ts";
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
          this.forward({
            kind: "underlying",
            symbol: t.symbol,
            price: t.value,
            priceTsMs: t.priceTsMs,
            source: "chainlink",
            recvNs: this.clock.nowNs(),
          });
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
      // The strike once the window has started, as Gamma's priceToBeat gives it over the network.
      found.push(m.strike === undefined ? i : { ...i, strikePrice: m.strike });
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
