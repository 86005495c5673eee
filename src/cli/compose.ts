/**
 * The one place modes differ (STYLE §2.3): builds the clock, the `MarketFeed` and the
 * `ExchangeClient` a bot runs on. Bots, the order manager and everything below never ask
 * which mode they are in.
 *
 * | venue              | clock                 | feed                                      | exchange                         |
 * |--------------------|-----------------------|-------------------------------------------|----------------------------------|
 * | sim (default)      | accelerated (--speed) | market WS + RTDS WS + Gamma auto-roll, all against the embedded simulator server | REST + signing + L2 auth + user WS + heartbeat, same server |
 * | sim --sim-url URL  | system                | same, against a simulator already running | same                             |
 * | polymarket --paper | system                | Polymarket's public sockets + Gamma       | paper venue (venue/paper.ts): fills simulated on the live book, nothing sent |
 * | polymarket --live  | system                | Polymarket's public sockets + Gamma       | the real CLOB with the user's key |
 *
 * The embedded simulator binds 127.0.0.1:0 (SIM_PORT) and gets a throwaway key generated
 * for the run, so the real client stack — the same code that trades live — is exercised end
 * to end on every `bun run src/main.ts`. Its clock starts 90 s before a 15-minute boundary so
 * the first 5- and 15-minute windows start (with their strikes observed) right away.
 *
 * `--live` needs a key, and cli/mm.ts prints the limits and asks for confirmation first.
 * Exports used by the `arb` command too: `composeVenue`, `liveLimitsSummary`, `confirmLive`.
 */
import type { Config } from "../config.ts";
import { AcceleratedClock, type Clock, SystemClock } from "../core/clock.ts";
import type { ExchangeClient, MarketFeed } from "../core/ports.ts";
import type { TradeView } from "../engine/reconcile.ts";
import { err, ok, type Result } from "../core/result.ts";
import { Secret } from "../core/secret.ts";
import { dollarsOf, formatFixed, type SizeE6 } from "../core/units.ts";
import { AutoRoller } from "../polymarket/auto-roll.ts";
import { GammaClient, type UpDownAsset, type UpDownWindow } from "../polymarket/gamma.ts";
import { PolymarketMarketFeed } from "../polymarket/market-feed.ts";
import { RtdsFeed } from "../polymarket/rtds-feed.ts";
import type { PoolStats } from "../polymarket/presign-pool.ts";
import type { DislocationConfig } from "../sim/dislocation.ts";
import { SimExchange } from "../sim/exchange.ts";
import { DEFAULT_FLOW, type FlowConfig } from "../sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../sim/schedule.ts";
import { SimServer, type SimUrls } from "../sim/server.ts";
import { paperVenue } from "../venue/paper.ts";
import { CompositeFeed } from "./compose-feed.ts";
import { connectClob, type ClobConnection, type ClobUrls } from "./compose-clob.ts";

export interface ComposeOptions {
  readonly config: Config;
  readonly venue: "sim" | "polymarket";
  readonly tradingMode: "live" | "paper";
  /** Simulated seconds per real second (embedded simulator only). */
  readonly speed?: number;
  /** REST URL of a simulator that is already running (then no server is started here). */
  readonly simUrl?: string;
  readonly seed?: number;
  /** Epoch ms the embedded simulator starts at (default: 90 s before the next 15-minute boundary). */
  readonly simStartMs?: number;
  /** Paper mode on the simulator: its public feed in, the paper fill model decides fills, nothing is sent to it. */
  readonly simPaper?: boolean;
  /** Serve the simulator's /test API (fault injection; tests). */
  readonly simTestApi?: boolean;
  /** Assets × windows to roll (default MM_MARKETS × MM_WINDOWS). */
  readonly assets?: readonly UpDownAsset[];
  readonly windows?: readonly UpDownWindow[];
  /** Gamma discovery period (clock ms), default 60 s. */
  readonly rediscoverMs?: number;
  /** The simulator's and the bot's clock (tests pass a ManualClock); default accelerated by `speed`. */
  readonly clock?: Clock;
  /** Arbitrage gaps on the embedded simulator (sim/dislocation.ts); default none, as on Polymarket. `arb` turns them on. */
  readonly dislocation?: DislocationConfig | null;
  /** The embedded simulator's synthetic flow; default DEFAULT_FLOW, null = none (tests that engineer their own books). */
  readonly simFlow?: FlowConfig | null;
}

export interface EmbeddedSim {
  readonly exchange: SimExchange;
  readonly server: SimServer;
  readonly urls: SimUrls;
}

