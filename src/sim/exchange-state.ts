/**
 * The simulated exchange's records and read side: markets by condition id and token,
 * every order and trade it has seen, per-owner indexes, and the queries the REST API
 * answers (open orders, trades, books, balances). `SimExchange` (exchange.ts) extends it
 * with the write side; keeping the two apart keeps each file about one concern.
 */
import type { OrderType, Side } from "../core/ports.ts";
import type { PriceE4, UsdE6 } from "../core/units.ts";
import type { Accounts } from "./accounts.ts";
import { COLLATERAL } from "./accounts.ts";
import type { Fill, MarketBook, MatchingEngine, Outcome } from "./matching.ts";
import type { ScheduledMarket } from "./schedule.ts";

export type MarketState = "open" | "closed" | "resolved";

export interface SimMarket {
  readonly sched: ScheduledMarket;
  readonly book: MarketBook;
  state: MarketState;
  /** Settlement reference at the start (price or TWAP by the market's rule). */
  strike: number | undefined;
  final: number | undefined;
  winner: Outcome | undefined;
  lastTradeYesE4: PriceE4;
  lastBestBid: PriceE4;
  lastBestAsk: PriceE4;
  volumeE6: UsdE6;
  trades: number;
  readonly listedMs: number;
  resolvedMs?: number;
}

export interface SimOrder {
  readonly id: string;
  readonly owner: string;
  readonly makerAddress: string;
  readonly marketId: string;
  readonly tokenId: string;
  readonly outcome: Outcome;
  readonly outcomeLabel: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly originalSizeE6: number;
  matchedE6: number;
  /** LIVE, MATCHED, CANCELED. */
  status: string;
  readonly orderType: OrderType;
  readonly expirationSec: number;
  readonly createdAtSec: number;
  readonly tradeIds: string[];
}

export interface SimTrade {
  readonly id: string;
  readonly fill: Fill;
  readonly feeE6: UsdE6;
  readonly takerTokenId: string;
  readonly makerTokenId: string;
  readonly takerOutcomeLabel: string;
  readonly makerOutcomeLabel: string;
  readonly takerAddress: string;
  readonly makerAddress: string;
  status: string;
  readonly matchTimeSec: number;
  lastUpdateSec: number;
  readonly txHash: string;
}

export interface OrderFilter {
  readonly id?: string;
  readonly market?: string;
  readonly assetId?: string;
}

export interface TradeFilter {
  readonly id?: string;
  readonly market?: string;
  readonly assetId?: string;
  /** Unix seconds, inclusive bounds on match time. */
  readonly after?: number;
  readonly before?: number;
}

export class SimLedgerView {
  /** The exchange's current time (epoch ms). */
  nowMs = 0;
  protected readonly markets = new Map<string, SimMarket>();
  protected readonly tokens = new Map<string, { marketId: string; outcome: Outcome }>();
  protected readonly orders = new Map<string, SimOrder>();
  protected readonly trades = new Map<string, SimTrade>();
  /** owner → market → open order ids. */
  protected readonly byOwner = new Map<string, Map<string, Set<string>>>();
  protected readonly tradesByOwner = new Map<string, string[]>();
  protected readonly addresses = new Map<string, string>();
  protected readonly seen = new Set<string>();
  /** Fill legs (maker or taker side of a trade) of each owner in trades already forgotten. */
  protected readonly forgottenFillLegs = new Map<string, number>();

  constructor(
    readonly engine: MatchingEngine,
    readonly accounts: Accounts,
  ) {}

  market(conditionId: string): SimMarket | undefined {
    return this.markets.get(conditionId);
  }
  marketByToken(tokenId: string): { market: SimMarket; outcome: Outcome } | undefined {
    const t = this.tokens.get(tokenId);
    const m = t ? this.markets.get(t.marketId) : undefined;
    return t && m ? { market: m, outcome: t.outcome } : undefined;
  }
  marketBySlug(slug: string): SimMarket | undefined {
    for (const m of this.markets.values()) if (m.sched.info.slug === slug) return m;
    return undefined;
  }
  /** All known markets (open, closed and recently resolved), by listing order. */
  allMarkets(): SimMarket[] {
    return [...this.markets.values()];
  }
  addressOf(owner: string): string {
    return this.addresses.get(owner) ?? "";
  }

