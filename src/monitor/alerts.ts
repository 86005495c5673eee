/**
 * Operator alerts over webhooks: a generic JSON POST, Slack- and Discord-compatible bodies,
 * and the Telegram bot API (`POST <base>/bot<token>/sendMessage`).
 *
 * Contract:
 * - `notify()` never blocks and never throws: it folds the alert into its key's window and
 *   pushes it on a bounded queue; a background sender drains it (one request at a time,
 *   timeout, retries with backoff on 429/5xx/network errors, `Retry-After` honoured).
 *   When the queue is full the oldest entry is dropped and counted.
 * - Rate limit per key: the first alert of a key goes out at once; the next ones within
 *   `windowMs` are suppressed and counted; when the window ends with suppressed alerts a
 *   single summary ("N more … suppressed") goes out and a new window opens. A connection
 *   that flaps all night sends one alert per window, not hundreds. Windows run on the
 *   injected `Clock`, so tests drive them with `ManualClock`.
 * - Secrets: webhook URLs and bot tokens are `Secret`s, revealed only to build the request;
 *   logs name the sink and the redacted host, and error text goes through the redactor.
 *
 * Files: the alert shape and sinks are in alert-sinks.ts, the engine's alerts and their
 * watchers in alert-events.ts; this file is the sender and re-exports both.
 */
import type { Clock } from "../core/clock.ts";
import type { Alert, AlertSink, OutgoingAlert } from "./alert-sinks.ts";
import { type Logger, Redactor, describeError } from "./logger.ts";
import type { EngineMetrics } from "./metrics.ts";

export {
  type Alert,
  type AlertKind,
  type AlertRequest,
  type AlertSeverity,
  type AlertSink,
  alertText,
  discordSink,
  jsonWebhookSink,
  type OutgoingAlert,
  sinksFromConfig,
  slackSink,
  TELEGRAM_API_BASE,
  telegramSink,
} from "./alert-sinks.ts";
export {
  type AlertNotifier,
  crashAlert,
  DailySummary,
  type DailyPnl,
  dailyPnlAlert,
  DisconnectWatch,
  formatUsdE6,
  msUntilNextUtc,
  reconcileMismatchAlert,
  riskTripAlert,
} from "./alert-events.ts";

export interface AlerterOptions {
  readonly clock: Clock;
  readonly sinks: readonly AlertSink[];
  /** Host/bot/mode label shown in every alert. */
  readonly source?: string;
  readonly windowMs?: number;
  readonly maxQueue?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly metrics?: Pick<EngineMetrics, "alertsSent" | "alertsFailed" | "alertsSuppressed" | "alertsDropped">;
  readonly fetch?: typeof fetch;
  /** Observer of every delivery attempt (status for `status` views, and tests). */
  readonly onAttempt?: (a: DeliveryAttempt) => void;
}

export interface DeliveryAttempt {
  readonly sink: string;
  readonly key: string;
  readonly attempt: number;
  readonly ok: boolean;
  /** HTTP status, 0 for a network failure or timeout. */
  readonly status: number;
  readonly willRetry: boolean;
  readonly retryInMs: number;
}

interface Window {
  suppressed: number;
  last: Alert;
}

interface QueueEntry {
  readonly alert: OutgoingAlert;
  readonly sink: AlertSink;
  attempt: number;
}

export class Alerter {
  readonly #o: Required<Omit<AlerterOptions, "logger" | "metrics" | "onAttempt">> &
    Pick<AlerterOptions, "logger" | "metrics" | "onAttempt">;
  readonly #windows = new Map<string, Window>();
  readonly #queue: QueueEntry[] = [];
  readonly #redactor: Redactor;
  readonly #timers = new Set<() => void>();
  #draining = false;
  #retriesWaiting = 0;
  #closed = false;
  #idleWaiters: Array<() => void> = [];

