/**
 * Bench harness: the `BenchContext` every `bench/<topic>.bench.ts` receives.
 *
 *   export default async function (b: BenchContext): Promise<void> {
 *     await b.latency("book.apply price_change", () => book.apply(delta), {
 *       budget: "book.apply", reference: { name: "Map book", fn: () => naive.apply(delta) } });
 *     await b.throughput("book.deltas", () => applyAll(batch), { units: batch.length, unit: "delta" });
 *     b.report("ws.roundtrip", { p50Ns, p99Ns }, { budget: "ws.roundtrip" });
 *   }
 *
 * Design decisions a reader might question:
 * - Every call is timed on its own with `Bun.nanoseconds()`, so p50/p99 are real per-call
 *   percentiles, not means of batches. The timer's own cost (median of an empty timed
 *   region, ~30 ns here) is measured once and subtracted; calls cheaper than a few timer
 *   costs are therefore noisy in p50/p99 but their throughput (from the mean) stays exact.
 * - Our function and its reference are warmed up, then measured in alternating chunks
 *   (ours, ref, ours, ref, ...) in the same process, so GC, frequency scaling and noisy
 *   neighbours on a 2-core machine hit both sides alike. The ratio is ours/ref in time.
 * - Samples go into a preallocated Float64Array and are sorted once: exact percentiles.
 * - A call with a synchronous `fn` runs immediately when nothing is pending, so a bench file
 *   may mutate its fixtures between calls; `await` each call anyway (async fns need it).
 *   Calls are queued, never run concurrently, and a throw is recorded as a failed result
 *   (the runner exits non-zero) instead of escaping as an unhandled rejection.
 */

export type BenchFn = () => unknown;

export interface Reference {
  readonly name: string;
  readonly fn: BenchFn;
}

export interface LatencyOptions {
  /** Timed calls per side; default: as many as fit in ~0.4 s (clamped to 2,000 … 200,000). */
  readonly iterations?: number;
  /** Untimed calls per side before measuring; default 10% of iterations, at least 200. */
  readonly warmup?: number;
  /** Key in bench/budgets.json. */
  readonly budget?: string;
  readonly reference?: Reference;
}

export interface ThroughputOptions extends LatencyOptions {
  /** Units of work one call of `fn` does (messages, deltas, orders). */
  readonly units: number;
  /** Name of one unit, e.g. "delta" → "deltas/s". */
  readonly unit: string;
  /** Units per call of the reference, when it differs from `units`. */
  readonly referenceUnits?: number;
}

export interface Measured {
  readonly p50Ns?: number;
  readonly p99Ns?: number;
  readonly perSec?: number;
}

export interface ReportOptions {
  readonly budget?: string;
  readonly reference?: Measured & { readonly name: string };
  readonly unit?: string;
}

export interface Stats {
  readonly n: number;
  readonly p50Ns: number;
  readonly p90Ns: number;
  readonly p99Ns: number;
  readonly p999Ns: number;
  readonly maxNs: number;
  readonly meanNs: number;
}

export interface SideResult extends Measured {
  readonly name: string;
  readonly stats?: Stats;
}

export interface BenchResult extends Measured {
  readonly name: string;
  readonly kind: "latency" | "throughput" | "report";
  /** Bench file (topic) that produced it; filled in by the runner. */
  file?: string;
  readonly stats?: Stats;
  readonly unit?: string;
  readonly budget?: string;
  readonly reference?: SideResult;
  /** Ours / reference in time (p50 for latency, time per unit for throughput): < 1 is faster. */
  readonly ratio?: number;
  readonly error?: string;
}

export interface BenchContextOptions {
  /** Scale iteration counts down ~10× for a smoke run (`bun bench --quick`). */
  readonly quick?: boolean;
  /** Called after each result is recorded (the runner prints progress). */
  readonly onResult?: (r: BenchResult) => void;
}

const MIN_ITER = 2_000;
const MAX_ITER = 200_000;
const TARGET_NS = 400e6;
const CHUNKS = 20;

