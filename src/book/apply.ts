/**
 * Applies decoded market-channel events to the order books of the tokens we follow.
 *
 * The book epoch (what is trusted when):
 * - A book is `stale` from creation until its first `book` snapshot; `markAllStale()` on a
 *   reconnect makes every book stale again (the channel has no sequence numbers and no
 *   replay, so a gap can only be repaired by a fresh snapshot, which resubscribing yields).
 * - While a book is stale, `price_change` entries for it are dropped and counted
 *   (`staleDrops`): a delta on top of an unknown book would only look trustworthy.
 * - `tick_size_change` re-indexes instead of dropping, which costs nothing here because
 *   books index on the finest (0.0001) grid (see order-book.ts). We keep the book live
 *   because tick changes fire near 0.04/0.96, often in a window's last minute, exactly when
 *   the strategy must still see the book to pull or hedge. Only a coarser tick that leaves
 *   levels off-grid makes the book stale until the next snapshot (NautilusTrader drops on
 *   every tick change; we drop only when the book can no longer be right).
 * - `market_resolved` makes the market's books stale: there is no book after resolution.
 * - V2 `price_change` entries report the venue's best bid/ask after the change. After the
 *   whole message we compare each touched book with the last entry reported for it and
 *   count disagreements (`bboMismatches`); the recordings show the venue sometimes reports
 *   a best bid that already includes entries arriving in the next frames, so a mismatch is
 *   a signal to watch, not proof of a gap. Crossed books are counted by the book.
 *
 * Pure: no I/O, no clock. `apply` fills `changed` (reused array) with the ids of the books
 * it modified so the feed can notify listeners.
 */
import type { BookEvent, LevelChange, MarketEvent } from "../polymarket/market-events.ts";
import { NOT_REPORTED } from "../polymarket/market-events.ts";
import { BOOK_PROBLEMS, type BookProblem, type BookStatus, OrderBook } from "./order-book.ts";
import { assertNever } from "../core/result.ts";
import type { TickE4 } from "../core/units.ts";

export interface ApplyCounters {
  snapshots: number;
  deltas: number;
  /** Deltas dropped because their book was stale. */
  staleDrops: number;
  /** Events for tokens we do not follow. */
  unknownAssets: number;
  /** Touched books whose top disagreed with the venue's reported best bid/ask. */
  bboMismatches: number;
  tickChanges: number;
  trades: number;
  resolved: number;
  readonly problems: Record<BookProblem, number>;
}

export interface BookSetOptions {
  /** Create a book for any token a snapshot arrives for (replay, tests). Default false. */
  readonly autoTrack?: boolean;
}

export class BookSet {
  readonly #books = new Map<string, OrderBook>();
  readonly #autoTrack: boolean;
  /** Ids of the books the last `apply` changed. */
  readonly changed: string[] = [];
  readonly counters: ApplyCounters = {
    snapshots: 0,
    deltas: 0,
    staleDrops: 0,
    unknownAssets: 0,
    bboMismatches: 0,
    tickChanges: 0,
    trades: 0,
    resolved: 0,
    problems: Object.fromEntries(BOOK_PROBLEMS.map((p) => [p, 0])) as Record<BookProblem, number>,
  };
  // Last reported (book, bestBid, bestAsk) per touched token in the current message.
  readonly #touched: OrderBook[] = [];
  readonly #reportedBid: number[] = [];
  readonly #reportedAsk: number[] = [];

  constructor(opts: BookSetOptions = {}) {
    this.#autoTrack = opts.autoTrack ?? false;
  }

  /** Follows a token; its book is stale until the first snapshot. */
  track(tokenId: string, tickE4: TickE4 = 100): OrderBook {
    let b = this.#books.get(tokenId);
    if (b === undefined) {
      b = new OrderBook(tokenId, tickE4);
      this.#books.set(tokenId, b);
    }
    return b;
  }

  untrack(tokenId: string): void {
    this.#books.delete(tokenId);
  }

  get(tokenId: string): OrderBook | undefined {
    return this.#books.get(tokenId);
  }

  get size(): number {
    return this.#books.size;
  }

  markAllStale(): void {
    for (const b of this.#books.values()) b.markStale();
  }

  /** Applies one event; returns how many books it changed (their ids are in `changed`). */
  apply(ev: MarketEvent): number {
    this.changed.length = 0;
    switch (ev.type) {
      case "book":
        this.#snapshot(ev);
        break;
      case "price_change":
        this.#deltas(ev.changes);
        break;
      case "tick_size_change": {
        const b = this.#known(ev.assetId);
        if (b === undefined) break;
        this.counters.tickChanges++;
        this.#count(b.changeTick(ev.newTickE4));
        this.#mark(b);
        break;
      }
      case "last_trade_price": {
        const b = this.#known(ev.assetId);
        if (b === undefined) break;
        this.counters.trades++;
        b.setLastTrade(ev.priceE4);
        break;
      }
      case "best_bid_ask": {
        const b = this.#known(ev.assetId);
        if (b !== undefined && !b.stale && (b.bestBidE4() !== ev.bestBidE4 || b.bestAskE4() !== ev.bestAskE4))
          this.counters.bboMismatches++;
        break;
      }
      case "market_resolved":
        for (const id of ev.assetIds) {
          const b = this.#books.get(id);
          if (b === undefined) continue;
          this.counters.resolved++;
          b.markStale();
          this.#mark(b);
        }
        break;
      case "new_market":
        break; // discovery's business, not the books'
      default:
        assertNever(ev, "market event");
    }
    return this.changed.length;
  }

  #snapshot(ev: BookEvent): void {
    let b = this.#books.get(ev.assetId);
    if (b === undefined) {
      if (!this.#autoTrack) {
        this.counters.unknownAssets++;
        return;
      }
      b = this.track(ev.assetId);
    }
    this.counters.snapshots++;
    this.#count(b.applySnapshot(ev.bids, ev.asks, ev.tickE4 === NOT_REPORTED ? 0 : ev.tickE4));
    if (ev.lastTradeE4 !== NOT_REPORTED) b.setLastTrade(ev.lastTradeE4);
    this.#mark(b);
  }

  #deltas(changes: readonly LevelChange[]): void {
    const touched = this.#touched;
    touched.length = 0;
    for (let k = 0; k < changes.length; k++) {
      const c = changes[k]!;
      const b = this.#known(c.assetId);
      if (b === undefined) continue;
      if (b.stale) {
        this.counters.staleDrops++;
        continue;
      }
      this.counters.deltas++;
      this.#count(b.setLevel(c.side, c.priceE4, c.sizeE6));
      let t = touched.indexOf(b);
      if (t < 0) {
        t = touched.length;
        touched.push(b);
        this.changed.push(b.tokenId);
      }
      this.#reportedBid[t] = c.bestBidE4;
      this.#reportedAsk[t] = c.bestAskE4;
    }
    for (let t = 0; t < touched.length; t++) {
      const b = touched[t]!;
      const rb = this.#reportedBid[t]!;
      const ra = this.#reportedAsk[t]!;
      if ((rb !== NOT_REPORTED && rb !== b.bestBidE4()) || (ra !== NOT_REPORTED && ra !== b.bestAskE4())) this.counters.bboMismatches++;
    }
  }

  #known(tokenId: string): OrderBook | undefined {
    const b = this.#books.get(tokenId);
    if (b === undefined) this.counters.unknownAssets++;
    return b;
  }

  #count(s: BookStatus): void {
    if (s !== "OK") this.counters.problems[s]++;
  }

  #mark(b: OrderBook): void {
    if (!this.changed.includes(b.tokenId)) this.changed.push(b.tokenId);
  }
}
