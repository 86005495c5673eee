/**
 * A small Polymarket-like market-channel server for transport and feed fault tests: Bun.serve
 * on 127.0.0.1:0, books kept as decimal strings exactly as the venue sends them, and knobs for
 * every fault the client must survive (drop the socket mid-stream, stop answering PING, send
 * malformed frames, send a delta before any snapshot, restart with a different book).
 *
 * It speaks only what the tests need: the initial subscribe `{"assets_ids":[…],"type":"market"}`,
 * `{"operation":"subscribe"|"unsubscribe","assets_ids":[…]}`, text PING → PONG, `book`
 * snapshots (as one array frame per subscribe, like the real initial dump) and V2
 * `price_change` frames.
 */
import type { Server, ServerWebSocket } from "bun";

export interface TestLevel {
  readonly price: string;
  readonly size: string;
}

interface ServerBook {
  market: string;
  bids: Map<string, string>;
  asks: Map<string, string>;
  tickSize: string;
}

interface ClientData {
  id: number;
  assets: Set<string>;
}

export interface MarketWsServerOptions {
  /** Send the snapshot when a client subscribes (default true). */
  readonly snapshotOnSubscribe?: boolean;
  readonly port?: number;
}

export class MarketWsServer {
  answerPing = true;
  snapshotOnSubscribe: boolean;
  /** Every text frame received from clients, in order. */
  readonly received: string[] = [];
  readonly books = new Map<string, ServerBook>();
  connections = 0;
  private server: Server<ClientData> | undefined;
  private readonly clients = new Set<ServerWebSocket<ClientData>>();
  private nextId = 1;
  private listeners: Array<() => void> = [];
  private portNo = 0;

  constructor(opts: MarketWsServerOptions = {}) {
    this.snapshotOnSubscribe = opts.snapshotOnSubscribe ?? true;
    this.portNo = opts.port ?? 0;
    this.listen();
  }

