/**
 * The clock is an interface so that one strategy runs in real time, in accelerated
 * simulator time and in backtests. `nowNs` is monotonic nanoseconds since the clock's
 * start (fits a double exactly for ~104 days); `wallMs` is epoch milliseconds.
 * Epoch nanoseconds exceed 2^53 and are never held in a `number`.
 */
export interface Clock {
  nowNs(): number;
  wallMs(): number;
  /** Runs `fn` once after `delayMs` of this clock's time; returns a cancel function. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

export class SystemClock implements Clock {
  private readonly startNs = Bun.nanoseconds();
  nowNs(): number {
    return Bun.nanoseconds() - this.startNs;
  }
  wallMs(): number {
    return Date.now();
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return () => clearTimeout(t);
  }
}

interface PendingTimer {
  dueNs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. `advanceTo` / `advanceBy` fire due timers in
 * due-time order (ties in creation order), moving `nowNs` to each timer's due time first,
 * so a timer observes exactly the time it was due at.
 */
export class ManualClock implements Clock {
  private now = 0;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(private readonly wallStartMs = 1_780_000_000_000) {}

  nowNs(): number {
    return this.now;
  }
  wallMs(): number {
    return this.wallStartMs + Math.floor(this.now / 1e6);
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const t: PendingTimer = { dueNs: this.now + Math.max(0, delayMs) * 1e6, seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
    };
  }
  /** Number of timers still waiting. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  advanceBy(ms: number): void {
    this.advanceTo(this.now + ms * 1e6);
  }
  advanceTo(targetNs: number): void {
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.timers) {
        if (t.cancelled || t.dueNs > targetNs) continue;
        if (!next || t.dueNs < next.dueNs || (t.dueNs === next.dueNs && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      next.cancelled = true;
      if (next.dueNs > this.now) this.now = next.dueNs;
      next.fn();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    if (targetNs > this.now) this.now = targetNs;
  }
}

/**
 * A clock for the embedded simulator: wall time runs `speed` times faster than real
 * time from a chosen start. Timers fire through real timers scaled down by `speed`.
 */
export class AcceleratedClock implements Clock {
  private readonly startRealNs = Bun.nanoseconds();
  constructor(
    private readonly speed: number,
    private readonly wallStartMs: number = Date.now(),
  ) {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
  }
  nowNs(): number {
    return (Bun.nanoseconds() - this.startRealNs) * this.speed;
  }
  wallMs(): number {
    return this.wallStartMs + Math.floor(this.nowNs() / 1e6);
  }
  setTimer(delayMs: number, fn: () => void): () => void {
    const t = setTimeout(fn, Math.max(0, delayMs / this.speed));
    return () => clearTimeout(t);
  }
}
