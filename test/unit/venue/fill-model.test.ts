/**
 * The fill model on hand-built tapes (issue 9, "Must show"): queue position, arrival after
 * the order latency, cancels in flight, fees, rebates and resolution payouts to the cent.
 * Every tape runs through `BacktestExchange` on a `ManualClock`: times are exact.
 */
import { describe, expect, test } from "bun:test";
import { OrderBook } from "../../../src/book/order-book.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import type { ExchangeEvent, MarketInfo, OrderIntent, Side } from "../../../src/core/ports.ts";
import { BacktestExchange } from "../../../src/venue/backtest-exchange.ts";
import {
  DEFAULT_FILL_MODEL,
  type FillModelSettings,
  joinQueue,
  makerRebateE6,
  onLevel,
  onPrint,
  payoutE6,
  settlementPrice,
  takerFillFeeE6,
  upWins,
} from "../../../src/venue/fill-model.ts";
import { upDownMarket } from "../../helpers/fake-feed.ts";

const YES = "111";
const NO = "222";
const MKT: MarketInfo = upDownMarket(0, {
  conditionId: "0xabc",
  slug: "btc-updown-15m-test",
  question: "",
  yesTokenId: YES,
  noTokenId: NO,
  endMs: 9_999_999_999_999,
  feeRate: 0.072,
});

const SH = 1_000_000;

function tape(fill: Partial<FillModelSettings> = {}, latency: { order?: number; cancel?: number; response?: number } = {}) {
  const clock = new ManualClock(1_780_000_000_000);
  const yes = new OrderBook(YES, 100);
  const no = new OrderBook(NO, 100);
  yes.applySnapshot({ pricesE4: [5000, 4900], sizesE6: [100 * SH, 200 * SH] }, { pricesE4: [5200, 5300], sizesE6: [100 * SH, 100 * SH] });
  no.applySnapshot({ pricesE4: [4800, 4700], sizesE6: [100 * SH, 100 * SH] }, { pricesE4: [5000, 5100], sizesE6: [100 * SH, 200 * SH] });
  const ex = new BacktestExchange({
    clock,
    books: (t) => (t === YES ? yes : t === NO ? no : undefined),
    markets: [MKT],
    settings: {
      orderLatencyMs: latency.order ?? 20,
      cancelLatencyMs: latency.cancel ?? 20,
      responseLatencyMs: latency.response ?? 5,
      initialCollateralE6: 1_000 * SH,
      fill: { ...DEFAULT_FILL_MODEL, ...fill },
    },
  });
  const events: ExchangeEvent[] = [];
  ex.onEvent((e) => events.push(e));
  let n = 0;
  const t = {
    clock,
    yes,
    no,
    ex,
    events,
    at(ms: number): void {
      clock.advanceTo(ms * 1e6);
    },
    place(side: Side, priceE4: number, sizeE6: number, extra: Partial<OrderIntent> = {}, token = YES): string {
      const clientId = `c${++n}`;
      ex.place([
        {
          clientId,
          conditionId: MKT.conditionId,
          tokenId: token,
          side,
          priceE4,
          sizeE6,
          orderType: "GTC",
          postOnly: true,
          expirationSec: 0,
          ...extra,
        },
      ]);
      return `bt-${n}`;
    },
    /** The recorded YES level changed. */
    level(side: Side, priceE4: number, sizeE6: number): void {
      yes.setLevel(side, priceE4, sizeE6);
      ex.onBook(YES);
    },
    /** A recorded trade print on YES; `takerSide` as the channel reports it. */
    print(priceE4: number, sizeE6: number, takerSide: Side, token = YES): void {
      ex.onPrint(token, priceE4, sizeE6, takerSide);
    },
    fills(): Extract<ExchangeEvent, { kind: "fill" }>[] {
      return events.filter((e): e is Extract<ExchangeEvent, { kind: "fill" }> => e.kind === "fill");
    },
    filledE6(): number {
      return t.fills().reduce((s, f) => s + f.sizeE6, 0);
    },
  };
  return t;
}

