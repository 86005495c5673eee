/**
 * The market-data state both feeds share (WebSocket `market-feed.ts` and REST
 * `rest-poll-feed.ts`): the books (`BookSet`, updated in place), a top-of-book `BboRing` per
 * token, the subscribed markets, listeners, and the resync bookkeeping that tells the risk
 * layer when every book is trustworthy again.
 *
 * Hot path (`applyEvent`): the book is updated in place, the ring gets six numbers, price
 * callbacks receive the live `BookView` (a view, not a copy) and the `book` FeedEvent handed
 * to listeners is one preallocated object per token, rewritten on each update: listeners
 * must read it during the call and not keep it.
 *
 * Stale policy: a book is stale from subscription until its first snapshot, again on every
 * disconnect and after a coarser tick leaves levels off-grid; a crossed book makes the feed ask for a
 * fresh snapshot (without dropping deltas meanwhile). Deltas on a stale book are dropped and counted (`staleDrops` in
 * `books.counters`): a delta before any snapshot is exactly that case.
 */
import { BookSet } from "../book/apply.ts";
import type { OrderBook } from "../book/order-book.ts";
import { BboRing } from "../book/tick-ring.ts";
import type { Clock } from "../core/clock.ts";
import type { BookView, ConnectionState, FeedEvent, MarketInfo } from "../core/ports.ts";
import type { MarketEvent } from "./market-events.ts";

export type PriceUpdateCallback = (tokenId: string, book: BookView, recvNs: number) => void;

interface MutableBookEvent {
  kind: "book";
  tokenId: string;
  recvNs: number;
}

export interface BookCacheCounters {
  /** Books found crossed after an update (a fresh snapshot was requested). */
  crossedBooks: number;
  resyncs: number;
  listenerErrors: number;
}

export class BookCache {
  readonly books = new BookSet();
  readonly counters: BookCacheCounters = { crossedBooks: 0, resyncs: 0, listenerErrors: 0 };
  lastListenerError: unknown = undefined;
  private readonly markets = new Map<string, MarketInfo>();
  private readonly rings = new Map<string, BboRing>();
  private readonly bookEvents = new Map<string, MutableBookEvent>();
  private readonly priceCbs = new Set<PriceUpdateCallback>();
  private readonly listeners = new Set<(ev: FeedEvent) => void>();
  /** Tokens waiting for a snapshot since the last (re)connect. */
  private readonly awaiting = new Set<string>();
  private resyncPending = false;

  constructor(
    private readonly clock: Clock,
    private readonly ringCapacity = 1024,
    /** Called with token ids whose book must be re-snapshotted (crossed). */
    private readonly requestSnapshot: (tokenIds: readonly string[]) => void = () => {},
  ) {}

  /** Tracks both tokens of each market; returns the token ids that were new. */
  add(markets: readonly MarketInfo[]): string[] {
    const fresh: string[] = [];
    for (const m of markets) {
      if (this.markets.has(m.conditionId)) continue;
      this.markets.set(m.conditionId, m);
      for (const t of [m.yesTokenId, m.noTokenId]) {
        this.books.track(t, m.tickE4);
        this.rings.set(t, new BboRing(this.ringCapacity));
        this.bookEvents.set(t, { kind: "book", tokenId: t, recvNs: 0 });
        this.awaiting.add(t);
        fresh.push(t);
      }
    }
    return fresh;
  }

  /** Stops tracking markets; returns their token ids. */
  remove(conditionIds: readonly string[]): string[] {
    const gone: string[] = [];
    for (const id of conditionIds) {
      const m = this.markets.get(id);
      if (!m) continue;
      this.markets.delete(id);
      for (const t of [m.yesTokenId, m.noTokenId]) {
        this.books.untrack(t);
        this.rings.delete(t);
        this.bookEvents.delete(t);
        this.awaiting.delete(t);
        gone.push(t);
      }
    }
    return gone;
  }

  tokenIds(): string[] {
    const out: string[] = [];
    for (const m of this.markets.values()) out.push(m.yesTokenId, m.noTokenId);
    return out;
  }

  marketList(): MarketInfo[] {
    return [...this.markets.values()];
  }

  book(tokenId: string): OrderBook | undefined {
    return this.books.get(tokenId);
  }

  ring(tokenId: string): BboRing | undefined {
    return this.rings.get(tokenId);
  }

  /** True while any tracked book still waits for its first snapshot since the last connect. */
  get resyncing(): boolean {
    return this.awaiting.size > 0;
  }

  onPriceUpdate(cb: PriceUpdateCallback): () => void {
    this.priceCbs.add(cb);
    return () => this.priceCbs.delete(cb);
  }

