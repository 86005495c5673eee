import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseDurationMs, parseRecordArgs, runRecorder } from "../../../src/cli/record.ts";
import { EXIT } from "../../../src/cli/command.ts";
import { upDownSlug, windowStartSec } from "../../../src/polymarket/gamma.ts";
import { replay } from "../../../src/store/replay.ts";
import { MarketWsServer, Waiter } from "../../helpers/market-ws-server.ts";

describe("record: flags", () => {
  test("durations and flag validation", () => {
    expect(parseDurationMs("15s")).toBe(15_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs("1.5m")).toBe(90_000);
    expect(parseDurationMs("soon")).toBeNaN();
    expect(parseRecordArgs(["--markets", "BTC,DOGE", "--out", "x"])).toMatchObject({ assets: ["BTC", "DOGE"], venue: "sim" });
    expect(parseRecordArgs(["--markets", "LUNA", "--out", "x"])).toContain("unknown asset");
    expect(parseRecordArgs(["--windows", "2m", "--out", "x"])).toContain("unknown window");
    expect(parseRecordArgs(["--duration", "forever", "--out", "x"])).toContain("duration");
    expect(parseRecordArgs([])).toContain("--out");
  });

  // `--venue sim` end to end (simulator started, segments written): test/e2e/record-sim.e2e.test.ts
});

describe("record against local Gamma + market + RTDS servers", () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  test("discovers the window, subscribes its tokens, writes non-empty segments that replay", async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    const start = windowStartSec(nowSec, "5m");
    const slug = upDownSlug("BTC", "5m", start);
    const gamma = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const u = new URL(req.url);
        if (u.pathname === "/markets" && u.searchParams.get("slug") === slug) {
          return Response.json([
            {
              conditionId: "0xc0",
              slug,
              outcomes: '["Up","Down"]',
              clobTokenIds: '["111","222"]',
              orderPriceMinTickSize: 0.01,
              orderMinSize: 5,
              eventStartTime: new Date(start * 1000).toISOString(),
              endDate: new Date((start + 300) * 1000).toISOString(),
            },
          ]);
        }
        return Response.json([]);
      },
    });
    cleanup.push(() => gamma.stop(true));
    const ws = new MarketWsServer();
    cleanup.push(() => ws.stop());
    ws.setBook("111", "0xc0", [{ price: "0.49", size: "100" }], [{ price: "0.51", size: "80" }]);
    ws.setBook("222", "0xc0", [{ price: "0.49", size: "80" }], [{ price: "0.51", size: "100" }]);
    const w = new Waiter();
    ws.onActivity(w.poke);
    const out = mkdtempSync(path.join(tmpdir(), "mmp-record-"));
    cleanup.push(() => rmSync(out, { recursive: true, force: true }));
    const args = parseRecordArgs([
      "--venue",
      "polymarket",
      "--markets",
      "BTC",
      "--windows",
      "5m",
      "--out",
      out,
      "--no-rtds",
      "--gamma-url",
      `http://127.0.0.1:${gamma.port}`,
      "--market-ws-url",
      ws.url,
    ]);
    if (typeof args === "string") throw new Error(args);
    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const snapshot = ws.snapshotFrame(["111", "222"]);
    const log = console.log;
    console.log = () => {};
    try {
      let recorded = 0;
      const run = runRecorder(args, stopped, () => {
        recorded++;
        w.poke();
      });
      await w.until(() => ws.received.some((m) => m.includes('"111"') && m.includes('"222"')), "subscription to both tokens");
      ws.change("111", "BUY", "0.50", "25");
      ws.change("222", "SELL", "0.50", "25");
      ws.sendRaw("not json at all");
      await w.until(() => recorded === 4, "four frames recorded");
      stop();
      expect(await run).toBe(EXIT.OK);
    } finally {
      console.log = log;
    }
    const files = readdirSync(out);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(statSync(path.join(out, f)).size).toBeGreaterThan(0);
    const frames: string[] = [];
    for await (const f of replay(out)) frames.push(f.frame);
    expect(frames[0]).toBe(snapshot);
    expect(frames.filter((f) => f.includes('"price_change"')).length).toBe(2);
    expect(frames.at(-1)).toBe("not json at all");
  });
});
