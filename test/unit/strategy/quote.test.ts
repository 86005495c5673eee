import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { NO_ASK_E4, NO_BID_E4 } from "../../../src/core/ports.ts";
import {
  type DesiredQuotes,
  DEFAULT_QUOTE_PARAMS,
  type QuoteInput,
  SNAP_TOLERANCE_E4,
  calculateQuotes,
  exposedSideOnJump,
  quoteOrders,
  shouldRequote,
  snapFloatAskUp,
  snapFloatBidDown,
} from "../../../src/strategy/quote.ts";
import { FakeBook, type Level, mirrorBook } from "../../helpers/fake-book.ts";

const M = 1_000_000;
const market = { conditionId: "c1", yesTokenId: "Y", noTokenId: "N", tickE4: 100, minSizeE6: 5 * M, endMs: 1_000_000 };
const calm = { spreadMultiplier: 1, sizeMultiplier: 1, shouldQuote: true };

function books(bids: Level[], asks: Level[], tick = 100): { yesBook: FakeBook; noBook: FakeBook } {
  const yesBook = new FakeBook("Y", bids, asks, tick);
  return { yesBook, noBook: mirrorBook("N", yesBook) };
}

function input(over: Partial<QuoteInput> = {}): QuoteInput {
  return {
    market,
    nowMs: 0,
    fairValue: 0.5,
    ...books([[4500, 100 * M]], [[5500, 100 * M]]),
    vol: calm,
    adjustment: { bidAdjustment: 0, askAdjustment: 0 },
    yesHeldE6: 0,
    noHeldE6: 0,
    params: DEFAULT_QUOTE_PARAMS,
    ...over,
  };
}

