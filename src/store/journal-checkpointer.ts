/**
 * WAL checkpoints for the journal, and the worker thread that runs them on its own SQLite
 * connection so the checkpoint's fsync (measured from ~6 ms to over 600 ms on a loaded
 * shared disk) never stalls the trading loop.
 *
 * Why the WAL needs more than a timed PASSIVE checkpoint (measured, docs/journal.md): a
 * PASSIVE checkpoint copies the frames committed before it started, but SQLite restarts the
 * WAL from its first frame only when a writer finds *every* frame copied. Under continuous
 * writes (the accelerated soak: ~30 writes/ms, ~300 MB/s of WAL) frames are always added
 * while the checkpoint runs, so the WAL never restarted and grew to gigabytes; and without
 * `journal_size_limit` a restarted WAL keeps its largest size on disk. So `WalCheckpointer`:
 *   - runs PASSIVE every `everyMs` (never waits, never blocks the writer);
 *   - watches the WAL file every `pollMs`; when it is over `walLimitBytes` it runs PASSIVE
 *     rounds until one is quick (the uncopied tail is small), then `RESTART` with a short
 *     busy timeout.
 *     RESTART holds SQLite's write lock while it copies that tail and syncs, so the main
 *     connection's next write waits for it (a few ms, measured; one write per restart since
 *     the loop is single-threaded); afterwards the next commit starts the WAL over and,
 *     with `journal_size_limit`, truncates the file to the limit;
 *   - reports every run (`CheckpointerReport`: SQLite's busy/log/checkpointed and the WAL
 *     file size) so the journal can expose them.
 *
 * Protocol: the parent posts a `CheckpointerStart` once; the worker answers every checkpoint
 * with a `CheckpointerReport`. `bun build --compile` must list this file as an extra entry
 * point (journal-store.ts loads it by path inside the executable).
 */
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";

/** Default WAL bound: `journal_size_limit` and the size above which a RESTART is forced. */
export const DEFAULT_WAL_LIMIT_BYTES = 64 * 1024 * 1024;

export interface WalCheckpointOptions {
  /** PASSIVE cadence (ms). */
  readonly everyMs: number;
  /** WAL file size above which the checkpointer forces the WAL to start over (bytes). */
  readonly walLimitBytes: number;
  /**
   * Whether to finish with RESTART when over the limit. The worker does (another connection
   * may be writing); the main-thread fallback does not need to (it is the only writer, so
   * its PASSIVE copies everything and the next commit starts the WAL over).
   */
  readonly restart: boolean;
}

export interface CheckpointerStart extends WalCheckpointOptions {
  readonly kind: "journal-checkpointer-start";
  readonly path: string;
  /** How often the WAL file size is looked at (ms). */
  readonly pollMs: number;
  /** The RESTART's busy timeout: how long it waits for the write lock and readers (ms). */
  readonly restartBusyMs: number;
}