export interface VenueHandle {
  readonly clock: Clock;
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  /** Lines for the startup banner (URLs, mode, key address; never a secret). */
  readonly lines: readonly string[];
  /** API key of the trading account ("" for paper). */
  readonly apiKey: string;
  /** Present when this process started the simulator. */
  readonly sim: EmbeddedSim | undefined;
  /** Our fills since `afterSec` (venues that list trades; startup recovery). */
  readonly fetchTrades?: (afterSec: number) => Promise<readonly TradeView[]>;
  /**
   * Whether `exchange.merge` reaches the venue: the simulator (POST /sim/ctf/merge) and paper
   * do; live does not (on-chain CTF merges are not built: merges are skipped and counted, held
   * pairs pay $1 at resolution). Absent = true.
   */
  readonly merges?: boolean;
  /** The pre-signed pool's counters (venues that sign: simulator and live). */
  readonly poolStats?: () => PoolStats;
  /** Opens sockets and starts auto-roll; call after the bot subscribed to feed and exchange. */
  start(): Promise<void>;
  /** Closes sockets, timers and the embedded server. */
  close(): Promise<void>;
}

export type ComposeError = "NOT_BUILT" | "VENUE" | "USAGE";

const COIN_OF: Readonly<Record<string, string>> = { BTC: "btc/usd", ETH: "eth/usd", SOL: "sol/usd", XRP: "xrp/usd" };
const WINDOW_SEC_OF: Readonly<Record<string, number>> = { "5m": 300, "15m": 900, "1h": 3600, "4h": 14_400 };

/** Epoch ms 90 s before the next 15-minute boundary after `nowMs`. */
export function alignedSimStart(nowMs: number): number {
  const w = 900_000;
  return Math.ceil((nowMs + 90_000) / w) * w - 90_000;
}

