/**
 * Auto-roll plan for recurring Up/Down markets (pure: time comes in as an argument).
 *
 * Given the current time and every market discovery knows of, the planner says what the feed
 * must do now and which lifecycle events the strategy sees:
 * - subscribe a market `leadMs` before its window starts, so its book has a fresh snapshot
 *   by the time it opens (the next window is live on the venue long before it starts);
 * - emit `market_started` at `startMs` and `market_ended` at `endMs`, ended before started
 *   when one window hands over to the next at the same instant (the strategy pulls the old
 *   quotes first);
 * - unsubscribe after resolution: on a `resolved` event, or `lingerMs` after the end at the
 *   latest (resolution comes ~1 min after the end, protocol notes §7.3; a market that never
 *   reports resolution must not stay subscribed forever);
 * - `nextWakeMs`: the next instant anything changes, for the shell's timer.
 *
 * Quotable time of a market = [startMs, endMs) while it is subscribed; with `leadMs > 0` the
 * successor of a window is subscribed before the handover, so consecutive windows leave no
 * gap beyond the venue's own (tested across three 5-minute windows).
 */
import type { MarketInfo } from "../core/ports.ts";

export interface RollConfig {
  /** Subscribe this long before a window starts (ms). Default 60 s. */
  readonly leadMs: number;
  /** Unsubscribe this long after the end if no resolution was seen (ms). Default 180 s. */
  readonly lingerMs: number;
}

export const DEFAULT_ROLL: RollConfig = { leadMs: 60_000, lingerMs: 180_000 };

export interface RollPlan {
  readonly subscribe: readonly MarketInfo[];
  readonly unsubscribe: readonly string[];
  /** Lifecycle events in the order the strategy must see them (ended before started). */
  readonly events: ReadonlyArray<{ readonly kind: "market_ended" | "market_started"; readonly market: MarketInfo }>;
  /** Next time (epoch ms) the plan can change; Infinity when nothing is scheduled. */
  readonly nextWakeMs: number;
}

type Phase = "pending" | "subscribed" | "live" | "ended" | "done";

export class RollPlanner {
  private readonly cfg: RollConfig;
  private readonly phase = new Map<string, Phase>();
  private readonly markets = new Map<string, MarketInfo>();
  private readonly resolved = new Set<string>();

  constructor(cfg: Partial<RollConfig> = {}) {
    this.cfg = { ...DEFAULT_ROLL, ...cfg };
    if (!(this.cfg.leadMs >= 0 && this.cfg.lingerMs >= 0)) throw new RangeError("roll: leadMs and lingerMs must be ≥ 0");
  }

  /** Adds markets from discovery (known ones are ignored; a market keeps its first info). */
  add(markets: readonly MarketInfo[]): void {
    for (const m of markets) {
      if (this.markets.has(m.conditionId)) continue;
      this.markets.set(m.conditionId, m);
      this.phase.set(m.conditionId, "pending");
    }
  }

  /** The venue reported the market resolved: it can be unsubscribed at the next step. */
  markResolved(conditionId: string): void {
    this.resolved.add(conditionId);
  }

  /** Markets currently subscribed (subscribed, live or ended but not yet dropped). */
  subscribed(): MarketInfo[] {
    const out: MarketInfo[] = [];
    for (const [id, ph] of this.phase) {
      const m = this.markets.get(id);
      if (m && (ph === "subscribed" || ph === "live" || ph === "ended")) out.push(m);
    }
    return out;
  }

  /** Markets inside their window now (started, not ended). */
  live(): MarketInfo[] {
    const out: MarketInfo[] = [];
    for (const [id, ph] of this.phase) {
      const m = this.markets.get(id);
      if (m && ph === "live") out.push(m);
    }
    return out;
  }

  /** Latest window end among known markets of one series (for discovery of the next ones). */
  horizonMs(): number {
    let h = Number.NEGATIVE_INFINITY;
    for (const m of this.markets.values()) if (m.endMs > h) h = m.endMs;
    return h;
  }

  step(nowMs: number): RollPlan {
    const { leadMs, lingerMs } = this.cfg;
    const subscribe: MarketInfo[] = [];
    const unsubscribe: string[] = [];
    const ended: MarketInfo[] = [];
    const started: MarketInfo[] = [];
    // A market that starts and ends within one step (a late step) reports started → ended,
    // after the other markets' handovers.
    const flashed: MarketInfo[] = [];
    let nextWakeMs = Number.POSITIVE_INFINITY;
    const wake = (t: number) => {
      if (t > nowMs && t < nextWakeMs) nextWakeMs = t;
    };
    // Sorted by start so events come out in window order.
    const ordered = [...this.markets.values()].sort((a, b) => a.startMs - b.startMs || a.conditionId.localeCompare(b.conditionId));
    for (const m of ordered) {
      const id = m.conditionId;
      let ph = this.phase.get(id) ?? "pending";
      if (ph === "pending") {
        if (nowMs >= m.endMs + lingerMs) {
          ph = "done"; // discovered after it was over: never subscribe
        } else if (nowMs >= m.startMs - leadMs && nowMs < m.endMs) {
          subscribe.push(m);
          ph = "subscribed";
        } else if (nowMs >= m.endMs) {
          ph = "done";
        } else {
          wake(m.startMs - leadMs);
        }
      }
      if (ph === "subscribed") {
        if (nowMs >= m.startMs) {
          started.push(m);
          ph = "live";
        } else {
          wake(m.startMs);
        }
      }
      if (ph === "live") {
        if (nowMs >= m.endMs) {
          if (started.includes(m)) flashed.push(m);
          else ended.push(m);
          ph = "ended";
        } else {
          wake(m.endMs);
        }
      }
      if (ph === "ended") {
        if (this.resolved.has(id) || nowMs >= m.endMs + lingerMs) {
          unsubscribe.push(id);
          ph = "done";
        } else {
          wake(m.endMs + lingerMs);
        }
      }
      if (ph === "done") {
        // Forget finished markets so the maps do not grow over a long run.
        this.markets.delete(id);
        this.phase.delete(id);
        this.resolved.delete(id);
        continue;
      }
      this.phase.set(id, ph);
    }
    const events: Array<{ kind: "market_ended" | "market_started"; market: MarketInfo }> = [];
    for (const m of ended) events.push({ kind: "market_ended", market: m });
    for (const m of started) events.push({ kind: "market_started", market: m });
    for (const m of flashed) events.push({ kind: "market_ended", market: m });
    return { subscribe, unsubscribe, events, nextWakeMs };
  }
}
