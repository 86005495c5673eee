import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import { Secret } from "../../../src/core/secret.ts";
import { FileSink, Logger, MemorySink, REDACTED, Redactor, describeError, redactUrl } from "../../../src/monitor/logger.ts";

const dir = mkdtempSync(join(tmpdir(), "mmp-logs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("logger", () => {
  test("writes one JSON object per line with time, level, event, base and unit-suffixed fields", () => {
    const sink = new MemorySink();
    const clock = new ManualClock(1_780_000_000_000);
    const log = new Logger({ clock, sinks: [sink], base: { bot: "mm", mode: "sim" } });
    clock.advanceBy(5);
    log.info("order_rejected", {
      clientId: "c-1",
      priceE4: 4500,
      sizeE6: 10_000_000,
      latencyNs: 123n,
      skipped: undefined,
      err: new RangeError("bad tick"),
    });
    log.debug("hidden", {});
    const lines = sink.lines;
    expect(lines.length).toBe(1);
    expect(lines[0]).toEndWith("\n");
    const obj = JSON.parse(lines[0] as string);
    expect(obj).toMatchObject({
      tsMs: 1_780_000_000_005,
      level: "info",
      event: "order_rejected",
      bot: "mm",
      mode: "sim",
      clientId: "c-1",
      priceE4: 4500,
      latencyNs: "123",
    });
    expect(obj.err).toMatchObject({ name: "RangeError", message: "bad tick" });
    expect("skipped" in obj).toBe(false);
    const child = log.child({ market: "btc-updown-5m" });
    child.warn("stale_book", { ageMs: 1500, ratio: Number.NaN });
    expect(JSON.parse(sink.lines[1] as string)).toMatchObject({
      level: "warn",
      bot: "mm",
      market: "btc-updown-5m",
      ageMs: 1500,
      ratio: "NaN",
    });
  });

  test("the redactor removes registered secrets in every common form, wherever they appear", () => {
    const key = "0xAbCdEf0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";
    const apiSecret = "c2VjcmV0L3dpdGgrc2xhc2hlcz0=";
    const r = new Redactor().add(new Secret(key)).add(apiSecret).add("short");
    const texts = [
      `key=${key}`,
      `bare=${key.slice(2)} lower=${key.toLowerCase()} upper=${key.slice(2).toUpperCase()}`,
      `url=https://x.invalid/?s=${encodeURIComponent(apiSecret)}`,
      JSON.stringify({ nested: `quote"${apiSecret}` }),
    ];
    for (const t of texts) {
      const out = r.redact(t);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain(key.slice(2, 20));
      expect(out.toLowerCase()).not.toContain(key.slice(2, 20).toLowerCase());
      expect(out).not.toContain(apiSecret);
      expect(out).not.toContain(encodeURIComponent(apiSecret));
    }
    expect(r.redact("short words stay")).toBe("short words stay"); // under MIN_SECRET_CHARS: not registered
  });

  test("log lines and error descriptions pass through the redactor", () => {
    const sink = new MemorySink();
    const log = new Logger({ clock: new ManualClock(), sinks: [sink] });
    const secret = new Secret("pass-phrase-123456", "passphrase");
    log.redactor.add(secret);
    log.error("auth_failed", { header: `POLY_PASSPHRASE: ${secret.reveal()}`, s: secret, err: new Error(`rejected ${secret.reveal()}`) });
    expect(sink.lines.join("")).not.toContain("pass-phrase-123456");
    expect(sink.lines.join("")).toContain("passphrase:[redacted]");
    expect(describeError(new Error("x pass-phrase-123456 y"), log.redactor).message).toBe(`x ${REDACTED} y`);
    expect(redactUrl("https://hooks.slack.com/services/T/B/XYZ?x=1")).toBe("https://hooks.slack.com/[redacted]");
  });

  test("the file sink appends JSON lines under logs/ with 0600 permissions", () => {
    const path = join(dir, "logs", "mm-sim.jsonl");
    const a = new Logger({ clock: new ManualClock(), sinks: [new FileSink(path)] });
    a.info("run_start", { runId: 1 });
    a.close();
    const b = new Logger({ clock: new ManualClock(), sinks: [new FileSink(path)] });
    b.info("run_start", { runId: 2 });
    b.close();
    const lines = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { runId: number });
    expect(lines.map((l) => l.runId)).toEqual([1, 2]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
