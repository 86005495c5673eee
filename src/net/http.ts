/**
 * The HTTP shell: `fetch` with keep-alive, a per-request timeout driven by the injected
 * `Clock`, and a retry policy that is plain data.
 *
 * Contract:
 * - `request` never throws for I/O conditions. It returns an `HttpOutcome`: either the
 *   server's response (any status) or a classified transport failure. The caller (the
 *   REST client) maps statuses and venue messages to typed errors.
 * - Retries follow ccxt's split: transport failures and 5xx/425/429 are NetworkErrors
 *   (retry with jittered exponential backoff, honouring Retry-After); everything else is an
 *   answer (no retry).
 * - **A request that is not idempotent is never resent once its bytes may have reached the
 *   server.** Only a failure that provably happened before the request left this host
 *   (connection refused, DNS, unreachable) may be retried; a timeout or reset after sending
 *   comes back as `mayHaveReached: true`, which the order path turns into TIMEOUT_AMBIGUOUS
 *   and resolves by looking the order up by its hash. Resending a signed order blindly is
 *   how a bot ends up with two orders for one intent.
 *
 * Keep-alive: Bun's fetch pools connections per origin; `keepalive: true` and a
 * `Connection: keep-alive` header keep the pooled socket (and its TLS session) warm, so
 * the hot path pays neither a TCP nor a TLS handshake. `preconnect` warms a host at boot.
 *
 * The timer comes from the `Clock` so tests drive timeouts with `ManualClock`: no sleeps.
 */
import type { Clock } from "../core/clock.ts";

export type HttpMethod = "GET" | "POST" | "DELETE";

export interface HttpRequest {
  readonly method: HttpMethod;
  /** Absolute URL including the query string. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Exact bytes to send (the L2 HMAC covers them). */
  readonly body?: string;
  /** Overrides the client's default timeout. */
  readonly timeoutMs?: number;
  /**
   * True when sending the request twice has the same effect as once (GET, cancels).
   * False for order posts: those are never resent after they may have reached the server.
   */
  readonly idempotent: boolean;
  /** Overrides the client's retry policy (e.g. `NO_RETRY` on the order hot path). */
  readonly retry?: RetryPolicy;
}

export type TransportFailure =
  /** The connection was refused or the host unreachable: nothing was sent. */
  | "refused"
  /** Our timeout fired before a full response arrived. */
  | "timeout"
  /** The connection dropped after it was opened (reset, truncated response). */
  | "reset"
  /** The caller aborted (shutdown). */
  | "aborted"
  | "other";

export type HttpOutcome =
  | {
      readonly kind: "response";
      readonly status: number;
      readonly headers: Headers;
      readonly body: string;
      readonly attempts: number;
    }
  | {
      readonly kind: "failure";
      readonly failure: TransportFailure;
      /** False only when the request provably never left this host. */
      readonly mayHaveReached: boolean;
      readonly message: string;
      readonly attempts: number;
    };

/** Retry policy as data (websockets' `backoff()` idea): a pure decision per attempt. */
export interface RetryPolicy {
  /** Total attempts including the first; 1 = never retry. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Statuses worth retrying for idempotent requests (server busy or restarting). */
  readonly retryStatuses: readonly number[];
  /** A Retry-After longer than this is not waited out: the failure goes to the caller. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
  retryStatuses: [425, 429, 500, 502, 503, 504],
  maxRetryAfterMs: 5_000,
};

/** The order hot path: one attempt; a refused connection is retried once (nothing was sent). */
export const NO_RETRY: RetryPolicy = {
  maxAttempts: 1,
  baseDelayMs: 0,
  maxDelayMs: 0,
  retryStatuses: [],
  maxRetryAfterMs: 0,
};

/** "Full jitter" exponential backoff: uniform in [0, min(max, base·2^retryIndex)]. */
export function backoffDelayMs(policy: RetryPolicy, retryIndex: number, rand01: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(rand01 * cap);
}

/**
 * Retry-After as milliseconds: delta-seconds ("2", "0.5") or an HTTP-date. Returns 0 when
 * absent or unreadable.
 */
export function parseRetryAfterMs(value: string | null, nowWallMs: number): number {
  if (value === null || value.length === 0) return 0;
  const secs = Number(value);
  if (Number.isFinite(secs)) return secs > 0 ? Math.ceil(secs * 1000) : 0;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowWallMs) : 0;
}

export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly delayMs: number };

/** Pure: should attempt `attempt` (1-based, just finished) be followed by another? */
export function decideRetry(
  policy: RetryPolicy,
  req: Pick<HttpRequest, "idempotent">,
  outcome: HttpOutcome,
  attempt: number,
  retryAfterMs: number,
  rand01: number,
): RetryDecision {
  if (outcome.kind === "failure") {
    if (outcome.failure === "aborted") return { retry: false };
    // Nothing left the host: safe to resend even a POST, once, without waiting.
    if (!outcome.mayHaveReached) return attempt < Math.max(2, policy.maxAttempts) ? { retry: true, delayMs: 0 } : { retry: false };
    if (!req.idempotent || attempt >= policy.maxAttempts) return { retry: false };
    return { retry: true, delayMs: backoffDelayMs(policy, attempt - 1, rand01) };
  }
  if (attempt >= policy.maxAttempts || !policy.retryStatuses.includes(outcome.status)) return { retry: false };
  // A 429/425/503 is a definite "not processed", so even a POST could be resent; we still
  // only retry idempotent requests here: an order that waited out a Retry-After is stale.
  if (!req.idempotent) return { retry: false };
  if (retryAfterMs > policy.maxRetryAfterMs) return { retry: false };
  return { retry: true, delayMs: Math.max(retryAfterMs, backoffDelayMs(policy, attempt - 1, rand01)) };
}

