/**
 * Underlying price feed from Polymarket's real-time data socket (RTDS, protocol notes §6):
 * the Chainlink prices the Up/Down markets resolve on (`crypto_prices_chainlink`, and the 60 s
 * TWAP `crypto_prices_twap_sixty` that settles windows since 2026-08-07), plus the relayed
 * Binance spot topic `crypto_prices` when asked. Each tick lands in a preallocated `PriceRing`
 * per (symbol, source) and goes out as an `underlying` FeedEvent.
 *
 * Frames (real captures under ../shared/data/rtds and the recorder sessions in ws/):
 *   {"topic":"crypto_prices_chainlink","type":"update","timestamp":1777428655679,
 *    "payload":{"symbol":"btc/usd","timestamp":1777428654000,"value":76568.78,"full_accuracy_value":"7656878…"}}
 *   {"topic":"crypto_prices_twap_sixty","type":"update","timestamp":…,"payload":{…,"window_s":60}}
 *   {"topic":"crypto_prices","type":"subscribe","timestamp":…,"payload":{"symbol":"btc/usd","data":[{"timestamp":…,"value":…},…]}}
 * The `subscribe` frame is a ~1-minute history backfill sent on subscribe; its points are
 * pushed in order when newer than the ring's newest tick, and go out as `underlying` events
 * flagged `backfill` (history, not liveness).
 *
 * Live quirks (protocol notes §6): `filters` must be compact JSON and one bad subscription can
 * poison a batch, so each (topic, symbol) is subscribed in its own frame; PONG is unreliable,
 * so liveness is the FastWebSocket silence watchdog (Chainlink ticks ~1 Hz per symbol).
 *
 * `parseRtdsFrame` is pure and never throws; bad frames are counted by code.
 */
import { PriceRing } from "../book/tick-ring.ts";
import type { Clock } from "../core/clock.ts";
import type { ConnectionState, FeedEvent } from "../core/ports.ts";
import { FastWebSocket, type FastWebSocketOptions, type WsConnectionEvent } from "../net/fast-ws.ts";

export type UnderlyingSource = "chainlink" | "twap60" | "spot";

export interface RtdsTick {
  /** Normalised "btc/usd" (spot "btcusdt" maps to "btc/usd" with source "spot"). */
  readonly symbol: string;
  readonly source: UnderlyingSource;
  readonly price: number;
  /** Price time (venue epoch ms). */
  readonly priceTsMs: number;
}

export type RtdsErrorCode = "BAD_JSON" | "NOT_AN_OBJECT" | "UNKNOWN_TOPIC" | "BAD_PAYLOAD";
export const RTDS_ERROR_CODES: readonly RtdsErrorCode[] = ["BAD_JSON", "NOT_AN_OBJECT", "UNKNOWN_TOPIC", "BAD_PAYLOAD"];

