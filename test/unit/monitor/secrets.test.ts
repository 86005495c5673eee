/**
 * No private key, API secret, passphrase, webhook token or bot token appears in any log
 * line, metric, alert body, journal row or error message produced by the monitoring and
 * journal modules. Other modules add their own sections here (or their own test files),
 * scanning with `SecretScan` and `TEST_SECRETS` from test/helpers/secret-scan.ts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import { Secret } from "../../../src/core/secret.ts";
import { planReconcile } from "../../../src/engine/reconcile.ts";
import {
  Alerter,
  crashAlert,
  jsonWebhookSink,
  reconcileMismatchAlert,
  riskTripAlert,
  slackSink,
  telegramSink,
} from "../../../src/monitor/alerts.ts";
import { FileSink, Logger, MemorySink, Redactor, describeError } from "../../../src/monitor/logger.ts";
import { HealthRegistry, journalWritableCheck, startMetricsServer } from "../../../src/monitor/metrics-server.ts";
import { createEngineMetrics } from "../../../src/monitor/metrics.ts";
import { Journal } from "../../../src/store/journal.ts";
import { SecretScan, TEST_SECRETS } from "../../helpers/secret-scan.ts";
import { startWebhookReceiver } from "../../helpers/webhook-receiver.ts";

const SECRETS = TEST_SECRETS;
const secret = (label: string) => new Secret(SECRETS.find((s) => s.label === label)?.value ?? "", label);

const dir = mkdtempSync(join(tmpdir(), "mmp-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("secret scanner (self-test)", () => {
  test("finds a planted secret in text, in a sqlite row and in a file, and never prints it", () => {
    const path = join(dir, "planted.sqlite");
    const db = new Database(path);
    db.run("CREATE TABLE t (a TEXT)");
    db.query("INSERT INTO t VALUES (?)").run(`sig over ${SECRETS[0]?.value.slice(2).toUpperCase()}`);
    db.close();
    const scan = new SecretScan(SECRETS).text("log", `secret=${encodeURIComponent(SECRETS[1]?.value ?? "")}`).sqlite(path);
    expect(scan.findings.map((f) => f.label)).toContain("privateKey");
    expect(scan.findings.map((f) => f.label)).toContain("apiSecret");
    expect(scan.findings.some((f) => f.source.startsWith("sqlite t.a"))).toBe(true);
    let message = "";
    try {
      scan.assertClean();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("privateKey");
    new SecretScan(SECRETS).text("leak", message).assertClean();
  });
});

describe("no secret leaves the journal and monitoring modules", () => {
  test("logs, metrics, /healthz, alert bodies, journal rows and error messages", async () => {
    const clock = new ManualClock();
    const redactor = new Redactor();
    for (const s of SECRETS) redactor.add(new Secret(s.value));
    const memory = new MemorySink();
    const logPath = join(dir, "logs", "mm-live.jsonl");
    const logger = new Logger({ clock, sinks: [memory, new FileSink(logPath)], redactor, base: { bot: "mm" } });
    const errors: string[] = [];

    // Logs: Secret objects, revealed values inside strings and errors, nested fields.
    logger.info("config_loaded", { privateKey: secret("privateKey"), apiSecret: secret("apiSecret"), passphrase: secret("passphrase") });
    logger.warn("auth_header", {
      header: `POLY_PASSPHRASE=${secret("passphrase").reveal()}`,
      nested: { deep: [secret("apiSecret").reveal()] },
    });
    logger.error("sign_failed", { err: new Error(`cannot sign with ${secret("privateKey").reveal()}`) });
    errors.push(describeError(new Error(`401 for key ${secret("apiSecret").reveal()}`), redactor).message);

    // Journal: every hook, with exchange messages that echo credentials.
    const journalPath = join(dir, "journal-live.sqlite");
    const opened = Journal.open({ path: journalPath, mode: "live", clock, redact: (t) => redactor.redact(t) });
    if (!opened.ok) throw new Error(opened.reason);
    const j = opened.value;
    j.startRun("mm", "test");
    const intent = {
      clientId: "c1",
      conditionId: "0xcond",
      tokenId: "tok",
      side: "BUY" as const,
      priceE4: 4500,
      sizeE6: 10_000_000,
      orderType: "GTC" as const,
      postOnly: true,
      expirationSec: 0,
    };
    j.intent(intent, 0);
    const dup = j.tryIntent(intent);
    if (!dup.ok) errors.push(dup.reason);
    j.ack("c1", "0xorderhash1", "live");
    j.fill({
      tradeId: "t1",
      orderId: "0xorderhash1",
      tokenId: "tok",
      side: "BUY",
      priceE4: 4500,
      sizeE6: 1_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 1,
    });
    j.intent({ ...intent, clientId: "c2" });
    j.reject(
      "c2",
      "0xorderhash2",
      "AUTH",
      `invalid api key/secret/passphrase: ${secret("apiSecret").reveal()} ${secret("passphrase").reveal()}`,
    );
    j.cancelFailed("0xorderhash1", `signature by ${secret("privateKey").reveal()} rejected`);
    j.riskEvent("auth_failure", { detail: `apiSecret=${secret("apiSecret").reveal()}` });
    const plan = planReconcile({
      nowMs: clock.wallMs() + 60_000,
      intents: j.openIntents(),
      openOrders: [],
      trades: [],
      journaledFills: j.fillStatusesSince(0),
      journalPositions: j.positions(),
      balances: { collateralE6: 0, positionsE6: new Map([["tok", 0]]) },
    });
    j.applyReconcile(plan);
    j.stopRun("test done");
    j.close();

    // Metrics and health over loopback, with a bearer token and a check that throws a secret.
    const metrics = createEngineMetrics();
    metrics.rejects.labels("mm", "AUTH").inc();
    const health = new HealthRegistry(redactor);
    health.register("exchange_auth", () => {
      throw new Error(`L2 auth failed for ${secret("apiSecret").reveal()}`);
    });
    const closedJournal = journalWritableCheck(j);
    health.register("journal", closedJournal);
    const server = startMetricsServer({ registry: metrics.registry, health, port: 0, bearerToken: secret("metricsToken") });
    if (!server.ok) throw new Error(server.reason);
    const metricsText = await (
      await fetch(`${server.value.url}/metrics`, { headers: { authorization: `Bearer ${secret("metricsToken").reveal()}` } })
    ).text();
    const unauthorized = await (await fetch(`${server.value.url}/metrics`)).text();
    const healthText = await (await fetch(`${server.value.url}/healthz`)).text();
    await server.value.stop();

    // Alerts: delivered bodies (crash text carrying secrets) and failure logs.
    const receiver = startWebhookReceiver();
    receiver.respondWith((r) => (r.path.startsWith("/bot") ? Response.json({ ok: true }) : new Response("ok")));
    const alerter = new Alerter({
      clock,
      logger,
      metrics,
      sinks: [
        jsonWebhookSink(new Secret(`${receiver.url}/hook/${secret("slackWebhook").reveal()}`)),
        slackSink(new Secret(`${receiver.url}/services/${secret("slackWebhook").reveal()}`)),
        telegramSink(secret("telegramToken"), "42", receiver.url),
        jsonWebhookSink(new Secret(`http://127.0.0.1:1/down/${secret("slackWebhook").reveal()}`), "down"),
      ],
      maxAttempts: 1,
    });
    alerter.notify(crashAlert(new Error(`uncaught: key ${secret("privateKey").reveal()}`), redactor));
    alerter.notify(riskTripAlert("auth", redactor.redact(`bad creds ${secret("apiSecret").reveal()}`)));
    alerter.notify(reconcileMismatchAlert(plan.summary));
    await alerter.idle();
    const alertBodies = receiver.received.map((r) => r.body);
    expect(alertBodies.length).toBe(9);
    await receiver.close();

    // Errors from a journal that cannot write, and from a failing health check, as text.
    errors.push(j.probeWrite().ok ? "" : (j.probeWrite() as { reason: string }).reason);
    errors.push(JSON.stringify(health.evaluate()));
    logger.close();

    const scan = new SecretScan(SECRETS)
      .texts("log line", memory.lines)
      .file(logPath)
      .sqlite(journalPath)
      .text("/metrics", metricsText + unauthorized + metrics.registry.render())
      .text("/healthz", healthText)
      .texts("alert body", alertBodies)
      .texts("error message", errors);
    scan.assertClean();
    // The scan saw what it was meant to: logs (incl. the failed "down" sink), rows, bodies.
    expect(memory.lines.some((l) => l.includes("alert_failed"))).toBe(true);
    expect(healthText).toContain("[redacted]");
    expect(scan.scanned).toBeGreaterThan(100);
    expect(errors.length).toBe(4);
  });
});
