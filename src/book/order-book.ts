/**
 * One outcome token's order book: levels in preallocated typed arrays indexed by price tick,
 * best bid/ask kept up to date without rescans on the common path.
 *
 * Design rationale:
 * - The index is the price in PriceE4, i.e. the tick count on the 0.0001 grid, the finest
 *   Polymarket tick, of which every tick size (0.1 … 0.0001) is a whole multiple. A binary
 *   market's price range is bounded (0..1), so each side is one `Float64Array(10_001)` of
 *   sizes (80 kB) plus a 313-word occupancy bitmap. A level set or remove is O(1).
 * - Because every grid is a sub-grid of that one, a `tick_size_change` never moves data:
 *   "re-indexing" is the identity. A finer tick keeps every level valid. A coarser tick
 *   that leaves a level off the new grid means we no longer know the venue's book (did it
 *   cancel those orders?), so the book goes stale until the next snapshot. A delta whose
 *   price is off the current grid is still applied (the venue is the truth: the tick
 *   change may arrive after the first deltas on the new grid) and is reported `OFF_TICK`.
 * - Best bid/ask move in O(1) on adds and on changes below the touch. Removing the best
 *   level searches the bitmap for the next one: 32 prices per word with `Math.clz32`, at
 *   most 313 words, typically one or two.
 * - Sizes are `SizeE6` integers stored in float64 (exact below 2^53).
 * - Problems are values, not throws: each mutation returns `BookStatus` and counts it.
 *   `PRICE_OUT_OF_RANGE` and `BAD_SIZE` are rejected; `CROSSED` and `OFF_TICK` are applied
 *   and reported. The `stale` policy (drop deltas until a snapshot) lives in `apply.ts`.
 *
 * Side vocabulary follows `BookView`: BUY = bids, SELL = asks.
 */
import type { BookView, Side } from "../core/ports.ts";
import { NO_ASK_E4, NO_BID_E4 } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, type TickE4 } from "../core/units.ts";

/** Applied and fine, or what went wrong. See the module header for which are applied. */
export type BookStatus = "OK" | BookProblem;
export type BookProblem = "CROSSED" | "OFF_TICK" | "PRICE_OUT_OF_RANGE" | "BAD_SIZE";
export const BOOK_PROBLEMS: readonly BookProblem[] = ["CROSSED", "OFF_TICK", "PRICE_OUT_OF_RANGE", "BAD_SIZE"];

const GRID = ONE_E4 + 1;
const WORDS = (GRID + 31) >>> 5;

/** Levels of one side, read by parallel index (the shape parsers produce). */
export interface LevelArrays {
  readonly pricesE4: ArrayLike<PriceE4>;
  readonly sizesE6: ArrayLike<SizeE6>;
}

class Ladder {
  readonly sizes = new Float64Array(GRID);
  readonly bits = new Int32Array(WORDS);
  count = 0;

  set(p: number, size: number): void {
    const had = this.sizes[p]! !== 0; // typed-array read within bounds: p is validated by the caller
    this.sizes[p] = size;
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    if (size !== 0) {
      if (!had) {
        this.bits[w]! |= bit;
        this.count++;
      }
    } else if (had) {
      this.bits[w]! &= ~bit;
      this.count--;
    }
  }

  /** Highest occupied index ≤ p, or -1. */
  highestAtOrBelow(p: number): number {
    if (p < 0) return -1;
    let w = p >>> 5;
    let m = this.bits[w]! & ~(-2 << (p & 31)); // bits 0..(p & 31)
    for (;;) {
      if (m !== 0) return (w << 5) + 31 - Math.clz32(m);
      if (--w < 0) return -1;
      m = this.bits[w]!;
    }
  }

  /** Lowest occupied index ≥ p, or -1. */
  lowestAtOrAbove(p: number): number {
    if (p >= GRID) return -1;
    let w = p >>> 5;
    let m = this.bits[w]! & (-1 << (p & 31));
    for (;;) {
      if (m !== 0) return (w << 5) + 31 - Math.clz32(m & -m);
      if (++w >= WORDS) return -1;
      m = this.bits[w]!;
    }
  }

  /** Empties the side in O(words + levels). */
  clear(): void {
    for (let w = 0; w < WORDS; w++) {
      let m = this.bits[w]!;
      while (m !== 0) {
        const low = m & -m;
        this.sizes[(w << 5) + 31 - Math.clz32(low)] = 0;
        m ^= low;
      }
      this.bits[w] = 0;
    }
    this.count = 0;
  }
}

