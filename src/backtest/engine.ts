/**
 * The backtest engine: runs a bot — the *same* `MarketMakerBot` / `ArbBot` / `NaiveBot`
 * that trade live, built through their public constructors with a feed, an exchange and a
 * clock — over recorded frames, with the replay venue (venue/replay.ts) as its `MarketFeed`,
 * the fill model's `BacktestExchange` as its `ExchangeClient`, and a `ManualClock` that the
 * recorded receive times drive. Nothing in the strategy knows it is a backtest.
 *
 * Output is a `RunRecord` (backtest/report.ts): the markets, the exchange-side YES mid and
 * top of book over time, our fills, merges, resolutions, quote timeline, orders, cancels and
 * latencies: everything the report needs, and nothing that depends on the wall clock of
 * the machine running it, so the same data and settings give the same record.
 *
 * `--from` / `--to`: frames before `from` warm the books up (the bot is not running yet;
 * markets already in their window start at `from`); frames after `to` are not replayed.
 */
import { ManualClock } from "../core/clock.ts";
import type { Clock } from "../core/clock.ts";
import type { BookView, ExchangeClient, MarketFeed, MarketInfo } from "../core/ports.ts";
import { ONE_E4 } from "../core/units.ts";
import type { ReplayFrame } from "../store/replay.ts";
import { BacktestExchange, type BacktestExchangeSettings, DEFAULT_BACKTEST_EXCHANGE } from "../venue/backtest-exchange.ts";
import { type DecodedFrame, DEFAULT_REPLAY, ReplayDriver, type ReplaySettings, relativeNs } from "../venue/replay.ts";
import type { RunFill, RunMarket, RunRecord } from "./report.ts";

/** What the engine needs of a bot: every bot of this repository has this shape. */
export interface BotInstance {
  run(): Promise<unknown>;
  stop(reason?: "duration" | "signal" | "fatal" | "requested"): void;
}

export interface BotDeps {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
}

export type BotFactory = (deps: BotDeps) => BotInstance;

export interface BacktestSettings {
  /** "mm", "naive", "arb": shown in the report. */
  readonly bot: string;
  readonly exchange: BacktestExchangeSettings;
  readonly replay: ReplaySettings;
  /** Epoch ms; NaN = from the first frame / to the last. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Where the markets came from (catalogue source), for the report. */
  readonly marketsSource: string;
  /** Bot parameters that differ from defaults, for the report ("KEY=value"). */
  readonly botSettings: readonly (readonly [string, string])[];
}

export const DEFAULT_BACKTEST: BacktestSettings = {
  bot: "mm",
  exchange: DEFAULT_BACKTEST_EXCHANGE,
  replay: DEFAULT_REPLAY,
  fromMs: Number.NaN,
  toMs: Number.NaN,
  marketsSource: "",
  botSettings: [],
};

export interface BacktestOutcome {
  readonly record: RunRecord;
  readonly driver: ReplayDriver;
  readonly exchange: BacktestExchange;
  readonly frames: number;
}

/** Every setting as "key=value" rows, in a fixed order, for the report. */
export function settingsRows(s: BacktestSettings): [string, string][] {
  const e = s.exchange;
  const f = e.fill;
  const r = s.replay;
  const rows: [string, string][] = [
    ["bot", s.bot],
    ["order_latency_ms", String(e.orderLatencyMs)],
    ["cancel_latency_ms", String(e.cancelLatencyMs)],
    ["response_latency_ms", String(e.responseLatencyMs)],
    ["feed_latency_ms", String(r.feedLatencyMs)],
    ["merge_latency_ms", String(e.mergeLatencyMs)],
    ["queue_cancel_rule", f.queueCancelRule],
    ["complement_trades", String(f.complementTrades)],
    ["book_through", String(f.bookThrough)],
    ["trade_pair_window_ms", String(f.tradePairWindowMs)],
    ["initial_collateral_usd", (e.initialCollateralE6 / 1e6).toFixed(2)],
    ["pre_window", String(r.preWindow)],
    ["mirror_missing_books", String(r.mirrorMissingBooks)],
    ["from_ms", Number.isNaN(s.fromMs) ? "start" : String(s.fromMs)],
    ["to_ms", Number.isNaN(s.toMs) ? "end" : String(s.toMs)],
    ["markets_source", s.marketsSource],
  ];
  for (const [k, v] of s.botSettings) rows.push([k, v]);
  return rows;
}

