/**
 * Exchange error strings → `RejectCode`, ccxt-style: an `exact` table for whole messages
 * and a `broad` table of substrings tried in order, then the HTTP status as a fallback.
 * The exchange's message is always kept verbatim in `reason` (operators read it; the code
 * is what the engine branches on).
 *
 * Sources: protocol notes §4.4 (docs /resources/error-codes, /trading/matching-engine,
 * py-clob-client-v2 issues), SDK `ORDER_VERSION_MISMATCH_ERROR`.
 *
 * Retryable codes (RATE_LIMITED, SERVER_ERROR, TIMEOUT_AMBIGUOUS) descend from
 * `NetworkError` when thrown; the rest from `ExchangeError` (don't resend the same request).
 */
import type { RejectCode } from "../core/ports.ts";
import { ExchangeError, type Err, NetworkError } from "../core/result.ts";

/** A failed REST call as a value: the code, the exchange's own words, and retry hints. */
export interface RestFailure extends Err<RejectCode> {
  /** HTTP status, 0 for a transport failure. */
  readonly status: number;
  /** From Retry-After / `retry_after_seconds`, 0 if none. */
  readonly retryAfterMs: number;
}

export const EXACT_ERRORS: ReadonlyMap<string, RejectCode> = new Map<string, RejectCode>([
  ["not enough balance / allowance", "INSUFFICIENT_BALANCE"],
  ["invalid post-only order: order crosses book", "POST_ONLY_CROSS"],
  ["invalid post-only order: only GTC and GTD order types are allowed", "INVALID_ORDER"],
  ["invalid expiration", "INVALID_ORDER"],
  ["order couldn't be fully filled. FOK orders are fully filled or killed.", "FOK_NOT_FILLED"],
  ["no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.", "FOK_NOT_FILLED"],
  ["the market is not yet ready to process new orders", "MARKET_CLOSED"],
  ["maker address not allowed, please use the deposit wallet flow", "AUTH"],
  ["the order signer address has to be the address of the API KEY", "AUTH"],
  ["Unauthorized/Invalid api key", "AUTH"],
  ["Invalid L1 Request headers", "AUTH"],
  ["No orderbook exists for the requested token id", "MARKET_CLOSED"],
  ["Trading is currently disabled. Check polymarket.com for updates", "SERVER_ERROR"],
  // Market (FOK/FAK) amounts finer than the server takes. Wording as SDK users report it:
  // buy — rs-clob-client #114 / #261, rs-clob-client-v2 #59, py-clob-client-v2 #99,
  // clob-client PR #266; sell — the same sentence (py-clob-client #121 quotes the older
  // "the sell orders …" form, caught by the broad entry below).
  [
    "invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals",
    "INVALID_ORDER",
  ],
  [
    "invalid amounts, the market sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals",
    "INVALID_ORDER",
  ],
]);

/** Substrings, most specific first. Matched case-insensitively. */
export const BROAD_ERRORS: readonly (readonly [string, RejectCode])[] = [
  ["order_version_mismatch", "INVALID_ORDER"],
  ["breaks minimum tick size rule", "INVALID_TICK"],
  ["invalid tick size", "INVALID_TICK"],
  ["lower than the minimum", "ORDER_TOO_SMALL"],
  ["invalid amount for a marketable buy order", "ORDER_TOO_SMALL"],
  ["supports a max accuracy of", "INVALID_ORDER"], // "invalid amounts, the [market] buy|sell orders maker amount ..."
  ["duplicated", "DUPLICATE"],
  ["not enough balance", "INSUFFICIENT_BALANCE"],
  ["insufficient balance", "INSUFFICIENT_BALANCE"],
  ["order crosses book", "POST_ONLY_CROSS"],
  ["fok orders are fully filled or killed", "FOK_NOT_FILLED"],
  ["fak orders are partially filled or killed", "FOK_NOT_FILLED"],
  ["too many orders in payload", "INVALID_ORDER"],
  ["invalid api key", "AUTH"],
  ["unauthorized", "AUTH"],
  ["api key", "AUTH"],
  ["restricted in your region", "AUTH"],
  ["invalid signature", "INVALID_SIGNATURE"],
  ["signature", "INVALID_SIGNATURE"],
  ["market is closed", "MARKET_CLOSED"],
  ["not yet ready", "MARKET_CLOSED"],
  ["no orderbook exists", "MARKET_CLOSED"],
  ["cancel-only", "SERVER_ERROR"],
  ["post-only mode", "SERVER_ERROR"],
  ["trading is currently disabled", "SERVER_ERROR"],
  ["too many requests", "RATE_LIMITED"],
  ["rate limit", "RATE_LIMITED"],
];

