/**
 * `calibrate`: scores the fair-value model against real resolved Up/Down markets (the
 * replay rules are in src/strategy/calibration.ts). Reads gzip or plain files.
 */
import { EXIT, type CliCommand } from "./command.ts";
import { type CalibrationReport, type Scores, parseMarketsJsonl, parsePriceCsv, runCalibration } from "../strategy/calibration.ts";

const HELP = `usage: bun run src/main.ts calibrate --markets FILE --prices FILE [--json OUT] [--split-sec S] [--warmup-sec N]

Replays an underlying price series second by second through the market maker's fair value and
scores P(Up) against each resolved market's real outcome, beside a Black–Scholes digital with
the previous hour's realised volatility and the 0.5 coin flip.

  --markets FILE    gamma markets JSONL (.gz ok): slug, start_sec, end_sec, resolved,
                    outcome_prices, strike_value, raw.resolutionSource
  --prices FILE     price CSV (.gz ok) with feed_ts_ms and full_accuracy_value/value
  --json OUT        also write the report as JSON: { markets, seconds, brier, logLoss,
                    baselineBrier, baselineLogLoss, coinFlip, byMinuteLeft, halves,
                    halvesByMinuteLeft, reliability, skipped, settings }
  --split-sec S     held-out split, epoch seconds (default: middle of the price series)
  --warmup-sec N    price history required before scoring (default 3600)

example:
  bun run src/main.ts calibrate \\
    --markets ../shared/data/gamma/ligengxin_BTC-5m-markets-2026-06-08.jsonl.gz \\
    --prices ../shared/data/rtds/ligengxin_BTCUSD-chainlink-prices-2026-06-08.csv.gz --json cal.json`;

interface Args {
  markets: string;
  prices: string;
  json: string | undefined;
  splitSec: number | undefined;
  warmupSec: number | undefined;
}

function parseArgs(argv: readonly string[]): Args | string {
  const out: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) return `${flag} needs a value`;
    i++;
    switch (flag) {
      case "--markets":
        out.markets = value;
        break;
      case "--prices":
        out.prices = value;
        break;
      case "--json":
        out.json = value;
        break;
      case "--split-sec":
      case "--warmup-sec": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0) return `${flag} must be a non-negative integer, got "${value}"`;
        if (flag === "--split-sec") out.splitSec = n;
        else out.warmupSec = n;
        break;
      }
      default:
        return `unknown flag ${flag}`;
    }
  }
  if (!out.markets) return "--markets FILE is required";
  if (!out.prices) return "--prices FILE is required";
  return { markets: out.markets, prices: out.prices, json: out.json, splitSec: out.splitSec, warmupSec: out.warmupSec };
}

async function readText(path: string): Promise<string> {
  const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
  const gz = bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new TextDecoder().decode(gz ? Bun.gunzipSync(bytes) : bytes);
}

const f5 = (x: number) => (Number.isFinite(x) ? x.toFixed(5) : "  n/a");
const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : " n/a");

function row(label: string, s: Scores): string {
  const d = s.brier - s.baselineBrier;
  const mark = d < 0 ? "better" : "worse";
  return `${label.padEnd(14)} ${String(s.seconds).padStart(6)}  ${f5(s.brier)} ${f5(s.baselineBrier)}  ${f4(s.logLoss)} ${f4(s.baselineLogLoss)}  ${(d >= 0 ? "+" : "") + d.toFixed(5)} ±${f5(s.brierDiffSe)} ${mark}`;
}

export function formatReport(r: CalibrationReport): string {
  const lines = [
    `markets scored ${r.markets}, seconds ${r.seconds} (skipped: ${r.skipped.unresolved} unresolved, ${r.skipped.noStrike} without strike, ${r.skipped.outsideSeries} outside the series, ${r.skipped.warmupSeconds} warm-up seconds)`,
    "",
    "               seconds  Brier   baseline  logloss baseline  ΔBrier ± SE (by market)",
    row("all", r),
    ...r.byMinuteLeft.map((m) => row(`${m.minuteLeft} min left`, m)),
    ...r.halves.map((h) => row(`${h.half} half`, h)),
    "",
    `coin flip: Brier ${r.coinFlip.brier.toFixed(5)}, log loss ${r.coinFlip.logLoss.toFixed(4)}`,
  ];
  for (const h of r.halvesByMinuteLeft) {
    lines.push("", `${h.half} half by minute left:`, ...h.byMinuteLeft.map((m) => row(`${m.minuteLeft} min left`, m)));
  }
  return lines.join("\n");
}

export const command: CliCommand = {
  name: "calibrate",
  summary: "score the fair-value model against real resolved markets",
  help: HELP,
  async run(argv) {
    const args = parseArgs(argv);
    if (typeof args === "string") {
      console.error(`calibrate: ${args}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    for (const path of [args.markets, args.prices]) {
      if (!(await Bun.file(path).exists())) {
        console.error(`calibrate: no such file: ${path}`);
        return EXIT.USAGE;
      }
    }
    const { markets, badLines } = parseMarketsJsonl(await readText(args.markets));
    const series = parsePriceCsv(await readText(args.prices));
    if (series.secs.length === 0) {
      console.error(`calibrate: no prices in ${args.prices}`);
      return EXIT.USAGE;
    }
    const report = runCalibration(markets, series, {
      ...(args.splitSec !== undefined ? { splitSec: args.splitSec } : {}),
      ...(args.warmupSec !== undefined ? { warmupSec: args.warmupSec } : {}),
    });
    if (badLines > 0) console.error(`calibrate: skipped ${badLines} unreadable market lines`);
    console.log(formatReport(report));
    if (args.json) {
      await Bun.write(args.json, `${JSON.stringify(report, null, 1)}\n`);
      console.log(`\nwrote ${args.json}`);
    }
    return EXIT.OK;
  },
};
