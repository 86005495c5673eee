/**
 * A tiny `BookView` from level arrays, for strategy tests. Levels are `[priceE4, sizeE6]`
 * in any order; bids are kept best (highest) first, asks best (lowest) first. Mutable on
 * purpose (`setLevels`, `stale`, `tickE4`) so a test can move the book between calls.
 */
import { type BookView, NO_ASK_E4, NO_BID_E4, type Side } from "../../src/core/ports.ts";
import type { PriceE4, SizeE6, TickE4 } from "../../src/core/units.ts";

export type Level = readonly [priceE4: PriceE4, sizeE6: SizeE6];

export class FakeBook implements BookView {
  stale = false;
  private bids: Level[] = [];
  private asks: Level[] = [];
  lastTrade = 0;

  constructor(
    readonly tokenId: string,
    bids: readonly Level[] = [],
    asks: readonly Level[] = [],
    public tickE4: TickE4 = 100,
  ) {
    this.setLevels(bids, asks);
  }

  setLevels(bids: readonly Level[], asks: readonly Level[]): this {
    this.bids = bids.filter(([, s]) => s > 0).sort((a, b) => b[0] - a[0]);
    this.asks = asks.filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]);
    return this;
  }

  bestBidE4(): PriceE4 {
    return this.bids[0]?.[0] ?? NO_BID_E4;
  }
  bestAskE4(): PriceE4 {
    return this.asks[0]?.[0] ?? NO_ASK_E4;
  }
  bestBidSizeE6(): SizeE6 {
    return this.bids[0]?.[1] ?? 0;
  }
  bestAskSizeE6(): SizeE6 {
    return this.asks[0]?.[1] ?? 0;
  }
  sizeAtE6(side: Side, priceE4: PriceE4): SizeE6 {
    const levels = side === "BUY" ? this.bids : this.asks;
    return levels.find(([p]) => p === priceE4)?.[1] ?? 0;
  }
  microprice(): number {
    const b = this.bids[0];
    const a = this.asks[0];
    if (!b || !a) return Number.NaN;
    // Size-weighted: the bid's size pulls the price toward the ask.
    return (b[0] * a[1] + a[0] * b[1]) / (a[1] + b[1]);
  }
  forEachLevel(side: Side, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void {
    for (const [p, s] of side === "BUY" ? this.bids : this.asks) if (fn(p, s) === false) return;
  }
  lastTradeE4(): PriceE4 {
    return this.lastTrade;
  }
}

/** The NO book that mirrors a YES book: NO bids at 1 − YES asks, NO asks at 1 − YES bids. */
export function mirrorBook(tokenId: string, yes: FakeBook): FakeBook {
  const bids: Level[] = [];
  const asks: Level[] = [];
  yes.forEachLevel("SELL", (p, s) => {
    bids.push([10_000 - p, s]);
    return true;
  });
  yes.forEachLevel("BUY", (p, s) => {
    asks.push([10_000 - p, s]);
    return true;
  });
  return new FakeBook(tokenId, bids, asks, yes.tickE4);
}
