/**
 * The simulator's three WebSocket endpoints on one `Bun.serve` (protocol notes §5, §6):
 *
 * - `/ws/market`: `{"assets_ids":[…],"type":"market","custom_feature_enabled":true}` then
 *   `{"operation":"subscribe"|"unsubscribe","assets_ids":[…]}`; a `book` per asset on
 *   subscribe (one array frame, unless `initial_dump:false`); text `PING` → `PONG`.
 * - `/ws/user`: `{"auth":{apiKey,secret,passphrase},"type":"user","markets":[…]}` (empty =
 *   all markets), then `{"operation":…,"markets":[…]}`; bad credentials close the socket.
 * - `/ws/rtds`: `{"action":"subscribe","subscriptions":[{"topic":"crypto_prices_chainlink",
 *   "type":"*","filters":"{\"symbol\":\"btc/usd\"}"}]}`, topics `crypto_prices_chainlink`,
 *   `crypto_prices_twap_sixty` and `crypto_prices` (spot, `btcusdt`); a ~1-minute history
 *   frame on subscribe like the real socket.
 *
 * Fan-out uses Bun's native pub/sub: each event is serialised once and published to a
 * topic (`a:<asset>`, `m:<market>`, `c:<asset>`, `u:<key>:<market|*>`, `r:<src>:<symbol>`).
 */
import type { ServerWebSocket } from "bun";
import type { WireMarketEvent, WireUserEvent } from "../polymarket/wire.ts";
import type { RtdsTickOut, SimExchange } from "./exchange.ts";
import type { SimKeys } from "./sim-auth.ts";
import type { CoinSymbol } from "./underlying.ts";
import * as W from "./wire-out.ts";

export type WsKind = "market" | "user" | "rtds";

export interface WsData {
  readonly kind: WsKind;
  /** Market channel: subscribed assets; user channel: subscribed markets ("*" = all). */
  readonly subs: Set<string>;
  custom: boolean;
  owner: string;
}

export interface WsPublisher {
  publish(topic: string, data: string): number;
}

export interface WsFaults {
  stopPong: boolean;
  /** Drop every event instead of sending it (a silent, open socket). */
  silence: boolean;
}

const COIN_OF: Readonly<Record<string, CoinSymbol>> = {
  "btc/usd": "btc/usd",
  "eth/usd": "eth/usd",
  "sol/usd": "sol/usd",
  btcusdt: "btc/usd",
  ethusdt: "eth/usd",
  solusdt: "sol/usd",
};
const SPOT_OF: Readonly<Record<CoinSymbol, string>> = { "btc/usd": "btcusdt", "eth/usd": "ethusdt", "sol/usd": "solusdt" };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

