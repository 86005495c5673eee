/**
 * The simulator on the network: one `Bun.serve` bound to 127.0.0.1 (port 0 allowed) that
 * speaks Polymarket's protocol — CLOB REST (rest-routes.ts), Gamma-like discovery under
 * `/gamma`, the market / user / RTDS WebSockets (ws-hub.ts) — over an in-process
 * SimExchange, plus a `/test/*` API (off unless enabled) to place books, move the
 * underlying and inject faults.
 *
 * Time: the exchange runs on a `Clock` (system, accelerated or manual). A 20 ms real-time
 * pump and every request bring it to `clock.wallMs()`; with a ManualClock nothing moves
 * until the test advances the clock (then `sync()` or any request catches up).
 *
 * Faults (POST /test/fault): drop sockets, stop answering PING, silence the sockets, answer
 * the next N matching requests with an HTTP status (429 with Retry-After, 500, 503, 425…),
 * lose replies (the request takes effect, the reply never comes), add latency. Requests
 * match by path prefix and, when `method` is given, by method.
 */
import type { Server } from "bun";
import type { Clock } from "../core/clock.ts";
import { parseSizeE6 } from "../core/units.ts";
import type { SimExchange } from "./exchange.ts";
import type { Outcome } from "./matching.ts";
import { errorJson, gammaRoute, json, l1Route, privateRoute, publicRoute, type RestContext, type RestRequest } from "./rest-routes.ts";
import { SimKeys } from "./sim-auth.ts";
import type { CoinSymbol } from "./underlying.ts";
import { type WsData, type WsKind, WsHub } from "./ws-hub.ts";

export interface SimServerOptions {
  readonly exchange: SimExchange;
  readonly clock: Clock;
  /** 0 = any free port. */
  readonly port?: number;
  readonly hostname?: string;
  /** Serve /test/* (fault injection, book placement). Off by default. */
  readonly testApi?: boolean;
  readonly chainId?: number;
  /** Real-time period of the time pump (ms). */
  readonly pumpMs?: number;
}

export interface SimUrls {
  readonly rest: string;
  readonly gamma: string;
  readonly wsMarket: string;
  readonly wsUser: string;
  readonly wsRtds: string;
}

interface HttpFault {
  status: number;
  remaining: number;
  path: string;
  retryAfterSec: number;
  /** Only requests with this method ("" = any). */
  method: string;
}

export class SimServer {
  readonly ex: SimExchange;
  readonly keys: SimKeys;
  readonly hub: WsHub;
  private readonly clock: Clock;
  private readonly opts: SimServerOptions;
  private server: Server<WsData> | undefined;
  private pump: ReturnType<typeof setInterval> | undefined;
  private readonly httpFaults: HttpFault[] = [];
  private lostReplies = { remaining: 0, path: "", method: "" };
  private delayMs = 0;
  private readonly pendingLost = new Set<(r: Response) => void>();
  /** Requests served, by path (stats and tests). */
  readonly requests = new Map<string, number>();

  constructor(opts: SimServerOptions) {
    this.opts = opts;
    this.ex = opts.exchange;
    this.clock = opts.clock;
    this.keys = new SimKeys(this.ex.cfg.seed, opts.chainId ?? 137);
    this.hub = new WsHub(this.ex, this.keys);
  }

  /** Binds and starts serving; returns the URLs. */
  start(): SimUrls {
    if (this.server) return this.urls();
    const ctx: RestContext = { ex: this.ex, keys: this.keys };
    this.server = Bun.serve<WsData>({
      hostname: this.opts.hostname ?? "127.0.0.1",
      port: this.opts.port ?? 0,
      fetch: (req, server) => this.handle(req, server, ctx),
      websocket: {
        open: (ws) => this.hub.open(ws),
        message: (ws, msg) => {
          this.sync();
          this.hub.message(ws, msg);
        },
        close: (ws) => this.hub.close(ws),
        idleTimeout: 120,
      },
    });
    this.hub.attach(this.server);
    this.pump = setInterval(() => this.sync(), this.opts.pumpMs ?? 20);
    return this.urls();
  }

