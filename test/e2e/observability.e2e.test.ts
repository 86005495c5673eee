/**
 * Metrics, health and alerts wired around the market maker (src/monitor/bot-observability.ts),
 * on the in-process simulator with a ManualClock: the bot trades through the observed
 * exchange, `/metrics` (served on 127.0.0.1:0) is scraped and parsed strictly, `/healthz`
 * follows the feed and the journal, and a forced disconnect sends a risk-trip alert and a
 * disconnect alert to a local webhook receiver. No known secret appears in the scrape, the
 * health body or the alerts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS } from "../../src/bots/market-maker-params.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { Secret } from "../../src/core/secret.ts";
import { jsonWebhookSink } from "../../src/monitor/alerts.ts";
import { BotObservability } from "../../src/monitor/bot-observability.ts";
import { Redactor } from "../../src/monitor/logger.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { inProcessVenue } from "../../src/venue/sim-inprocess.ts";
import { parsePrometheusText, sampleValue } from "../helpers/prom-text.ts";
import { SecretScan, TEST_SECRETS } from "../helpers/secret-scan.ts";
import { tempJournals } from "../helpers/temp-journals.ts";
import { startWebhookReceiver } from "../helpers/webhook-receiver.ts";

const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START - 120_000;
const journals = tempJournals("mmp-observability-");
const secret = (label: string): string => TEST_SECRETS.find((s) => s.label === label)?.value ?? "";

describe("observability wired around the market maker", () => {
  const receiver = startWebhookReceiver();
  afterAll(() => receiver.close());

  test("metrics scraped and valid, healthz follows feed and journal, alerts reach the receiver, no secret leaks", async () => {
    const clock = new ManualClock(T0);
    const sim = new SimExchange({ seed: 11, startMs: T0, schedule: { ...DEFAULT_SCHEDULE, windows: [900] } });
    const venue = inProcessVenue({ sim, clock, windowsSec: [900], latencyMs: 2 });
    const redactor = new Redactor();
    for (const s of TEST_SECRETS) redactor.add(s.value);
    // The webhook URL carries a secret (as Slack's do): it must reach only the receiver's router.
    const hook = new Secret(`${receiver.url}/hooks/${secret("slackWebhook")}`);
    const obs = BotObservability.start({
      bot: "mm",
      clock,
      feed: venue.feed,
      exchange: venue.exchange,
      metricsPort: 0,
      sinks: [jsonWebhookSink(hook)],
      disconnectAlertMs: 5_000,
      feedStaleMs: 15_000,
      redactor,
    });
    if (typeof obs === "string") throw new Error(obs);
    const url = obs.url ?? "";
    expect(url).toStartWith("http://127.0.0.1:");
    const { j: journal } = journals.open(undefined, clock);
    obs.attachJournal(journal);

    const params = {
      ...DEFAULT_MM_PARAMS,
      risk: { ...DEFAULT_MM_PARAMS.risk, dailyLossLimitUsdE6: 10_000_000_000 },
      breaker: { ...DEFAULT_MM_PARAMS.breaker, dailyLossLimitUsdE6: 10_000_000_000 },
    };
    const bot = new MarketMakerBot({
      feed: venue.feed,
      exchange: obs.exchange,
      clock,
      params,
      journal,
      // A risk detail carrying a secret (as a venue error text might) must reach no alert.
      events: (level, event, fields) =>
        obs.botEvent(
          level,
          event,
          event === "risk_trip" ? { ...fields, detail: `${String(fields.detail)} key=${secret("apiSecret")}` } : fields,
        ),
    });
    obs.watchBot(() => bot.snapshot());
    const done = bot.run();
    obs.afterBotStarted();
    const health = async () => {
      const r = await fetch(`${url}/healthz`);
      return { status: r.status, body: await r.text() };
    };
    // Before any market data: the feed check fails.
    expect((await health()).status).toBe(503);
    venue.feed.start();
    const key = venue.exchange.apiKey;

    // Window A opens at +120 s; run well into it.
    for (let i = 0; i < 400; i++) venue.advance(1000);
    expect(sim.openOrders(key).length).toBeGreaterThan(0);
    const okHealth = await health();
    expect(okHealth.status).toBe(200);
    expect(JSON.parse(okHealth.body)).toMatchObject({ status: "ok", checks: { feed: { ok: true }, journal: { ok: true } } });

    // Forced disconnect: the bot trips (risk alert); down past 5 s → a disconnect alert.
    venue.feed.disconnect("test: socket dropped");
    for (let i = 0; i < 7; i++) venue.advance(1000);
    const first = await receiver.next();
    const second = await receiver.next();
    const kinds = [first, second].map((r) => (r.json as { kind: string }).kind).sort();
    expect(kinds).toEqual(["disconnect", "risk_trip"]);
    const trip = [first, second].find((r) => (r.json as { kind: string }).kind === "risk_trip");
    expect((trip?.json as { title: string } | undefined)?.title).toContain("disconnect");
    expect(first.path).toStartWith("/hooks/");
    venue.feed.reconnect();
    for (let i = 0; i < 20; i++) venue.advance(1000);
    // Other trips may come first (their keys differ from "risk:disconnect"); the note follows.
    const after: string[] = [];
    for (let i = 0; i < 6 && !after.includes("reconnected"); i++) after.push(((await receiver.next()).json as { kind: string }).kind);
    expect(after).toContain("reconnected");

    // Scrape and parse strictly.
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("version=0.0.4");
    const text = await res.text();
    const fams = parsePrometheusText(text);
    const total = (name: string): number => (fams.get(name)?.samples ?? []).filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
    expect(total("mmp_orders_total")).toBeGreaterThan(0);
    expect(total("mmp_fills_total")).toBeGreaterThan(0);
    expect(total("mmp_fills_total")).toBe(bot.totals.fills);
    expect(total("mmp_cancels_total")).toBeGreaterThan(0);
    expect(total("mmp_risk_trips_total")).toBe(bot.totals.riskTrips);
    expect(sampleValue(fams, "mmp_risk_trips_total", { reason: "disconnect" })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(fams, "mmp_ws_reconnects_total", { channel: "market" })).toBe(1);
    // Down for 7 simulated seconds (the disconnect) → at least that much stale time.
    expect(sampleValue(fams, "mmp_ws_stale_seconds_total", { channel: "market" }) ?? 0).toBeGreaterThanOrEqual(7);
    expect(sampleValue(fams, "mmp_alerts_sent_total", { sink: "webhook" })).toBeGreaterThanOrEqual(3);
    expect(sampleValue(fams, "mmp_pnl_usd", { bot: "mm", kind: "total" })).toBeCloseTo(bot.snapshot().pnl.totalE6 / 1e6, 6);
    expect(fams.get("mmp_inventory_shares")?.samples.length ?? 0).toBeGreaterThan(0);
    expect(fams.get("mmp_quote_uptime_ratio")?.samples.length ?? 0).toBeGreaterThan(0);
    for (const h of ["mmp_tick_to_order_seconds", "mmp_order_ack_seconds"]) {
      expect(fams.get(h)?.type).toBe("histogram");
      const count = sampleValue(fams, `${h}_count`, { bot: "mm" }) ?? 0;
      expect(count).toBeGreaterThan(0);
      expect(sampleValue(fams, `${h}_bucket`, { bot: "mm", le: "+Inf" })).toBe(count);
    }

    // A silent feed past the limit fails /healthz; a journal that cannot write does too.
    venue.feed.pause();
    for (let i = 0; i < 20; i++) venue.advance(1000);
    const stale = await health();
    expect(stale.status).toBe(503);
    expect(stale.body).toContain("feed stale");
    venue.feed.resume();
    for (let i = 0; i < 5; i++) venue.advance(1000);
    expect((await health()).status).toBe(200);

    bot.stop("duration");
    expect((await done).reason).toBe("duration");
    venue.advance(1000);
    journal.close();
    const broken = await health();
    expect(broken.status).toBe(503);
    expect(broken.body).toContain("journal cannot write");

    new SecretScan(TEST_SECRETS)
      .text("metrics", text)
      .text("healthz", broken.body)
      .texts(
        "alerts",
        receiver.received.map((r) => r.body),
      )
      .assertClean();

    await obs.close();
    venue.feed.close();
    await venue.exchange.close();
  }, 20_000);
});
