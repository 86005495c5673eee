/**
 * `bun bench [filter...] [--quick] [--save-baseline] [--json <path>]`
 *
 * Discovers `bench/*.bench.ts` (a filter keeps files whose topic contains any filter word:
 * `bun bench sign book`), runs each file's default export with a BenchContext, prints one
 * table row per result (p50, p99, throughput, budget, last baseline, ratio vs reference) and
 * exits 1 if any budget breaks or any bench throws, 2 on bad usage. See docs/bench.md.
 */
import os from "node:os";
import path from "node:path";
import { BenchContext, type BenchResult } from "./harness.ts";
import {
  type Baseline,
  baselineKey,
  type Budgets,
  checkResult,
  describeBudget,
  formatNs,
  formatRate,
  mergeBaseline,
  parseBaseline,
  parseBudgets,
  type Verdict,
} from "./budgets.ts";

const HELP = `usage: bun bench [filter...] [--quick] [--save-baseline] [--json <path>]

  filter           run only bench/<topic>.bench.ts whose topic contains a filter word
  --quick          ~10x fewer iterations (smoke run; numbers are noisier)
  --save-baseline  write this run's numbers into bench/baseline.json (merged by bench name)
  --json <path>    also write the raw results as JSON
exit: 0 all budgets hold · 1 a budget broke or a bench failed · 2 bad usage`;

interface Args {
  readonly filters: readonly string[];
  readonly quick: boolean;
  readonly saveBaseline: boolean;
  readonly json: string | undefined;
  readonly help: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const filters: string[] = [];
  let quick = false;
  let saveBaseline = false;
  let json: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!; // i < length
    if (a === "--quick") quick = true;
    else if (a === "--save-baseline") saveBaseline = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--json") {
      json = argv[++i];
      if (json === undefined) return "--json needs a path";
    } else if (a.startsWith("-")) return `unknown flag ${a}`;
    else filters.push(a);
  }
  return { filters, quick: quick || process.env.BENCH_QUICK === "1", saveBaseline, json, help };
}

async function discover(dir: string, filters: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for await (const f of new Bun.Glob("*.bench.ts").scan({ cwd: dir })) files.push(f);
  files.sort();
  const topic = (f: string): string => f.slice(0, -".bench.ts".length);
  return filters.length === 0 ? files : files.filter((f) => filters.some((w) => topic(f).includes(w)));
}

async function readOptional<T>(file: string, parse: (text: string) => T): Promise<T | undefined> {
  const f = Bun.file(file);
  if (!(await f.exists())) return undefined;
  return parse(await f.text());
}

function hostInfo(): Baseline["host"] {
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    bun: Bun.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function baselineCell(b: Baseline | undefined, r: BenchResult): string {
  const m = b?.results[baselineKey(r)];
  if (!m) return "";
  if (m.p50Ns !== undefined && m.p99Ns !== undefined) return `${formatNs(m.p50Ns)} / ${formatNs(m.p99Ns)}`;
  if (m.perSec !== undefined) return `${formatRate(m.perSec)}/s`;
  return m.p99Ns !== undefined ? `p99 ${formatNs(m.p99Ns)}` : "";
}

function throughputCell(r: BenchResult): string {
  if (r.perSec === undefined) return "";
  return `${formatRate(r.perSec)} ${r.unit ?? "op"}/s`;
}

function ratioCell(r: BenchResult): string {
  if (r.ratio === undefined || !r.reference) return "";
  return `${r.ratio.toFixed(2)}× ${r.reference.name}`;
}

function statusCell(v: Verdict): string {
  switch (v.status) {
    case "ok":
      return "ok";
    case "no-budget":
      return "-";
    case "breach":
      return "BREACH";
    case "error":
      return "ERROR";
  }
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))); // header row exists
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function render(results: readonly BenchResult[], verdicts: readonly Verdict[], budgets: Budgets, baseline: Baseline | undefined): string {
  const header = ["bench", "p50", "p99", "throughput", "budget", "baseline p50/p99", "vs reference", "status"];
  const rows = results.map((r, i) => [
    `${r.file ? `${r.file}/` : ""}${r.name}`,
    r.p50Ns !== undefined ? formatNs(r.p50Ns) : "",
    r.p99Ns !== undefined ? formatNs(r.p99Ns) : "",
    throughputCell(r),
    r.budget !== undefined ? `${r.budget}: ${describeBudget(budgets.get(r.budget))}` : "",
    baselineCell(baseline, r),
    ratioCell(r),
    statusCell(verdicts[i]!), // same length as results
  ]);
  return table([header, ...rows]);
}

