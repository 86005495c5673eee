/**
 * What every bot on the engine loop does the same way around its strategy (the market maker
 * and the arbitrage bot): one run with one result, stop and halt, and the state of its two
 * connections (feed, venue).
 *
 * - `run()` starts the loop and resolves once, when the bot stops: `stop(reason)` (duration,
 *   signal, a caller's request) or `halt(error)` (a handler threw: the loop has already
 *   stopped itself and called `onFatal`). Both cancel everything first (the bot's own
 *   `cancelAll`, which also resets its bookkeeping) and log one line; both are idempotent,
 *   and whichever comes first wins.
 * - The order manager keeps listening after the stop until none of our orders is open
 *   (`ordersSettled`), so the exchange's confirmations of that cancel-all, and any fill that
 *   raced it, still reach the journal; `dispose()` stops it listening at once (the caller's
 *   bounded wait is over).
 * - `Connectivity` folds connection events per channel; the bot decides what a change means
 *   (pause and cancel all, a breaker trip).
 *
 * No clock and no I/O here: the loop and the order manager are handed in.
 */
import type { ConnectionState } from "../core/ports.ts";
import type { EngineLoop } from "./loop.ts";
import type { OrderManager } from "./order-manager.ts";

export type BotEventLevel = "info" | "warn" | "error";
export type BotEventFields = Readonly<Record<string, string | number | boolean | null>>;
/** The JSONL trade/event log (the command wires the logger); never called per book message. */
export type BotEventSink = (level: BotEventLevel, event: string, fields: BotEventFields) => void;

export type StopReason = "duration" | "signal" | "fatal" | "requested";

export interface RunResult {
  readonly reason: StopReason;
  readonly error?: unknown;
}

export interface BotLifecycleOptions {
  /** Name in the log lines ("mm", "arb"). */
  readonly bot: string;
  readonly loop: EngineLoop;
  readonly orders: OrderManager;
  readonly log: BotEventSink;
  /** Cancels every order of the bot at the venue (and whatever the bot keeps about them). */
  readonly cancelAll: (why: string) => void;
}

export class BotLifecycle {
  private stoppingNow = false;
  private ordersClosed = false;
  private offOrders: (() => void) | undefined;
  private finish: ((r: RunResult) => void) | undefined;
  private result: RunResult | undefined;

  constructor(private readonly o: BotLifecycleOptions) {}

  /** Stopping or stopped: handlers ignore new events. */
  get stopping(): boolean {
    return this.stoppingNow;
  }

  /** Starts the loop; resolves when the bot stops. A second call returns the same outcome. */
  run(fields: BotEventFields = {}): Promise<RunResult> {
    if (this.result) return Promise.resolve(this.result);
    const done = new Promise<RunResult>((resolve) => {
      this.finish = resolve;
    });
    this.o.loop.start();
    this.o.log("info", "bot_started", { bot: this.o.bot, ...fields });
    return done;
  }

  /** Cancels everything and stops. Idempotent; resolves `run()`. */
  stop(reason: StopReason = "requested"): void {
    if (this.stoppingNow) return;
    this.stoppingNow = true;
    this.o.cancelAll(`stop: ${reason}`);
    this.o.loop.stop();
    this.closeOrdersWhenSettled();
    this.o.log("info", "bot_stopped", { bot: this.o.bot, reason });
    this.settle({ reason });
  }

  /** A broken invariant (the loop's `onFatal`): cancel everything, stop, resolve as "fatal". */
  halt(error: unknown): void {
    if (this.stoppingNow) return;
    this.stoppingNow = true;
    this.o.cancelAll("fatal");
    this.closeOrdersWhenSettled();
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.o.log("error", "bot_halted", { reason: message });
    this.settle({ reason: "fatal", error });
  }

  /** Stopped, and no order of ours is open any more (the order manager stopped listening). */
  get ordersSettled(): boolean {
    return this.ordersClosed;
  }

  /** Stops the order manager listening now, settled or not. Idempotent. */
  dispose(): void {
    if (this.ordersClosed) return;
    this.ordersClosed = true;
    this.offOrders?.();
    this.offOrders = undefined;
    this.o.orders.close();
  }

  private closeOrdersWhenSettled(): void {
    if (this.o.orders.getActiveOrders().length === 0) {
      this.dispose();
      return;
    }
    this.offOrders = this.o.orders.onUpdate(() => {
      if (this.o.orders.getActiveOrders().length === 0) this.dispose();
    });
  }

  private settle(r: RunResult): void {
    this.result = r;
    this.finish?.(r);
    this.finish = undefined;
  }
}

export type Channel = "feed" | "venue";

/** Up/down per channel; both start up (a venue that never connects says so with an event). */
export class Connectivity {
  feedUp = true;
  venueUp = true;

  get allUp(): boolean {
    return this.feedUp && this.venueUp;
  }

  /**
   * Records a connection event of `which`. Returns "up" or "down" when the channel changed
   * state (logged as `connection`), null when it did not.
   */
  update(which: Channel, state: ConnectionState, reason: string, log: BotEventSink): "up" | "down" | null {
    const up = state === "connected" || state === "resynced";
    const was = which === "feed" ? this.feedUp : this.venueUp;
    if (which === "feed") this.feedUp = up;
    else this.venueUp = up;
    if (up === was) return null;
    log(up ? "info" : "warn", "connection", { channel: which, state, reason });
    return up ? "up" : "down";
  }
}
