/**
 * The Polymarket client stack against a set of URLs — the real CLOB or the embedded
 * simulator, which speaks the same protocol — as one `MarketFeed` and one `ExchangeClient`:
 *
 *   market channel (FastWebSocket → codec → book cache) ┐
 *   RTDS Chainlink prices (FastWebSocket)               ├→ CompositeFeed ← Gamma auto-roll
 *   REST (HTTP keep-alive, rate limiter, L2 auth) ← signer + pre-signed pool ← order source
 *   user channel (orders, trades) → PolymarketExchangeClient → ConnectedExchange
 *   heartbeat sender (the exchange cancels our orders ~10 s after the last one)
 *
 * API credentials come from the configuration when given, else from L1 auth with the key
 * (`GET /auth/derive-api-key`, then `POST /auth/api-key` for a key the exchange has not seen).
 * Nothing here prints or returns a secret.
 */
import type { Config } from "../config.ts";
import { AcceleratedClock, type Clock, SystemClock } from "../core/clock.ts";
import { NO_ASK_E4, type OrderIntent } from "../core/ports.ts";
import { err, ok, type Result } from "../core/result.ts";
import { Secret } from "../core/secret.ts";
import { formatSizeE6, type SizeE6 } from "../core/units.ts";
import { HttpClient } from "../net/http.ts";
import { RateLimiter } from "../net/rate-limiter.ts";
import { type ApiCreds, l1Headers, l2Headers } from "../polymarket/auth.ts";
import { AutoRoller } from "../polymarket/auto-roll.ts";
import { l2AuthFrom, PolymarketExchangeClient, SignerOrderSource, type TokenMarket } from "../polymarket/exchange-client.ts";
import { GammaClient, type UpDownAsset, type UpDownWindow } from "../polymarket/gamma.ts";
import { HeartbeatSender } from "../polymarket/heartbeat.ts";
import { PolymarketMarketFeed } from "../polymarket/market-feed.ts";
import { PreSignPool } from "../polymarket/presign-pool.ts";
import { PolymarketRest } from "../polymarket/rest.ts";
import { RtdsFeed } from "../polymarket/rtds-feed.ts";
import { OrderSigner, randomSalt, type SignatureType } from "../polymarket/signing.ts";
import { UserFeed } from "../polymarket/user-feed.ts";
import type { TradeView } from "../engine/reconcile.ts";
import { type RateLimitSample, venueStatsFor } from "../monitor/venue-stats.ts";
import { tradeViewsOf } from "../store/recovery.ts";
import { CompositeFeed, ConnectedExchange } from "./compose-feed.ts";

export interface ClobUrls {
  readonly rest: string;
  readonly gamma: string;
  readonly wsMarket: string;
  readonly wsUser: string;
  readonly wsRtds: string;
}

export interface ClobOptions {
  readonly urls: ClobUrls;
  readonly clock: Clock;
  readonly config: Config;
  readonly privateKey: Secret;
  readonly chainId: number;
  readonly signatureType: SignatureType;
  readonly funder?: string;
  /** Use these API credentials instead of deriving them (live, from the configuration). */
  readonly creds?: ApiCreds;
  readonly assets: readonly UpDownAsset[];
  readonly windows: readonly UpDownWindow[];
  readonly rediscoverMs: number;
  /** The venue can merge YES+NO pairs (the simulator's CTF endpoint); otherwise merges are skipped. */
  readonly merges: boolean;
}

