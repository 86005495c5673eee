/**
 * `backtest` command: flags (defaults, derived latencies, errors), a run on a real recording
 * writing the HTML and JSON reports twice with identical bytes, and a sweep on worker
 * threads (grid order, sort by P&L, the naive baseline beside it).
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_BACKTEST } from "../../../src/backtest/engine.ts";
import { applyPoint, formatSweep, parseSweepArg, runSweep, type SweepJob, sweepGrid } from "../../../src/backtest/sweep.ts";
import { command, parseBacktestArgs } from "../../../src/cli/backtest.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const EL = path.join(SHARED, "data/ws/elcapturo_v1_ws_market_bitcoin-up-or-down-july-2-11pm-et_2025-07-03.jsonl");

describe("flags", () => {
  test("defaults: mm vs naive, 20 ms each way, worst-case queue", () => {
    const a = parseBacktestArgs(["--data", "x"]);
    if (typeof a === "string") throw new Error(a);
    expect(a.bot).toBe("mm");
    expect(a.baseline).toBe("naive");
    expect([
      a.settings.exchange.orderLatencyMs,
      a.settings.exchange.cancelLatencyMs,
      a.settings.exchange.responseLatencyMs,
      a.settings.replay.feedLatencyMs,
    ]).toEqual([20, 20, 20, 0]);
    expect(a.settings.exchange.fill.queueCancelRule).toBe("worst_case");
  });

  test("--latency-ms sets every leg unless a leg is given; --bot naive has no baseline", () => {
    const a = parseBacktestArgs([
      "--data",
      "x",
      "--latency-ms",
      "50",
      "--cancel-latency-ms",
      "5",
      "--bot",
      "naive",
      "--queue",
      "pro_rata",
      "--from",
      "2025-07-03T03:53:00Z",
      "--set",
      "MM_BASE_SPREAD=0.03",
      "--prewindow",
    ]);
    if (typeof a === "string") throw new Error(a);
    expect([a.settings.exchange.orderLatencyMs, a.settings.exchange.cancelLatencyMs, a.settings.exchange.responseLatencyMs]).toEqual([
      50, 5, 50,
    ]);
    expect(a.baseline).toBe("none");
    expect(a.settings.exchange.fill.queueCancelRule).toBe("pro_rata");
    expect(a.settings.fromMs).toBe(Date.parse("2025-07-03T03:53:00Z"));
    expect(a.overrides).toEqual({ MM_BASE_SPREAD: "0.03" });
    expect(a.settings.replay.preWindow).toBe(true);
  });

  test("errors name the flag", () => {
    expect(parseBacktestArgs([])).toContain("--data");
    expect(parseBacktestArgs(["--data", "x", "--bot", "hodl"])).toContain("--bot");
    expect(parseBacktestArgs(["--data", "x", "--latency-ms", "-1"])).toContain("--latency-ms");
    expect(parseBacktestArgs(["--data", "x", "--queue", "fifo"])).toContain("--queue");
    expect(parseBacktestArgs(["--data", "x", "--sweep", "MM_BASE_SPREAD"])).toContain("--sweep");
    expect(parseBacktestArgs(["--data", "x", "--nope"])).toContain("--nope");
  });
});

describe("a run on a real recording", () => {
  test("prints the summary, writes HTML and JSON; twice gives the same bytes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bt-cli-"));
    try {
      const out: string[] = [];
      const log = console.log;
      console.log = (...xs: unknown[]) => out.push(xs.join(" "));
      const files = [0, 1].map((k) => ({ html: path.join(dir, `r${k}.html`), json: path.join(dir, `r${k}.json`) }));
      try {
        for (const f of files) expect(await command.run(["--data", EL, "--report", f.html, "--json", f.json])).toBe(0);
      } finally {
        console.log = log;
      }
      const text = out.join("\n");
      expect(text).toContain("market-677483d4  mm");
      expect(text).toContain("market-677483d4  naive");
      const [a, b] = files.map((f) => readFileSync(f.html, "utf8"));
      expect(a).toBe(b as string);
      expect(a).toContain("uPlot");
      expect(a).not.toMatch(/<script[^>]+src=/); // self-contained
      expect(readFileSync(files[0]?.json ?? "", "utf8")).toBe(readFileSync(files[1]?.json ?? "", "utf8"));
      const j = JSON.parse(readFileSync(files[0]?.json ?? "", "utf8")) as { label: string; total: { fills: number } }[];
      expect(j.map((r) => r.label)).toEqual(["mm", "naive"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("a missing file or a file without markets is a usage error", async () => {
    const err = console.error;
    console.error = () => {};
    try {
      expect(await command.run(["--data", "/nonexistent/file.jsonl"])).toBe(2);
    } finally {
      console.error = err;
    }
  });
});

describe("sweep", () => {
  test("grid in flag order; venue keys change settings, other keys are config overrides", () => {
    const axes = [parseSweepArg("MM_BASE_SPREAD=0.01,0.02"), parseSweepArg("latency-ms=5,50")];
    if (axes.some((x) => typeof x === "string")) throw new Error("bad axis");
    const grid = sweepGrid(axes as Exclude<(typeof axes)[number], string>[]);
    expect(grid.map((p) => p.map(([k, v]) => `${k}=${v}`).join(" "))).toEqual([
      "MM_BASE_SPREAD=0.01 latency-ms=5",
      "MM_BASE_SPREAD=0.01 latency-ms=50",
      "MM_BASE_SPREAD=0.02 latency-ms=5",
      "MM_BASE_SPREAD=0.02 latency-ms=50",
    ]);
    const p = applyPoint(grid[1] ?? [], DEFAULT_BACKTEST);
    if (typeof p === "string") throw new Error(p);
    expect(p.settings.exchange.orderLatencyMs).toBe(50);
    expect(p.overrides).toEqual({ MM_BASE_SPREAD: "0.01" });
    expect(applyPoint([["queue", "lifo"]], DEFAULT_BACKTEST)).toContain("queue");
  });

  test("runs on worker threads and sorts by P&L, baseline beside", async () => {
    const base = { ...DEFAULT_BACKTEST, botSettings: [] };
    const job = (id: number, v: string, bot: "mm" | "naive" = "mm"): SweepJob => ({
      id,
      data: EL,
      marketsFile: "",
      bot,
      point: bot === "mm" ? [["MM_BASE_SPREAD", v]] : [],
      base,
      overrides: {},
      env: {},
    });
    const results = await runSweep([job(0, "0.01"), job(1, "0.04"), job(2, "", "naive")], 2);
    expect(results.every((r) => r.ok)).toBe(true);
    const table = formatSweep(results.slice(0, 2), results[2]);
    const lines = table.split("\n");
    const first = results[0]?.totalE6 ?? 0;
    const second = results[1]?.totalE6 ?? 0;
    expect(lines[1]).toContain(first >= second ? "MM_BASE_SPREAD=0.01" : "MM_BASE_SPREAD=0.04");
    expect(table).toContain("(naive baseline)");
  }, 60_000);
});
