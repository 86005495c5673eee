/**
 * Circuit breaker: ACTIVE or HALTED, with the reasons that hold it. The bot calls
 * `evaluate(inputs)` every second (the user's "RISK CHECKS (cada 1s)") and on feed or
 * connection events; a non-empty `tripped` means: cancel everything now and stop quoting.
 * Quoting resumes when `state` is ACTIVE again.
 *
 * Reasons and their hysteresis (a trip is fast, a clear is slow, so a flapping condition
 * does not flap the bot):
 *  - `volatility`: trips at score ≥ `volTripScore` (RISK_CIRCUIT_BREAKER_VOL); clears after
 *    the score has stayed ≤ `volClearScore` for `clearAfterMs`.
 *  - `stale_feed`: trips when no feed data for more than `staleFeedMs` (RISK_STALE_FEED_SECONDS);
 *    clears after data has been fresh (age ≤ staleFeedMs / 2) for `clearAfterMs`.
 *  - `disconnect`: trips when disconnected; clears after `clearAfterMs` connected.
 *  - `loss_limit`: trips when the day's P&L ≤ −`dailyLossLimitUsdE6`; sticky until
 *    `resetDay` (a new trading day) and the P&L is back above the limit.
 *  - `manual`: `trip("manual", …)` / `clearManual`.
 * Every trip is recorded with reason, time and detail (`history`), and its clear time.
 *
 * Pure: time is an argument (`nowMs`).
 */
import type { UsdE6 } from "../core/units.ts";

export type BreakerState = "ACTIVE" | "HALTED";
export type BreakerReason = "volatility" | "stale_feed" | "disconnect" | "loss_limit" | "manual";

export interface BreakerParams {
  readonly volTripScore: number;
  readonly volClearScore: number;
  readonly staleFeedMs: number;
  readonly dailyLossLimitUsdE6: UsdE6;
  readonly clearAfterMs: number;
  /** Trip records kept (oldest dropped first). */
  readonly historyLimit: number;
}

export const DEFAULT_BREAKER_PARAMS: BreakerParams = {
  volTripScore: 90,
  volClearScore: 70,
  staleFeedMs: 5_000,
  dailyLossLimitUsdE6: 100_000_000,
  clearAfterMs: 10_000,
  historyLimit: 1_000,
};

export interface BreakerInputs {
  readonly nowMs: number;
  /** Highest volatility score across the markets watched (0–100). */
  readonly volatilityScore: number;
  /** Time of the latest feed data (ms); NaN before the first. */
  readonly lastFeedMs: number;
  readonly connected: boolean;
  readonly dailyPnlE6: UsdE6;
}

export interface TripRecord {
  readonly reason: BreakerReason;
  readonly atMs: number;
  readonly detail: string;
  clearedAtMs: number | null;
}

export interface BreakerTransition {
  readonly state: BreakerState;
  /** Trips that started in this call: cancel all when non-empty. */
  readonly tripped: readonly TripRecord[];
  /** Reasons that cleared in this call. */
  readonly cleared: readonly BreakerReason[];
}

interface ReasonState {
  record: TripRecord | null; // the open trip, if any
  clearSinceMs: number; // NaN while the clear condition does not hold
}

const REASONS: readonly BreakerReason[] = ["volatility", "stale_feed", "disconnect", "loss_limit", "manual"];

export class CircuitBreaker {
  readonly params: BreakerParams;
  private readonly states = new Map<BreakerReason, ReasonState>();
  private readonly records: TripRecord[] = [];
  private dayReset = false;

  constructor(params: Partial<BreakerParams> = {}) {
    this.params = { ...DEFAULT_BREAKER_PARAMS, ...params };
    if (this.params.volClearScore > this.params.volTripScore) throw new RangeError("volClearScore must be ≤ volTripScore");
    for (const r of REASONS) this.states.set(r, { record: null, clearSinceMs: Number.NaN });
  }

