/**
 * Desired quotes vs live orders → the fewest cancel and place commands (Hummingbot's
 * "say what should exist; something else makes it so").
 *
 * Polymarket has no amend, so a changed quote is a cancel plus a place. The plan keeps every
 * live order that already is a desired quote (same token, side and price, remaining size
 * within `sizeToleranceE6`) and touches nothing else that way. Within one (token, side,
 * price) both lists are sorted by size and matched with two pointers; since "within
 * tolerance" is an interval relation, that greedy matching is maximum, so the plan has the
 * minimum number of commands: `cancel = live − matched`, `place = desired − matched`.
 * The caller sends all cancels in one `DELETE /orders` and the places in batches of 15.
 *
 * Orders with a cancel already in flight are neither kept nor cancelled again.
 *
 * SELLs and the shares they hold (`fitPlacedSells`): on Polymarket a resting SELL holds its
 * shares until the exchange confirms it gone, so a SELL replacing another of the same token
 * is refused (INSUFFICIENT_BALANCE) when it arrives while the old one's cancel is in flight,
 * or while the old one is still pending (its cancel waits for the ack). Every SELL a plan
 * would place therefore goes through the caller's `SellFitter` with what our other SELLs of
 * its token still hold; the caller sizes it to the free balance, swaps it for the equivalent
 * BUY of the other token, or drops it.
 *
 * Pure: no clock, no I/O. (Recovery reconcile against the journal is `reconcile.ts`.)
 */
import type { OrderType, Side } from "../core/ports.ts";
import type { PriceE4, SizeE6 } from "../core/units.ts";

export interface DesiredQuote {
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly orderType?: OrderType;
  readonly postOnly?: boolean;
  readonly expirationSec?: number;
}

export interface LiveQuote {
  readonly clientId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly remainingE6: SizeE6;
  readonly cancelRequested: boolean;
}

export interface QuotePlan {
  /** Client ids of live orders that already are desired quotes. */
  readonly keep: readonly string[];
  /** Client ids of live orders to cancel. */
  readonly cancel: readonly string[];
  readonly place: readonly DesiredQuote[];
}

/**
 * Decides a SELL about to be placed: `reservedE6` = shares of its token held by our SELLs
 * that are not terminal (live, pending, or being cancelled). Returns the quote to place
 * instead (itself, smaller, or another order), or null to place nothing.
 */
export type SellFitter = (quote: DesiredQuote, reservedE6: SizeE6) => DesiredQuote | null;

/**
 * `desired` with every SELL that `plan` would place passed through `fit`; kept orders and
 * BUYs are untouched. `reservedOf(token)` is what our active SELLs of the token hold now; a
 * SELL fitted earlier in the same plan adds to it. Reconcile the result again (a substitute
 * may match an order already live).
 */
export function fitPlacedSells(
  desired: readonly DesiredQuote[],
  plan: QuotePlan,
  reservedOf: (tokenId: string) => SizeE6,
  fit: SellFitter,
): DesiredQuote[] {
  const fitted = new Map<DesiredQuote, DesiredQuote | null>();
  const reserved = new Map<string, SizeE6>();
  for (const q of plan.place) {
    if (q.side !== "SELL") continue;
    const held = reserved.get(q.tokenId) ?? reservedOf(q.tokenId);
    const f = fit(q, held);
    fitted.set(q, f);
    reserved.set(q.tokenId, f !== null && f.side === "SELL" && f.tokenId === q.tokenId ? held + f.sizeE6 : held);
  }
  const out: DesiredQuote[] = [];
  for (const q of desired) {
    const f = fitted.has(q) ? fitted.get(q) : q;
    if (f) out.push(f);
  }
  return out;
}

const keyOf = (tokenId: string, side: Side, priceE4: PriceE4): string => `${tokenId}|${side}|${priceE4}`;

export function reconcileQuotes(desired: readonly DesiredQuote[], live: readonly LiveQuote[], sizeToleranceE6 = 0): QuotePlan {
  const groups = new Map<string, { d: DesiredQuote[]; l: LiveQuote[] }>();
  const group = (k: string) => {
    let g = groups.get(k);
    if (!g) {
      g = { d: [], l: [] };
      groups.set(k, g);
    }
    return g;
  };
  for (const q of desired) if (q.sizeE6 > 0) group(keyOf(q.tokenId, q.side, q.priceE4)).d.push(q);
  for (const o of live) if (!o.cancelRequested) group(keyOf(o.tokenId, o.side, o.priceE4)).l.push(o);

  const keep: string[] = [];
  const cancel: string[] = [];
  const place: DesiredQuote[] = [];
  for (const { d, l } of groups.values()) {
    d.sort((a, b) => a.sizeE6 - b.sizeE6);
    l.sort((a, b) => a.remainingE6 - b.remainingE6);
    let i = 0;
    let j = 0;
    while (i < d.length && j < l.length) {
      const want = d[i] as DesiredQuote;
      const have = l[j] as LiveQuote;
      if (Math.abs(have.remainingE6 - want.sizeE6) <= sizeToleranceE6) {
        keep.push(have.clientId);
        i++;
        j++;
      } else if (have.remainingE6 < want.sizeE6) {
        cancel.push(have.clientId);
        j++;
      } else {
        place.push(want);
        i++;
      }
    }
    for (; i < d.length; i++) place.push(d[i] as DesiredQuote);
    for (; j < l.length; j++) cancel.push((l[j] as LiveQuote).clientId);
  }
  return { keep, cancel, place };
}
