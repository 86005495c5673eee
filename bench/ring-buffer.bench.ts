/**
 * RingBuffer push + std (what the volatility engine does per tick) against the naive way:
 * a plain array that shifts out the oldest sample and rescans for mean and std each time.
 */
import { RingBuffer } from "../src/core/ring-buffer.ts";
import type { BenchContext } from "./harness.ts";

const CAPACITY = 100; // MM_VOLATILITY_LOOKBACK default

export default async function (b: BenchContext): Promise<void> {
  const ring = new RingBuffer(CAPACITY);
  const naive: number[] = [];
  let x = 0.5;
  let y = 0.5;
  const step = (v: number, i: number): number => v + ((i * 7919) % 13) * 1e-4 - 6e-4;
  let i = 0;
  let j = 0;
  for (let k = 0; k < CAPACITY; k++) {
    ring.push(x);
    naive.push(y);
  }

  const naiveStd = (xs: readonly number[]): number => {
    let s = 0;
    for (const v of xs) s += v;
    const m = s / xs.length;
    let ss = 0;
    for (const v of xs) ss += (v - m) * (v - m);
    return Math.sqrt(ss / (xs.length - 1));
  };

  await b.latency(
    "push+std (cap 100)",
    () => {
      x = step(x, i++);
      ring.push(x);
      return ring.std();
    },
    {
      budget: "ring-buffer.push-std",
      reference: {
        name: "array shift+rescan",
        fn: () => {
          y = step(y, j++);
          naive.shift();
          naive.push(y);
          return naiveStd(naive);
        },
      },
    },
  );

  const batch = 1_000;
  await b.throughput(
    "push (batch 1000)",
    () => {
      for (let k = 0; k < batch; k++) {
        x = step(x, i++);
        ring.push(x);
      }
      return ring.mean();
    },
    { units: batch, unit: "push", budget: "ring-buffer.push" },
  );
}
