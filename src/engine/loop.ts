/**
 * The engine loop (STYLE §2.1): one place where venue events enter a bot, in arrival order,
 * one at a time, plus the periodic tick (the market maker's "risk checks every second").
 *
 * - Feed and exchange events are handled synchronously as they arrive: no queue hop, no
 *   timer, no Promise per message. An event that arrives *while* another is being handled
 *   (a venue that answers synchronously from inside `place`, a listener that emits) is
 *   queued and handled right after, so a handler never re-enters itself and sees events in
 *   order.
 * - The tick runs every `tickMs` of the injected `Clock`, so it is a real second live, a
 *   twentieth of one at `--speed 20`, and exactly where a `ManualClock` puts it in tests.
 * - Anything thrown out of a handler is a bug or a broken invariant (`InvariantError`):
 *   the loop stops taking events and calls `onFatal` once; the caller halts, cancels all
 *   and exits non-zero. Expected outcomes never throw (STYLE §2.6).
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed } from "../core/ports.ts";

export interface LoopHandler {
  onFeedEvent(ev: FeedEvent): void;
  onExchangeEvent(ev: ExchangeEvent): void;
  /** The periodic tick; `nowNs` is the clock's. */
  onTick(nowNs: number): void;
}

export interface EngineLoopOptions {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly handler: LoopHandler;
  /** Tick period in clock ms (default 1000). */
  readonly tickMs?: number;
  /** Called once with what a handler threw; the loop has stopped by then. */
  readonly onFatal: (error: unknown) => void;
}

export interface LoopStats {
  feedEvents: number;
  exchangeEvents: number;
  ticks: number;
  /** Events that arrived during another event's handling (queued, then handled in order). */
  reentrantEvents: number;
}

type Queued =
  | { readonly src: "feed"; readonly ev: FeedEvent }
  | { readonly src: "exchange"; readonly ev: ExchangeEvent }
  | { readonly src: "tick"; readonly nowNs: number }
  | { readonly src: "call"; readonly fn: () => void };

export class EngineLoop {
  readonly stats: LoopStats = { feedEvents: 0, exchangeEvents: 0, ticks: 0, reentrantEvents: 0 };
  private readonly tickMs: number;
  private readonly queue: Queued[] = [];
  private busy = false;
  private running = false;
  private failed = false;
  private offFeed: (() => void) | undefined;
  private offExchange: (() => void) | undefined;
  private cancelTick: (() => void) | undefined;

  constructor(private readonly opts: EngineLoopOptions) {
    this.tickMs = opts.tickMs ?? 1000;
    if (!(this.tickMs > 0)) throw new RangeError(`tickMs must be > 0, got ${this.tickMs}`);
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running || this.failed) return;
    this.running = true;
    this.offFeed = this.opts.feed.onEvent((ev) => this.push({ src: "feed", ev }));
    this.offExchange = this.opts.exchange.onEvent((ev) => this.push({ src: "exchange", ev }));
    this.scheduleTick();
  }

  /** Stops taking events and ticks. Idempotent. Events already queued are dropped. */
  stop(): void {
    this.running = false;
    this.offFeed?.();
    this.offExchange?.();
    this.cancelTick?.();
    this.offFeed = undefined;
    this.offExchange = undefined;
    this.cancelTick = undefined;
    this.queue.length = 0;
  }

  /** Runs `fn` inside the loop (after the event being handled, if any), e.g. a shutdown step. */
  runNow(fn: () => void): void {
    this.push({ src: "call", fn });
  }

  private push(item: Queued): void {
    if (!this.running && item.src !== "call") return;
    if (this.busy) {
      this.stats.reentrantEvents++;
      this.queue.push(item);
      return;
    }
    this.busy = true;
    try {
      this.dispatch(item);
      while (this.queue.length > 0) this.dispatch(this.queue.shift() as Queued);
    } finally {
      this.busy = false;
    }
  }

  private dispatch(item: Queued): void {
    this.guard(() => {
      switch (item.src) {
        case "feed":
          this.stats.feedEvents++;
          this.opts.handler.onFeedEvent(item.ev);
          return;
        case "exchange":
          this.stats.exchangeEvents++;
          this.opts.handler.onExchangeEvent(item.ev);
          return;
        case "tick":
          this.stats.ticks++;
          this.opts.handler.onTick(item.nowNs);
          return;
        case "call":
          item.fn();
          return;
      }
    });
  }

  private guard(fn: () => void): void {
    if (this.failed) return;
    try {
      fn();
    } catch (e) {
      this.failed = true;
      this.stop();
      this.opts.onFatal(e);
    }
  }

  private scheduleTick(): void {
    if (!this.running) return;
    this.cancelTick = this.opts.clock.setTimer(this.tickMs, () => {
      this.cancelTick = undefined;
      if (!this.running) return;
      this.push({ src: "tick", nowNs: this.opts.clock.nowNs() });
      this.scheduleTick();
    });
  }
}
