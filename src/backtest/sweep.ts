/**
 * Parameter sweeps: `--sweep KEY=v1,v2 …` → the grid (cartesian product, in the order the
 * keys were given), each point run as its own backtest, spread over worker threads (Bun
 * Workers, one per core by default: the data is loaded once per worker), then one table
 * sorted by total P&L with drawdown and mark-out beside it.
 *
 * A key is a configuration key (`MM_BASE_SPREAD`, `MM_REQUOTE_THRESHOLD`, … see
 * docs/config.md) or a venue setting named like its flag: `latency-ms`, `cancel-latency-ms`,
 * `response-latency-ms`, `feed-latency-ms`, `queue`.
 */
import { availableParallelism } from "node:os";
import type { ConfigKey } from "../config.ts";
import type { BacktestSettings } from "./engine.ts";
import type { BotKind } from "./session.ts";

export const VENUE_KEYS = ["latency-ms", "cancel-latency-ms", "response-latency-ms", "feed-latency-ms", "queue"] as const;
export type VenueKey = (typeof VENUE_KEYS)[number];

export interface SweepAxis {
  readonly key: string;
  readonly values: readonly string[];
}

export type SweepPoint = readonly (readonly [string, string])[];

/** "KEY=v1,v2" → axis; a string error for a malformed one. */
export function parseSweepArg(text: string): SweepAxis | string {
  const eq = text.indexOf("=");
  if (eq <= 0) return `--sweep expects KEY=v1,v2,…, got ${JSON.stringify(text)}`;
  const key = text.slice(0, eq).trim();
  const values = text
    .slice(eq + 1)
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
  if (values.length === 0) return `--sweep ${key}: no values`;
  return { key, values };
}

/** Every combination, first axis slowest. */
export function sweepGrid(axes: readonly SweepAxis[]): SweepPoint[] {
  let points: [string, string][][] = [[]];
  for (const a of axes) points = points.flatMap((p) => a.values.map((v) => [...p, [a.key, v] as [string, string]]));
  return points;
}

/** Applies a point's venue keys to the settings and returns its configuration overrides. */
export function applyPoint(
  point: SweepPoint,
  base: Omit<BacktestSettings, "bot" | "marketsSource">,
): { settings: Omit<BacktestSettings, "bot" | "marketsSource">; overrides: Partial<Record<ConfigKey, string>> } | string {
  let s = base;
  const overrides: Partial<Record<ConfigKey, string>> = {};
  for (const [k, v] of point) {
    const n = Number(v);
    switch (k as VenueKey) {
      case "latency-ms":
      case "cancel-latency-ms":
      case "response-latency-ms":
      case "feed-latency-ms": {
        if (!(n >= 0)) return `--sweep ${k}: ${JSON.stringify(v)} is not a number of ms ≥ 0`;
        if (k === "latency-ms") s = { ...s, exchange: { ...s.exchange, orderLatencyMs: n, cancelLatencyMs: n, responseLatencyMs: n } };
        else if (k === "cancel-latency-ms") s = { ...s, exchange: { ...s.exchange, cancelLatencyMs: n } };
        else if (k === "response-latency-ms") s = { ...s, exchange: { ...s.exchange, responseLatencyMs: n } };
        else s = { ...s, replay: { ...s.replay, feedLatencyMs: n } };
        break;
      }
      case "queue":
        if (v !== "worst_case" && v !== "pro_rata") return `--sweep queue: worst_case or pro_rata, got ${JSON.stringify(v)}`;
        s = { ...s, exchange: { ...s.exchange, fill: { ...s.exchange.fill, queueCancelRule: v } } };
        break;
      default:
        overrides[k as ConfigKey] = v;
    }
  }
  return { settings: s, overrides };
}

/** What one grid point measured (totals over every market). */
export interface SweepResult {
  readonly point: SweepPoint;
  readonly ok: boolean;
  readonly error: string;
  readonly totalE6: number;
  readonly spreadE6: number;
  readonly feesE6: number;
  readonly maxDrawdownE6: number;
  readonly adverse10sE6: number;
  readonly markout10sE4: number;
  readonly fills: number;
  readonly volumeE6: number;
}

/** A job for a worker: everything it needs, structured-clone safe. */
export interface SweepJob {
  readonly id: number;
  readonly data: string;
  readonly marketsFile: string;
  readonly bot: BotKind;
  readonly point: SweepPoint;
  readonly base: Omit<BacktestSettings, "bot" | "marketsSource">;
  readonly overrides: Partial<Record<ConfigKey, string>>;
  readonly env: Readonly<Record<string, string>>;
}

/** Runs every job on `workers` threads; results in job order. */
export async function runSweep(jobs: readonly SweepJob[], workers = availableParallelism()): Promise<SweepResult[]> {
  const results: SweepResult[] = new Array(jobs.length);
  const n = Math.max(1, Math.min(workers, jobs.length));
  let next = 0;
  const url = new URL("./sweep-worker.ts", import.meta.url).href;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const w = new Worker(url);
      try {
        for (;;) {
          const k = next++;
          const job = jobs[k];
          if (!job) break;
          results[k] = await new Promise<SweepResult>((resolve, reject) => {
            w.onmessage = (e: MessageEvent<SweepResult>) => resolve(e.data);
            w.onerror = (e: ErrorEvent) => reject(new Error(`sweep worker: ${e.message}`));
            w.postMessage(job);
          });
        }
      } finally {
        w.terminate();
      }
    }),
  );
  return results;
}

const usd = (e6: number): string => (e6 / 1e6).toFixed(2);

/** The table, best total P&L first (ties by the point's text, for a stable order). */
export function formatSweep(results: readonly SweepResult[], baseline: SweepResult | undefined): string {
  const key = (r: SweepResult): string => r.point.map(([k, v]) => `${k}=${v}`).join(" ");
  const sorted = [...results].sort((a, b) => (a.ok !== b.ok ? (a.ok ? -1 : 1) : b.totalE6 - a.totalE6 || (key(a) < key(b) ? -1 : 1)));
  const w = Math.max(10, ...sorted.map((r) => key(r).length));
  const lines = [
    `${"point".padEnd(w)}  ${["total$", "spread$", "fees$", "max_dd$", "adv10s$", "mo10s¢", "fills", "vol_sh"].map((h) => h.padStart(9)).join(" ")}`,
  ];
  const row = (name: string, r: SweepResult): string =>
    r.ok
      ? `${name.padEnd(w)}  ${[usd(r.totalE6), usd(r.spreadE6), usd(-r.feesE6), usd(r.maxDrawdownE6), usd(r.adverse10sE6), Number.isFinite(r.markout10sE4) ? (r.markout10sE4 / 100).toFixed(2) : "-", String(r.fills), (r.volumeE6 / 1e6).toFixed(2)].map((c) => c.padStart(9)).join(" ")}`
      : `${name.padEnd(w)}  failed: ${r.error}`;
  for (const r of sorted) lines.push(row(key(r), r));
  if (baseline) lines.push(row("(naive baseline)".padEnd(w), baseline));
  lines.push(
    "total = P&L after fees and rebates; max_dd = largest peak-to-trough of equity; adv10s = adverse selection at 10 s; mo10s = mark-out per share at 10 s (¢)",
  );
  return lines.join("\n");
}