  urls(): SimUrls {
    const port = this.server?.port ?? 0;
    const host = this.opts.hostname ?? "127.0.0.1";
    return {
      rest: `http://${host}:${port}`,
      gamma: `http://${host}:${port}/gamma`,
      wsMarket: `ws://${host}:${port}/ws/market`,
      wsUser: `ws://${host}:${port}/ws/user`,
      wsRtds: `ws://${host}:${port}/ws/rtds`,
    };
  }

  /** Brings the exchange to the clock's time. */
  sync(): void {
    const now = this.clock.wallMs();
    if (now > this.ex.nowMs) this.ex.advanceTo(now);
  }

  /** Stops the pump, closes every socket and the listener. */
  async stop(): Promise<void> {
    if (this.pump) clearInterval(this.pump);
    this.pump = undefined;
    for (const resolve of this.pendingLost) resolve(new Response(null, { status: 504 }));
    this.pendingLost.clear();
    this.hub.detach();
    for (const ws of [...this.hub.sockets]) ws.close(1001, "server stopping");
    const s = this.server;
    this.server = undefined;
    if (s) await s.stop(true);
  }

  private async handle(req: Request, server: Server<WsData>, ctx: RestContext): Promise<Response | undefined> {
    const url = new URL(req.url);
    const path = url.pathname;
    this.sync();
    const ws = WS_PATHS[path];
    if (ws) {
      const ok = server.upgrade(req, { data: { kind: ws, subs: new Set<string>(), custom: false, owner: "" } });
      return ok ? undefined : new Response("expected a WebSocket upgrade", { status: 400 });
    }
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    const body = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    if (path.startsWith("/test/")) return this.opts.testApi ? this.testRoute(req.method, path, body) : errorJson("not found", 404);
    const fault = this.takeHttpFault(req.method, path);
    if (fault) return fault;
    if (this.delayMs > 0) await Bun.sleep(this.delayMs);
    const r: RestRequest = { method: req.method, path, query: url.searchParams, body, headers: req.headers };
    const res = l1Route(ctx, r) ?? privateRoute(ctx, r) ?? publicRoute(ctx, r) ?? gammaRoute(ctx, r) ?? errorJson("not found", 404);
    if (
      this.lostReplies.remaining > 0 &&
      path.startsWith(this.lostReplies.path) &&
      (this.lostReplies.method === "" || this.lostReplies.method === req.method)
    ) {
      this.lostReplies.remaining--;
      // the request took effect; the reply is held until the server stops (the client times out)
      return new Promise<Response>((resolve) => this.pendingLost.add(resolve));
    }
    return res;
  }

  private takeHttpFault(method: string, path: string): Response | undefined {
    const f = this.httpFaults.find((x) => x.remaining > 0 && path.startsWith(x.path) && (x.method === "" || x.method === method));
    if (!f) return undefined;
    f.remaining--;
    const message =
      f.status === 429
        ? "Too Many Requests"
        : f.status === 425
          ? "Too Early"
          : f.status === 503
            ? "Trading is currently disabled. Check polymarket.com for updates"
            : "Internal server error";
    const headers: Record<string, string> =
      f.status === 429 || f.status === 503 || f.status === 425 ? { "retry-after": String(f.retryAfterSec) } : {};
    return json({ error: message }, f.status, headers);
  }

