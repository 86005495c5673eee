/**
 * The order journal (STYLE §2.5): every order intent is written **before** its bytes leave,
 * then its ack or reject, fills with their trade-status updates, cancels, closes, risk
 * events and run start/stop markers. Startup and crash recovery read it back
 * (`openIntents`, `unknownIntents`, `lastTradeTimeMs`, `positions`) and hand it to the
 * pure planner in `engine/reconcile.ts`.
 *
 * Storage: `bun:sqlite`, one database file per mode (`journalPathFor`), WAL with
 * `synchronous=NORMAL`. Durability choice: in WAL mode every commit is a `write()` of the
 * WAL frames before the call returns, so a `kill -9` or crash of the *process* loses
 * nothing; only an OS crash or power cut can lose the last commits since the previous
 * WAL sync (checkpoint). That loss is recoverable by construction — the exchange is the
 * source of truth and startup reconciles against it — whereas `synchronous=FULL` would put
 * an fsync (hundreds of µs to ms) in front of every order. `durability: "full"` is there
 * for operators who prefer it.
 *
 * Identity and double counting: an order is keyed by our `clientId` and by its order hash
 * (Polymarket's order id *is* the EIP-712 hash, known before sending). A fill is keyed by
 * `(tradeId, orderId)` — one trade can match several of our orders (a taker sweeping two of
 * our levels), so the trade id alone is not unique per fill. A trade's status only moves
 * forward: MATCHED → MINED/RETRYING → CONFIRMED | FAILED; a repeat or an out-of-order older
 * status is reported as `duplicate`/`stale` and changes nothing, so replays never count twice.
 *
 * What is never stored: private keys, API credentials, signatures, signed order bodies.
 * The write methods take plain fields only (a test scans every column of every row).
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../core/clock.ts";
import type { ExchangeEvent, OrderIntent, OrderType, RejectCode, Side, TradeStatus } from "../core/ports.ts";
import { type Result, err, ok } from "../core/result.ts";
import { fillKeyOf, isStatusAdvance } from "../engine/reconcile.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";

export const JOURNAL_SCHEMA_VERSION = 1;

export type JournalMode = "sim" | "paper" | "backtest" | "live";
export type Durability = "normal" | "full";

/** `<dataDir>/journal-<mode>.sqlite`: modes never share a file. */
export function journalPathFor(dataDir: string, mode: JournalMode): string {
  return join(dataDir, `journal-${mode}.sqlite`);
}

/**
 * pending   written, send outcome not known yet (a crash here leaves it pending);
 * ambiguous the submit timed out or the reply was lost: look it up, never resend;
 * live      acknowledged by the exchange (resting, matched or delayed);
 * rejected  terminal: the exchange said no;
 * closed    terminal: cancelled, expired, filled, market closed, or not found on reconcile.
 */
export type IntentState = "pending" | "ambiguous" | "live" | "rejected" | "closed";
export const OPEN_STATES: readonly IntentState[] = ["pending", "ambiguous", "live"];

export type CloseReason =
  | "cancelled"
  | "expired"
  | "filled"
  | "market_closed"
  | "unmatched"
  | "not_found"
  | "partially_filled_then_gone";

export interface JournaledIntent {
  readonly clientId: string;
  readonly orderHash: string;
  readonly runId: number;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  readonly expirationSec: number;
  readonly state: IntentState;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Sum of this order's journaled fills that are not FAILED. */
  readonly filledE6: SizeE6;
}

export type FillEvent = Extract<ExchangeEvent, { kind: "fill" }>;
/** A fill as recorded, without the process-local `atNs`. */
export type FillRecord = Omit<FillEvent, "kind" | "atNs">;

/** What `fill()` did: counts and inventory should move only on `new`, and on `updated` to/from FAILED. */
export type FillOutcome =
  | { readonly kind: "new"; readonly status: TradeStatus }
  | { readonly kind: "updated"; readonly from: TradeStatus; readonly to: TradeStatus }
  | { readonly kind: "duplicate"; readonly status: TradeStatus }
  | { readonly kind: "stale"; readonly current: TradeStatus; readonly received: TradeStatus };

