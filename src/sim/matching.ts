/**
 * Pure price-time matching for Polymarket binary markets (no I/O, no clock: time comes in).
 *
 * One book per market, kept in YES ("Up", first outcome) prices, because a YES and its NO
 * token share liquidity (protocol notes §8.3):
 *   BUY  YES @ p  → bid at p          SELL YES @ p  → ask at p
 *   BUY  NO  @ q  → ask at 1 − q      SELL NO  @ q  → bid at 1 − q
 * A bid meets an ask in one of four ways, decided by the two outcomes:
 *   BUY YES × SELL YES, BUY NO × SELL NO → transfer;  BUY YES × BUY NO → mint a pair;
 *   SELL YES × SELL NO → merge a pair. Cash flows are in `cashLegE6` (accounts.ts applies them).
 * Each token's public book is this book seen from its side (NO levels are the mirror
 * 1 − p), which is why real `price_change` frames come in complementary pairs.
 *
 * Priority: best price first, then arrival (`seq`) within a level, across both outcomes.
 * The taker trades at the resting order's price. Levels are indexed by PriceE4 (the finest
 * tick), so a tick-size change never re-indexes: resting orders stay, new orders must sit
 * on the new grid. Rejections carry Polymarket's exact error strings (protocol notes §4.4).
 *
 * What is not here: balances (accounts.ts decides whether an order may be placed), fees
 * (polymarket/fees.ts) and wire shapes (exchange.ts). The vocabulary (orders, fills,
 * rejection strings, cash legs) is in matching-types.ts and the book in market-book.ts;
 * both are re-exported here.
 */
import { formatSizeE6, ONE_E4, type PriceE4, type SizeE6, type TickE4, type UsdE6 } from "../core/units.ts";
import { MarketBook } from "./market-book.ts";
import {
  type BookSide,
  bookSideOf,
  cashLegE6,
  ERR,
  type Fill,
  type FillKind,
  type LevelChange,
  MAX_ORDER_SIZE_E6,
  MIN_MARKETABLE_BUY_E6,
  type OrderSpec,
  type Outcome,
  type RestingOrder,
  SIZE_GRID_E6,
  type SubmitErr,
  type SubmitResult,
  yesPriceOf,
} from "./matching-types.ts";

export { MarketBook } from "./market-book.ts";
export * from "./matching-types.ts";

/** All markets' books plus an index of resting orders by id. */
export class MatchingEngine {
  private readonly books = new Map<string, MarketBook>();
  private readonly resting = new Map<string, RestingOrder>();
  private readonly expiring = new Set<RestingOrder>();
  private seq = 0;

  addMarket(marketId: string, tickE4: TickE4, minSizeE6: SizeE6): MarketBook {
    const b = new MarketBook(marketId, tickE4, minSizeE6);
    this.books.set(marketId, b);
    return b;
  }
  book(marketId: string): MarketBook | undefined {
    return this.books.get(marketId);
  }
  order(id: string): RestingOrder | undefined {
    return this.resting.get(id);
  }
  restingOrders(): IterableIterator<RestingOrder> {
    return this.resting.values();
  }
  setTickSize(marketId: string, tickE4: TickE4): void {
    const b = this.books.get(marketId);
    if (b) b.tickE4 = tickE4;
  }

