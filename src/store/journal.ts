/**
 * The order journal (STYLE §2.5): every order intent is written **before** its bytes leave,
 * then its ack or reject, fills with their trade-status updates, cancels, closes, risk
 * events and run start/stop markers. Startup and crash recovery read it back
 * (`openIntents`, `unknownIntents`, `lastTradeTimeMs`, `positions`) and hand it to the
 * pure planner in `engine/reconcile.ts`; `applyReconcile` writes the plan's outcome.
 *
 * `Journal` implements the OrderManager's `OrderJournal` hooks exactly
 * (`intent/ack/reject/fill/cancel/closed`, each with the manager's `atNs`, which is
 * process-local and not stored: rows carry epoch ms from the injected clock).
 *
 * Storage: `bun:sqlite`, one database file per mode (`journalPathFor`; opening another
 * mode's file is refused), WAL with `synchronous=NORMAL`. Durability choice: in WAL mode
 * every commit `write()`s its WAL frames before returning, so a `kill -9` or crash of the
 * *process* loses nothing; only an OS crash or power cut can lose the commits since the
 * last WAL sync. That loss is recoverable by construction — the exchange is the source of
 * truth and startup reconciles against it — whereas `synchronous=FULL` puts an fsync
 * (hundreds of µs to ms) in front of every order. `durability: "full"` is there for
 * operators who prefer it. WAL checkpoints (which do fsync) run in a worker thread on
 * their own connection, never inside an order write nor on the loop (`checkpoints`).
 *
 * Write-before-send is enforced: if the intent cannot be written, `intent()` throws
 * `InvariantError` (the loop edge halts and cancels all) so no unjournaled order leaves.
 * Later writes (acks, fills) do not throw: the error is kept for `/healthz` and counted,
 * and the next reconcile repairs the journal from the exchange.
 *
 * Identity and double counting: an intent is keyed by our `clientId`; its order hash (the
 * exchange id) is stored when known — at intent time if the caller has it, else from the
 * ack/reject. A fill is keyed by `(tradeId, orderId)`: one trade can match several of our
 * orders. A trade's status only moves forward (MATCHED → MINED/RETRYING → CONFIRMED |
 * FAILED); a repeat or older status is `duplicate`/`stale` and changes nothing.
 *
 * Never stored: private keys, API credentials, signatures, signed bodies. The write
 * methods take plain fields only (test/unit/monitor/secrets.test.ts scans every column).
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Clock } from "../core/clock.ts";
import type { OrderIntent, OrderType, Side, TradeStatus } from "../core/ports.ts";
import { InvariantError, type Result, err, ok } from "../core/result.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";
import { type ReconcilePlan, fillKeyOf, isStatusAdvance } from "../engine/reconcile.ts";
import type { CheckpointerReport, CheckpointerStart } from "./journal-checkpointer.ts";
import { type IntentRow, JOURNAL_SCHEMA_VERSION, type JournalStatements, MIGRATIONS, prepareStatements } from "./journal-sql.ts";

export { JOURNAL_SCHEMA_VERSION, fillKeyOf, isStatusAdvance };

/**
 * The mode the file belongs to, stored in it and checked on open ("sim", "polymarket-paper",
 * "polymarket-live", "backtest"): a live journal is never opened by a sim run.
 */
export type JournalMode = string;
export type Durability = "normal" | "full";

/** `<dataDir>/journal-<mode>.sqlite`: modes never share a file (config.ts's default path follows this). */
export function journalPathFor(dataDir: string, mode: JournalMode): string {
  return join(dataDir, `journal-${mode}.sqlite`);
}

/**
 * pending   written, send outcome not known yet (a crash here leaves it pending);
 * ambiguous the submit timed out or the reply was lost: look it up, never resend;
 * live      acknowledged by the exchange (resting, matched or delayed), or adopted;
 * rejected  terminal: the exchange said no (or an ambiguous submit was resolved absent);
 * closed    terminal: cancelled, expired, filled, market closed, or not found on reconcile.
 */