  constructor(opts: AlerterOptions) {
    this.#o = {
      source: "market-maker-pro",
      windowMs: 600_000,
      maxQueue: 100,
      maxAttempts: 3,
      retryBaseMs: 1_000,
      timeoutMs: 5_000,
      fetch: globalThis.fetch,
      ...opts,
    };
    this.#redactor = opts.logger?.redactor ?? new Redactor();
    for (const s of opts.sinks) for (const secret of s.secrets) this.#redactor.add(secret);
  }

  /** Queues an alert (rate-limited per key). Returns at once; never throws. */
  notify(alert: Alert): void {
    if (this.#closed || this.#o.sinks.length === 0) return;
    const w = this.#windows.get(alert.key);
    if (w) {
      w.suppressed++;
      w.last = alert;
      this.#o.metrics?.alertsSuppressed.labels(alert.kind).inc();
      return;
    }
    this.#windows.set(alert.key, { suppressed: 0, last: alert });
    this.#arm(alert.key);
    this.#enqueue(alert, 0);
  }

  /** Alerts currently waiting to be sent (all sinks). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Sends the pending window summaries now, stops accepting alerts, and waits for the queue
   * to drain (crash and shutdown path). Retries still follow the clock.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
    for (const [key, w] of this.#windows) if (w.suppressed > 0) this.#enqueue(summaryOf(w, key, this.#o.windowMs), w.suppressed);
    this.#windows.clear();
    this.#closed = true;
    await this.idle();
  }

  #arm(key: string): void {
    const cancel = this.#o.clock.setTimer(this.#o.windowMs, () => {
      this.#timers.delete(cancel);
      const w = this.#windows.get(key);
      this.#windows.delete(key);
      if (!w || w.suppressed === 0) return;
      // Summarise and keep the key rate-limited for another window.
      this.#windows.set(key, { suppressed: 0, last: w.last });
      this.#arm(key);
      this.#enqueue(summaryOf(w, key, this.#o.windowMs), w.suppressed);
    });
    this.#timers.add(cancel);
  }

  #enqueue(alert: Alert, suppressedCount: number): void {
    const out: OutgoingAlert = { ...alert, atMs: this.#o.clock.wallMs(), suppressedCount, source: this.#o.source };
    for (const sink of this.#o.sinks) {
      if (this.#queue.length >= this.#o.maxQueue) {
        this.#queue.shift();
        this.#o.metrics?.alertsDropped.inc();
      }
      this.#queue.push({ alert: out, sink, attempt: 0 });
    }
    this.#kick();
  }

  #kick(): void {
    if (this.#draining) return;
    this.#draining = true;
    // Off the caller's stack: the trading loop returns before any request is built.
    queueMicrotask(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    for (let e = this.#queue.shift(); e !== undefined; e = this.#queue.shift()) await this.#send(e);
    this.#draining = false;
    this.#settle();
  }

  async #send(e: QueueEntry): Promise<void> {
    e.attempt++;
    const req = e.sink.request(e.alert);
    let status = 0;
    let retryAfterMs = 0;
    let failure = "";
    try {
      const res = await this.#o.fetch(req.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: req.body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      status = res.status;
      const body = await res.text();
      const accepted = e.sink.accepts ? e.sink.accepts(status, body) : status >= 200 && status < 300;
      if (accepted) {
        this.#o.metrics?.alertsSent.labels(e.sink.name).inc();
        this.#o.onAttempt?.({ sink: e.sink.name, key: e.alert.key, attempt: e.attempt, ok: true, status, willRetry: false, retryInMs: 0 });
        return;
      }
      retryAfterMs = retryAfterOf(res.headers.get("retry-after"), body);
      failure = `HTTP ${status}`;
    } catch (x) {
      // Network failure, refused connection or timeout: retryable like a 5xx.
      failure = describeError(x, this.#redactor).message;
    }
    const retryable = status === 0 || status === 429 || status >= 500;
    if (retryable && e.attempt < this.#o.maxAttempts) {
      const delayMs = Math.max(retryAfterMs, this.#o.retryBaseMs * 4 ** (e.attempt - 1));
      this.#retriesWaiting++;
      this.#o.clock.setTimer(delayMs, () => {
        this.#retriesWaiting--;
        this.#queue.unshift(e);
        this.#kick();
      });
      this.#o.onAttempt?.({
        sink: e.sink.name,
        key: e.alert.key,
        attempt: e.attempt,
        ok: false,
        status,
        willRetry: true,
        retryInMs: delayMs,
      });
      return;
    }
    this.#o.onAttempt?.({ sink: e.sink.name, key: e.alert.key, attempt: e.attempt, ok: false, status, willRetry: false, retryInMs: 0 });
    this.#o.metrics?.alertsFailed.labels(e.sink.name).inc();
    this.#o.logger?.warn("alert_failed", {
      sink: e.sink.name,
      target: e.sink.target,
      kind: e.alert.kind,
      key: e.alert.key,
      attempts: e.attempt,
      error: this.#redactor.redact(failure),
    });
  }

  #isIdle(): boolean {
    return !this.#draining && this.#queue.length === 0 && this.#retriesWaiting === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

function summaryOf(w: Window, key: string, windowMs: number): Alert {
  return {
    ...w.last,
    title: `${w.last.title} (repeated)`,
    text: `${w.suppressed} more alert(s) for "${key}" in the last ${Math.round(windowMs / 1000)} s were suppressed. Latest: ${w.last.text}`,
  };
}

/** `Retry-After` in seconds, or Telegram's `parameters.retry_after`. */
function retryAfterOf(header: string | null, body: string): number {
  const h = header === null ? Number.NaN : Number(header);
  if (Number.isFinite(h) && h >= 0) return h * 1000;
  const m = /"retry_after"\s*:\s*(\d+)/.exec(body);
  return m ? Number(m[1]) * 1000 : 0;
}