  onEvent(listener: (ev: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(ev: FeedEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (e) {
        // A listener bug must not stop the other listeners or the socket loop.
        this.counters.listenerErrors++;
        this.lastListenerError = e;
      }
    }
  }

  /** The connection dropped: every book is stale until its next snapshot. */
  connectionLost(state: ConnectionState, atNs: number, reason: string): void {
    this.books.markAllStale();
    for (const t of this.tokenIds()) this.awaiting.add(t);
    this.resyncPending = true;
    this.emit({ kind: "connection", state, atNs, reason });
  }

  connection(state: ConnectionState, atNs: number, reason: string): void {
    this.emit({ kind: "connection", state, atNs, reason });
  }

  /** Applies one decoded event and notifies. `exchTsMs` is the venue's frame time. */
  applyEvent(ev: MarketEvent, recvNs: number): void {
    const books = this.books;
    const n = books.apply(ev);
    switch (ev.type) {
      case "book":
        if (n > 0) this.snapshotArrived(ev.assetId, recvNs);
        break;
      case "last_trade_price":
        if (this.books.get(ev.assetId)) {
          this.emit({
            kind: "trade",
            tokenId: ev.assetId,
            priceE4: ev.priceE4,
            sizeE6: ev.sizeE6,
            side: ev.side,
            exchTsMs: ev.timestampMs,
            recvNs,
          });
        }
        break;
      case "tick_size_change": {
        const b = this.books.get(ev.assetId);
        if (b) {
          this.emit({ kind: "tick_size", tokenId: ev.assetId, tickE4: ev.newTickE4, recvNs });
          if (b.stale) this.requestFresh(ev.assetId);
        }
        break;
      }
      case "market_resolved":
        if (this.markets.has(ev.market)) this.emit({ kind: "resolved", conditionId: ev.market, winningTokenId: ev.winningAssetId, recvNs });
        break;
      default:
        break;
    }
    if (n === 0) return;
    const ts = "timestampMs" in ev ? ev.timestampMs : 0;
    const changed = books.changed;
    for (let i = 0; i < changed.length; i++) this.bookChanged(changed[i] as string, recvNs, ts);
  }

  private bookChanged(tokenId: string, recvNs: number, tsMs: number): void {
    const b = this.books.get(tokenId);
    if (b === undefined) return;
    if (!b.stale && b.isCrossed()) {
      // Not marked stale: real V2 bursts cross for a frame or two while both sides of a move
      // arrive (shared/data SOURCES.md, the nautilus burst), so deltas keep applying; a fresh
      // snapshot is requested once and replaces the book when it comes.
      this.counters.crossedBooks++;
      if (!this.awaiting.has(tokenId)) this.requestFresh(tokenId);
    }
    if (!b.stale) this.rings.get(tokenId)?.pushIfChanged(recvNs, tsMs, b.bestBidE4(), b.bestAskE4(), b.bestBidSizeE6(), b.bestAskSizeE6());
    for (const cb of this.priceCbs) {
      try {
        cb(tokenId, b, recvNs);
      } catch (e) {
        this.counters.listenerErrors++;
        this.lastListenerError = e;
      }
    }
    if (this.listeners.size === 0) return;
    const ev = this.bookEvents.get(tokenId);
    if (ev === undefined) return;
    ev.recvNs = recvNs;
    this.emit(ev);
  }

  private requestFresh(tokenId: string): void {
    this.awaiting.add(tokenId);
    this.requestSnapshot([tokenId]);
  }

  private snapshotArrived(tokenId: string, recvNs: number): void {
    if (!this.awaiting.delete(tokenId) || this.awaiting.size > 0) return;
    if (this.resyncPending) {
      this.resyncPending = false;
      this.counters.resyncs++;
      this.emit({ kind: "connection", state: "resynced", atNs: recvNs, reason: "every book has a fresh snapshot" });
    }
  }

  /** For tests/status: monotonic time now. */
  nowNs(): number {
    return this.clock.nowNs();
  }
}

/**
 * The read side both feeds expose the same way over their `BookCache`: the port's `book` and
 * `onEvent`, and the user's names `getOrderbook` and `onPriceUpdate`.
 */
export abstract class BookCacheFeed {
  abstract readonly cache: BookCache;

  book(tokenId: string): BookView | undefined {
    return this.cache.book(tokenId);
  }

  /** The cached book of one outcome token (Polymarket's `asset_id`); undefined if not subscribed. */
  getOrderbook(tokenId: string): BookView | undefined {
    return this.cache.book(tokenId);
  }

  /** Called after every change of a book with the live view; returns an unsubscribe function. */
  onPriceUpdate(cb: PriceUpdateCallback): () => void {
    return this.cache.onPriceUpdate(cb);
  }

  onEvent(listener: (ev: FeedEvent) => void): () => void {
    return this.cache.onEvent(listener);
  }
}
