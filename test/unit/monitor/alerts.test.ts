import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import { Secret } from "../../../src/core/secret.ts";
import {
  type Alert,
  Alerter,
  type AlerterOptions,
  DailySummary,
  type DeliveryAttempt,
  DisconnectWatch,
  crashAlert,
  discordSink,
  jsonWebhookSink,
  msUntilNextUtc,
  riskTripAlert,
  sinksFromConfig,
  slackSink,
  telegramSink,
} from "../../../src/monitor/alerts.ts";
import { Logger, MemorySink } from "../../../src/monitor/logger.ts";
import { createEngineMetrics } from "../../../src/monitor/metrics.ts";
import { type WebhookReceiver, startWebhookReceiver } from "../../helpers/webhook-receiver.ts";

const BOT_TOKEN = "123456789:AAE-telegram-bot-token-do-not-leak";
let receiver: WebhookReceiver;
afterEach(async () => {
  await receiver?.close();
});

function alerterWith(opts: Partial<AlerterOptions> & Pick<AlerterOptions, "sinks">) {
  const clock = (opts.clock as ManualClock | undefined) ?? new ManualClock(Date.UTC(2026, 4, 1, 12, 0, 0));
  const metrics = createEngineMetrics();
  const attempts: DeliveryAttempt[] = [];
  const waiters: Array<() => void> = [];
  const alerter = new Alerter({
    clock,
    metrics,
    source: "mm@test",
    onAttempt: (a) => {
      attempts.push(a);
      for (const w of waiters.splice(0)) w();
    },
    ...opts,
  });
  /** Resolves once `n` delivery attempts have been made in total. */
  const attemptsReach = async (n: number) => {
    while (attempts.length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { clock, metrics, alerter, attempts, attemptsReach };
}

const riskAlert: Alert = riskTripAlert("max_position", "position 150 > limit 100 on btc-updown-5m", { positionShares: 150 });

describe("alerts", () => {
  test("generic JSON, Slack, Discord and Telegram payloads reach a local receiver", async () => {
    receiver = startWebhookReceiver();
    receiver.respondWith((r) => (r.path.startsWith("/bot") ? Response.json({ ok: true, result: {} }) : new Response("ok")));
    const { alerter, metrics } = alerterWith({
      sinks: [
        jsonWebhookSink(new Secret(`${receiver.url}/hook/generic-secret-path`)),
        slackSink(new Secret(`${receiver.url}/services/T000/B000/slack-secret`)),
        discordSink(new Secret(`${receiver.url}/api/webhooks/1/discord-secret`)),
        telegramSink(new Secret(BOT_TOKEN), "-100123", receiver.url),
      ],
    });
    alerter.notify(riskAlert);
    expect(receiver.received.length).toBe(0); // notify returned before anything was sent
    await alerter.idle();
    const byPath = new Map(receiver.received.map((r) => [r.path, r]));
    expect(byPath.get("/hook/generic-secret-path")?.json).toMatchObject({
      source: "mm@test",
      kind: "risk_trip",
      key: "risk:max_position",
      severity: "critical",
      title: "Risk breaker tripped: max_position",
      fields: { positionShares: 150 },
      suppressedCount: 0,
    });
    expect((byPath.get("/services/T000/B000/slack-secret")?.json as { text: string } | undefined)?.text).toStartWith(
      "[CRITICAL] Risk breaker tripped: max_position\nposition 150",
    );
    expect(byPath.get("/api/webhooks/1/discord-secret")?.json).toMatchObject({ allowed_mentions: { parse: [] } });
    const tg = byPath.get(`/bot${BOT_TOKEN}/sendMessage`)?.json as { chat_id: string; text: string };
    expect(tg.chat_id).toBe("-100123");
    expect(tg.text).toContain("positionShares: 150");
    for (const r of receiver.received) expect(r.method).toBe("POST");
    expect(metrics.alertsSent.labels("telegram").value).toBe(1);
    expect(metrics.alertsSent.labels("slack").value).toBe(1);
  });

  test("a flapping key sends one alert, then one summary with the suppressed count per window", async () => {
    receiver = startWebhookReceiver();
    const { alerter, clock, metrics } = alerterWith({ sinks: [jsonWebhookSink(new Secret(`${receiver.url}/h`))], windowMs: 600_000 });
    const flap: Alert = { kind: "disconnect", key: "disconnect:market", severity: "critical", title: "market down", text: "reset" };
    for (let i = 0; i < 100; i++) alerter.notify({ ...flap, text: `reset #${i}` });
    await alerter.idle();
    expect(receiver.received.length).toBe(1);
    expect(metrics.alertsSuppressed.labels("disconnect").value).toBe(99);

    clock.advanceBy(600_000); // window ends → summary
    await alerter.idle();
    expect(receiver.received.length).toBe(2);
    const summary = receiver.received[1]?.json as { suppressedCount: number; text: string; title: string };
    expect(summary.suppressedCount).toBe(99);
    expect(summary.text).toContain("99 more alert(s)");
    expect(summary.text).toContain("reset #99");

    alerter.notify(flap); // still inside the follow-up window: suppressed
    clock.advanceBy(600_000);
    await alerter.idle();
    expect(receiver.received.length).toBe(3);
    expect((receiver.received[2]?.json as { suppressedCount: number } | undefined)?.suppressedCount).toBe(1);

    clock.advanceBy(600_000); // a quiet window closes the key
    alerter.notify(flap);
    await alerter.idle();
    expect(receiver.received.length).toBe(4);
    expect((receiver.received[3]?.json as { suppressedCount: number } | undefined)?.suppressedCount).toBe(0);
    // other keys are independent
    alerter.notify(riskAlert);
    await alerter.idle();
    expect(receiver.received.length).toBe(5);
  });

  test("5xx and 429 are retried on the clock (Retry-After honoured); 4xx is not", async () => {
    receiver = startWebhookReceiver();
    let calls = 0;
    receiver.respondWith(() => {
      calls++;
      if (calls === 1) return new Response("busy", { status: 503 });
      if (calls === 2) return new Response("slow down", { status: 429, headers: { "retry-after": "7" } });
      return new Response("ok");
    });
    const logs = new MemorySink();
    const { alerter, clock, attempts, attemptsReach, metrics } = alerterWith({
      sinks: [jsonWebhookSink(new Secret(`${receiver.url}/h`))],
      retryBaseMs: 1_000,
      maxAttempts: 3,
      logger: new Logger({ clock: new ManualClock(), sinks: [logs] }),
    });
    alerter.notify(riskAlert);
    await attemptsReach(1);
    expect(attempts[0]).toMatchObject({ ok: false, status: 503, willRetry: true, retryInMs: 1_000 });
    clock.advanceBy(1_000);
    await attemptsReach(2);
    expect(attempts[1]).toMatchObject({ ok: false, status: 429, willRetry: true, retryInMs: 7_000 });
    clock.advanceBy(6_999);
    expect(calls).toBe(2);
    clock.advanceBy(1);
    await attemptsReach(3);
    expect(attempts[2]).toMatchObject({ ok: true, status: 200 });
    await alerter.idle();

    receiver.respondWith(() => new Response("bad", { status: 400 }));
    alerter.notify({ ...riskAlert, key: "other" });
    await attemptsReach(4);
    expect(attempts[3]).toMatchObject({ ok: false, status: 400, willRetry: false });
    expect(metrics.alertsFailed.labels("webhook").value).toBe(1);
    expect(logs.lines.at(-1)).toContain('"event":"alert_failed"');
  });

  test("the queue is bounded: overflow drops the oldest and counts it", async () => {
    receiver = startWebhookReceiver();
    const { alerter, metrics } = alerterWith({ sinks: [jsonWebhookSink(new Secret(`${receiver.url}/h`))], maxQueue: 3 });
    for (let i = 0; i < 10; i++) alerter.notify({ ...riskAlert, key: `k${i}`, title: `t${i}` });
    expect(alerter.queued).toBe(3);
    await alerter.idle();
    expect(receiver.received.map((r) => (r.json as { title: string }).title)).toEqual(["t7", "t8", "t9"]);
    expect(metrics.alertsDropped.value).toBe(7);
  });

  test("secrets in webhook URLs and bot tokens never reach logs, even when the error text carries the URL", async () => {
    const logs = new MemorySink();
    const clock = new ManualClock();
    const logger = new Logger({ clock, sinks: [logs] });
    const hook = "https://hooks.example.invalid/services/T1/B2/xoxb-super-secret-hook";
    const failingFetch = (async (input: string | URL | Request) => {
      throw new Error(`connect ECONNREFUSED while POSTing ${String(input)}`);
    }) as unknown as typeof fetch;
    const { alerter, attemptsReach } = alerterWith({
      clock,
      logger,
      maxAttempts: 1,
      fetch: failingFetch,
      sinks: [slackSink(new Secret(hook)), telegramSink(new Secret(BOT_TOKEN), "42", "https://tg.example.invalid")],
    });
    alerter.notify(crashAlert(new Error(`boom near ${BOT_TOKEN}`), logger.redactor));
    await attemptsReach(2);
    await alerter.idle();
    expect(logs.lines.length).toBe(2);
    const text = logs.lines.join("");
    expect(text).toContain("alert_failed");
    expect(text).toContain("https://hooks.example.invalid/[redacted]");
    expect(text).not.toContain("xoxb-super-secret-hook");
    expect(text).not.toContain(BOT_TOKEN);
    expect(text).not.toContain("AAE-telegram");
  });

  test("DisconnectWatch: short blips say nothing, a long outage alerts once, recovery is announced", async () => {
    receiver = startWebhookReceiver();
    const { alerter, clock } = alerterWith({ sinks: [jsonWebhookSink(new Secret(`${receiver.url}/h`))] });
    const watch = new DisconnectWatch(clock, alerter, 30_000);
    for (let i = 0; i < 20; i++) {
      watch.disconnected("market", "socket reset");
      clock.advanceBy(5_000);
      watch.connected("market");
      clock.advanceBy(1_000);
    }
    await alerter.idle();
    expect(receiver.received.length).toBe(0);
    watch.disconnected("user", "no PONG");
    watch.disconnected("user", "again"); // already down: ignored
    clock.advanceBy(30_000);
    await alerter.idle();
    expect(receiver.received.map((r) => (r.json as { kind: string; title: string }).title)).toEqual(["user disconnected for over 30 s"]);
    clock.advanceBy(15_000);
    watch.connected("user");
    await alerter.idle();
    expect(receiver.received[1]?.json).toMatchObject({ kind: "reconnected", text: "down for 45 s" });
  });

  test("daily P&L summary fires at the configured UTC time every day", async () => {
    receiver = startWebhookReceiver();
    const clock = new ManualClock(Date.UTC(2026, 4, 1, 23, 0, 0));
    const { alerter } = alerterWith({ clock, sinks: [jsonWebhookSink(new Secret(`${receiver.url}/h`))] });
    expect(msUntilNextUtc(Date.UTC(2026, 4, 1, 23, 0, 0), 0, 0)).toBe(3_600_000);
    expect(msUntilNextUtc(Date.UTC(2026, 4, 2, 0, 0, 0), 0, 0)).toBe(86_400_000);
    let day = 0;
    const daily = new DailySummary(clock, alerter, { hour: 0, minute: 0 }, (endMs) => ({
      day: new Date(endMs - 1).toISOString().slice(0, 10),
      realizedE6: 12_345_678 + day++,
      unrealizedE6: -1_000_000,
      feesE6: 500_000,
      rebatesE6: 250_000,
      fills: 42,
      volumeE6: 1_000_000_000,
      riskTrips: 0,
    }));
    daily.start();
    clock.advanceBy(3_600_000 - 1);
    await alerter.idle();
    expect(receiver.received.length).toBe(0);
    clock.advanceBy(1);
    await alerter.idle();
    expect(receiver.received[0]?.json).toMatchObject({
      kind: "daily_pnl",
      title: "Daily P&L 2026-05-01: $11.10",
      fields: { fills: 42, volume: "$1000.00" },
    });
    clock.advanceBy(86_400_000);
    await alerter.idle();
    expect((receiver.received[1]?.json as { title: string } | undefined)?.title).toStartWith("Daily P&L 2026-05-02");
    daily.stop();
  });

  test("sinks from the validated ALERT_* configuration", () => {
    const none = sinksFromConfig({
      webhookUrl: undefined,
      slackWebhookUrl: undefined,
      telegramBotToken: undefined,
      telegramChatId: undefined,
    });
    expect(none).toEqual([]);
    const sinks = sinksFromConfig(
      {
        webhookUrl: new Secret("https://example.invalid/h"),
        slackWebhookUrl: new Secret("https://hooks.example.invalid/services/x"),
        telegramBotToken: new Secret(BOT_TOKEN),
        telegramChatId: "42",
      },
      "http://127.0.0.1:9",
    );
    expect(sinks.map((s) => [s.name, s.target])).toEqual([
      ["webhook", "https://example.invalid/[redacted]"],
      ["slack", "https://hooks.example.invalid/[redacted]"],
      ["telegram", "http://127.0.0.1:9/[redacted]"],
    ]);
    expect(JSON.stringify(sinks)).not.toContain(BOT_TOKEN);
  });
});
