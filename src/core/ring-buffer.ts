/**
 * Fixed-capacity ring of float64 samples with O(1) running sums, for rolling means and
 * standard deviations without rescans. Nothing allocates after construction.
 *
 * Running sums drift with floating-point error over millions of pushes, so they are
 * recomputed from the stored samples every `capacity` evictions (amortised O(1)).
 */
export class RingBuffer {
  private readonly data: Float64Array;
  private head = 0; // index of the next write
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private evictionsSinceResum = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.data = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  push(x: number): void {
    let evicted = false;
    if (this.count === this.capacity) {
      const old = this.data[this.head]!; // in range: head < capacity
      this.sum -= old;
      this.sumSq -= old * old;
      evicted = true;
    } else {
      this.count++;
    }
    this.data[this.head] = x;
    this.sum += x;
    this.sumSq += x * x;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (evicted && ++this.evictionsSinceResum >= this.capacity) this.resum();
  }

  /** i = 0 is the oldest retained sample, length − 1 the newest. */
  at(i: number): number {
    if (i < 0 || i >= this.count) return Number.NaN;
    const start = this.count === this.capacity ? this.head : 0;
    const idx = (start + i) % this.capacity;
    return this.data[idx]!; // in range by construction
  }

  last(): number {
    return this.count === 0 ? Number.NaN : this.at(this.count - 1);
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  total(): number {
    return this.sum;
  }

  /** Sample variance (n − 1); 0 with fewer than two samples. */
  variance(): number {
    if (this.count < 2) return 0;
    const v = (this.sumSq - (this.sum * this.sum) / this.count) / (this.count - 1);
    return v > 0 ? v : 0;
  }

  std(): number {
    return Math.sqrt(this.variance());
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.sum = 0;
    this.sumSq = 0;
    this.evictionsSinceResum = 0;
  }

  private resum(): void {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < this.count; i++) {
      const x = this.data[i]!; // full ring: every slot holds a sample
      s += x;
      s2 += x * x;
    }
    this.sum = s;
    this.sumSq = s2;
    this.evictionsSinceResum = 0;
  }
}