  /**
   * Validates, matches and rests (GTC/GTD) one order. Balance checks happen before this.
   * `match = false` (the test API's engineered books and the dislocation knob, see
   * sim/dislocation.ts) rests a GTC/GTD order without matching it, even across the book:
   * Polymarket's shared book never rests YES ask + NO ask < $1, so this is how the simulator
   * shows an arbitrage gap; the next order that reaches it trades with it as usual.
   */
  submit(o: OrderSpec, match = true): SubmitResult {
    const book = this.books.get(o.marketId);
    if (!book) return { ok: false, code: "MARKET_CLOSED", message: "the market is not yet ready to process new orders" };
    const invalid = this.validate(o, book);
    if (invalid) return invalid;
    if (!match && o.orderType !== "GTC" && o.orderType !== "GTD")
      return { ok: false, code: "INVALID_ORDER", message: "only GTC/GTD orders can rest unmatched" };
    const side = bookSideOf(o.outcome, o.side);
    const bookPrice = yesPriceOf(o.outcome, o.priceE4);
    const crosses = match && (side === "bid" ? bookPrice >= book.bestAsk : bookPrice <= book.bestBid);
    const resting = o.orderType === "GTC" || o.orderType === "GTD";
    if (o.postOnly && crosses) return { ok: false, code: "POST_ONLY_CROSS", message: ERR.postOnlyCross };
    if (crosses && o.side === "BUY" && o.budgetE6 === 0) {
      const notional = cashLegE6(o.outcome, bookPrice, o.sizeE6);
      if (notional < MIN_MARKETABLE_BUY_E6) return { ok: false, code: "INVALID_ORDER", message: ERR.minBuy(notional) };
    }
    if (o.orderType === "FOK") {
      const dry = this.walk(book, o, side, bookPrice, true);
      if (!dry.complete) return { ok: false, code: "FOK_NOT_FILLED", message: ERR.fok };
    }
    const run: WalkResult = match
      ? this.walk(book, o, side, bookPrice, false)
      : { fills: [], touched: new Set(), matchedE6: 0, cashE6: 0, complete: false };
    if (o.orderType === "FAK" && run.fills.length === 0) return { ok: false, code: "FOK_NOT_FILLED", message: ERR.fak };
    let rest: RestingOrder | undefined;
    const remaining = o.sizeE6 - run.matchedE6;
    if (resting && remaining > 0) {
      rest = {
        id: o.id,
        owner: o.owner,
        marketId: o.marketId,
        outcome: o.outcome,
        side: o.side,
        priceE4: o.priceE4,
        bookSide: side,
        bookPriceE4: bookPrice,
        originalSizeE6: o.sizeE6,
        orderType: o.orderType,
        expiresAtMs: o.orderType === "GTD" ? o.expiresAtMs : 0,
        seq: ++this.seq,
        remainingE6: remaining,
        matchedE6: run.matchedE6,
        prev: null,
        next: null,
      };
      book.append(rest);
      this.resting.set(rest.id, rest);
      if (rest.expiresAtMs > 0) this.expiring.add(rest);
      run.touched.add(levelKey(side, bookPrice));
    }
    return {
      ok: true,
      fills: run.fills,
      levels: levelChanges(book, run.touched),
      resting: rest,
      matchedE6: run.matchedE6,
      takerCashE6: run.cashE6,
    };
  }

  /** Removes a resting order; undefined when it is not resting (Polymarket: "already canceled or matched"). */
  cancel(orderId: string): { order: RestingOrder; level: LevelChange } | undefined {
    const o = this.resting.get(orderId);
    if (!o) return undefined;
    const book = this.books.get(o.marketId);
    if (!book) return undefined;
    this.removeResting(book, o);
    return { order: o, level: levelChange(book, o.bookSide, o.bookPriceE4) };
  }

  /** GTD orders whose time has come, removed from their books. */
  expireDue(nowMs: number): { order: RestingOrder; level: LevelChange }[] {
    const due: RestingOrder[] = [];
    for (const o of this.expiring) if (o.expiresAtMs <= nowMs) due.push(o);
    due.sort((a, b) => a.expiresAtMs - b.expiresAtMs || a.seq - b.seq);
    const out: { order: RestingOrder; level: LevelChange }[] = [];
    for (const o of due) {
      const r = this.cancel(o.id);
      if (r) out.push(r);
    }
    return out;
  }

  /** Closes a market (resolution): every resting order is removed and the book dropped. */
  removeMarket(marketId: string): RestingOrder[] {
    const book = this.books.get(marketId);
    if (!book) return [];
    const out: RestingOrder[] = [];
    for (const o of this.resting.values()) if (o.marketId === marketId) out.push(o);
    out.sort((a, b) => a.seq - b.seq);
    for (const o of out) this.removeResting(book, o);
    this.books.delete(marketId);
    return out;
  }

  private removeResting(book: MarketBook, o: RestingOrder): void {
    book.unlink(o);
    this.resting.delete(o.id);
    this.expiring.delete(o);
  }

  private validate(o: OrderSpec, book: MarketBook): SubmitErr | undefined {
    if (this.resting.has(o.id)) return { ok: false, code: "DUPLICATE", message: ERR.duplicate(o.id) };
    if (o.postOnly && o.orderType !== "GTC" && o.orderType !== "GTD")
      return { ok: false, code: "INVALID_ORDER", message: ERR.postOnlyType };
    const tick = book.tickE4;
    if (o.priceE4 < tick || o.priceE4 > ONE_E4 - tick || o.priceE4 % tick !== 0)
      return { ok: false, code: "INVALID_TICK", message: ERR.tick(o.id, o.priceE4, tick) };
    if (o.side === "BUY" && o.budgetE6 > 0) {
      if (o.budgetE6 < MIN_MARKETABLE_BUY_E6) return { ok: false, code: "INVALID_ORDER", message: ERR.minBuy(o.budgetE6) };
    } else if (o.sizeE6 < book.minSizeE6) {
      return { ok: false, code: "ORDER_TOO_SMALL", message: ERR.minSize(o.id, o.sizeE6, book.minSizeE6) };
    }
    if (o.sizeE6 > MAX_ORDER_SIZE_E6 || o.budgetE6 > MAX_ORDER_SIZE_E6 || !Number.isSafeInteger(o.sizeE6))
      return { ok: false, code: "INVALID_ORDER", message: `order ${o.id} is invalid. Size (${formatSizeE6(o.sizeE6)}) too large` };
    if (o.sizeE6 % SIZE_GRID_E6 !== 0)
      return {
        ok: false,
        code: "INVALID_ORDER",
        message: `order ${o.id} is invalid. Size (${formatSizeE6(o.sizeE6)}) is not a multiple of 0.01`,
      };
    return undefined;
  }

