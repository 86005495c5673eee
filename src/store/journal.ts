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
 * their own connection, off the loop (`checkpoints`); only when the WAL outgrows its limit
 * does one write wait for the worker's brief RESTART (docs/journal.md).
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
import type { Database } from "bun:sqlite";
import type { OrderIntent, OrderType } from "../core/ports.ts";
import { InvariantError, type Result, err, ok } from "../core/result.ts";
import type { SizeE6, UsdE6 } from "../core/units.ts";
import { type ReconcilePlan, fillKeyOf, isStatusAdvance } from "../engine/reconcile.ts";
import { JOURNAL_SCHEMA_VERSION } from "./journal-sql.ts";
import { JournalStore, openJournalDatabase } from "./journal-store.ts";
import type { FillOutcome, IntentState, JournalErrorCode, JournalFill, JournalOptions, RiskFieldValue } from "./journal-types.ts";

export { JOURNAL_SCHEMA_VERSION, fillKeyOf, isStatusAdvance };
export { journalPathFor } from "./journal-types.ts";
export type {
  Durability,
  FillOutcome,
  IntentState,
  JournalErrorCode,
  JournalFill,
  JournaledIntent,
  JournalMode,
  JournalOptions,
  PositionRow,
  RiskFieldValue,
  RunInfo,
} from "./journal-types.ts";
export { JournalStore } from "./journal-store.ts";

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

export class Journal extends JournalStore {
  /** Open intents by clientId: the hooks find their row without an index (see journal-sql.ts). */
  readonly #open = new Map<string, OpenEntry>();

  private constructor(db: Database, opts: JournalOptions) {
    super(db, opts);
    for (const r of this.st.openIndex.all()) this.#open.set(r.client_id, { seq: r.seq, state: r.state, orderType: r.order_type });
  }

  /** Opens (creating and migrating) the journal for one mode. Refuses another mode's file. */
  static open(opts: JournalOptions): Result<Journal, JournalErrorCode> {
    const db = openJournalDatabase(opts);
    return db.ok ? ok(new Journal(db.value, opts)) : db;
  }

  // ---- runs ----

  /** Marks a run start; returns its id (stamped on intents and risk events). */
  startRun(bot: string, version: string): number {
    const r = this.st.insertRun.run(this.clock.wallMs(), bot, version);
    this.activeRunId = Number(r.lastInsertRowid);
    return this.activeRunId;
  }