/** Records the exchange-side YES top of book of each market at every change. */
class SeriesRecorder {
  readonly series = new Map<string, RunMarket["series"]>();
  private readonly yesOf = new Map<string, { conditionId: string; isYes: boolean }>();

  constructor(
    markets: readonly MarketInfo[],
    private readonly baseMs: number,
    private readonly clock: ManualClock,
    private readonly books: (t: string) => BookView | undefined,
  ) {
    for (const m of markets) {
      this.series.set(m.conditionId, { tMs: [], midE4: [], bidE4: [], askE4: [] });
      this.yesOf.set(m.yesTokenId, { conditionId: m.conditionId, isYes: true });
      this.yesOf.set(m.noTokenId, { conditionId: m.conditionId, isYes: false });
    }
  }

  onBook(tokenId: string, m: MarketInfo | undefined): void {
    const ref = this.yesOf.get(tokenId);
    const s = ref ? this.series.get(ref.conditionId) : undefined;
    if (!m || !s) return;
    let bid: number;
    let ask: number;
    const yes = this.books(m.yesTokenId);
    const no = this.books(m.noTokenId);
    if (yes && !yes.stale) {
      bid = yes.bestBidE4();
      ask = yes.bestAskE4();
    } else if (no && !no.stale) {
      // Only the NO book is known: YES is its mirror.
      const b = no.bestBidE4();
      const a = no.bestAskE4();
      bid = a < ONE_E4 ? ONE_E4 - a : 0;
      ask = b > 0 ? ONE_E4 - b : ONE_E4;
    } else return;
    const n = s.bidE4.length;
    if (n > 0 && s.bidE4[n - 1] === bid && s.askE4[n - 1] === ask) return;
    s.tMs.push(this.baseMs + this.clock.nowNs() / 1e6);
    s.midE4.push(bid > 0 && ask < ONE_E4 ? (bid + ask) / 2 : Number.NaN);
    s.bidE4.push(bid);
    s.askE4.push(ask);
  }
}

const beyondTo = (f: { readonly recvNs: string }, s: BacktestSettings): boolean =>
  !Number.isNaN(s.toMs) && f.recvNs !== "" && relativeNs(f.recvNs, s.toMs) > 0;
const reachedFrom = (f: { readonly recvNs: string }, s: BacktestSettings): boolean =>
  Number.isNaN(s.fromMs) || (f.recvNs !== "" && relativeNs(f.recvNs, s.fromMs) >= 0);

/**
 * Replays `frames` through the bot `factory` builds. `markets` must describe every market
 * of the data (backtest/catalogue.ts).
 */
export async function runBacktest(
  frames: AsyncIterable<ReplayFrame> | Iterable<ReplayFrame>,
  markets: readonly MarketInfo[],
  settings: BacktestSettings,
  factory: BotFactory,
): Promise<BacktestOutcome> {
  let ctx: Context | undefined;
  let n = 0;
  for await (const f of frames) {
    if (beyondTo(f, settings)) break;
    ctx ??= start(f, markets, settings, factory);
    if (!ctx.botStarted && reachedFrom(f, settings)) ctx.startBot();
    ctx.driver.push(f);
    n++;
  }
  if (!ctx) throw new RangeError("backtest: the data holds no frame in the chosen time range");
  drain(ctx);
  await ctx.done;
  return outcome(ctx, n);
}

