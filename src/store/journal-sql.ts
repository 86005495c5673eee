/**
 * The journal's schema (versioned migrations) and its prepared statements. Kept apart from
 * `journal.ts` so the API reads without the SQL. Columns carry units like the engine
 * (`price_e4`, `size_e6`, `at_ms`); every time is epoch milliseconds from the injected clock,
 * except `exch_ts_ms` which is the exchange's own timestamp.
 */
import type { Database } from "bun:sqlite";
import type { OrderType, Side, TradeStatus } from "../core/ports.ts";

export const JOURNAL_SCHEMA_VERSION = 1;

/** Migration `i` takes the schema from version `i` to `i + 1`. Never edit a shipped one; append. */
export const MIGRATIONS: readonly string[] = [
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
  -- Write-before-send cost: an intent insert appends one row at the right edge of a rowid
  -- table and touches no index (one WAL page per commit). Open intents are found through
  -- the journal's in-memory map (clientId → seq), loaded at open by a scan; a table keyed
  -- or indexed by client_id measured ~2x slower per insert. order_hash is the exchange
  -- order id, NULL until known (the venue signs after the journal write): its partial
  -- unique index holds only the known ones, so the insert never touches it.
  CREATE TABLE intents (
    seq INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL,
    order_hash TEXT,
    run_id INTEGER NOT NULL,
    condition_id TEXT NOT NULL,
    token_id TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('BUY','SELL')),
    price_e4 INTEGER NOT NULL CHECK (price_e4 > 0),
    size_e6 INTEGER NOT NULL CHECK (size_e6 > 0),
    order_type TEXT NOT NULL CHECK (order_type IN ('GTC','GTD','FOK','FAK')),
    post_only INTEGER NOT NULL,
    expiration_sec INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','ambiguous','live','rejected','closed')),
    close_reason TEXT,
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX intents_hash ON intents(order_hash) WHERE order_hash IS NOT NULL;
  CREATE TABLE order_events (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    client_id TEXT,
    order_hash TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TABLE fills (
    seq INTEGER PRIMARY KEY,
    trade_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
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
    UNIQUE (trade_id, order_id)
  );
  CREATE INDEX fills_order ON fills(order_id);
  CREATE INDEX fills_ts ON fills(exch_ts_ms);
  CREATE TABLE fill_status_log (
    seq INTEGER PRIMARY KEY,
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

export type IntentStateColumn = "pending" | "ambiguous" | "live" | "rejected" | "closed";

export interface IntentRow {
  seq: number;
  client_id: string;
  order_hash: string | null;
  run_id: number;
  condition_id: string;
  token_id: string;
  side: Side;
  price_e4: number;
  size_e6: number;
  order_type: OrderType;
  post_only: number;
  expiration_sec: number;
  state: IntentStateColumn;
  close_reason: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  filled_e6: number;
}

export interface RunRow {
  run_id: number;
  started_at_ms: number;
  stopped_at_ms: number | null;
  stop_reason: string | null;
  bot: string;
  version: string;
}

export interface FillRow {
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

export interface PositionSqlRow {
  token_id: string;
  confirmed_e6: number;
  pending_e6: number;
  cash_e6: number;
}

const INTENT_WITH_FILLS = `
  SELECT i.*, COALESCE((SELECT SUM(f.size_e6) FROM fills f WHERE f.order_id = i.order_hash AND f.status <> 'FAILED'), 0) AS filled_e6
  FROM intents i`;

const OPEN = "('pending','ambiguous','live')";

type Params = Array<string | number | null>;

export function prepareStatements(db: Database) {
  const q = <R, P extends Params = Params>(sql: string) => db.prepare<R, P>(sql);
  return {
    insertRun: q<unknown, [number, string, string]>("INSERT INTO runs (started_at_ms, bot, version) VALUES (?, ?, ?)"),
    stopRun: q<unknown, [number, string, number]>("UPDATE runs SET stopped_at_ms = ?, stop_reason = ? WHERE run_id = ?"),
    uncleanRuns: q<RunRow, [number]>("SELECT * FROM runs WHERE stopped_at_ms IS NULL AND run_id <> ? ORDER BY run_id"),
    insertIntent: q<unknown, Params>(
      `INSERT INTO intents (client_id, order_hash, run_id, condition_id, token_id, side, price_e4, size_e6,
        order_type, post_only, expiration_sec, state, created_at_ms, updated_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    ),
    openIndex: q<{ seq: number; client_id: string; state: IntentStateColumn; order_type: OrderType }, []>(
      `SELECT seq, client_id, state, order_type FROM intents WHERE state IN ${OPEN}`,
    ),
    intentWithFills: q<IntentRow, [string]>(`${INTENT_WITH_FILLS} WHERE i.client_id = ?`),
    clientIdByHash: q<{ client_id: string }, [string]>("SELECT client_id FROM intents WHERE order_hash = ?"),
    /** Learns the exchange id once; never overwrites a known one. */
    setHash: q<unknown, [string, number]>("UPDATE intents SET order_hash = ? WHERE seq = ? AND order_hash IS NULL"),
    /** Only open intents move: a late event never reopens a rejected or closed one. */
    setState: q<unknown, [IntentStateColumn, string | null, number, number]>(
      `UPDATE intents SET state = ?, close_reason = ?, updated_at_ms = ? WHERE seq = ? AND state IN ${OPEN}`,
    ),
    insertOrderEvent: q<unknown, [number, string | null, string | null, string, string]>(
      "INSERT INTO order_events (at_ms, client_id, order_hash, kind, detail) VALUES (?, ?, ?, ?, ?)",
    ),
    fillStatus: q<{ status: TradeStatus }, [string, string]>("SELECT status FROM fills WHERE trade_id = ? AND order_id = ?"),
    insertFill: q<unknown, Params>(
      `INSERT INTO fills (trade_id, order_id, token_id, side, price_e4, size_e6, fee_e6, liquidity, status,
        exch_ts_ms, first_seen_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    openIntents: q<IntentRow, []>(`${INTENT_WITH_FILLS} WHERE i.state IN ${OPEN} ORDER BY i.seq`),
    isJournaledOrder: q<{ one: number }, [string]>("SELECT 1 AS one FROM intents WHERE order_hash = ?"),
    lastTradeTs: q<{ ts: number | null }, []>("SELECT MAX(exch_ts_ms) AS ts FROM fills"),
    fillsSince: q<{ trade_id: string; order_id: string; status: TradeStatus }, [number]>(
      "SELECT trade_id, order_id, status FROM fills WHERE exch_ts_ms >= ?",
    ),
    fillsOfOrder: q<FillRow, [string]>("SELECT * FROM fills WHERE order_id = ? ORDER BY exch_ts_ms, trade_id"),
    // Cash per fill is size × price exactly (sizes sit on the 0.01-share grid), minus the fee.
    positions: q<PositionSqlRow, []>(`
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
    probe: q<unknown, [string]>(
      "INSERT INTO meta (key, value) VALUES ('health_probe', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ),
  };
}

export type JournalStatements = ReturnType<typeof prepareStatements>;