describe("queue position", () => {
  test("an order behind 100 shares fills only after 100 more trade at its price", () => {
    const t = tape();
    t.at(0);
    const id = t.place("BUY", 5000, 10 * SH);
    t.at(20); // arrives: 100 shares ahead at 0.50
    expect(t.ex.queueOf(id)?.aheadE6).toBe(100 * SH);
    // 99 shares trade at 0.50 (prints, then the level drops), in two pieces.
    t.print(5000, 60 * SH, "SELL");
    t.level("BUY", 5000, 40 * SH);
    t.at(30);
    t.level("BUY", 5000, 1 * SH); // level drop first this time, print right after
    t.print(5000, 39 * SH, "SELL");
    t.at(100);
    expect(t.filledE6()).toBe(0);
    expect(t.ex.queueOf(id)?.aheadE6).toBe(1 * SH);
    // The 100th share: still nothing for us.
    t.print(5000, 1 * SH, "SELL");
    t.level("BUY", 5000, 0);
    t.at(200);
    expect(t.filledE6()).toBe(0);
    // Now every share that trades at 0.50 is ours.
    t.print(5000, 4 * SH, "SELL");
    t.at(300);
    expect(t.filledE6()).toBe(4 * SH);
    t.print(5000, 50 * SH, "SELL");
    t.at(400);
    expect(t.filledE6()).toBe(10 * SH);
    const f = t.fills()[0];
    expect(f).toMatchObject({ orderId: id, side: "BUY", priceE4: 5000, liquidity: "maker", feeE6: 0 });
    // Delivered after the response latency, as an event.
    expect(t.events.some((e) => e.kind === "order_closed" && e.orderId === id && e.reason === "filled")).toBe(true);
  });

  test("prints on the other side or at a better price for the resting side do not reach us", () => {
    const t = tape();
    const id = t.place("BUY", 4900, 10 * SH);
    t.at(20);
    expect(t.ex.queueOf(id)?.aheadE6).toBe(200 * SH);
    t.print(5000, 100 * SH, "SELL"); // hits the better bid at 0.50, not 0.49
    t.print(4900, 300 * SH, "BUY"); // a taker BUY never hits bids
    t.at(50);
    expect(t.filledE6()).toBe(0);
    expect(t.ex.queueOf(id)?.aheadE6).toBe(200 * SH);
  });

  test("worst case: cancels come from behind us first", () => {
    const t = tape();
    const id = t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.level("BUY", 5000, 160 * SH); // 60 join behind us
    t.level("BUY", 5000, 100 * SH); // 60 cancelled: all from behind
    expect(t.ex.queueOf(id)?.aheadE6).toBe(100 * SH);
    t.level("BUY", 5000, 70 * SH); // 30 more: nobody is behind, so they were ahead
    expect(t.ex.queueOf(id)?.aheadE6).toBe(70 * SH);
  });

  test("pro rata: cancels shrink the size ahead in proportion", () => {
    const t = tape({ queueCancelRule: "pro_rata" });
    const id = t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.level("BUY", 5000, 200 * SH); // 100 ahead, 100 behind
    t.level("BUY", 5000, 100 * SH); // half the level cancelled → half of what is ahead
    expect(t.ex.queueOf(id)?.aheadE6).toBe(50 * SH);
  });

  test("a print that follows a drop already taken as a cancel is re-attributed, not double counted", () => {
    const s = DEFAULT_FILL_MODEL;
    const q = joinQueue("o", YES, "BUY", 5000, 10 * SH, undefined);
    q.aheadE6 = 100 * SH;
    q.levelE6 = 150 * SH; // 50 behind
    onLevel(q, 120 * SH, 0, s); // drop of 30 before its print: taken from behind (worst case)
    expect(q.aheadE6).toBe(100 * SH);
    expect(onPrint(q, 5000, 30 * SH, "SELL", 1e6, s).fillE6).toBe(0); // it was a trade: from the front
    expect(q.aheadE6).toBe(70 * SH);
    onLevel(q, 120 * SH, 2e6, s);
    expect(q.aheadE6).toBe(70 * SH);
  });
});

