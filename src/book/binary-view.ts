/**
 * The YES/NO complement of a binary market, and pair costs for the arbitrage bot.
 *
 * One YES share plus one NO share always redeem for $1, so a YES bid at p is worth the same
 * as a NO ask at 1 − p (the buyer of YES at p and the buyer of NO at 1 − p together mint a
 * pair). `ComplementView` presents a token's book as its complement's; Polymarket already
 * mirrors complementary orders into both books, so the view mostly serves to read one book
 * from the other side, cross-check the mirror, and build synthetic quotes.
 *
 * Pair helpers price the FOK pair trade: buy YES and NO together when the asks sum below $1
 * (before fees — fee maths lives with the fee model). The empty-side sentinels make "no
 * liquidity" read as a pair cost ≥ $1, i.e. no opportunity, without special cases.
 */
import { type BookView, NO_ASK_E4, NO_BID_E4, type Side } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6, type TickE4 } from "../core/units.ts";

const opposite = (side: Side): Side => (side === "BUY" ? "SELL" : "BUY");

/** `book` seen as its complement token: bids ↔ asks, p ↔ 1 − p. */
export class ComplementView implements BookView {
  constructor(
    readonly book: BookView,
    /** The complement token's id (the NO token when `book` is YES). */
    readonly tokenId: string,
  ) {}

  get tickE4(): TickE4 {
    return this.book.tickE4;
  }
  get stale(): boolean {
    return this.book.stale;
  }
  bestBidE4(): PriceE4 {
    return ONE_E4 - this.book.bestAskE4(); // NO_ASK (1) → NO_BID (0)
  }
  bestAskE4(): PriceE4 {
    return ONE_E4 - this.book.bestBidE4(); // NO_BID (0) → NO_ASK (1)
  }
  bestBidSizeE6(): SizeE6 {
    return this.book.bestAskSizeE6();
  }
  bestAskSizeE6(): SizeE6 {
    return this.book.bestBidSizeE6();
  }
  sizeAtE6(side: Side, priceE4: PriceE4): SizeE6 {
    return this.book.sizeAtE6(opposite(side), ONE_E4 - priceE4);
  }
  microprice(): number {
    return ONE_E4 - this.book.microprice();
  }
  forEachLevel(side: Side, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void {
    this.book.forEachLevel(opposite(side), (p, s) => fn(ONE_E4 - p, s));
  }
  lastTradeE4(): PriceE4 {
    const p = this.book.lastTradeE4();
    return p === 0 ? 0 : ONE_E4 - p;
  }
}

/** Cost of one YES+NO pair at the touch, in PriceE4 (≥ ONE_E4 when a side is empty). */
export const pairAskE4 = (yes: BookView, no: BookView): PriceE4 => yes.bestAskE4() + no.bestAskE4();

/** Proceeds of selling one pair at the touch (an empty side adds NO_BID = 0). */
export const pairBidE4 = (yes: BookView, no: BookView): PriceE4 => yes.bestBidE4() + no.bestBidE4();

/**
 * True when the two books disagree with the YES/NO mirror at the top: the best YES bid
 * should equal 1 − best NO ask, and the best YES ask 1 − best NO bid. Empty sides compare
 * through the sentinels (NO_BID ↔ NO_ASK).
 */
export function mirrorMismatch(yes: BookView, no: BookView): boolean {
  return yes.bestBidE4() !== ONE_E4 - no.bestAskE4() || yes.bestAskE4() !== ONE_E4 - no.bestBidE4();
}

export interface PairFill {
  /** Pairs (shares of each side) that can be bought within the limits. */
  readonly pairsE6: SizeE6;
  /** Total cost of both legs (pUSD, 6 decimals), rounded up per level to the micro-dollar. */
  readonly costE6: UsdE6;
  /** Worst prices touched on each leg (the FOK limit prices), 0 when nothing fills. */
  readonly worstYesE4: PriceE4;
  readonly worstNoE4: PriceE4;
}

const NO_FILL: PairFill = { pairsE6: 0, costE6: 0, worstYesE4: 0, worstNoE4: 0 };

/**
 * Walks both ask ladders best-first and buys pairs while YES ask + NO ask ≤ `maxPairE4`,
 * up to `maxPairsE6`. Copies the NO levels it can use into two small arrays first (books
 * rarely hold more than a few dozen levels within reach), then walks the YES ladder.
 */
export function pairBuyWalk(yes: BookView, no: BookView, maxPairsE6: SizeE6, maxPairE4: PriceE4): PairFill {
  if (yes.bestAskE4() === NO_ASK_E4 || no.bestAskE4() === NO_ASK_E4 || maxPairsE6 <= 0) return NO_FILL;
  const noP: number[] = [];
  const noS: number[] = [];
  no.forEachLevel("SELL", (p, s) => {
    noP.push(p);
    noS.push(s);
    return p + yes.bestAskE4() <= maxPairE4;
  });
  let k = 0;
  let noLeft = noS[0] ?? 0;
  let pairs = 0;
  let cost = 0;
  let worstYes = 0;
  let worstNo = 0;
  yes.forEachLevel("SELL", (yp, ys) => {
    let yesLeft = ys;
    while (yesLeft > 0 && k < noP.length && pairs < maxPairsE6) {
      const np = noP[k]!;
      if (yp + np > maxPairE4) return false;
      const q = Math.min(yesLeft, noLeft, maxPairsE6 - pairs);
      pairs += q;
      cost += Math.ceil((q * (yp + np)) / ONE_E4);
      worstYes = yp;
      worstNo = np;
      yesLeft -= q;
      noLeft -= q;
      if (noLeft === 0 && ++k < noP.length) noLeft = noS[k]!;
    }
    return k < noP.length && pairs < maxPairsE6;
  });
  return pairs === 0 ? NO_FILL : { pairsE6: pairs, costE6: cost, worstYesE4: worstYes, worstNoE4: worstNo };
}

export { NO_ASK_E4, NO_BID_E4 };
