/**
 * `MarketBook`: one market's two-sided book in YES prices for the matching engine
 * (matching.ts). Levels are indexed by PriceE4 (the finest tick) in preallocated arrays, each
 * a FIFO linked list of resting orders with a running total; the best bid and ask are kept
 * up to date on append and unlink. No matching here: the engine walks and reduces.
 */
import { ONE_E4, type PriceE4, type SizeE6, type TickE4 } from "../core/units.ts";
import type { BookSide, RestingOrder } from "./matching-types.ts";

interface Level {
  head: RestingOrder | null;
  tail: RestingOrder | null;
  totalE6: SizeE6;
}

/** One market's two-sided book in YES prices. */
export class MarketBook {
  readonly bids: (Level | undefined)[] = new Array(ONE_E4 + 1);
  readonly asks: (Level | undefined)[] = new Array(ONE_E4 + 1);
  /** Best bid price, 0 when empty (bids live in 1..9999). */
  bestBid = 0;
  /** Best ask price, ONE_E4 when empty. */
  bestAsk = ONE_E4;
  constructor(
    readonly marketId: string,
    public tickE4: TickE4,
    public minSizeE6: SizeE6,
  ) {}

  sizeAt(side: BookSide, priceE4: PriceE4): SizeE6 {
    return (side === "bid" ? this.bids : this.asks)[priceE4]?.totalE6 ?? 0;
  }
  /** Walks levels best-first; stop by returning false. */
  forEachLevel(side: BookSide, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void {
    if (side === "bid") {
      for (let p = this.bestBid; p > 0; p--) {
        const l = this.bids[p];
        if (l && l.totalE6 > 0 && fn(p, l.totalE6) === false) return;
      }
    } else {
      for (let p = this.bestAsk; p < ONE_E4; p++) {
        const l = this.asks[p];
        if (l && l.totalE6 > 0 && fn(p, l.totalE6) === false) return;
      }
    }
  }
  /** Orders at a level in time priority (tests and the test API read this). */
  ordersAt(side: BookSide, priceE4: PriceE4): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (let o = (side === "bid" ? this.bids : this.asks)[priceE4]?.head ?? null; o; o = o.next) out.push(o);
    return out;
  }

  append(o: RestingOrder): void {
    const levels = o.bookSide === "bid" ? this.bids : this.asks;
    let l = levels[o.bookPriceE4];
    if (!l) {
      l = { head: null, tail: null, totalE6: 0 };
      levels[o.bookPriceE4] = l;
    }
    o.prev = l.tail;
    o.next = null;
    if (l.tail) l.tail.next = o;
    else l.head = o;
    l.tail = o;
    l.totalE6 += o.remainingE6;
    if (o.bookSide === "bid") {
      if (o.bookPriceE4 > this.bestBid) this.bestBid = o.bookPriceE4;
    } else if (o.bookPriceE4 < this.bestAsk) this.bestAsk = o.bookPriceE4;
  }

  unlink(o: RestingOrder): void {
    const l = (o.bookSide === "bid" ? this.bids : this.asks)[o.bookPriceE4];
    if (!l) return;
    if (o.prev) o.prev.next = o.next;
    else l.head = o.next;
    if (o.next) o.next.prev = o.prev;
    else l.tail = o.prev;
    o.prev = null;
    o.next = null;
    l.totalE6 -= o.remainingE6;
    if (l.head === null) {
      l.totalE6 = 0;
      this.refreshBest(o.bookSide);
    }
  }

  /** Reduces a resting order by a fill; the level keeps its place. */
  reduce(o: RestingOrder, sizeE6: SizeE6): void {
    const l = (o.bookSide === "bid" ? this.bids : this.asks)[o.bookPriceE4];
    if (l) l.totalE6 -= sizeE6;
    o.remainingE6 -= sizeE6;
    o.matchedE6 += sizeE6;
  }

  private refreshBest(side: BookSide): void {
    if (side === "bid") {
      let p = this.bestBid;
      while (p > 0 && !this.bids[p]?.head) p--;
      this.bestBid = p;
    } else {
      let p = this.bestAsk;
      while (p < ONE_E4 && !this.asks[p]?.head) p++;
      this.bestAsk = p;
    }
  }
}
