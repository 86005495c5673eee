/**
 * The venue-side metrics and the startup reconcile alert on the real run path: the embedded
 * simulator server on 127.0.0.1:0, the real client stack (cli/compose.ts), observed the way
 * `mm` does it (`observeVenue`, `openRunJournal`, `watchBot(snapshot, orders)`), `/metrics`
 * served on 127.0.0.1:0 and parsed strictly, alerts posted to a local webhook receiver.
 *
 * - The journal says we hold shares the exchange does not: startup recovery corrects it and a
 *   `reconcile_mismatch` alert reaches the receiver.
 * - A malformed frame pushed down the market socket → `mmp_parse_errors_total{channel="market",code="BAD_JSON"}` = 1.
 * - The simulator answers an order post 429 (fault API) → `mmp_rate_limit_waits_total` on
 *   the order endpoint goes up.
 * - `mmp_open_orders{market}` equals the bot's order manager's active orders per market.
 *
 * Time: one ManualClock drives simulator and bot; the test advances it 200 ms a step with a
 * 1 ms real sleep (socket and HTTP traffic in real time), as mm-sim-network.e2e.test.ts does.
 * Counters reached over the network are polled by scraping, with a bounded number of tries.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../../src/bots/market-maker-params.ts";
import { openRunJournal, type RunJournal } from "../../src/cli/bot-runner.ts";
import { composeVenue, type VenueHandle } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { Secret } from "../../src/core/secret.ts";
import { jsonWebhookSink } from "../../src/monitor/alerts.ts";
import { observabilityOf, observeVenue } from "../../src/monitor/bot-observability.ts";
import { Journal } from "../../src/store/journal.ts";
import { parsePrometheusText, type PromFamily, sampleValue } from "../helpers/prom-text.ts";
import { tempJournals } from "../helpers/temp-journals.ts";
import { startWebhookReceiver } from "../helpers/webhook-receiver.ts";

const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START - 90_000;
const journals = tempJournals("mmp-observability-venue-");

let venue: VenueHandle | undefined;
let run: RunJournal | undefined;
const receiver = startWebhookReceiver();
afterAll(async () => {
  run?.journal?.close();
  await venue?.close();
  await receiver.close();
});

const sumOf = (
  fams: Map<string, PromFamily>,
  name: string,
  match: (labels: Readonly<Record<string, string>>) => boolean = () => true,
): number => (fams.get(name)?.samples ?? []).filter((s) => s.name === name && match(s.labels)).reduce((a, s) => a + s.value, 0);

describe("venue metrics and the startup reconcile alert, real client stack", () => {
  test("reconcile mismatch alert, parse errors, rate-limit waits after a 429, open orders = order manager", async () => {
    const clock = new ManualClock(T0);
    const config = loadConfig({}, { overrides: { MM_MARKETS: "BTC", MM_WINDOWS: "15m", RISK_DAILY_LOSS_LIMIT: "100000", SIM_SEED: "11" } });
    const composed = await composeVenue({
      config,
      venue: "sim",
      tradingMode: "paper",
      clock,
      simStartMs: T0,
      simTestApi: true,
      rediscoverMs: 30_000,
    });
    if (!composed.ok) throw new Error(composed.reason);
    const sim = composed.value.sim;
    if (!sim) throw new Error("no embedded simulator");
    const observed = observeVenue("mm", config, composed.value, {
      metricsPort: 0,
      sinks: [jsonWebhookSink(new Secret(`${receiver.url}/hooks/ops`))],
    });
    if (typeof observed === "string") throw new Error(observed);
    venue = observed;
    const v = observed;
    const obs = observabilityOf(v);
    if (!obs?.url) throw new Error("not observed");
    const scrape = async () => {
      const r = await fetch(`${obs.url}/metrics`);
      expect(r.status).toBe(200);
      return parsePrometheusText(await r.text());
    };

    // A previous run journaled 5 shares of a token the account does not hold.
    const token = sim.exchange.allMarkets()[0]?.sched.info.yesTokenId ?? "";
    expect(token).not.toBe("");
    const path = join(journals.dir, "mm.sqlite");
    const prev = Journal.open({ path, mode: "sim", clock });
    if (!prev.ok) throw new Error(prev.reason);
    prev.value.startRun("mm", "0.1.0");
    prev.value.adjustPosition(token, 5_000_000, -2_500_000, "test: a fill the exchange never had");
    prev.value.stopRun("duration");
    prev.value.close();

    const opened = await openRunJournal("mm", path, config, v);
    if (typeof opened === "number") throw new Error(`openRunJournal exit ${opened}`);
    run = opened;
    const alert = await receiver.next();
    expect(alert.path).toBe("/hooks/ops");
    const body = alert.json as { kind: string; severity: string; title: string; text: string };
    expect(body.kind).toBe("reconcile_mismatch");
    expect(body.severity).toBe("critical");
    expect(body.title).toBe("Reconcile found 1 mismatch(es) with the exchange");
    expect(body.text).toContain("journal 5 confirmed");
    expect(body.text).toContain("exchange 0");

    const params = marketMakerParamsFromConfig(config);
    const bot = new MarketMakerBot({
      feed: v.feed,
      exchange: v.exchange,
      clock,
      params,
      ...(opened.journal !== undefined && { journal: opened.journal }),
      events: (level, event, fields) => obs.botEvent(level, event, fields),
    });
    obs.watchBot(() => bot.snapshot(), bot.orders);
    const done = bot.run();
    await v.start();
    const key = v.apiKey;
    const step = async (ms: number) => {
      clock.advanceBy(ms);
      sim.server.sync();
      await Bun.sleep(Math.max(1, Math.ceil(ms / 200)));
    };
    const fault = async (b: Record<string, unknown>) => {
      const r = await fetch(`${sim.urls.rest}/test/fault`, { method: "POST", body: JSON.stringify(b) });
      expect(r.status).toBe(200);
    };
    const ready = () => (bot.underlyings.get("btc/usd")?.vol.samples() ?? 0) > 0;
    for (let i = 0; i < 500 && !ready(); i++) {
      clock.advanceBy(100);
      sim.server.sync();
      await Bun.sleep(10);
    }
    expect(ready()).toBe(true);
    // Into the window (opens 90 s in) until the bot quotes.
    for (let i = 0; i < 200 * 5 && (clock.wallMs() < FIRST_START + 20_000 || sim.exchange.openOrders(key).length === 0); i++)
      await step(200);
    expect(sim.exchange.openOrders(key).length).toBeGreaterThan(0);

    // A malformed frame on our market socket: counted, not thrown.
    let pushed = 0;
    for (const ws of sim.server.hub.sockets) {
      if (ws.data.kind !== "market") continue;
      ws.send("{not json");
      pushed++;
    }
    expect(pushed).toBeGreaterThan(0);
    let parseErrors = 0;
    for (let i = 0; i < 200 && parseErrors < pushed; i++) {
      await Bun.sleep(5);
      parseErrors = sampleValue(await scrape(), "mmp_parse_errors_total", { channel: "market", code: "BAD_JSON" }) ?? 0;
    }
    expect(parseErrors).toBe(pushed);

    // The exchange answers the next order post 429 with Retry-After 1 s (within the 1 s queue bound of order posts).
    const isOrderPost = (l: Readonly<Record<string, string>>) => l.endpoint === "post_order" || l.endpoint === "post_orders";
    const waitsBefore = sumOf(await scrape(), "mmp_rate_limit_waits_total", isOrderPost);
    await fault({ http_status: 429, path: "/order", method: "POST", count: 1, retry_after: 1 });
    let waits = waitsBefore;
    for (let i = 0; i < 600 && waits <= waitsBefore; i++) {
      await step(200);
      waits = sumOf(await scrape(), "mmp_rate_limit_waits_total", isOrderPost);
    }
    expect(waits).toBeGreaterThan(waitsBefore);
    // (Whether a later post then waits in the limiter depends on when the bot requotes: the
    // wait seconds are checked in test/unit/monitor/metrics-venue-stats.test.ts.)

    // Open orders: let the sockets settle (no clock movement), then the gauge = the order manager.
    for (let i = 0; i < 50 && bot.orders.getActiveOrders().length === 0; i++) await step(200);
    let last = -1;
    for (let stable = 0, i = 0; stable < 5 && i < 200; i++) {
      await Bun.sleep(10);
      const n = bot.orders.getActiveOrders().length;
      stable = n === last ? stable + 1 : 0;
      last = n;
    }
    const fams = await scrape();
    const slugOf = new Map(sim.exchange.allMarkets().map((m) => [m.sched.info.conditionId, m.sched.info.slug]));
    const expected = new Map<string, number>();
    for (const o of bot.orders.getActiveOrders()) {
      const slug = slugOf.get(o.intent.conditionId) ?? o.intent.conditionId;
      expected.set(slug, (expected.get(slug) ?? 0) + 1);
    }
    expect([...expected.values()].reduce((a, n) => a + n, 0)).toBeGreaterThan(0);
    for (const [slug, n] of expected) expect(sampleValue(fams, "mmp_open_orders", { market: slug })).toBe(n);
    expect(sumOf(fams, "mmp_open_orders")).toBe(bot.orders.getActiveOrders().length);
    // Trading time accrued while feed and user channel were up.
    expect(sampleValue(fams, "mmp_trading_seconds_total", { bot: "mm" }) ?? 0).toBeGreaterThan(0);

    bot.stop("duration");
    expect((await done).reason).toBe("duration");
    for (let i = 0; i < 20 && sim.exchange.openOrders(key).length > 0; i++) await step(50);
    // Everything cancelled: the gauge follows the order manager down to 0.
    for (let i = 0; i < 50 && bot.orders.getActiveOrders().length > 0; i++) await step(50);
    expect(sumOf(await scrape(), "mmp_open_orders")).toBe(bot.orders.getActiveOrders().length);
  }, 60_000);
});