describe("calculateQuotes by hand", () => {
  test("centre ± spread/2; without inventory the ask is a NO bid at 1 − ask", () => {
    const q = calculateQuotes(input());
    expect(q.bidE4).toBe(4900);
    expect(q.askE4).toBe(5100);
    expect(q.bid).toEqual({ tokenId: "Y", side: "BUY", priceE4: 4900, sizeE6: 10 * M });
    expect(q.ask).toEqual({ tokenId: "N", side: "BUY", priceE4: 4900, sizeE6: 10 * M });
    expect(q.bidReason).toBeNull();
    expect(quoteOrders(q)).toHaveLength(2);
  });

  test("volatility multipliers; size never below the market minimum", () => {
    const q = calculateQuotes(input({ vol: { spreadMultiplier: 2, sizeMultiplier: 0.3, shouldQuote: true } }));
    expect([q.bidE4, q.askE4]).toEqual([4800, 5200]);
    expect(q.bid?.sizeE6).toBe(5 * M); // 3 shares → the 5-share minimum
    const half = calculateQuotes(input({ vol: { spreadMultiplier: 1, sizeMultiplier: 0.777, shouldQuote: true } }));
    expect(half.bid?.sizeE6).toBe(7_770_000); // floored to the 0.01-share grid
  });

  test("skew, then snapping bid down and ask up", () => {
    const q = calculateQuotes(input({ adjustment: { bidAdjustment: -50, askAdjustment: -50 } }));
    expect([q.bidE4, q.askE4]).toEqual([4800, 5100]); // 4850 → 4800, 5050 → 5100
  });

  test("inventory: sell what we hold, else buy the complement", () => {
    const longYes = calculateQuotes(input({ yesHeldE6: 20 * M }));
    expect(longYes.ask).toEqual({ tokenId: "Y", side: "SELL", priceE4: 5100, sizeE6: 10 * M });
    const dust = calculateQuotes(input({ yesHeldE6: 3 * M }));
    expect(dust.ask).toEqual({ tokenId: "N", side: "BUY", priceE4: 4900, sizeE6: 10 * M });
    const longNo = calculateQuotes(input({ noHeldE6: 7 * M }));
    expect(longNo.bid).toEqual({ tokenId: "N", side: "SELL", priceE4: 5100, sizeE6: 7 * M });
  });

  test("post-only against both books, including the mint match through the NO bids", () => {
    const a = calculateQuotes(input(books([[4500, M * 100]], [[4900, M * 100]])));
    expect(a.bidE4).toBe(4800); // 4900 would touch the YES ask
    // NO bid at 0.52 ≡ a YES ask at 0.48 (a YES BUY at 0.48 mints against it).
    const yesBook = new FakeBook("Y", [[4500, M * 100]], [[5500, M * 100]]);
    const noBook = new FakeBook("N", [[5200, M * 100]], [[5500, M * 100]]);
    const b = calculateQuotes(input({ yesBook, noBook }));
    expect(b.bidE4).toBe(4700);
    expect(b.askE4).toBe(5100);
    // One-sided: only YES bids at 0.55 → our ask sits above them.
    const c = calculateQuotes(input(books([[5500, M * 100]], [])));
    expect(c.askE4).toBe(5600);
    expect(c.bidE4).toBe(4900);
  });

  test("empty book quotes around fair value; crossed or stale books get nothing", () => {
    const e = calculateQuotes(input(books([], [])));
    expect([e.bidE4, e.askE4]).toEqual([4900, 5100]);
    const yesBook = new FakeBook("Y", [[5000, M]], [[5500, M]]);
    const noBook = new FakeBook("N", [[5100, M]], [[6000, M]]); // YES bid 0.50 ≥ 1 − 0.51
    expect(calculateQuotes(input({ yesBook, noBook })).bidReason).toBe("crossed_book");
    const stale = books([[4500, M]], [[5500, M]]);
    stale.yesBook.stale = true;
    const s = calculateQuotes(input(stale));
    expect(s.bid).toBeNull();
    expect(s.bidReason).toBe("stale_book");
  });

  test("near 0.99 and 0.01 the quotes stay inside (0, 1)", () => {
    const hi = calculateQuotes(input({ fairValue: 0.995, ...books([], []) }));
    expect(hi.bidE4).toBe(9800);
    expect(hi.ask).toBeNull();
    expect(hi.askReason).toBe("price_bounds");
    const lo = calculateQuotes(input({ fairValue: 0.004, ...books([], []) }));
    expect(lo.bid).toBeNull();
    expect(lo.askE4).toBe(200);
    expect(lo.ask).toEqual({ tokenId: "N", side: "BUY", priceE4: 9800, sizeE6: 10 * M });
  });

  test("tick-size change: the book's current tick wins", () => {
    const coarse = calculateQuotes(input({ ...books([], [], 1000), market: { ...market, tickE4: 100 } }));
    expect([coarse.bidE4, coarse.askE4]).toEqual([4000, 6000]);
    const fine = calculateQuotes(input({ ...books([], [], 10), market: { ...market, tickE4: 10 } }));
    expect([fine.bidE4, fine.askE4]).toEqual([4900, 5100]);
  });

  test("last seconds: wider in the end game, nothing after the stop", () => {
    const fine = { ...books([], [], 10), market: { ...market, tickE4: 10 } };
    const end = calculateQuotes(input({ ...fine, nowMs: market.endMs - 40_000 }));
    // 30 s into the 60 s end game: spread × 1.5 = 300
    expect([end.bidE4, end.askE4]).toEqual([4850, 5150]);
    const stop = calculateQuotes(input({ ...fine, nowMs: market.endMs - 5_000 }));
    expect(stop.bid).toBeNull();
    expect(stop.bidReason).toBe("window_end");
  });

  test("volatility halt, no fair value and the inventory limit", () => {
    expect(calculateQuotes(input({ vol: { ...calm, shouldQuote: false } })).bidReason).toBe("volatility");
    expect(calculateQuotes(input({ fairValue: Number.NaN })).askReason).toBe("no_fair_value");
    const limited = calculateQuotes(input({ yesHeldE6: 50 * M, params: { ...DEFAULT_QUOTE_PARAMS, maxInventoryE6: 40 * M } }));
    expect(limited.bid).toBeNull();
    expect(limited.bidReason).toBe("inventory_limit");
    expect(limited.ask?.side).toBe("SELL");
  });
});

describe("calculateQuotes properties", () => {
  const tickArb = fc.constantFrom(10, 25, 50, 100, 1000);
  const caseArb = fc.record({
    tick: tickArb,
    fair: fc.double({ min: 0.0001, max: 0.9999, noNaN: true }),
    bid: fc.integer({ min: 0, max: 10_000 }),
    width: fc.integer({ min: 0, max: 3000 }),
    noBidShift: fc.integer({ min: -500, max: 500 }),
    oneSided: fc.constantFrom("none", "no_bids", "no_asks", "empty"),
    adj: fc.integer({ min: -800, max: 800 }),
    spreadMult: fc.double({ min: 1, max: 3, noNaN: true }),
    sizeMult: fc.double({ min: 0.05, max: 1, noNaN: true }),
    yesHeld: fc.integer({ min: 0, max: 30_000_000 }),
    noHeld: fc.integer({ min: 0, max: 30_000_000 }),
    msLeft: fc.integer({ min: 0, max: 400_000 }),
  });

  test("never crossed, always on the grid, inside (0, 1), sizes valid", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const t = c.tick;
        const snap = (x: number) => Math.max(t, Math.min(10_000 - t, Math.round(x / t) * t));
        const yb = snap(c.bid);
        const ya = snap(c.bid + c.width + t);
        const yesBook = new FakeBook(
          "Y",
          c.oneSided === "no_bids" || c.oneSided === "empty" ? [] : [[yb, M]],
          c.oneSided === "no_asks" || c.oneSided === "empty" ? [] : [[ya, M]],
          t,
        );
        // An independent NO book, shifted, so the two books need not mirror exactly.
        const nb = snap(10_000 - ya + c.noBidShift);
        const na = snap(10_000 - yb + Math.abs(c.noBidShift));
        const noBook = new FakeBook("N", c.oneSided === "empty" ? [] : [[nb, M]], c.oneSided === "empty" ? [] : [[na, M]], t);
        const q = calculateQuotes({
          market: { ...market, tickE4: t },
          nowMs: market.endMs - c.msLeft,
          fairValue: c.fair,
          yesBook,
          noBook,
          vol: { spreadMultiplier: c.spreadMult, sizeMultiplier: c.sizeMult, shouldQuote: true },
          adjustment: { bidAdjustment: c.adj, askAdjustment: c.adj },
          yesHeldE6: c.yesHeld,
          noHeldE6: c.noHeld,
          params: DEFAULT_QUOTE_PARAMS,
        });
        checkQuotes(q, yesBook, noBook, t, c.yesHeld, c.noHeld);
      }),
      { numRuns: 3000 },
    );
  });
});