describe("latency", () => {
  test("an order that arrives after the price moved does not fill", () => {
    const t = tape();
    t.at(0);
    const id = t.place("BUY", 5000, 10 * SH); // sent at t=0, arrives at t=20 ms
    t.at(10);
    // While it flies: the whole 0.50 bid trades away and the market moves up.
    t.print(5000, 100 * SH, "SELL");
    t.level("BUY", 5000, 0);
    t.level("BUY", 5100, 50 * SH);
    t.yes.setLevel("SELL", 5200, 0);
    t.level("SELL", 5300, 100 * SH);
    t.at(20);
    expect(t.ex.queueOf(id)?.aheadE6).toBe(0);
    // Trading now happens at 0.51 and above: never at our 0.50.
    t.print(5100, 50 * SH, "SELL");
    t.level("BUY", 5100, 0);
    t.at(1_000);
    expect(t.filledE6()).toBe(0);
    expect(t.events.find((e) => e.kind === "ack")).toMatchObject({ status: "live" });
  });

  test("control: the same prints after arrival fill it", () => {
    const t = tape();
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.print(5000, 100 * SH, "SELL");
    t.level("BUY", 5000, 0);
    t.print(5000, 10 * SH, "SELL");
    t.at(100);
    expect(t.filledE6()).toBe(10 * SH);
  });

  test("a cancel that lands after the trade does not save the order", () => {
    const t = tape({}, { cancel: 20 });
    t.place("SELL", 5200, 10 * SH, {}, YES);
    // Holding no YES the SELL is rejected: fund it first with a taker buy.
    expect(t.ex.position(YES)).toBe(0);
    t.at(100);
    expect(t.events.find((e) => e.kind === "reject")).toMatchObject({ code: "INSUFFICIENT_BALANCE" });
    t.events.length = 0;
    // Buy 10 YES as a taker at the 0.52 ask, then rest a bid and cancel it.
    t.place("BUY", 5200, 10 * SH, { postOnly: false, orderType: "FAK" });
    t.at(200);
    expect(t.ex.position(YES)).toBe(10 * SH);
    const bid = t.place("BUY", 5100, 10 * SH); // a new best bid: nobody ahead
    t.at(300);
    expect(t.ex.queueOf(bid)?.aheadE6).toBe(0);
    t.ex.cancel([bid]); // sent at 300, lands at 320
    t.at(310);
    t.print(5100, 4 * SH, "SELL"); // trades at 310: before the cancel lands
    t.at(400);
    const fills = t.fills().filter((f) => f.orderId === bid);
    expect(fills.map((f) => f.sizeE6)).toEqual([4 * SH]);
    // The cancel then removes only the rest.
    expect(t.events.find((e) => e.kind === "order_closed" && e.orderId === bid)).toMatchObject({ reason: "cancelled" });
    const c = t.ex.journal.cancels.find((x) => x.orderId === bid);
    expect(c?.filledInFlightE6).toBe(4 * SH);
  });

  test("control: a cancel that lands before the trade saves the order", () => {
    const t = tape({}, { cancel: 20 });
    const bid = t.place("BUY", 5100, 10 * SH);
    t.at(100);
    t.ex.cancel([bid]);
    t.at(130); // landed at 120
    t.print(5100, 4 * SH, "SELL");
    t.at(200);
    expect(t.filledE6()).toBe(0);
  });

  test("a cancel of an order already filled fails (too late)", () => {
    const t = tape();
    const bid = t.place("BUY", 5100, 10 * SH);
    t.at(100);
    t.ex.cancel([bid]);
    t.at(105);
    t.print(5100, 20 * SH, "SELL");
    t.at(200);
    expect(t.filledE6()).toBe(10 * SH);
    expect(t.events.some((e) => e.kind === "cancel_failed" && e.orderId === bid)).toBe(true);
    expect(t.ex.journal.cancels[0]?.tooLate).toBe(true);
  });
});