  get port(): number {
    return this.portNo;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.portNo}/ws/market`;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Called after anything happens (a frame arrives, a client connects or leaves). */
  onActivity(fn: () => void): void {
    this.listeners.push(fn);
  }

  setBook(assetId: string, market: string, bids: readonly TestLevel[], asks: readonly TestLevel[], tickSize = "0.01"): void {
    this.books.set(assetId, {
      market,
      bids: new Map(bids.map((l) => [l.price, l.size])),
      asks: new Map(asks.map((l) => [l.price, l.size])),
      tickSize,
    });
  }

  /** Applies a level change on the server's book and broadcasts a V2 price_change. */
  change(assetId: string, side: "BUY" | "SELL", price: string, size: string, ts = "1790000000000"): void {
    const b = this.books.get(assetId);
    if (!b) throw new Error(`unknown asset ${assetId}`);
    const levels = side === "BUY" ? b.bids : b.asks;
    if (size === "0") levels.delete(price);
    else levels.set(price, size);
    const entry = {
      asset_id: assetId,
      price,
      size,
      side,
      hash: "0".repeat(40),
      best_bid: bestOf(b.bids, "max") ?? "0",
      best_ask: bestOf(b.asks, "min") ?? "1",
    };
    this.broadcast(assetId, JSON.stringify({ market: b.market, price_changes: [entry], timestamp: ts, event_type: "price_change" }));
  }

  /** Sends `text` verbatim to every client subscribed to `assetId` (or to all when undefined). */
  broadcast(assetId: string | undefined, text: string): void {
    for (const ws of this.clients) if (assetId === undefined || ws.data.assets.has(assetId)) ws.send(text);
  }

  /** Sends `text` to every client regardless of subscription. */
  sendRaw(text: string): void {
    for (const ws of this.clients) ws.send(text);
  }

  snapshotFrame(assetIds: readonly string[]): string {
    const out = [];
    for (const id of assetIds) {
      const b = this.books.get(id);
      if (!b) continue;
      out.push({
        market: b.market,
        asset_id: id,
        timestamp: "1790000000000",
        hash: "0".repeat(40),
        bids: [...b.bids].map(([price, size]) => ({ price, size })).sort((x, y) => Number(x.price) - Number(y.price)),
        asks: [...b.asks].map(([price, size]) => ({ price, size })).sort((x, y) => Number(y.price) - Number(x.price)),
        event_type: "book",
        tick_size: b.tickSize,
        last_trade_price: "",
      });
    }
    return JSON.stringify(out);
  }

  /** Server-side truth for comparisons: levels as [priceString, sizeString], best first. */
  levels(assetId: string, side: "BUY" | "SELL"): Array<[string, string]> {
    const b = this.books.get(assetId);
    if (!b) return [];
    const m = side === "BUY" ? b.bids : b.asks;
    return [...m].sort((x, y) => (side === "BUY" ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
  }

  /** Abruptly drops every client connection (no close frame: the client sees 1006). */
  dropAll(): void {
    for (const ws of this.clients) ws.terminate();
  }

  /** Closes every client with a close frame carrying `code`. */
  closeAll(code: number, reason = ""): void {
    for (const ws of this.clients) ws.close(code, reason);
  }

  /** Stops the server (dropping clients) and starts a fresh one on the same port. */
  async restart(): Promise<void> {
    const s = this.server;
    this.clients.clear();
    if (s) await s.stop(true);
    this.listen();
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.clients.clear();
    if (s) await s.stop(true);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }

  private listen(): void {
    this.server = Bun.serve<ClientData>({
      hostname: "127.0.0.1",
      port: this.portNo,
      fetch: (req, server) => {
        if (server.upgrade(req, { data: { id: this.nextId++, assets: new Set<string>() } })) return undefined;
        return new Response("expected a websocket", { status: 400 });
      },
      websocket: {
        open: (ws) => {
          this.clients.add(ws);
          this.connections++;
          this.notify();
        },
        message: (ws, msg) => {
          const text = typeof msg === "string" ? msg : msg.toString();
          this.received.push(text);
          this.onClientText(ws, text);
          this.notify();
        },
        close: (ws) => {
          this.clients.delete(ws);
          this.notify();
        },
      },
    });
    this.portNo = this.server.port ?? 0;
  }

  private onClientText(ws: ServerWebSocket<ClientData>, text: string): void {
    if (text === "PING") {
      if (this.answerPing) ws.send("PONG");
      return;
    }
    let msg: { assets_ids?: string[]; operation?: string; type?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return; // the test server ignores garbage from clients, like the venue
    }
    const ids = msg.assets_ids ?? [];
    if (msg.operation === "unsubscribe") {
      for (const id of ids) ws.data.assets.delete(id);
      return;
    }
    for (const id of ids) ws.data.assets.add(id);
    if (this.snapshotOnSubscribe && ids.some((id) => this.books.has(id))) ws.send(this.snapshotFrame(ids));
  }
}

function bestOf(m: Map<string, string>, kind: "max" | "min"): string | undefined {
  let best: string | undefined;
  for (const p of m.keys()) {
    if (best === undefined || (kind === "max" ? Number(p) > Number(best) : Number(p) < Number(best))) best = p;
  }
  return best;
}

/**
 * Resolves when `cond()` turns true, re-checking whenever `poke()` is called (wire it to the
 * callbacks under test). Rejects after `timeoutMs` of real time as a safety net only: tests
 * wait on events, never on this timeout.
 */
export class Waiter {
  private waiters: Array<{ cond: () => boolean; resolve: () => void }> = [];
  poke = (): void => {
    this.waiters = this.waiters.filter((w) => {
      if (!w.cond()) return true;
      w.resolve();
      return false;
    });
  };
  until(cond: () => boolean, what = "condition", timeoutMs = 4000): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      // Some state changes (a swallowed PONG, a refused connect) have no callback to poke
      // from, so the condition is also re-checked every event-loop turn or two.
      const recheck = setInterval(this.poke, 2);
      const timer = setTimeout(() => {
        clearInterval(recheck);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push({
        cond,
        resolve: () => {
          clearTimeout(timer);
          clearInterval(recheck);
          resolve();
        },
      });
    });
  }
}
