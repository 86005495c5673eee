import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { InvariantError } from "../../../src/core/result.ts";
import { Registry, createEngineMetrics, escapeLabelValue, formatValue } from "../../../src/monitor/metrics.ts";
import { parsePrometheusText, sampleValue } from "../../helpers/prom-text.ts";

describe("Prometheus registry", () => {
  test("counters, gauges and labelled histograms render as valid exposition text", () => {
    const r = new Registry();
    const c = r.counter({ name: "t_orders_total", help: "Orders.", labelNames: ["side"] });
    const g = r.gauge({ name: "t_inventory_shares", help: "Inventory\nper market \\ outcome.", labelNames: ["market"] });
    const h = r.histogram({ name: "t_ack_seconds", help: "Ack.", labelNames: ["bot"], buckets: [0.001, 0.01, 0.1] });
    const bare = r.counter({ name: "t_bare_total", help: "No labels." });
    c.labels("BUY").inc();
    c.labels("BUY").inc(2);
    c.labels("SELL").inc();
    g.labels('btc "up"\n\\').set(-12.5);
    const mm = h.labels("mm");
    for (const v of [0.0005, 0.001, 0.005, 0.05, 3]) mm.observe(v);
    h.labels("arb").observeNs(2_000_000);
    bare.inc();

    const fams = parsePrometheusText(r.render());
    expect(fams.get("t_orders_total")?.type).toBe("counter");
    expect(sampleValue(fams, "t_orders_total", { side: "BUY" })).toBe(3);
    expect(sampleValue(fams, "t_orders_total", { side: "SELL" })).toBe(1);
    expect(sampleValue(fams, "t_inventory_shares", { market: 'btc "up"\n\\' })).toBe(-12.5);
    expect(fams.get("t_inventory_shares")?.help).toBe("Inventory\nper market \\ outcome.");
    expect(sampleValue(fams, "t_ack_seconds_bucket", { bot: "mm", le: "0.001" })).toBe(2); // le is inclusive
    expect(sampleValue(fams, "t_ack_seconds_bucket", { bot: "mm", le: "0.01" })).toBe(3);
    expect(sampleValue(fams, "t_ack_seconds_bucket", { bot: "mm", le: "0.1" })).toBe(4);
    expect(sampleValue(fams, "t_ack_seconds_bucket", { bot: "mm", le: "+Inf" })).toBe(5);
    expect(sampleValue(fams, "t_ack_seconds_count", { bot: "mm" })).toBe(5);
    expect(sampleValue(fams, "t_ack_seconds_sum", { bot: "mm" })).toBeCloseTo(3.0565, 9);
    expect(sampleValue(fams, "t_ack_seconds_bucket", { bot: "arb", le: "0.01" })).toBe(1);
    expect(sampleValue(fams, "t_bare_total")).toBe(1);
  });

  test("the engine metric set renders and parses, including special values", () => {
    const m = createEngineMetrics();
    m.buildInfo.labels("0.1.0", "sim").set(1);
    m.startTime.set(1_780_000_000);
    m.tickToOrder.labels("mm").observeNs(42_000);
    m.orderAck.labels("mm").observe(0.03);
    m.rejects.labels("mm", "POST_ONLY_CROSS").inc();
    m.pnl.labels("mm", "unrealized").set(Number.NaN);
    m.feedAge.labels("market").set(Number.POSITIVE_INFINITY);
    m.inventory.labels("btc-updown-5m", "Up").set(10);
    m.journalWriteErrors.inc();
    const fams = parsePrometheusText(m.registry.render());
    expect(fams.size).toBeGreaterThanOrEqual(25);
    expect(Number.isNaN(sampleValue(fams, "mmp_pnl_usd", { bot: "mm", kind: "unrealized" }) as number)).toBe(true);
    expect(sampleValue(fams, "mmp_feed_age_seconds", { channel: "market" })).toBe(Number.POSITIVE_INFINITY);
    expect(sampleValue(fams, "mmp_tick_to_order_seconds_bucket", { bot: "mm", le: "0.00005" })).toBe(1);
    expect(sampleValue(fams, "mmp_rejects_total", { bot: "mm", reason: "POST_ONLY_CROSS" })).toBe(1);
    for (const f of fams.values()) expect(f.help).not.toBeNull();
  });

  test("a removed series stops being exported", () => {
    const r = new Registry();
    const g = r.gauge({ name: "t_inv", help: "x", labelNames: ["market"] });
    g.labels("a").set(1);
    g.labels("b").set(2);
    expect(g.remove("a")).toBe(true);
    const fams = parsePrometheusText(r.render());
    expect(sampleValue(fams, "t_inv", { market: "a" })).toBeUndefined();
    expect(sampleValue(fams, "t_inv", { market: "b" })).toBe(2);
  });

  test("bad names, duplicate registration, wrong label counts and negative increments are refused", () => {
    const r = new Registry();
    expect(() => r.counter({ name: "1bad", help: "x" })).toThrow(InvariantError);
    expect(() => r.counter({ name: "ok_total", help: "x", labelNames: ["__x"] })).toThrow(InvariantError);
    expect(() => r.histogram({ name: "h", help: "x", labelNames: ["le"], buckets: [1] })).toThrow(InvariantError);
    expect(() => r.histogram({ name: "h2", help: "x", buckets: [1, 1] })).toThrow(InvariantError);
    const c = r.counter({ name: "c_total", help: "x", labelNames: ["a"] });
    expect(() => r.gauge({ name: "c_total", help: "x" })).toThrow(InvariantError);
    r.histogram({ name: "lat", help: "x", buckets: [1] });
    expect(() => r.counter({ name: "lat_count", help: "x" })).toThrow(InvariantError);
    expect(() => c.labels()).toThrow(InvariantError);
    expect(() => c.labels("x").inc(-1)).toThrow(InvariantError);
    expect(() => c.inc()).toThrow(InvariantError);
  });

  test("onCollect runs before each render", () => {
    const r = new Registry();
    const g = r.gauge({ name: "t_age_seconds", help: "x" });
    let n = 0;
    r.onCollect(() => g.set(++n));
    r.render();
    expect(sampleValue(parsePrometheusText(r.render()), "t_age_seconds")).toBe(2);
  });

  test("property: any label value round-trips through escaping and the strict parser", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.double({ noNaN: true }), (label, v) => {
        const r = new Registry();
        r.gauge({ name: "p_g", help: "x", labelNames: ["l"] })
          .labels(label)
          .set(v);
        const fams = parsePrometheusText(r.render());
        expect(sampleValue(fams, "p_g", { l: label })).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  test("property: histogram buckets agree with a naive count", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { maxLength: 60 }), (values) => {
        const bounds = [0.01, 0.1, 0.5, 1];
        const r = new Registry();
        const h = r.histogram({ name: "p_h", help: "x", buckets: bounds });
        for (const v of values) h.observe(v);
        const fams = parsePrometheusText(r.render());
        for (const b of bounds) {
          expect(sampleValue(fams, "p_h_bucket", { le: formatValue(b) })).toBe(values.filter((v) => v <= b).length);
        }
        expect(sampleValue(fams, "p_h_count")).toBe(values.length);
      }),
      { numRuns: 200 },
    );
  });

  test("escapeLabelValue escapes exactly backslash, quote and newline", () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
  });
});