describe("through our price", () => {
  test("a print below our bid went through our level: we fill up to its size", () => {
    const t = tape();
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.print(4900, 6 * SH, "SELL");
    t.at(50);
    expect(t.filledE6()).toBe(6 * SH);
    expect(t.ex.journal.fills[0]?.cause).toBe("trade_through");
  });

  test("book-through (opt-in): a recorded ask at or below our bid would have hit us", () => {
    const t = tape({ bookThrough: true });
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.level("BUY", 5000, 0); // the level ahead of us is gone
    t.level("SELL", 5000, 7 * SH); // and a seller rests at our price
    t.at(50);
    expect(t.filledE6()).toBe(7 * SH);
    expect(t.ex.journal.fills[0]?.cause).toBe("book_through");
    t.level("SELL", 5000, 7 * SH); // the same size again: already matched
    t.at(60);
    expect(t.filledE6()).toBe(7 * SH);
  });

  test("book-through is off by default: a crossing ask alone fills nothing", () => {
    const t = tape();
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.level("BUY", 5000, 0);
    t.level("SELL", 5000, 7 * SH);
    t.at(50);
    expect(t.filledE6()).toBe(0);
  });

  test("a print on the other outcome counts at 1 − p (one book, two views)", () => {
    const t = tape();
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    // A taker BUY of NO at 0.50 matches our BUY YES at 0.50 (a mint), after the 100 ahead.
    t.print(5000, 105 * SH, "BUY", NO);
    t.at(50);
    expect(t.filledE6()).toBe(5 * SH);
  });

  test("complement prints can be turned off", () => {
    const t = tape({ complementTrades: false });
    t.place("BUY", 5000, 10 * SH);
    t.at(20);
    t.print(5000, 500 * SH, "BUY", NO);
    t.at(50);
    expect(t.filledE6()).toBe(0);
  });
});

describe("marketable orders", () => {
  test("post-only through the book is rejected", () => {
    const t = tape();
    t.place("BUY", 5200, 10 * SH);
    t.at(50);
    expect(t.events[0]).toMatchObject({ kind: "reject", code: "POST_ONLY_CROSS" });
  });

  test("FOK all or nothing; FAK kills the rest", () => {
    const t = tape();
    t.place("BUY", 5200, 150 * SH, { orderType: "FOK", postOnly: false });
    t.at(50);
    expect(t.events[0]).toMatchObject({ kind: "reject", code: "FOK_NOT_FILLED" });
    t.events.length = 0;
    t.place("BUY", 5200, 150 * SH, { orderType: "FAK", postOnly: false });
    t.at(100);
    expect(t.filledE6()).toBe(100 * SH);
    expect(t.events.find((e) => e.kind === "order_closed")).toMatchObject({ reason: "cancelled" });
  });

  test("liquidity we took is not taken twice before the recording changes it", () => {
    const t = tape();
    t.place("BUY", 5200, 80 * SH, { orderType: "FAK", postOnly: false });
    t.place("BUY", 5200, 80 * SH, { orderType: "FAK", postOnly: false });
    t.at(50);
    expect(t.filledE6()).toBe(100 * SH);
  });
});

