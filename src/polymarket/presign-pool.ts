/**
 * Pre-signed order pool: for each quoted token, up to `size` limit orders already signed at
 * the prices the strategy is likely to quote next, so placing one costs a Map lookup
 * instead of a ~100 µs secp256k1 signature.
 *
 * Contract:
 * - `plan(token, quotes)` says where the quotes are (best bid / ask we quote around, size,
 *   tick, market). The pool wants BUY orders at bid, bid∓1 tick, bid∓2 ticks, … and SELL orders
 *   at ask, ask±1 tick, … (half the slots per side; all of them if one side is absent), clipped
 *   to [tick, 1 − tick]. Orders at prices no longer wanted are evicted.
 * - `take(token, side, priceE4, sizeE6)` is O(1): one Map get per level, then delete. It
 *   returns an order at most `maxAgeMs` old, exactly at that price and size, or undefined
 *   (a counted miss; the caller signs fresh). Each order is handed out once.
 * - `refill(budgetMs)` signs missing orders, most likely prices first, round-robin over tokens,
 *   until the budget (measured on the injected clock) is spent; then re-signs orders older than
 *   `refreshAfterMs`. Call it in idle time, never between a decision and its send.
 * - A tick-size change, a size change, a market change (neg-risk / exchange version) or a
 *   market roll empties the token's pool (`invalidate`, counted by reason); `plan` detects the
 *   first three by itself.
 *
 * Pooled orders are GTC-style: no expiration, no builder/metadata unless planned. Salt comes
 * from the injected `nextSalt`, the timestamp from `clock.wallMs()` at signing time; both stay
 * fixed in the pooled order, which is fine because each order is used once.
 *
 * FOK/FAK: Polymarket reads them as market orders (a BUY spends its pUSD amount, at most 2
 * decimals). Orders here are signed with limit amounts, so `take(…, "market")` serves one only
 * when its bytes are exactly the market order the client would sign (`limitMatchesMarket`:
 * every on-grid SELL; a BUY whose shares × price is whole cents — the arbitrage bot's "clean
 * lot" legs, so its pre-signed legs keep the fast path). Any other market take is a counted
 * `marketMisses` miss that leaves the pooled order in place; the caller signs in market mode.
 */
import type { Clock } from "../core/clock.ts";
import type { Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, TickE4 } from "../core/units.ts";
import { type AmountMode, type AmountsOut, limitMatchesMarket, newAmountsOut } from "./amounts.ts";
import { type OrderSigner, type SignedOrder, shownValue } from "./signing.ts";

export type InvalidationReason = "tick_size_change" | "size_change" | "market_change" | "market_roll" | "manual";

/** Where the token is quoted now. `bidE4` 0 (NO_BID_E4) / `askE4` 10000 (NO_ASK_E4) = that side is not quoted. */
export interface PoolQuotes {
  readonly bidE4: PriceE4;
  readonly askE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly tickE4: TickE4;
  readonly negRisk: boolean;
  readonly exchangeVersion: 2 | 3;
  readonly builder?: string;
  readonly metadata?: string;
}

export interface PreSignPoolOptions {
  /** Signed orders kept per quoted token (PRE_SIGN_POOL_SIZE). */
  readonly size: number;
  readonly clock: Clock;
  /** Unique salts (integers < 2^53); seeded in tests. */
  readonly nextSalt: () => number;
  /** A pooled order older than this (by its signed timestamp) is dropped, never handed out. Default 60 s. */
  readonly maxAgeMs?: number;
  /** `refill` re-signs orders older than this once nothing is missing. Default maxAgeMs / 2. */
  readonly refreshAfterMs?: number;
}

export interface PoolStats {
  readonly hits: number;
  readonly misses: number;
  /** Market-mode takes refused because the limit-signed order's amounts are not the market order's (also counted in misses). */
  readonly marketMisses: number;
  /** Orders signed by `refill`. */
  readonly refills: number;
  /** Tokens emptied by `invalidate` (explicit or detected by `plan`). */
  readonly invalidations: number;
  readonly invalidationsByReason: Readonly<Record<InvalidationReason, number>>;
  /** Orders dropped because they were older than maxAgeMs. */
  readonly expired: number;
  /** Orders dropped because their price left the planned ladder. */
  readonly evicted: number;
  /** Orders currently pooled, over all tokens. */
  readonly pooled: number;
  readonly tokens: number;
}

interface Entry {
  readonly order: SignedOrder;
  readonly timestampMs: number;
}

interface TokenPool {
  quotes: PoolQuotes;
  /** Wanted level keys, most likely first. */
  wanted: number[];
  readonly orders: Map<number, Entry>;
}

const SELL_KEY = 16_384; // > 10_000: side and price in one small integer key
const keyOf = (side: Side, priceE4: PriceE4): number => (side === "BUY" ? priceE4 : SELL_KEY + priceE4);