/** Naive reference checks, order by order, against each book directly. */
function checkQuotes(q: DesiredQuotes, yes: FakeBook, no: FakeBook, tick: number, yesHeld: number, noHeld: number): void {
  if (q.bid && q.ask) expect(q.bidE4).toBeLessThan(q.askE4);
  for (const o of quoteOrders(q)) {
    expect(o.priceE4 % tick).toBe(0);
    expect(o.priceE4).toBeGreaterThanOrEqual(tick);
    expect(o.priceE4).toBeLessThanOrEqual(10_000 - tick);
    expect(o.sizeE6).toBeGreaterThanOrEqual(market.minSizeE6);
    expect(o.sizeE6 % 10_000).toBe(0);
    const own = o.tokenId === "Y" ? yes : no;
    const other = o.tokenId === "Y" ? no : yes;
    if (o.side === "BUY") {
      expect(o.priceE4).toBeLessThan(own.bestAskE4()); // would not take liquidity
      if (other.bestBidE4() !== NO_BID_E4) expect(o.priceE4 + other.bestBidE4()).toBeLessThan(10_000); // no mint match
    } else {
      expect(o.priceE4).toBeGreaterThan(own.bestBidE4());
      if (other.bestAskE4() !== NO_ASK_E4) expect(o.priceE4 + other.bestAskE4()).toBeGreaterThan(10_000); // no merge match
      expect(o.sizeE6).toBeLessThanOrEqual(o.tokenId === "Y" ? yesHeld : noHeld);
    }
  }
}

