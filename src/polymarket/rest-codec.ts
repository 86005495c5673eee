/**
 * Parsers for the REST replies `rest-types.ts` does not cover: balance/allowance, heartbeat,
 * server time, fee rate, protocol version, and a single order (`GET /data/order/{id}`).
 * Same contract as rest-types: `unknown` in, `Result` out, never throws, errors name the field.
 *
 * Samples (protocol notes §2.1, §4.1–4.3, SDK `src/types/clob.ts`):
 * - `GET /balance-allowance` → `{"balance":"1000000","allowances":{"0xE111…":"115792…"}}`
 * - `POST /v1/heartbeats` → `{"heartbeat_id":"7f3c…"}` (400: `{"error":"Invalid Heartbeat ID","heartbeat_id":"…"}`)
 * - `GET /time` → `1767225600` (a bare number; py-sdk also accepts `{"time":n}`)
 * - `GET /fee-rate?token_id=` → `{"base_fee":1000}`
 * - `GET /version` → `{"version":2}`
 */
import type { OrderLookup, VenueOrderStatus } from "../core/ports.ts";
import { ok } from "../core/result.ts";
import { int, isObj, optStr, str } from "./json-fields.ts";
import { type OpenOrderRecord, parseOpenOrders, type RestResult, readObject } from "./rest-types.ts";

export type CodecResult<T> = RestResult<T>;

export interface BalanceAllowance {
  /** pUSD (collateral) or shares (conditional), 6 decimals. */
  readonly balanceE6: number;
  /** Spender address → allowance in base units (a decimal string: allowances are often 2^256−1). */
  readonly allowances: ReadonlyMap<string, string>;
}

export const parseBalanceAllowance = (v: unknown): CodecResult<BalanceAllowance> =>
  readObject(v, (o) => {
    const allowances = new Map<string, string>();
    const a = o.allowances;
    if (isObj(a)) for (const [k, x] of Object.entries(a)) allowances.set(k, typeof x === "string" ? x : String(x));
    else if (typeof o.allowance === "string") allowances.set("", o.allowance);
    return { balanceE6: int(o, "balance"), allowances };
  });

export const parseHeartbeat = (v: unknown): CodecResult<{ heartbeatId: string; errorMsg: string }> =>
  readObject(v, (o) => ({ heartbeatId: str(o, "heartbeat_id"), errorMsg: optStr(o, "error_msg") ?? optStr(o, "error") ?? "" }));

/** Unix seconds from a bare number or `{"time"|"timestamp": n}`. */
export function parseServerTime(v: unknown): CodecResult<number> {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return ok(v);
  return readObject(v, (o) => int(o, o.time !== undefined ? "time" : "timestamp"));
}

export const parseFeeRate = (v: unknown): CodecResult<number> => readObject(v, (o) => int(o, "base_fee"));

export const parseVersion = (v: unknown): CodecResult<number> => readObject(v, (o) => (o.version === undefined ? 2 : int(o, "version")));

const STATUS_OF: Readonly<Record<string, VenueOrderStatus>> = {
  LIVE: "live",
  MATCHED: "matched",
  CANCELED: "cancelled",
  CANCELLED: "cancelled",
  CANCELED_MARKET_RESOLVED: "cancelled",
  INVALID: "invalid",
  DELAYED: "live",
  UNMATCHED: "cancelled",
};

/** `GET /data/order/{id}`: one OpenOrder object; `null` body or `{}` means unknown. */
export function parseOrderLookup(v: unknown): CodecResult<OrderLookup | null> {
  if (v === null || v === "" || (isObj(v) && Object.keys(v).length === 0)) return ok(null);
  const r = parseOpenOrders([v]);
  if (!r.ok) return r;
  const rec = r.value.items[0] as OpenOrderRecord;
  return ok({ ...lookupOf(rec) });
}

export function lookupOf(rec: OpenOrderRecord): OrderLookup {
  const status = STATUS_OF[rec.status.toUpperCase()] ?? "live";
  return {
    orderId: rec.orderId,
    conditionId: rec.conditionId,
    tokenId: rec.tokenId,
    side: rec.side,
    priceE4: rec.priceE4,
    originalSizeE6: rec.originalSizeE6,
    matchedSizeE6: rec.matchedSizeE6,
    createdAtSec: rec.createdAtSec,
    status,
  };
}