export type IntentState = "pending" | "ambiguous" | "live" | "rejected" | "closed";

export interface JournaledIntent {
  readonly clientId: string;
  /** The exchange order id, "" while unknown. */
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
  readonly closeReason: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Sum of this order's journaled fills that are not FAILED. */
  readonly filledE6: SizeE6;
}

/** The fields of a fill the journal stores (the OrderManager's FillRecord has these and more). */
export interface JournalFill {
  readonly tradeId: string;
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly feeE6: UsdE6;
  readonly liquidity: "maker" | "taker";
  readonly status: TradeStatus;
  readonly exchTsMs: number;
}

/** What `fill()` did: inventory moves only on `new`, and on `updated` to or from FAILED. */
export type FillOutcome =
  | { readonly kind: "new"; readonly status: TradeStatus }
  | { readonly kind: "updated"; readonly from: TradeStatus; readonly to: TradeStatus }
  | { readonly kind: "duplicate"; readonly status: TradeStatus }
  | { readonly kind: "stale"; readonly current: TradeStatus; readonly received: TradeStatus }
  | { readonly kind: "not_written"; readonly reason: string };

export interface PositionRow {
  readonly tokenId: string;
  /** Signed shares from CONFIRMED fills plus adjustments (merges, redemptions, reconcile). */
  readonly confirmedE6: SizeE6;
  /** Signed shares from MATCHED/MINED/RETRYING fills: these may still fail. */
  readonly pendingE6: SizeE6;
  /** Signed cash from non-failed fills (negative when buying), fees subtracted, plus adjustments. */
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
  /** Called on every failed write (wire it to `mmp_journal_write_errors_total`). */
  readonly onWriteError?: (message: string) => void;
  /**
   * Applied to free text from outside (reject and cancel-failure messages, risk details)
   * before it is stored: pass the logger's `redactor.redact` so an exchange error that
   * echoes a credential never lands in a row.
   */
  readonly redact?: (text: string) => string;
  /**
   * Where WAL checkpoints (copying the WAL into the main file, with an fsync) run:
   * `worker` (default for files) — a worker thread on its own connection, every
   * `checkpointEveryMs`, so neither an order write nor the loop waits for the fsync;
   * `auto` — SQLite's default, inside whichever commit crosses 1,000 WAL pages;
   * `manual` — only when `checkpoint()` is called (tests, tools).
   */
  readonly checkpoints?: "worker" | "auto" | "manual";
  readonly checkpointEveryMs?: number;
}

export type JournalErrorCode = "SCHEMA_TOO_NEW" | "MODE_MISMATCH" | "OPEN_FAILED";

/** OrderManager states the journal maps to its own (terminal ones; the rest change nothing). */
const CLOSED_BY_STATE: Readonly<Record<string, { state: IntentState; reason: string }>> = {
  filled: { state: "closed", reason: "filled" },
  cancelled: { state: "closed", reason: "cancelled" },
  expired: { state: "closed", reason: "expired" },
  rejected: { state: "rejected", reason: "rejected" },
};

interface OpenEntry {
  readonly seq: number;
  state: IntentState;
  readonly orderType: OrderType;
  hasHash?: boolean;
}

export class Journal {
  readonly path: string;
  readonly mode: JournalMode;
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #st: JournalStatements;
  readonly #onWriteError: ((message: string) => void) | undefined;
  readonly #redact: (text: string) => string;
  #runId = 0;
  #closed = false;
  #checkpointer: Worker | undefined;
  /** Open intents by clientId: the hooks find their row without an index (see journal-sql.ts). */
  readonly #open = new Map<string, OpenEntry>();
  #lastCheckpointMs = 0;
  #lastWriteError = "";

