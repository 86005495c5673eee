/**
 * The alerts the engine raises (risk trip, reconcile mismatch, crash, daily P&L) and the two
 * watchers that raise them on time: `DisconnectWatch` (a channel down longer than a
 * threshold) and `DailySummary` (every day at hh:mm UTC). Both run on the injected `Clock`
 * and hand alerts to an `Alerter` (alerts.ts), which rate-limits and sends them.
 */
import type { Clock } from "../core/clock.ts";
import { formatSizeE6 } from "../core/units.ts";
import type { ReconcilePlan } from "../engine/reconcile.ts";
import type { Alert } from "./alert-sinks.ts";
import { type Redactor, describeError } from "./logger.ts";

/** What the watchers need of an `Alerter`. */
export interface AlertNotifier {
  notify(alert: Alert): void;
}

export function riskTripAlert(reason: string, detail: string, fields?: Readonly<Record<string, string | number>>): Alert {
  return {
    kind: "risk_trip",
    key: `risk:${reason}`,
    severity: "critical",
    title: `Risk breaker tripped: ${reason}`,
    text: detail,
    ...(fields ? { fields } : {}),
  };
}

export function reconcileMismatchAlert(lines: readonly string[]): Alert {
  return {
    kind: "reconcile_mismatch",
    key: "reconcile",
    severity: "critical",
    title: `Reconcile found ${lines.length} mismatch(es) with the exchange`,
    text: lines.join("\n"),
  };
}

/** What of a startup recovery report (store/recovery.ts `RecoveryReport`) says whether journal and exchange disagreed. */
export interface ReconcileOutcome {
  readonly plan: Pick<ReconcilePlan, "actions" | "mismatches">;
  readonly remainingIds: readonly string[];
}