describe("snapping float prices tolerates float noise", () => {
  test("a centre of 0.50000001 asks 0.51, not 0.52; 0.49999999 bids 0.49, not 0.48", () => {
    const up = calculateQuotes(input({ fairValue: 0.50000001 }));
    expect([up.bidE4, up.askE4]).toEqual([4900, 5100]);
    const down = calculateQuotes(input({ fairValue: 0.49999999 }));
    expect([down.bidE4, down.askE4]).toEqual([4900, 5100]);
    // A real move past the grid line still costs the tick.
    const real = calculateQuotes(input({ fairValue: 0.5001 }));
    expect([real.bidE4, real.askE4]).toEqual([4900, 5200]);
  });

  test("property: within the tolerance of a grid line → that line; otherwise floor / ceil", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 25, 50, 100, 1000),
        fc.integer({ min: 1, max: 9_999 }),
        fc.double({ min: -0.999, max: 0.999, noNaN: true }),
        (tick, k, frac) => {
          const line = (1 + Math.floor(k / tick)) * tick;
          const raw = line + frac * tick;
          const off = Math.abs(raw - line);
          // Naive reference: which whole grid multiples bracket raw, decided on exact integers.
          const below = frac >= 0 ? line : line - tick;
          const above = frac > 0 ? line + tick : line;
          if (off <= SNAP_TOLERANCE_E4 * 0.99) {
            expect(snapFloatBidDown(raw, tick)).toBe(line);
            expect(snapFloatAskUp(raw, tick)).toBe(line);
          } else if (off > SNAP_TOLERANCE_E4 * 1.01 && tick - off > SNAP_TOLERANCE_E4 * 1.01) {
            expect(snapFloatBidDown(raw, tick)).toBe(below);
            expect(snapFloatAskUp(raw, tick)).toBe(above);
          }
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe("shouldRequote", () => {
  const q = calculateQuotes(input());
  test("first quote, small wiggle, threshold move, fill", () => {
    expect(shouldRequote(null, q, { thresholdE4: 100 })).toEqual({ bid: true, ask: true });
    // Centre +30, the ask moves one 100 tick: not more than the threshold.
    const wiggle = calculateQuotes(input({ fairValue: 0.503 }));
    expect(shouldRequote(q, wiggle, { thresholdE4: 100 })).toEqual({ bid: false, ask: false });
    // With a 50 threshold the ask's one-tick move is enough, the bid did not move.
    expect(shouldRequote(q, wiggle, { thresholdE4: 50 })).toEqual({ bid: false, ask: true });
    const moved = calculateQuotes(input({ fairValue: 0.52 }));
    expect(shouldRequote(q, moved, { thresholdE4: 100 })).toEqual({ bid: true, ask: true });
    expect(shouldRequote(q, q, { thresholdE4: 100, filled: { ask: true } })).toEqual({ bid: false, ask: true });
  });
  test("a threshold below the tick: a one-tick flicker of a side is not a move, two ticks are", () => {
    // Centre +3 (well under the 50 threshold), yet the ask's rounding flips 0.51 → 0.52.
    const flicker = calculateQuotes(input({ fairValue: 0.5003 }));
    expect(flicker.askE4 - q.askE4).toBe(100);
    expect(shouldRequote(q, flicker, { thresholdE4: 50, tickE4: 100 })).toEqual({ bid: false, ask: false });
    const twoTicks = { ...flicker, ask: flicker.ask && { ...flicker.ask, priceE4: flicker.ask.priceE4 - 100 }, askE4: flicker.askE4 + 100 };
    expect(shouldRequote(q, twoTicks, { thresholdE4: 50, tickE4: 100 })).toEqual({ bid: false, ask: true });
    // The centre rule keeps the bare threshold: +60 replaces both sides.
    const centre = calculateQuotes(input({ fairValue: 0.506 }));
    expect(shouldRequote(q, centre, { thresholdE4: 50, tickE4: 100 })).toEqual({ bid: true, ask: true });
  });
  test("form changes (BUY NO → SELL YES) and vanishing sides requote that side", () => {
    const held = calculateQuotes(input({ yesHeldE6: 20 * M }));
    expect(shouldRequote(q, held, { thresholdE4: 50 })).toEqual({ bid: false, ask: true });
    const noAsk = calculateQuotes(input({ fairValue: 0.995, ...books([], []) }));
    const nearTop = calculateQuotes(input({ fairValue: 0.994, ...books([], []) }));
    expect(shouldRequote(nearTop, noAsk, { thresholdE4: 50 }).ask).toBe(false); // both absent
    expect(shouldRequote(q, calculateQuotes(input({ vol: { ...calm, shouldQuote: false } })), { thresholdE4: 50 })).toEqual({
      bid: true,
      ask: true,
    });
  });
  test("size changes beyond the tolerance, and a SELL that shrank", () => {
    const smaller = calculateQuotes(input({ vol: { ...calm, sizeMultiplier: 0.6 } }));
    expect(shouldRequote(q, smaller, { thresholdE4: 50 })).toEqual({ bid: false, ask: false });
    const tiny = calculateQuotes(input({ vol: { ...calm, sizeMultiplier: 0.2 } })); // 10 → 5 (the minimum)
    expect(shouldRequote(q, tiny, { thresholdE4: 50, sizeTolerance: 0.4 })).toEqual({ bid: true, ask: true });
    const sell20 = calculateQuotes(input({ yesHeldE6: 20 * M }));
    const sell6 = calculateQuotes(input({ yesHeldE6: 6 * M }));
    expect(shouldRequote(sell20, sell6, { thresholdE4: 50 }).ask).toBe(true);
  });
});

describe("exposedSideOnJump", () => {
  test("up-jump pulls the ask, down-jump the bid, extreme pulls both", () => {
    // σ = 1e-4 per √s over 4 s → sd 2e-4
    expect(exposedSideOnJump(0.0008, 1e-4, 4)).toBe("ask"); // 4σ
    expect(exposedSideOnJump(-0.0008, 1e-4, 4)).toBe("bid");
    expect(exposedSideOnJump(0.0005, 1e-4, 4)).toBe("none"); // 2.5σ
    expect(exposedSideOnJump(-0.002, 1e-4, 4)).toBe("both"); // 10σ
  });
  test("tiny moves never trigger, whatever sigma says; sub-second dt counts as one second", () => {
    expect(exposedSideOnJump(0.0001, 1e-7, 1)).toBe("none");
    expect(exposedSideOnJump(0.00035, 1e-4, 0.01)).toBe("ask");
    expect(exposedSideOnJump(Number.NaN, 1e-4, 1)).toBe("none");
    expect(exposedSideOnJump(0.001, 0, 1)).toBe("both");
  });
});