export interface ClobConnection {
  readonly feed: CompositeFeed;
  readonly exchange: ConnectedExchange;
  readonly client: PolymarketExchangeClient;
  readonly pool: PreSignPool;
  readonly heartbeat: HeartbeatSender;
  readonly apiKey: string;
  /** The signing EOA (public). */
  readonly address: string;
  /** Our fills since `afterSec` from GET /data/trades (startup recovery, store/recovery.ts). */
  fetchTrades(afterSec: number): Promise<readonly TradeView[]>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const COIN_OF: Readonly<Record<string, string>> = { BTC: "btc/usd", ETH: "eth/usd", SOL: "sol/usd", XRP: "xrp/usd" };

/** L1 auth: derive the key's API credentials, or create them on first use. */
export async function deriveApiCreds(restUrl: string, signer: OrderSigner, clock: Clock): Promise<Result<ApiCreds, "AUTH" | "NETWORK">> {
  const base = restUrl.replace(/\/+$/, "");
  const attempt = async (method: "GET" | "POST", path: string): Promise<Result<ApiCreds, "AUTH" | "NETWORK">> => {
    const headers = l1Headers(signer, Math.floor(clock.wallMs() / 1000));
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, accept: "application/json" },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      return err("NETWORK", `${method} ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    if (!res.ok) return err("AUTH", `${method} ${path}: HTTP ${res.status}`);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      return err("AUTH", `${method} ${path}: reply is not JSON`);
    }
    const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
    if (typeof o.apiKey !== "string" || typeof o.secret !== "string" || typeof o.passphrase !== "string")
      return err("AUTH", `${method} ${path}: no credentials in the reply`);
    return ok({ key: o.apiKey, secret: new Secret(o.secret, "apiSecret"), passphrase: new Secret(o.passphrase, "passphrase") });
  };
  const derived = await attempt("GET", "/auth/derive-api-key");
  return derived.ok || derived.code === "NETWORK" ? derived : attempt("POST", "/auth/api-key");
}

export async function connectClob(o: ClobOptions): Promise<Result<ClobConnection, "AUTH" | "NETWORK">> {
  const { clock, config: cfg, urls } = o;
  const signer = new OrderSigner({
    privateKey: o.privateKey,
    signatureType: o.signatureType,
    chainId: o.chainId,
    ...(o.funder !== undefined && { funder: o.funder }),
  });
  const credsR = o.creds ? ok(o.creds) : await deriveApiCreds(urls.rest, signer, clock);
  if (!credsR.ok) return credsR;
  const creds = credsR.value;

  const http = new HttpClient({ clock: networkClock(clock) });
  const limiter = new RateLimiter(clock);
  const rest = new PolymarketRest({
    baseUrl: urls.rest,
    http,
    limiter,
    clock,
    auth: l2AuthFrom(creds, signer.address),
    signatureType: o.signatureType,
  });

  const market = new PolymarketMarketFeed({ clock, url: urls.wsMarket });
  const rtds = new RtdsFeed({
    clock,
    url: urls.wsRtds,
    symbols: o.assets.map((a) => COIN_OF[a] ?? `${a.toLowerCase()}/usd`),
    sources: ["chainlink"],
  });
  const feed = new CompositeFeed(market, [["rtds", rtds]], () => clock.nowNs());
  const roller = new AutoRoller({
    clock,
    gamma: new GammaClient({ baseUrl: urls.gamma }),
    assets: o.assets,
    windows: o.windows,
    rediscoverMs: o.rediscoverMs,
    onPlan: (plan) => feed.applyPlan(plan),
  });
  feed.onResolved = (id) => roller.planner.markResolved(id);

  const marketOf = (tokenId: string): TokenMarket | undefined => {
    const m = feed.marketOfToken(tokenId);
    if (!m) return undefined;
    // The book knows a tick-size change before discovery does.
    return { tickE4: feed.book(tokenId)?.tickE4 ?? m.tickE4, negRisk: m.negRisk, exchangeVersion: m.exchangeVersion };
  };
  const pool = new PreSignPool(signer, { size: cfg.execution.preSignPoolSize, clock, nextSalt: randomSalt });
  const orders = new SignerOrderSource({
    signer,
    owner: creds.key,
    clock,
    marketOf,
    nextSalt: randomSalt,
    pool,
    onPrepare: (intents) => planPool(pool, intents, marketOf),
  });
  const heartbeat = new HeartbeatSender({ rest, clock, intervalMs: cfg.execution.heartbeatMs });
  const feeOf = (tokenId: string) => {
    const m = feed.marketOfToken(tokenId);
    return m ? { rate: m.feeRate, exponent: m.feeExponent } : undefined;
  };
  const client = new PolymarketExchangeClient({
    rest,
    orders,
    clock,
    identity: { apiKey: creds.key, makerAddress: signer.maker },
    heartbeat,
    feeOf,
  });
  const exchange = new ConnectedExchange(client, clock, o.merges ? simMerger(urls.rest, creds, signer.address, clock) : undefined);
  let userDownAtMs = 0;
  const user = new UserFeed({
    clock,
    credentials: { apiKey: creds.key, secret: creds.secret, passphrase: creds.passphrase },
    url: urls.wsUser,
    markets: [],
    onUserEvent: (ev) => client.onUserMessage(ev),
    onConnection: (ev) => {
      exchange.userConnection(ev.state, ev.atNs, ev.reason);
      // The user channel replays nothing after a reconnect: read the gap's trades over REST and
      // feed them through the same path (fills already seen are dropped downstream by id).
      if (ev.state === "disconnected") userDownAtMs ||= clock.wallMs();
      else if ((ev.state === "connected" || ev.state === "resynced") && userDownAtMs > 0) {
        const afterSec = Math.floor((userDownAtMs - 60_000) / 1000);
        userDownAtMs = 0;
        void rest.getTrades({ after: afterSec }).then((r) => {
          if (r.ok) for (const t of r.value) client.onUserMessage(t);
        });
      }
    },
  });
  const tokensOf = new Map<string, readonly string[]>();
  feed.onSubscribe = (ms) => {
    for (const m of ms) tokensOf.set(m.conditionId, [m.yesTokenId, m.noTokenId]);
    user.subscribe(ms.map((m) => m.conditionId));
  };
  feed.onUnsubscribe = (ids) => {
    // A market that rolled off keeps no signed orders: they would be kept (and re-signed as
    // they age) forever — the soak showed ~4 MB of heap per simulated hour without this.
    for (const id of ids) {
      for (const t of tokensOf.get(id) ?? []) pool.invalidate(t, "market_roll");
      tokensOf.delete(id);
    }
    user.unsubscribe(ids);
  };
  // Counters the metrics read at scrape time (monitor/venue-stats.ts; the feed registered its own).
  const stats = venueStatsFor(feed);
  stats.parseErrors.push({ channel: "user", counts: () => user.codec.errors }, { channel: "rest", counts: () => rest.stats.badBodies });
  stats.rateLimits.push(() => rateLimitSamples(limiter, rest, http));
  let stopRefill: (() => void) | undefined;

  return ok({
    feed,
    exchange,
    client,
    pool,
    heartbeat,
    apiKey: creds.key,
    address: signer.address,
    async fetchTrades(afterSec) {
      const r = await rest.getTrades({ after: afterSec });
      if (!r.ok) throw new Error(`GET /data/trades: ${r.code}: ${r.reason}`);
      return tradeViewsOf(r.value, creds.key, signer.maker);
    },
    async start() {
      heartbeat.start();
      // Refill the pool in idle slices: at most 5 ms of signing every 50 ms of clock time.
      if (cfg.execution.preSignPoolSize > 0) stopRefill = pool.autoRefill(50, 5);
      user.start();
      market.ws.start();
      rtds.start();
      await roller.start();
    },
    async close() {
      roller.stop();
      stopRefill?.();
      user.close();
      rtds.close();
      feed.close();
      await exchange.close();
    },
  });
}

/**
 * Per endpoint class: requests the limiter delayed plus 429 replies, and the limiter's waiting
 * time; plus, as `http_retry`, the 429s the HTTP client retried by itself and their wait.
 */
function rateLimitSamples(limiter: RateLimiter, rest: PolymarketRest, http: HttpClient): RateLimitSample[] {
  const out: RateLimitSample[] = [];
  const snap = limiter.snapshot();
  const classes = new Set([...Object.keys(snap), ...Object.keys(rest.stats.tooManyRequests)]);
  for (const cls of classes) {
    const s = snap[cls];
    const n429 = rest.stats.tooManyRequests[cls as keyof typeof rest.stats.tooManyRequests] ?? 0;
    const waits = (s?.waits ?? 0) + n429;
    if (waits === 0) continue;
    out.push({ endpoint: cls, waits, waitedMs: s?.waitedMs ?? 0 });
  }
  if (http.stats.throttledRetries > 0)
    out.push({ endpoint: "http_retry", waits: http.stats.throttledRetries, waitedMs: http.stats.throttledWaitMs });
  return out;
}

/** Hands the pool the prices a bot expects to send next (the quote of each token, per side). */
function planPool(pool: PreSignPool, intents: readonly OrderIntent[], marketOf: (t: string) => TokenMarket | undefined): void {
  const byToken = new Map<string, { bid: number; ask: number; size: SizeE6 }>();
  for (const i of intents) {
    const q = byToken.get(i.tokenId) ?? { bid: 0, ask: NO_ASK_E4, size: i.sizeE6 };
    if (i.side === "BUY") q.bid = Math.max(q.bid, i.priceE4);
    else q.ask = Math.min(q.ask, i.priceE4);
    q.size = i.sizeE6;
    byToken.set(i.tokenId, q);
  }
  for (const [tokenId, q] of byToken) {
    const m = marketOf(tokenId);
    if (m)
      pool.plan(tokenId, {
        bidE4: q.bid,
        askE4: q.ask,
        sizeE6: q.size,
        tickE4: m.tickE4,
        negRisk: m.negRisk,
        exchangeVersion: m.exchangeVersion,
      });
  }
}

/** The simulator's CTF merge (`POST /sim/ctf/merge`, L2-authenticated); resolves to whether it merged. */
function simMerger(
  restUrl: string,
  creds: ApiCreds,
  address: string,
  clock: Clock,
): (conditionId: string, sizeE6: SizeE6) => Promise<boolean> {
  const base = restUrl.replace(/\/+$/, "");
  return async (conditionId, sizeE6) => {
    const path = "/sim/ctf/merge";
    const body = JSON.stringify({ market: conditionId, amount: formatSizeE6(sizeE6) });
    const headers = l2Headers(creds, address, Math.floor(clock.wallMs() / 1000), "POST", path, body);
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return res.ok;
  };
}

/**
 * The clock of request timeouts. They measure the network, which is never accelerated: on
 * an accelerated clock a 5 s timeout would be 250 ms at ×20, and a busy host would time
 * orders out. A manual clock (tests, the soak) keeps driving them.
 */
export function networkClock(clock: Clock): Clock {
  return clock instanceof AcceleratedClock ? new SystemClock() : clock;
}
