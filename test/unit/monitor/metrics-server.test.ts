import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import { Secret } from "../../../src/core/secret.ts";
import { createEngineMetrics } from "../../../src/monitor/metrics.ts";
import {
  HealthRegistry,
  PROMETHEUS_CONTENT_TYPE,
  feedFreshnessCheck,
  journalWritableCheck,
  startMetricsServer,
} from "../../../src/monitor/metrics-server.ts";
import { Journal } from "../../../src/store/journal.ts";
import { parsePrometheusText, sampleValue } from "../../helpers/prom-text.ts";

const dir = mkdtempSync(join(tmpdir(), "mmp-metrics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(bearer: Secret | null = null) {
  const clock = new ManualClock();
  const metrics = createEngineMetrics();
  const health = new HealthRegistry();
  const opened = Journal.open({ path: join(dir, `j-${Math.random()}.sqlite`), mode: "sim", clock });
  if (!opened.ok) throw new Error(opened.reason);
  const journal = opened.value;
  let lastMsgNs = -1;
  health.register(
    "feed",
    feedFreshnessCheck(clock, () => lastMsgNs, 5_000),
  );
  health.register("journal", journalWritableCheck(journal));
  const started = startMetricsServer({ registry: metrics.registry, health, port: 0, bearerToken: bearer });
  if (!started.ok) throw new Error(started.reason);
  return { clock, metrics, health, journal, server: started.value, markMessage: () => (lastMsgNs = clock.nowNs()) };
}

describe("metrics server on 127.0.0.1", () => {
  test("/metrics is scraped over loopback and parses as strict Prometheus text", async () => {
    const { metrics, server, journal } = setup();
    try {
      metrics.orders.labels("mm", "BUY", "GTC").inc(3);
      metrics.orderAck.labels("mm").observe(0.012);
      metrics.wsReconnects.labels("market").inc();
      expect(server.url).toStartWith("http://127.0.0.1:");
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
      const fams = parsePrometheusText(await res.text());
      expect(sampleValue(fams, "mmp_orders_total", { bot: "mm", side: "BUY", order_type: "GTC" })).toBe(3);
      expect(sampleValue(fams, "mmp_order_ack_seconds_count", { bot: "mm" })).toBe(1);
      expect(sampleValue(fams, "mmp_ws_reconnects_total", { channel: "market" })).toBe(1);
      const head = await fetch(`${server.url}/metrics`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.stop();
      journal.close();
    }
  });

  test("/healthz is 200 when fresh and writable, 503 with a reason when the feed is stale or the journal cannot write", async () => {
    const { clock, server, journal, markMessage } = setup();
    try {
      let res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: { feed: { reason: string } } }).checks.feed.reason).toContain("no market data");

      markMessage();
      clock.advanceBy(4_000);
      res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok", checks: { feed: { ok: true }, journal: { ok: true } } });

      clock.advanceBy(2_000);
      res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; checks: { feed: { ok: boolean; reason: string } } };
      expect(body.status).toBe("fail");
      expect(body.checks.feed.reason).toContain("feed stale: last message 6.0 s ago");

      markMessage();
      // The disk refuses writes: another connection makes every write to the journal abort.
      const saboteur = new Database(journal.path);
      saboteur.run("CREATE TRIGGER no_meta_writes BEFORE UPDATE ON meta BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END");
      res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      const b2 = (await res.json()) as { checks: { feed: { ok: boolean }; journal: { ok: boolean; reason: string } } };
      expect(b2.checks.feed.ok).toBe(true);
      expect(b2.checks.journal.reason).toBe("journal cannot write: journal write failed: disk I/O error");
      saboteur.run("DROP TRIGGER no_meta_writes");
      saboteur.close();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
      journal.close();
    }
  });

  test("a check that throws fails health instead of crashing the endpoint", async () => {
    const { health, server, journal, markMessage } = setup();
    try {
      markMessage();
      health.register("exploding", () => {
        throw new Error("boom");
      });
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect(JSON.stringify(await res.json())).toContain("check threw: boom");
    } finally {
      await server.stop();
      journal.close();
    }
  });

  test("a bearer token guards /metrics; a non-loopback bind without one is refused", async () => {
    const token = new Secret("metrics-token-0123456789", "metricsToken");
    const { server, journal } = setup(token);
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token.reveal()}` } });
      expect(ok.status).toBe(200);
      parsePrometheusText(await ok.text());
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503); // open, but failing: no data yet
    } finally {
      await server.stop();
      journal.close();
    }
    const refused = startMetricsServer({
      registry: createEngineMetrics().registry,
      health: new HealthRegistry(),
      hostname: "0.0.0.0",
      port: 0,
    });
    expect(refused.ok).toBe(false);
  });
});
