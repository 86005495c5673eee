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
 */
import type { AlertsConfig } from "../config.ts";
import type { Clock } from "../core/clock.ts";
import type { Secret } from "../core/secret.ts";
import { type Logger, Redactor, describeError, redactUrl } from "./logger.ts";
import type { EngineMetrics } from "./metrics.ts";

export type AlertKind = "risk_trip" | "disconnect" | "reconnected" | "reconcile_mismatch" | "crash" | "daily_pnl" | "info";
export type AlertSeverity = "info" | "warning" | "critical";

export interface Alert {
  readonly kind: AlertKind;
  /** Alerts sharing a key are rate-limited together ("disconnect:market", "risk:max_position"). */
  readonly key: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly text: string;
  readonly fields?: Readonly<Record<string, string | number>>;
}

/** An alert as sent: with its time and, for a window summary, how many were folded into it. */
export interface OutgoingAlert extends Alert {
  readonly atMs: number;
  readonly suppressedCount: number;
  readonly source: string;
}

export interface AlertRequest {
  readonly url: string;
  readonly body: string;
}

export interface AlertSink {
  readonly name: string;
  /** Host only, for logs. */
  readonly target: string;
  /** Secret values this sink holds, for the logger's redactor. */
  readonly secrets: readonly Secret[];
  request(a: OutgoingAlert): AlertRequest;
  /** Some APIs answer 200 with an error in the body (Telegram's `{"ok":false}`). */
  accepts?(status: number, body: string): boolean;
}

const SEVERITY_TAG: Readonly<Record<AlertSeverity, string>> = { info: "INFO", warning: "WARN", critical: "CRITICAL" };

/** Plain-text rendering shared by chat sinks. */
export function alertText(a: OutgoingAlert, maxChars: number): string {
  const lines = [`[${SEVERITY_TAG[a.severity]}] ${a.title}`, a.text];
  if (a.fields) for (const [k, v] of Object.entries(a.fields)) lines.push(`${k}: ${v}`);
  if (a.suppressedCount > 0) lines.push(`(${a.suppressedCount} similar alert(s) suppressed in this window)`);
  lines.push(`— ${a.source} at ${new Date(a.atMs).toISOString()}`);
  const s = lines.join("\n");
  return s.length <= maxChars ? s : `${s.slice(0, maxChars - 1)}…`;
}

export function jsonWebhookSink(url: Secret, name = "webhook"): AlertSink {
  return {
    name,
    target: redactUrl(url.reveal()),
    secrets: [url],
    request: (a) => ({
      url: url.reveal(),
      body: JSON.stringify({
        source: a.source,
        kind: a.kind,
        key: a.key,
        severity: a.severity,
        title: a.title,
        text: a.text,
        fields: a.fields ?? {},
        atMs: a.atMs,
        suppressedCount: a.suppressedCount,
      }),
    }),
  };
}

/** Slack incoming webhook (also accepted by Discord's `/slack` webhook suffix and Mattermost). */
export function slackSink(url: Secret): AlertSink {
  return {
    name: "slack",
    target: redactUrl(url.reveal()),
    secrets: [url],
    request: (a) => ({ url: url.reveal(), body: JSON.stringify({ text: alertText(a, 3_000) }) }),
  };
}

/** Discord webhook: `content` is limited to 2,000 characters; mentions are disabled. */
export function discordSink(url: Secret): AlertSink {
  return {
    name: "discord",
    target: redactUrl(url.reveal()),
    secrets: [url],
    request: (a) => ({ url: url.reveal(), body: JSON.stringify({ content: alertText(a, 2_000), allowed_mentions: { parse: [] } }) }),
  };
}

export const TELEGRAM_API_BASE = "https://api.telegram.org";

export function telegramSink(token: Secret, chatId: string, apiBase = TELEGRAM_API_BASE): AlertSink {
  const base = apiBase.replace(/\/+$/, "");
  return {
    name: "telegram",
    target: redactUrl(base),
    secrets: [token],
    request: (a) => ({
      url: `${base}/bot${token.reveal()}/sendMessage`,
      body: JSON.stringify({ chat_id: chatId, text: alertText(a, 4_096), disable_web_page_preview: true }),
    }),
    accepts: (status, body) => status >= 200 && status < 300 && /"ok"\s*:\s*true/.test(body),
  };
}

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
  readonly #o: Required<Omit<AlerterOptions, "logger" | "metrics" | "onAttempt">> & Pick<AlerterOptions, "logger" | "metrics" | "onAttempt">;
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
      this.#o.onAttempt?.({ sink: e.sink.name, key: e.alert.key, attempt: e.attempt, ok: false, status, willRetry: true, retryInMs: delayMs });
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

// ---- events ----

export function riskTripAlert(reason: string, detail: string, fields?: Readonly<Record<string, string | number>>): Alert {
  return { kind: "risk_trip", key: `risk:${reason}`, severity: "critical", title: `Risk breaker tripped: ${reason}`, text: detail, ...(fields ? { fields } : {}) };
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
    private readonly alerter: Alerter,
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
    private readonly alerter: Alerter,
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

// ---- configuration ----

/**
 * The sinks the operator configured (`ALERT_*` keys, parsed and validated by `config.ts`).
 * `ALERT_SLACK_WEBHOOK_URL` also serves Discord through its Slack-compatible endpoint
 * (`https://discord.com/api/webhooks/<id>/<token>/slack`).
 */
export function sinksFromConfig(c: AlertsConfig, telegramApiBase = TELEGRAM_API_BASE): AlertSink[] {
  const sinks: AlertSink[] = [];
  if (c.webhookUrl) sinks.push(jsonWebhookSink(c.webhookUrl));
  if (c.slackWebhookUrl) sinks.push(slackSink(c.slackWebhookUrl));
  if (c.telegramBotToken && c.telegramChatId) sinks.push(telegramSink(c.telegramBotToken, c.telegramChatId, telegramApiBase));
  return sinks;
}
