/**
 * The simulated exchange's write side for listed markets: order entry, fills and their
 * settlement (MATCHED → MINED → CONFIRMED), cancels, expiries, and the market- and
 * user-channel messages each change publishes. `SimExchange` (exchange.ts) extends it with
 * time, the market lifecycle, the synthetic participants and the test API.
 *
 * Order entry (place): market accepting? → duplicate? → GTD expiry → balance and allowance
 * (pUSD notional plus the worst taker fee for a marketable BUY, tokens for a SELL) →
 * matching → fills settled (fee charged to the taker in pUSD) → the rest held and resting.
 *
 * Messages are plain objects shaped exactly like Polymarket's wire messages
 * (src/polymarket/wire.ts), built only when someone listens.
 */
import { InvariantError } from "../core/result.ts";
import { ONE_E4, type SizeE6 } from "../core/units.ts";
import { maxTakerFeeE6, takerFeeE6 } from "../polymarket/fees.ts";
import type { WireMarketEvent, WireUserEvent } from "../polymarket/wire.ts";
import { Accounts, COLLATERAL, ERR_BALANCE } from "./accounts.ts";
import { DISLOCATION_OWNER } from "./dislocation.ts";
import { FLOW_OWNERS } from "./flow.ts";
import { cashLegE6, type Fill, type LevelChange, MatchingEngine, type OrderSpec, yesPriceOf } from "./matching.ts";
import { SimLedgerView, type SimMarket, type SimOrder, type SimTrade } from "./exchange-state.ts";
import {
  type CancelResponse,
  ERR_EXPIRATION,
  ERR_NOT_READY,
  GTD_SECURITY_MS,
  type MarketListener,
  type PlaceRequest,
  type PlaceResponse,
  type PriceListener,
  type SimConfig,
  type UserListener,
} from "./exchange-types.ts";
import * as W from "./wire-out.ts";

export class SimExchangeCore extends SimLedgerView {
  readonly cfg: SimConfig;
  private readonly marketListeners: MarketListener[] = [];
  private readonly userListeners: UserListener[] = [];
  protected readonly priceListeners: PriceListener[] = [];
  private readonly pendingTrades: { dueMs: number; trade: SimTrade; status: string }[] = [];
  /** Owners whose records nobody queries: synthetic flow and dislocations. */
  protected readonly synthetic = new Set<string>([...Object.values(FLOW_OWNERS), DISLOCATION_OWNER]);
  private counter = 0;

  constructor(cfg: SimConfig) {
    super(new MatchingEngine(), new Accounts());
    this.cfg = cfg;
    this.nowMs = cfg.startMs;
  }

  onMarket(fn: MarketListener): () => void {
    this.marketListeners.push(fn);
    return () => this.marketListeners.splice(this.marketListeners.indexOf(fn), 1);
  }
  onUser(fn: UserListener): () => void {
    this.userListeners.push(fn);
    return () => this.userListeners.splice(this.userListeners.indexOf(fn), 1);
  }
  onPrice(fn: PriceListener): () => void {
    this.priceListeners.push(fn);
    return () => this.priceListeners.splice(this.priceListeners.indexOf(fn), 1);
  }

  /** Creates the account of a new API key (funded with `initialBalanceE6`) bound to an address. */
  openAccount(owner: string, address: string): void {
    if (!this.accounts.has(owner)) this.accounts.open(owner, this.cfg.initialBalanceE6);
    this.addresses.set(owner, address);
  }

  // ---- order entry -----------------------------------------------------------------------