  stopRun(reason: string): void {
    if (this.activeRunId === 0) return;
    this.tx(() => this.st.stopRun.run(this.clock.wallMs(), reason, this.activeRunId));
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
    if (this.isClosed) return err("WRITE_FAILED", "journal write failed: journal is closed");
    if (this.#open.has(intent.clientId)) return err("DUPLICATE", `journal refused intent ${intent.clientId}: already open`);
    const nowMs = this.clock.wallMs();
    try {
      const r = this.st.insertIntent.run(
        intent.clientId,
        orderHash === "" ? null : orderHash,
        this.activeRunId,
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
      return err("WRITE_FAILED", this.failed(e));
    }
  }

  /** The exchange accepted the order (`status`: live, matched, delayed, unmatched). */
  ack(clientId: string, orderId: string, status: string, _atNs = 0): void {
    const nowMs = this.clock.wallMs();
    this.tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        const immediate = o.orderType === "FOK" || o.orderType === "FAK";
        if (status === "unmatched") this.#setState(clientId, o, "closed", "unmatched", nowMs);
        else if (immediate && status === "matched") this.#setState(clientId, o, "closed", "filled", nowMs);
        else this.#setState(clientId, o, "live", null, nowMs);
      }
      this.st.insertOrderEvent.run(nowMs, clientId, orderId || null, "ack", JSON.stringify({ status }));
    });
  }

  /**
   * A reject. The first `TIMEOUT_AMBIGUOUS` makes the intent `ambiguous` (look it up, never
   * resend); a second one for an already ambiguous intent is the lookup's verdict "not on the
   * exchange" and makes it `rejected`.
   */
  reject(clientId: string, orderId: string, code: string, message: string, _atNs = 0): void {
    const nowMs = this.clock.wallMs();
    this.tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        const toAmbiguous = code === "TIMEOUT_AMBIGUOUS" && o.state !== "ambiguous";
        this.#setState(clientId, o, toAmbiguous ? "ambiguous" : "rejected", toAmbiguous ? null : code, nowMs);
      }
      this.st.insertOrderEvent.run(nowMs, clientId, orderId || null, "reject", this.redact(JSON.stringify({ code, message })));
    });
  }

  /** Records a fill or a status update of one; see `FillOutcome`. */
  fill(f: JournalFill, _atNs = 0): FillOutcome {
    const nowMs = this.clock.wallMs();
    let outcome: FillOutcome = { kind: "duplicate", status: f.status };
    const written = this.tx(() => {
      const cur = this.st.fillStatus.get(f.tradeId, f.orderId);
      if (!cur) {
        this.#insertFill(f, nowMs);
        this.st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
        outcome = { kind: "new", status: f.status };
        return;
      }
      if (cur.status === f.status) return;
      if (!isStatusAdvance(cur.status, f.status)) {
        outcome = { kind: "stale", current: cur.status, received: f.status };
        return;
      }
      this.st.updateFillStatus.run(f.status, nowMs, f.tradeId, f.orderId);
      this.st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
      outcome = { kind: "updated", from: cur.status, to: f.status };
    });
    return written ? outcome : { kind: "not_written", reason: this.lastWriteError };
  }

  /** A cancel request is about to be sent (the close arrives later). */
  cancel(clientId: string, orderId: string, _atNs = 0): void {
    const nowMs = this.clock.wallMs();
    this.tx(() => this.st.insertOrderEvent.run(nowMs, clientId || null, orderId || null, "cancel_req", "{}"));
  }

  /** The order reached a terminal state (`filled`, `cancelled`, `expired`, `rejected`). */
  closed(clientId: string, orderId: string, state: string, _atNs = 0): void {
    const nowMs = this.clock.wallMs();
    const to = CLOSED_BY_STATE[state];
    this.tx(() => {
      const o = this.#open.get(clientId);
      if (o) {
        this.#learnHash(o, orderId);
        if (to) this.#setState(clientId, o, to.state, to.reason, nowMs);
      }
      this.st.insertOrderEvent.run(nowMs, clientId, orderId || null, "closed", JSON.stringify({ state }));
    });
  }

  // ---- other writes ----

  /** A cancel that the exchange refused (the order may still be live). */
  cancelFailed(orderId: string, message: string): void {
    const nowMs = this.clock.wallMs();
    this.tx(() => {
      const cid = this.st.clientIdByHash.get(orderId)?.client_id ?? null;
      this.st.insertOrderEvent.run(nowMs, cid, orderId, "cancel_failed", this.redact(JSON.stringify({ message })));
    });
  }

  /** Merges, splits, redemptions and reconcile corrections: signed shares and cash. */
  adjustPosition(tokenId: string, deltaE6: SizeE6, cashE6: UsdE6, reason: string): void {
    this.tx(() => this.st.insertAdjustment.run(this.clock.wallMs(), tokenId, deltaE6, cashE6, reason));
  }

  riskEvent(kind: string, fields: Readonly<Record<string, RiskFieldValue>> = {}, market = ""): void {
    this.tx(() =>
      this.st.insertRisk.run(this.clock.wallMs(), this.activeRunId || null, kind, market || null, this.redact(JSON.stringify(fields))),
    );
  }

  /**
   * Writes what a reconcile plan decided, in one transaction: adopted orders become live
   * (learning their hash), closed intents close, missed fills are recorded, adopted unknown
   * orders get a synthetic intent. Cancels are recorded as requests; sending them is the
   * caller's job. Mismatches go to `risk_events`.
   */
  applyReconcile(plan: ReconcilePlan): void {
    const nowMs = this.clock.wallMs();
    this.tx(() => {
      for (const a of plan.actions) {
        switch (a.kind) {
          case "adopt": {
            const o = this.#open.get(a.clientId);
            if (o) {
              this.#learnHash(o, a.orderId);
              this.#setState(a.clientId, o, "live", null, nowMs);
            }
            this.st.insertOrderEvent.run(nowMs, a.clientId, a.orderId, "adopted", JSON.stringify({ remainingE6: a.remainingE6 }));
            break;
          }
          case "adopt_unknown": {
            const i = a.intent;
            if (this.#open.has(i.clientId) || this.isJournaledOrder(a.order.orderId)) break;
            const r = this.st.insertIntent.run(
              i.clientId,
              a.order.orderId,
              this.activeRunId,
              i.conditionId,
              i.tokenId,
              i.side,
              i.priceE4,
              i.sizeE6,
              i.orderType,
              0,
              0,
              nowMs,
              nowMs,
            );
            const o: OpenEntry = { seq: Number(r.lastInsertRowid), state: "pending", orderType: i.orderType };
            this.#open.set(i.clientId, o);
            this.#setState(i.clientId, o, "live", null, nowMs);
            this.st.insertOrderEvent.run(nowMs, i.clientId, a.order.orderId, "adopted", JSON.stringify({ unknown: true }));
            break;
          }
          case "cancel":
            this.st.insertOrderEvent.run(nowMs, a.clientId, a.orderId, "cancel_req", JSON.stringify({ reason: a.reason }));
            break;
          case "close_intent": {
            const o = this.#open.get(a.clientId);
            if (o) this.#setState(a.clientId, o, "closed", a.reason, nowMs);
            this.st.insertOrderEvent.run(
              nowMs,
              a.clientId,
              a.orderId || null,
              "closed",
              JSON.stringify({ reason: a.reason, source: "reconcile" }),
            );
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
        const fields =
          m.kind === "position"
            ? {
                tokenId: m.tokenId,
                journalConfirmedE6: m.journalConfirmedE6,
                journalPendingE6: m.journalPendingE6,
                exchangeE6: m.exchangeE6,
                adjustE6: m.adjustE6,
              }
            : { orderId: m.orderId, clientId: m.clientId, exchangeMatchedE6: m.exchangeMatchedE6, journalFilledE6: m.journalFilledE6 };
        this.st.insertRisk.run(nowMs, this.activeRunId || null, `reconcile_${m.kind}_mismatch`, null, JSON.stringify(fields));
      }
    });
  }

  #learnHash(o: OpenEntry, orderId: string): void {
    if (orderId === "" || o.hasHash) return;
    this.st.setHash.run(orderId, o.seq);
    o.hasHash = true;
  }

  /**
   * Moves an open intent. The map changes only after the transaction commits would be more
   * exact; a failed commit leaves the map ahead of the file, which the next reconcile (run
   * from the file) corrects.
   */
  #setState(clientId: string, o: OpenEntry, state: IntentState, reason: string | null, nowMs: number): void {
    this.st.setState.run(state, reason, nowMs, o.seq);
    if (state === "rejected" || state === "closed") this.#open.delete(clientId);
    else o.state = state;
  }

  #insertFill(f: JournalFill, nowMs: number): void {
    const st = this.st.insertFill;
    st.run(f.tradeId, f.orderId, f.tokenId, f.side, f.priceE4, f.sizeE6, f.feeE6, f.liquidity, f.status, f.exchTsMs, nowMs, nowMs);
  }

  #recordFill(f: JournalFill, nowMs: number): void {
    const cur = this.st.fillStatus.get(f.tradeId, f.orderId);
    if (!cur) {
      this.#insertFill(f, nowMs);
    } else if (isStatusAdvance(cur.status, f.status)) {
      this.st.updateFillStatus.run(f.status, nowMs, f.tradeId, f.orderId);
    } else return;
    this.st.insertFillLog.run(f.tradeId, f.orderId, f.status, nowMs);
  }

  /** Open intents held in memory (cheap; the count for a gauge). */
  get openCount(): number {
    return this.#open.size;
  }
}
