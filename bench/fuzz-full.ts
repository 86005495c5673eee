/**
 * The full hostile-input run (issue #10 item 3): at least 100,000 generated inputs per parser
 * and per simulator endpoint group, with the same targets and oracles as test/fuzz (which
 * runs FUZZ_RUNS per target in CI). Prints inputs, failures and time per target, then the
 * totals; exits 1 on any failure.
 *
 *   bun run bench/fuzz-full.ts [--inputs 100000] [--seed N] [--only <substring>]
 *
 * An endpoint run sends a batch of 1–8 hostile requests or frames and then a valid one, so
 * its input count is requests/frames sent, not property runs. A target that fails stops at
 * its first counterexample (printed, shrunk).
 */
import { parseArgs } from "node:util";
import { endpointTargets } from "../test/fuzz/endpoint-targets.ts";
import { type FuzzReport, type FuzzTarget, loadCorpus, runTarget } from "../test/fuzz/fuzz-kit.ts";
import { parserTargets } from "../test/fuzz/parser-targets.ts";
import { startSimFixture } from "../test/fuzz/sim-fixture.ts";

const { values } = parseArgs({
  options: { inputs: { type: "string", default: "100000" }, seed: { type: "string", default: "1" }, only: { type: "string" } },
});
const want = Number(values.inputs);
const seed0 = Number(values.seed);

async function runUntil(t: FuzzTarget<unknown>, inputs: number): Promise<FuzzReport> {
  let total = { name: t.name, inputs: 0, runs: 0, failures: 0, ms: 0 } as FuzzReport;
  // Chunks with fresh seeds: progress is visible and the count is reached exactly enough.
  for (let chunk = 0; total.inputs < inputs && total.failures === 0; chunk++) {
    const perRun = chunk === 0 ? 1 : Math.max(1, total.inputs / total.runs);
    const runs = Math.max(50, Math.min(20_000, Math.ceil((inputs - total.inputs) / perRun)));
    const r = await runTarget(t, runs, seed0 * 1_000 + chunk);
    total = {
      name: t.name,
      inputs: total.inputs + r.inputs,
      runs: total.runs + r.runs,
      failures: r.failures,
      ms: total.ms + r.ms,
      ...(r.counterexample ? { counterexample: r.counterexample } : {}),
    };
    process.stderr.write(`  ${t.name}: ${total.inputs} inputs, ${Math.round(total.ms / 1000)} s\n`);
  }
  return total;
}

const reports: FuzzReport[] = [];
const corpus = await loadCorpus();
const fx = await startSimFixture();
try {
  for (const t of [...parserTargets(corpus), ...endpointTargets(fx)]) {
    if (values.only && !t.name.includes(values.only)) continue;
    const r = await runUntil(t, want);
    reports.push(r);
    console.log(
      `${r.failures === 0 ? "ok  " : "FAIL"}  ${r.name.padEnd(44)} ${String(r.inputs).padStart(9)} inputs  ${String(r.runs).padStart(8)} runs  ${(r.ms / 1000).toFixed(1).padStart(7)} s  crashes ${r.failures}`,
    );
    if (r.counterexample) console.log(`      ${r.counterexample.replace(/\n/g, "\n      ")}`);
  }
} finally {
  await fx.stop();
}
const inputs = reports.reduce((a, r) => a + r.inputs, 0);
const failed = reports.filter((r) => r.failures > 0);
console.log(
  `\n${reports.length} targets, ${inputs} inputs, ${failed.length} failing, minimum per target ${Math.min(...reports.map((r) => r.inputs))}`,
);
process.exit(failed.length === 0 ? 0 : 1);