/** Runs the suite in `dir` (bench/ by default; tests pass a temp dir). Returns the exit code. */
export async function runBench(argv: readonly string[], dir: string = import.meta.dir): Promise<number> {
  const BUDGETS_PATH = path.join(dir, "budgets.json");
  const BASELINE_PATH = path.join(dir, "baseline.json");
  const LAST_PATH = path.join(dir, ".last", "results.json");
  const args = parseArgs(argv);
  if (typeof args === "string") {
    console.error(`${args}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  let budgets: Budgets;
  let baseline: Baseline | undefined;
  try {
    budgets = (await readOptional(BUDGETS_PATH, parseBudgets)) ?? new Map();
    baseline = await readOptional(BASELINE_PATH, parseBaseline);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const files = await discover(dir, args.filters);
  if (files.length === 0) {
    console.error(args.filters.length ? `no bench file matches ${args.filters.join(", ")}` : "no bench/*.bench.ts files");
    return 2;
  }

  const host = hostInfo();
  console.log(`bench: ${files.length} file(s) on ${host.cpu} ×${host.cores}, bun ${host.bun}${args.quick ? " (quick)" : ""}`);
  const results: BenchResult[] = [];
  for (const file of files) {
    const topic = file.slice(0, -".bench.ts".length);
    const ctx = new BenchContext({
      quick: args.quick,
      onResult: (r) => {
        r.file = topic;
        const line =
          r.error !== undefined
            ? `ERROR ${r.error}`
            : [
                r.p50Ns !== undefined && `p50 ${formatNs(r.p50Ns)}`,
                r.p99Ns !== undefined && `p99 ${formatNs(r.p99Ns)}`,
                throughputCell(r),
                ratioCell(r),
              ]
                .filter(Boolean)
                .join("  ");
        console.log(`  ${topic}/${r.name}: ${line}`);
      },
    });
    try {
      const mod = (await import(path.join(dir, file))) as { default?: unknown };
      if (typeof mod.default !== "function") throw new Error(`${file} has no default export function (b: BenchContext) => Promise<void>`);
      await (mod.default as (b: BenchContext) => unknown)(ctx);
      await ctx.drain();
    } catch (e) {
      await ctx.drain();
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      ctx.results.push({ name: "(file)", kind: "report", error, file: topic });
      console.log(`  ${topic}: ERROR ${error}`);
    }
    results.push(...ctx.results);
  }

  const verdicts = results.map((r) => checkResult(r, budgets));
  console.log(`\n${render(results, verdicts, budgets, baseline)}`);
  let failures = 0;
  verdicts.forEach((v, i) => {
    if (v.status === "breach" || v.status === "error") {
      failures++;
      const r = results[i]!; // same length
      console.log(`${v.status === "breach" ? "BREACH" : "ERROR"} ${r.file}/${r.name}: ${v.reasons.join("; ")}`);
    }
  });

  const payload = JSON.stringify({ host, quick: args.quick, results }, null, 2);
  await Bun.write(LAST_PATH, payload);
  if (args.json !== undefined) await Bun.write(args.json, payload);
  if (args.saveBaseline) {
    if (args.quick) console.log("note: saving a baseline from a --quick run; its numbers are noisier");
    await Bun.write(BASELINE_PATH, `${JSON.stringify(mergeBaseline(baseline, results, host, new Date().toISOString()), null, 2)}\n`);
    console.log(`baseline written: ${path.relative(process.cwd(), BASELINE_PATH)}`);
  }
  console.log(
    failures === 0
      ? `\nbench: ${results.length} result(s), all budgets hold`
      : `\nbench: ${failures} of ${results.length} result(s) broke a budget or failed`,
  );
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) process.exit(await runBench(process.argv.slice(2)));
