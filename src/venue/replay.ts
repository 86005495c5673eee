/**
 * The replay venue: recorded frames (store/replay.ts reads every supported layout) go
 * through the *same* codecs as live frames — `MarketChannelCodec` for the market channel,
 * `parseRestBook` for REST `/book` snapshots, `parseRtdsFrame` for underlying prices — into a
 * `MarketFeed` (`ReplayFeed`, a `BookCache` like the live feed's) on a `ManualClock` that the
 * recorded receive times drive. A bot cannot tell it from the live feed.
 *
 * Two timelines (docs/backtest.md, "Latency"):
 *   exchange time = the recorded receive time. The exchange's books (the fill model's view)
 *                   change then, and `BacktestExchange.onBook` / `onPrint` run then;
 *   bot time      = exchange time + `feedLatencyMs`. With 0 (the default: the recorder sat
 *                   where the bot sits, so its receive times already carry the real feed
 *                   delay) both share one set of books; otherwise the bot's books are a
 *                   second copy fed through a FIFO on the clock.
 *
 * Lifecycle, synthesized as the live auto-roller does: `market_started` at the window start
 * (or at the first frame with `preWindow`, or when the data starts inside the window),
 * `market_ended` at the window end (the exchange cancels resting orders), and `resolved`:
 * the recorded `market_resolved` event when there is one, otherwise from the recorded
 * underlying (Chainlink, 1 Hz) at the window's start and end (`settlementPrice`, rule of the
 * market), `resolveDelayMs` after the end. A market whose outcome the data cannot tell stays
 * unresolved and is marked at its last mid in the report.
 *
 * Books missing one token: some captures carry snapshots for one token only (the nautilus
 * burst). The two books of a market mirror each other, so with `mirrorMissingBooks` a
 * snapshot of one token seeds its sibling's book (bids ↔ 1 − asks) until the sibling's
 * own snapshot arrives.
 */