/**
 * The same, synchronously, over frames decoded beforehand (`decodeFrames`): sessions run
 * ours and the baseline, sweeps run a grid, benches run many times, on one decode.
 */
export function runBacktestSync(
  frames: readonly DecodedFrame[],
  markets: readonly MarketInfo[],
  settings: BacktestSettings,
  factory: BotFactory,
): BacktestOutcome {
  let ctx: Context | undefined;
  let n = 0;
  const bounded = !Number.isNaN(settings.toMs);
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i] as DecodedFrame;
    if (bounded && beyondTo(f, settings)) break;
    ctx ??= start(f, markets, settings, factory);
    if (!ctx.botStarted && reachedFrom(f, settings)) ctx.startBot();
    ctx.driver.pushDecoded(f);
    n++;
  }
  if (!ctx) throw new RangeError("backtest: the data holds no frame in the chosen time range");
  drain(ctx);
  return outcome(ctx, n);
}

/**
 * The exchange-side YES top of book of each market over a recording, with no bot: what
 * `analyze --data` measures a live run's fills against.
 */
export function recordSeries(frames: readonly DecodedFrame[], markets: readonly MarketInfo[]): Map<string, RunMarket["series"]> {
  const first = frames[0];
  if (!first) return new Map();
  const idle: BotInstance = { run: () => new Promise<never>(() => {}), stop() {} };
  const ctx = start(first, markets, DEFAULT_BACKTEST, () => idle);
  for (let i = 0; i < frames.length; i++) ctx.driver.pushDecoded(frames[i] as DecodedFrame);
  return ctx.recorder.series;
}

interface Context {
  readonly clock: ManualClock;
  readonly baseMs: number;
  readonly driver: ReplayDriver;
  readonly exchange: BacktestExchange;
  readonly recorder: SeriesRecorder;
  readonly markets: readonly MarketInfo[];
  readonly settings: BacktestSettings;
  readonly factory: BotFactory;
  bot: BotInstance | undefined;
  done: Promise<unknown> | undefined;
  botStarted: boolean;
  startBot(): void;
}

function start(
  first: { readonly recvNs: string },
  markets: readonly MarketInfo[],
  settings: BacktestSettings,
  factory: BotFactory,
): Context {
  const firstMs = first.recvNs.length > 6 ? Number(first.recvNs.slice(0, -6)) : Math.min(...markets.map((m) => m.startMs));
  const baseMs = Math.floor(firstMs / 1000) * 1000;
  const clock = new ManualClock(baseMs);
  const driver = new ReplayDriver({
    clock,
    baseMs,
    markets,
    settings: { ...settings.replay, ...(Number.isNaN(settings.fromMs) ? {} : { startAtMs: settings.fromMs }) },
  });
  const exchange = new BacktestExchange({ clock, books: (t) => driver.exchangeBook(t), settings: settings.exchange });
  const recorder = new SeriesRecorder(markets, baseMs, clock, (t) => driver.exchangeBook(t));
  const byToken = new Map<string, MarketInfo>();
  for (const m of markets) {
    byToken.set(m.yesTokenId, m);
    byToken.set(m.noTokenId, m);
  }
  driver.attach(exchange, { book: (t) => recorder.onBook(t, byToken.get(t)) });
  const ctx: Context = {
    clock,
    baseMs,
    driver,
    exchange,
    recorder,
    markets,
    settings,
    factory,
    bot: undefined,
    done: undefined,
    botStarted: false,
    startBot() {
      if (ctx.botStarted) return;
      ctx.botStarted = true;
      ctx.bot = factory({ feed: driver.feed, exchange, clock });
      ctx.done = ctx.bot.run();
    },
  };
  return ctx;
}