export class OrderBook implements BookView {
  readonly #bids = new Ladder();
  readonly #asks = new Ladder();
  /** Best bid / ask index, -1 when the side is empty. */
  #bb = -1;
  #ba = -1;
  #tickE4: TickE4;
  #stale = true;
  #lastTradeE4: PriceE4 = 0;
  /** Incremented by every snapshot, clear and stale mark: a reader can detect a reset. */
  epoch = 0;
  readonly problems: Record<BookProblem, number> = { CROSSED: 0, OFF_TICK: 0, PRICE_OUT_OF_RANGE: 0, BAD_SIZE: 0 };

  constructor(
    readonly tokenId: string,
    tickE4: TickE4 = 100,
  ) {
    this.#tickE4 = tickE4;
  }

  get tickE4(): TickE4 {
    return this.#tickE4;
  }
  get stale(): boolean {
    return this.#stale;
  }

  // ---- mutations ----------------------------------------------------------------------

  /**
   * Sets the absolute size at a price (0 removes the level), as a `price_change` does.
   * Returns the worst problem seen; a rejected update leaves the book unchanged.
   */
  setLevel(side: Side, priceE4: PriceE4, sizeE6: SizeE6): BookStatus {
    if (!(priceE4 > 0 && priceE4 < ONE_E4 && Number.isInteger(priceE4))) return this.#problem("PRICE_OUT_OF_RANGE");
    if (!(sizeE6 >= 0 && Number.isSafeInteger(sizeE6))) return this.#problem("BAD_SIZE");
    if (side === "BUY") {
      this.#bids.set(priceE4, sizeE6);
      if (sizeE6 !== 0) {
        if (priceE4 > this.#bb) this.#bb = priceE4;
      } else if (priceE4 === this.#bb) this.#bb = this.#bids.highestAtOrBelow(priceE4 - 1);
    } else {
      this.#asks.set(priceE4, sizeE6);
      if (sizeE6 !== 0) {
        if (this.#ba < 0 || priceE4 < this.#ba) this.#ba = priceE4;
      } else if (priceE4 === this.#ba) this.#ba = this.#asks.lowestAtOrAbove(priceE4 + 1);
    }
    if (this.#bb >= 0 && this.#ba >= 0 && this.#bb >= this.#ba) return this.#problem("CROSSED");
    if (priceE4 % this.#tickE4 !== 0) return this.#problem("OFF_TICK");
    return "OK";
  }

  /**
   * Replaces both sides with a snapshot (levels in any order; a repeated price keeps the
   * last size; zero sizes are skipped) and clears `stale`. `tickE4` > 0 updates the tick.
   */
  applySnapshot(bids: LevelArrays, asks: LevelArrays, tickE4 = 0): BookStatus {
    this.#bids.clear();
    this.#asks.clear();
    this.#bb = -1;
    this.#ba = -1;
    if (tickE4 > 0) this.#tickE4 = tickE4;
    this.#stale = false;
    this.epoch++;
    let worst: BookStatus = "OK";
    for (let k = 0; k < bids.pricesE4.length; k++) worst = worse(worst, this.#load("BUY", bids.pricesE4[k]!, bids.sizesE6[k]!));
    for (let k = 0; k < asks.pricesE4.length; k++) worst = worse(worst, this.#load("SELL", asks.pricesE4[k]!, asks.sizesE6[k]!));
    if (this.#bb >= 0 && this.#ba >= 0 && this.#bb >= this.#ba) return this.#problem("CROSSED");
    return worst;
  }

  /**
   * The token's tick size changed. Levels stay where they are (see header); if a coarser
   * tick leaves any level off the new grid the book is marked stale and `OFF_TICK` returned.
   */
  changeTick(newTickE4: TickE4): BookStatus {
    const coarser = newTickE4 > this.#tickE4;
    this.#tickE4 = newTickE4;
    if (!coarser) return "OK";
    let offGrid = false;
    const check = (p: number): boolean => {
      offGrid = p % newTickE4 !== 0;
      return !offGrid;
    };
    this.forEachLevel("BUY", check);
    if (!offGrid) this.forEachLevel("SELL", check);
    if (!offGrid) return "OK";
    this.markStale();
    return this.#problem("OFF_TICK");
  }

  /** Until the next snapshot the book's content is not trusted (reconnect, gap, tick). */
  markStale(): void {
    if (!this.#stale) this.epoch++;
    this.#stale = true;
  }

  setLastTrade(priceE4: PriceE4): void {
    this.#lastTradeE4 = priceE4;
  }

  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#bb = -1;
    this.#ba = -1;
    this.#stale = true;
    this.epoch++;
  }

  // ---- reads (BookView) ---------------------------------------------------------------

  bestBidE4(): PriceE4 {
    return this.#bb < 0 ? NO_BID_E4 : this.#bb;
  }
  bestAskE4(): PriceE4 {
    return this.#ba < 0 ? NO_ASK_E4 : this.#ba;
  }
  bestBidSizeE6(): SizeE6 {
    return this.#bb < 0 ? 0 : this.#bids.sizes[this.#bb]!;
  }
  bestAskSizeE6(): SizeE6 {
    return this.#ba < 0 ? 0 : this.#asks.sizes[this.#ba]!;
  }
  hasBid(): boolean {
    return this.#bb >= 0;
  }
  hasAsk(): boolean {
    return this.#ba >= 0;
  }

  sizeAtE6(side: Side, priceE4: PriceE4): SizeE6 {
    if (!(priceE4 > 0 && priceE4 < ONE_E4)) return 0;
    return (side === "BUY" ? this.#bids : this.#asks).sizes[priceE4 | 0]!;
  }

  levelCount(side: Side): number {
    return (side === "BUY" ? this.#bids : this.#asks).count;
  }

  /** (bid + ask) / 2 in PriceE4 units (may be x.5); NaN when a side is empty. */
  mid(): number {
    return this.#bb < 0 || this.#ba < 0 ? Number.NaN : (this.#bb + this.#ba) / 2;
  }

  /** ask − bid in PriceE4; NaN when a side is empty (negative when crossed). */
  spreadE4(): number {
    return this.#bb < 0 || this.#ba < 0 ? Number.NaN : this.#ba - this.#bb;
  }

  microprice(): number {
    if (this.#bb < 0 || this.#ba < 0) return Number.NaN;
    const qb = this.#bids.sizes[this.#bb]!;
    const qa = this.#asks.sizes[this.#ba]!;
    return (this.#bb * qa + this.#ba * qb) / (qa + qb);
  }

  isCrossed(): boolean {
    return this.#bb >= 0 && this.#ba >= 0 && this.#bb >= this.#ba;
  }

  /** Total size of the best `levels` levels of a side. */
  depthE6(side: Side, levels: number): SizeE6 {
    let total = 0;
    let n = 0;
    this.forEachLevel(side, (_p, s) => {
      total += s;
      return ++n < levels;
    });
    return total;
  }

  /** Total size at prices at least as good as `limitE4` (bids ≥ limit, asks ≤ limit). */
  sizeThroughE6(side: Side, limitE4: PriceE4): SizeE6 {
    let total = 0;
    this.forEachLevel(side, (p, s) => {
      if (side === "BUY" ? p < limitE4 : p > limitE4) return false;
      total += s;
      return true;
    });
    return total;
  }

  forEachLevel(side: Side, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void {
    if (side === "BUY") {
      const l = this.#bids;
      for (let p = this.#bb; p >= 0; p = l.highestAtOrBelow(p - 1)) if (fn(p, l.sizes[p]!) === false) return;
    } else {
      const l = this.#asks;
      for (let p = this.#ba; p >= 0; p = l.lowestAtOrAbove(p + 1)) if (fn(p, l.sizes[p]!) === false) return;
    }
  }

  lastTradeE4(): PriceE4 {
    return this.#lastTradeE4;
  }

  // ---- internals ----------------------------------------------------------------------

  #load(side: Side, priceE4: number, sizeE6: number): BookStatus {
    if (sizeE6 === 0) return "OK";
    if (!(priceE4 > 0 && priceE4 < ONE_E4 && Number.isInteger(priceE4))) return this.#problem("PRICE_OUT_OF_RANGE");
    if (!(sizeE6 > 0 && Number.isSafeInteger(sizeE6))) return this.#problem("BAD_SIZE");
    if (side === "BUY") {
      this.#bids.set(priceE4, sizeE6);
      if (priceE4 > this.#bb) this.#bb = priceE4;
    } else {
      this.#asks.set(priceE4, sizeE6);
      if (this.#ba < 0 || priceE4 < this.#ba) this.#ba = priceE4;
    }
    return priceE4 % this.#tickE4 === 0 ? "OK" : this.#problem("OFF_TICK");
  }

  #problem(p: BookProblem): BookProblem {
    this.problems[p]++;
    return p;
  }
}

const RANK: Readonly<Record<BookStatus, number>> = { OK: 0, OFF_TICK: 1, CROSSED: 2, BAD_SIZE: 3, PRICE_OUT_OF_RANGE: 4 };
const worse = (a: BookStatus, b: BookStatus): BookStatus => (RANK[b] > RANK[a] ? b : a);
