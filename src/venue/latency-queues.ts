/**
 * Latency as clock-time queues: what a venue in process (simulator, backtest, paper) uses
 * to put `delayMs` between a command and its arrival, or an event and its delivery, so
 * nothing re-enters the caller and ordering is as on a socket. Each queue keeps one clock
 * timer at a time, so a `ManualClock` makes a run exact and a `SystemClock` real-time.
 */
import type { Clock } from "../core/clock.ts";

/** Delivers callbacks `delayMs` of clock time later, in issue order, with one timer at a time. */
export class DelayQueue {
  private readonly items: Array<{ dueNs: number; fn: () => void }> = [];
  private head = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    readonly delayMs: number,
  ) {}

  push(fn: () => void): void {
    this.items.push({ dueNs: this.clock.nowNs() + this.delayMs * 1e6, fn });
    if (!this.cancelTimer) this.arm();
  }

  get pending(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private arm(): void {
    const next = this.items[this.head];
    if (!next) return;
    this.cancelTimer = this.clock.setTimer(Math.max(0, (next.dueNs - this.clock.nowNs()) / 1e6), () => this.drain());
  }

  private drain(): void {
    this.cancelTimer = undefined;
    const now = this.clock.nowNs();
    while (this.head < this.items.length) {
      const it = this.items[this.head] as { dueNs: number; fn: () => void };
      if (it.dueNs > now) break;
      this.head++;
      it.fn();
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (!this.cancelTimer) this.arm();
  }
}

/**
 * Everything on its way to the exchange (orders, cancels, merges, each with its own
 * latency) in one queue ordered by arrival time, then by send order: a cancel and a place
 * sent together with equal latencies arrive cancel first, as sent. One clock timer at a time.
 */
export class ArrivalQueue {
  private readonly items: { dueNs: number; seq: number; fn: () => void }[] = [];
  private seq = 0;
  private armedNs = Number.POSITIVE_INFINITY;
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  push(delayMs: number, fn: () => void): void {
    const dueNs = this.clock.nowNs() + delayMs * 1e6;
    const it = { dueNs, seq: this.seq++, fn };
    let k = this.items.length;
    while (k > 0 && (this.items[k - 1] as { dueNs: number }).dueNs > dueNs) k--;
    this.items.splice(k, 0, it);
    if (dueNs < this.armedNs) this.arm();
  }

  clear(): void {
    this.items.length = 0;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.armedNs = Number.POSITIVE_INFINITY;
  }

  private arm(): void {
    this.cancelTimer?.();
    const next = this.items[0];
    if (!next) {
      this.cancelTimer = undefined;
      this.armedNs = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedNs = next.dueNs;
    this.cancelTimer = this.clock.setTimer(Math.max(0, (next.dueNs - this.clock.nowNs()) / 1e6), () => this.drain());
  }

  private drain(): void {
    this.cancelTimer = undefined;
    this.armedNs = Number.POSITIVE_INFINITY;
    const now = this.clock.nowNs();
    let n = 0;
    while (n < this.items.length && (this.items[n] as { dueNs: number }).dueNs <= now) n++;
    const due = this.items.splice(0, n);
    for (const it of due) it.fn();
    if (this.cancelTimer === undefined) this.arm();
  }
}
