/**
 * The whole simulated exchange, in process: recurring Up/Down markets on a simulated
 * underlying, one matching engine, the accounts ledger and the synthetic participants,
 * driven by explicit time (`advanceTo(wallMs)`), deterministic from a seed.
 *
 * It emits market-channel and user-channel messages as plain objects shaped exactly like
 * Polymarket's wire messages (src/polymarket/wire.ts) plus RTDS price ticks, through
 * listeners; the server only JSON-encodes and routes them. Used directly (no sockets) by
 * backtests and fast end-to-end tests, and by the server for everything else.
 *
 * Order entry (place): market accepting? → duplicate? → GTD expiry → balance and allowance
 * (pUSD notional plus the worst taker fee for a marketable BUY, tokens for a SELL) →
 * matching → fills settled (fee charged to the taker in pUSD) → the rest held and resting.
 * Lifecycle per window: listed (accepting, pre-window book at 0.5) → start (strike fixed)
 * → end (trading stops, resting orders cancelled) → resolve (payout, maker rebates).
 *
 * Time: everything happens at `nowMs`; `advanceTo` walks 100 ms slices, stepping the
 * underlying each whole second, then lifecycle, expiries, heartbeats, trade settlement
 * and the synthetic flow, in that order. Same seed + same calls = same event stream.
 */
import type { OrderType, Side } from "../core/ports.ts";
import { InvariantError } from "../core/result.ts";
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { maxTakerFeeE6, takerFeeE6 } from "../polymarket/fees.ts";
import type { WireMarketEvent, WireUserEvent } from "../polymarket/wire.ts";
import { Accounts, COLLATERAL, ERR_BALANCE } from "./accounts.ts";
import { type DislocationConfig, Dislocations, DISLOCATION_OWNER } from "./dislocation.ts";
import { DEFAULT_FLOW, FLOW_FUNDING_E6, FLOW_OWNERS, type FlowConfig, type FlowView, SyntheticFlow } from "./flow.ts";
import { cashLegE6, type Fill, type LevelChange, MatchingEngine, type OrderSpec, type Outcome, type RestingOrder, yesPriceOf } from "./matching.ts";
import { DEFAULT_SCHEDULE, MarketSchedule, type ScheduleConfig, type ScheduledMarket, settle } from "./schedule.ts";
import { type CoinSymbol, UnderlyingWalk } from "./underlying.ts";
import { SimLedgerView, type SimMarket, type SimOrder, type SimTrade } from "./exchange-state.ts";
import * as W from "./wire-out.ts";

export type { SimMarket, SimOrder, SimTrade } from "./exchange-state.ts";

export interface SimConfig {
  readonly seed: number;
  /** Epoch ms the simulation starts at. */
  readonly startMs: number;
  readonly schedule: ScheduleConfig;
  /** Synthetic participants; null = empty books (tests place what they need). */
  readonly flow: FlowConfig | null;
  /** pUSD a new API key starts with. */
  readonly initialBalanceE6: UsdE6;
  /** Orders of a key are cancelled when no heartbeat came for this long (after a first one). */
  readonly heartbeatTimeoutMs: number;
  /** A trade goes MATCHED → MINED → CONFIRMED after these delays. */
  readonly tradeMinedMs: number;
  readonly tradeConfirmedMs: number;
  /** Switch a market to the 0.001 tick when its book passes 0.96 / 0.04 (protocol notes §3.4). */
  readonly autoTickChange: boolean;
  /** Arbitrage gaps (sim/dislocation.ts); absent or null = none, Polymarket's behaviour. */
  readonly dislocation?: DislocationConfig | null;
}

export const DEFAULT_SIM: SimConfig = {
  seed: 1,
  startMs: 1_780_876_800_000,
  schedule: DEFAULT_SCHEDULE,
  flow: DEFAULT_FLOW,
  initialBalanceE6: 10_000_000_000,
  heartbeatTimeoutMs: 10_000,
  tradeMinedMs: 2_000,
  tradeConfirmedMs: 5_000,
  autoTickChange: true,
};

/** What a client asks for; amounts already converted from the signed order (see `orderFromAmounts`). */
export interface PlaceRequest {
  readonly orderId: string;
  readonly owner: string;
  readonly makerAddress: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  /** FOK/FAK BUY by amount: pUSD to spend; 0 otherwise. */
  readonly budgetE6: UsdE6;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  /** Unix seconds (GTD), 0 = none. */
  readonly expirationSec: number;
}

