/**
 * Worker thread that checkpoints the journal's WAL on its own SQLite connection, so the
 * checkpoint's fsync (measured from ~6 ms to over 600 ms on a loaded shared disk) never
 * stalls the trading loop. SQLite lets a PASSIVE checkpoint run concurrently with the
 * main thread's writer: it only copies frames already committed.
 *
 * Protocol: the parent posts `{ path, everyMs }` once; the worker answers every checkpoint
 * with `{ ok, durationMs, error }`. `bun build --compile` must list this file as an extra
 * entry point (it is loaded by URL from `journal.ts`).
 */
import { Database } from "bun:sqlite";

declare const self: Worker;

export interface CheckpointerStart {
  readonly path: string;
  readonly everyMs: number;
}

export interface CheckpointerReport {
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error: string;
}

self.onmessage = (e: MessageEvent<CheckpointerStart>) => {
  const { path, everyMs } = e.data;
  const db = new Database(path);
  db.run("PRAGMA busy_timeout = 50");
  setInterval(() => {
    const t0 = performance.now();
    let error = "";
    try {
      db.run("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (x) {
      // Busy or I/O failure: reported to the parent, which keeps it for /healthz.
      error = x instanceof Error ? x.message : String(x);
    }
    const report: CheckpointerReport = { ok: error === "", durationMs: performance.now() - t0, error };
    self.postMessage(report);
  }, everyMs);
};