import { BookSet } from "../book/apply.ts";
import type { ManualClock } from "../core/clock.ts";
import type { BookView, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { ONE_E4 } from "../core/units.ts";
import { BookCache, BookCacheFeed } from "../polymarket/book-cache.ts";
import { type BookEvent, bookEvent, MarketChannelCodec, type MarketEvent } from "../polymarket/market-channel.ts";
import type { RtdsFrame } from "../polymarket/rtds-feed.ts";
import type { ReplayFrame } from "../store/replay.ts";
import type { BacktestExchange } from "./backtest-exchange.ts";
import { settlementPrice, upWins } from "./fill-model.ts";
import { DelayQueue } from "./latency-queues.ts";
import { type DecodedFrame, decodeFrame } from "./replay-decode.ts";

export { type DecodedFrame, decodeFrame, decodeFrames, relativeNs } from "./replay-decode.ts";

export interface ReplaySettings {
  /** Extra delay of market data to the bot on top of the recorded receive times. */
  readonly feedLatencyMs: number;
  /** Start every market at the first frame, even before its window opens. */
  readonly preWindow: boolean;
  /** Seed a token's missing book from its sibling's mirror image. */
  readonly mirrorMissingBooks: boolean;
  /** Resolve from the underlying this long after the window end. */
  readonly resolveDelayMs: number;
  /** Epoch ms before which no market starts (the bot starts then: `--from`); NaN = none. */
  readonly startAtMs: number;
}

export const DEFAULT_REPLAY: ReplaySettings = {
  feedLatencyMs: 0,
  preWindow: false,
  mirrorMissingBooks: true,
  resolveDelayMs: 5_000,
  startAtMs: Number.NaN,
};

/** The bot's `MarketFeed` over recorded data: a `BookCache`, fed by the replay driver. */
export class ReplayFeed extends BookCacheFeed implements MarketFeed {
  readonly cache: BookCache;

  constructor(clock: ManualClock) {
    super();
    this.cache = new BookCache(clock, 256);
  }

  subscribe(markets: readonly MarketInfo[]): void {
    this.cache.add(markets);
  }
  unsubscribe(conditionIds: readonly string[]): void {
    this.cache.remove(conditionIds);
  }
  close(): void {}
}

export interface ReplayCounters {
  frames: number;
  marketEvents: number;
  restBooks: number;
  underlyingTicks: number;
  mirroredBooks: number;
  decodeErrors: number;
  /** Frames of sources the replay does not use (user, spot) or outside --from/--to. */
  skipped: number;
}

/** What the backtest engine watches, at exchange time. */
export interface ReplayObserver {
  /** A token's exchange-side book changed. */
  book?(tokenId: string, book: BookView): void;
  lifecycle?(kind: "started" | "ended" | "resolved", market: MarketInfo, winningTokenId: string): void;
}

interface Lifecycle {
  readonly atNs: number;
  readonly kind: "start" | "end" | "resolve";
  readonly market: MarketInfo;
}

export class ReplayDriver {
  readonly feed: ReplayFeed;
  readonly counters: ReplayCounters = {
    frames: 0,
    marketEvents: 0,
    restBooks: 0,
    underlyingTicks: 0,
    mirroredBooks: 0,
    decodeErrors: 0,
    skipped: 0,
  };
  readonly settings: ReplaySettings;
  readonly baseMs: number;
  private readonly clock: ManualClock;
  private readonly codec = new MarketChannelCodec();
  private readonly exchBooks: BookSet | undefined;
  private readonly toBot: DelayQueue | undefined;
  private readonly markets = new Map<string, MarketInfo>();
  private readonly tokenMarket = new Map<string, MarketInfo>();
  private readonly snapshotted = new Set<string>();
  private readonly newestTick = new Map<string, number>();
  /** Chainlink price per (symbol, second), for resolution. */
  private readonly prices = new Map<string, Map<number, number>>();
  private readonly lifecycle: Lifecycle[] = [];
  private nextLife = 0;
  private exchange: BacktestExchange | undefined;
  private observer: ReplayObserver = {};
  private lastNs = 0;
  private resolvedIds = new Set<string>();

  constructor(opts: {
    readonly clock: ManualClock;
    readonly baseMs: number;
    readonly markets: readonly MarketInfo[];
    readonly settings?: Partial<ReplaySettings>;
  }) {
    this.clock = opts.clock;
    this.baseMs = opts.baseMs;
    this.settings = { ...DEFAULT_REPLAY, ...opts.settings };
    this.feed = new ReplayFeed(opts.clock);
    this.feed.subscribe(opts.markets);
    if (this.settings.feedLatencyMs > 0) {
      this.exchBooks = new BookSet();
      this.toBot = new DelayQueue(opts.clock, this.settings.feedLatencyMs);
    }
    for (const m of opts.markets) {
      this.markets.set(m.conditionId, m);
      this.tokenMarket.set(m.yesTokenId, m);
      this.tokenMarket.set(m.noTokenId, m);
      this.exchBooks?.track(m.yesTokenId, m.tickE4);
      this.exchBooks?.track(m.noTokenId, m.tickE4);
      const floor = Number.isNaN(this.settings.startAtMs) ? 0 : Math.max(0, (this.settings.startAtMs - this.baseMs) * 1e6);
      const start = Math.max(floor, this.settings.preWindow ? 0 : (m.startMs - this.baseMs) * 1e6);
      const end = (m.endMs - this.baseMs) * 1e6;
      // A window that closed before the bot starts is never started.
      if (end > start) this.lifecycle.push({ atNs: start, kind: "start", market: m });
      if (end > 0) {
        this.lifecycle.push({ atNs: end, kind: "end", market: m });
        this.lifecycle.push({ atNs: end + this.settings.resolveDelayMs * 1e6, kind: "resolve", market: m });
      }
    }
    const rank = { start: 0, end: 1, resolve: 2 } as const;
    this.lifecycle.sort((a, b) => a.atNs - b.atNs || rank[a.kind] - rank[b.kind] || (a.market.conditionId < b.market.conditionId ? -1 : 1));
  }

  /** The exchange whose fill model follows the exchange-side books. */
  attach(exchange: BacktestExchange, observer: ReplayObserver = {}): void {
    this.exchange = exchange;
    this.observer = observer;
    exchange.addMarkets([...this.markets.values()]);
  }

  /** The exchange's view of a token's book (the bot's, when there is no feed latency). */
  exchangeBook(tokenId: string): BookView | undefined {
    return this.exchBooks ? this.exchBooks.get(tokenId) : this.feed.cache.book(tokenId);
  }

  get nowNs(): number {
    return this.lastNs;
  }

  /** Replays one recorded frame at its receive time (earlier than the last: at the last). */
  push(f: ReplayFrame): void {
    this.pushDecoded(decodeFrame(f, this.codec));
  }

  /** The same for a frame decoded beforehand (`decodeFrame`: decode once, replay many times). */
  pushDecoded(d: DecodedFrame): void {
    let t = Number.isNaN(d.recvMs) ? this.lastNs : (d.recvMs - this.baseMs) * 1e6 + d.recvSubNs;
    if (!(t >= this.lastNs)) t = this.lastNs;
    this.advance(t);
    this.counters.frames++;
    this.counters.decodeErrors += d.errors;
    const evs = d.market;
    if (evs !== null) {
      for (let i = 0; i < evs.length; i++) this.marketEvent(evs[i] as MarketEvent);
      if (d.rest) this.counters.restBooks++;
    } else if (d.rtds !== null) this.rtdsTicks(d.rtds);
    else this.counters.skipped++;
  }

  /** Moves time to `tNs`: timers (bot ticks, venue latencies) and lifecycle events in order. */
  advance(tNs: number): void {
    while (this.nextLife < this.lifecycle.length) {
      const l = this.lifecycle[this.nextLife] as Lifecycle;
      if (l.atNs > tNs) break;
      this.nextLife++;
      if (l.atNs > this.clock.nowNs()) this.clock.advanceTo(l.atNs);
      this.runLifecycle(l);
    }
    if (tNs > this.clock.nowNs()) this.clock.advanceTo(tNs);
    this.lastNs = Math.max(this.lastNs, tNs);
  }

  // ── frames ────────────────────────────────────────────────────────────────

  private marketEvent(ev: MarketEvent): void {
    this.counters.marketEvents++;
    // The sibling's mirror goes first, so nobody sees this market with one book only.
    if (ev.type === "book" && this.settings.mirrorMissingBooks) this.mirror(ev);
    this.toExchange(ev);
    this.deliver(ev);
  }

  /** The exchange side: its books, then the fill model. */
  private toExchange(ev: MarketEvent): void {
    const ex = this.exchange;
    const books = this.exchBooks;
    if (books) {
      if (books.apply(ev) > 0) for (const t of books.changed) this.exchangeBookChanged(t);
    }
    if (!ex) return;
    if (ev.type === "last_trade_price") ex.onPrint(ev.assetId, ev.priceE4, ev.sizeE6, ev.side);
    else if (ev.type === "market_resolved") {
      const m = this.markets.get(ev.market);
      if (m && !this.resolvedIds.has(m.conditionId)) {
        this.resolvedIds.add(m.conditionId);
        ex.resolveMarket(m.conditionId, ev.winningAssetId);
        this.observer.lifecycle?.("resolved", m, ev.winningAssetId);
      }
    }
  }

  /** The bot side: the feed's book cache now, or after the feed latency. */
  private deliver(ev: MarketEvent): void {
    const q = this.toBot;
    if (!q) {
      this.feed.cache.applyEvent(ev, this.clock.nowNs());
      // Shared books: the exchange reads the same books, now changed.
      if (ev.type === "book") this.exchangeBookChanged(ev.assetId);
      else if (ev.type === "price_change") {
        const ch = ev.changes;
        let prev = "";
        for (let i = 0; i < ch.length; i++) {
          const id = (ch[i] as { assetId: string }).assetId;
          if (id !== prev) this.exchangeBookChanged(id);
          prev = id;
        }
      } else if (ev.type === "tick_size_change") this.exchangeBookChanged(ev.assetId);
      return;
    }
    q.push(() => this.feed.cache.applyEvent(ev, this.clock.nowNs()));
  }

  private exchangeBookChanged(tokenId: string): void {
    if (!this.tokenMarket.has(tokenId)) return;
    this.exchange?.onBook(tokenId);
    const ob = this.observer.book;
    if (ob) {
      const b = this.exchangeBook(tokenId);
      if (b) ob(tokenId, b);
    }
  }

  private mirror(ev: BookEvent): void {
    this.snapshotted.add(ev.assetId);
    const m = this.tokenMarket.get(ev.assetId);
    if (!m) return;
    const sibling = ev.assetId === m.yesTokenId ? m.noTokenId : m.yesTokenId;
    if (this.snapshotted.has(sibling)) return;
    const flip = (l: BookEvent["bids"]) => ({ pricesE4: l.pricesE4.map((p) => ONE_E4 - p), sizesE6: l.sizesE6 });
    this.counters.mirroredBooks++;
    const mirrored = bookEvent(
      sibling,
      ev.market,
      ev.timestampMs,
      "",
      flip(ev.asks),
      flip(ev.bids),
      ev.tickE4,
      ev.lastTradeE4 > 0 ? ONE_E4 - ev.lastTradeE4 : ev.lastTradeE4,
    );
    this.toExchange(mirrored);
    this.deliver(mirrored);
  }

  private rtdsTicks(f: Extract<RtdsFrame, { kind: "ticks" }>): void {
    for (const t of f.ticks) {
      if (t.source === "chainlink") {
        let m = this.prices.get(t.symbol);
        if (!m) {
          m = new Map();
          this.prices.set(t.symbol, m);
        }
        m.set(Math.floor(t.priceTsMs / 1000), t.price);
      }
      // As the live RTDS feed: history backfill fills rings, only newer live ticks are events.
      const key = `${t.symbol}|${t.source}`;
      const newest = this.newestTick.get(key) ?? 0;
      if (f.backfill || t.priceTsMs <= newest) continue;
      this.newestTick.set(key, t.priceTsMs);
      this.counters.underlyingTicks++;
      const ev: FeedEvent = { kind: "underlying", symbol: t.symbol, price: t.price, priceTsMs: t.priceTsMs, source: t.source, recvNs: 0 };
      this.emit(ev);
    }
  }

  /** A synthesized feed event to the bot (after the feed latency when there is one). */
  private emit(ev: FeedEvent): void {
    const stamp = (): FeedEvent => ("recvNs" in ev ? { ...ev, recvNs: this.clock.nowNs() } : ev);
    if (this.toBot) this.toBot.push(() => this.feed.cache.emit(stamp()));
    else this.feed.cache.emit(stamp());
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────

  private runLifecycle(l: Lifecycle): void {
    const m = l.market;
    switch (l.kind) {
      case "start":
        this.observer.lifecycle?.("started", m, "");
        this.emit({ kind: "market_started", market: m, recvNs: 0 });
        return;
      case "end":
        this.exchange?.closeMarket(m.conditionId);
        this.observer.lifecycle?.("ended", m, "");
        this.emit({ kind: "market_ended", market: m, recvNs: 0 });
        return;
      case "resolve": {
        if (this.resolvedIds.has(m.conditionId)) return;
        const winner = this.winnerFromUnderlying(m);
        if (winner === "") return;
        this.resolvedIds.add(m.conditionId);
        this.exchange?.resolveMarket(m.conditionId, winner);
        this.observer.lifecycle?.("resolved", m, winner);
        this.emit({ kind: "resolved", conditionId: m.conditionId, winningTokenId: winner, recvNs: 0 });
        return;
      }
    }
  }

  /** The winning token from recorded Chainlink prices at the window's start and end, "" if unknown. */
  winnerFromUnderlying(m: MarketInfo): string {
    const series = this.prices.get(m.underlying);
    if (!series || m.underlying === "") return "";
    const at = (sec: number): number => series.get(sec) ?? Number.NaN;
    const strike = settlementPrice(m.resolution, m.startMs, at);
    const settle = settlementPrice(m.resolution, m.endMs, at);
    if (!(strike > 0) || !(settle > 0)) return "";
    return upWins(strike, settle) ? m.yesTokenId : m.noTokenId;
  }

  /** Markets resolved so far (recorded or from the underlying). */
  resolved(): ReadonlySet<string> {
    return this.resolvedIds;
  }
}