export type RtdsFrame =
  | { readonly kind: "ticks"; readonly ticks: readonly RtdsTick[]; readonly backfill: boolean }
  | { readonly kind: "pong" }
  | { readonly kind: "ignored"; readonly what: string }
  | { readonly kind: "error"; readonly code: RtdsErrorCode; readonly reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const TOPIC_SOURCE: Readonly<Record<string, UnderlyingSource>> = {
  crypto_prices_chainlink: "chainlink",
  crypto_prices_twap_sixty: "twap60",
  crypto_prices: "spot",
};

/** "btc/usd" stays; "btcusdt" → "btc/usd"; anything else is lower-cased as is. */
export function normaliseSymbol(s: string): string {
  const l = s.toLowerCase();
  if (l.includes("/")) return l;
  const m = /^([a-z0-9]+?)(usdt|usdc|usd)$/.exec(l);
  return m?.[1] ? `${m[1]}/usd` : l;
}

/** Which source a point belongs to: a "btc/usd" symbol is Chainlink's naming even under `crypto_prices`. */
function sourceOf(topic: string, rawSymbol: string): UnderlyingSource | undefined {
  const s = TOPIC_SOURCE[topic];
  if (s === "spot" && rawSymbol.includes("/")) return "chainlink";
  return s;
}

export function parseRtdsFrame(text: string): RtdsFrame {
  if (text === "PONG" || text === "pong") return { kind: "pong" };
  if (text.length === 0) return { kind: "ignored", what: "empty frame" };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return { kind: "error", code: "BAD_JSON", reason: `not JSON: ${JSON.stringify(text.slice(0, 48))}` };
  }
  if (!isObj(v)) return { kind: "error", code: "NOT_AN_OBJECT", reason: "expected an object" };
  const topic = v.topic;
  if (typeof topic !== "string") return { kind: "ignored", what: "no topic (ack or status frame)" };
  const p = v.payload;
  if (!isObj(p) || typeof p.symbol !== "string") return { kind: "error", code: "BAD_PAYLOAD", reason: `${topic}: payload.symbol missing` };
  const source = sourceOf(topic, p.symbol);
  if (source === undefined) return { kind: "error", code: "UNKNOWN_TOPIC", reason: `topic ${JSON.stringify(topic).slice(0, 48)}` };
  const symbol = normaliseSymbol(p.symbol);
  if (Array.isArray(p.data)) {
    const ticks: RtdsTick[] = [];
    for (const d of p.data) {
      if (!isObj(d) || !finite(d.value) || !finite(d.timestamp) || d.value <= 0) {
        return { kind: "error", code: "BAD_PAYLOAD", reason: `${topic}: bad history point` };
      }
      ticks.push({ symbol, source, price: d.value, priceTsMs: d.timestamp });
    }
    return { kind: "ticks", ticks, backfill: true };
  }
  if (!finite(p.value) || !finite(p.timestamp) || p.value <= 0) {
    return { kind: "error", code: "BAD_PAYLOAD", reason: `${topic}: payload.value/timestamp must be positive numbers` };
  }
  return { kind: "ticks", ticks: [{ symbol, source, price: p.value, priceTsMs: p.timestamp }], backfill: false };
}

/** One subscribe frame per (topic, symbol): compact filters, no batch poisoning. */
export function rtdsSubscribeFrames(symbols: readonly string[], sources: readonly UnderlyingSource[]): string[] {
  const frames: string[] = [];
  for (const source of sources) {
    for (const sym of symbols) {
      const s = normaliseSymbol(sym);
      const sub =
        source === "spot"
          ? { topic: "crypto_prices", type: "update", filters: s.replace("/usd", "usdt") }
          : {
              topic: source === "twap60" ? "crypto_prices_twap_sixty" : "crypto_prices_chainlink",
              type: "*",
              filters: JSON.stringify({ symbol: s }),
            };
      frames.push(JSON.stringify({ action: "subscribe", subscriptions: [sub] }));
    }
  }
  return frames;
}

export const RTDS_URL = "wss://ws-live-data.polymarket.com";

export interface RtdsFeedOptions {
  readonly clock: Clock;
  readonly url?: string;
  /** "btc/usd", "eth/usd", "sol/usd". */
  readonly symbols: readonly string[];
  /** Default chainlink + twap60. */
  readonly sources?: readonly UnderlyingSource[];
  readonly ringCapacity?: number;
  /** A symbol with no tick for this long reads as stale (ms). Default 5 s (Chainlink ticks ~1 Hz). */
  readonly symbolStaleMs?: number;
  /** Raw frame tap for the recorder (called before parsing). */
  readonly onRawFrame?: (text: string, recvNs: number) => void;
  /** Transport overrides (tests): ping cadence, watchdog, backoff, socket factory. */
  readonly transport?: Partial<Omit<FastWebSocketOptions, "url" | "clock" | "onFrame" | "onConnection" | "handshake">>;
}

export interface RtdsCounters {
  frames: number;
  ticks: number;
  backfillTicks: number;
  /** Ticks older than the ring's newest for that (symbol, source): dropped to keep rings time-ordered. */
  outOfOrder: number;
  pongs: number;
  ignored: number;
  readonly errors: Record<RtdsErrorCode, number>;
}

export class RtdsFeed {
  readonly counters: RtdsCounters = {
    frames: 0,
    ticks: 0,
    backfillTicks: 0,
    outOfOrder: 0,
    pongs: 0,
    ignored: 0,
    errors: { BAD_JSON: 0, NOT_AN_OBJECT: 0, UNKNOWN_TOPIC: 0, BAD_PAYLOAD: 0 },
  };
  readonly ws: FastWebSocket;
  private readonly clock: Clock;
  private readonly rings = new Map<string, PriceRing>();
  private readonly listeners = new Set<(ev: FeedEvent) => void>();
  private readonly capacity: number;
  private readonly staleNs: number;
  private connected = false;

