/**
 * The authenticated user channel (protocol notes §5.2) on FastWebSocket: the first frame
 * carries the raw L2 credentials, built per (re)connect by `userSubscribeFrame` and never
 * stored or logged here; markets (condition ids) are added and removed without reconnecting.
 * Decoded `order` / `trade` events go to `onUserEvent` synchronously; the REST/OrderManager
 * side (`ExchangeClient`) turns them into acks, fills and closes.
 *
 * Nothing is replayed after a reconnect: the `connection` callback sees `disconnected` /
 * `connected`, and the consumer must reconcile with `GET /data/orders` and `/data/trades`.
 * Malformed frames are counted in `codec.errors`, never thrown; a throwing consumer is counted
 * by the transport (`ws.counters.handlerErrors`).
 */
import type { Clock } from "../core/clock.ts";
import { FastWebSocket, type FastWebSocketOptions, type WsConnectionEvent } from "../net/fast-ws.ts";
import {
  type UserCredentials,
  type UserEvent,
  UserChannelCodec,
  userAddMarketsFrame,
  userRemoveMarketsFrame,
  userSubscribeFrame,
} from "./user-channel.ts";

export const USER_WS_URL = "wss://ws-subscriptions-clob.polymarket.com/ws/user";

export interface UserFeedOptions {
  readonly clock: Clock;
  readonly credentials: UserCredentials;
  readonly url?: string;
  /** Condition ids; empty = all markets of the key (UNCONFIRMED, protocol notes §13). */
  readonly markets?: readonly string[];
  readonly onUserEvent: (ev: UserEvent, recvNs: number) => void;
  readonly onConnection?: (ev: WsConnectionEvent) => void;
  readonly transport?: Partial<Omit<FastWebSocketOptions, "url" | "clock" | "onFrame" | "onConnection" | "handshake">>;
}

export class UserFeed {
  readonly codec = new UserChannelCodec();
  readonly ws: FastWebSocket;
  private readonly markets: Set<string>;

  constructor(private readonly opts: UserFeedOptions) {
    this.markets = new Set(opts.markets ?? []);
    this.ws = new FastWebSocket({
      ...opts.transport,
      name: "user",
      url: opts.url ?? USER_WS_URL,
      clock: opts.clock,
      handshake: () => [userSubscribeFrame(opts.credentials, [...this.markets])],
      onFrame: (text, recvNs) => this.onFrame(text, recvNs),
      ...(opts.onConnection ? { onConnection: opts.onConnection } : {}),
    });
  }

  start(): void {
    this.ws.start();
  }

  close(): void {
    this.ws.close();
  }

  subscribe(conditionIds: readonly string[]): void {
    const fresh = conditionIds.filter((id) => !this.markets.has(id));
    for (const id of fresh) this.markets.add(id);
    if (fresh.length > 0 && this.ws.isOpen) this.ws.send(userAddMarketsFrame(fresh));
  }

  unsubscribe(conditionIds: readonly string[]): void {
    const gone = conditionIds.filter((id) => this.markets.delete(id));
    if (gone.length > 0 && this.ws.isOpen) this.ws.send(userRemoveMarketsFrame(gone));
  }

  onFrame(text: string, recvNs: number): void {
    const f = this.codec.decode(text);
    for (const ev of f.events) this.opts.onUserEvent(ev, recvNs);
  }
}
