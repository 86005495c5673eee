/**
 * What the operator commands (`doctor`, `status`, `cancel-all`) share: their flags, the
 * venue's endpoints, and an authenticated REST session.
 *
 *   --venue sim|polymarket   default VENUE from the configuration
 *   --url URL                a simulator that is already running (its REST URL; the WebSocket
 *                            and Gamma URLs follow from it). Without it, `--venue sim` starts
 *                            the simulator in this process, on 127.0.0.1:0, for the command.
 *   --journal PATH           the journal to read (default JOURNAL_PATH)
 *   --json                   machine-readable output
 *   --timeout-ms N           per-request / per-socket timeout (default 5000)
 *
 * Credentials: the signing key from PRIVATE_KEY_FILE / PRIVATE_KEY; API credentials from
 * POLY_API_KEY/SECRET/PASSPHRASE, else derived from the key over L1 (`GET /auth/derive-api-key`,
 * then `POST /auth/api-key` for a key that never had one), exactly as a bot does. On the
 * simulator without a configured key a throwaway key is used (it owns nothing, so `status`
 * and `cancel-all` then see an empty account: point them at the bot's key to see the bot's).
 *
 * This is a shell: it touches the network and the clock. Nothing here is on the hot path.
 */
import type { Config } from "../config.ts";
import { type Clock, SystemClock } from "../core/clock.ts";
import { err, ok, type Result } from "../core/result.ts";
import { Secret } from "../core/secret.ts";
import { HttpClient } from "../net/http.ts";
import { RateLimiter } from "../net/rate-limiter.ts";
import { type ApiCreds, l1Headers } from "../polymarket/auth.ts";
import { l2AuthFrom } from "../polymarket/exchange-client.ts";
import { PolymarketRest } from "../polymarket/rest.ts";
import { OrderSigner } from "../polymarket/signing.ts";
import { SimExchange } from "../sim/exchange.ts";
import { DEFAULT_FLOW } from "../sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../sim/schedule.ts";
import { SimServer } from "../sim/server.ts";

export interface OperatorFlags {
  readonly venue: "sim" | "polymarket" | undefined;
  readonly url: string | undefined;
  readonly journal: string | undefined;
  readonly json: boolean;
  readonly timeoutMs: number;
  /** Flags this module does not know, for the command to read. */
  readonly rest: readonly string[];
}

export const OPERATOR_FLAGS_HELP = `  --venue sim|polymarket   venue (default VENUE)
  --url URL                REST URL of a running simulator (default: start one in this process)
  --journal PATH           journal file (default JOURNAL_PATH)
  --json                   print JSON instead of text
  --timeout-ms N           timeout of each request and socket check (default 5000)`;

/** Parses the shared flags; returns an error line for a bad one. */
export function parseOperatorFlags(argv: readonly string[]): OperatorFlags | string {
  let venue: OperatorFlags["venue"];
  let url: string | undefined;
  let journal: string | undefined;
  let json = false;
  let timeoutMs = 5_000;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = (): string | undefined => argv[++i];
    switch (a) {
      case "--venue": {
        const v = next();
        if (v !== "sim" && v !== "polymarket") return "--venue must be sim or polymarket";
        venue = v;
        break;
      }
      case "--url": {
        const v = next() ?? "";
        if (!/^https?:\/\/[^/]+/.test(v)) return `--url must be an http(s) URL, got ${JSON.stringify(v)}`;
        url = v.replace(/\/+$/, "");
        break;
      }
      case "--journal": {
        const v = next();
        if (!v) return "--journal needs a path";
        journal = v;
        break;
      }
      case "--json":
        json = true;
        break;
      case "--timeout-ms": {
        const v = Number(next());
        if (!Number.isInteger(v) || v < 100 || v > 120_000) return "--timeout-ms must be an integer in 100..120000";
        timeoutMs = v;
        break;
      }
      default:
        rest.push(a);
    }
  }
  if (url !== undefined && venue === "polymarket")
    return "--url is for a simulator; Polymarket's URLs come from the configuration (CLOB_HOST, …)";
  return { venue, url, journal, json, timeoutMs, rest };
}