/** Holds what a benchmark returned so the JIT cannot drop the call. */
export let benchSink: unknown;

/** Median cost of an empty `Bun.nanoseconds()` pair, subtracted from every sample. */
function measureTimerOverheadNs(): number {
  const n = 20_001;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = Bun.nanoseconds();
    s[i] = Bun.nanoseconds() - t0;
  }
  s.sort();
  return s[n >> 1] ?? 0;
}

/** Exact percentiles of `samples[0..n)`; sorts that prefix in place. */
export function computeStats(samples: Float64Array, n: number): Stats {
  if (n === 0) return { n: 0, p50Ns: 0, p90Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: 0, meanNs: 0 };
  const s = samples.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!; // i < n = s.length
  const q = (p: number): number => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!; // clamped index
  return { n, p50Ns: q(0.5), p90Ns: q(0.9), p99Ns: q(0.99), p999Ns: q(0.999), maxNs: s[n - 1]!, meanNs: sum / n };
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function";
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Samples of one side, filled chunk by chunk. */
class Side {
  readonly samples: Float64Array;
  filled = 0;
  constructor(
    readonly fn: BenchFn,
    iterations: number,
  ) {
    this.samples = new Float64Array(iterations);
  }
}

export class BenchContext {
  readonly quick: boolean;
  readonly results: BenchResult[] = [];
  private readonly onResult: ((r: BenchResult) => void) | undefined;
  private readonly overheadNs: number;
  private tail: Promise<unknown> | null = null;

  constructor(opts: BenchContextOptions = {}) {
    this.quick = opts.quick ?? false;
    this.onResult = opts.onResult;
    this.overheadNs = measureTimerOverheadNs();
  }

  /** Timer cost subtracted from each sample, ns. */
  get timerOverheadNs(): number {
    return this.overheadNs;
  }

  latency(name: string, fn: BenchFn, opts: LatencyOptions = {}): Promise<BenchResult> {
    return this.schedule(name, "latency", opts.budget, () =>
      this.measure(fn, opts, (ours, ref) => {
        const r: BenchResult = {
          name,
          kind: "latency",
          stats: ours,
          p50Ns: ours.p50Ns,
          p99Ns: ours.p99Ns,
          perSec: ours.meanNs > 0 ? 1e9 / ours.meanNs : Number.POSITIVE_INFINITY,
          unit: "call",
          ...(opts.budget !== undefined && { budget: opts.budget }),
          ...(ref &&
            opts.reference && {
              reference: { name: opts.reference.name, stats: ref, p50Ns: ref.p50Ns, p99Ns: ref.p99Ns, perSec: 1e9 / ref.meanNs },
              ratio: ref.p50Ns > 0 ? ours.p50Ns / ref.p50Ns : ours.meanNs / ref.meanNs,
            }),
        };
        return r;
      }),
    );
  }

  throughput(name: string, fn: BenchFn, opts: ThroughputOptions): Promise<BenchResult> {
    if (!(opts.units > 0)) return this.fail(name, "throughput", opts.budget, `units must be > 0, got ${opts.units}`);
    return this.schedule(name, "throughput", opts.budget, () =>
      this.measure(fn, opts, (ours, ref) => {
        const perSec = (opts.units * 1e9) / ours.meanNs;
        const refPerSec = ref ? ((opts.referenceUnits ?? opts.units) * 1e9) / ref.meanNs : 0;
        const r: BenchResult = {
          name,
          kind: "throughput",
          stats: ours,
          p50Ns: ours.p50Ns,
          p99Ns: ours.p99Ns,
          perSec,
          unit: opts.unit,
          ...(opts.budget !== undefined && { budget: opts.budget }),
          ...(ref &&
            opts.reference && {
              reference: { name: opts.reference.name, stats: ref, p50Ns: ref.p50Ns, p99Ns: ref.p99Ns, perSec: refPerSec },
              ratio: refPerSec / perSec,
            }),
        };
        return r;
      }),
    );
  }

  /** Records numbers measured elsewhere (e.g. a loopback round trip timed by the bench itself). */
  report(name: string, values: Measured, opts: ReportOptions = {}): BenchResult {
    const ref = opts.reference;
    let ratio: number | undefined;
    if (ref) {
      if (values.p50Ns !== undefined && ref.p50Ns !== undefined && ref.p50Ns > 0) ratio = values.p50Ns / ref.p50Ns;
      else if (values.p99Ns !== undefined && ref.p99Ns !== undefined && ref.p99Ns > 0) ratio = values.p99Ns / ref.p99Ns;
      else if (values.perSec !== undefined && ref.perSec !== undefined && values.perSec > 0) ratio = ref.perSec / values.perSec;
    }
    const r: BenchResult = {
      name,
      kind: "report",
      ...values,
      ...(opts.unit !== undefined && { unit: opts.unit }),
      ...(opts.budget !== undefined && { budget: opts.budget }),
      ...(ref && { reference: { ...ref } }),
      ...(ratio !== undefined && { ratio }),
    };
    this.record(r);
    return r;
  }

  /** Resolves when every queued measurement has finished (the runner calls it after each file). */
  async drain(): Promise<void> {
    while (this.tail !== null) await this.tail;
  }

  private record(r: BenchResult): void {
    this.results.push(r);
    this.onResult?.(r);
  }

  private fail(name: string, kind: BenchResult["kind"], budget: string | undefined, error: string): Promise<BenchResult> {
    const r: BenchResult = { name, kind, error, ...(budget !== undefined && { budget }) };
    this.record(r);
    return Promise.resolve(r);
  }

  /**
   * Runs `job` now when the queue is idle (a sync job then completes before this returns),
   * else after the pending ones. Never rejects: a throw becomes a result with `error`.
   */
  private schedule(
    name: string,
    kind: BenchResult["kind"],
    budget: string | undefined,
    job: () => BenchResult | Promise<BenchResult>,
  ): Promise<BenchResult> {
    const settle = (r: BenchResult): BenchResult => {
      this.record(r);
      return r;
    };
    const failed = (e: unknown): BenchResult => settle({ name, kind, error: message(e), ...(budget !== undefined && { budget }) });
    const start = (): BenchResult | Promise<BenchResult> => {
      try {
        const r = job();
        return r instanceof Promise ? r.then(settle, failed) : settle(r);
      } catch (e) {
        return failed(e);
      }
    };
    if (this.tail === null) {
      const r = start();
      if (!(r instanceof Promise)) return Promise.resolve(r);
      return this.track(r);
    }
    return this.track(this.tail.then(start));
  }

  private track(p: Promise<BenchResult>): Promise<BenchResult> {
    const tracked: Promise<BenchResult> = p.finally(() => {
      if (this.tail === tracked) this.tail = null;
    });
    this.tail = tracked;
    return tracked;
  }

  /** Warms up, plans, and measures ours and the reference interleaved; sync when both fns are. */
  private measure(
    fn: BenchFn,
    opts: LatencyOptions,
    build: (ours: Stats, ref: Stats | undefined) => BenchResult,
  ): BenchResult | Promise<BenchResult> {
    const refFn = opts.reference?.fn;
    // First call of each side tells sync from async.
    const t0 = Bun.nanoseconds();
    const first = fn();
    const firstRef = refFn?.();
    if (isThenable(first) || isThenable(firstRef)) {
      return Promise.all([first, firstRef]).then(() => this.measureAsync(fn, refFn, opts, Bun.nanoseconds() - t0, build));
    }
    const firstNs = Bun.nanoseconds() - t0;
    const warm = this.warmupPlan(opts, firstNs);
    for (let i = 0; i < warm; i++) {
      benchSink = fn();
      if (refFn) benchSink = refFn();
    }
    const iterations = this.planSync(opts, fn, refFn);
    const ours = new Side(fn, iterations);
    const ref = refFn ? new Side(refFn, iterations) : undefined;
    const chunk = Math.max(1, Math.ceil(iterations / CHUNKS));
    Bun.gc(true);
    while (ours.filled < iterations) {
      this.runChunkSync(ours, chunk);
      if (ref) this.runChunkSync(ref, chunk);
    }
    return build(computeStats(ours.samples, ours.filled), ref ? computeStats(ref.samples, ref.filled) : undefined);
  }

  private async measureAsync(
    fn: BenchFn,
    refFn: BenchFn | undefined,
    opts: LatencyOptions,
    firstNs: number,
    build: (ours: Stats, ref: Stats | undefined) => BenchResult,
  ): Promise<BenchResult> {
    const warm = this.warmupPlan(opts, firstNs);
    const w0 = Bun.nanoseconds();
    for (let i = 0; i < warm; i++) {
      benchSink = await fn();
      if (refFn) benchSink = await refFn();
    }
    const perPairNs = warm > 0 ? (Bun.nanoseconds() - w0) / warm : firstNs;
    const iterations = this.iterationsFor(opts, perPairNs);
    const ours = new Side(fn, iterations);
    const ref = refFn ? new Side(refFn, iterations) : undefined;
    const chunk = Math.max(1, Math.ceil(iterations / CHUNKS));
    Bun.gc(true);
    while (ours.filled < iterations) {
      await this.runChunkAsync(ours, chunk);
      if (ref) await this.runChunkAsync(ref, chunk);
    }
    return build(computeStats(ours.samples, ours.filled), ref ? computeStats(ref.samples, ref.filled) : undefined);
  }

  private runChunkSync(side: Side, chunk: number): void {
    const { fn, samples } = side;
    const end = Math.min(samples.length, side.filled + chunk);
    const oh = this.overheadNs;
    for (let i = side.filled; i < end; i++) {
      const t0 = Bun.nanoseconds();
      benchSink = fn();
      const dt = Bun.nanoseconds() - t0 - oh;
      samples[i] = dt > 0 ? dt : 0;
    }
    side.filled = end;
  }

  private async runChunkAsync(side: Side, chunk: number): Promise<void> {
    const { fn, samples } = side;
    const end = Math.min(samples.length, side.filled + chunk);
    const oh = this.overheadNs;
    for (let i = side.filled; i < end; i++) {
      const t0 = Bun.nanoseconds();
      benchSink = await fn();
      const dt = Bun.nanoseconds() - t0 - oh;
      samples[i] = dt > 0 ? dt : 0;
    }
    side.filled = end;
  }

  private warmupPlan(opts: LatencyOptions, firstNs: number): number {
    if (opts.warmup !== undefined) return this.quick ? Math.ceil(opts.warmup / 10) : opts.warmup;
    // A slow first call (e.g. 50 ms) must not turn warmup into minutes.
    const byTime = Math.floor((this.quick ? 20e6 : 100e6) / Math.max(1, firstNs));
    return Math.max(this.quick ? 20 : 200, Math.min(this.quick ? 1_000 : 10_000, byTime));
  }

  /** Times a short untimed burst to pick an iteration count that fits the time target. */
  private planSync(opts: LatencyOptions, fn: BenchFn, refFn: BenchFn | undefined): number {
    if (opts.iterations !== undefined) return this.iterationsFor(opts, 0);
    const probe = 200;
    const t0 = Bun.nanoseconds();
    for (let i = 0; i < probe; i++) {
      benchSink = fn();
      if (refFn) benchSink = refFn();
    }
    return this.iterationsFor(opts, (Bun.nanoseconds() - t0) / probe);
  }

  private iterationsFor(opts: LatencyOptions, perPairNs: number): number {
    const scale = this.quick ? 10 : 1;
    if (opts.iterations !== undefined) return Math.max(1, Math.ceil(opts.iterations / scale));
    const fit = Math.floor(TARGET_NS / scale / Math.max(1, perPairNs));
    return Math.max(Math.ceil(MIN_ITER / scale), Math.min(Math.ceil(MAX_ITER / scale), fit));
  }
}
