/**
 * The journal's database file and its read side: opening (create, migrate, refuse another
 * mode's file), WAL checkpoints in a worker with the WAL bounded by `walLimitBytes`
 * (journal-checkpointer.ts, docs/journal.md), transactions whose failure is kept for
 * `/healthz` rather than thrown, health probes, close, and the queries startup recovery
 * and tools run. `Journal` (journal.ts) extends it with the writes; see its header for the
 * durability and identity rules.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../core/clock.ts";
import type { TradeStatus } from "../core/ports.ts";
import { type Result, err, ok } from "../core/result.ts";
import { fillKeyOf } from "../engine/reconcile.ts";
import {
  type CheckpointerReport,
  type CheckpointerStart,
  DEFAULT_WAL_LIMIT_BYTES,
  WalCheckpointer,
  applyWalLimit,
  fileBytes,
} from "./journal-checkpointer.ts";
import { type IntentRow, JOURNAL_SCHEMA_VERSION, type JournalStatements, MIGRATIONS, prepareStatements } from "./journal-sql.ts";
import type {
  JournalErrorCode,
  JournalFill,
  JournaledIntent,
  JournalMode,
  JournalOptions,
  PositionRow,
  RiskFieldValue,
  RunInfo,
} from "./journal-types.ts";

/** Opens (creating and migrating) the database of one mode. Refuses another mode's file. */
export function openJournalDatabase(opts: JournalOptions): Result<Database, JournalErrorCode> {
  let db: Database;
  try {
    if (opts.path !== ":memory:") mkdirSync(dirname(opts.path), { recursive: true });
    db = new Database(opts.path, { create: true, strict: true });
  } catch (e) {
    return err("OPEN_FAILED", `cannot open journal ${opts.path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  db.run("PRAGMA journal_mode = WAL");
  db.run(`PRAGMA synchronous = ${opts.durability === "full" ? "FULL" : "NORMAL"}`);
  db.run("PRAGMA busy_timeout = 2000");
  db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at_ms INTEGER NOT NULL)");
  const current = db.query<{ v: number | null }, []>("SELECT MAX(version) AS v FROM schema_version").get()?.v ?? 0;
  if (current > JOURNAL_SCHEMA_VERSION) {
    db.close();
    return err("SCHEMA_TOO_NEW", `journal ${opts.path} has schema v${current}; this build knows up to v${JOURNAL_SCHEMA_VERSION}`);
  }
  const nowMs = opts.clock.wallMs();
  db.transaction(() => {
    for (let v = current; v < JOURNAL_SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.query("INSERT INTO schema_version (version, applied_at_ms) VALUES (?, ?)").run(v + 1, nowMs);
    }
    db.query("INSERT OR IGNORE INTO meta (key, value) VALUES ('mode', ?)").run(opts.mode);
  })();
  const mode = db.query<{ value: string }, []>("SELECT value FROM meta WHERE key = 'mode'").get()?.value;
  if (mode !== opts.mode) {
    db.close();
    return err("MODE_MISMATCH", `journal ${opts.path} belongs to mode ${mode}, not ${opts.mode}`);
  }
  return ok(db);
}

export class JournalStore {
  readonly path: string;
  readonly mode: JournalMode;
  protected readonly db: Database;
  protected readonly clock: Clock;
  protected readonly st: JournalStatements;
  protected readonly redact: (text: string) => string;
  /** The current run (0 before `startRun`): stamped on intents and risk events. */
  protected activeRunId = 0;
  readonly #onWriteError: ((message: string) => void) | undefined;
  #closed = false;
  #checkpointer: Worker | undefined;
  /** Main-thread checkpoints when the worker could not run (see `#checkpointOnMainThread`). */
  #fallbackTimer: ReturnType<typeof setInterval> | undefined;
  #lastCheckpoint: CheckpointerReport | undefined;
  #lastWriteError = "";

  protected constructor(db: Database, opts: JournalOptions) {
    this.db = db;
    this.path = opts.path;
    this.mode = opts.mode;
    this.clock = opts.clock;
    this.#onWriteError = opts.onWriteError;
    this.redact = opts.redact ?? ((t) => t);
    this.st = prepareStatements(db);
    const walLimitBytes = opts.walLimitBytes ?? DEFAULT_WAL_LIMIT_BYTES;
    // The writer applies the limit: its first commit after the WAL starts over truncates the file.
    applyWalLimit(db, walLimitBytes);
    const mode = opts.checkpoints ?? (opts.path === ":memory:" ? "auto" : "worker");
    if (mode !== "auto") db.run("PRAGMA wal_autocheckpoint = 0");
    const start: CheckpointerStart = {
      kind: "journal-checkpointer-start",
      path: opts.path,
      everyMs: opts.checkpointEveryMs ?? 1_000,
      pollMs: opts.checkpointPollMs ?? 25,
      walLimitBytes,
      restart: true,
      restartBusyMs: opts.restartBusyMs ?? 20,
    };
    if (mode === "main") this.#checkpointOnMainThread(start);
    if (mode === "worker") {
      const warn = opts.onWarning ?? ((m: string) => console.error(m));
      // Inside a `bun build --compile` executable, `import.meta.url` is the importing chunk
      // (`/$bunfs/root/cli/…`), and extra entry points are named relative to `--root src`.
      const entry = import.meta.url.includes("/$bunfs/")
        ? "./store/journal-checkpointer.ts"
        : new URL("./journal-checkpointer.ts", import.meta.url).href;
      const w = new Worker(entry);
      w.onmessage = (e: MessageEvent<CheckpointerReport>) => this.#onCheckpoint(e.data);
      w.onerror = (e: ErrorEvent) => {
        if (this.#checkpointer !== w) return;
        this.#checkpointer = undefined;
        w.terminate();
        warn(`journal: the WAL checkpointer worker failed (${e.message}); checkpoints now run on the main thread when writes pause`);
        this.#checkpointOnMainThread(start);
      };
      w.postMessage(start);
      // The checkpointer must not keep the process alive on its own.
      w.unref();
      this.#checkpointer = w;
    }
  }

  #onCheckpoint(r: CheckpointerReport): void {
    this.#lastCheckpoint = r;
    if (!r.ok && !/busy|locked/i.test(r.error)) this.failed(new Error(`checkpoint: ${r.error}`));
  }

  /**
   * The fallback when the worker cannot run: PASSIVE checkpoints on this connection, at a
   * quiet moment (no write since the last look, `everyMs` since the last checkpoint) or,
   * whatever the activity, when the WAL passes twice the limit. They stall the loop for
   * their fsync, which is why the worker is preferred. This connection is the only writer,
   * so a PASSIVE copies every frame and the next commit starts the WAL over.
   */
  #checkpointOnMainThread(start: CheckpointerStart): void {
    if (this.#closed || this.#fallbackTimer !== undefined) return;
    const ckpt = new WalCheckpointer(this.db, this.path, { ...start, restart: false });
    const changes = this.db.query<{ n: number }, []>("SELECT total_changes() AS n");
    let lastChanges = -1;
    let lastRunMs = performance.now();
    this.#fallbackTimer = setInterval(
      () => {
        if (this.#closed) return;
        const n = changes.get()?.n ?? 0;
        const quiet = n === lastChanges;
        lastChanges = n;
        const now = performance.now();
        const over = fileBytes(ckpt.walPath) > 2 * start.walLimitBytes;
        if (!over && !(quiet && now - lastRunMs >= start.everyMs)) return;
        lastRunMs = now;
        this.#onCheckpoint(ckpt.run(over));
      },
      Math.max(1, Math.min(start.pollMs, start.everyMs)),
    );
    this.#fallbackTimer.unref();
  }

  get runId(): number {
    return this.activeRunId;
  }

  /** Runs that never wrote a stop marker (crash, `kill -9`), excluding the current one. */
  uncleanRuns(): RunInfo[] {
    return this.st.uncleanRuns.all(this.activeRunId).map((r) => ({
      runId: r.run_id,
      startedAtMs: r.started_at_ms,
      stoppedAtMs: r.stopped_at_ms,
      stopReason: r.stop_reason,
      bot: r.bot,
      version: r.version,
    }));
  }

  // ---- recovery queries ----

  /** Intents without a terminal state (pending, ambiguous, live), oldest first. */
  openIntents(): JournaledIntent[] {
    return this.st.openIntents.all().map(toIntent);
  }

  /** Intents whose submit outcome is unknown: ambiguous, or pending from a run that is over. */
  unknownIntents(): JournaledIntent[] {
    return this.openIntents().filter((i) => i.state === "ambiguous" || (i.state === "pending" && i.runId !== this.activeRunId));
  }

  /** One intent by clientId (a table scan for terminal ones: tools and tests, not the hot path). */
  intentByClientId(clientId: string): JournaledIntent | undefined {
    const r = this.st.intentWithFills.get(clientId);
    return r ? toIntent(r) : undefined;
  }

  /** Whether an exchange order id belongs to any journaled intent (open or not). */
  isJournaledOrder(orderId: string): boolean {
    return this.st.isJournaledOrder.get(orderId) !== null;
  }

  /** Exchange time of the newest journaled fill, 0 when none: fetch trades from here on. */
  lastTradeTimeMs(): number {
    return this.st.lastTradeTs.get()?.ts ?? 0;
  }

  /** Journaled status of every fill at or after `sinceMs`, keyed by `fillKeyOf(tradeId, orderId)`. */
  fillStatusesSince(sinceMs: number): Map<string, TradeStatus> {
    const out = new Map<string, TradeStatus>();
    for (const r of this.st.fillsSince.all(sinceMs)) out.set(fillKeyOf(r.trade_id, r.order_id), r.status);
    return out;
  }

  fillsOf(orderId: string): JournalFill[] {
    return this.st.fillsOfOrder.all(orderId).map((r) => ({
      tradeId: r.trade_id,
      orderId: r.order_id,
      tokenId: r.token_id,
      side: r.side,
      priceE4: r.price_e4,
      sizeE6: r.size_e6,
      feeE6: r.fee_e6,
      liquidity: r.liquidity,
      status: r.status,
      exchTsMs: r.exch_ts_ms,
    }));
  }

  /** Positions from fills (FAILED excluded) plus adjustments, by token. */
  positions(): Map<string, PositionRow> {
    const out = new Map<string, PositionRow>();
    for (const r of this.st.positions.all()) {
      out.set(r.token_id, { tokenId: r.token_id, confirmedE6: r.confirmed_e6, pendingE6: r.pending_e6, cashE6: r.cash_e6 });
    }
    return out;
  }

  riskEvents(limit = 100): Array<{ atMs: number; kind: string; market: string; detail: Record<string, RiskFieldValue> }> {
    return this.st.riskEvents.all(limit).map((r) => ({
      atMs: r.at_ms,
      kind: r.kind,
      market: r.market ?? "",
      detail: JSON.parse(r.detail) as Record<string, RiskFieldValue>,
    }));
  }

  // ---- health and lifecycle ----

  /** Health probe: a real write. Fails when the file or the disk refuses writes. */
  probeWrite(): Result<void, "WRITE_FAILED"> {
    if (this.#closed) return err("WRITE_FAILED", "journal is closed");
    try {
      this.st.probe.run(String(this.clock.wallMs()));
      this.#lastWriteError = "";
      return ok(undefined);
    } catch (e) {
      return err("WRITE_FAILED", this.failed(e));
    }
  }

  /** Duration of the checkpointer's last run (ms), for a gauge. */
  get lastCheckpointMs(): number {
    return this.#lastCheckpoint?.durationMs ?? 0;
  }

  /** The checkpointer's last report (worker or main-thread fallback); undefined before one. */
  get lastCheckpoint(): CheckpointerReport | undefined {
    return this.#lastCheckpoint;
  }

  /** Size of the `-wal` file now (bytes; 0 in memory or before the first write), for a gauge. */
  walBytes(): number {
    return this.path === ":memory:" ? 0 : fileBytes(`${this.path}-wal`);
  }

  /** Whether WAL checkpoints run in the worker thread (false: main thread, manual or auto). */
  get checkpointsInWorker(): boolean {
    return this.#checkpointer !== undefined;
  }

  /** The last write error since the last successful write, "" when none. */
  get lastWriteError(): string {
    return this.#lastWriteError;
  }

  /**
   * Copies the WAL into the main file now. `PASSIVE` (the timer's) never waits for readers;
   * `TRUNCATE` (clean shutdown) also empties the WAL file.
   */
  checkpoint(mode: "PASSIVE" | "TRUNCATE" = "PASSIVE"): void {
    if (!this.#closed) this.#checkpoint(mode);
  }

  #checkpoint(mode: "PASSIVE" | "TRUNCATE"): void {
    try {
      this.db.run(`PRAGMA wal_checkpoint(${mode})`);
    } catch (e) {
      this.failed(e);
    }
  }

  /** Finalizes the statements and closes the file; later writes fail. */
  close(): void {
    if (this.#closed) return;
    this.#checkpointer?.terminate();
    this.#checkpointer = undefined;
    if (this.#fallbackTimer !== undefined) clearInterval(this.#fallbackTimer);
    this.#checkpoint("TRUNCATE");
    this.#closed = true;
    for (const st of Object.values(this.st)) st.finalize();
    this.db.close();
  }

  /** Read-only access for tools (status, tests): one SELECT. */
  select<T>(sql: string, ...params: Array<string | number>): T[] {
    if (!/^\s*select\b/i.test(sql)) throw new RangeError("Journal.select runs SELECT statements only");
    return this.db.query(sql).all(...params) as T[];
  }

  protected get isClosed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` in a transaction; on failure keeps the error for health and returns false. */
  protected tx(fn: () => void): boolean {
    if (this.#closed) {
      this.failed(new Error("journal is closed"));
      return false;
    }
    try {
      this.db.transaction(fn)();
      if (this.#lastWriteError !== "") this.#lastWriteError = "";
      return true;
    } catch (e) {
      this.failed(e);
      return false;
    }
  }

  protected failed(e: unknown): string {
    const message = this.redact(`journal write failed: ${e instanceof Error ? e.message : String(e)}`);
    this.#lastWriteError = message;
    this.#onWriteError?.(message);
    return message;
  }
}

function toIntent(r: IntentRow): JournaledIntent {
  return {
    clientId: r.client_id,
    orderHash: r.order_hash ?? "",
    runId: r.run_id,
    conditionId: r.condition_id,
    tokenId: r.token_id,
    side: r.side,
    priceE4: r.price_e4,
    sizeE6: r.size_e6,
    orderType: r.order_type,
    postOnly: r.post_only === 1,
    expirationSec: r.expiration_sec,
    state: r.state,
    closeReason: r.close_reason ?? "",
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    filledE6: r.filled_e6,
  };
}
