/**
 * Order book update throughput on the real recorded level changes (every V1 and V2
 * `price_change` entry in ../shared/data/ws, replayed cyclically onto the books primed with
 * the recordings' snapshots), against a naive Map book that rescans for its best level.
 * Also: the removal-of-best path (bitmap search) and the top-of-book reads a quoter makes.
 */
import { OrderBook } from "../src/book/order-book.ts";
import type { Side } from "../src/core/ports.ts";
import { decodeMarketFrame } from "../src/polymarket/market-channel.ts";
import { loadWsRecordings } from "../test/helpers/polymarket-recordings.ts";
import type { BenchContext } from "./harness.ts";

class MapBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  bestBid = 0;
  bestAsk = 10_000;
  set(side: Side, p: number, z: number): void {
    const m = side === "BUY" ? this.bids : this.asks;
    if (z === 0) m.delete(p);
    else m.set(p, z);
    this.bestBid = 0;
    for (const q of this.bids.keys()) if (q > this.bestBid) this.bestBid = q;
    this.bestAsk = 10_000;
    for (const q of this.asks.keys()) if (q < this.bestAsk) this.bestAsk = q;
  }
}

export default async function (b: BenchContext): Promise<void> {
  const books = new Map<string, OrderBook>();
  const naive = new Map<string, MapBook>();
  const deltas: { book: OrderBook; ref: MapBook; side: Side; p: number; z: number }[] = [];
  for (const r of await loadWsRecordings()) {
    if (r.channel !== "market") continue;
    for (const ev of decodeMarketFrame(r.text).events) {
      if (ev.type === "book") {
        const ob = books.get(ev.assetId) ?? new OrderBook(ev.assetId, 1);
        ob.applySnapshot(ev.bids, ev.asks);
        books.set(ev.assetId, ob);
        const mb = new MapBook();
        ev.bids.pricesE4.forEach((p, k) => {
          mb.set("BUY", p, ev.bids.sizesE6[k]!);
        });
        ev.asks.pricesE4.forEach((p, k) => {
          mb.set("SELL", p, ev.asks.sizesE6[k]!);
        });
        naive.set(ev.assetId, mb);
      } else if (ev.type === "price_change") {
        for (const c of ev.changes) {
          const ob = books.get(c.assetId);
          const mb = naive.get(c.assetId);
          if (ob !== undefined && mb !== undefined) deltas.push({ book: ob, ref: mb, side: c.side, p: c.priceE4, z: c.sizeE6 });
        }
      }
    }
  }

  await b.throughput(
    `book deltas (${deltas.length} recorded level changes, cyclic)`,
    () => {
      let s = 0;
      for (let k = 0; k < deltas.length; k++) {
        const d = deltas[k]!;
        d.book.setLevel(d.side, d.p, d.z);
        s += d.book.bestBidE4();
      }
      return s;
    },
    {
      units: deltas.length,
      unit: "delta",
      budget: "book.deltas",
      reference: {
        name: "Map book+rescan",
        fn: () => {
          let s = 0;
          for (let k = 0; k < deltas.length; k++) {
            const d = deltas[k]!;
            d.ref.set(d.side, d.p, d.z);
            s += d.ref.bestBid;
          }
          return s;
        },
      },
    },
  );

  // Worst common case for the bitmap: a sparse 0.01-tick book whose best bid is removed and
  // re-added, so every other call searches ~100 prices (3–4 words) down to the next level.
  const sparse = new OrderBook("sparse", 100);
  sparse.applySnapshot({ pricesE4: [100, 4000, 4100], sizesE6: [1, 1, 1] }, { pricesE4: [9900], sizesE6: [1] });
  let flip = 0;
  await b.latency("remove/re-add best bid (bitmap search)", () => sparse.setLevel("BUY", 4100, flip++ & 1 ? 5_000_000 : 0));

  const top = books.values().next().value as OrderBook;
  await b.latency(
    "top-of-book reads (bid, ask, sizes, microprice)",
    () => top.bestBidE4() + top.bestAskE4() + top.bestBidSizeE6() + top.bestAskSizeE6() + top.microprice(),
  );
}
