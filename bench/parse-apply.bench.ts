/**
 * Parse + book apply per market-channel message, on the real V2 recordings (issue #3):
 * every captured V2 `price_change` frame (the nautilus burst and the recorder sessions),
 * applied to books primed with the recordings' own snapshots.
 *
 * - "parse+apply price_change": the production path (MarketChannelCodec, then
 *   BookSet.apply) against plain `JSON.parse` + a naive Map book that rescans for its best
 *   level, in the same run.
 * - "parse price_change" against bare `JSON.parse`: what validation into integer events costs
 *   on top of the native parse (a hand-written scanner could only win that margin, and did
 *   not: docs/parsers-and-book.md, "Hot path").
 * - "parse+apply book frame": the other hot shape.
 */
import { BookSet } from "../src/book/apply.ts";
import { MarketChannelCodec, decodeMarketFrame } from "../src/polymarket/market-channel.ts";
import { loadWsRecordings } from "../test/helpers/polymarket-recordings.ts";
import type { BenchContext } from "./harness.ts";

interface WireEntry {
  asset_id: string;
  price: string;
  size: string;
  side: string;
}

/** What a first implementation usually looks like: number-keyed Maps, best level by rescan. */
class NaiveBooks {
  readonly books = new Map<string, { bids: Map<number, number>; asks: Map<number, number>; bestBid: number; bestAsk: number }>();

  apply(text: string): number {
    const msg = JSON.parse(text) as { event_type?: string; price_changes?: WireEntry[] };
    let touched = 0;
    for (const e of msg.price_changes ?? []) {
      let b = this.books.get(e.asset_id);
      if (b === undefined) {
        b = { bids: new Map(), asks: new Map(), bestBid: 0, bestAsk: 1 };
        this.books.set(e.asset_id, b);
      }
      const side = e.side === "BUY" ? b.bids : b.asks;
      const size = Number(e.size);
      if (size === 0) side.delete(Number(e.price));
      else side.set(Number(e.price), size);
      b.bestBid = 0;
      for (const p of b.bids.keys()) if (p > b.bestBid) b.bestBid = p;
      b.bestAsk = 1;
      for (const p of b.asks.keys()) if (p < b.bestAsk) b.bestAsk = p;
      touched++;
    }
    return touched;
  }
}

export default async function (b: BenchContext): Promise<void> {
  const market = (await loadWsRecordings()).filter((r) => r.channel === "market");
  const v2 = market.map((r) => r.text).filter((t) => t.includes('"price_changes"'));
  const bookFrames = market.map((r) => r.text).filter((t) => t.includes('"book"'));

  // Prime both sides with every snapshot in the recordings so deltas land on live books.
  const books = new BookSet({ autoTrack: true });
  const naive = new NaiveBooks();
  for (const t of bookFrames) {
    for (const ev of decodeMarketFrame(t).events) {
      books.apply(ev);
      if (ev.type !== "book") continue;
      const nb = { bids: new Map<number, number>(), asks: new Map<number, number>(), bestBid: 0, bestAsk: 1 };
      ev.bids.pricesE4.forEach((p, k) => {
        nb.bids.set(p / 1e4, ev.bids.sizesE6[k]! / 1e6);
      });
      ev.asks.pricesE4.forEach((p, k) => {
        nb.asks.set(p / 1e4, ev.asks.sizesE6[k]! / 1e6);
      });
      naive.books.set(ev.assetId, nb);
    }
  }
  const codec = new MarketChannelCodec();

  let i = 0;
  let j = 0;
  await b.latency(
    `parse+apply price_change (${v2.length} real V2 frames)`,
    () => {
      const f = codec.decode(v2[i++ % v2.length]!);
      let n = 0;
      for (const ev of f.events) n += books.apply(ev);
      return n;
    },
    {
      budget: "parse-apply.price_change",
      reference: { name: "JSON.parse+naive Map", fn: () => naive.apply(v2[j++ % v2.length]!) },
    },
  );

  await b.latency("parse price_change (JSON.parse + validate to events)", () => decodeMarketFrame(v2[i++ % v2.length]!).events.length, {
    reference: { name: "bare JSON.parse", fn: () => JSON.parse(v2[j++ % v2.length]!) as unknown },
  });

  let k = 0;
  let m = 0;
  await b.latency(
    `parse+apply book frame (${bookFrames.length} real frames)`,
    () => {
      const f = codec.decode(bookFrames[k++ % bookFrames.length]!);
      for (const ev of f.events) books.apply(ev);
      return f.events.length;
    },
    { reference: { name: "bare JSON.parse", fn: () => JSON.parse(bookFrames[m++ % bookFrames.length]!) as unknown } },
  );
}
