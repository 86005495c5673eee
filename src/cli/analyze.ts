/**
 * `analyze`: the report of a past run from its trade/event logs (live, paper or simulator):
 * P&L by component, fills, inventory, drawdown, mark-outs, latency — the same terminal
 * summary and self-contained HTML as `backtest` (backtest/logs.ts says which log events are
 * read). With `--data` a recording made during the run gives exact mids for the mark-outs.
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_BACKTEST, recordSeries } from "../backtest/engine.ts";
import { renderHtml } from "../backtest/html.ts";
import { parseLogs, type SeriesByMarket } from "../backtest/logs.ts";
import { buildReport, formatSummary, type Report } from "../backtest/report.ts";
import { backtestConfig, loadData, runSession } from "../backtest/session.ts";
import { readLines } from "../store/replay.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: bun run src/main.ts analyze LOGS... [--data RECORDING] [--markets FILE] [--report FILE.html] [--json FILE]

Reads the JSON-lines event logs of past runs (files, or directories of *.jsonl / *.jsonl.gz,
e.g. logs/) and prints the report: P&L split into spread captured, adverse selection (mark-outs
at 1 s, 10 s, 60 s), fees, rebates and resolution; fills, inventory, drawdown, time quoting,
latency; per market and in total, one block per bot found in the logs.

  --data RECORDING   a recording of the same period (record command): exact mids for mark-outs,
                     and the naive baseline backtested on it beside the run (--no-baseline: not)
  --markets FILE     market metadata for that recording (as backtest --markets)
  --report FILE      write the self-contained HTML report
  --json FILE        write the report numbers as JSON

Without --data, mids come from the logged status snapshots, else from the fair value logged with
each fill (a proxy). Exit: 0, 2 on bad flags or no log found.`;

export interface AnalyzeArgs {
  logs: string[];
  data: string;
  baseline: boolean;
  marketsFile: string;
  report: string;
  json: string;
}

export function parseAnalyzeArgs(argv: readonly string[]): AnalyzeArgs | string {
  const a: AnalyzeArgs = { logs: [], data: "", baseline: true, marketsFile: "", report: "", json: "" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => argv[++i] ?? "";
    switch (flag) {
      case "--data":
        a.data = value();
        break;
      case "--markets":
        a.marketsFile = value();
        break;
      case "--report":
        a.report = value();
        break;
      case "--no-baseline":
        a.baseline = false;
        break;
      case "--json":
        a.json = value();
        break;
      default:
        if (flag.startsWith("--")) return `unknown flag ${JSON.stringify(flag)}`;
        a.logs.push(flag);
    }
  }
  if (a.logs.length === 0) return "give at least one log file or directory (e.g. logs/)";
  return a;
}

/** Log files of the paths given: files as is, directories' *.jsonl[.gz] in name order. */
export function logFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!statSync(p).isDirectory()) {
      out.push(p);
      continue;
    }
    for (const n of readdirSync(p).sort()) if (/\.jsonl(\.gz)?$/.test(n)) out.push(path.join(p, n));
  }
  return out;
}

export async function runAnalyze(a: AnalyzeArgs, out: (line: string) => void = console.log): Promise<Report[]> {
  const files = logFiles(a.logs);
  if (files.length === 0) throw new RangeError(`no *.jsonl log in ${a.logs.join(", ")}`);
  const lines: string[] = [];
  for (const f of files) for await (const l of readLines(f)) lines.push(l);
  let recording: SeriesByMarket | undefined;
  let baseline: Report | undefined;
  if (a.data !== "") {
    const data = await loadData(a.data, a.marketsFile === "" ? undefined : a.marketsFile);
    recording = recordSeries(data.decoded, data.catalogue.markets);
    if (a.baseline) {
      const [run] = runSession(data, ["naive"], DEFAULT_BACKTEST, backtestConfig(envOf(), {}));
      if (run) baseline = buildReport({ ...run.outcome.record, label: "naive (backtest)" });
    }
  }
  const parsed = parseLogs(lines, recording);
  if (parsed.records.length === 0) throw new RangeError(`no fill or market event in ${files.length} log file(s)`);
  const reports = parsed.records.map(buildReport);
  if (baseline) reports.push(baseline);
  out(
    formatSummary(
      reports,
      `analyze ${a.logs.join(" ")}: ${files.length} files, ${parsed.lines} lines (${parsed.malformed} not understood), mids from ${parsed.midSource}`,
    ),
  );
  if (a.report !== "") {
    writeFileSync(
      a.report,
      renderHtml({
        title: `Run analysis: ${reports.map((r) => r.label).join(", ")}`,
        dataLabel: a.logs.join(" "),
        reports,
        notes: [`mids from: ${parsed.midSource}`, `log lines: ${parsed.lines}, not understood: ${parsed.malformed}`],
      }),
    );
    out(`report: ${a.report}`);
  }
  if (a.json !== "") {
    writeFileSync(
      a.json,
      `${JSON.stringify(
        reports.map((r) => ({ label: r.label, total: r.total, markets: r.markets })),
        (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
        1,
      )}\n`,
    );
  }
  return reports;
}

function envOf(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

export const command: CliCommand = {
  name: "analyze",
  summary: "report on the trade/event logs of past runs",
  help: HELP,
  async run(argv) {
    const a = parseAnalyzeArgs(argv);
    if (typeof a === "string") {
      console.error(`analyze: ${a}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    try {
      await runAnalyze(a);
      return EXIT.OK;
    } catch (e) {
      if (e instanceof RangeError || (e instanceof Error && "code" in e && e.code === "ENOENT")) {
        console.error(`analyze: ${e.message}`);
        return EXIT.USAGE;
      }
      throw e;
    }
  },
};
