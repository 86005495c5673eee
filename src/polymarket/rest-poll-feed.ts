/**
 * `USE_WSS=false` market data: polls `POST /books` (body `[{"token_id":"…"}, …]`, the SDK's
 * `getOrderBooks`) every `intervalMs` and feeds the same `BookCache` as the WebSocket feed, so
 * books, rings, `onPriceUpdate` callbacks and connection events behave the same. For networks
 * that block WebSockets (the way the user's first bot worked).
 *
 * Rate limits (protocol notes §9.1): the batch book endpoints allow 500 requests / 10 s per
 * IP; the default 1 s interval with ≤ 50 tokens per request stays far below. A poll never
 * overlaps the previous one. A summary whose `hash` did not change is skipped.
 * `failuresBeforeDisconnect` failed polls in a row mark every book stale (`disconnected`);
 * the next good poll refreshes them all and emits `resynced`.
 */
import type { Clock } from "../core/clock.ts";
import type { MarketFeed, MarketInfo } from "../core/ports.ts";
import { BookCache, BookCacheFeed } from "./book-cache.ts";
import { decodeMarketObject } from "./market-channel.ts";

export const CLOB_URL = "https://clob.polymarket.com";

export interface RestPollFeedOptions {
  readonly clock: Clock;
  readonly baseUrl?: string;
  readonly intervalMs?: number;
  readonly tokensPerRequest?: number;
  readonly failuresBeforeDisconnect?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly ringCapacity?: number;
}

export interface RestPollCounters {
  polls: number;
  failures: number;
  unchanged: number;
  malformed: number;
}

export class RestPollFeed extends BookCacheFeed implements MarketFeed {
  readonly cache: BookCache;
  readonly counters: RestPollCounters = { polls: 0, failures: 0, unchanged: 0, malformed: 0 };
  lastError = "";
  private readonly baseUrl: string;
  private readonly intervalMs: number;
  private readonly perRequest: number;
  private readonly failLimit: number;
  private readonly fetchFn: typeof fetch;
  private readonly lastHash = new Map<string, string>();
  private cancel: (() => void) | undefined;
  private running = false;
  private connected = false;
  private failStreak = 0;

  constructor(private readonly opts: RestPollFeedOptions) {
    super();
    this.cache = new BookCache(opts.clock, opts.ringCapacity ?? 1024, (ids) => {
      for (const id of ids) this.lastHash.delete(id); // force the next poll to re-apply
    });
    this.baseUrl = (opts.baseUrl ?? CLOB_URL).replace(/\/+$/, "");
    this.intervalMs = Math.max(50, opts.intervalMs ?? 1000);
    this.perRequest = opts.tokensPerRequest ?? 50;
    this.failLimit = opts.failuresBeforeDisconnect ?? 3;
    this.fetchFn = opts.fetch ?? fetch;
  }

  connect(markets: readonly MarketInfo[]): void {
    this.subscribe(markets);
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  subscribe(markets: readonly MarketInfo[]): void {
    this.cache.add(markets);
  }

  unsubscribe(conditionIds: readonly string[]): void {
    for (const t of this.cache.remove(conditionIds)) this.lastHash.delete(t);
  }

  close(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One poll of every subscribed token; resolves when applied. */
  async pollOnce(): Promise<void> {
    const tokens = this.cache.tokenIds();
    const clock = this.opts.clock;
    let ok = true;
    for (let i = 0; i < tokens.length; i += this.perRequest) {
      const chunk = tokens.slice(i, i + this.perRequest);
      const body = await this.post(chunk);
      if (body === undefined) {
        ok = false;
        break;
      }
      const recvNs = clock.nowNs();
      this.counters.polls++;
      if (!this.connected) {
        // Before applying, so `resynced` (emitted when the last stale book refreshes) follows it.
        this.connected = true;
        this.cache.connection("connected", recvNs, "REST book polling");
      }
      for (const item of body) this.applySummary(item, recvNs);
    }
    if (ok) {
      this.failStreak = 0;
    } else if (++this.failStreak === this.failLimit && this.connected) {
      this.connected = false;
      for (const t of tokens) this.lastHash.delete(t);
      this.cache.connectionLost("disconnected", clock.nowNs(), `REST polling failed ${this.failLimit}× in a row: ${this.lastError}`);
    }
  }

  private applySummary(item: unknown, recvNs: number): void {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      this.counters.malformed++;
      return;
    }
    const o = item as Record<string, unknown>;
    const id = typeof o.asset_id === "string" ? o.asset_id : "";
    const hash = typeof o.hash === "string" ? o.hash : "";
    const b = this.cache.book(id);
    if (hash !== "" && this.lastHash.get(id) === hash && b !== undefined && !b.stale) {
      this.counters.unchanged++;
      return;
    }
    // A REST summary is a `book` snapshot without the event_type tag.
    const ev = decodeMarketObject({ ...o, event_type: "book" });
    if ("ok" in ev) {
      this.counters.malformed++;
      return;
    }
    this.lastHash.set(id, hash);
    this.cache.applyEvent(ev, recvNs);
  }

  private async post(tokens: readonly string[]): Promise<unknown[] | undefined> {
    try {
      const resp = await this.fetchFn(`${this.baseUrl}/books`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(tokens.map((token_id) => ({ token_id }))),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      if (!resp.ok) {
        this.counters.failures++;
        this.lastError = `HTTP ${resp.status}`;
        return undefined;
      }
      const body = (await resp.json()) as unknown;
      if (!Array.isArray(body)) {
        this.counters.failures++;
        this.lastError = "POST /books: body is not an array";
        return undefined;
      }
      return body;
    } catch (e) {
      this.counters.failures++;
      this.lastError = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    await this.pollOnce();
    if (!this.running) return;
    this.cancel = this.opts.clock.setTimer(this.intervalMs, () => {
      this.cancel = undefined;
      void this.tick();
    });
  }
}