/** Message → code, or undefined when no table knows it. */
export function codeOfMessage(message: string): RejectCode | undefined {
  const exact = EXACT_ERRORS.get(message);
  if (exact) return exact;
  const lower = message.toLowerCase();
  for (const [needle, code] of BROAD_ERRORS) if (lower.includes(needle)) return code;
  return undefined;
}

/** HTTP status fallback when the message is unknown. */
export function codeOfStatus(status: number): RejectCode {
  if (status === 429) return "RATE_LIMITED";
  if (status === 401 || status === 403) return "AUTH";
  if (status === 425 || status >= 500) return "SERVER_ERROR";
  if (status === 400 || status === 404 || status === 422) return "INVALID_ORDER";
  return "UNKNOWN";
}

/**
 * Classifies an error reply. Status wins for 429 (always rate limited, whatever the
 * body says) and for 5xx with an unknown message; otherwise the message decides.
 */
export function classifyError(status: number, message: string, retryAfterMs: number): RestFailure {
  let code: RejectCode;
  if (status === 429) code = "RATE_LIMITED";
  else code = codeOfMessage(message) ?? codeOfStatus(status);
  return { ok: false, code, reason: message, status, retryAfterMs };
}

/**
 * Pulls the message out of an error body: `{"error":"…"}`, `{"errorMsg":"…"}`, a bare
 * string, or the raw text. Also reads `retry_after_seconds` (post-only mode replies).
 */
export function readErrorBody(body: string): { message: string; retryAfterSec: number } {
  const text = body.trim();
  if (text.length === 0) return { message: "", retryAfterSec: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // Not JSON (a proxy's HTML page, plain text): the text itself is the message.
    if (e instanceof SyntaxError) return { message: text.slice(0, 500), retryAfterSec: 0 };
    throw e;
  }
  if (typeof parsed === "string") return { message: parsed, retryAfterSec: 0 };
  if (typeof parsed === "object" && parsed !== null) {
    const o = parsed as Record<string, unknown>;
    const m = o.error ?? o.errorMsg ?? o.error_msg ?? o.message;
    const ra = typeof o.retry_after_seconds === "number" ? o.retry_after_seconds : 0;
    if (typeof m === "string") return { message: m, retryAfterSec: ra };
    if (m !== undefined) return { message: JSON.stringify(m), retryAfterSec: ra };
  }
  return { message: text.slice(0, 500), retryAfterSec: 0 };
}

/** True for codes where a later retry of a *new* request may succeed. */
export function isRetryable(code: RejectCode): boolean {
  return code === "RATE_LIMITED" || code === "SERVER_ERROR" || code === "TIMEOUT_AMBIGUOUS";
}

/** A RestFailure as a thrown error for callers off the hot path (CLI, reconcile). */
export class RestNetworkError extends NetworkError {
  override readonly name = "RestNetworkError";
  constructor(
    message: string,
    readonly code: RejectCode,
    status: number,
    retryAfterMs: number,
  ) {
    super(message, status, retryAfterMs);
  }
}

export class RestExchangeError extends ExchangeError {
  override readonly name = "RestExchangeError";
  declare readonly code: RejectCode;
}

export function toError(f: RestFailure, what: string): RestNetworkError | RestExchangeError {
  const message = `${what}: ${f.code} (${f.status}) ${f.reason}`;
  return isRetryable(f.code)
    ? new RestNetworkError(message, f.code, f.status, f.retryAfterMs)
    : new RestExchangeError(message, f.code, f.status);
}
