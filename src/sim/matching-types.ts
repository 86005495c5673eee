/**
 * The matching engine's vocabulary (matching.ts): outcomes and book sides, the order a
 * participant submits, a resting order, a fill, a level change, the submit result, the
 * exact rejection strings, size limits, and the cash and price conversions between a token
 * and the shared YES book.
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

export const yesPriceOf = (outcome: Outcome, ownPriceE4: PriceE4): PriceE4 => (outcome === 0 ? ownPriceE4 : ONE_E4 - ownPriceE4);
export const bookSideOf = (outcome: Outcome, side: Side): BookSide => ((outcome === 0) === (side === "BUY") ? "bid" : "ask");