  order(id: string): SimOrder | undefined {
    return this.orders.get(id);
  }
  trade(id: string): SimTrade | undefined {
    return this.trades.get(id);
  }

  /** Fill legs of `owner`: in the trades kept plus those already forgotten (`retainClosedMs`). */
  fillLegsOf(owner: string): number {
    let n = this.forgottenFillLegs.get(owner) ?? 0;
    for (const t of this.tradesOf(owner)) n += fillLegsIn(t, owner);
    return n;
  }

  /** Sizes of the records kept (memory stays bounded over long runs: see exchange.ts pruneClosed). */
  recordCounts(): { markets: number; orders: number; trades: number; seenIds: number } {
    return { markets: this.markets.size, orders: this.orders.size, trades: this.trades.size, seenIds: this.seen.size };
  }

  openOrderIds(owner: string): string[] {
    const out: string[] = [];
    for (const ids of this.byOwner.get(owner)?.values() ?? []) for (const id of ids) out.push(id);
    return out;
  }

  openOrders(owner: string, f: OrderFilter = {}): SimOrder[] {
    const out: SimOrder[] = [];
    for (const id of this.openOrderIds(owner)) {
      const o = this.orders.get(id);
      if (!o) continue;
      if (f.id && o.id !== f.id) continue;
      if (f.market && o.marketId !== f.market) continue;
      if (f.assetId && o.tokenId !== f.assetId) continue;
      out.push(o);
    }
    return out.sort((a, b) => a.createdAtSec - b.createdAtSec || (a.id < b.id ? -1 : 1));
  }

  tradesOf(owner: string, f: TradeFilter = {}): SimTrade[] {
    const out: SimTrade[] = [];
    for (const id of this.tradesByOwner.get(owner) ?? []) {
      const t = this.trades.get(id);
      if (!t) continue;
      if (f.id && t.id !== f.id) continue;
      if (f.market && t.fill.marketId !== f.market) continue;
      if (f.assetId && t.takerTokenId !== f.assetId && t.makerTokenId !== f.assetId) continue;
      if (f.after !== undefined && t.matchTimeSec < f.after) continue;
      if (f.before !== undefined && t.matchTimeSec > f.before) continue;
      out.push(t);
    }
    return out;
  }

  /** Balance of pUSD (`asset` = COLLATERAL) or of an outcome token. */
  balanceOf(owner: string, asset: string): number {
    return this.accounts.balance(owner, asset);
  }
  collateral(owner: string): number {
    return this.accounts.balance(owner, COLLATERAL);
  }

  protected indexOrder(o: SimOrder): void {
    let byMarket = this.byOwner.get(o.owner);
    if (!byMarket) {
      byMarket = new Map();
      this.byOwner.set(o.owner, byMarket);
    }
    let ids = byMarket.get(o.marketId);
    if (!ids) {
      ids = new Set();
      byMarket.set(o.marketId, ids);
    }
    ids.add(o.id);
  }

  protected unindexOrder(o: SimOrder): void {
    const byMarket = this.byOwner.get(o.owner);
    const ids = byMarket?.get(o.marketId);
    if (!ids) return;
    ids.delete(o.id);
    if (ids.size === 0) byMarket?.delete(o.marketId);
  }

  protected tradeIndex(owner: string): string[] {
    let a = this.tradesByOwner.get(owner);
    if (!a) {
      a = [];
      this.tradesByOwner.set(owner, a);
    }
    return a;
  }
}

/** `owner`'s legs of one trade: its maker side, its taker side, or both (0–2). */
export function fillLegsIn(t: SimTrade, owner: string): number {
  return (t.fill.makerOwner === owner ? 1 : 0) + (t.fill.takerOwner === owner ? 1 : 0);
}