  /** `match = false`: rest without matching (test API `placeUnmatched`, dislocations). */
  place(req: PlaceRequest, match = true): PlaceResponse {
    const fail = (msg: string): PlaceResponse => ({
      success: false,
      errorMsg: msg,
      orderID: req.orderId,
      status: "",
      makingAmount: "",
      takingAmount: "",
      transactionsHashes: [],
      tradeIDs: [],
    });
    const tok = this.tokens.get(req.tokenId);
    const m = tok ? this.markets.get(tok.marketId) : undefined;
    if (!tok || !m || m.state !== "open") return fail(ERR_NOT_READY);
    if (this.seen.has(req.orderId)) return fail(`order ${req.orderId} is invalid. Duplicated.`);
    let expiresAtMs = 0;
    if (req.orderType === "GTD") {
      expiresAtMs = req.expirationSec * 1000 - GTD_SECURITY_MS;
      if (expiresAtMs <= this.nowMs) return fail(ERR_EXPIRATION);
    }
    const spec: OrderSpec = {
      id: req.orderId,
      owner: req.owner,
      marketId: m.sched.info.conditionId,
      outcome: tok.outcome,
      side: req.side,
      priceE4: req.priceE4,
      sizeE6: req.sizeE6,
      orderType: req.orderType,
      postOnly: req.postOnly,
      expiresAtMs,
      budgetE6: req.side === "BUY" ? req.budgetE6 : 0,
    };
    const asset = req.side === "BUY" ? COLLATERAL : req.tokenId;
    if (this.accounts.available(req.owner, asset) < this.requiredFor(m, spec)) return fail(ERR_BALANCE);
    const r = this.engine.submit(spec, match);
    if (!r.ok) return fail(r.message);
    // Synthetic participants' ids are unique by construction: remembering them would only grow memory.
    if (!this.synthetic.has(req.owner)) this.seen.add(req.orderId);
    const info = m.sched.info;
    const order: SimOrder = {
      id: req.orderId,
      owner: req.owner,
      makerAddress: req.makerAddress,
      marketId: info.conditionId,
      tokenId: req.tokenId,
      outcome: tok.outcome,
      outcomeLabel: info.outcomes[tok.outcome],
      side: req.side,
      priceE4: req.priceE4,
      originalSizeE6: spec.budgetE6 > 0 ? spec.budgetE6 : req.sizeE6,
      matchedE6: 0,
      status: "LIVE",
      orderType: req.orderType,
      expirationSec: req.orderType === "GTD" ? req.expirationSec : 0,
      createdAtSec: Math.floor(this.nowMs / 1000),
      tradeIds: [],
    };
    this.orders.set(order.id, order);
    const trades = this.applyFills(m, order, r.fills);
    order.matchedE6 = r.matchedE6;
    if (r.resting) {
      const hold = req.side === "BUY" ? cashLegE6(tok.outcome, r.resting.bookPriceE4, r.resting.remainingE6) : r.resting.remainingE6;
      if (!this.accounts.hold(order.id, req.owner, asset, hold)) throw new InvariantError(`cannot hold ${hold} ${asset} for ${order.id}`);
      this.indexOrder(order);
      this.emitUser(order.owner, () => W.userOrder(order, "PLACEMENT", this.nowMs));
    } else {
      order.status = r.matchedE6 > 0 ? "MATCHED" : "CANCELED";
    }
    this.publishBook(m, r.levels, r.fills.length > 0);
    return {
      success: true,
      errorMsg: "",
      orderID: order.id,
      status: r.fills.length > 0 ? "matched" : "live",
      makingAmount: r.fills.length > 0 ? formatAmount(req.side === "BUY" ? r.takerCashE6 : r.matchedE6) : "",
      takingAmount: r.fills.length > 0 ? formatAmount(req.side === "BUY" ? r.matchedE6 : r.takerCashE6) : "",
      transactionsHashes: trades.map((t) => t.txHash),
      tradeIDs: trades.map((t) => t.id),
    };
  }

  /** Cancels orders of `owner` by id (Polymarket's `{canceled, not_canceled}`). */
  cancel(owner: string, orderIds: readonly string[]): CancelResponse {
    const res: CancelResponse = { canceled: [], not_canceled: {} };
    const levels = new Map<string, LevelChange[]>();
    for (const id of orderIds) {
      const o = this.orders.get(id);
      if (!o || o.owner !== owner || !this.engine.order(id)) {
        res.not_canceled[id] = W.NOT_CANCELED_REASON;
        continue;
      }
      const lc = this.closeOrder(o, "CANCELED");
      if (lc) push(levels, o.marketId, lc);
      res.canceled.push(id);
    }
    for (const [marketId, lcs] of levels) {
      const m = this.markets.get(marketId);
      if (m) this.publishBook(m, lcs, false);
    }
    return res;
  }

  cancelAll(owner: string): CancelResponse {
    return this.cancel(owner, this.openOrderIds(owner));
  }

  /** `DELETE /cancel-market-orders`: by condition id and/or token id. */
  cancelMarket(owner: string, marketId: string, assetId: string): CancelResponse {
    const ids = this.openOrderIds(owner).filter((id) => {
      const o = this.orders.get(id);
      return o !== undefined && (marketId === "" || o.marketId === marketId) && (assetId === "" || o.tokenId === assetId);
    });
    return this.cancel(owner, ids);
  }