const shortId = (id: string): string => (id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/**
 * One line per disagreement startup recovery found between the journal and the exchange
 * (empty = nothing to alert): positions that differ (the journal was corrected), orders
 * whose matched size the journal did not know, live orders the journal did not know
 * (adopted or cancelled), fills of orders the journal did not know, and orders still open
 * after the sweep. Cancelling this key's own journaled orders after a restart is the
 * normal sweep, not a mismatch.
 */
export function reconcileMismatchLines(r: ReconcileOutcome): string[] {
  const lines: string[] = [];
  for (const m of r.plan.mismatches) {
    if (m.kind === "position") {
      lines.push(
        `position of token ${shortId(m.tokenId)}: journal ${formatSizeE6(m.journalConfirmedE6)} confirmed + ${formatSizeE6(m.journalPendingE6)} pending, ` +
          `exchange ${formatSizeE6(m.exchangeE6)}; journal corrected by ${formatSizeE6(m.adjustE6)}`,
      );
    } else {
      lines.push(
        `order ${shortId(m.orderId)} (${m.clientId}): exchange matched ${formatSizeE6(m.exchangeMatchedE6)}, journal knew ${formatSizeE6(m.journalFilledE6)}`,
      );
    }
  }
  for (const a of r.plan.actions) {
    if (a.kind === "adopt_unknown")
      lines.push(
        `adopted live order ${shortId(a.order.orderId)} unknown to the journal (${a.order.side} ${formatSizeE6(a.order.originalSizeE6)})`,
      );
    else if (a.kind === "cancel" && a.reason === "unknown_order")
      lines.push(`cancelled live order ${shortId(a.orderId)} unknown to the journal`);
    else if (a.kind === "record_fill" && !a.knownOrder)
      lines.push(
        `fill ${shortId(a.fill.tradeId)} of order ${shortId(a.fill.orderId)} unknown to the journal (${a.fill.side} ${formatSizeE6(a.fill.sizeE6)})`,
      );
  }
  if (r.remainingIds.length > 0)
    lines.push(`${r.remainingIds.length} order(s) still open after the startup sweep: ${r.remainingIds.map(shortId).join(", ")}`);
  return lines;
}

export function crashAlert(e: unknown, redactor?: Redactor): Alert {
  const d = describeError(e, redactor);
  return { kind: "crash", key: "crash", severity: "critical", title: `Bot crashed: ${d.name}`, text: d.message };
}

export interface DailyPnl {
  /** UTC date the summary covers, "YYYY-MM-DD". */
  readonly day: string;
  readonly realizedE6: number;
  readonly unrealizedE6: number;
  readonly feesE6: number;
  readonly rebatesE6: number;
  readonly fills: number;
  readonly volumeE6: number;
  readonly riskTrips: number;
}

/** "$12.50", "-$0.07": cents, rounded half away from zero. */
export function formatUsdE6(e6: number): string {
  const cents = Math.round(Math.abs(e6) / 10_000);
  return `${e6 < 0 && cents > 0 ? "-" : ""}$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}
const usd = formatUsdE6;

export function dailyPnlAlert(p: DailyPnl): Alert {
  const total = p.realizedE6 + p.unrealizedE6 - p.feesE6 + p.rebatesE6;
  return {
    kind: "daily_pnl",
    key: `daily:${p.day}`,
    severity: "info",
    title: `Daily P&L ${p.day}: ${usd(total)}`,
    text: `realized ${usd(p.realizedE6)}, unrealized ${usd(p.unrealizedE6)}, fees ${usd(p.feesE6)}, rebates ${usd(p.rebatesE6)}`,
    fields: { fills: p.fills, volume: usd(p.volumeE6), riskTrips: p.riskTrips },
  };
}

/**
 * Turns connection state changes into alerts: a channel down longer than `thresholdMs`
 * raises one `disconnect` alert; its recovery raises a `reconnected` note. Shorter blips
 * raise nothing (the metrics count them).
 */
export class DisconnectWatch {
  readonly #down = new Map<string, { sinceNs: number; alerted: boolean; cancel: () => void; reason: string }>();
  constructor(
    private readonly clock: Clock,
    private readonly alerter: AlertNotifier,
    private readonly thresholdMs: number,
  ) {}

  disconnected(channel: string, reason: string): void {
    if (this.#down.has(channel)) return;
    const state = { sinceNs: this.clock.nowNs(), alerted: false, reason, cancel: () => {} };
    state.cancel = this.clock.setTimer(this.thresholdMs, () => {
      state.alerted = true;
      this.alerter.notify({
        kind: "disconnect",
        key: `disconnect:${channel}`,
        severity: "critical",
        title: `${channel} disconnected for over ${Math.round(this.thresholdMs / 1000)} s`,
        text: `reason: ${state.reason}; quoting is stopped and orders were cancelled until it is back`,
      });
    });
    this.#down.set(channel, state);
  }

  connected(channel: string): void {
    const s = this.#down.get(channel);
    if (!s) return;
    this.#down.delete(channel);
    s.cancel();
    if (!s.alerted) return;
    const downS = Math.round((this.clock.nowNs() - s.sinceNs) / 1e9);
    this.alerter.notify({
      kind: "reconnected",
      key: `reconnected:${channel}`,
      severity: "info",
      title: `${channel} reconnected`,
      text: `down for ${downS} s`,
    });
  }

  isDown(channel: string): boolean {
    return this.#down.has(channel);
  }
}

/** Milliseconds from `wallMs` to the next `hh:mm` UTC (a full day if it is exactly now). */
export function msUntilNextUtc(wallMs: number, hour: number, minute: number): number {
  const d = new Date(wallMs);
  let next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour, minute);
  if (next <= wallMs) next += 86_400_000;
  return next - wallMs;
}

/** Fires `build()` → `dailyPnlAlert` every day at `hh:mm` UTC on the given clock. */
export class DailySummary {
  #cancel: (() => void) | undefined;
  constructor(
    private readonly clock: Clock,
    private readonly alerter: AlertNotifier,
    private readonly atUtc: { readonly hour: number; readonly minute: number },
    private readonly build: (dayEndMs: number) => DailyPnl,
  ) {}
  start(): void {
    this.stop();
    const delay = msUntilNextUtc(this.clock.wallMs(), this.atUtc.hour, this.atUtc.minute);
    this.#cancel = this.clock.setTimer(delay, () => {
      this.alerter.notify(dailyPnlAlert(this.build(this.clock.wallMs())));
      this.start();
    });
  }
  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
