/**
 * Per-market and per-underlying state shared by every bot and the backtester: the markets
 * being traded, keyed by condition id (and by token id for fills and book events), added and
 * removed as auto-roll starts and retires windows, and the underlyings they settle on.
 *
 * `MarketRegistry<X>` holds each market's `MarketInfo`, its lifecycle phase, its strike and
 * its settlement-TWAP tracker, plus an extension `X` that belongs to the bot (quotes, rings,
 * counters). `Underlyings` keeps, per symbol ("btc/usd"), the fair-value volatility
 * (`UnderlyingVol`), a volatility engine on log returns, and one price per second for the
 * last two hours, so the strike of a window can be read at its start whatever the order in
 * which events arrived:
 *   - `price_at_end` markets: strike = settlement price at the start second;
 *   - `twap60` markets: strike = mean of the 1-s prices in (start − 60 s, start].
 * History includes the feed's subscribe backfill (about a minute), so a window that began
 * shortly before the bot still gets its strike from prices. When history cannot give it
 * (the window began earlier), the venue's published strike `MarketInfo.strikePrice` (Gamma's
 * `eventMetadata.priceToBeat`) is used; without either it stays NaN and the market is not
 * quoted on the model.
 *
 * Pure: times come in as arguments.
 */
import type { MarketInfo } from "../core/ports.ts";
import { SettlementTwap } from "../strategy/fair-value.ts";
import { UnderlyingVol, type UnderlyingVolParams, VolatilityEngine, type VolatilityParams } from "../strategy/volatility.ts";

export type MarketPhase = "pending" | "live" | "ended" | "resolved";

export interface MarketState<X> {
  readonly info: MarketInfo;
  phase: MarketPhase;
  /** Settlement reference at window start; NaN until known. */
  strike: number;
  readonly twap: SettlementTwap;
  /** Winning token once resolved, "" before. */
  winningTokenId: string;
  readonly ext: X;
}

export interface TokenRef<X> {
  readonly market: MarketState<X>;
  readonly isYes: boolean;
}

export class MarketRegistry<X> {
  private readonly byId = new Map<string, MarketState<X>>();
  private readonly byTokenId = new Map<string, TokenRef<X>>();

  /** Adds a market (idempotent: an existing one is returned unchanged). */
  add(info: MarketInfo, ext: (info: MarketInfo) => X): MarketState<X> {
    const known = this.byId.get(info.conditionId);
    if (known) return known;
    const m: MarketState<X> = {
      info,
      phase: "pending",
      strike: Number.NaN,
      twap: new SettlementTwap(info.endMs, 60),
      winningTokenId: "",
      ext: ext(info),
    };
    this.byId.set(info.conditionId, m);
    this.byTokenId.set(info.yesTokenId, { market: m, isYes: true });
    this.byTokenId.set(info.noTokenId, { market: m, isYes: false });
    return m;
  }

  remove(conditionId: string): MarketState<X> | undefined {
    const m = this.byId.get(conditionId);
    if (!m) return undefined;
    this.byId.delete(conditionId);
    this.byTokenId.delete(m.info.yesTokenId);
    this.byTokenId.delete(m.info.noTokenId);
    return m;
  }

  get(conditionId: string): MarketState<X> | undefined {
    return this.byId.get(conditionId);
  }

  byToken(tokenId: string): TokenRef<X> | undefined {
    return this.byTokenId.get(tokenId);
  }

  has(conditionId: string): boolean {
    return this.byId.has(conditionId);
  }

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<MarketState<X>> {
    return this.byId.values();
  }