  private testRoute(method: string, path: string, text: string): Response {
    let body: Record<string, unknown> = {};
    if (text.length > 0) {
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v === "object" && v !== null && !Array.isArray(v)) body = v as Record<string, unknown>;
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        return errorJson("body is not JSON", 400);
      }
    }
    const str = (k: string): string => (typeof body[k] === "string" ? (body[k] as string) : "");
    const num = (k: string): number => (typeof body[k] === "number" ? (body[k] as number) : Number.NaN);
    const ex = this.ex;
    switch (`${method} ${path}`) {
      case "GET /test/state": {
        const a = ex.accounts.audit();
        return json({
          now_ms: ex.nowMs,
          markets: ex.allMarkets().map((m) => ({
            slug: m.sched.info.slug,
            condition_id: m.sched.info.conditionId,
            state: m.state,
            strike: m.strike ?? null,
            winner: m.winner ?? null,
          })),
          deposited: a.depositedE6,
          collateral: a.collateralE6,
          fees_kept: a.feesKeptE6,
          pairs: a.pairsE6,
          negative: a.negative,
          ws_sockets: this.hub.sockets.size,
          ws_published: this.hub.published,
          records: ex.recordCounts(),
        });
      }
      case "POST /test/book": {
        const placed = ex.placeBook(str("token_id"), levels(body.bids), levels(body.asks));
        return placed.ok ? json({ placed: placed.ids }) : errorJson(placed.error, 400);
      }
      case "POST /test/clear-book":
        return json({ canceled: ex.clearBook(str("market")) });
      case "POST /test/underlying": {
        const coin = str("symbol") as CoinSymbol;
        if (!["btc/usd", "eth/usd", "sol/usd"].includes(coin)) return errorJson("symbol must be btc/usd, eth/usd or sol/usd", 400);
        if (Number.isFinite(num("price"))) ex.setUnderlying(coin, num("price"));
        if (Number.isFinite(num("shock"))) ex.shockUnderlying(coin, num("shock"));
        return json({ symbol: coin, price: ex.walk.price(coin) });
      }
      case "POST /test/fund": {
        const key = str("api_key");
        const amount = parseSizeE6(str("amount"));
        if (key === "" || amount < 0) return errorJson("api_key and amount (decimal string) required", 400);
        ex.fund(key, amount);
        return json({ api_key: key, balance: String(ex.collateral(key)) });
      }
      case "POST /test/tick-size":
        ex.setTickSize(str("market"), Math.round(Number(str("tick_size")) * 10_000));
        return json({ ok: true });
      case "POST /test/resolve": {
        const w = num("winner");
        ex.resolveNow(str("market"), w === 0 || w === 1 ? (w as Outcome) : undefined);
        return json({ ok: true });
      }
      case "POST /test/flow":
        ex.setFlowEnabled(body.enabled === true);
        return json({ enabled: body.enabled === true });
      case "POST /test/fault":
        return json(this.applyFault(body));
      default:
        return errorJson("not found", 404);
    }
  }

  private applyFault(b: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (b.clear === true) {
      this.httpFaults.length = 0;
      this.lostReplies = { remaining: 0, path: "", method: "" };
      this.delayMs = 0;
      this.hub.faults.stopPong = false;
      this.hub.faults.silence = false;
      out.cleared = true;
    }
    if (typeof b.drop_sockets === "string") out.dropped = this.hub.drop(b.drop_sockets as WsKind | "all");
    if (typeof b.stop_pong === "boolean") this.hub.faults.stopPong = b.stop_pong;
    if (typeof b.silence === "boolean") this.hub.faults.silence = b.silence;
    if (typeof b.http_status === "number") {
      this.httpFaults.push({
        status: b.http_status,
        remaining: typeof b.count === "number" ? b.count : 1,
        path: typeof b.path === "string" ? b.path : "/",
        retryAfterSec: typeof b.retry_after === "number" ? b.retry_after : 1,
        method: typeof b.method === "string" ? b.method.toUpperCase() : "",
      });
    }
    if (typeof b.lose_replies === "number")
      this.lostReplies = {
        remaining: b.lose_replies,
        path: typeof b.path === "string" ? b.path : "/",
        method: typeof b.method === "string" ? b.method.toUpperCase() : "",
      };
    if (typeof b.delay_ms === "number") this.delayMs = Math.max(0, b.delay_ms);
    return {
      ...out,
      stop_pong: this.hub.faults.stopPong,
      silence: this.hub.faults.silence,
      http_faults: this.httpFaults.filter((f) => f.remaining > 0).length,
      lose_replies: this.lostReplies.remaining,
      delay_ms: this.delayMs,
    };
  }
}

const WS_PATHS: Readonly<Record<string, WsKind>> = { "/ws/market": "market", "/ws/user": "user", "/ws/rtds": "rtds" };

function levels(v: unknown): [string, string][] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is [string, string] => Array.isArray(x) && typeof x[0] === "string" && typeof x[1] === "string");
}
