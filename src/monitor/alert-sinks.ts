/**
 * What an alert is and where it goes: the `Alert` shape, its plain-text rendering, and the
 * sinks (generic JSON webhook, Slack, Discord, Telegram) that turn one into an HTTP request.
 * Webhook URLs and bot tokens are `Secret`s, revealed only to build the request; `target`
 * (the redacted host) is what logs show. The sender is `Alerter` (alerts.ts).
 */
import type { AlertsConfig } from "../config.ts";
import type { Secret } from "../core/secret.ts";
import { redactUrl } from "./logger.ts";

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
