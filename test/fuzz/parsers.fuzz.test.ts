/**
 * Hostile input against every parser (issue #10 item 3): FUZZ_RUNS inputs per target
 * (default 500 in CI; `bun run bench/fuzz-full.ts` runs ≥ 100,000 each). The oracles are in
 * parser-targets.ts; a failure prints the shrunk counterexample.
 */
import { describe, expect, test } from "bun:test";
import { fuzzRuns, loadCorpus, runTarget } from "./fuzz-kit.ts";
import { parserTargets } from "./parser-targets.ts";

const corpus = await loadCorpus();
const runs = fuzzRuns();

describe("parsers survive hostile input", () => {
  for (const target of parserTargets(corpus)) {
    test(target.name, async () => {
      const r = await runTarget(target, runs);
      if (r.failures > 0) throw new Error(`${r.name}: ${r.counterexample}`);
      expect(r.inputs).toBeGreaterThanOrEqual(runs);
    }, 60_000);
  }
});