export class WsHub {
  readonly sockets = new Set<ServerWebSocket<WsData>>();
  readonly faults: WsFaults = { stopPong: false, silence: false };
  /** Frames published, for stats and tests. */
  published = 0;
  private publisher: WsPublisher | undefined;
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly ex: SimExchange,
    private readonly keys: SimKeys,
  ) {}

  /** Starts routing exchange events to `pub` (the Bun server). */
  attach(pub: WsPublisher): void {
    this.publisher = pub;
    this.off.push(this.ex.onMarket((ev, marketId) => this.onMarket(ev, marketId)));
    this.off.push(this.ex.onUser((owner, ev) => this.onUser(owner, ev)));
    this.off.push(this.ex.onPrice((t) => this.onPrice(t)));
  }

  detach(): void {
    for (const f of this.off.splice(0)) f();
    this.publisher = undefined;
  }

  open(ws: ServerWebSocket<WsData>): void {
    this.sockets.add(ws);
  }
  close(ws: ServerWebSocket<WsData>): void {
    this.sockets.delete(ws);
  }

  /** Closes sockets abruptly (fault injection). */
  drop(kind: WsKind | "all"): number {
    let n = 0;
    for (const ws of [...this.sockets]) {
      if (kind !== "all" && ws.data.kind !== kind) continue;
      ws.terminate();
      this.sockets.delete(ws);
      n++;
    }
    return n;
  }

  message(ws: ServerWebSocket<WsData>, raw: string | Buffer): void {
    const text = typeof raw === "string" ? raw : raw.toString();
    if (text === "PING" || text === "ping") {
      if (!this.faults.stopPong) ws.send("PONG");
      return;
    }
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      ws.send(JSON.stringify({ error: "invalid message" }));
      return;
    }
    if (!isObj(v)) return;
    if (ws.data.kind === "market") this.marketMessage(ws, v);
    else if (ws.data.kind === "user") this.userMessage(ws, v);
    else this.rtdsMessage(ws, v);
  }

  private marketMessage(ws: ServerWebSocket<WsData>, v: Obj): void {
    const assets = strings(v.assets_ids);
    if (v.custom_feature_enabled === true) ws.data.custom = true;
    if (v.operation === "unsubscribe") {
      for (const a of assets) this.unsubscribeAsset(ws, a);
      return;
    }
    const books: unknown[] = [];
    for (const a of assets) {
      this.subscribeAsset(ws, a);
      const t = this.ex.marketByToken(a);
      if (t && v.initial_dump !== false) books.push(W.bookEvent(t.market, t.outcome, this.ex.nowMs));
    }
    if (ws.data.custom) ws.subscribe("c:new");
    if (books.length > 0) ws.send(JSON.stringify(books));
  }

  private subscribeAsset(ws: ServerWebSocket<WsData>, asset: string): void {
    ws.data.subs.add(asset);
    ws.subscribe(`a:${asset}`);
    const t = this.ex.marketByToken(asset);
    if (!t) return;
    const market = t.market.sched.info.conditionId;
    ws.subscribe(`m:${market}`);
    if (ws.data.custom) {
      ws.subscribe(`c:${asset}`);
      ws.subscribe(`cm:${market}`);
    }
  }

  private unsubscribeAsset(ws: ServerWebSocket<WsData>, asset: string): void {
    ws.data.subs.delete(asset);
    ws.unsubscribe(`a:${asset}`);
    ws.unsubscribe(`c:${asset}`);
    const t = this.ex.marketByToken(asset);
    if (!t) return;
    const info = t.market.sched.info;
    const other = asset === info.yesTokenId ? info.noTokenId : info.yesTokenId;
    if (!ws.data.subs.has(other)) {
      ws.unsubscribe(`m:${info.conditionId}`);
      ws.unsubscribe(`cm:${info.conditionId}`);
    }
  }

  private userMessage(ws: ServerWebSocket<WsData>, v: Obj): void {
    if (ws.data.owner === "") {
      const auth = isObj(v.auth) ? v.auth : {};
      const k = typeof auth.apiKey === "string" ? this.keys.byId(auth.apiKey) : undefined;
      if (!k || auth.secret !== k.creds.secret.reveal() || auth.passphrase !== k.creds.passphrase.reveal()) {
        ws.close(1008, "Unauthorized/Invalid api key");
        return;
      }
      ws.data.owner = k.creds.key;
    }
    const markets = strings(v.markets);
    const owner = ws.data.owner;
    if (v.operation === "unsubscribe") {
      for (const m of markets) {
        ws.data.subs.delete(m);
        ws.unsubscribe(`u:${owner}:${m}`);
      }
      return;
    }
    const list = markets.length === 0 && v.operation === undefined ? ["*"] : markets;
    for (const m of list) {
      ws.data.subs.add(m);
      ws.subscribe(`u:${owner}:${m}`);
    }
  }

  private rtdsMessage(ws: ServerWebSocket<WsData>, v: Obj): void {
    const subs = Array.isArray(v.subscriptions) ? v.subscriptions.filter(isObj) : [];
    const unsubscribe = v.action === "unsubscribe";
    for (const s of subs) {
      const topic = s.topic;
      const src =
        topic === "crypto_prices_chainlink"
          ? "chainlink"
          : topic === "crypto_prices_twap_sixty"
            ? "twap"
            : topic === "crypto_prices"
              ? "spot"
              : undefined;
      if (!src) continue;
      for (const coin of this.filterCoins(src, s.filters)) {
        const t = `r:${src}:${coin}`;
        if (unsubscribe) {
          ws.unsubscribe(t);
          continue;
        }
        ws.subscribe(t);
        if (src === "chainlink" || src === "spot") ws.send(JSON.stringify(this.history(coin, src)));
      }
    }
  }

  private filterCoins(src: string, filters: unknown): CoinSymbol[] {
    const all: CoinSymbol[] = ["btc/usd", "eth/usd", "sol/usd"];
    if (typeof filters !== "string" || filters === "") return all;
    if (src === "spot")
      return filters
        .split(",")
        .map((x) => COIN_OF[x.trim().toLowerCase()])
        .filter((c): c is CoinSymbol => c !== undefined);
    try {
      const f: unknown = JSON.parse(filters);
      const sym = isObj(f) && typeof f.symbol === "string" ? COIN_OF[f.symbol.toLowerCase()] : undefined;
      return sym ? [sym] : all;
    } catch (e) {
      if (e instanceof SyntaxError) return [];
      throw e;
    }
  }

  /** The ~1-minute backfill frame the real socket sends on subscribe. */
  private history(coin: CoinSymbol, src: string): unknown {
    const now = this.ex.walk.nowSec();
    const data: { timestamp: number; value: number }[] = [];
    for (let s = now - 59; s <= now; s++) {
      const p = this.ex.walk.priceAt(coin, s);
      if (Number.isFinite(p)) data.push({ timestamp: s * 1000, value: p });
    }
    return {
      topic: "crypto_prices",
      type: "subscribe",
      timestamp: this.ex.nowMs,
      payload: { symbol: src === "spot" ? SPOT_OF[coin] : coin, data },
    };
  }

  private send(topic: string, frame: string): void {
    if (!this.publisher || this.faults.silence) return;
    this.publisher.publish(topic, frame);
    this.published++;
  }

  private onMarket(ev: WireMarketEvent, marketId: string): void {
    const frame = JSON.stringify(ev);
    switch (ev.event_type) {
      case "price_change":
        this.send(`m:${marketId}`, frame);
        break;
      case "book":
      case "last_trade_price":
      case "tick_size_change":
        this.send(`a:${ev.asset_id}`, frame);
        break;
      case "best_bid_ask":
        this.send(`c:${ev.asset_id}`, frame);
        break;
      case "new_market":
        this.send("c:new", frame);
        break;
      case "market_resolved":
        this.send(`cm:${marketId}`, frame);
        break;
      default:
        break;
    }
  }

  private onUser(owner: string, ev: WireUserEvent): void {
    const frame = JSON.stringify(ev);
    this.send(`u:${owner}:*`, frame);
    this.send(`u:${owner}:${ev.market}`, frame);
  }

  private onPrice(t: RtdsTickOut): void {
    const now = this.ex.nowMs;
    const fav = (v: number) => (BigInt(Math.round(v * 1e8)) * 10_000_000_000n).toString();
    this.send(
      `r:chainlink:${t.symbol}`,
      JSON.stringify({
        topic: "crypto_prices_chainlink",
        type: "update",
        timestamp: now,
        payload: { symbol: t.symbol, timestamp: t.priceTsMs, value: t.value, full_accuracy_value: fav(t.value) },
      }),
    );
    if (Number.isFinite(t.twap60)) {
      this.send(
        `r:twap:${t.symbol}`,
        JSON.stringify({
          topic: "crypto_prices_twap_sixty",
          type: "update",
          timestamp: now,
          payload: { symbol: t.symbol, timestamp: t.priceTsMs, value: t.twap60, full_accuracy_value: fav(t.twap60), window_s: 60 },
        }),
      );
    }
    this.send(
      `r:spot:${t.symbol}`,
      JSON.stringify({
        topic: "crypto_prices",
        type: "update",
        timestamp: now,
        payload: { symbol: SPOT_OF[t.symbol], timestamp: t.priceTsMs, value: t.value },
      }),
    );
  }
}