  private constructor(db: Database, opts: JournalOptions) {
    this.#db = db;
    this.path = opts.path;
    this.mode = opts.mode;
    this.#clock = opts.clock;
    this.#onWriteError = opts.onWriteError;
    this.#redact = opts.redact ?? ((t) => t);
    this.#st = prepareStatements(db);
    for (const r of this.#st.openIndex.all()) this.#open.set(r.client_id, { seq: r.seq, state: r.state, orderType: r.order_type });
    const mode = opts.checkpoints ?? (opts.path === ":memory:" ? "auto" : "worker");
    if (mode !== "auto") db.run("PRAGMA wal_autocheckpoint = 0");
    if (mode === "worker") {
      const w = new Worker(new URL("./journal-checkpointer.ts", import.meta.url).href);
      w.onmessage = (e: MessageEvent<CheckpointerReport>) => {
        this.#lastCheckpointMs = e.data.durationMs;
        if (!e.data.ok && !/busy|locked/i.test(e.data.error)) this.#failed(new Error(`checkpoint: ${e.data.error}`));
      };
      w.postMessage({ path: opts.path, everyMs: opts.checkpointEveryMs ?? 1_000 } satisfies CheckpointerStart);
      // The checkpointer must not keep the process alive on its own.
      w.unref();
      this.#checkpointer = w;
    }
  }

  /** Opens (creating and migrating) the journal for one mode. Refuses another mode's file. */
  static open(opts: JournalOptions): Result<Journal, JournalErrorCode> {
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
    return ok(new Journal(db, opts));
  }

  get runId(): number {
    return this.#runId;
  }

  // ---- runs ----

  /** Marks a run start; returns its id (stamped on intents and risk events). */
  startRun(bot: string, version: string): number {
    const r = this.#st.insertRun.run(this.#clock.wallMs(), bot, version);
    this.#runId = Number(r.lastInsertRowid);
    return this.#runId;
  }

  stopRun(reason: string): void {
    if (this.#runId === 0) return;
    this.#tx(() => this.#st.stopRun.run(this.#clock.wallMs(), reason, this.#runId));
  }

  /** Runs that never wrote a stop marker (crash, `kill -9`), excluding the current one. */
  uncleanRuns(): RunInfo[] {
    return this.#st.uncleanRuns.all(this.#runId).map((r) => ({
      runId: r.run_id,
      startedAtMs: r.started_at_ms,
      stoppedAtMs: r.stopped_at_ms,
      stopReason: r.stop_reason,
      bot: r.bot,
      version: r.version,
    }));
  }

  // ---- OrderJournal hooks (called by engine/order-manager.ts) ----

  /**
   * Writes an intent before it is sent. Throws `InvariantError` when it cannot be written
   * (or the clientId was journaled before): the order must not be sent.
   */
  intent(intent: OrderIntent, _atNs = 0, orderHash = ""): void {
    const r = this.tryIntent(intent, orderHash);
    if (!r.ok) throw new InvariantError(r.reason);
  }

  /** `intent` as a value: for callers that handle the refusal themselves. */
  tryIntent(intent: OrderIntent, orderHash = ""): Result<void, "WRITE_FAILED" | "DUPLICATE"> {
    if (this.#closed) return err("WRITE_FAILED", "journal write failed: journal is closed");
    if (this.#open.has(intent.clientId)) return err("DUPLICATE", `journal refused intent ${intent.clientId}: already open`);
    const nowMs = this.#clock.wallMs();
    try {
      const r = this.#st.insertIntent.run(
        intent.clientId,
        orderHash === "" ? null : orderHash,
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
      this.#open.set(intent.clientId, { seq: Number(r.lastInsertRowid), state: "pending", orderType: intent.orderType });
      return ok(undefined);
    } catch (e) {
      if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) {
        return err("DUPLICATE", `journal refused intent ${intent.clientId}: order hash already journaled`);
      }
      return err("WRITE_FAILED", this.#failed(e));
    }
  }

  /** The exchange accepted the order (`status`: live, matched, delayed, unmatched). */
  ack(clientId: string, orderId: string, status: string, _atNs = 0): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        const immediate = o.orderType === "FOK" || o.orderType === "FAK";
        if (status === "unmatched") this.#setState(clientId, o, "closed", "unmatched", nowMs);
        else if (immediate && status === "matched") this.#setState(clientId, o, "closed", "filled", nowMs);
        else this.#setState(clientId, o, "live", null, nowMs);
      }
      this.#st.insertOrderEvent.run(nowMs, clientId, orderId || null, "ack", JSON.stringify({ status }));
    });
  }

  /**
   * A reject. The first `TIMEOUT_AMBIGUOUS` makes the intent `ambiguous` (look it up, never
   * resend); a second one for an already ambiguous intent is the lookup's verdict "not on the
   * exchange" and makes it `rejected`.
   */
  reject(clientId: string, orderId: string, code: string, message: string, _atNs = 0): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        const toAmbiguous = code === "TIMEOUT_AMBIGUOUS" && o.state !== "ambiguous";
        this.#setState(clientId, o, toAmbiguous ? "ambiguous" : "rejected", toAmbiguous ? null : code, nowMs);
      }
      this.#st.insertOrderEvent.run(nowMs, clientId, orderId || null, "reject", this.#redact(JSON.stringify({ code, message })));
    });
  }

  /** Records a fill or a status update of one; see `FillOutcome`. */
  fill(f: JournalFill, _atNs = 0): FillOutcome {
    const nowMs = this.#clock.wallMs();
    let outcome: FillOutcome = { kind: "duplicate", status: f.status };
    const written = this.#tx(() => {
      const cur = this.#st.fillStatus.get(f.tradeId, f.orderId);
      if (!cur) {
        this.#st.insertFill.run(
          f.tradeId,
          f.orderId,
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
    return written ? outcome : { kind: "not_written", reason: this.#lastWriteError };
  }

  /** A cancel request is about to be sent (the close arrives later). */
  cancel(clientId: string, orderId: string, _atNs = 0): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => this.#st.insertOrderEvent.run(nowMs, clientId || null, orderId || null, "cancel_req", "{}"));
  }

  /** The order reached a terminal state (`filled`, `cancelled`, `expired`, `rejected`). */
  closed(clientId: string, orderId: string, state: string, _atNs = 0): void {
    const nowMs = this.#clock.wallMs();
    const to = CLOSED_BY_STATE[state];
    this.#tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        if (to) this.#setState(clientId, o, to.state, to.reason, nowMs);
      }
      this.#st.insertOrderEvent.run(nowMs, clientId, orderId || null, "closed", JSON.stringify({ state }));
    });
  }

  // ---- other writes ----

  /** A cancel that the exchange refused (the order may still be live). */
  cancelFailed(orderId: string, message: string): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      const cid = this.#st.clientIdByHash.get(orderId)?.client_id ?? null;
      this.#st.insertOrderEvent.run(nowMs, cid, orderId, "cancel_failed", this.#redact(JSON.stringify({ message })));
    });
  }

  /** Merges, splits, redemptions and reconcile corrections: signed shares and cash. */
  adjustPosition(tokenId: string, deltaE6: SizeE6, cashE6: UsdE6, reason: string): void {
    this.#tx(() => this.#st.insertAdjustment.run(this.#clock.wallMs(), tokenId, deltaE6, cashE6, reason));
  }

  riskEvent(kind: string, fields: Readonly<Record<string, RiskFieldValue>> = {}, market = ""): void {
    this.#tx(() => this.#st.insertRisk.run(this.#clock.wallMs(), this.#runId || null, kind, market || null, this.#redact(JSON.stringify(fields))));
  }

  /**
   * Writes what a reconcile plan decided, in one transaction: adopted orders become live
   * (learning their hash), closed intents close, missed fills are recorded, adopted unknown
   * orders get a synthetic intent. Cancels are recorded as requests; sending them is the
   * caller's job. Mismatches go to `risk_events`.
   */
  applyReconcile(plan: ReconcilePlan): void {
    const nowMs = this.#clock.wallMs();
    this.#tx(() => {
      for (const a of plan.actions) {
        switch (a.kind) {
          case "adopt": {
            const o = this.#open.get(a.clientId);
            if (o) {
              this.#learnHash(o, a.orderId);
              this.#setState(a.clientId, o, "live", null, nowMs);
            }
            this.#st.insertOrderEvent.run(nowMs, a.clientId, a.orderId, "adopted", JSON.stringify({ remainingE6: a.remainingE6 }));
            break;
          }
          case "adopt_unknown": {
            const i = a.intent;
            if (this.#open.has(i.clientId) || this.isJournaledOrder(a.order.orderId)) break;
            const r = this.#st.insertIntent.run(i.clientId, a.order.orderId, this.#runId, i.conditionId, i.tokenId, i.side, i.priceE4, i.sizeE6, i.orderType, 0, 0, nowMs, nowMs);
            const o: OpenEntry = { seq: Number(r.lastInsertRowid), state: "pending", orderType: i.orderType };
            this.#open.set(i.clientId, o);
            this.#setState(i.clientId, o, "live", null, nowMs);
            this.#st.insertOrderEvent.run(nowMs, i.clientId, a.order.orderId, "adopted", JSON.stringify({ unknown: true }));
            break;
          }
          case "cancel":
            this.#st.insertOrderEvent.run(nowMs, a.clientId, a.orderId, "cancel_req", JSON.stringify({ reason: a.reason }));
            break;
          case "close_intent": {
            const o = this.#open.get(a.clientId);
            if (o) this.#setState(a.clientId, o, "closed", a.reason, nowMs);
            this.#st.insertOrderEvent.run(nowMs, a.clientId, a.orderId || null, "closed", JSON.stringify({ reason: a.reason, source: "reconcile" }));
            break;
          }
          case "recheck":
            break;
          case "record_fill":
            this.#recordFill(a.fill, nowMs);
            break;
        }
      }
      for (const m of plan.mismatches) {
        const fields = m.kind === "position" ? { tokenId: m.tokenId, journalConfirmedE6: m.journalConfirmedE6, journalPendingE6: m.journalPendingE6, exchangeE6: m.exchangeE6, adjustE6: m.adjustE6 } : { orderId: m.orderId, clientId: m.clientId, exchangeMatchedE6: m.exchangeMatchedE6, journalFilledE6: m.journalFilledE6 };
        this.#st.insertRisk.run(nowMs, this.#runId || null, `reconcile_${m.kind}_mismatch`, null, JSON.stringify(fields));
      }
    });
  }

  #learnHash(o: OpenEntry, orderId: string): void {
    if (orderId === "" || o.hasHash) return;
    this.#st.setHash.run(orderId, o.seq);
    o.hasHash = true;
  }

  /**
   * Moves an open intent. The map changes only after the transaction commits would be more
   * exact; a failed commit leaves the map ahead of the file, which the next reconcile (run
   * from the file) corrects.
   */
  #setState(clientId: string, o: OpenEntry, state: IntentState, reason: string | null, nowMs: number): void {
    this.#st.setState.run(state, reason, nowMs, o.seq);
    if (state === "rejected" || state === "closed") this.#open.delete(clientId);
    else o.state = state;
  }

  #recordFill(f: JournalFill, nowMs: number): void {
    const cur = this.#st.fillStatus.get(f.tradeId, f.orderId);
    if (!cur) {
      this.#st.insertFill.run(f.tradeId, f.orderId, f.tokenId, f.side, f.priceE4, f.sizeE6, f.feeE6, f.liquidity, f.status, f.exchTsMs, nowMs, nowMs);
    } else if (isStatusAdvance(cur.status, f.status)) {
      this.#st.updateFillStatus.run(f.status, nowMs, f.tradeId, f.orderId);
    } else return;
    this.#st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
  }

  // ---- recovery queries ----

  /** Intents without a terminal state (pending, ambiguous, live), oldest first. */
  openIntents(): JournaledIntent[] {
    return this.#st.openIntents.all().map(toIntent);
  }

  /** Open intents held in memory (cheap; the count for a gauge). */
  get openCount(): number {
    return this.#open.size;
  }

  /** Intents whose submit outcome is unknown: ambiguous, or pending from a run that is over. */
  unknownIntents(): JournaledIntent[] {
    return this.openIntents().filter((i) => i.state === "ambiguous" || (i.state === "pending" && i.runId !== this.#runId));
  }

  /** One intent by clientId (a table scan for terminal ones: tools and tests, not the hot path). */
  intentByClientId(clientId: string): JournaledIntent | undefined {
    const r = this.#st.intentWithFills.get(clientId);
    return r ? toIntent(r) : undefined;
  }

  /** Whether an exchange order id belongs to any journaled intent (open or not). */
  isJournaledOrder(orderId: string): boolean {
    return this.#st.isJournaledOrder.get(orderId) !== null;
  }

  /** Exchange time of the newest journaled fill, 0 when none: fetch trades from here on. */
  lastTradeTimeMs(): number {
    return this.#st.lastTradeTs.get()?.ts ?? 0;
  }

  /** Journaled status of every fill at or after `sinceMs`, keyed by `fillKeyOf(tradeId, orderId)`. */
  fillStatusesSince(sinceMs: number): Map<string, TradeStatus> {
    const out = new Map<string, TradeStatus>();
    for (const r of this.#st.fillsSince.all(sinceMs)) out.set(fillKeyOf(r.trade_id, r.order_id), r.status);
    return out;
  }

  fillsOf(orderId: string): JournalFill[] {
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

  /** Positions from fills (FAILED excluded) plus adjustments, by token. */
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

  // ---- health and lifecycle ----

  /** Health probe: a real write. Fails when the file or the disk refuses writes. */
  probeWrite(): Result<void, "WRITE_FAILED"> {
    if (this.#closed) return err("WRITE_FAILED", "journal is closed");
    try {
      this.#st.probe.run(String(this.#clock.wallMs()));
      this.#lastWriteError = "";
      return ok(undefined);
    } catch (e) {
      return err("WRITE_FAILED", this.#failed(e));
    }
  }

  /** Duration of the checkpointer's last run (ms), for a gauge. */
  get lastCheckpointMs(): number {
    return this.#lastCheckpointMs;
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
      this.#db.run(`PRAGMA wal_checkpoint(${mode})`);
    } catch (e) {
      this.#failed(e);
    }
  }

  /** Finalizes the statements and closes the file; later writes fail. */
  close(): void {
    if (this.#closed) return;
    this.#checkpointer?.terminate();
    this.#checkpoint("TRUNCATE");
    this.#closed = true;
    for (const st of Object.values(this.#st)) st.finalize();
    this.#db.close();
  }

  /** Read-only access for tools (status, tests): one SELECT. */
  select<T>(sql: string, ...params: Array<string | number>): T[] {
    if (!/^\s*select\b/i.test(sql)) throw new RangeError("Journal.select runs SELECT statements only");
    return this.#db.query(sql).all(...params) as T[];
  }

  /** Runs `fn` in a transaction; on failure keeps the error for health and returns false. */
  #tx(fn: () => void): boolean {
    if (this.#closed) {
      this.#failed(new Error("journal is closed"));
      return false;
    }
    try {
      this.#db.transaction(fn)();
      if (this.#lastWriteError !== "") this.#lastWriteError = "";
      return true;
    } catch (e) {
      this.#failed(e);
      return false;
    }
  }

  #failed(e: unknown): string {
    const message = this.#redact(`journal write failed: ${e instanceof Error ? e.message : String(e)}`);
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
