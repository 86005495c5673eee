/**
 * Live market data over the CLOB market channel: `FastWebSocket` (transport) →
 * `MarketChannelCodec` (text → events, never throws) → `BookCache` (books in place, tick
 * rings, callbacks). Implements the engine's `MarketFeed` port and the user's API names:
 * `connect(markets)`, `onPriceUpdate(cb)`, `getOrderbook(tokenId)`.
 *
 * Every frame is handled synchronously inside the socket callback (no Promise, no timer hop).
 * Malformed frames and events are counted by code in `codec.counters`; deltas before a
 * snapshot in `books.counters.staleDrops`; consumer exceptions in `cache.counters`.
 *
 * Connection lifecycle as the risk layer sees it (FeedEvent `connection`):
 *   connected    socket open and subscription sent (books still stale until snapshots)
 *   resynced     every subscribed book has a fresh snapshot again → quoting may resume;
 *                also when data resumes after a silence without a reconnect
 *   stale        no frame and no PONG for `staleAfterMs` (the market maker pulls quotes)
 *   disconnected socket lost; every book is marked stale (the market maker cancels all)
 */
import type { Clock } from "../core/clock.ts";
import type { MarketFeed, MarketInfo } from "../core/ports.ts";
import { FastWebSocket, type FastWebSocketOptions, type WsConnectionEvent } from "../net/fast-ws.ts";
import { BookCache, BookCacheFeed } from "./book-cache.ts";
import { MarketChannelCodec, marketAddAssetsFrame, marketRemoveAssetsFrame, marketSubscribeFrame } from "./market-channel.ts";

export const MARKET_WS_URL = "wss://ws-subscriptions-clob.polymarket.com/ws/market";

export interface MarketFeedOptions {
  readonly clock: Clock;
  readonly url?: string;
  readonly ringCapacity?: number;
  /** Ask for best_bid_ask / new_market / market_resolved (default true). */
  readonly customFeatures?: boolean;
  /** Raw frame tap (recorder), called before decoding. */
  readonly onRawFrame?: (text: string, recvNs: number) => void;
  readonly transport?: Partial<Omit<FastWebSocketOptions, "url" | "clock" | "onFrame" | "onConnection" | "handshake">>;
}

export class PolymarketMarketFeed extends BookCacheFeed implements MarketFeed {
  readonly codec = new MarketChannelCodec();
  readonly cache: BookCache;
  readonly ws: FastWebSocket;
  private readonly custom: boolean;
  private readonly rawTap: ((text: string, recvNs: number) => void) | undefined;

  constructor(opts: MarketFeedOptions) {
    super();
    this.custom = opts.customFeatures ?? true;
    this.rawTap = opts.onRawFrame;
    this.cache = new BookCache(opts.clock, opts.ringCapacity ?? 1024, (ids) => {
      // A fresh `book` follows a subscribe operation for an asset already subscribed.
      if (this.ws.isOpen) this.ws.send(marketAddAssetsFrame(ids, this.custom));
    });
    this.ws = new FastWebSocket({
      ...opts.transport,
      name: "market",
      url: opts.url ?? MARKET_WS_URL,
      clock: opts.clock,
      handshake: () => {
        const ids = this.cache.tokenIds();
        return ids.length > 0 ? [marketSubscribeFrame(ids, this.custom)] : [];
      },
      onFrame: (text, recvNs) => this.onFrame(text, recvNs),
      onConnection: (ev) => this.onConnection(ev),
    });
  }

  /** The user's entry point: subscribe these markets and open the socket. */
  connect(markets: readonly MarketInfo[]): void {
    this.subscribe(markets);
    this.ws.start();
  }

  subscribe(markets: readonly MarketInfo[]): void {
    const fresh = this.cache.add(markets);
    // Not open yet: the handshake will carry them. Open: add without reconnecting.
    if (fresh.length > 0 && this.ws.isOpen) this.ws.send(marketAddAssetsFrame(fresh, this.custom));
  }

  unsubscribe(conditionIds: readonly string[]): void {
    const gone = this.cache.remove(conditionIds);
    if (gone.length > 0 && this.ws.isOpen) this.ws.send(marketRemoveAssetsFrame(gone));
  }

  close(): void {
    this.ws.close();
  }

  /** Decodes and applies one frame (the socket calls this; replay and benches may too). */
  onFrame(text: string, recvNs: number): void {
    this.rawTap?.(text, recvNs);
    const frame = this.codec.decode(text);
    const events = frame.events;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (ev !== undefined) this.cache.applyEvent(ev, recvNs);
    }
  }

  private onConnection(ev: WsConnectionEvent): void {
    if (ev.state === "disconnected") this.cache.connectionLost("disconnected", ev.atNs, ev.reason);
    else this.cache.connection(ev.state, ev.atNs, ev.reason);
  }
}