export interface VenueEndpoints {
  readonly venue: "sim" | "polymarket";
  readonly rest: string;
  readonly gamma: string;
  readonly wsMarket: string;
  readonly wsUser: string;
  readonly wsRtds: string;
}

/** The simulator's URLs from its REST URL (the layout `SimServer.urls()` serves). */
export function simEndpoints(restUrl: string): VenueEndpoints {
  const base = restUrl.replace(/\/+$/, "");
  const ws = base.replace(/^http/, "ws");
  return {
    venue: "sim",
    rest: base,
    gamma: `${base}/gamma`,
    wsMarket: `${ws}/ws/market`,
    wsUser: `${ws}/ws/user`,
    wsRtds: `${ws}/ws/rtds`,
  };
}

export function polymarketEndpoints(cfg: Config): VenueEndpoints {
  const p = cfg.polymarket;
  return { venue: "polymarket", rest: p.clobUrl, gamma: p.gammaUrl, wsMarket: p.marketWsUrl, wsUser: p.userWsUrl, wsRtds: p.rtdsUrl };
}

export interface OperatorSession {
  readonly endpoints: VenueEndpoints;
  readonly clock: Clock;
  readonly http: HttpClient;
  readonly rest: PolymarketRest;
  readonly signer: OrderSigner;
  readonly creds: ApiCreds;
  /** Where the credentials came from: "config" or "derived" (L1). */
  readonly credsFrom: "config" | "derived" | "created";
  /** The funder (maker) address our orders and trades carry, lower case. */
  readonly makerAddress: string;
  /** "file" | "env" | "throwaway": which key signs. */
  readonly keySource: string;
  /** Present when this process started the simulator. */
  readonly embedded: SimServer | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly clock?: Clock;
  /** Set when the embedded simulator should start at this epoch ms (tests). */
  readonly simStartMs?: number;
}

/** Venue endpoints for the flags, starting the embedded simulator when asked for one. */
export function resolveEndpoints(
  cfg: Config,
  flags: OperatorFlags,
  clock: Clock,
  opts: OpenOptions = {},
): { endpoints: VenueEndpoints; embedded: SimServer | undefined } {
  const venue = flags.venue ?? cfg.venue;
  if (venue === "polymarket") return { endpoints: polymarketEndpoints(cfg), embedded: undefined };
  if (flags.url !== undefined) return { endpoints: simEndpoints(flags.url), embedded: undefined };
  const exchange = new SimExchange({
    seed: cfg.sim.seed,
    startMs: opts.simStartMs ?? clock.wallMs(),
    flow: DEFAULT_FLOW,
    initialBalanceE6: cfg.sim.startBalanceUsdE6,
    schedule: DEFAULT_SCHEDULE,
  });
  const server = new SimServer({ exchange, clock, port: 0, hostname: "127.0.0.1" });
  return { endpoints: simEndpoints(server.start().rest), embedded: server };
}

