import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { checkResult, mergeBaseline, parseBudgets } from "../../../bench/budgets.ts";
import { BenchContext, type BenchResult, computeStats } from "../../../bench/harness.ts";
import { runBench } from "../../../bench/run.ts";

const FAST = { iterations: 300, warmup: 10 } as const;
const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function spin(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i);
  return s;
}

test("computeStats gives exact nearest-rank percentiles", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 500 }), (xs) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * xs.length) - 1)]!;
      const s = computeStats(Float64Array.from(xs), xs.length);
      expect(s.n).toBe(xs.length);
      expect(s.p50Ns).toBe(rank(0.5));
      expect(s.p99Ns).toBe(rank(0.99));
      expect(s.maxNs).toBe(sorted[sorted.length - 1]!);
      expect(Math.abs(s.meanNs - xs.reduce((a, b) => a + b, 0) / xs.length)).toBeLessThan(1e-6);
    }),
  );
});

test("a sync latency bench completes before the call returns, with reference and ratio", () => {
  const b = new BenchContext();
  void b.latency("cheap", () => spin(10), { ...FAST, reference: { name: "dear", fn: () => spin(2_000) } });
  expect(b.results).toHaveLength(1);
  const r = b.results[0]!;
  expect(r.error).toBeUndefined();
  expect(r.stats?.n).toBe(300);
  expect(r.reference?.stats?.n).toBe(300);
  expect(r.ratio).toBeLessThan(0.5);
  expect(r.p99Ns).toBeGreaterThanOrEqual(r.p50Ns ?? Number.POSITIVE_INFINITY);
});

test("async functions are awaited per call and queued calls never overlap", async () => {
  const b = new BenchContext();
  let running = 0;
  let maxRunning = 0;
  const asyncFn = async (): Promise<void> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await Promise.resolve();
    running--;
  };
  const p1 = b.latency("async", asyncFn, FAST);
  const p2 = b.latency(
    "sync after async",
    () => {
      expect(running).toBe(0);
      return spin(5);
    },
    FAST,
  );
  const [r1, r2] = await Promise.all([p1, p2]);
  await b.drain();
  expect(maxRunning).toBe(1);
  expect(r1.stats?.n).toBe(300);
  expect(r2.stats?.n).toBe(300);
  expect(b.results.map((r) => r.name)).toEqual(["async", "sync after async"]);
});

test("throughput converts units per call into units per second", async () => {
  const b = new BenchContext();
  const r = await b.throughput("batch", () => spin(100), {
    ...FAST,
    units: 100,
    unit: "op",
    reference: { name: "half", fn: () => spin(50) },
    referenceUnits: 50,
  });
  expect(r.perSec).toBeCloseTo((100 * 1e9) / r.stats!.meanNs, 0);
  expect(r.unit).toBe("op");
  expect(r.ratio).toBeGreaterThan(0);
});

test("a throwing bench becomes an error result, not a rejection", async () => {
  const b = new BenchContext();
  const r = await b.latency(
    "boom",
    () => {
      throw new Error("fixture missing");
    },
    FAST,
  );
  expect(r.error).toContain("fixture missing");
  const r2 = await b.latency("async boom", () => Promise.reject(new Error("late")), FAST);
  expect(r2.error).toContain("late");
  expect(checkResult(r, new Map()).status).toBe("error");
});

test("report records external numbers and derives the ratio", () => {
  const b = new BenchContext();
  const r = b.report("rt", { p50Ns: 50_000, p99Ns: 90_000 }, { budget: "x", reference: { name: "sdk", p50Ns: 100_000 } });
  expect(r.ratio).toBe(0.5);
  expect(b.results).toEqual([r]);
});

test("budgets.json is validated with messages naming key and field", () => {
  expect(() => parseBudgets(`{"a": {"p99Ns": 5}}`)).toThrow(/"a" needs a "note"/);
  expect(() => parseBudgets(`{"a": {"p99": 5, "note": "n"}}`)).toThrow(/unknown field "p99"/);
  expect(() => parseBudgets(`{"a": {"p99Ns": -1, "note": "n"}}`)).toThrow(/"a".p99Ns must be a positive number/);
  expect(() => parseBudgets(`{"a": {"note": "n"}}`)).toThrow(/sets no limit/);
  const b = parseBudgets(`{"_doc": "x", "a": {"p99Ns": 2000, "minPerSec": 1000, "maxRatio": 0.5, "note": "n"}}`);
  expect([...b.keys()]).toEqual(["a"]);
});

test("checkResult flags each breached limit, unknown keys and unmeasured limits", () => {
  const budgets = parseBudgets(`{"a": {"p50Ns": 100, "p99Ns": 2000, "minPerSec": 1000, "maxRatio": 0.5, "note": "n"}}`);
  const base: BenchResult = { name: "x", kind: "latency", budget: "a", p50Ns: 50, p99Ns: 1500, perSec: 5000, ratio: 0.4 };
  expect(checkResult(base, budgets)).toEqual({ status: "ok" });
  const bad = checkResult({ ...base, p50Ns: 150, p99Ns: 2500, perSec: 10, ratio: 0.9 }, budgets);
  expect(bad.status).toBe("breach");
  expect(bad.status === "breach" && bad.reasons.length).toBe(4);
  expect(checkResult({ ...base, budget: "zzz" }, budgets).status).toBe("error");
  expect(checkResult({ name: "x", kind: "report", budget: "a", p99Ns: 1 }, budgets).status).toBe("breach");
  expect(checkResult({ name: "x", kind: "latency" }, budgets).status).toBe("no-budget");
});

test("mergeBaseline keeps rows of benches that did not run", () => {
  const host = { cpu: "c", cores: 2, bun: "1", platform: "p" };
  const first = mergeBaseline(undefined, [{ name: "a", kind: "latency", file: "t", p50Ns: 10, p99Ns: 20 }], host, "t0");
  const second = mergeBaseline(first, [{ name: "b", kind: "throughput", file: "t", perSec: 5 }], host, "t1");
  expect(second.results).toEqual({ "t/a": { p50Ns: 10, p99Ns: 20 }, "t/b": { perSec: 5 } });
});

test("the runner exits 1 on a broken budget and 0 when budgets hold, and saves a baseline", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-"));
  tmpDirs.push(dir);
  const harness = path.resolve(import.meta.dir, "../../../bench/harness.ts");
  writeFileSync(
    path.join(dir, "t.bench.ts"),
    `import type { BenchContext } from ${JSON.stringify(harness)};
     export default async function (b: BenchContext) {
       let s = 0;
       await b.latency("loop", () => { for (let i = 0; i < 200; i++) s += i; return s; }, { iterations: 200, warmup: 5, budget: "loop" });
     }`,
  );
  const log = console.log;
  console.log = () => {};
  try {
    writeFileSync(path.join(dir, "budgets.json"), `{"loop": {"p50Ns": 1, "note": "impossible"}}`);
    expect(await runBench(["--quick"], dir)).toBe(1);
    writeFileSync(path.join(dir, "budgets.json"), `{"loop": {"p50Ns": 1e9, "note": "generous"}}`);
    expect(await runBench(["--quick", "--save-baseline"], dir)).toBe(0);
    const saved = (await Bun.file(path.join(dir, "baseline.json")).json()) as { results: Record<string, unknown> };
    expect(Object.keys(saved.results)).toEqual(["t/loop"]);
    expect(await runBench(["nomatch"], dir)).toBe(2);
  } finally {
    console.log = log;
  }
});
