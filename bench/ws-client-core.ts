/**
 * The per-frame work of the market feed without the transport: decode with the production
 * codec, apply to the books in place. Bundled for Node by bench/ws.bench.ts so `ws` on Node
 * runs exactly this code; the Bun side runs the full `PolymarketMarketFeed` (which does this
 * plus tick rings and callbacks).
 */
import { BookSet } from "../src/book/apply.ts";
import { MarketChannelCodec } from "../src/polymarket/market-channel.ts";

export function makeConsumer(tokenIds: readonly string[]): { consume: (text: string) => void; bestBid: (tokenId: string) => number } {
  const codec = new MarketChannelCodec();
  const books = new BookSet();
  for (const t of tokenIds) books.track(t, 100);
  return {
    consume(text: string): void {
      const f = codec.decode(text);
      for (const ev of f.events) books.apply(ev);
    },
    bestBid(tokenId: string): number {
      return books.get(tokenId)?.bestBidE4() ?? -1;
    },
  };
}