  /**
   * Matches the taker against the opposite side. With `dry` nothing changes and only
   * `complete` matters (FOK pre-check).
   */
  private walk(book: MarketBook, o: OrderSpec, side: BookSide, limitE4: PriceE4, dry: boolean): WalkResult {
    const byBudget = o.side === "BUY" && o.budgetE6 > 0;
    let wantE6 = byBudget ? MAX_ORDER_SIZE_E6 : o.sizeE6;
    let budget = o.budgetE6;
    const res: WalkResult = { fills: [], touched: new Set(), matchedE6: 0, cashE6: 0, complete: false };
    const levels = side === "bid" ? book.asks : book.bids;
    const step = side === "bid" ? 1 : -1;
    let p = side === "bid" ? book.bestAsk : book.bestBid;
    while (wantE6 > 0 && (side === "bid" ? p < ONE_E4 && p <= limitE4 : p > 0 && p >= limitE4)) {
      let maker = levels[p]?.head ?? null;
      while (maker && wantE6 > 0) {
        let size = Math.min(maker.remainingE6, wantE6);
        if (byBudget) {
          size = Math.min(size, sharesForBudget(o.outcome, p, budget));
          if (size <= 0) {
            wantE6 = 0; // budget spent to the last unit
            break;
          }
        }
        const cash = cashLegE6(o.outcome, p, size);
        res.matchedE6 += size;
        res.cashE6 += cash;
        wantE6 -= size;
        budget -= cash;
        const next: RestingOrder | null = maker.next;
        if (!dry) {
          book.reduce(maker, size);
          res.fills.push(makeFill(o, maker, p, size));
          res.touched.add(levelKey(maker.bookSide, p));
          if (maker.remainingE6 === 0) this.removeResting(book, maker);
        }
        maker = next;
      }
      p += step;
    }
    // By budget, "fully filled" means not one more 0.01-share lot is affordable at the limit.
    res.complete = wantE6 === 0 || (byBudget && sharesForBudget(o.outcome, limitE4, budget) === 0);
    return res;
  }
}

interface WalkResult {
  fills: Fill[];
  touched: Set<number>;
  matchedE6: SizeE6;
  cashE6: UsdE6;
  complete: boolean;
}

/** Most shares (whole 0.01-share lots) whose cash leg at YES price `p` fits in `budgetE6`. */
function sharesForBudget(outcome: Outcome, yesPriceE4: PriceE4, budgetE6: UsdE6): SizeE6 {
  const own = outcome === 0 ? yesPriceE4 : ONE_E4 - yesPriceE4;
  if (budgetE6 <= 0 || own <= 0) return 0;
  // A lot of 0.01 share costs exactly `own` units of 1e-6 pUSD.
  return Math.floor(budgetE6 / own) * SIZE_GRID_E6;
}

function makeFill(o: OrderSpec, maker: RestingOrder, yesPriceE4: PriceE4, sizeE6: SizeE6): Fill {
  const kind: FillKind = maker.outcome === o.outcome ? "transfer" : o.side === "BUY" ? "mint" : "merge";
  return {
    marketId: o.marketId,
    kind,
    yesPriceE4,
    sizeE6,
    makerOrderId: maker.id,
    makerOwner: maker.owner,
    makerOutcome: maker.outcome,
    makerSide: maker.side,
    makerPriceE4: maker.priceE4,
    makerRemainingE6: maker.remainingE6,
    takerOrderId: o.id,
    takerOwner: o.owner,
    takerOutcome: o.outcome,
    takerSide: o.side,
    takerPriceE4: yesPriceOf(o.outcome, yesPriceE4),
  };
}

const levelKey = (side: BookSide, priceE4: PriceE4): number => (side === "bid" ? priceE4 : -priceE4 - 1);

function levelChange(book: MarketBook, side: BookSide, priceE4: PriceE4): LevelChange {
  return { marketId: book.marketId, side, priceE4, sizeE6: book.sizeAt(side, priceE4) };
}

function levelChanges(book: MarketBook, keys: Set<number>): LevelChange[] {
  const out: LevelChange[] = [];
  for (const k of keys) out.push(k >= 0 ? levelChange(book, "bid", k) : levelChange(book, "ask", -k - 1));
  return out;
}
