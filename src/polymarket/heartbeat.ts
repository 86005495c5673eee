/**
 * The exchange's dead-man's switch (protocol notes §4.3): once heartbeats have started, if
 * none arrives within ~10 s (+ up to 5 s) the exchange cancels every open order of the
 * account. This sender posts `POST /v1/heartbeats` every `intervalMs` (default 5 s) on the
 * injected `Clock`, independent of the quoting loop, chaining the `heartbeat_id` the
 * exchange returns.
 *
 * - 400 "Invalid Heartbeat ID" names the id the exchange expects: adopt it and resend at
 *   once (one immediate resend per tick, so a confused server cannot spin us).
 * - Never two in flight: a tick that finds the previous request still open is skipped
 *   (counted) and the next tick is due `intervalMs` after the previous one started.
 * - Failures are events, not logs or throws: `failed` for each, `lapsed` once when nothing
 *   succeeded for `lapseMs` (our orders are presumably gone: the bot should reconcile),
 *   `ok` again after. `stop()` ends the timer; in-flight requests finish on their own.
 */
import type { Clock } from "../core/clock.ts";
import type { RejectCode } from "../core/ports.ts";
import type { HeartbeatOutcome } from "./rest.ts";

export type HeartbeatEvent =
  | { readonly kind: "ok"; readonly heartbeatId: string; readonly rttNs: number; readonly atNs: number }
  | { readonly kind: "resynced"; readonly heartbeatId: string; readonly atNs: number }
  | { readonly kind: "failed"; readonly code: RejectCode; readonly message: string; readonly consecutive: number; readonly atNs: number }
  | { readonly kind: "lapsed"; readonly sinceLastOkMs: number; readonly atNs: number };

export interface HeartbeatTransport {
  postHeartbeat(heartbeatId: string): Promise<HeartbeatOutcome>;
}

export interface HeartbeatOptions {
  readonly rest: HeartbeatTransport;
  readonly clock: Clock;
  readonly intervalMs?: number;
  /** Time without a success after which the exchange has likely cancelled everything. */
  readonly lapseMs?: number;
}

export interface HeartbeatStats {
  sent: number;
  ok: number;
  failed: number;
  resynced: number;
  skippedInFlight: number;
  lapses: number;
}

export class HeartbeatSender {
  readonly stats: HeartbeatStats = { sent: 0, ok: 0, failed: 0, resynced: 0, skippedInFlight: 0, lapses: 0 };
  private readonly rest: HeartbeatTransport;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly lapseNs: number;
  private readonly listeners = new Set<(ev: HeartbeatEvent) => void>();
  private heartbeatId = "";
  private running = false;
  private inFlight = false;
  private cancelTimer: (() => void) | undefined;
  private lastOkNs = -1;
  private lapsed = false;
  private consecutiveFailures = 0;

  constructor(opts: HeartbeatOptions) {
    this.rest = opts.rest;
    this.clock = opts.clock;
    this.intervalMs = opts.intervalMs ?? 5_000;
    this.lapseNs = (opts.lapseMs ?? 10_000) * 1e6;
  }

  onEvent(fn: (ev: HeartbeatEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Sends the first heartbeat now, then every `intervalMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  get currentId(): string {
    return this.heartbeatId;
  }

  /** Monotonic ns of the last success, -1 before the first. */
  get lastSuccessNs(): number {
    return this.lastOkNs;
  }

  private tick(): void {
    if (!this.running) return;
    this.cancelTimer = this.clock.setTimer(this.intervalMs, () => this.tick());
    if (this.inFlight) {
      this.stats.skippedInFlight++;
      this.checkLapse();
      return;
    }
    void this.send(true);
  }

  private async send(mayResync: boolean): Promise<void> {
    this.inFlight = true;
    this.stats.sent++;
    const startNs = this.clock.nowNs();
    let r: HeartbeatOutcome;
    try {
      r = await this.rest.postHeartbeat(this.heartbeatId);
    } finally {
      this.inFlight = false;
    }
    const now = this.clock.nowNs();
    if (r.ok) {
      this.heartbeatId = r.value.heartbeatId;
      this.stats.ok++;
      this.lastOkNs = now;
      this.lapsed = false;
      this.consecutiveFailures = 0;
      this.emit({ kind: "ok", heartbeatId: this.heartbeatId, rttNs: now - startNs, atNs: now });
      return;
    }
    if (r.expectedId !== "" && r.expectedId !== this.heartbeatId) {
      this.heartbeatId = r.expectedId;
      this.stats.resynced++;
      this.emit({ kind: "resynced", heartbeatId: r.expectedId, atNs: now });
      if (mayResync && this.running) return this.send(false);
    }
    this.stats.failed++;
    this.consecutiveFailures++;
    this.emit({ kind: "failed", code: r.code, message: r.reason, consecutive: this.consecutiveFailures, atNs: now });
    this.checkLapse();
  }

  private checkLapse(): void {
    if (this.lapsed || this.lastOkNs < 0) return;
    const now = this.clock.nowNs();
    if (now - this.lastOkNs < this.lapseNs) return;
    this.lapsed = true;
    this.stats.lapses++;
    this.emit({ kind: "lapsed", sinceLastOkMs: Math.floor((now - this.lastOkNs) / 1e6), atNs: now });
  }

  private emit(ev: HeartbeatEvent): void {
    for (const fn of this.listeners) fn(ev);
  }
}
