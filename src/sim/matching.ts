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
 * (polymarket/fees.ts) and wire shapes (exchange.ts).
 */
import type { OrderType, RejectCode, Side } from "../core/ports.ts";
import { formatPriceE4, formatSizeE6, ONE_E4, type PriceE4, type SizeE6, type TickE4, type UsdE6 } from "../core/units.ts";

/** 0 = first outcome (YES / Up), 1 = second (NO / Down). */
export type Outcome = 0 | 1;
export type BookSide = "bid" | "ask";
export type FillKind = "transfer" | "mint" | "merge";

export interface OrderSpec {
  readonly id: string;
  readonly owner: string;
  readonly marketId: string;
  readonly outcome: Outcome;
  readonly side: Side;
  /** Price of the order's own token. */
  readonly priceE4: PriceE4;
  /** Shares. For a BUY with `budgetE6` it is only informative (what the budget buys at the limit). */
  readonly sizeE6: SizeE6;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  /** When a GTD order leaves the book (ms), 0 = never. */
  readonly expiresAtMs: number;
  /** FOK/FAK BUY by amount: spend at most this much pUSD (the SDK's market BUY), 0 = by size. */
  readonly budgetE6: UsdE6;
}

export interface RestingOrder {
  readonly id: string;
  readonly owner: string;
  readonly marketId: string;
  readonly outcome: Outcome;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly bookSide: BookSide;
  /** Level price in YES terms. */
  readonly bookPriceE4: PriceE4;
  readonly originalSizeE6: SizeE6;
  readonly orderType: OrderType;
  readonly expiresAtMs: number;
  readonly seq: number;
  remainingE6: SizeE6;
  matchedE6: SizeE6;
  /** Intrusive FIFO links inside the level. */
  prev: RestingOrder | null;
  next: RestingOrder | null;
}

export interface Fill {
  readonly marketId: string;
  readonly kind: FillKind;
  readonly yesPriceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly makerOrderId: string;
  readonly makerOwner: string;
  readonly makerOutcome: Outcome;
  readonly makerSide: Side;
  /** Maker's own-token price (= its limit). */
  readonly makerPriceE4: PriceE4;
  readonly makerRemainingE6: SizeE6;
  readonly takerOrderId: string;
  readonly takerOwner: string;
  readonly takerOutcome: Outcome;
  readonly takerSide: Side;
  /** The price the taker got, in its own token. */
  readonly takerPriceE4: PriceE4;
}

/** A level's new total after a change (YES terms); 0 means the level is gone. */
export interface LevelChange {
  readonly marketId: string;
  readonly side: BookSide;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
}

export interface SubmitOk {
  readonly ok: true;
  readonly fills: readonly Fill[];
  readonly levels: readonly LevelChange[];
  /** The order as it rests, or undefined when nothing rests (filled, FOK/FAK). */
  readonly resting: RestingOrder | undefined;
  readonly matchedE6: SizeE6;
  /** pUSD the taker spent (BUY) or received (SELL), before fees. */
  readonly takerCashE6: UsdE6;
}
export interface SubmitErr {
  readonly ok: false;
  readonly code: RejectCode;
  readonly message: string;
}
export type SubmitResult = SubmitOk | SubmitErr;

export const ERR = {
  postOnlyCross: "invalid post-only order: order crosses book",
  postOnlyType: "invalid post-only order: only GTC and GTD order types are allowed",
  fok: "order couldn't be fully filled. FOK orders are fully filled or killed.",
  fak: "no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.",
  tick: (id: string, priceE4: PriceE4, tickE4: TickE4) =>
    `order ${id} is invalid. Price (${formatPriceE4(priceE4)}) breaks minimum tick size rule: ${formatPriceE4(tickE4)}`,
  minSize: (id: string, sizeE6: SizeE6, minE6: SizeE6) =>
    `order ${id} is invalid. Size (${formatSizeE6(sizeE6)}) lower than the minimum: ${formatSizeE6(minE6)}`,
  minBuy: (amountE6: UsdE6) => `invalid amount for a marketable BUY order ($${(amountE6 / 1e6).toFixed(2)}), min size: 1`,
  duplicate: (id: string) => `order ${id} is invalid. Duplicated.`,
  notFound: "already canceled or matched",
} as const;

/**
 * Sizes live on the 0.01-share grid (the SDK rounds every size to 2 dp), and so do fills,
 * including a BUY by amount, which buys whole 0.01-share lots. Then every cash leg
 * s × p is an exact integer and holds, fills and pairs add up with no rounding at all.
 */
export const SIZE_GRID_E6 = 10_000;
/** Largest order accepted, so that size × price stays an exact double (100 000 shares). */
export const MAX_ORDER_SIZE_E6 = 100_000_000_000;
/** Minimum notional of a marketable BUY ($1, protocol notes §3.4). */
export const MIN_MARKETABLE_BUY_E6 = 1_000_000;

/**
 * pUSD that the holder of `outcome` pays (BUY) or gets (SELL) for `sizeE6` shares at YES
 * price `yesPriceE4`. YES gets floor(s·p), NO the rest, so a minted or merged pair is
 * worth exactly `sizeE6` and cash is conserved to the unit.
 */
