/**
 * Simulated balances per API key (pure, no I/O): pUSD and outcome tokens, the amounts
 * held for open orders, split / merge of YES+NO pairs, fills, taker fees, maker rebates
 * and payout at resolution.
 *
 * Model (protocol notes §4.4, §8): an order may be placed only if the key's *available*
 * balance (balance − held for its open orders) covers it, else the real error string
 * `not enough balance / allowance`. A resting BUY holds its pUSD notional, a resting SELL
 * its tokens; fills consume the hold. Allowances are modelled as unlimited (a new key is
 * funded and approved), which is what the exchange reports for a set-up wallet.
 *
 * Conservation, checked by `audit()` and the property tests: pUSD in accounts + fees
 * kept by the exchange + collateral locked in pairs (one $1 per outstanding YES+NO pair)
 * = all pUSD ever deposited; per market, YES supply = NO supply = locked pairs.
 */
import { InvariantError } from "../core/result.ts";
import type { SizeE6, UsdE6 } from "../core/units.ts";
import { rebatePoolE6, splitRebatesE6 } from "../polymarket/fees.ts";
import { cashLegE6, type Fill, type Outcome } from "./matching.ts";

/** Asset key of the collateral (pUSD); outcome tokens use their token id. */
export const COLLATERAL = "pUSD";
export const ERR_BALANCE = "not enough balance / allowance";

interface Holding {
  balanceE6: number;
  heldE6: number;
}

interface MarketLedger {
  readonly tokens: readonly [string, string];
  readonly rebateRate: number;
  /** Outstanding YES+NO pairs (collateral locked in the CTF). */
  pairsE6: SizeE6;
  takerFeesE6: UsdE6;
  /** Fee-equivalent of each maker's fills: the weights of the rebate split. */
  readonly makerWeights: Map<string, number>;
  resolved: boolean;
}

interface Hold {
  readonly owner: string;
  readonly asset: string;
  leftE6: number;
}

export interface ResolutionResult {
  readonly payouts: ReadonlyMap<string, UsdE6>;
  readonly rebates: ReadonlyMap<string, UsdE6>;
}

export interface AuditTotals {
  readonly depositedE6: UsdE6;
  readonly collateralE6: UsdE6;
  readonly feesKeptE6: UsdE6;
  readonly pairsE6: SizeE6;
  /** Per market: [YES supply, NO supply, pairs]. */
  readonly markets: ReadonlyMap<string, readonly [SizeE6, SizeE6, SizeE6]>;
  readonly negative: readonly string[];
}

export class Accounts {
  private readonly owners = new Map<string, Map<string, Holding>>();
  private readonly markets = new Map<string, MarketLedger>();
  private readonly holds = new Map<string, Hold>();
  private depositedE6 = 0;
  /** Taker fees collected and not (yet) paid back as rebates. */
  private feesKeptE6 = 0;

  registerMarket(marketId: string, yesTokenId: string, noTokenId: string, rebateRate: number): void {
    if (this.markets.has(marketId)) return;
    this.markets.set(marketId, {
      tokens: [yesTokenId, noTokenId],
      rebateRate,
      pairsE6: 0,
      takerFeesE6: 0,
      makerWeights: new Map(),
      resolved: false,
    });
  }

  tokenOf(marketId: string, outcome: Outcome): string {
    const m = this.markets.get(marketId);
    if (!m) throw new InvariantError(`unknown market ${marketId}`);
    return m.tokens[outcome];
  }

  has(owner: string): boolean {
    return this.owners.has(owner);
  }
  ownerIds(): IterableIterator<string> {
    return this.owners.keys();
  }

  /** Creates the account with `initialE6` pUSD if it does not exist yet. */
  open(owner: string, initialE6: UsdE6): void {
    if (this.owners.has(owner)) return;
    this.owners.set(owner, new Map());
    if (initialE6 > 0) this.deposit(owner, initialE6);
  }

  /** New pUSD from outside (funding, the test API). */
  deposit(owner: string, amountE6: UsdE6): void {
    if (amountE6 < 0 || !Number.isSafeInteger(amountE6)) throw new RangeError(`deposit must be a non-negative integer, got ${amountE6}`);
    this.holding(owner, COLLATERAL).balanceE6 += amountE6;
    this.depositedE6 += amountE6;
  }