/** `POST /order` response body (OrderResponse). */
export interface PlaceResponse {
  readonly success: boolean;
  readonly errorMsg: string;
  readonly orderID: string;
  readonly status: "live" | "matched" | "";
  readonly makingAmount: string;
  readonly takingAmount: string;
  readonly transactionsHashes: readonly string[];
  readonly tradeIDs: readonly string[];
}

export interface CancelResponse {
  readonly canceled: string[];
  readonly not_canceled: Record<string, string>;
}

export interface RtdsTickOut {
  readonly symbol: CoinSymbol;
  readonly priceTsMs: number;
  readonly value: number;
  readonly twap60: number;
}

export type MarketListener = (ev: WireMarketEvent, marketId: string) => void;
export type UserListener = (owner: string, ev: WireUserEvent) => void;
export type PriceListener = (tick: RtdsTickOut) => void;

/** API key of the liquidity the test API places. */
export const TEST_BOOK_OWNER = "5157a000-0000-4000-8000-0000000000ff";
export const ERR_NOT_READY = "the market is not yet ready to process new orders";
export const ERR_EXPIRATION = "invalid expiration";
/** GTD orders leave the book one minute before their `expiration` (protocol notes §3.6). */
export const GTD_SECURITY_MS = 60_000;
const SLICE_MS = 100;
const FLOW_STEP_MS = 200;

export class SimExchange extends SimLedgerView {
  readonly cfg: SimConfig;
  readonly walk: UnderlyingWalk;
  readonly schedule: MarketSchedule;
  private readonly flow: SyntheticFlow | null;
  private readonly dislocations: Dislocations | null;
  /** Resting dislocation orders → when their owner pulls them (ms). */
  private readonly dislocationExpiry = new Map<string, number>();
  private flowEnabled: boolean;
  private readonly marketListeners: MarketListener[] = [];
  private readonly userListeners: UserListener[] = [];
  private readonly priceListeners: PriceListener[] = [];
  private readonly heartbeats = new Map<string, { id: string; lastMs: number }>();
  private readonly pendingTrades: { dueMs: number; trade: SimTrade; status: string }[] = [];
  private nextFlowMs: number;
  /** Owners whose records nobody queries: synthetic flow and dislocations. */
  private readonly synthetic = new Set<string>([...Object.values(FLOW_OWNERS), DISLOCATION_OWNER]);
  private counter = 0;

