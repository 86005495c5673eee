/**
 * A sweep worker thread (Bun Worker): receives `SweepJob`s, runs each as one backtest over
 * data it loaded once, posts back a `SweepResult`. Errors are answered as results, so one
 * bad point does not stop the grid.
 */
import { buildReport } from "./report.ts";
import { type LoadedData, backtestConfig, loadData, runSession } from "./session.ts";
import { applyPoint, type SweepJob, type SweepResult } from "./sweep.ts";

declare const self: Worker;

let cached: { key: string; data: Promise<LoadedData> } | undefined;

async function run(job: SweepJob): Promise<SweepResult> {
  const key = `${job.data}\u0000${job.marketsFile}`;
  if (cached?.key !== key) cached = { key, data: loadData(job.data, job.marketsFile === "" ? undefined : job.marketsFile) };
  const data = await cached.data;
  const applied = applyPoint(job.point, job.base);
  if (typeof applied === "string") throw new RangeError(applied);
  const config = backtestConfig(job.env, { ...job.overrides, ...applied.overrides });
  const [r] = runSession(data, [job.bot], applied.settings, config);
  if (!r) throw new RangeError("no run");
  const t = buildReport(r.outcome.record).total;
  return {
    point: job.point,
    ok: true,
    error: "",
    totalE6: t.pnl.totalE6,
    spreadE6: t.pnl.spreadE6,
    feesE6: t.pnl.feesE6,
    maxDrawdownE6: t.maxDrawdownE6,
    adverse10sE6: t.pnl.adverseE6[1] ?? 0,
    markout10sE4: t.markoutCurveE4[4] ?? Number.NaN,
    fills: t.fills,
    volumeE6: t.volumeE6,
  };
}

self.onmessage = (e: MessageEvent<SweepJob>) => {
  const job = e.data;
  run(job).then(
    (r) => self.postMessage(r),
    (err: unknown) =>
      self.postMessage({
        point: job.point,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        totalE6: 0,
        spreadE6: 0,
        feesE6: 0,
        maxDrawdownE6: 0,
        adverse10sE6: 0,
        markout10sE4: Number.NaN,
        fills: 0,
        volumeE6: 0,
      } satisfies SweepResult),
  );
};
