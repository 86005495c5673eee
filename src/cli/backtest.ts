/**
 * `backtest`: replays recorded frames through a bot — the same code that trades live — on the
 * replay venue with the queue-position fill model, next to the naive baseline on the same
 * data, and prints the report (optionally writes the HTML). `--sweep` runs a grid of
 * parameters on every core. Fill rules, report and flags: docs/backtest.md.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { ConfigError, type ConfigKey } from "../config.ts";
import type { BacktestSettings } from "../backtest/engine.ts";
import { DEFAULT_BACKTEST } from "../backtest/engine.ts";
import { renderHtml } from "../backtest/html.ts";
import { buildReport, formatSummary, type Report } from "../backtest/report.ts";
import { BOT_KINDS, type BotKind, backtestConfig, loadData, overrideRows, runSession } from "../backtest/session.ts";
import { formatSweep, parseSweepArg, runSweep, type SweepAxis, type SweepJob, sweepGrid } from "../backtest/sweep.ts";
import { QUEUE_CANCEL_RULES, type QueueCancelRule } from "../venue/fill-model.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: bun run src/main.ts backtest --data PATH [--bot mm|arb|naive] [--latency-ms 20] [--from T] [--to T]
                                     [--report FILE.html] [--json FILE] [--sweep KEY=v1,v2 ...]

Replays recorded market data (a recorder directory, or one file: our segments, recorder-session
envelopes, plain JSONL frames) through the bot on a simulated clock driven by the recorded
receive times. Our resting orders join the back of the queue when they arrive and fill only
when traded volume at their price exceeds what was ahead of them (docs/backtest.md).
Every report shows the bot next to the naive baseline (mid ± fixed spread) on the same data.

  --data PATH               recording file or directory (required)
  --markets FILE            market metadata (Gamma JSONL, session markets, MarketInfo JSON);
                            default: segment headers, the session's markets file, or inferred
  --bot B                   mm (default), arb or naive
  --baseline B|none         the comparison run (default naive; none when --bot naive)
  --latency-ms N            bot → exchange for orders, and default for cancels/responses (20)
  --cancel-latency-ms N     bot → exchange for cancels (default --latency-ms)
  --response-latency-ms N   exchange → bot for acks, fills, closes (default --latency-ms)
  --feed-latency-ms N       extra delay of market data to the bot (0: recorded receive times)
  --queue R                 cancels ahead of us: worst_case (default) or pro_rata
  --no-complement-trades    prints on the other outcome do not count for our token
  --book-through            a recorded opposite order at/through our price fills us (off: post-only
                            makers would be rejected instead; see docs/backtest.md)
  --prewindow               quote markets before their window opens (pre-window captures)
  --collateral USD          starting pUSD (default 10000)
  --from T, --to T          replay window (ISO time or epoch ms); frames before --from warm the books
  --set KEY=VALUE           a configuration key for this run (repeatable), e.g. MM_BASE_SPREAD=0.03
  --report FILE             write the self-contained HTML report (charts inlined, opens offline)
  --json FILE               write the report numbers as JSON
  --sweep KEY=v1,v2         run a grid (repeatable; config keys or latency-ms, cancel-latency-ms,
                            response-latency-ms, feed-latency-ms, queue) on --workers threads
  --workers N               sweep threads (default: one per core)

Exit: 0, 1 on a failure, 2 on bad flags or configuration.`;

export interface BacktestArgs {
  data: string;
  marketsFile: string;
  bot: BotKind;
  baseline: BotKind | "none";
  settings: Omit<BacktestSettings, "bot" | "marketsSource">;
  overrides: Partial<Record<ConfigKey, string>>;
  report: string;
  json: string;
  sweep: SweepAxis[];
  workers: number;
}

function timeArg(v: string): number {
  if (/^\d{10,}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : Number.NaN;
}

export function parseBacktestArgs(argv: readonly string[]): BacktestArgs | string {
  let s: Omit<BacktestSettings, "bot" | "marketsSource"> = { ...DEFAULT_BACKTEST };
  const a: BacktestArgs = {
    data: "",
    marketsFile: "",
    bot: "mm",
    baseline: "naive",
    settings: s,
    overrides: {},
    report: "",
    json: "",
    sweep: [],
    workers: availableParallelism(),
  };
  let latency = Number.NaN;
  let cancel = Number.NaN;
  let response = Number.NaN;
  let baselineSet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = (): string => argv[++i] ?? "";
    const ms = (name: string): number | string => {
      const v = value();
      const n = Number(v);
      return v !== "" && n >= 0 ? n : `${name} expects a number of ms ≥ 0, got ${JSON.stringify(v)}`;
    };
    switch (flag) {
      case "--data":
        a.data = value();
        break;
      case "--markets":
        a.marketsFile = value();
        break;
      case "--bot": {
        const v = value();
        if (!BOT_KINDS.includes(v as BotKind)) return `--bot must be one of ${BOT_KINDS.join(", ")}`;
        a.bot = v as BotKind;
        break;
      }
      case "--baseline": {
        const v = value();
        if (v !== "none" && !BOT_KINDS.includes(v as BotKind)) return `--baseline must be none or one of ${BOT_KINDS.join(", ")}`;
        a.baseline = v as BotKind | "none";
        baselineSet = true;
        break;
      }
      case "--latency-ms":
      case "--cancel-latency-ms":
      case "--response-latency-ms":
      case "--feed-latency-ms": {
        const n = ms(flag);
        if (typeof n === "string") return n;
        if (flag === "--latency-ms") latency = n;
        else if (flag === "--cancel-latency-ms") cancel = n;
        else if (flag === "--response-latency-ms") response = n;
        else s = { ...s, replay: { ...s.replay, feedLatencyMs: n } };
        break;
      }
      case "--queue": {
        const v = value();
        if (!QUEUE_CANCEL_RULES.includes(v as QueueCancelRule)) return `--queue must be ${QUEUE_CANCEL_RULES.join(" or ")}`;
        s = { ...s, exchange: { ...s.exchange, fill: { ...s.exchange.fill, queueCancelRule: v as QueueCancelRule } } };
        break;
      }
      case "--no-complement-trades":
        s = { ...s, exchange: { ...s.exchange, fill: { ...s.exchange.fill, complementTrades: false } } };
        break;
      case "--book-through":
        s = { ...s, exchange: { ...s.exchange, fill: { ...s.exchange.fill, bookThrough: true } } };
        break;
      case "--prewindow":
        s = { ...s, replay: { ...s.replay, preWindow: true } };
        break;
      case "--collateral": {
        const n = Number(value());
        if (!(n > 0)) return "--collateral expects dollars > 0";
        s = { ...s, exchange: { ...s.exchange, initialCollateralE6: Math.round(n * 1e6) } };
        break;
      }
      case "--from":
      case "--to": {
        const v = value();
        const t = timeArg(v);
        if (Number.isNaN(t)) return `${flag} expects an ISO time or epoch ms, got ${JSON.stringify(v)}`;
        s = flag === "--from" ? { ...s, fromMs: t } : { ...s, toMs: t };
        break;
      }
      case "--set": {
        const v = value();
        const eq = v.indexOf("=");
        if (eq <= 0) return `--set expects KEY=VALUE, got ${JSON.stringify(v)}`;
        a.overrides[v.slice(0, eq) as ConfigKey] = v.slice(eq + 1);
        break;
      }
      case "--report":
        a.report = value();
        break;
      case "--json":
        a.json = value();
        break;
      case "--sweep": {
        const ax = parseSweepArg(value());
        if (typeof ax === "string") return ax;
        a.sweep.push(ax);
        break;
      }
      case "--workers": {
        const n = Number(value());
        if (!(Number.isInteger(n) && n >= 1)) return "--workers expects an integer ≥ 1";
        a.workers = n;
        break;
      }
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  if (a.data === "") return "--data PATH is required";
  const order = Number.isNaN(latency) ? s.exchange.orderLatencyMs : latency;
  s = {
    ...s,
    exchange: {
      ...s.exchange,
      orderLatencyMs: order,
      cancelLatencyMs: Number.isNaN(cancel) ? order : cancel,
      responseLatencyMs: Number.isNaN(response) ? order : response,
    },
  };
  if (!baselineSet && a.bot === "naive") a.baseline = "none";
  a.settings = s;
  return a;
}

function envOf(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

/** The report(s) of one run of ours and the baseline: terminal summary, HTML, JSON. */
export async function runBacktestCommand(a: BacktestArgs, out: (line: string) => void = console.log): Promise<Report[]> {
  const data = await loadData(a.data, a.marketsFile === "" ? undefined : a.marketsFile);
  if (data.catalogue.markets.length === 0) throw new RangeError(`no market found in ${a.data}: give --markets FILE`);
  const config = backtestConfig(envOf(), a.overrides);
  const kinds: BotKind[] = a.baseline === "none" || a.baseline === a.bot ? [a.bot] : [a.bot, a.baseline];
  const runs = runSession(data, kinds, { ...a.settings, botSettings: overrideRows(a.overrides) }, config);
  const reports = runs.map((r) => buildReport(r.outcome.record));
  out(
    formatSummary(
      reports,
      `backtest ${a.data}: ${data.frames.length} frames, ${data.catalogue.markets.length} markets (${data.catalogue.source})`,
    ),
  );
  if (a.report !== "") {
    const notes = [`markets from: ${data.catalogue.source}`, ...runs.map((r) => `${r.kind}: ${JSON.stringify(r.outcome.record.counters)}`)];
    writeFileSync(a.report, renderHtml({ title: `Backtest: ${kinds.join(" vs ")}`, dataLabel: a.data, reports, notes }));
    out(`report: ${a.report}`);
  }
  if (a.json !== "") {
    writeFileSync(
      a.json,
      `${JSON.stringify(
        reports.map((r) => ({ label: r.label, settings: r.settings, total: r.total, markets: r.markets })),
        (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
        1,
      )}\n`,
    );
  }
  return reports;
}