export function cashLegE6(outcome: Outcome, yesPriceE4: PriceE4, sizeE6: SizeE6): UsdE6 {
  const yes = Math.floor((sizeE6 * yesPriceE4) / ONE_E4);
  return outcome === 0 ? yes : sizeE6 - yes;
}

export const yesPriceOf = (outcome: Outcome, ownPriceE4: PriceE4): PriceE4 =>
  outcome === 0 ? ownPriceE4 : ONE_E4 - ownPriceE4;
export const bookSideOf = (outcome: Outcome, side: Side): BookSide =>
  (outcome === 0) === (side === "BUY") ? "bid" : "ask";

interface Level {
  head: RestingOrder | null;
  tail: RestingOrder | null;
  totalE6: SizeE6;
}

/** One market's two-sided book in YES prices. */
export class MarketBook {
  readonly bids: (Level | undefined)[] = new Array(ONE_E4 + 1);
  readonly asks: (Level | undefined)[] = new Array(ONE_E4 + 1);
  /** Best bid price, 0 when empty (bids live in 1..9999). */
  bestBid = 0;
  /** Best ask price, ONE_E4 when empty. */
  bestAsk = ONE_E4;
  constructor(
    readonly marketId: string,
    public tickE4: TickE4,
    public minSizeE6: SizeE6,
  ) {}

  sizeAt(side: BookSide, priceE4: PriceE4): SizeE6 {
    return (side === "bid" ? this.bids : this.asks)[priceE4]?.totalE6 ?? 0;
  }
  /** Walks levels best-first; stop by returning false. */
  forEachLevel(side: BookSide, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void {
    if (side === "bid") {
      for (let p = this.bestBid; p > 0; p--) {
        const l = this.bids[p];
        if (l && l.totalE6 > 0 && fn(p, l.totalE6) === false) return;
      }
    } else {
      for (let p = this.bestAsk; p < ONE_E4; p++) {
        const l = this.asks[p];
        if (l && l.totalE6 > 0 && fn(p, l.totalE6) === false) return;
      }
    }
  }
  /** Orders at a level in time priority (tests and the test API read this). */
  ordersAt(side: BookSide, priceE4: PriceE4): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (let o = (side === "bid" ? this.bids : this.asks)[priceE4]?.head ?? null; o; o = o.next) out.push(o);
    return out;
  }

  append(o: RestingOrder): void {
    const levels = o.bookSide === "bid" ? this.bids : this.asks;
    let l = levels[o.bookPriceE4];
    if (!l) {
      l = { head: null, tail: null, totalE6: 0 };
      levels[o.bookPriceE4] = l;
    }
    o.prev = l.tail;
    o.next = null;
    if (l.tail) l.tail.next = o;
    else l.head = o;
    l.tail = o;
    l.totalE6 += o.remainingE6;
    if (o.bookSide === "bid") {
      if (o.bookPriceE4 > this.bestBid) this.bestBid = o.bookPriceE4;
    } else if (o.bookPriceE4 < this.bestAsk) this.bestAsk = o.bookPriceE4;
  }

  unlink(o: RestingOrder): void {
    const l = (o.bookSide === "bid" ? this.bids : this.asks)[o.bookPriceE4];
    if (!l) return;
    if (o.prev) o.prev.next = o.next;
    else l.head = o.next;
    if (o.next) o.next.prev = o.prev;
    else l.tail = o.prev;
    o.prev = null;
    o.next = null;
    l.totalE6 -= o.remainingE6;
    if (l.head === null) {
      l.totalE6 = 0;
      this.refreshBest(o.bookSide);
    }
  }

  /** Reduces a resting order by a fill; the level keeps its place. */
  reduce(o: RestingOrder, sizeE6: SizeE6): void {
    const l = (o.bookSide === "bid" ? this.bids : this.asks)[o.bookPriceE4];
    if (l) l.totalE6 -= sizeE6;
    o.remainingE6 -= sizeE6;
    o.matchedE6 += sizeE6;
  }

  private refreshBest(side: BookSide): void {
    if (side === "bid") {
      let p = this.bestBid;
      while (p > 0 && !(this.bids[p]?.head)) p--;
      this.bestBid = p;
    } else {
      let p = this.bestAsk;
      while (p < ONE_E4 && !(this.asks[p]?.head)) p++;
      this.bestAsk = p;
    }
  }
}

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
    if (!match && o.orderType !== "GTC" && o.orderType !== "GTD") return { ok: false, code: "INVALID_ORDER", message: "only GTC/GTD orders can rest unmatched" };
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
    const run: WalkResult = match ? this.walk(book, o, side, bookPrice, false) : { fills: [], touched: new Set(), matchedE6: 0, cashE6: 0, complete: false };
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
      return { ok: false, code: "INVALID_ORDER", message: `order ${o.id} is invalid. Size (${formatSizeE6(o.sizeE6)}) is not a multiple of 0.01` };
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