const BEFORE_SEND_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ConnectionRefused",
  "DNSException",
]);

/** Maps what `fetch` threw to a transport failure. `timedOut` tells our timer from a caller abort. */
export function classifyFetchError(e: unknown, timedOut: boolean): { failure: TransportFailure; mayHaveReached: boolean; message: string } {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  const name = e instanceof Error ? e.name : "";
  const message = e instanceof Error ? e.message : String(e);
  if (timedOut) return { failure: "timeout", mayHaveReached: true, message: "request timed out" };
  if (name === "AbortError") return { failure: "aborted", mayHaveReached: true, message };
  if (BEFORE_SEND_CODES.has(code)) return { failure: "refused", mayHaveReached: false, message };
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ConnectionClosed") return { failure: "reset", mayHaveReached: true, message };
  return { failure: "other", mayHaveReached: true, message };
}

export interface HttpClientOptions {
  readonly clock: Clock;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Uniform [0,1) source for jitter; injected so tests are deterministic. */
  readonly random?: () => number;
  /** The fetch to use (tests may pass a wrapped one). */
  readonly fetch?: typeof fetch;
  /** Extra headers on every request (User-Agent etc.). */
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS options for Bun's fetch (e.g. the CA of a self-signed loopback stand-in). */
  readonly tls?: { readonly ca?: string; readonly rejectUnauthorized?: boolean };
}

export interface HttpStats {
  requests: number;
  attempts: number;
  retries: number;
  timeouts: number;
  transportFailures: number;
  /** Replies 429 that this client retried by itself (after Retry-After), and the time waited. */
  throttledRetries: number;
  throttledWaitMs: number;
}

const BASE_HEADERS: Readonly<Record<string, string>> = {
  Accept: "application/json",
  "Content-Type": "application/json",
  Connection: "keep-alive",
  "User-Agent": "trading-bot-ltm",
};

export class HttpClient {
  readonly stats: HttpStats = {
    requests: 0,
    attempts: 0,
    retries: 0,
    timeouts: 0,
    transportFailures: 0,
    throttledRetries: 0,
    throttledWaitMs: 0,
  };
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly doFetch: typeof fetch;
  private readonly baseHeaders: Readonly<Record<string, string>>;
  private readonly tls: HttpClientOptions["tls"];
  private readonly inflight = new Set<AbortController>();

  constructor(opts: HttpClientOptions) {
    this.clock = opts.clock;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.random = opts.random ?? Math.random;
    this.doFetch = opts.fetch ?? fetch;
    this.baseHeaders = { ...BASE_HEADERS, ...opts.headers };
    this.tls = opts.tls;
  }

  /** Opens (and for https, handshakes) a pooled connection ahead of the first request. */
  preconnect(origin: string): void {
    const pre = (this.doFetch as { preconnect?: (url: string) => void }).preconnect;
    if (pre) pre(origin);
  }

  async request(req: HttpRequest): Promise<HttpOutcome> {
    this.stats.requests++;
    const policy = req.retry ?? this.retry;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(req, attempt);
      const retryAfterMs = outcome.kind === "response" ? parseRetryAfterMs(outcome.headers.get("retry-after"), this.clock.wallMs()) : 0;
      const d = decideRetry(policy, req, outcome, attempt, retryAfterMs, this.random());
      if (!d.retry) return outcome;
      this.stats.retries++;
      if (outcome.kind === "response" && outcome.status === 429) {
        this.stats.throttledRetries++;
        this.stats.throttledWaitMs += d.delayMs;
      }
      if (d.delayMs > 0) await sleepOn(this.clock, d.delayMs);
    }
  }

  /** Aborts every request in flight (shutdown). They resolve as `aborted`. */
  abortAll(): void {
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
  }

  private async attempt(req: HttpRequest, attempt: number): Promise<HttpOutcome> {
    this.stats.attempts++;
    const controller = new AbortController();
    let timedOut = false;
    const cancelTimer = this.clock.setTimer(req.timeoutMs ?? this.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    this.inflight.add(controller);
    try {
      const init: RequestInit & { tls?: HttpClientOptions["tls"] } = {
        method: req.method,
        headers: req.headers ? { ...this.baseHeaders, ...req.headers } : this.baseHeaders,
        signal: controller.signal,
        keepalive: true,
      };
      if (req.body !== undefined) init.body = req.body;
      if (this.tls) init.tls = this.tls;
      const res = await this.doFetch(req.url, init);
      const body = await res.text();
      return { kind: "response", status: res.status, headers: res.headers, body, attempts: attempt };
    } catch (e) {
      const c = classifyFetchError(e, timedOut);
      if (c.failure === "timeout") this.stats.timeouts++;
      this.stats.transportFailures++;
      return { kind: "failure", failure: c.failure, mayHaveReached: c.mayHaveReached, message: c.message, attempts: attempt };
    } finally {
      cancelTimer();
      this.inflight.delete(controller);
    }
  }
}

/** Resolves after `ms` of the clock's time (real time on SystemClock, advanced time on ManualClock). */
export function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(ms, resolve);
  });
}
