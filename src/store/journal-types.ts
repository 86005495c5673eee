/**
 * The journal's vocabulary: modes and file paths, intent states, the rows it returns, what a
 * fill write did, and its options. `Journal` (journal.ts) re-exports all of it.
 */
import { join } from "node:path";
import type { Clock } from "../core/clock.ts";
import type { OrderIntent, TradeStatus } from "../core/ports.ts";
import type { SizeE6, UsdE6 } from "../core/units.ts";
import type { TradeView } from "../engine/reconcile.ts";

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

/** An intent as journaled: the order intent plus what the journal learnt about it. */
export interface JournaledIntent extends OrderIntent {
  /** The exchange order id, "" while unknown. */
  readonly orderHash: string;
  readonly runId: number;
  readonly state: IntentState;
  readonly closeReason: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  /** Sum of this order's journaled fills that are not FAILED. */
  readonly filledE6: SizeE6;
}

/**
 * The fields of a fill the journal stores: the exchange's fill event without its kind and
 * receive time, the same shape recovery reads from trade history (the OrderManager's
 * FillRecord has these and more).
 */
export type JournalFill = TradeView;

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
   * `manual` — only when `checkpoint()` is called (tests, tools);
   * `main` — on this thread when writes pause (or the WAL passes twice `walLimitBytes`):
   * what `worker` falls back to when the worker cannot start.
   */
  readonly checkpoints?: "worker" | "auto" | "manual" | "main";
  readonly checkpointEveryMs?: number;
  /**
   * Bound on the WAL file (bytes, default 64 MiB): `PRAGMA journal_size_limit` on both
   * connections, and the size above which the checkpointer forces the WAL to start over
   * (a RESTART checkpoint after PASSIVE rounds). Long write-heavy runs otherwise grow it
   * without limit (docs/journal.md).
   */
  readonly walLimitBytes?: number;
  /** How often the worker looks at the WAL file size (ms, default 25; a `stat`). */
  readonly checkpointPollMs?: number;
  /**
   * The worker's busy timeout for the RESTART (ms, default 20): how long it may wait for the
   * write lock; a busy RESTART is retried at the next poll, it is never an error.
   */
  readonly restartBusyMs?: number;
  /**
   * Degraded-but-working conditions (the checkpointer worker could not start and checkpoints
   * moved to the main thread). Default: one line on stderr.
   */
  readonly onWarning?: (message: string) => void;
}

export type JournalErrorCode = "SCHEMA_TOO_NEW" | "MODE_MISMATCH" | "OPEN_FAILED";
