/**
 * Preallocated tick history for the hot path: every parsed top-of-book change and every
 * underlying price lands here as numbers in `Float64Array` columns, so the feed allocates
 * nothing per tick and readers (volatility, fair value, recorder stats) index without copies.
 *
 * Two concrete rings share the index arithmetic: `BboRing` (per outcome token: best bid/ask
 * and their sizes after each book change) and `PriceRing` (per underlying symbol). A ring
 * overwrites its oldest tick when full. `i = 0` is the oldest retained tick, `length − 1`
 * the newest; `recvNs` is the clock's monotonic ns, `tsMs` the venue's epoch ms.
 */

class RingIndex {
  protected head = 0; // next write slot
  protected count = 0;
  /** Ticks ever pushed (including overwritten ones). */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.count;
  }

  /** Slot of the i-th oldest tick, or -1 when out of range. */
  protected slot(i: number): number {
    if (i < 0 || i >= this.count) return -1;
    const start = this.count === this.capacity ? this.head : 0;
    const s = start + i;
    return s >= this.capacity ? s - this.capacity : s;
  }

  /** Claims the next slot (overwriting the oldest when full) and returns it. */
  protected claim(): number {
    const s = this.head;
    this.head = s + 1 === this.capacity ? 0 : s + 1;
    if (this.count < this.capacity) this.count++;
    this.total++;
    return s;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

/** Top-of-book history of one outcome token. */
export class BboRing extends RingIndex {
  readonly recvNs: Float64Array;
  readonly tsMs: Float64Array;
  readonly bidE4: Float64Array;
  readonly askE4: Float64Array;
  readonly bidSizeE6: Float64Array;
  readonly askSizeE6: Float64Array;

  constructor(capacity: number) {
    super(capacity);
    this.recvNs = new Float64Array(capacity);
    this.tsMs = new Float64Array(capacity);
    this.bidE4 = new Float64Array(capacity);
    this.askE4 = new Float64Array(capacity);
    this.bidSizeE6 = new Float64Array(capacity);
    this.askSizeE6 = new Float64Array(capacity);
  }

  push(recvNs: number, tsMs: number, bidE4: number, askE4: number, bidSizeE6: number, askSizeE6: number): void {
    const s = this.claim();
    this.recvNs[s] = recvNs;
    this.tsMs[s] = tsMs;
    this.bidE4[s] = bidE4;
    this.askE4[s] = askE4;
    this.bidSizeE6[s] = bidSizeE6;
    this.askSizeE6[s] = askSizeE6;
  }

  /** Pushes only when the top of book differs from the newest tick (dedupes size-only noise deeper in the book). */
  pushIfChanged(recvNs: number, tsMs: number, bidE4: number, askE4: number, bidSizeE6: number, askSizeE6: number): boolean {
    const n = this.slot(this.count - 1);
    if (
      n >= 0 &&
      this.bidE4[n] === bidE4 &&
      this.askE4[n] === askE4 &&
      this.bidSizeE6[n] === bidSizeE6 &&
      this.askSizeE6[n] === askSizeE6
    ) {
      return false;
    }
    this.push(recvNs, tsMs, bidE4, askE4, bidSizeE6, askSizeE6);
    return true;
  }

  /** Column value of the i-th oldest tick (NaN when out of range). */
  at(column: Float64Array, i: number): number {
    const s = this.slot(i);
    return s < 0 ? Number.NaN : (column[s] as number); // in range: s < capacity
  }

  newest(column: Float64Array): number {
    return this.at(column, this.count - 1);
  }
}

/** Price history of one underlying symbol (float dollars: only fair value and volatility read it). */
export class PriceRing extends RingIndex {
  readonly recvNs: Float64Array;
  readonly tsMs: Float64Array;
  readonly price: Float64Array;

  constructor(capacity: number) {
    super(capacity);
    this.recvNs = new Float64Array(capacity);
    this.tsMs = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
  }

  push(recvNs: number, tsMs: number, price: number): void {
    const s = this.claim();
    this.recvNs[s] = recvNs;
    this.tsMs[s] = tsMs;
    this.price[s] = price;
  }

  at(column: Float64Array, i: number): number {
    const s = this.slot(i);
    return s < 0 ? Number.NaN : (column[s] as number); // in range: s < capacity
  }

  newest(column: Float64Array): number {
    return this.at(column, this.count - 1);
  }

  /** Latest price whose venue time is ≤ tsMs (binary search over the time-ordered ring), NaN if none. */
  priceAtOrBefore(tsMs: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(this.tsMs, mid) <= tsMs) {
        ans = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return ans < 0 ? Number.NaN : this.at(this.price, ans);
  }
}