  constructor(private readonly opts: RtdsFeedOptions) {
    this.clock = opts.clock;
    this.capacity = opts.ringCapacity ?? 4096;
    this.staleNs = (opts.symbolStaleMs ?? 5000) * 1e6;
    const sources = opts.sources ?? ["chainlink", "twap60"];
    const frames = rtdsSubscribeFrames(opts.symbols, sources);
    for (const s of sources) for (const sym of opts.symbols) this.ring(normaliseSymbol(sym), s);
    this.ws = new FastWebSocket({
      pingIntervalMs: 5000,
      staleAfterMs: 5000,
      deadAfterMs: 10_000,
      ...opts.transport,
      name: "rtds",
      url: opts.url ?? RTDS_URL,
      clock: opts.clock,
      handshake: () => frames,
      onFrame: (text, recvNs) => this.onFrame(text, recvNs),
      onConnection: (ev) => this.onConnection(ev),
    });
  }

  start(): void {
    this.ws.start();
  }

  close(): void {
    this.ws.close();
  }

  onEvent(listener: (ev: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ring of (symbol, source), created on first use; never undefined. */
  ring(symbol: string, source: UnderlyingSource): PriceRing {
    const key = `${symbol}|${source}`;
    let r = this.rings.get(key);
    if (r === undefined) {
      r = new PriceRing(this.capacity);
      this.rings.set(key, r);
    }
    return r;
  }

  /** Latest price, NaN when none yet. */
  lastPrice(symbol: string, source: UnderlyingSource = "chainlink"): number {
    const r = this.ring(symbol, source);
    return r.newest(r.price);
  }

  /** True when disconnected or the symbol has had no live tick for `symbolStaleMs`. */
  isStale(symbol: string, source: UnderlyingSource = "chainlink"): boolean {
    if (!this.connected) return true;
    const r = this.ring(symbol, source);
    const last = r.newest(r.recvNs);
    return !(this.clock.nowNs() - last < this.staleNs);
  }

  /** Feeds one raw frame (the socket calls this; replay and tests may too). */
  onFrame(text: string, recvNs: number): void {
    this.opts.onRawFrame?.(text, recvNs);
    const c = this.counters;
    c.frames++;
    const f = parseRtdsFrame(text);
    switch (f.kind) {
      case "pong":
        c.pongs++;
        return;
      case "ignored":
        c.ignored++;
        return;
      case "error":
        c.errors[f.code]++;
        return;
      case "ticks":
        for (const t of f.ticks) this.accept(t, recvNs, f.backfill);
        return;
    }
  }

  private accept(t: RtdsTick, recvNs: number, backfill: boolean): void {
    const r = this.ring(t.symbol, t.source);
    const newest = r.newest(r.tsMs);
    if (newest >= t.priceTsMs) {
      // Backfill overlapping what we already hold, or a late duplicate.
      if (!backfill) this.counters.outOfOrder++;
      return;
    }
    // Backfill points carry their own (old) price time; their recvNs is the frame's, but they
    // must not make a silent symbol look fresh, so they are stamped as received long ago.
    r.push(backfill ? recvNs - this.staleNs : recvNs, t.priceTsMs, t.price);
    if (backfill) this.counters.backfillTicks++;
    else this.counters.ticks++;
    if (this.listeners.size === 0) return;
    // Backfill points go out flagged: a bot can read strikes from them (a window that began in
    // the last minute) without taking them for live ticks.
    const ev: FeedEvent = backfill
      ? { kind: "underlying", symbol: t.symbol, price: t.price, priceTsMs: t.priceTsMs, source: t.source, recvNs, backfill: true }
      : { kind: "underlying", symbol: t.symbol, price: t.price, priceTsMs: t.priceTsMs, source: t.source, recvNs };
    for (const l of this.listeners) l(ev);
  }

  private onConnection(ev: WsConnectionEvent): void {
    const state: ConnectionState = ev.state;
    this.connected = state === "connected" || state === "resynced" || (state === "stale" && this.ws.isOpen);
    const out: FeedEvent = { kind: "connection", state, atNs: ev.atNs, reason: ev.reason };
    for (const l of this.listeners) l(out);
  }
}