/** Wildcard for `invalidate`: every token. */
export const ALL_TOKENS = "*";

export class PreSignPool {
  readonly #signer: OrderSigner;
  readonly #size: number;
  readonly #clock: Clock;
  readonly #nextSalt: () => number;
  readonly #maxAgeMs: number;
  readonly #refreshAfterMs: number;
  readonly #tokens = new Map<string, TokenPool>();
  #hits = 0;
  #misses = 0;
  #marketMisses = 0;
  readonly #scratch: { readonly limit: AmountsOut; readonly market: AmountsOut } = { limit: newAmountsOut(), market: newAmountsOut() };
  #refills = 0;
  #expired = 0;
  #evicted = 0;
  #invalidations = 0;
  readonly #byReason: Record<InvalidationReason, number> = {
    tick_size_change: 0,
    size_change: 0,
    market_change: 0,
    market_roll: 0,
    manual: 0,
  };

  constructor(signer: OrderSigner, opts: PreSignPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 0)
      throw new RangeError(`size: must be a non-negative integer, got ${shownValue(opts.size)}`);
    this.#signer = signer;
    this.#size = opts.size;
    this.#clock = opts.clock;
    this.#nextSalt = opts.nextSalt;
    this.#maxAgeMs = opts.maxAgeMs ?? 60_000;
    this.#refreshAfterMs = opts.refreshAfterMs ?? this.#maxAgeMs / 2;
    if (!(this.#maxAgeMs > 0)) throw new RangeError(`maxAgeMs: must be > 0, got ${shownValue(this.#maxAgeMs)}`);
  }

  /** Sets where `tokenId` is quoted; empties its pool first if tick, size or market changed. */
  plan(tokenId: string, q: PoolQuotes): void {
    let tp = this.#tokens.get(tokenId);
    if (tp) {
      const old = tp.quotes;
      const reason: InvalidationReason | null =
        old.tickE4 !== q.tickE4
          ? "tick_size_change"
          : old.sizeE6 !== q.sizeE6
            ? "size_change"
            : old.negRisk !== q.negRisk ||
                old.exchangeVersion !== q.exchangeVersion ||
                old.builder !== q.builder ||
                old.metadata !== q.metadata
              ? "market_change"
              : null;
      if (reason) {
        this.invalidate(tokenId, reason);
        tp = undefined;
      }
    }
    const wanted = ladder(q, this.#size);
    if (!tp) {
      this.#tokens.set(tokenId, { quotes: q, wanted, orders: new Map() });
      return;
    }
    tp.quotes = q;
    tp.wanted = wanted;
    if (tp.orders.size === 0) return;
    const keep = new Set(wanted);
    for (const k of tp.orders.keys()) {
      if (!keep.has(k)) {
        tp.orders.delete(k);
        this.#evicted++;
      }
    }
  }

  /**
   * A pooled order for exactly this (token, side, price, size), removed from the pool;
   * undefined = miss. `mode` "market" (FOK/FAK) serves only an order whose limit amounts
   * are the market order's (see the header).
   */
  take(tokenId: string, side: Side, priceE4: PriceE4, sizeE6: SizeE6, mode: AmountMode = "limit"): SignedOrder | undefined {
    const tp = this.#tokens.get(tokenId);
    if (tp === undefined || tp.quotes.sizeE6 !== sizeE6) {
      this.#misses++;
      return undefined;
    }
    if (mode === "market" && !limitMatchesMarket(side, priceE4, sizeE6, tp.quotes.tickE4, this.#scratch)) {
      this.#misses++;
      this.#marketMisses++;
      return undefined;
    }
    const key = keyOf(side, priceE4);
    const e = tp.orders.get(key);
    if (e === undefined) {
      this.#misses++;
      return undefined;
    }
    tp.orders.delete(key);
    if (this.#clock.wallMs() - e.timestampMs > this.#maxAgeMs) {
      this.#expired++;
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return e.order;
  }

  /**
   * Signs missing orders (most likely prices first, round-robin over tokens), then refreshes
   * old ones, until `budgetMs` of clock time is spent (no budget = until full) or `maxSigns`.
   * Returns the number of orders signed.
   */
  refill(budgetMs?: number, maxSigns = Number.POSITIVE_INFINITY): number {
    const deadlineNs = budgetMs === undefined ? Number.POSITIVE_INFINITY : this.#clock.nowNs() + budgetMs * 1e6;
    const nowMs = this.#clock.wallMs();
    let signed = 0;
    const outOfBudget = () => signed >= maxSigns || this.#clock.nowNs() >= deadlineNs;
    // Drop what has expired so it is re-signed below.
    for (const tp of this.#tokens.values()) {
      for (const [k, e] of tp.orders) {
        if (nowMs - e.timestampMs > this.#maxAgeMs) {
          tp.orders.delete(k);
          this.#expired++;
        }
      }
    }
    // Pass 1: missing levels, by rank across tokens. Pass 2: stale levels, same order.
    for (const pass of [0, 1] as const) {
      for (let rank = 0; rank < this.#size; rank++) {
        for (const [tokenId, tp] of this.#tokens) {
          const key = tp.wanted[rank];
          if (key === undefined) continue;
          const have = tp.orders.get(key);
          const needed = pass === 0 ? have === undefined : have !== undefined && nowMs - have.timestampMs > this.#refreshAfterMs;
          if (!needed) continue;
          if (outOfBudget()) return this.#countRefills(signed);
          tp.orders.set(key, this.#signLevel(tokenId, tp.quotes, key));
          signed++;
        }
      }
    }
    return this.#countRefills(signed);
  }

  #countRefills(n: number): number {
    this.#refills += n;
    return n;
  }

  #signLevel(tokenId: string, q: PoolQuotes, key: number): Entry {
    const side: Side = key >= SELL_KEY ? "SELL" : "BUY";
    const timestampMs = this.#clock.wallMs();
    const order = this.#signer.sign({
      tokenId,
      side,
      priceE4: key >= SELL_KEY ? key - SELL_KEY : key,
      sizeE6: q.sizeE6,
      tickE4: q.tickE4,
      negRisk: q.negRisk,
      exchangeVersion: q.exchangeVersion,
      salt: this.#nextSalt(),
      timestampMs,
      ...(q.builder !== undefined && { builder: q.builder }),
      ...(q.metadata !== undefined && { metadata: q.metadata }),
    });
    return { order, timestampMs };
  }

  /** Empties (and forgets the plan of) one token, or every token with ALL_TOKENS. */
  invalidate(tokenId: string, reason: InvalidationReason): void {
    if (tokenId === ALL_TOKENS) {
      for (const t of [...this.#tokens.keys()]) this.invalidate(t, reason);
      return;
    }
    if (!this.#tokens.delete(tokenId)) return;
    this.#invalidations++;
    this.#byReason[reason]++;
  }

  /** Orders pooled now for one token (tests, status page). */
  pooledFor(tokenId: string): number {
    return this.#tokens.get(tokenId)?.orders.size ?? 0;
  }

  stats(): PoolStats {
    let pooled = 0;
    for (const tp of this.#tokens.values()) pooled += tp.orders.size;
    return {
      hits: this.#hits,
      misses: this.#misses,
      marketMisses: this.#marketMisses,
      refills: this.#refills,
      invalidations: this.#invalidations,
      invalidationsByReason: { ...this.#byReason },
      expired: this.#expired,
      evicted: this.#evicted,
      pooled,
      tokens: this.#tokens.size,
    };
  }

  /**
   * Runs `refill(budgetMs)` every `intervalMs` on the pool's clock (a shell convenience for the
   * engine's idle time). Returns a stop function.
   */
  autoRefill(intervalMs: number, budgetMs: number): () => void {
    let cancel: () => void = () => {};
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      this.refill(budgetMs);
      cancel = this.#clock.setTimer(intervalMs, tick);
    };
    cancel = this.#clock.setTimer(intervalMs, tick);
    return () => {
      stopped = true;
      cancel();
    };
  }
}

/**
 * Level keys wanted for these quotes, most likely first: per side the quote itself, then one
 * tick either way, then two, … (BUY/SELL interleaved), clipped to [tick, 1 − tick].
 */
export function ladder(q: PoolQuotes, size: number): number[] {
  const t = q.tickE4;
  const lo = t;
  const hi = 10_000 - t;
  const onGrid = (p: PriceE4) => Math.round(p / t) * t;
  const hasBid = q.bidE4 >= lo && q.bidE4 <= hi;
  const hasAsk = q.askE4 >= lo && q.askE4 <= hi;
  const out: number[] = [];
  if (size === 0 || (!hasBid && !hasAsk) || t <= 0) return out;
  const seen = new Set<number>();
  const push = (side: Side, p: PriceE4): void => {
    if (p < lo || p > hi || out.length >= size) return;
    const k = keyOf(side, p);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(k);
  };
  const bid = onGrid(q.bidE4);
  const ask = onGrid(q.askE4);
  // Offsets 0, -1, +1, -2, +2, … ticks; stop when neither side can add a level.
  for (let i = 0; out.length < size && i <= 2 * (10_000 / t); i++) {
    const off = i === 0 ? 0 : i % 2 === 1 ? -((i + 1) >> 1) : i >> 1;
    if (hasBid) push("BUY", bid + off * t);
    if (hasAsk) push("SELL", ask - off * t);
  }
  return out;
}
