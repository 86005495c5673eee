/**
 * `analyze` on real bot logs: the market maker runs a simulator recording through the
 * backtester with its JSON-lines event log written by the project's Logger (as compose wires
 * it under logs/); `analyze logs/ --data recording` then rebuilds the run from the log alone
 * and must agree with the backtest's own report: same fills, volume and fees, and the same
 * P&L before rebates (rebates are not in the bot's log). Also: the CLI writes the HTML.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simTape } from "../../bench/sim-tape.ts";
import { DEFAULT_BACKTEST, runBacktestSync } from "../../src/backtest/engine.ts";
import { buildReport } from "../../src/backtest/report.ts";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { command, runAnalyze } from "../../src/cli/analyze.ts";
import { Logger, MemorySink } from "../../src/monitor/logger.ts";
import { decodeFrames } from "../../src/venue/replay.ts";

test("analyze rebuilds a run from its event log and agrees with the backtest", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "analyze-"));
  try {
    const tape = simTape({ seed: 5, minutes: 9 });
    // The recording of the same period, in the recorder's format.
    const rec = path.join(dir, "recording.jsonl");
    const header = JSON.stringify({
      format: "mmp-frames",
      version: 1,
      venue: "sim",
      segmentStartMs: 0,
      segmentEndMs: 0,
      markets: tape.markets,
    });
    writeFileSync(
      rec,
      `${[header, ...tape.frames.map((f) => JSON.stringify({ seq: f.seq, src: f.src, recvNs: f.recvNs, frame: f.frame }))].join("\n")}\n`,
    );

    const sink = new MemorySink();
    let logger: Logger | undefined;
    const out = runBacktestSync(decodeFrames(tape.frames), tape.markets, DEFAULT_BACKTEST, (d) => {
      logger = new Logger({ clock: d.clock, sinks: [sink], base: { bot: "mm" } });
      const log = logger;
      return new MarketMakerBot({ ...d, events: (level, event, fields) => log.log(level, event, fields) });
    });
    const logs = path.join(dir, "logs");
    mkdirSync(logs);
    writeFileSync(path.join(logs, "mm-sim.jsonl"), sink.lines.join(""));
    const bt = buildReport(out.record).total;
    expect(bt.fills).toBeGreaterThan(5);

    const silent = (): void => {};
    const reports = await runAnalyze({ logs: [logs], data: rec, baseline: true, marketsFile: "", report: "", json: "" }, silent);
    const an = reports[0];
    if (!an) throw new Error("no report");
    // The naive baseline, backtested on the same recording, beside the run.
    expect(reports.map((r) => r.label)).toEqual(["mm", "naive (backtest)"]);
    expect(an.label).toBe("mm");
    expect(an.total.fills).toBe(bt.fills);
    expect(an.total.volumeE6).toBe(bt.volumeE6);
    expect(an.total.pnl.feesE6).toBe(bt.pnl.feesE6);
    // Σ q·(V − p) − fees does not depend on when each fill is stamped: equal to the cent.
    expect(Math.abs(an.total.pnl.totalE6 - an.total.pnl.rebatesE6 - (bt.pnl.totalE6 - bt.pnl.rebatesE6))).toBeLessThan(10_000);

    // The command: terminal table and HTML.
    const html = path.join(dir, "a.html");
    const log = console.log;
    const lines: string[] = [];
    console.log = (...xs: unknown[]) => lines.push(xs.join(" "));
    try {
      expect(await command.run([logs, "--report", html])).toBe(0);
    } finally {
      console.log = log;
    }
    // Without --data the mids come from the market maker's 1 Hz status lines.
    expect(lines.join("\n")).toContain("mids from status");
    expect(readFileSync(html, "utf8")).toContain("uPlot");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test("bad input: no logs, unknown flag", async () => {
  const err = console.error;
  console.error = () => {};
  try {
    expect(await command.run([])).toBe(2);
    expect(await command.run(["x", "--nope"])).toBe(2);
    expect(await command.run(["/nonexistent/logs"])).toBe(2);
  } finally {
    console.error = err;
  }
});
