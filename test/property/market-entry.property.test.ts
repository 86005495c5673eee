/**
 * The hot-path reading of a V2 price_change entry (`fastEntry`, plain property loads) against
 * the reference reading (`slowEntry`, the named-field helpers): on random entries, wherever
 * the fast path answers it equals the reference, and it answers whenever the reference
 * succeeds; on every recorded V2 entry both agree.
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { FieldError } from "../../src/polymarket/json-fields.ts";
import { fastEntry, slowEntry } from "../../src/polymarket/market-channel.ts";
import { loadWsRecordings } from "../helpers/polymarket-recordings.ts";

const decimal = fc.oneof(
  fc.constantFrom("0", "1", "0.5", ".48", "0.001", "0.0025", "0.9999", "1.5", "0.12345", "", "1e-2", "-0.1", "00.10", "12.", "NaN"),
  fc.integer({ min: 0, max: 10_000 }).map((n) => (n / 10_000).toString()),
  fc.integer({ min: 0, max: 1e9 }).map((n) => (n / 100).toString()),
);
const valid = fc.integer({ min: 0, max: 10_000 }).map((n) => (n / 10_000).toString());
// Mostly valid, so both the answering and the refusing branches are well exercised.
const anyValue = fc.oneof(
  { weight: 8, arbitrary: valid },
  { weight: 2, arbitrary: decimal },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 0.5, 1, true, [], {}) },
);
const entry = fc.record(
  {
    asset_id: fc.oneof(
      { weight: 8, arbitrary: fc.string({ maxLength: 8 }) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, 7, null) },
    ),
    price: anyValue,
    size: anyValue,
    side: fc.constantFrom<unknown>("BUY", "SELL", "BUY", "SELL", "buy", "", undefined, 1),
    hash: fc.oneof(
      { weight: 8, arbitrary: fc.stringMatching(/^[0-9a-f]{0,40}$/) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null) },
    ),
    best_bid: anyValue,
    best_ask: anyValue,
  },
  { requiredKeys: ["asset_id", "price", "size", "side", "hash"] },
);

function reference(e: Record<string, unknown>): ReturnType<typeof slowEntry> | null {
  try {
    return slowEntry(e);
  } catch (x) {
    if (x instanceof FieldError) return null;
    throw x;
  }
}

test("fastEntry == slowEntry wherever either answers", () => {
  let answered = 0;
  fc.assert(
    fc.property(entry, (e) => {
      const fast = fastEntry(e);
      const ref = reference(e);
      expect(fast).toEqual(ref);
      if (fast !== null) answered++;
    }),
    { numRuns: 5000, seed: 17 },
  );
  expect(answered).toBeGreaterThan(500);
});

test("every recorded V2 entry takes the fast path and matches the reference", async () => {
  let n = 0;
  for (const r of await loadWsRecordings()) {
    if (r.channel !== "market" || !r.text.includes('"price_changes"')) continue;
    const msg = JSON.parse(r.text) as { price_changes: Record<string, unknown>[] };
    for (const e of msg.price_changes) {
      const fast = fastEntry(e);
      expect(fast).not.toBeNull();
      expect(fast).toEqual(slowEntry(e));
      n++;
    }
  }
  expect(n).toBe(198);
});