export async function composeVenue(opts: ComposeOptions): Promise<Result<VenueHandle, ComposeError>> {
  const cfg = opts.config;
  const assets: readonly UpDownAsset[] = opts.assets ?? cfg.mm.markets;
  const windows = opts.windows ?? cfg.mm.windows.filter((w): w is UpDownWindow => w === "5m" || w === "15m" || w === "1h");
  if (assets.length === 0 || windows.length === 0)
    return err("USAGE", "MM_MARKETS and MM_WINDOWS must name at least one Up/Down asset and window (5m, 15m, 1h)");
  if (opts.venue === "polymarket") return composePolymarket(opts, assets, windows);

  let sim: EmbeddedSim | undefined;
  let clock: Clock;
  let urls: ClobUrls;
  if (opts.simUrl !== undefined) {
    urls = simUrlsFrom(opts.simUrl);
    // Follow the running simulator's clock (`sim --start`, `--speed`): its GET /time, at --speed.
    const serverMs = await simServerTimeMs(urls.rest);
    const speed = opts.speed ?? cfg.sim.speed;
    clock =
      opts.clock ??
      (serverMs !== undefined && (speed !== 1 || Math.abs(serverMs - Date.now()) > 2_000)
        ? new AcceleratedClock(speed, serverMs)
        : new SystemClock());
  } else {
    const speed = opts.speed ?? cfg.sim.speed;
    const startMs = opts.simStartMs ?? alignedSimStart(Date.now());
    clock = opts.clock ?? new AcceleratedClock(speed, startMs);
    const exchange = new SimExchange({
      seed: opts.seed ?? cfg.sim.seed,
      startMs: clock.wallMs(),
      flow: opts.simFlow === undefined ? DEFAULT_FLOW : opts.simFlow,
      dislocation: opts.dislocation ?? null,
      initialBalanceE6: cfg.sim.startBalanceUsdE6,
      // Only the coins and windows we trade: the simulator's flow costs CPU per listed market.
      schedule: {
        ...DEFAULT_SCHEDULE,
        coins: DEFAULT_SCHEDULE.coins.filter((c) => assets.some((a) => COIN_OF[a] === c)),
        windows: DEFAULT_SCHEDULE.windows.filter((w) => windows.some((x) => WINDOW_SEC_OF[x] === w)),
      },
    });
    const server = new SimServer({ exchange, clock, port: cfg.sim.port, hostname: cfg.sim.host, testApi: opts.simTestApi ?? false });
    let simUrls: SimUrls;
    try {
      simUrls = server.start();
    } catch (e) {
      return err("VENUE", `cannot start the simulator on ${cfg.sim.host}:${cfg.sim.port}: ${e instanceof Error ? e.message : String(e)}`);
    }
    sim = { exchange, server, urls: simUrls };
    urls = { rest: simUrls.rest, gamma: simUrls.gamma, wsMarket: simUrls.wsMarket, wsUser: simUrls.wsUser, wsRtds: simUrls.wsRtds };
  }
  if (opts.simPaper) return ok(simPaperHandle(opts, clock, urls, sim, assets, windows));
  // A throwaway key: the simulator opens a funded account for any key it has not seen.
  // PRIVATE_KEY(_FILE) when configured, so a restarted bot finds its orders and positions.
  const key = cfg.credentials.privateKey ?? new Secret(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex"), "sim key");
  const conn = await connectClob({
    urls,
    clock,
    config: cfg,
    privateKey: key,
    assets,
    windows,
    chainId: 137,
    signatureType: 0,
    rediscoverMs: opts.rediscoverMs ?? 60_000,
    merges: true,
  });
  if (!conn.ok) {
    await sim?.server.stop();
    return err("VENUE", conn.reason);
  }
  const c = conn.value;
  const lines = [
    sim
      ? `simulator: ${urls.rest} (seed ${opts.seed ?? cfg.sim.seed}, ×${opts.speed ?? cfg.sim.speed} speed, starts ${new Date(sim.exchange.nowMs).toISOString()})`
      : `simulator: ${urls.rest}`,
    `account: throwaway key ${c.address} (generated for this run)`,
  ];
  if (opts.dislocation && sim)
    lines.push(
      `simulator: arbitrage gaps on (~${opts.dislocation.ratePerMin}/market/min, ${opts.dislocation.minGapE4 / 100}–${opts.dislocation.maxGapE4 / 100} c, ${opts.dislocation.ttlMs / 1000} s)`,
    );
  return ok(handleOf(clock, c, lines, sim, true));
}

/** `--venue sim --paper`: the same paper venue as on Polymarket, fed by the simulator's public sockets. */
function simPaperHandle(
  opts: ComposeOptions,
  clock: Clock,
  urls: ClobUrls,
  sim: EmbeddedSim | undefined,
  assets: readonly UpDownAsset[],
  windows: readonly UpDownWindow[],
): VenueHandle {
  const { feed, start, close } = publicFeed(urls, clock, assets, windows, opts.rediscoverMs ?? 60_000);
  const paper = paperVenue({ feed, clock });
  return {
    clock,
    feed,
    exchange: paper.exchange,
    lines: [`simulator: ${urls.rest} public data (${urls.wsMarket}); paper fills: no order is sent to the simulator`],
    apiKey: "",
    sim,
    merges: true,
    start,
    async close() {
      paper.detach();
      close();
      await sim?.server.stop();
    },
  };
}

function handleOf(clock: Clock, c: ClobConnection, lines: readonly string[], sim: EmbeddedSim | undefined, merges: boolean): VenueHandle {
  return {
    clock,
    feed: c.feed,
    exchange: c.exchange,
    lines,
    apiKey: c.apiKey,
    sim,
    merges,
    poolStats: () => c.pool.stats(),
    fetchTrades: (afterSec) => c.fetchTrades(afterSec),
    start: () => c.start(),
    async close() {
      await c.close();
      await sim?.server.stop();
    },
  };
}

/** The simulator's time (GET /time has 1-s resolution: the middle of that second), undefined when unreachable. */
async function simServerTimeMs(rest: string): Promise<number | undefined> {
  try {
    const r = await fetch(`${rest}/time`, { signal: AbortSignal.timeout(5_000) });
    const sec = Number(await r.text());
    return r.ok && Number.isSafeInteger(sec) && sec > 0 ? sec * 1000 + 500 : undefined;
  } catch (e) {
    if (e instanceof Error) return undefined; // unreachable: connectClob reports it
    throw e;
  }
}

function simUrlsFrom(rest: string): ClobUrls {
  const base = rest.replace(/\/+$/, "");
  const ws = base.replace(/^http/, "ws");
  return { rest: base, gamma: `${base}/gamma`, wsMarket: `${ws}/ws/market`, wsUser: `${ws}/ws/user`, wsRtds: `${ws}/ws/rtds` };
}

async function composePolymarket(
  opts: ComposeOptions,
  assets: readonly UpDownAsset[],
  windows: readonly UpDownWindow[],
): Promise<Result<VenueHandle, ComposeError>> {
  const cfg = opts.config;
  const clock = new SystemClock();
  const p = cfg.polymarket;
  const urls: ClobUrls = { rest: p.clobUrl, gamma: p.gammaUrl, wsMarket: p.marketWsUrl, wsUser: p.userWsUrl, wsRtds: p.rtdsUrl };
  if (opts.tradingMode === "paper") {
    // Paper: Polymarket's public data, fills simulated on the live book, no key, nothing sent.
    const { feed, start, close } = publicFeed(urls, clock, assets, windows, opts.rediscoverMs ?? 60_000);
    const paper = paperVenue({ feed, clock });
    return ok({
      clock,
      feed,
      exchange: paper.exchange,
      lines: [`venue: Polymarket public data (${urls.wsMarket}), paper fills: no order leaves this machine`],
      apiKey: "",
      sim: undefined,
      merges: true,
      start,
      async close() {
        paper.detach();
        close();
      },
    });
  }
  const key = cfg.credentials.privateKey;
  if (!key) return err("USAGE", "--live needs a signing key: set PRIVATE_KEY_FILE (preferred) or PRIVATE_KEY");
  const conn = await connectClob({
    urls,
    clock,
    config: cfg,
    privateKey: key,
    assets,
    windows,
    chainId: p.chainId,
    signatureType: p.signatureType,
    ...(p.funderAddress !== undefined && { funder: p.funderAddress }),
    rediscoverMs: opts.rediscoverMs ?? 60_000,
    // On-chain merges are not built: pairs are redeemed at resolution instead.
    merges: false,
  });
  if (!conn.ok) return err("VENUE", conn.reason);
  const lines = [
    `venue: Polymarket LIVE ${urls.rest}`,
    `account: ${conn.value.address}`,
    "merges: not built for the live venue (on-chain CTF merge): held YES+NO pairs are kept and pay $1 at resolution",
  ];
  return ok(handleOf(clock, conn.value, lines, undefined, false));
}

/** Market channel + RTDS + Gamma auto-roll, no credentials (paper trading, recording). */
export function publicFeed(
  urls: Pick<ClobUrls, "gamma" | "wsMarket" | "wsRtds">,
  clock: Clock,
  assets: readonly UpDownAsset[],
  windows: readonly UpDownWindow[],
  rediscoverMs: number,
): { feed: CompositeFeed; start(): Promise<void>; close(): void } {
  const market = new PolymarketMarketFeed({ clock, url: urls.wsMarket });
  const rtds = new RtdsFeed({
    clock,
    url: urls.wsRtds,
    symbols: assets.map((a) => COIN_OF[a] ?? `${a.toLowerCase()}/usd`),
    sources: ["chainlink"],
  });
  const feed = new CompositeFeed(market, [["rtds", rtds]], () => clock.nowNs());
  const roller = new AutoRoller({
    clock,
    gamma: new GammaClient({ baseUrl: urls.gamma }),
    assets,
    windows,
    rediscoverMs,
    onPlan: (plan) => feed.applyPlan(plan),
  });
  feed.onResolved = (id) => roller.planner.markResolved(id);
  return {
    feed,
    async start() {
      market.ws.start();
      rtds.start();
      await roller.start();
    },
    close() {
      roller.stop();
      rtds.close();
      feed.close();
    },
  };
}

/** Window length in seconds of an MM_WINDOWS entry. */
export const windowSecOf = (w: string): number => WINDOW_SEC_OF[w] ?? 0;

/** The limits a live run will trade with, for the operator to confirm. Never shows a secret. */
export function liveLimitsSummary(cfg: Config, bot: string): string[] {
  const usd = (e6: number) => `$${formatFixed(e6, 6)}`;
  const size = (e6: SizeE6) => `${dollarsOf(e6)} shares`;
  return [
    `LIVE TRADING on Polymarket (${cfg.polymarket.clobUrl}), bot: ${bot}`,
    `  key:                ${cfg.credentials.privateKeySource === "file" ? `file ${cfg.credentials.privateKeyFile ?? ""}` : cfg.credentials.privateKeySource}, signature type ${cfg.polymarket.signatureType}${cfg.polymarket.funderAddress ? `, funder ${cfg.polymarket.funderAddress}` : ""}`,
    `  markets:            ${cfg.mm.markets.join(",")} × ${cfg.mm.windows.join(",")}`,
    `  order size:         ${size(cfg.mm.orderSizeE6)}; spread ${formatFixed(cfg.mm.baseSpreadE4, 4)} (min ${formatFixed(cfg.mm.minSpreadE4, 4)}, max ${formatFixed(cfg.mm.maxSpreadE4, 4)})`,
    `  max position:       ${usd(cfg.mm.maxPositionUsdE6)} per market (at cost)`,
    `  max total exposure: ${usd(cfg.risk.maxTotalExposureUsdE6)}; correlated ${usd(cfg.risk.maxCorrelatedExposureUsdE6)}`,
    `  daily loss limit:   ${usd(cfg.risk.dailyLossLimitUsdE6)} (halts and cancels all)`,
    `  stale feed:         ${cfg.risk.staleFeedMs / 1000} s; circuit breaker at ${cfg.risk.circuitBreakerVolScore}× normal volatility`,
  ];
}

/**
 * Asks the operator to type "yes" on stdin (or accepts `--yes`). Resolves true only on an
 * explicit yes; end of input or anything else is a no.
 */
export async function confirmLive(
  lines: readonly string[],
  yes: boolean,
  write: (s: string) => void = (s) => process.stderr.write(s),
): Promise<boolean> {
  write(`${lines.join("\n")}\n`);
  if (yes) {
    write("--yes given: starting without confirmation.\n");
    return true;
  }
  write('Type "yes" to start trading real money: ');
  for await (const line of console) {
    return line.trim().toLowerCase() === "yes";
  }
  return false;
}