describe("money to the cent", () => {
  test("taker fees by the market's formula, walking two levels", () => {
    const t = tape();
    t.yes.applySnapshot({ pricesE4: [5000], sizesE6: [100 * SH] }, { pricesE4: [5500, 6000], sizesE6: [60 * SH, 100 * SH] });
    const before = t.ex.collateral();
    t.place("BUY", 6000, 100 * SH, { orderType: "FAK", postOnly: false });
    t.at(50);
    const fills = t.fills();
    // 60 × 0.072 × 0.55 × 0.45 = $1.0692; 40 × 0.072 × 0.60 × 0.40 = $0.6912.
    expect(fills.map((f) => [f.priceE4, f.sizeE6, f.feeE6])).toEqual([
      [5500, 60 * SH, 1_069_200],
      [6000, 40 * SH, 691_200],
    ]);
    // Cash: 60 × 0.55 + 40 × 0.60 = $57.00, plus $1.7604 fees.
    expect(before - t.ex.collateral()).toBe(58_760_400);
    expect(takerFillFeeE6(100 * SH, 6000, MKT)).toBe(1_728_000);
  });

  test("maker rebate: the market's share of the taker fee our fill generated, paid at resolution", () => {
    const t = tape();
    // Buy 50 YES as taker first (fees paid), then sell them as a maker at 0.60.
    t.yes.applySnapshot({ pricesE4: [5000], sizesE6: [100 * SH] }, { pricesE4: [5200], sizesE6: [100 * SH] });
    t.place("BUY", 5200, 50 * SH, { orderType: "FAK", postOnly: false });
    t.at(50);
    const ask = t.place("SELL", 6000, 50 * SH);
    t.at(100);
    t.print(6000, 50 * SH, "BUY");
    t.at(150);
    const maker = t.ex.journal.fills.find((f) => f.orderId === ask);
    // Fee-equivalent 50 × 0.072 × 0.6 × 0.4 = $0.864; 20 % of it = $0.1728.
    expect(maker?.rebateE6).toBe(172_800);
    expect(makerRebateE6(50 * SH, 6000, MKT)).toBe(172_800);
    const cash = t.ex.collateral();
    t.ex.resolveMarket(MKT.conditionId, YES);
    expect(t.ex.collateral() - cash).toBe(172_800);
  });

  test("resolution pays $1 a winning share, nothing for the loser", () => {
    const t = tape();
    t.yes.applySnapshot({ pricesE4: [5000], sizesE6: [100 * SH] }, { pricesE4: [5200], sizesE6: [100 * SH] });
    t.no.applySnapshot({ pricesE4: [4800], sizesE6: [100 * SH] }, { pricesE4: [5000], sizesE6: [100 * SH] });
    t.place("BUY", 5200, 30 * SH, { orderType: "FAK", postOnly: false });
    t.place("BUY", 5000, 20 * SH, { orderType: "FAK", postOnly: false }, NO);
    t.at(50);
    expect(t.ex.position(YES)).toBe(30 * SH);
    expect(t.ex.position(NO)).toBe(20 * SH);
    const cash = t.ex.collateral();
    t.ex.resolveMarket(MKT.conditionId, NO);
    expect(t.ex.collateral() - cash).toBe(20 * SH); // $20.00
    expect(t.ex.journal.resolutions[0]?.payoutE6).toBe(20_000_000);
    expect(payoutE6(30 * SH, false)).toBe(0);
    expect(payoutE6(30 * SH, true)).toBe(30_000_000);
  });

  test("settlement from the underlying: price at end or 60-s TWAP; Up wins ties", () => {
    const prices = new Map<number, number>();
    for (let s = 940; s <= 1000; s++) prices.set(s, s === 1000 ? 110 : 100);
    const at = (s: number) => prices.get(s) ?? Number.NaN;
    expect(settlementPrice("price_at_end", 1_000_000, at)).toBe(110);
    expect(settlementPrice("twap60", 1_000_000, at)).toBeCloseTo((59 * 100 + 110) / 60, 10);
    expect(upWins(100, 100)).toBe(true);
    expect(upWins(100, 99.99)).toBe(false);
  });

  test("insufficient collateral is rejected at the exchange", () => {
    const t = tape();
    t.place("BUY", 5000, 2_001 * SH); // $1,000.50 > $1,000
    t.at(50);
    expect(t.events[0]).toMatchObject({ kind: "reject", code: "INSUFFICIENT_BALANCE" });
  });
});