async function runSweepCommand(a: BacktestArgs, out: (line: string) => void): Promise<void> {
  const env = envOf();
  const grid = sweepGrid(a.sweep);
  const base = { ...a.settings, botSettings: overrideRows(a.overrides) };
  const job = (id: number, bot: BotKind, point: SweepJob["point"]): SweepJob => ({
    id,
    data: a.data,
    marketsFile: a.marketsFile,
    bot,
    point,
    base,
    overrides: a.overrides,
    env,
  });
  const jobs = grid.map((p, i) => job(i, a.bot, p));
  const withBaseline = a.baseline !== "none" && a.baseline !== a.bot ? [...jobs, job(jobs.length, a.baseline, [])] : jobs;
  out(`sweep: ${grid.length} points × ${a.bot} on ${Math.min(a.workers, withBaseline.length)} workers`);
  const results = await runSweep(withBaseline, a.workers);
  const baseline = withBaseline.length > jobs.length ? results[results.length - 1] : undefined;
  out(formatSweep(results.slice(0, jobs.length), baseline));
}

export const command: CliCommand = {
  name: "backtest",
  summary: "replay recorded data through a bot with queue position and latency",
  help: HELP,
  async run(argv) {
    const a = parseBacktestArgs(argv);
    if (typeof a === "string") {
      console.error(`backtest: ${a}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    try {
      if (a.sweep.length > 0) await runSweepCommand(a, console.log);
      else await runBacktestCommand(a);
      return EXIT.OK;
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`backtest: ${e.message}`);
        return EXIT.USAGE;
      }
      if (e instanceof RangeError || (e instanceof Error && "code" in e && e.code === "ENOENT")) {
        console.error(`backtest: ${e.message}`);
        return EXIT.USAGE;
      }
      throw e;
    }
  },
};