  /** Splits pUSD into YES+NO pairs (the CTF's splitPosition). */
  split(owner: string, marketId: string, sizeE6: SizeE6): boolean {
    return this.markets.has(marketId) && this.accounts.split(owner, marketId, sizeE6);
  }
  /** Merges YES+NO pairs back into pUSD (the CTF's mergePositions). */
  merge(owner: string, marketId: string, sizeE6: SizeE6): boolean {
    return this.markets.has(marketId) && this.accounts.merge(owner, marketId, sizeE6);
  }

  // ---- internals -------------------------------------------------------------------------

  private requiredFor(m: SimMarket, o: OrderSpec): number {
    if (o.side === "SELL") return o.sizeE6;
    const info = m.sched.info;
    if (o.budgetE6 > 0) return o.budgetE6 + Math.ceil(o.budgetE6 * info.feeRate) + 10;
    const yesPrice = yesPriceOf(o.outcome, o.priceE4);
    const notional = cashLegE6(o.outcome, yesPrice, o.sizeE6);
    const book = m.book;
    const crosses = o.outcome === 0 ? yesPrice >= book.bestAsk : yesPrice <= book.bestBid;
    return crosses ? notional + maxTakerFeeE6(o.sizeE6, o.priceE4, true, info.feeRate, info.feeExponent) : notional;
  }

  private applyFills(m: SimMarket, taker: SimOrder, fills: readonly Fill[]): SimTrade[] {
    const out: SimTrade[] = [];
    const info = m.sched.info;
    for (const f of fills) {
      const fee = takerFeeE6(f.sizeE6, f.takerPriceE4, info.feeRate, info.feeExponent);
      this.accounts.applyFill(f, fee);
      m.lastTradeYesE4 = f.yesPriceE4;
      m.volumeE6 += cashLegE6(f.takerOutcome, f.yesPriceE4, f.sizeE6);
      m.trades++;
      const maker = this.orders.get(f.makerOrderId);
      const t: SimTrade = {
        id: this.uuid("trade"),
        fill: f,
        feeE6: fee,
        takerTokenId: taker.tokenId,
        makerTokenId: maker?.tokenId ?? "",
        takerOutcomeLabel: taker.outcomeLabel,
        makerOutcomeLabel: maker?.outcomeLabel ?? "",
        takerAddress: taker.makerAddress,
        makerAddress: maker?.makerAddress ?? "",
        status: "MATCHED",
        matchTimeSec: Math.floor(this.nowMs / 1000),
        lastUpdateSec: Math.floor(this.nowMs / 1000),
        txHash: this.hex64("tx"),
      };
      // A trade between synthetic participants only is not kept: nobody can query it.
      const record = !this.synthetic.has(f.takerOwner) || !this.synthetic.has(f.makerOwner);
      if (record) {
        this.trades.set(t.id, t);
        if (!this.synthetic.has(f.takerOwner)) this.tradeIndex(f.takerOwner).push(t.id);
        if (f.makerOwner !== f.takerOwner && !this.synthetic.has(f.makerOwner)) this.tradeIndex(f.makerOwner).push(t.id);
        taker.tradeIds.push(t.id);
      }
      if (maker) {
        if (record) maker.tradeIds.push(t.id);
        maker.matchedE6 += f.sizeE6;
        if (f.makerRemainingE6 === 0) {
          maker.status = "MATCHED";
          this.unindexOrder(maker);
        }
        this.emitUser(maker.owner, () => W.userOrder(maker, "UPDATE", this.nowMs));
      }
      this.emitMarket(m, () => W.lastTradePrice(m, f, t.txHash, this.nowMs));
      this.emitUser(f.takerOwner, () => W.userTrade(t, f.takerOwner, this.nowMs));
      if (f.makerOwner !== f.takerOwner) this.emitUser(f.makerOwner, () => W.userTrade(t, f.makerOwner, this.nowMs));
      if (record) {
        this.pendingTrades.push({ dueMs: this.nowMs + this.cfg.tradeMinedMs, trade: t, status: "MINED" });
        this.pendingTrades.push({ dueMs: this.nowMs + this.cfg.tradeConfirmedMs, trade: t, status: "CONFIRMED" });
      }
      out.push(t);
    }
    return out;
  }