  constructor(cfg: Partial<SimConfig> = {}) {
    const full = { ...DEFAULT_SIM, ...cfg };
    super(new MatchingEngine(), new Accounts());
    this.cfg = full;
    this.nowMs = full.startMs;
    // The walk starts an hour early so the strikes of windows already running exist.
    this.walk = new UnderlyingWalk(full.seed, full.startMs - 3_600_000);
    this.walk.advanceTo(full.startMs);
    this.schedule = new MarketSchedule(full.schedule);
    this.flow = full.flow ? new SyntheticFlow(full.seed, full.flow) : null;
    this.flowEnabled = this.flow !== null;
    this.dislocations = full.dislocation ? new Dislocations(full.seed, full.dislocation) : null;
    if (this.dislocations) {
      this.accounts.open(DISLOCATION_OWNER, FLOW_FUNDING_E6);
      this.addresses.set(DISLOCATION_OWNER, "0x5157a0000000000000000000000000000000000f");
    }
    this.nextFlowMs = full.startMs;
    for (const owner of Object.values(FLOW_OWNERS)) {
      this.accounts.open(owner, FLOW_FUNDING_E6);
      this.addresses.set(owner, `0x${owner.replaceAll("-", "").slice(0, 32)}5157a000`);
    }
    this.runLifecycle();
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

  // ---- time ------------------------------------------------------------------------------

  advanceTo(wallMs: number): void {
    while (this.nowMs < wallMs) {
      const next = Math.min(wallMs, (Math.floor(this.nowMs / SLICE_MS) + 1) * SLICE_MS);
      const crossedSecond = Math.floor(next / 1000) > Math.floor(this.nowMs / 1000);
      this.nowMs = next;
      if (crossedSecond) {
        this.walk.advanceTo(next);
        this.emitPrices();
        this.runLifecycle();
        if (next % 60_000 < SLICE_MS) this.pruneClosed();
      }
      this.expireOrders();
      this.checkHeartbeats();
      this.settleTrades();
      if (this.flow && this.flowEnabled && this.nowMs >= this.nextFlowMs) {
        this.nextFlowMs = this.nowMs + FLOW_STEP_MS;
        this.runFlow(this.flow);
        if (this.dislocations) this.runDislocations(this.dislocations);
      }
    }
  }

  // ---- order entry -----------------------------------------------------------------------

  /** `match = false`: rest without matching (test API `placeUnmatched`, dislocations). */
  place(req: PlaceRequest, match = true): PlaceResponse {
    const fail = (msg: string): PlaceResponse => ({ success: false, errorMsg: msg, orderID: req.orderId, status: "", makingAmount: "", takingAmount: "", transactionsHashes: [], tradeIDs: [] });
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

  // ---- heartbeats (dead-man's switch) ----------------------------------------------------

  /** `POST /v1/heartbeats`: `""` starts a chain; later calls must send the id returned last. */
  heartbeat(owner: string, heartbeatId: string): { ok: true; heartbeatId: string } | { ok: false; expected: string } {
    const hb = this.heartbeats.get(owner);
    if (hb && heartbeatId !== hb.id && heartbeatId !== "") return { ok: false, expected: hb.id };
    if (!hb && heartbeatId !== "") return { ok: false, expected: "" };
    const id = this.uuid("hb");
    this.heartbeats.set(owner, { id, lastMs: this.nowMs });
    return { ok: true, heartbeatId: id };
  }

  // ---- test API --------------------------------------------------------------------------

  /** Adds pUSD to an account (opening it if needed). */
  fund(owner: string, amountE6: UsdE6): void {
    if (!this.accounts.has(owner)) this.accounts.open(owner, 0);
    this.accounts.deposit(owner, amountE6);
  }
  /**
   * Engineered books: rests a GTC/GTD order without matching it, even across the book, so
   * a test can show YES ask + NO ask < $1 (see sim/dislocation.ts for why that needs this).
   */
  placeUnmatched(req: PlaceRequest): PlaceResponse {
    return this.place(req, false);
  }
  setFlowEnabled(on: boolean): void {
    this.flowEnabled = on && this.flow !== null;
  }
  setUnderlying(coin: CoinSymbol, price: number): void {
    this.walk.setPrice(coin, price);
  }
  shockUnderlying(coin: CoinSymbol, relative: number): void {
    this.walk.shock(coin, relative);
  }
  setTickSize(marketId: string, tickE4: number): void {
    const m = this.markets.get(marketId);
    if (m) this.changeTick(m, tickE4);
  }
  /**
   * Places resting liquidity on one token's book for a test (owner TEST_BOOK_OWNER, funded
   * without limit). Asks are placed as BUYs of the other outcome at 1 − price, which is the
   * same level of the shared book and needs no token inventory.
   */
  placeBook(tokenId: string, bids: readonly (readonly [string, string])[], asks: readonly (readonly [string, string])[]): { ok: true; ids: string[] } | { ok: false; error: string } {
    const t = this.marketByToken(tokenId);
    if (!t) return { ok: false, error: "No orderbook exists for the requested token id" };
    const info = t.market.sched.info;
    if (!this.accounts.has(TEST_BOOK_OWNER)) this.openAccount(TEST_BOOK_OWNER, "0x5157000000000000000000000000000000000000");
    const ids: string[] = [];
    const legs: [Outcome, string, string][] = [
      ...bids.map(([p, sz]): [Outcome, string, string] => [t.outcome, p, sz]),
      ...asks.map(([p, sz]): [Outcome, string, string] => [t.outcome === 0 ? 1 : 0, String(1 - Number(p)), sz]),
    ];
    for (const [outcome, priceText, sizeText] of legs) {
      const priceE4 = Math.round(Number(priceText) * ONE_E4);
      const sizeE6 = Math.round(Number(sizeText) * 1e6);
      this.fund(TEST_BOOK_OWNER, cashLegE6(outcome, yesPriceOf(outcome, priceE4), sizeE6));
      const r = this.place({
        orderId: this.hex64("test"),
        owner: TEST_BOOK_OWNER,
        makerAddress: this.addresses.get(TEST_BOOK_OWNER) ?? "",
        tokenId: outcome === 0 ? info.yesTokenId : info.noTokenId,
        side: "BUY",
        priceE4,
        sizeE6,
        budgetE6: 0,
        orderType: "GTC",
        postOnly: false,
        expirationSec: 0,
      });
      if (!r.success) return { ok: false, error: r.errorMsg };
      ids.push(r.orderID);
    }
    return { ok: true, ids };
  }

  /** Cancels every resting order of a market, whoever owns it; returns how many. */
  clearBook(marketId: string): number {
    let n = 0;
    for (const owner of [...this.byOwner.keys()]) n += this.cancelMarket(owner, marketId, "").canceled.length;
    return n;
  }

  /** Ends and resolves a market now (the given winner, or by its rule). */
  resolveNow(marketId: string, winner?: Outcome): void {
    const m = this.markets.get(marketId);
    if (!m || m.state === "resolved") return;
    this.endMarket(m);
    this.resolveMarket(m, winner);
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
    if (this.cfg.autoTickChange && m.book.tickE4 > 10 && ((bestBid > 9600 && bestBid < ONE_E4) || (bestAsk < 400 && bestAsk > 0))) this.changeTick(m, 10);
  }

  private changeTick(m: SimMarket, tickE4: number): void {
    const old = m.book.tickE4;
    if (old === tickE4) return;
    this.engine.setTickSize(m.sched.info.conditionId, tickE4);
    this.emitMarket(m, () => W.tickSizeChange(m, 0, old, tickE4, this.nowMs));
    this.emitMarket(m, () => W.tickSizeChange(m, 1, old, tickE4, this.nowMs));
  }

  private runLifecycle(): void {
    for (const ev of this.schedule.advance(Math.floor(this.nowMs / 1000))) {
      const s = ev.market;
      switch (ev.kind) {
        case "list":
          this.listMarket(s);
          break;
        case "start": {
          const m = this.markets.get(s.info.conditionId);
          if (m) m.strike = s.info.resolution === "twap60" ? this.walk.twap(s.coin, s.startSec) : this.walk.priceAt(s.coin, s.startSec);
          break;
        }
        case "end": {
          const m = this.markets.get(s.info.conditionId);
          if (m) this.endMarket(m);
          break;
        }
        case "resolve": {
          const m = this.markets.get(s.info.conditionId);
          if (m) this.resolveMarket(m);
          break;
        }
      }
    }
    this.pruneResolved();
  }

  private listMarket(s: ScheduledMarket): void {
    const i = s.info;
    if (this.markets.has(i.conditionId)) return;
    const book = this.engine.addMarket(i.conditionId, i.tickE4, i.minSizeE6);
    this.accounts.registerMarket(i.conditionId, i.yesTokenId, i.noTokenId, i.rebateRate);
    const m: SimMarket = { sched: s, book, state: "open", strike: undefined, final: undefined, winner: undefined, lastTradeYesE4: 0, lastBestBid: 0, lastBestAsk: ONE_E4, volumeE6: 0, trades: 0, listedMs: this.nowMs };
    this.markets.set(i.conditionId, m);
    this.tokens.set(i.yesTokenId, { marketId: i.conditionId, outcome: 0 });
    this.tokens.set(i.noTokenId, { marketId: i.conditionId, outcome: 1 });
    this.emitMarket(m, () => W.newMarket(s, this.nowMs));
  }

  private endMarket(m: SimMarket): void {
    if (m.state !== "open") return;
    m.state = "closed";
    const resting = this.engine.removeMarket(m.sched.info.conditionId);
    for (const r of resting) {
      const o = this.orders.get(r.id);
      this.accounts.releaseHold(r.id);
      if (!o) continue;
      o.status = "CANCELED";
      this.unindexOrder(o);
      this.emitUser(o.owner, () => W.userOrder(o, "CANCELLATION", this.nowMs));
    }
    this.emitMarket(m, () => W.bookEvent(m, 0, this.nowMs));
    this.emitMarket(m, () => W.bookEvent(m, 1, this.nowMs));
  }

  private resolveMarket(m: SimMarket, forced?: Outcome): void {
    if (m.state === "resolved") return;
    const s = settle(this.walk, m.sched);
    const winner = forced ?? s.winner;
    m.winner = winner;
    m.final = s.final;
    m.strike ??= s.strike;
    m.state = "resolved";
    m.resolvedMs = this.nowMs;
    this.accounts.resolve(m.sched.info.conditionId, winner);
    this.emitMarket(m, () => W.marketResolved(m.sched, winner, this.nowMs));
  }

  /** Drops the closed orders of synthetic participants (a day of flow is millions of them). */
  private pruneClosed(): void {
    for (const [id, o] of this.orders) if (o.status !== "LIVE" && this.synthetic.has(o.owner)) this.orders.delete(id);
  }

  private pruneResolved(): void {
    for (const [id, m] of this.markets) {
      if (m.state !== "resolved" || m.resolvedMs === undefined || this.nowMs - m.resolvedMs < 2 * 3_600_000) continue;
      this.markets.delete(id);
      this.tokens.delete(m.sched.info.yesTokenId);
      this.tokens.delete(m.sched.info.noTokenId);
    }
  }

  private expireOrders(): void {
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

  private checkHeartbeats(): void {
    for (const [owner, hb] of this.heartbeats) {
      if (this.nowMs - hb.lastMs <= this.cfg.heartbeatTimeoutMs) continue;
      this.heartbeats.delete(owner);
      this.cancelAll(owner);
    }
  }

  private settleTrades(): void {
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

  private emitPrices(): void {
    const sec = this.walk.nowSec();
    for (const c of this.walk.coins) {
      const tick: RtdsTickOut = { symbol: c.symbol, priceTsMs: sec * 1000, value: this.walk.price(c.symbol), twap60: this.walk.twap(c.symbol, sec) };
      for (const fn of this.priceListeners) fn(tick);
    }
  }

  private runFlow(flow: SyntheticFlow): void {
    const view: FlowView = {
      nowMs: this.nowMs,
      markets: () => {
        const out = [];
        for (const m of this.markets.values()) if (m.state === "open") out.push({ market: m.sched, book: m.book, strike: m.strike });
        return out;
      },
      spot: (coin) => this.walk.price(coin),
      spotAt: (coin, sec) => this.walk.priceAt(coin, sec),
      ordersOf: (owner, marketId) => this.restingOf(owner, marketId),
      position: (owner, tokenId) => this.accounts.available(owner, tokenId),
    };
    for (const a of flow.step(view)) {
      if (a.kind === "place") {
        const m = this.markets.get(a.order.marketId);
        if (!m) continue;
        const info = m.sched.info;
        this.place({
          orderId: this.hex64("flow"),
          owner: a.order.owner,
          makerAddress: this.addresses.get(a.order.owner) ?? "",
          tokenId: a.order.outcome === 0 ? info.yesTokenId : info.noTokenId,
          side: a.order.side,
          priceE4: a.order.priceE4,
          sizeE6: a.order.sizeE6,
          budgetE6: a.order.budgetE6,
          orderType: a.order.orderType,
          postOnly: a.order.postOnly,
          expirationSec: 0,
        });
      } else if (a.kind === "cancel") {
        this.cancel(a.owner, [a.orderId]);
      } else {
        this.accounts.merge(a.owner, a.marketId, a.sizeE6);
      }
    }
  }

  /** Rests the knob's dislocations (unmatched) and pulls the ones whose time is up. */
  private runDislocations(d: Dislocations): void {
    for (const [id, dueMs] of this.dislocationExpiry) {
      if (dueMs > this.nowMs) continue;
      this.dislocationExpiry.delete(id);
      if (this.engine.order(id)) this.cancel(DISLOCATION_OWNER, [id]);
    }
    const views = [];
    for (const m of this.markets.values()) {
      if (m.state !== "open") continue;
      const i = m.sched.info;
      views.push({ marketId: i.conditionId, book: m.book, started: m.strike !== undefined, endMs: i.endMs, minSizeE6: i.minSizeE6 });
    }
    for (const o of d.step(this.nowMs, views)) {
      const m = this.markets.get(o.marketId);
      if (!m) continue;
      const info = m.sched.info;
      const orderId = this.hex64("disloc");
      const r = this.place(
        {
          orderId,
          owner: DISLOCATION_OWNER,
          makerAddress: this.addresses.get(DISLOCATION_OWNER) ?? "",
          tokenId: o.outcome === 0 ? info.yesTokenId : info.noTokenId,
          side: "BUY",
          priceE4: o.priceE4,
          sizeE6: o.sizeE6,
          budgetE6: 0,
          orderType: "GTC",
          postOnly: false,
          expirationSec: 0,
        },
        false,
      );
      if (r.success) this.dislocationExpiry.set(orderId, this.nowMs + d.cfg.ttlMs);
    }
  }

  private restingOf(owner: string, marketId: string): RestingOrder[] {
    const out: RestingOrder[] = [];
    for (const id of this.byOwner.get(owner)?.get(marketId) ?? []) {
      const r = this.engine.order(id);
      if (r) out.push(r);
    }
    return out;
  }

  /** Builds the message only when someone listens (backtests run without listeners). */
  private emitMarket(m: SimMarket, build: () => WireMarketEvent): void {
    if (this.marketListeners.length === 0) return;
    const ev = build();
    for (const fn of this.marketListeners) fn(ev, m.sched.info.conditionId);
  }
  private emitUser(owner: string, build: () => WireUserEvent): void {
    if (this.userListeners.length === 0 || this.synthetic.has(owner)) return;
    const ev = build();
    for (const fn of this.userListeners) fn(owner, ev);
  }

  private hex64(tag: string): string {
    const n = (++this.counter).toString(16).padStart(16, "0");
    return `0x${W.opaqueHash(`${this.cfg.seed}:${tag}:${n}`)}${n.slice(-24).padStart(24, "0")}`;
  }
  private uuid(tag: string): string {
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