export interface CheckpointerReport {
  readonly ok: boolean;
  /** Whole run, PASSIVE rounds and RESTART (ms). */
  readonly durationMs: number;
  readonly error: string;
  /** "PASSIVE", or "RESTART" when the WAL was over the limit and a RESTART was tried. */
  readonly mode: "PASSIVE" | "RESTART";
  /** SQLite could not finish (a reader or the writer held it up): not an error. */
  readonly busy: boolean;
  /** Frames in the WAL and frames copied into the database, after the last step. */
  readonly logFrames: number;
  readonly checkpointedFrames: number;
  /** PASSIVE checkpoints in this run (more than one when shrinking the tail before a RESTART). */
  readonly passiveRounds: number;
  /**
   * The last RESTART attempt alone (ms, including its wait for the write lock): bounds how
   * long the main connection's writer waited for it.
   */
  readonly restartMs: number;
  /** Size of the `-wal` file after the run (bytes). */
  readonly walBytes: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

/** Size of a file in bytes, 0 when it does not exist (no WAL yet, or `:memory:`). */
export function fileBytes(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * PASSIVE rounds before a RESTART: each copies what was appended during the previous one,
 * so their durations shrink (measured at ~40 writes/ms: 50 → 10 → 2 ms); once a round is
 * this quick the tail left for the RESTART, which holds the write lock, is small too.
 * (SQLite's `log`/`checkpointed` cannot tell: both describe the round's starting snapshot.)
 */
const MAX_PASSIVE_ROUNDS = 8;
const QUICK_ROUND_MS = 3;
/**
 * RESTART attempts per run. A busy one (the writer held its lock through the busy timeout,
 * likely under continuous writes: SQLite's busy handler retries only at 1, 3, 8, 18 ms...)
 * has done a PASSIVE copy instead, so the next attempt starts from a small tail again.
 */
const RESTART_TRIES = 5;

/**
 * The checkpoint policy on one connection. `poll(nowMs)` is called every `pollMs`; it
 * checkpoints when `everyMs` has passed or the WAL file is over the limit.
 */
export class WalCheckpointer {
  readonly #db: Database;
  readonly #walPath: string;
  readonly #opts: WalCheckpointOptions;
  #lastRunMs = Number.NEGATIVE_INFINITY;

  constructor(db: Database, dbPath: string, opts: WalCheckpointOptions) {
    this.#db = db;
    this.#walPath = `${dbPath}-wal`;
    this.#opts = opts;
  }

  get walPath(): string {
    return this.#walPath;
  }

  /** Checkpoints if due or over the limit; undefined when nothing was done. */
  poll(nowMs: number): CheckpointerReport | undefined {
    // After a RESTART the file keeps its size until the writer's next commit starts the WAL
    // over and truncates it, so this can run again before that: then it has nothing to copy
    // and holds the write lock for microseconds.
    const over = fileBytes(this.#walPath) > this.#opts.walLimitBytes;
    if (!over && nowMs - this.#lastRunMs < this.#opts.everyMs) return undefined;
    this.#lastRunMs = nowMs;
    return this.run(over);
  }

  /** One run: PASSIVE, and when `bound` the rounds and RESTART that start the WAL over. */
  run(bound: boolean): CheckpointerReport {
    const t0 = performance.now();
    let row: CheckpointRow = { busy: 0, log: 0, checkpointed: 0 };
    let restartMs = 0;
    let mode: CheckpointerReport["mode"] = "PASSIVE";
    let rounds = 1;
    try {
      row = this.#pragma("PASSIVE");
      if (bound) {
        let roundMs = performance.now() - t0;
        for (; this.#opts.restart && rounds < MAX_PASSIVE_ROUNDS && roundMs > QUICK_ROUND_MS; rounds++) {
          const r0 = performance.now();
          row = this.#pragma("PASSIVE");
          roundMs = performance.now() - r0;
        }
        if (this.#opts.restart) {
          mode = "RESTART";
          for (let t = 0; t < RESTART_TRIES && (t === 0 || row.busy !== 0); t++) {
            const r0 = performance.now();
            row = this.#pragma("RESTART");
            restartMs = performance.now() - r0;
          }
        }
      }
    } catch (x) {
      // An I/O failure (busy is a row value, not a throw): reported, kept for /healthz.
      return this.#report(t0, mode, row, rounds, restartMs, x instanceof Error ? x.message : String(x));
    }
    return this.#report(t0, mode, row, rounds, restartMs, "");
  }

  #pragma(mode: "PASSIVE" | "RESTART"): CheckpointRow {
    // bun:sqlite steps a PRAGMA to completion and resets it: no read transaction stays open.
    return this.#db.query<CheckpointRow, []>(`PRAGMA wal_checkpoint(${mode})`).get() ?? { busy: 0, log: 0, checkpointed: 0 };
  }

  #report(
    t0: number,
    mode: CheckpointerReport["mode"],
    row: CheckpointRow,
    passiveRounds: number,
    restartMs: number,
    error: string,
  ): CheckpointerReport {
    return {
      ok: error === "",
      durationMs: performance.now() - t0,
      error,
      mode,
      busy: row.busy !== 0,
      logFrames: row.log,
      checkpointedFrames: row.checkpointed,
      passiveRounds,
      restartMs,
      walBytes: fileBytes(this.#walPath),
    };
  }
}

/** Pragmas both connections set: the WAL file is truncated to the limit when it starts over. */
export function applyWalLimit(db: Database, walLimitBytes: number): void {
  db.run(`PRAGMA journal_size_limit = ${Math.max(0, Math.floor(walLimitBytes))}`);
}

declare const self: Worker;

// The journal imports this module too (for `WalCheckpointer`), and so may other workers'
// code: listen, never replace `onmessage`, and act only on our own start message.
if (!Bun.isMainThread) {
  self.addEventListener("message", (e: MessageEvent<unknown>) => {
    const start = e.data as Partial<CheckpointerStart> | null;
    if (typeof start !== "object" || start === null || start.kind !== "journal-checkpointer-start") return;
    startCheckpointer(start as CheckpointerStart);
  });
}

function startCheckpointer(start: CheckpointerStart): void {
  const db = new Database(start.path);
  db.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(start.restartBusyMs))}`);
  applyWalLimit(db, start.walLimitBytes);
  const ckpt = new WalCheckpointer(db, start.path, start);
  setInterval(
    () => {
      const report = ckpt.poll(performance.now());
      if (report) self.postMessage(report);
    },
    Math.max(1, Math.min(start.pollMs, start.everyMs)),
  );
}