  /** Removes a resting order (cancel, expiry, market end) and releases its hold. */
  private closeOrder(o: SimOrder, status: string): LevelChange | undefined {
    const r = this.engine.cancel(o.id);
    this.accounts.releaseHold(o.id);
    o.status = status;
    this.unindexOrder(o);
    this.emitUser(o.owner, () => W.userOrder(o, "CANCELLATION", this.nowMs));
    return r?.level;
  }

  /** After a book change: trades → both `book` snapshots (as the real server does); else one `price_change`. */
  private publishBook(m: SimMarket, levels: readonly LevelChange[], traded: boolean): void {
    if (traded) {
      this.emitMarket(m, () => W.bookEvent(m, 0, this.nowMs));
      this.emitMarket(m, () => W.bookEvent(m, 1, this.nowMs));
    } else if (levels.length > 0) {
      this.emitMarket(m, () => W.priceChange(m, levels, this.nowMs));
    }
    const { bestBid, bestAsk } = m.book;
    if (bestBid !== m.lastBestBid || bestAsk !== m.lastBestAsk) {
      m.lastBestBid = bestBid;
      m.lastBestAsk = bestAsk;
      this.emitMarket(m, () => W.bestBidAsk(m, 0, this.nowMs));
      this.emitMarket(m, () => W.bestBidAsk(m, 1, this.nowMs));
    }
    if (this.cfg.autoTickChange && m.book.tickE4 > 10 && ((bestBid > 9600 && bestBid < ONE_E4) || (bestAsk < 400 && bestAsk > 0)))
      this.changeTick(m, 10);
  }

  protected changeTick(m: SimMarket, tickE4: number): void {
    const old = m.book.tickE4;
    if (old === tickE4) return;
    this.engine.setTickSize(m.sched.info.conditionId, tickE4);
    this.emitMarket(m, () => W.tickSizeChange(m, 0, old, tickE4, this.nowMs));
    this.emitMarket(m, () => W.tickSizeChange(m, 1, old, tickE4, this.nowMs));
  }

  protected expireOrders(): void {
    const due = this.engine.expireDue(this.nowMs);
    for (const { order, level } of due) {
      const o = this.orders.get(order.id);
      this.accounts.releaseHold(order.id);
      if (o) {
        o.status = "CANCELED";
        this.unindexOrder(o);
        this.emitUser(o.owner, () => W.userOrder(o, "CANCELLATION", this.nowMs));
      }
      const m = this.markets.get(order.marketId);
      if (m) this.publishBook(m, [level], false);
    }
  }

  protected settleTrades(): void {
    if (this.pendingTrades.length === 0) return;
    const keep: typeof this.pendingTrades = [];
    for (const p of this.pendingTrades) {
      if (p.dueMs > this.nowMs) {
        keep.push(p);
        continue;
      }
      p.trade.status = p.status;
      p.trade.lastUpdateSec = Math.floor(this.nowMs / 1000);
      const f = p.trade.fill;
      this.emitUser(f.takerOwner, () => W.userTrade(p.trade, f.takerOwner, this.nowMs));
      if (f.makerOwner !== f.takerOwner) this.emitUser(f.makerOwner, () => W.userTrade(p.trade, f.makerOwner, this.nowMs));
    }
    this.pendingTrades.length = 0;
    this.pendingTrades.push(...keep);
  }

  /** Builds the message only when someone listens (backtests run without listeners). */
  protected emitMarket(m: SimMarket, build: () => WireMarketEvent): void {
    if (this.marketListeners.length === 0) return;
    const ev = build();
    for (const fn of this.marketListeners) fn(ev, m.sched.info.conditionId);
  }
  protected emitUser(owner: string, build: () => WireUserEvent): void {
    if (this.userListeners.length === 0 || this.synthetic.has(owner)) return;
    const ev = build();
    for (const fn of this.userListeners) fn(owner, ev);
  }

  protected hex64(tag: string): string {
    const n = (++this.counter).toString(16).padStart(16, "0");
    return `0x${W.opaqueHash(`${this.cfg.seed}:${tag}:${n}`)}${n.slice(-24).padStart(24, "0")}`;
  }
  protected uuid(tag: string): string {
    const h = W.opaqueHash(`${this.cfg.seed}:${tag}:${++this.counter}`);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** pUSD / share amounts in responses: decimal strings with up to 6 dp. */
function formatAmount(e6: number): string {
  return W.formatAmountE6(e6);
}