/** Opens an authenticated session: signer, API credentials (configured or derived), REST client. */
export async function openSession(
  cfg: Config,
  flags: OperatorFlags,
  opts: OpenOptions = {},
): Promise<Result<OperatorSession, "NO_KEY" | "AUTH" | "VENUE">> {
  const clock = opts.clock ?? new SystemClock();
  const { endpoints, embedded } = resolveEndpoints(cfg, flags, clock, opts);
  const fail = async <C extends "NO_KEY" | "AUTH" | "VENUE">(code: C, reason: string) => {
    await embedded?.stop();
    return err(code, reason);
  };
  let key = cfg.credentials.privateKey;
  let keySource: string = cfg.credentials.privateKeySource;
  if (!key) {
    if (endpoints.venue === "polymarket")
      return fail("NO_KEY", "no signing key: set PRIVATE_KEY_FILE (a 0600 file holding the hex key) or PRIVATE_KEY");
    key = new Secret(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"), "throwaway sim key");
    keySource = "throwaway";
  }
  const isSim = endpoints.venue === "sim";
  const p = cfg.polymarket;
  const signer = new OrderSigner({
    privateKey: key,
    signatureType: isSim ? 0 : p.signatureType,
    chainId: isSim ? 137 : p.chainId,
    ...(!isSim && p.funderAddress !== undefined ? { funder: p.funderAddress } : {}),
  });
  const http = new HttpClient({ clock, timeoutMs: flags.timeoutMs });
  const limiter = new RateLimiter(clock);
  let creds: ApiCreds;
  let credsFrom: OperatorSession["credsFrom"] = "config";
  const c = cfg.credentials;
  if (c.apiKey && c.apiSecret && c.passphrase) {
    creds = { key: c.apiKey.reveal(), secret: c.apiSecret, passphrase: c.passphrase };
  } else {
    const d = await deriveApiCreds(http, endpoints.rest, signer, clock);
    if (!d.ok) return fail(d.code, d.reason);
    creds = d.value.creds;
    credsFrom = d.value.from;
  }
  const rest = new PolymarketRest({
    baseUrl: endpoints.rest,
    http,
    limiter,
    clock,
    auth: l2AuthFrom(creds, signer.address),
    signatureType: signer.signatureType,
  });
  return ok({
    endpoints,
    clock,
    http,
    rest,
    signer,
    creds,
    credsFrom,
    makerAddress: signer.maker.toLowerCase(),
    keySource,
    embedded,
    close: async () => {
      await embedded?.stop();
    },
  });
}

/**
 * API credentials from the signing key over L1, timestamped with the exchange's own clock
 * (`GET /time`) so a host with a skewed clock still authenticates: derive first (the key's
 * existing credentials), create when the key never had any.
 */
export async function deriveApiCreds(
  http: HttpClient,
  base: string,
  signer: OrderSigner,
  clock: Clock,
): Promise<Result<{ creds: ApiCreds; from: "derived" | "created" }, "AUTH" | "VENUE">> {
  const t = await http.request({ method: "GET", url: `${base}/time`, idempotent: true });
  if (t.kind === "failure") return err("VENUE", `GET ${base}/time: ${t.failure}: ${t.message}`);
  const serverSec = Number(t.body);
  const ts = t.status === 200 && Number.isSafeInteger(serverSec) && serverSec > 0 ? serverSec : Math.floor(clock.wallMs() / 1000);
  const attempt = async (method: "GET" | "POST", path: string) =>
    http.request({ method, url: `${base}${path}`, idempotent: method === "GET", headers: { ...l1Headers(signer, ts) } });
  let from: "derived" | "created" = "derived";
  let r = await attempt("GET", "/auth/derive-api-key");
  if (r.kind === "response" && r.status !== 200 && r.status < 500 && r.status !== 401) {
    from = "created";
    r = await attempt("POST", "/auth/api-key");
  }
  if (r.kind === "failure") return err("VENUE", `L1 key derivation: ${r.failure}: ${r.message}`);
  if (r.status !== 200) return err("AUTH", `L1 key derivation refused: HTTP ${r.status} ${r.body.slice(0, 120)}`);
  let j: unknown;
  try {
    j = JSON.parse(r.body);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return err("AUTH", "L1 key derivation: reply is not JSON");
  }
  const o = (typeof j === "object" && j !== null ? j : {}) as Record<string, unknown>;
  if (typeof o.apiKey !== "string" || typeof o.secret !== "string" || typeof o.passphrase !== "string")
    return err("AUTH", "L1 key derivation: reply lacks apiKey/secret/passphrase");
  return ok({
    creds: { key: o.apiKey, secret: new Secret(o.secret, "api secret"), passphrase: new Secret(o.passphrase, "api passphrase") },
    from,
  });
}

/** Loads the configuration for an operator command; prints the problems and returns null when it is bad. */
export function describeConfigProblem(e: unknown): string | undefined {
  if (e instanceof Error && e.name === "ConfigError") return e.message;
  return undefined;
}