  /** Markets settling on `symbol`, in insertion order. */
  ofUnderlying(symbol: string): MarketState<X>[] {
    const out: MarketState<X>[] = [];
    for (const m of this.byId.values()) if (m.info.underlying === symbol) out.push(m);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

/** Seconds of 1-s price history kept per underlying (strikes of 1 h windows need < 1 h). */
export const HISTORY_SEC = 7_200;

export interface UnderlyingState {
  readonly symbol: string;
  readonly vol: UnderlyingVol;
  /** Log-return volatility engine (the circuit breaker's and the quote's volatility input). */
  readonly volEngine: VolatilityEngine;
  lastPrice: number;
  /** Exchange timestamp of the latest price (ms), NaN before the first. */
  lastPriceTsMs: number;
  /** Local wall time the latest price was received (ms), NaN before the first. */
  lastRecvMs: number;
  /** One price per epoch second, a ring of HISTORY_SEC slots; `secs` says which second a slot holds. */
  readonly prices: Float64Array;
  readonly secs: Float64Array;
}

export interface UnderlyingsOptions {
  readonly vol?: Partial<UnderlyingVolParams>;
  readonly volEngine?: Partial<VolatilityParams>;
}

export class Underlyings {
  private readonly bySymbol = new Map<string, UnderlyingState>();

  constructor(private readonly opts: UnderlyingsOptions = {}) {}

  get(symbol: string): UnderlyingState | undefined {
    return this.bySymbol.get(symbol);
  }

  /** The state of `symbol`, created on first use. */
  ensure(symbol: string): UnderlyingState {
    let u = this.bySymbol.get(symbol);
    if (!u) {
      u = {
        symbol,
        vol: new UnderlyingVol(this.opts.vol),
        volEngine: new VolatilityEngine({ returns: "log", ...this.opts.volEngine }),
        lastPrice: Number.NaN,
        lastPriceTsMs: Number.NaN,
        lastRecvMs: Number.NaN,
        prices: new Float64Array(HISTORY_SEC).fill(Number.NaN),
        secs: new Float64Array(HISTORY_SEC).fill(-1),
      };
      this.bySymbol.set(symbol, u);
    }
    return u;
  }

  symbols(): IterableIterator<string> {
    return this.bySymbol.keys();
  }

  /**
   * A settlement-price tick. Out-of-order ticks update history but not the spot. A `backfill`
   * point (history sent on subscribe) updates history, spot and volatility like any other but
   * not `lastRecvMs`: it says nothing about the feed being alive now.
   */
  update(symbol: string, price: number, priceTsMs: number, recvMs: number, backfill = false): UnderlyingState {
    const u = this.ensure(symbol);
    if (!(price > 0) || !Number.isFinite(price)) return u;
    const sec = Math.floor(priceTsMs / 1000);
    const slot = ((sec % HISTORY_SEC) + HISTORY_SEC) % HISTORY_SEC;
    u.prices[slot] = price;
    u.secs[slot] = sec;
    if (!backfill) u.lastRecvMs = recvMs;
    if (Number.isNaN(u.lastPriceTsMs) || priceTsMs >= u.lastPriceTsMs) {
      u.lastPrice = price;
      u.lastPriceTsMs = priceTsMs;
      u.vol.update(price, priceTsMs);
      u.volEngine.update(price, priceTsMs);
    }
    return u;
  }

  /**
   * The price in force at epoch second `sec`: that second's, else the latest earlier one
   * within `maxBackSec`. NaN when history does not reach.
   */
  priceAt(symbol: string, sec: number, maxBackSec = 30): number {
    const u = this.bySymbol.get(symbol);
    if (!u) return Number.NaN;
    for (let s = sec; s > sec - maxBackSec; s--) {
      const slot = ((s % HISTORY_SEC) + HISTORY_SEC) % HISTORY_SEC;
      if (u.secs[slot] === s) return u.prices[slot] as number;
    }
    return Number.NaN;
  }

  /** Mean of the 1-s prices in (endSec − windowSec, endSec], forward-filling gaps; NaN without data. */
  twapEnding(symbol: string, endSec: number, windowSec = 60): number {
    const u = this.bySymbol.get(symbol);
    if (!u) return Number.NaN;
    let sum = 0;
    let n = 0;
    let carry = this.priceAt(symbol, endSec - windowSec, 30);
    for (let s = endSec - windowSec + 1; s <= endSec; s++) {
      const slot = ((s % HISTORY_SEC) + HISTORY_SEC) % HISTORY_SEC;
      if (u.secs[slot] === s) carry = u.prices[slot] as number;
      if (Number.isFinite(carry)) {
        sum += carry;
        n++;
      }
    }
    // A TWAP from a handful of seconds is not the settlement reference.
    return n >= windowSec / 2 ? sum / n : Number.NaN;
  }

  /**
   * The strike of a window that has started: by its rule from our own history when that
   * covers the start (the start second is past and, for the TWAP rule, the data covers the
   * minute before it); else the venue's published `info.strikePrice` (a window that began
   * before we saw it); else NaN — call again later.
   */
  strikeOf(info: MarketInfo, nowMs: number): number {
    return this.strikeWithSource(info, nowMs).strike;
  }

  /** `strikeOf` and where it came from: our history, the venue's published strike, or none yet. */
  strikeWithSource(info: MarketInfo, nowMs: number): { readonly strike: number; readonly source: "history" | "venue" | "none" } {
    if (info.underlying === "" || nowMs < info.startMs) return { strike: Number.NaN, source: "none" };
    const seen = this.observedStrike(info);
    if (Number.isFinite(seen)) return { strike: seen, source: "history" };
    const p = info.strikePrice;
    return p !== undefined && p > 0 && Number.isFinite(p) ? { strike: p, source: "venue" } : { strike: Number.NaN, source: "none" };
  }

  /** The strike from our own 1-s history, NaN when it does not (yet) cover the window's start. */
  private observedStrike(info: MarketInfo): number {
    const u = this.bySymbol.get(info.underlying);
    if (!u || !(u.lastPriceTsMs >= info.startMs)) return Number.NaN; // the start second may still change
    const startSec = Math.floor(info.startMs / 1000);
    return info.resolution === "twap60" ? this.twapEnding(info.underlying, startSec, 60) : this.priceAt(info.underlying, startSec, 5);
  }
}
