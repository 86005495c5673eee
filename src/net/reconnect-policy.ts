/**
 * Reconnection as policy data (the `websockets` library's shape): a `backoff()` generator of
 * delays and a classifier that says whether a close is worth retrying. `FastWebSocket` only
 * asks these two questions, so tests pin the schedule without a socket and a venue can swap
 * the policy without touching the transport.
 *
 * Design rationale: "full jitter" over a capped exponential (AWS architecture blog, 2015)
 * spreads a fleet of clients that lost the same server, so a restarted venue is not hit by a
 * synchronized reconnect storm. Randomness comes from an injected `Rng`, so a seed reproduces
 * the schedule exactly.
 */
import { Rng } from "../core/rng.ts";

export interface BackoffOptions {
  /** First delay before jitter (ms). */
  readonly initialMs?: number;
  /** Cap on the un-jittered delay (ms). */
  readonly maxMs?: number;
  readonly factor?: number;
  /**
   * Fraction of each delay that is random: 1 = full jitter (uniform in [0, d]), 0 = none.
   * The default 0.5 keeps a floor of half the delay so a dead venue is not hammered.
   */
  readonly jitter?: number;
  readonly rng?: Rng;
}

export const DEFAULT_BACKOFF: Required<Omit<BackoffOptions, "rng">> = {
  initialMs: 250,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
};

/** Infinite sequence of reconnect delays in ms: d_k = min(max, initial·factor^k), jittered. */
export function* backoff(opts: BackoffOptions = {}): Generator<number, never, undefined> {
  const initialMs = opts.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const maxMs = opts.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const factor = opts.factor ?? DEFAULT_BACKOFF.factor;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? DEFAULT_BACKOFF.jitter));
  if (!(initialMs >= 0) || !(maxMs >= initialMs) || !(factor >= 1)) {
    throw new RangeError(`backoff: need 0 ≤ initialMs ≤ maxMs and factor ≥ 1, got ${initialMs}, ${maxMs}, ${factor}`);
  }
  const rng = opts.rng ?? new Rng(0x5eed);
  let d = initialMs;
  for (;;) {
    const base = Math.min(d, maxMs);
    yield Math.round(base * (1 - jitter) + base * jitter * rng.next());
    d = Math.min(maxMs, d * factor);
  }
}

export type CloseVerdict = "retryable" | "fatal";

/** What ended a connection, as the transport saw it. */
export interface CloseInfo {
  /** WebSocket close code; 0 when the socket never opened or errored without a close frame. */
  readonly code: number;
  readonly reason: string;
  /** True when our own watchdog declared the connection dead. */
  readonly byWatchdog: boolean;
}

/**
 * Default classifier. Fatal means a reconnect would fail the same way: the server refused our
 * credentials or our request (RFC 6455 1002/1003/1007/1008/1009/1010, and PolyBolt's 4001 auth
 * code, protocol notes §6). Everything else (1000/1001 from a restart, 1006 abnormal, 1011/1012/
 * 1013 server trouble, watchdog kills, connect failures) is retried with backoff.
 */
export function classifyClose(info: CloseInfo): CloseVerdict {
  if (info.byWatchdog) return "retryable";
  switch (info.code) {
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
    case 4001:
      return "fatal";
    default:
      return "retryable";
  }
}