  balance(owner: string, asset: string): number {
    return this.owners.get(owner)?.get(asset)?.balanceE6 ?? 0;
  }
  held(owner: string, asset: string): number {
    return this.owners.get(owner)?.get(asset)?.heldE6 ?? 0;
  }
  available(owner: string, asset: string): number {
    const h = this.owners.get(owner)?.get(asset);
    return h ? h.balanceE6 - h.heldE6 : 0;
  }
  /** Every non-zero holding of an owner (asset → balance). */
  holdings(owner: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [asset, h] of this.owners.get(owner) ?? []) if (h.balanceE6 !== 0) out.set(asset, h.balanceE6);
    return out;
  }

  /** Holds `amountE6` of `asset` for an open order; false if the available balance is short. */
  hold(orderId: string, owner: string, asset: string, amountE6: number): boolean {
    if (amountE6 <= 0) return true;
    const h = this.holding(owner, asset);
    if (h.balanceE6 - h.heldE6 < amountE6) return false;
    h.heldE6 += amountE6;
    const prev = this.holds.get(orderId);
    if (prev) prev.leftE6 += amountE6;
    else this.holds.set(orderId, { owner, asset, leftE6: amountE6 });
    return true;
  }

  /** Releases what is still held for an order (cancel, expiry, fill-to-zero). */
  releaseHold(orderId: string): void {
    const hold = this.holds.get(orderId);
    if (!hold) return;
    this.holding(hold.owner, hold.asset).heldE6 -= hold.leftE6;
    this.holds.delete(orderId);
  }

  heldFor(orderId: string): number {
    return this.holds.get(orderId)?.leftE6 ?? 0;
  }

  /**
   * Applies one match to both sides: each side's cash leg and tokens, the taker's fee,
   * the maker's hold, pair minting / merging and the rebate weight.
   */
  applyFill(f: Fill, takerFeeE6: UsdE6): void {
    const m = this.market(f.marketId);
    const makerCash = cashLegE6(f.makerOutcome, f.yesPriceE4, f.sizeE6);
    const hold = this.holds.get(f.makerOrderId);
    if (hold) {
      const used = Math.min(hold.leftE6, f.makerSide === "BUY" ? makerCash : f.sizeE6);
      hold.leftE6 -= used;
      this.holding(hold.owner, hold.asset).heldE6 -= used;
    }
    this.leg(f.makerOwner, m.tokens[f.makerOutcome], f.makerSide, f.sizeE6, makerCash);
    const takerCash = cashLegE6(f.takerOutcome, f.yesPriceE4, f.sizeE6);
    this.leg(f.takerOwner, m.tokens[f.takerOutcome], f.takerSide, f.sizeE6, takerCash);
    if (f.kind === "mint") m.pairsE6 += f.sizeE6;
    else if (f.kind === "merge") m.pairsE6 -= f.sizeE6;
    if (takerFeeE6 > 0) {
      this.debit(f.takerOwner, COLLATERAL, takerFeeE6);
      this.feesKeptE6 += takerFeeE6;
      m.takerFeesE6 += takerFeeE6;
      m.makerWeights.set(f.makerOwner, (m.makerWeights.get(f.makerOwner) ?? 0) + takerFeeE6);
    }
    if (f.makerRemainingE6 === 0) this.releaseHold(f.makerOrderId);
  }

  /** Splits pUSD into YES+NO pairs. */
  split(owner: string, marketId: string, sizeE6: SizeE6): boolean {
    const m = this.market(marketId);
    if (m.resolved || sizeE6 <= 0 || this.available(owner, COLLATERAL) < sizeE6) return false;
    this.debit(owner, COLLATERAL, sizeE6);
    this.holding(owner, m.tokens[0]).balanceE6 += sizeE6;
    this.holding(owner, m.tokens[1]).balanceE6 += sizeE6;
    m.pairsE6 += sizeE6;
    return true;
  }

  /** Merges YES+NO pairs back into pUSD. */
  merge(owner: string, marketId: string, sizeE6: SizeE6): boolean {
    const m = this.market(marketId);
    if (m.resolved || sizeE6 <= 0) return false;
    if (this.available(owner, m.tokens[0]) < sizeE6 || this.available(owner, m.tokens[1]) < sizeE6) return false;
    this.debit(owner, m.tokens[0], sizeE6);
    this.debit(owner, m.tokens[1], sizeE6);
    this.holding(owner, COLLATERAL).balanceE6 += sizeE6;
    m.pairsE6 -= sizeE6;
    return true;
  }

  /**
   * Settles a market: winning tokens pay $1, losing ones expire, then the maker rebate
   * pool is shared out. Orders must have been cancelled first (no holds may remain).
   */
  resolve(marketId: string, winner: Outcome): ResolutionResult {
    const m = this.market(marketId);
    const payouts = new Map<string, UsdE6>();
    if (m.resolved) return { payouts, rebates: new Map() };
    m.resolved = true;
    for (const [owner, assets] of this.owners) {
      for (let k = 0; k < 2; k++) {
        const token = m.tokens[k] as string;
        const h = assets.get(token);
        if (!h) continue;
        if (h.heldE6 !== 0) throw new InvariantError(`resolving ${marketId} with ${h.heldE6} of ${token} still held`);
        if (k === winner && h.balanceE6 > 0) {
          payouts.set(owner, h.balanceE6);
          this.holding(owner, COLLATERAL).balanceE6 += h.balanceE6;
        }
        assets.delete(token);
      }
    }
    m.pairsE6 = 0;
    const rebates = splitRebatesE6(rebatePoolE6(m.takerFeesE6, m.rebateRate), m.makerWeights);
    for (const [owner, amount] of rebates) {
      this.holding(owner, COLLATERAL).balanceE6 += amount;
      this.feesKeptE6 -= amount;
    }
    return { payouts, rebates };
  }

  isResolved(marketId: string): boolean {
    return this.markets.get(marketId)?.resolved ?? false;
  }

  /** Totals for the conservation checks; `negative` lists any holding below zero or below its hold. */
  audit(): AuditTotals {
    let collateral = 0;
    const supply = new Map<string, number>();
    const negative: string[] = [];
    for (const [owner, assets] of this.owners) {
      for (const [asset, h] of assets) {
        if (h.balanceE6 < 0 || h.heldE6 < 0 || h.heldE6 > h.balanceE6) negative.push(`${owner}/${asset}: ${h.balanceE6} held ${h.heldE6}`);
        if (asset === COLLATERAL) collateral += h.balanceE6;
        else supply.set(asset, (supply.get(asset) ?? 0) + h.balanceE6);
      }
    }
    let pairs = 0;
    const markets = new Map<string, readonly [number, number, number]>();
    for (const [id, m] of this.markets) {
      pairs += m.pairsE6;
      markets.set(id, [supply.get(m.tokens[0]) ?? 0, supply.get(m.tokens[1]) ?? 0, m.pairsE6]);
    }
    return { depositedE6: this.depositedE6, collateralE6: collateral, feesKeptE6: this.feesKeptE6, pairsE6: pairs, markets, negative };
  }

  private leg(owner: string, token: string, side: "BUY" | "SELL", sizeE6: SizeE6, cashE6: UsdE6): void {
    if (side === "BUY") {
      this.debit(owner, COLLATERAL, cashE6);
      this.holding(owner, token).balanceE6 += sizeE6;
    } else {
      this.debit(owner, token, sizeE6);
      this.holding(owner, COLLATERAL).balanceE6 += cashE6;
    }
  }

  private debit(owner: string, asset: string, amountE6: number): void {
    const h = this.holding(owner, asset);
    h.balanceE6 -= amountE6;
    if (h.balanceE6 < h.heldE6) throw new InvariantError(`${owner} ${asset} below its hold: ${h.balanceE6} < ${h.heldE6}`);
  }

  private holding(owner: string, asset: string): Holding {
    let assets = this.owners.get(owner);
    if (!assets) {
      assets = new Map();
      this.owners.set(owner, assets);
    }
    let h = assets.get(asset);
    if (!h) {
      h = { balanceE6: 0, heldE6: 0 };
      assets.set(asset, h);
    }
    return h;
  }

  private market(marketId: string): MarketLedger {
    const m = this.markets.get(marketId);
    if (!m) throw new InvariantError(`unknown market ${marketId}`);
    return m;
  }
}