/** Lets in-flight orders, cancels and events land, then stops the bot. */
function drain(ctx: Context): void {
  const e = ctx.settings.exchange;
  const tail = 2 * Math.max(e.orderLatencyMs, e.cancelLatencyMs, e.responseLatencyMs, ctx.settings.replay.feedLatencyMs) + 1_000;
  ctx.driver.advance(ctx.driver.nowNs + tail * 1e6);
  ctx.bot?.stop("duration");
  // The bot's final cancel-all lands and answers.
  ctx.driver.advance(ctx.driver.nowNs + tail * 1e6);
}

function outcome(ctx: Context, frames: number): BacktestOutcome {
  const { exchange, baseMs } = ctx;
  const j = exchange.journal;
  const toMs = (ns: number): number => baseMs + ns / 1e6;
  const marketOf = new Map(ctx.markets.map((m) => [m.conditionId, m]));
  const fills: RunFill[] = j.fills.map((f) => ({
    tMs: toMs(f.atNs),
    conditionId: f.conditionId,
    isYes: f.isYes,
    side: f.side,
    priceE4: f.priceE4,
    sizeE6: f.sizeE6,
    feeE6: f.feeE6,
    rebateE6: f.rebateE6,
    liquidity: f.liquidity,
    cause: f.cause,
  }));
  const markets: RunMarket[] = ctx.markets.map((m) => {
    const q = j.quotes.get(m.conditionId) ?? { tNs: [], wallMs: [], bidE4: [], askE4: [] };
    const res = j.resolutions.find((r) => r.conditionId === m.conditionId);
    return {
      conditionId: m.conditionId,
      slug: m.slug,
      startMs: m.startMs,
      endMs: m.endMs,
      series: ctx.recorder.series.get(m.conditionId) ?? { tMs: [], midE4: [], bidE4: [], askE4: [] },
      quotes: { tMs: q.tNs.map(toMs), bidE4: [...q.bidE4], askE4: [...q.askE4] },
      resolution: res ? { tMs: toMs(res.atNs), yesWon: res.winningTokenId === m.yesTokenId } : null,
      merges: j.merges.filter((x) => x.conditionId === m.conditionId).map((x) => ({ tMs: toMs(x.atNs), sizeE6: x.sizeE6 })),
    };
  });
  const ordersByMarket = new Map<string, { placed: number; placedE6: number; rejected: number }>();
  const rejectsByCode: Record<string, number> = {};
  for (const o of j.orders) {
    let a = ordersByMarket.get(o.conditionId);
    if (!a) {
      a = { placed: 0, placedE6: 0, rejected: 0 };
      ordersByMarket.set(o.conditionId, a);
    }
    a.placed++;
    a.placedE6 += o.sizeE6;
    if (o.outcome === "rejected") {
      a.rejected++;
      rejectsByCode[o.rejectCode] = (rejectsByCode[o.rejectCode] ?? 0) + 1;
    }
  }
  const placeAckMs = j.orders.filter((o) => o.answeredNs >= 0).map((o) => (o.answeredNs - o.sentNs) / 1e6);
  const cancelMs = j.cancels.filter((c) => c.answeredNs >= 0).map((c) => (c.answeredNs - c.sentNs) / 1e6);
  const lastNs = ctx.driver.nowNs;
  const record: RunRecord = {
    label: ctx.settings.bot,
    source: "backtest",
    settings: settingsRows(ctx.settings),
    startMs: baseMs,
    endMs: toMs(lastNs),
    markets: markets.filter((m) => marketOf.has(m.conditionId)),
    fills,
    orders: {
      byMarket: Object.fromEntries([...ordersByMarket.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      rejectsByCode,
      cancels: j.cancels.length,
      cancelsTooLate: j.cancels.filter((c) => c.tooLate).length,
      filledWhileCancellingE6: j.cancels.reduce((s, c) => s + c.filledInFlightE6, 0),
    },
    latencies: { placeAckMs, cancelMs },
    counters: { ...ctx.driver.counters, framesReplayed: frames, venueFills: exchange.stats.fills },
  };
  return { record, driver: ctx.driver, exchange, frames };
}