  state(): BreakerState {
    for (const s of this.states.values()) if (s.record) return "HALTED";
    return "ACTIVE";
  }

  /** Reasons currently holding the breaker. */
  activeReasons(): BreakerReason[] {
    return REASONS.filter((r) => this.st(r).record !== null);
  }

  /** Every trip, oldest first (bounded by `historyLimit`). */
  history(): readonly TripRecord[] {
    return this.records;
  }

  evaluate(inp: BreakerInputs): BreakerTransition {
    const p = this.params;
    const tripped: TripRecord[] = [];
    const cleared: BreakerReason[] = [];
    const step = (reason: BreakerReason, tripNow: boolean, clearOk: boolean, detail: string) => {
      const s = this.st(reason);
      if (!s.record) {
        if (tripNow) tripped.push(this.open(reason, inp.nowMs, detail));
        return;
      }
      if (!clearOk) {
        s.clearSinceMs = Number.NaN;
        return;
      }
      if (Number.isNaN(s.clearSinceMs)) s.clearSinceMs = inp.nowMs;
      if (inp.nowMs - s.clearSinceMs >= p.clearAfterMs) {
        this.close(reason, inp.nowMs);
        cleared.push(reason);
      }
    };

    step(
      "volatility",
      inp.volatilityScore >= p.volTripScore,
      inp.volatilityScore <= p.volClearScore,
      `volatility score ${inp.volatilityScore.toFixed(1)} ≥ ${p.volTripScore}`,
    );
    const age = Number.isNaN(inp.lastFeedMs) ? Number.POSITIVE_INFINITY : inp.nowMs - inp.lastFeedMs;
    step(
      "stale_feed",
      age > p.staleFeedMs,
      age <= p.staleFeedMs / 2,
      Number.isFinite(age) ? `no feed data for ${age} ms > ${p.staleFeedMs}` : "no feed data yet",
    );
    step("disconnect", !inp.connected, inp.connected, "venue disconnected");

    const lossHit = inp.dailyPnlE6 <= -p.dailyLossLimitUsdE6;
    const loss = this.st("loss_limit");
    if (!loss.record && lossHit)
      tripped.push(this.open("loss_limit", inp.nowMs, `daily P&L ${inp.dailyPnlE6} ≤ −${p.dailyLossLimitUsdE6}`));
    else if (loss.record && this.dayReset && !lossHit) {
      this.close("loss_limit", inp.nowMs);
      cleared.push("loss_limit");
    }
    return { state: this.state(), tripped, cleared };
  }

  /** Trips `reason` by hand (e.g. an invariant broke, an operator command). */
  trip(reason: BreakerReason, nowMs: number, detail: string): TripRecord | null {
    if (this.st(reason).record) return null;
    return this.open(reason, nowMs, detail);
  }

  clearManual(nowMs: number): boolean {
    if (!this.st("manual").record) return false;
    this.close("manual", nowMs);
    return true;
  }

  /** A new trading day: an open loss-limit trip clears at the first `evaluate` whose P&L is above the limit. */
  resetDay(): void {
    this.dayReset = true;
  }

  private st(reason: BreakerReason): ReasonState {
    const s = this.states.get(reason);
    if (!s) throw new RangeError(`unknown breaker reason ${reason}`);
    return s;
  }

  private open(reason: BreakerReason, nowMs: number, detail: string): TripRecord {
    const rec: TripRecord = { reason, atMs: nowMs, detail, clearedAtMs: null };
    const s = this.st(reason);
    s.record = rec;
    s.clearSinceMs = Number.NaN;
    if (reason === "loss_limit") this.dayReset = false; // only a reset after this trip clears it
    this.records.push(rec);
    if (this.records.length > this.params.historyLimit) this.records.shift();
    return rec;
  }

  private close(reason: BreakerReason, nowMs: number): void {
    const s = this.st(reason);
    if (s.record) s.record.clearedAtMs = nowMs;
    s.record = null;
    s.clearSinceMs = Number.NaN;
  }
}
