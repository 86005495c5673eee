/**
 * The monitoring endpoint: `GET /metrics` (Prometheus text 0.0.4) and `GET /healthz`.
 *
 * `/healthz` answers 200 `{"status":"ok",…}` when every registered check passes and 503
 * with the failing checks' reasons otherwise. Checks are callbacks registered by the parts
 * that know: the feed ("no market data for 12.3 s", limit configurable), the journal (a
 * real write is attempted), and anything else a bot adds. A check that throws fails with
 * its (redacted) error text.
 *
 * Binds 127.0.0.1 by default. `/metrics` may require `Authorization: Bearer <token>`; a
 * bind to a non-loopback address is refused unless such a token is set, so the bot never
 * exposes its state unauthenticated by accident. `/healthz` stays open for probes.
 *
 * `handleMonitorRequest` is the whole app as a `Request → Response` function (hono style);
 * `startMetricsServer` is the thin `Bun.serve` shell around it.
 */
import { timingSafeEqual } from "node:crypto";
import type { Clock } from "../core/clock.ts";
import { type Result, err, ok } from "../core/result.ts";
import type { Secret } from "../core/secret.ts";
import { type Redactor, describeError } from "./logger.ts";
import type { Registry } from "./metrics.ts";

export type HealthStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };
export type HealthCheck = () => HealthStatus;

export interface HealthReport {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, HealthStatus>>;
}

export class HealthRegistry {
  readonly #checks = new Map<string, HealthCheck>();
  constructor(private readonly redactor?: Redactor) {}

  /** Adds a named check; returns a function that removes it. */
  register(name: string, check: HealthCheck): () => void {
    this.#checks.set(name, check);
    return () => {
      if (this.#checks.get(name) === check) this.#checks.delete(name);
    };
  }

  evaluate(): HealthReport {
    const checks: Record<string, HealthStatus> = {};
    let allOk = true;
    for (const [name, check] of this.#checks) {
      let s: HealthStatus;
      try {
        s = check();
      } catch (e) {
        s = { ok: false, reason: `check threw: ${describeError(e, this.redactor).message}` };
      }
      checks[name] = s;
      if (!s.ok) allOk = false;
    }
    return { ok: allOk, checks };
  }
}

/**
 * Fails when the last message is older than `maxAgeMs`, or when none has arrived yet.
 * `lastMessageNs` returns the clock's `nowNs()` at the last message, or a negative number for never.
 */
export function feedFreshnessCheck(clock: Clock, lastMessageNs: () => number, maxAgeMs: number): HealthCheck {
  return () => {
    const last = lastMessageNs();
    if (last < 0) return { ok: false, reason: "no market data received yet" };
    const ageMs = (clock.nowNs() - last) / 1e6;
    return ageMs <= maxAgeMs
      ? { ok: true }
      : { ok: false, reason: `feed stale: last message ${(ageMs / 1000).toFixed(1)} s ago (limit ${maxAgeMs / 1000} s)` };
  };
}

/** Fails when the journal cannot write (the probe performs a real write). */
export function journalWritableCheck(journal: { probeWrite(): Result<void, string> }): HealthCheck {
  return () => {
    const r = journal.probeWrite();
    return r.ok ? { ok: true } : { ok: false, reason: `journal cannot write: ${r.reason}` };
  };
}

export interface MonitorAppOptions {
  readonly registry: Registry;
  readonly health: HealthRegistry;
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  readonly bearerToken?: Secret | null;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function authorized(req: Request, token: Secret | null | undefined): boolean {
  if (!token || token.empty) return true;
  const got = Buffer.from(req.headers.get("authorization") ?? "");
  const want = Buffer.from(`Bearer ${token.reveal()}`);
  return got.length === want.length && timingSafeEqual(got, want);
}

export function handleMonitorRequest(req: Request, opts: MonitorAppOptions): Response {
  const { pathname } = new URL(req.url);
  if (pathname !== "/metrics" && pathname !== "/healthz") return new Response("not found\n", { status: 404 });
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const head = req.method === "HEAD";
  if (pathname === "/metrics") {
    if (!authorized(req, opts.bearerToken)) {
      return new Response("unauthorized\n", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' } });
    }
    const body = opts.registry.render();
    return new Response(head ? null : body, { status: 200, headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
  }
  const report = opts.health.evaluate();
  const body = JSON.stringify({ status: report.ok ? "ok" : "fail", checks: report.checks });
  return new Response(head ? null : `${body}\n`, {
    status: report.ok ? 200 : 503,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

export interface MetricsServerOptions extends MonitorAppOptions {
  readonly hostname?: string;
  /** 0 picks a free port (tests). */
  readonly port?: number;
}

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const DEFAULT_METRICS_PORT = 9464;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function startMetricsServer(opts: MetricsServerOptions): Result<MetricsServer, "INSECURE_BIND"> {
  const hostname = opts.hostname ?? "127.0.0.1";
  if (!LOOPBACK.has(hostname) && (!opts.bearerToken || opts.bearerToken.empty)) {
    return err("INSECURE_BIND", `refusing to serve metrics on ${hostname} without METRICS_BEARER_TOKEN`);
  }
  const server = Bun.serve({
    hostname,
    port: opts.port ?? DEFAULT_METRICS_PORT,
    fetch: (req) => handleMonitorRequest(req, opts),
  });
  const port = server.port ?? 0;
  const host = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  return ok({
    url: `http://${host}:${port}`,
    port,
    stop: () => server.stop(true),
  });
}
