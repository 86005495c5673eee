/**
 * Errors in three kinds (STYLE §2.6):
 * 1. expected outcomes on hot paths are values: `{ ok: false, code, reason }`;
 * 2. I/O failures in shells are `NetworkError` (retry) or `ExchangeError` (don't);
 * 3. broken invariants throw `InvariantError`, caught only at the loop edge (halt, cancel all).
 */

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Err<C extends string = string> = { readonly ok: false; readonly code: C; readonly reason: string };
export type Result<T, C extends string = string> = Ok<T> | Err<C>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const err = <C extends string>(code: C, reason: string): Err<C> => ({ ok: false, code, reason });

export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

/** A failure worth retrying with backoff: connection refused, reset, timeout, 5xx, 429. */
export class NetworkError extends Error {
  override readonly name: string = "NetworkError";
  constructor(
    message: string,
    readonly status = 0,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

/** The exchange understood us and said no: do not retry the same request. */
export class ExchangeError extends Error {
  override readonly name: string = "ExchangeError";
  constructor(
    message: string,
    readonly code: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

/** Exhaustiveness helper for `switch` over discriminated unions. */
export function assertNever(x: never, what = "value"): never {
  throw new InvariantError(`unexpected ${what}: ${JSON.stringify(x)}`);
}