export interface PositionRow {
  readonly tokenId: string;
  /** Signed shares from CONFIRMED fills plus adjustments (merges, redemptions, reconcile). */
  readonly confirmedE6: SizeE6;
  /** Signed shares from MATCHED/MINED/RETRYING fills: may still fail. */
  readonly pendingE6: SizeE6;
  /** Signed cash from non-failed fills (negative when buying), fees included. */
  readonly cashE6: UsdE6;
}

export interface RunInfo {
  readonly runId: number;
  readonly startedAtMs: number;
  readonly stoppedAtMs: number | null;
  readonly stopReason: string | null;
  readonly bot: string;
  readonly version: string;
}

export type RiskFieldValue = string | number | boolean;

export interface JournalOptions {
  readonly path: string;
  readonly mode: JournalMode;
  readonly clock: Clock;
  readonly durability?: Durability;
}

export type JournalErrorCode = "SCHEMA_TOO_NEW" | "MODE_MISMATCH" | "WRITE_FAILED";

const MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at_ms INTEGER NOT NULL,
    stopped_at_ms INTEGER,
    stop_reason TEXT,
    bot TEXT NOT NULL,
    version TEXT NOT NULL
  );
  CREATE TABLE intents (
    client_id TEXT PRIMARY KEY,
    order_hash TEXT NOT NULL UNIQUE,
    run_id INTEGER NOT NULL,
    condition_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
    price_e4 INTEGER NOT NULL,
    size_e6 INTEGER NOT NULL,
    order_type TEXT NOT NULL CHECK (order_type IN ('GTC','GTD','FOK','FAK')),
    post_only INTEGER NOT NULL,
    expiration_sec INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','ambiguous','live','rejected','closed')),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX intents_open ON intents(state) WHERE state IN ('pending','ambiguous','live');
  CREATE TABLE order_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    order_hash TEXT NOT NULL,
    client_id TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE INDEX order_events_hash ON order_events(order_hash);
  CREATE TABLE fills (
    trade_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    client_id TEXT,
    token_id TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
    price_e4 INTEGER NOT NULL,
    size_e6 INTEGER NOT NULL,
    fee_e6 INTEGER NOT NULL,
    liquidity TEXT NOT NULL CHECK (liquidity IN ('maker','taker')),
    status TEXT NOT NULL CHECK (status IN ('MATCHED','MINED','CONFIRMED','RETRYING','FAILED')),
    exch_ts_ms INTEGER NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    PRIMARY KEY (trade_id, order_id)
  ) WITHOUT ROWID;
  CREATE INDEX fills_order ON fills(order_id);
  CREATE INDEX fills_ts ON fills(exch_ts_ms);
  CREATE TABLE fill_status_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    trade_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  );
  CREATE TABLE position_adjustments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    token_id TEXT NOT NULL,
    delta_e6 INTEGER NOT NULL,
    cash_e6 INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE TABLE risk_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    run_id INTEGER,
    kind TEXT NOT NULL,
    market TEXT,
    detail TEXT NOT NULL
  );
  `,
];

interface IntentRow {
  client_id: string;
  order_hash: string;
  run_id: number;
  condition_id: string;
  token_id: string;
  side: Side;
  price_e4: number;
  size_e6: number;
  order_type: OrderType;
  post_only: number;
  expiration_sec: number;
  state: IntentState;
  created_at_ms: number;
  updated_at_ms: number;
  filled_e6: number;
}

export class Journal {
  readonly path: string;
  readonly mode: JournalMode;
  readonly #db: Database;
  readonly #clock: Clock;
  #runId = 0;
  #closed = false;
  #lastWriteError = "";
  readonly #st: ReturnType<typeof prepareStatements>;

  private constructor(db: Database, opts: JournalOptions) {
    this.#db = db;
    this.path = opts.path;
    this.mode = opts.mode;
    this.#clock = opts.clock;
    this.#st = prepareStatements(db);
  }

  /** Opens (creating and migrating) the journal for one mode. Refuses another mode's file. */
  static open(opts: JournalOptions): Result<Journal, JournalErrorCode> {
    if (opts.path !== ":memory:") mkdirSync(dirname(opts.path), { recursive: true });
    const db = new Database(opts.path, { create: true, strict: true });
    db.run("PRAGMA journal_mode = WAL");
    db.run(`PRAGMA synchronous = ${opts.durability === "full" ? "FULL" : "NORMAL"}`);
    db.run("PRAGMA foreign_keys = ON");
    db.run("PRAGMA busy_timeout = 2000");
    db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at_ms INTEGER NOT NULL)");
    const row = db.query<{ v: number | null }, []>("SELECT MAX(version) AS v FROM schema_version").get();
    const current = row?.v ?? 0;
    if (current > JOURNAL_SCHEMA_VERSION) {
      db.close();
      return err("SCHEMA_TOO_NEW", `journal ${opts.path} has schema v${current}; this build knows v${JOURNAL_SCHEMA_VERSION}`);
    }
    const nowMs = opts.clock.wallMs();
    db.transaction(() => {
      for (let v = current + 1; v <= JOURNAL_SCHEMA_VERSION; v++) {
        db.exec(MIGRATIONS[v - 1] as string);
        db.query("INSERT INTO schema_version (version, applied_at_ms) VALUES (?, ?)").run(v, nowMs);
      }
      db.query("INSERT OR IGNORE INTO meta (key, value) VALUES ('mode', ?)").run(opts.mode);
    })();
    const mode = db.query<{ value: string }, []>("SELECT value FROM meta WHERE key = 'mode'").get()?.value;
    if (mode !== opts.mode) {
      db.close();
      return err("MODE_MISMATCH", `journal ${opts.path} belongs to mode ${mode}, not ${opts.mode}`);
    }
    return ok(new Journal(db, opts));
  }

  get runId(): number {
    return this.#runId;
  }

  /** Marks a run start; returns its id (stamped on intents and risk events). */
  startRun(bot: string, version: string): number {
    const r = this.#st.insertRun.run(this.#clock.wallMs(), bot, version);
    this.#runId = Number(r.lastInsertRowid);
    return this.#runId;
  }

  stopRun(reason: string): void {
    if (this.#runId === 0) return;
    this.#st.stopRun.run(this.#clock.wallMs(), reason, this.#runId);
  }

  /** Runs that never wrote a stop marker (crash, `kill -9`), oldest first, excluding the current one. */
  uncleanRuns(): RunInfo[] {
    return this.#st.uncleanRuns.all(this.#runId).map(toRunInfo);
  }

  /**
   * Writes an intent before it is sent. On failure nothing must be sent: the error is
   * returned as a value so the caller can refuse the order and trip the breaker.
   */
  intent(intent: OrderIntent, orderHash: string): Result<void, "WRITE_FAILED" | "DUPLICATE"> {
    if (this.#closed) return err("WRITE_FAILED", "journal is closed");
    const nowMs = this.#clock.wallMs();
    try {
      const r = this.#st.insertIntent.run(
        intent.clientId,
        orderHash,
        this.#runId,
        intent.conditionId,
        intent.tokenId,
        intent.side,
        intent.priceE4,
        intent.sizeE6,
        intent.orderType,
        intent.postOnly ? 1 : 0,
        intent.expirationSec,
        nowMs,
        nowMs,
      );
      if (r.changes === 0) return err("DUPLICATE", `intent ${intent.clientId} or order ${orderHash} already journaled`);
      return ok(undefined);
    } catch (e) {
      return this.#writeFailed(e);
    }
  }

  /** The exchange accepted the order. FOK/FAK that matched or did not are closed at once. */
  ack(ev: Extract<ExchangeEvent, { kind: "ack" }>): void {
    const nowMs = this.#clock.wallMs();
    const row = this.#st.intentByClientId.get(ev.clientId);
    const immediate = row && (row.order_type === "FOK" || row.order_type === "FAK");
    let state: IntentState = "live";
    let reason: CloseReason | "" = "";
    if (ev.status === "unmatched") {
      state = "closed";
      reason = "unmatched";
    } else if (immediate && ev.status === "matched") {
      state = "closed";
      reason = "filled";
    }
    this.#tx(() => {
      this.#st.setStateByClientId.run(state, nowMs, ev.clientId);
      this.#st.insertOrderEvent.run(nowMs, ev.orderId, ev.clientId, "ack", JSON.stringify({ status: ev.status, closeReason: reason }));
    });
  }

  /** A reject. `TIMEOUT_AMBIGUOUS` is not final: the intent becomes `ambiguous` and is looked up. */
  reject(ev: Extract<ExchangeEvent, { kind: "reject" }>): void {
    const nowMs = this.#clock.wallMs();
    const state: IntentState = ev.code === "TIMEOUT_AMBIGUOUS" ? "ambiguous" : "rejected";
    this.#tx(() => {
      this.#st.setStateByClientId.run(state, nowMs, ev.clientId);
      this.#st.insertOrderEvent.run(nowMs, ev.orderId, ev.clientId, "reject", JSON.stringify({ code: ev.code, message: ev.message }));
    });
  }

  /** Marks a submit whose outcome is unknown (shorthand for a TIMEOUT_AMBIGUOUS reject). */
  ambiguous(clientId: string, orderHash: string, message: string): void {
    this.reject({ kind: "reject", clientId, orderId: orderHash, code: "TIMEOUT_AMBIGUOUS" satisfies RejectCode, message, atNs: 0 });
  }

  /** A cancel request was sent (the close arrives later as `closed`). */
  cancel(orderIds: readonly string[], reason: string): void {
    const nowMs = this.#clock.wallMs();
    const detail = JSON.stringify({ reason });
    this.#tx(() => {
      for (const id of orderIds) this.#st.insertOrderEvent.run(nowMs, id, this.#clientIdOf(id), "cancel_req", detail);
    });
  }

  /** The exchange removed the order. */
  closed(orderId: string, reason: CloseReason, source = "exchange"): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      this.#st.setStateByHash.run("closed", nowMs, orderId);
      this.#st.insertOrderEvent.run(nowMs, orderId, this.#clientIdOf(orderId), "closed", JSON.stringify({ reason, source }));
    });
  }

  cancelFailed(orderId: string, message: string): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      this.#st.insertOrderEvent.run(nowMs, orderId, this.#clientIdOf(orderId), "cancel_failed", JSON.stringify({ message }));
    });
  }

  /** A reconciled order on the exchange that matches an open intent: it is live. */
  adopt(clientId: string, orderHash: string): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      this.#st.setStateByClientId.run("live", nowMs, clientId);
      this.#st.insertOrderEvent.run(nowMs, orderHash, clientId, "adopted", "{}");
    });
  }

  /** Records a fill or a status update of one; see `FillOutcome`. */
  fill(f: FillRecord): FillOutcome {
    const nowMs = this.#clock.wallMs();
    let outcome: FillOutcome = { kind: "duplicate", status: f.status };
    this.#tx(() => {
      const cur = this.#st.fillStatus.get(f.tradeId, f.orderId);
      if (!cur) {
        this.#st.insertFill.run(
          f.tradeId,
          f.orderId,
          this.#clientIdOf(f.orderId),
          f.tokenId,
          f.side,
          f.priceE4,
          f.sizeE6,
          f.feeE6,
          f.liquidity,
          f.status,
          f.exchTsMs,
          nowMs,
          nowMs,
        );
        this.#st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
        outcome = { kind: "new", status: f.status };
        return;
      }
      if (cur.status === f.status) return;
      if (!isStatusAdvance(cur.status, f.status)) {
        outcome = { kind: "stale", current: cur.status, received: f.status };
        return;
      }
      this.#st.updateFillStatus.run(f.status, nowMs, f.tradeId, f.orderId);
      this.#st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
      outcome = { kind: "updated", from: cur.status, to: f.status };
    });
    return outcome;
  }

  /** Merges, splits, redemptions and reconcile corrections: signed shares and cash. */
  adjustPosition(tokenId: string, deltaE6: SizeE6, cashE6: UsdE6, reason: string): void {
    this.#tx(() => {
      this.#st.insertAdjustment.run(this.#clock.wallMs(), tokenId, deltaE6, cashE6, reason);
    });
  }

  riskEvent(kind: string, fields: Readonly<Record<string, RiskFieldValue>> = {}, market = ""): void {
    this.#tx(() => {
      this.#st.insertRisk.run(this.#clock.wallMs(), this.#runId || null, kind, market || null, JSON.stringify(fields));
    });
  }

  // ---- recovery queries ----

  /** Intents without a terminal state (pending, ambiguous, live), oldest first. */
  openIntents(): JournaledIntent[] {
    return this.#st.openIntents.all().map(toIntent);
  }

  /** Intents whose submit outcome is unknown: ambiguous, or pending from a run that is over. */
  unknownIntents(): JournaledIntent[] {
    return this.openIntents().filter((i) => i.state === "ambiguous" || (i.state === "pending" && i.runId !== this.#runId));
  }

  intentByClientId(clientId: string): JournaledIntent | undefined {
    const r = this.#st.intentWithFills.get(clientId);
    return r ? toIntent(r) : undefined;
  }

  /** Exchange time of the newest journaled fill, 0 when none: fetch trades from here on. */
  lastTradeTimeMs(): number {
    return this.#st.lastTradeTs.get()?.ts ?? 0;
  }

  /** Journaled status of every fill at or after `sinceMs`, keyed `tradeId|orderId` (for reconcile). */
  fillStatusesSince(sinceMs: number): Map<string, TradeStatus> {
    const out = new Map<string, TradeStatus>();
    for (const r of this.#st.fillsSince.all(sinceMs)) out.set(fillKeyOf(r.trade_id, r.order_id), r.status);
    return out;
  }

  fillsOf(orderId: string): FillRecord[] {
    return this.#st.fillsOfOrder.all(orderId).map((r) => ({
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

  /** Positions derived from fills (FAILED excluded) plus adjustments, by token. */
  positions(): Map<string, PositionRow> {
    const out = new Map<string, PositionRow>();
    for (const r of this.#st.positions.all()) {
      out.set(r.token_id, { tokenId: r.token_id, confirmedE6: r.confirmed_e6, pendingE6: r.pending_e6, cashE6: r.cash_e6 });
    }
    return out;
  }

  riskEvents(limit = 100): Array<{ atMs: number; kind: string; market: string; detail: Record<string, RiskFieldValue> }> {
    return this.#st.riskEvents.all(limit).map((r) => ({
      atMs: r.at_ms,
      kind: r.kind,
      market: r.market ?? "",
      detail: JSON.parse(r.detail) as Record<string, RiskFieldValue>,
    }));
  }

  /** Health probe: a real write in a transaction. Fails when the disk or file refuses writes. */
  probeWrite(): Result<void, "WRITE_FAILED"> {
    if (this.#closed) return err("WRITE_FAILED", "journal is closed");
    try {
      this.#st.probe.run(String(this.#clock.wallMs()));
      this.#lastWriteError = "";
      return ok(undefined);
    } catch (e) {
      return this.#writeFailed(e);
    }
  }

  /** The last write error since the last successful probe, "" when none. */
  get lastWriteError(): string {
    return this.#lastWriteError;
  }

  /** Copies the WAL into the main file (call on clean shutdown or from a quiet moment). */
  checkpoint(): void {
    this.#db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  }

  /** Finalizes the statements and closes the file; later writes fail as WRITE_FAILED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const st of Object.values(this.#st)) st.finalize();
    this.#db.close();
  }

  /** Read-only access for tools (status, tests): runs one SELECT. */
  select<T>(sql: string, ...params: Array<string | number>): T[] {
    if (!/^\s*select\b/i.test(sql)) throw new RangeError("Journal.select runs SELECT statements only");
    return this.#db.query(sql).all(...params) as T[];
  }

  #clientIdOf(orderHash: string): string | null {
    return this.#st.clientIdByHash.get(orderHash)?.client_id ?? null;
  }

  /**
   * Journal writes after the intent must not stop trading on a transient error: the
   * failure is kept for `/healthz` (which then fails) and the exchange remains the source
   * of truth on the next reconcile.
   */
  #tx(fn: () => void): void {
    if (this.#closed) {
      this.#lastWriteError = "journal is closed";
      return;
    }
    try {
      this.#db.transaction(fn)();
      if (this.#lastWriteError !== "") this.#lastWriteError = "";
    } catch (e) {
      this.#writeFailed(e);
    }
  }

  #writeFailed(e: unknown): Result<never, "WRITE_FAILED"> {
    const message = e instanceof Error ? e.message : String(e);
    this.#lastWriteError = message;
    return err("WRITE_FAILED", `journal write failed: ${message}`);
  }
}

export { fillKeyOf, isStatusAdvance };

function toIntent(r: IntentRow): JournaledIntent {
  return {
    clientId: r.client_id,
    orderHash: r.order_hash,
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
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    filledE6: r.filled_e6,
  };
}

interface RunRow {
  run_id: number;
  started_at_ms: number;
  stopped_at_ms: number | null;
  stop_reason: string | null;
  bot: string;
  version: string;
}

function toRunInfo(r: RunRow): RunInfo {
  return {
    runId: r.run_id,
    startedAtMs: r.started_at_ms,
    stoppedAtMs: r.stopped_at_ms,
    stopReason: r.stop_reason,
    bot: r.bot,
    version: r.version,
  };
}

interface FillRow {
  trade_id: string;
  order_id: string;
  token_id: string;
  side: Side;
  price_e4: number;
  size_e6: number;
  fee_e6: number;
  liquidity: "maker" | "taker";
  status: TradeStatus;
  exch_ts_ms: number;
}

const INTENT_WITH_FILLS = `
  SELECT i.*, COALESCE((SELECT SUM(f.size_e6) FROM fills f WHERE f.order_id = i.order_hash AND f.status <> 'FAILED'), 0) AS filled_e6
  FROM intents i`;

type Params = Array<string | number | null>;

function prepareStatements(db: Database) {
  const q = <R, P extends Params = Params>(sql: string) => db.prepare<R, P>(sql);
  return {
    insertRun: q<unknown, [number, string, string]>("INSERT INTO runs (started_at_ms, bot, version) VALUES (?, ?, ?)"),
    stopRun: q<unknown, [number, string, number]>("UPDATE runs SET stopped_at_ms = ?, stop_reason = ? WHERE run_id = ?"),
    uncleanRuns: q<RunRow, [number]>("SELECT * FROM runs WHERE stopped_at_ms IS NULL AND run_id <> ? ORDER BY run_id"),
    insertIntent: q<unknown, Params>(
      `INSERT OR IGNORE INTO intents (client_id, order_hash, run_id, condition_id, token_id, side, price_e4, size_e6,
        order_type, post_only, expiration_sec, state, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ),
    intentByClientId: q<{ order_type: OrderType }, [string]>("SELECT order_type FROM intents WHERE client_id = ?"),
    intentWithFills: q<IntentRow, [string]>(`${INTENT_WITH_FILLS} WHERE i.client_id = ?`),
    clientIdByHash: q<{ client_id: string }, [string]>("SELECT client_id FROM intents WHERE order_hash = ?"),
    // Only open intents move; a late ack never reopens a closed or rejected one.
    setStateByClientId: q<unknown, [IntentState, number, string]>(
      "UPDATE intents SET state = ?, updated_at_ms = ? WHERE client_id = ? AND state IN ('pending','ambiguous','live')",
    ),
    setStateByHash: q<unknown, [IntentState, number, string]>(
      "UPDATE intents SET state = ?, updated_at_ms = ? WHERE order_hash = ? AND state IN ('pending','ambiguous','live')",
    ),
    insertOrderEvent: q<unknown, [number, string, string | null, string, string]>(
      "INSERT INTO order_events (at_ms, order_hash, client_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
    ),
    fillStatus: q<{ status: TradeStatus }, [string, string]>("SELECT status FROM fills WHERE trade_id = ? AND order_id = ?"),
    insertFill: q<unknown, Params>(
      `INSERT INTO fills (trade_id, order_id, client_id, token_id, side, price_e4, size_e6, fee_e6, liquidity, status,
        exch_ts_ms, first_seen_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateFillStatus: q<unknown, [TradeStatus, number, string, string]>(
      "UPDATE fills SET status = ?, updated_at_ms = ? WHERE trade_id = ? AND order_id = ?",
    ),
    insertFillLog: q<unknown, [string, string, TradeStatus, number]>(
      "INSERT INTO fill_status_log (trade_id, order_id, status, at_ms) VALUES (?, ?, ?, ?)",
    ),
    insertAdjustment: q<unknown, [number, string, number, number, string]>(
      "INSERT INTO position_adjustments (at_ms, token_id, delta_e6, cash_e6, reason) VALUES (?, ?, ?, ?, ?)",
    ),
    insertRisk: q<unknown, [number, number | null, string, string | null, string]>(
      "INSERT INTO risk_events (at_ms, run_id, kind, market, detail) VALUES (?, ?, ?, ?, ?)",
    ),
    openIntents: q<IntentRow, []>(`${INTENT_WITH_FILLS} WHERE i.state IN ('pending','ambiguous','live') ORDER BY i.created_at_ms, i.client_id`),
    lastTradeTs: q<{ ts: number | null }, []>("SELECT MAX(exch_ts_ms) AS ts FROM fills"),
    fillsSince: q<{ trade_id: string; order_id: string; status: TradeStatus }, [number]>(
      "SELECT trade_id, order_id, status FROM fills WHERE exch_ts_ms >= ?",
    ),
    fillsOfOrder: q<FillRow, [string]>("SELECT * FROM fills WHERE order_id = ? ORDER BY exch_ts_ms, trade_id"),
    positions: q<{ token_id: string; confirmed_e6: number; pending_e6: number; cash_e6: number }, []>(`
      SELECT token_id, SUM(confirmed_e6) AS confirmed_e6, SUM(pending_e6) AS pending_e6, SUM(cash_e6) AS cash_e6 FROM (
        SELECT token_id,
          CASE WHEN status = 'CONFIRMED' THEN (CASE side WHEN 'BUY' THEN size_e6 ELSE -size_e6 END) ELSE 0 END AS confirmed_e6,
          CASE WHEN status IN ('MATCHED','MINED','RETRYING') THEN (CASE side WHEN 'BUY' THEN size_e6 ELSE -size_e6 END) ELSE 0 END AS pending_e6,
          (CASE side WHEN 'BUY' THEN -(size_e6 / 10000) * price_e4 ELSE (size_e6 / 10000) * price_e4 END) - fee_e6 AS cash_e6
        FROM fills WHERE status <> 'FAILED'
        UNION ALL
        SELECT token_id, delta_e6, 0, cash_e6 FROM position_adjustments
      ) GROUP BY token_id ORDER BY token_id`),
    riskEvents: q<{ at_ms: number; kind: string; market: string | null; detail: string }, [number]>(
      "SELECT at_ms, kind, market, detail FROM risk_events ORDER BY seq DESC LIMIT ?",
    ),
    probe: q<unknown, [string]>("INSERT INTO meta (key, value) VALUES ('health_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
  };
}
