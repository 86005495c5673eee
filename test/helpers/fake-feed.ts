/**
 * A scripted `MarketFeed` for bot tests: books are `FakeBook`s the test moves, events are
 * pushed by the test. Also a YES/NO book pair helper and an Up/Down `MarketInfo` builder.
 */
import type { FeedEvent, MarketFeed, MarketInfo } from "../../src/core/ports.ts";
import { FakeBook, type Level } from "./fake-book.ts";

export class FakeFeed implements MarketFeed {
  readonly books = new Map<string, FakeBook>();
  readonly subscribed = new Set<string>();
  private readonly listeners = new Set<(ev: FeedEvent) => void>();

  subscribe(markets: readonly MarketInfo[]): void {
    for (const m of markets) this.subscribed.add(m.conditionId);
  }
  unsubscribe(conditionIds: readonly string[]): void {
    for (const id of conditionIds) this.subscribed.delete(id);
  }
  book(tokenId: string): FakeBook | undefined {
    return this.books.get(tokenId);
  }
  onEvent(listener: (ev: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  close(): void {
    this.listeners.clear();
  }

  emit(ev: FeedEvent): void {
    for (const l of this.listeners) l(ev);
  }

  /**
   * Sets the YES book and its mirror NO book of a market (NO bids at 1 − YES asks) and
   * emits a book event for each.
   */
  setYesBook(m: MarketInfo, bids: readonly Level[], asks: readonly Level[], recvNs = 0): void {
    const yes = this.books.get(m.yesTokenId) ?? new FakeBook(m.yesTokenId, [], [], m.tickE4);
    yes.setLevels(bids, asks);
    const no = this.books.get(m.noTokenId) ?? new FakeBook(m.noTokenId, [], [], m.tickE4);
    no.setLevels(
      asks.map(([p, s]) => [10_000 - p, s] as const),
      bids.map(([p, s]) => [10_000 - p, s] as const),
    );
    this.books.set(m.yesTokenId, yes);
    this.books.set(m.noTokenId, no);
    this.emit({ kind: "book", tokenId: m.noTokenId, recvNs });
    this.emit({ kind: "book", tokenId: m.yesTokenId, recvNs });
  }

  underlying(symbol: string, price: number, priceTsMs: number, recvNs = 0): void {
    this.emit({ kind: "underlying", symbol, price, priceTsMs, source: "chainlink", recvNs });
  }
}

let seq = 0;

/** A BTC-style Up/Down market: 15 minutes from `startMs`, tick 0.01, min size 5. */
export function upDownMarket(startMs: number, opts: Partial<MarketInfo> = {}): MarketInfo {
  const n = ++seq;
  return {
    conditionId: `0xc${n.toString(16).padStart(63, "0")}`,
    slug: `btc-updown-15m-${Math.floor(startMs / 1000)}-${n}`,
    question: "Bitcoin Up or Down",
    underlying: "btc/usd",
    windowSec: 900,
    yesTokenId: `${n}001`,
    noTokenId: `${n}002`,
    outcomes: ["Up", "Down"],
    tickE4: 100,
    minSizeE6: 5_000_000,
    negRisk: false,
    exchangeVersion: 2,
    startMs,
    endMs: startMs + 900_000,
    feeRate: 0.07,
    feeExponent: 1,
    rebateRate: 0.2,
    resolution: "price_at_end",
    ...opts,
  };
}
