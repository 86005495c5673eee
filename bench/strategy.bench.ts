/**
 * Strategy decision latency, in process, no I/O:
 * - tick → quotes: one underlying tick into `UnderlyingVol` and the underlying's
 *   `VolatilityEngine`, P(Up), the blend with the book's microprice, `calculateQuotes` for
 *   both tokens and the `shouldRequote` decision against the live quotes.
 * - book update → arbitrage decision: `detectBuyPair` on 20-level YES and NO ladders,
 *   alternating a book with an opportunity (walk to depth) and one without (fast reject),
 *   and the same with a full walk that ends on the edge (worst case).
 * Books are `FakeBook`s (test/helpers), so the book's own update cost is not included:
 * that is benched with the order book.
 */
import { blendFairValue, probUp } from "../src/strategy/fair-value.ts";
import { type ArbParams, detectBuyPair } from "../src/strategy/arb-detect.ts";
import { DEFAULT_QUOTE_PARAMS, type DesiredQuotes, calculateQuotes, shouldRequote } from "../src/strategy/quote.ts";
import { UnderlyingVol, VolatilityEngine } from "../src/strategy/volatility.ts";
import { FakeBook, type Level, mirrorBook } from "../test/helpers/fake-book.ts";
import type { BenchContext } from "./harness.ts";

const M = 1_000_000;

export default async function (b: BenchContext): Promise<void> {
  const market = { conditionId: "c", yesTokenId: "Y", noTokenId: "N", tickE4: 100, minSizeE6: 5 * M, endMs: 3_600_000_000, windowSec: 900 };
  const yesBook = new FakeBook(
    "Y",
    [
      [4800, 120 * M],
      [4700, 300 * M],
    ],
    [
      [5200, 90 * M],
      [5300, 250 * M],
    ],
  );
  const noBook = mirrorBook("N", yesBook);
  const vol = new UnderlyingVol();
  const engine = new VolatilityEngine({ returns: "log" });
  let price = 60_000;
  let tMs = 1_000_000;
  for (let i = 0; i < 4000; i++) {
    price *= Math.exp(5e-5 * Math.sin(i * 1.7));
    tMs += 1000;
    vol.update(price, tMs);
    engine.update(price, tMs);
  }
  const strike = price;
  let live: DesiredQuotes | null = null;
  let i = 0;
  await b.latency(
    "tick → quotes (fair value + both tokens + requote decision)",
    () => {
      price *= Math.exp(5e-5 * Math.sin(i++ * 1.7));
      tMs += 1000;
      vol.update(price, tMs);
      engine.update(price, tMs);
      const secondsLeft = 900 - ((tMs / 1000) % 900);
      const model = probUp({
        rule: "price_at_end",
        spot: price,
        strike,
        secondsLeft,
        sigmaPerSec: vol.sigmaPerSec(),
        phi: vol.phi(),
        lastReturn: vol.lastReturn(tMs),
      });
      const fair = blendFairValue(model, yesBook.microprice() / 10_000, { secondsLeft, windowSec: 900 });
      const desired = calculateQuotes({
        market,
        nowMs: tMs,
        fairValue: fair,
        yesBook,
        noBook,
        vol: engine.getRecommendations(),
        adjustment: { bidAdjustment: -20, askAdjustment: -20 },
        yesHeldE6: 12 * M,
        noHeldE6: 0,
        params: DEFAULT_QUOTE_PARAMS,
      });
      const d = shouldRequote(live, desired, { thresholdE4: 50 });
      if (d.bid || d.ask) live = desired;
      return d;
    },
    { budget: "strategy.tick-to-quotes" },
  );

  const ladder = (start: number, step: number, n: number): Level[] =>
    Array.from({ length: n }, (_, k) => [start + k * step, (10 + k) * M] as const);
  const yesArb = new FakeBook("Y", [], ladder(4000, 100, 20));
  const noArb = new FakeBook("N", [], ladder(5000, 100, 20));
  const yesNone = new FakeBook("Y", [], ladder(5100, 100, 20));
  const noNone = new FakeBook("N", [], ladder(5000, 100, 20));
  const yesDeep = new FakeBook(
    "Y",
    [],
    ladder(3000, 10, 20).map(([p, s]) => [p, s * 10] as const),
  );
  const noDeep = new FakeBook(
    "N",
    [],
    ladder(3000, 10, 20).map(([p, s]) => [p, s * 10] as const),
  );
  const params: ArbParams = { minEdgeE4: 100, maxCapitalUsdE6: 100_000 * M, minSizeE6: 5 * M, feeRate: 0.07, feeExponent: 1 };
  let k = 0;
  await b.latency(
    "book update → arbitrage decision (20+20 levels, alternating hit/miss)",
    () => (k++ & 1 ? detectBuyPair(yesArb, noArb, params) : detectBuyPair(yesNone, noNone, params)),
    { budget: "strategy.book-to-arb" },
  );
  await b.latency("book update → arbitrage, full 20-level walk", () => detectBuyPair(yesDeep, noDeep, params), {
    budget: "strategy.book-to-arb-walk",
  });
}
