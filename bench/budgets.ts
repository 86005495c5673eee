/**
 * Budgets and baselines for the bench gate (pure: text in, values out; the runner does I/O).
 *
 * `bench/budgets.json` maps a budget key to limits; keys starting with "_" are comments.
 *   { "book.apply": { "p99Ns": 2000, "minPerSec": 2000000, "maxRatio": 0.5, "note": "why" } }
 * - p50Ns / p99Ns: maximum per-call latency in ns.
 * - minPerSec: minimum throughput (units per second; calls per second for a latency bench).
 * - maxRatio: maximum ours/reference time ratio (< 1 means we must beat the reference).
 * - note: why this number (required, so a budget is never a magic constant).
 *
 * `bench/baseline.json` holds the numbers of the last `--save-baseline` run, keyed "<topic>/<name>".
 */
import type { BenchResult, Measured } from "./harness.ts";

export interface BudgetSpec {
  readonly p50Ns?: number;
  readonly p99Ns?: number;
  readonly minPerSec?: number;
  readonly maxRatio?: number;
  readonly note: string;
}

export type Budgets = ReadonlyMap<string, BudgetSpec>;

const LIMIT_FIELDS = ["p50Ns", "p99Ns", "minPerSec", "maxRatio"] as const;

/** Parses and validates budgets.json text; throws an Error naming the key and field on a bad shape. */
export function parseBudgets(text: string): Budgets {
  const raw: unknown = JSON.parse(text);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error("budgets.json: top level must be an object");
  const out = new Map<string, BudgetSpec>();
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith("_")) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`budgets.json: "${key}" must be an object`);
    const v = value as Record<string, unknown>;
    for (const f of Object.keys(v)) {
      if (f !== "note" && !(LIMIT_FIELDS as readonly string[]).includes(f)) {
        throw new Error(`budgets.json: "${key}" has unknown field "${f}" (allowed: ${LIMIT_FIELDS.join(", ")}, note)`);
      }
    }
    if (typeof v.note !== "string" || v.note.trim() === "") throw new Error(`budgets.json: "${key}" needs a "note" saying why the number`);
    const spec: { -readonly [K in keyof BudgetSpec]: BudgetSpec[K] } = { note: v.note };
    let limits = 0;
    for (const f of LIMIT_FIELDS) {
      const x = v[f];
      if (x === undefined) continue;
      if (typeof x !== "number" || !Number.isFinite(x) || x <= 0)
        throw new Error(`budgets.json: "${key}".${f} must be a positive number, got ${JSON.stringify(x)}`);
      spec[f] = x;
      limits++;
    }
    if (limits === 0) throw new Error(`budgets.json: "${key}" sets no limit (one of ${LIMIT_FIELDS.join(", ")})`);
    out.set(key, spec);
  }
  return out;
}

export type Verdict =
  | { readonly status: "ok" }
  | { readonly status: "no-budget" }
  | { readonly status: "breach"; readonly reasons: readonly string[] }
  | { readonly status: "error"; readonly reasons: readonly string[] };

/** Checks one result against its budget; an unknown key or a failed bench is an error. */
export function checkResult(r: BenchResult, budgets: Budgets): Verdict {
  if (r.error !== undefined) return { status: "error", reasons: [r.error] };
  if (r.budget === undefined) return { status: "no-budget" };
  const b = budgets.get(r.budget);
  if (!b) return { status: "error", reasons: [`unknown budget key "${r.budget}" (add it to bench/budgets.json)`] };
  const reasons: string[] = [];
  const need = (field: string, have: number | undefined): number | undefined => {
    if (have === undefined) reasons.push(`budget sets ${field} but the bench did not measure it`);
    return have;
  };
  if (b.p50Ns !== undefined) {
    const v = need("p50Ns", r.p50Ns);
    if (v !== undefined && v > b.p50Ns) reasons.push(`p50 ${formatNs(v)} > ${formatNs(b.p50Ns)}`);
  }
  if (b.p99Ns !== undefined) {
    const v = need("p99Ns", r.p99Ns);
    if (v !== undefined && v > b.p99Ns) reasons.push(`p99 ${formatNs(v)} > ${formatNs(b.p99Ns)}`);
  }
  if (b.minPerSec !== undefined) {
    const v = need("minPerSec", r.perSec);
    if (v !== undefined && v < b.minPerSec) reasons.push(`${formatRate(v)}/s < ${formatRate(b.minPerSec)}/s`);
  }
  if (b.maxRatio !== undefined) {
    const v = need("maxRatio", r.ratio);
    if (v !== undefined && v > b.maxRatio) reasons.push(`ratio ${v.toFixed(2)}× > ${b.maxRatio}×`);
  }
  return reasons.length === 0 ? { status: "ok" } : { status: "breach", reasons };
}

export function describeBudget(b: BudgetSpec | undefined): string {
  if (!b) return "";
  const parts: string[] = [];
  if (b.p50Ns !== undefined) parts.push(`p50≤${formatNs(b.p50Ns)}`);
  if (b.p99Ns !== undefined) parts.push(`p99≤${formatNs(b.p99Ns)}`);
  if (b.minPerSec !== undefined) parts.push(`≥${formatRate(b.minPerSec)}/s`);
  if (b.maxRatio !== undefined) parts.push(`≤${b.maxRatio}×ref`);
  return parts.join(" ");
}

// ── baseline ────────────────────────────────────────────────────────────────

export interface Baseline {
  readonly version: 1;
  readonly savedAt: string;
  readonly host: { readonly cpu: string; readonly cores: number; readonly bun: string; readonly platform: string };
  readonly results: Readonly<Record<string, Measured>>;
}

export function parseBaseline(text: string): Baseline {
  const raw = JSON.parse(text) as Partial<Baseline>;
  if (raw.version !== 1 || typeof raw.results !== "object" || raw.results === null)
    throw new Error("baseline.json: expected { version: 1, results: {...} }");
  return raw as Baseline;
}

/** Merges this run's numbers into the previous baseline (a filtered run updates only its own rows). */
export function mergeBaseline(
  prev: Baseline | undefined,
  results: readonly BenchResult[],
  host: Baseline["host"],
  savedAt: string,
): Baseline {
  const merged: Record<string, Measured> = { ...(prev?.results ?? {}) };
  for (const r of results) {
    if (r.error !== undefined) continue;
    merged[baselineKey(r)] = {
      ...(r.p50Ns !== undefined && { p50Ns: round3(r.p50Ns) }),
      ...(r.p99Ns !== undefined && { p99Ns: round3(r.p99Ns) }),
      ...(r.perSec !== undefined && { perSec: round3(r.perSec) }),
    };
  }
  return { version: 1, savedAt, host, results: merged };
}

/** Baseline rows are keyed "<topic>/<bench name>" so two files may reuse a name. */
export function baselineKey(r: Pick<BenchResult, "file" | "name">): string {
  return r.file !== undefined ? `${r.file}/${r.name}` : r.name;
}

function round3(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(4)) : x;
}

// ── formatting ──────────────────────────────────────────────────────────────

export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns < 1_000) return `${ns.toFixed(0)} ns`;
  if (ns < 1_000_000) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return String(perSec);
  if (perSec >= 1e9) return `${(perSec / 1e9).toFixed(2)}G`;
  if (perSec >= 1e6) return `${(perSec / 1e6).toFixed(2)}M`;
  if (perSec >= 1e3) return `${(perSec / 1e3).toFixed(1)}k`;
  return perSec.toFixed(1);
}
