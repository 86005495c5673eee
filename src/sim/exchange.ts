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
 * Layers: `SimLedgerView` (exchange-state.ts, records and queries) ← `SimExchangeCore`
 * (exchange-core.ts, order entry, fills, cancels, publication) ← this file (time, market
 * lifecycle, heartbeats, synthetic flow and dislocations, test API). Config and message
 * shapes live in exchange-types.ts and are re-exported here.
 *
 * Lifecycle per window: listed (accepting, pre-window book at 0.5) → start (strike fixed)
 * → end (trading stops, resting orders cancelled) → resolve (payout, maker rebates).
 *
 * Time: everything happens at `nowMs`; `advanceTo` walks 100 ms slices, stepping the
 * underlying each whole second, then lifecycle, expiries, heartbeats, trade settlement
 * and the synthetic flow, in that order. Same seed + same calls = same event stream.
 */
import { ONE_E4, type UsdE6 } from "../core/units.ts";
import { DISLOCATION_OWNER, Dislocations } from "./dislocation.ts";
import { FLOW_FUNDING_E6, FLOW_OWNERS, type FlowView, SyntheticFlow } from "./flow.ts";
import { cashLegE6, type Outcome, type RestingOrder, yesPriceOf } from "./matching.ts";
import { MarketSchedule, type ScheduledMarket, settle } from "./schedule.ts";
import { type CoinSymbol, UnderlyingWalk } from "./underlying.ts";
import { fillLegsIn, type SimMarket, type SimTrade } from "./exchange-state.ts";
import { SimExchangeCore } from "./exchange-core.ts";
import { DEFAULT_SIM, type PlaceRequest, type PlaceResponse, type RtdsTickOut, type SimConfig, TEST_BOOK_OWNER } from "./exchange-types.ts";
import * as W from "./wire-out.ts";

export type { SimMarket, SimOrder, SimTrade } from "./exchange-state.ts";
export { SimExchangeCore } from "./exchange-core.ts";
export { DEFAULT_SIM, ERR_EXPIRATION, ERR_NOT_READY, GTD_SECURITY_MS, TEST_BOOK_OWNER } from "./exchange-types.ts";
export type {
  CancelResponse,
  MarketListener,
  PlaceRequest,
  PlaceResponse,
  PriceListener,
  RtdsTickOut,
  SimConfig,
  UserListener,
} from "./exchange-types.ts";

const SLICE_MS = 100;
const FLOW_STEP_MS = 200;

export class SimExchange extends SimExchangeCore {
  readonly walk: UnderlyingWalk;
  readonly schedule: MarketSchedule;
  private readonly flow: SyntheticFlow | null;
  private readonly dislocations: Dislocations | null;
  /** Resting dislocation orders → when their owner pulls them (ms). */
  private readonly dislocationExpiry = new Map<string, number>();
  private flowEnabled: boolean;
  private readonly heartbeats = new Map<string, { id: string; lastMs: number }>();
  private nextFlowMs: number;

  constructor(cfg: Partial<SimConfig> = {}) {
    const full = { ...DEFAULT_SIM, ...cfg };
    super(full);
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
  placeBook(
    tokenId: string,
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ): { ok: true; ids: string[] } | { ok: false; error: string } {
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
    const m: SimMarket = {
      sched: s,
      book,
      state: "open",
      strike: undefined,
      final: undefined,
      winner: undefined,
      lastTradeYesE4: 0,
      lastBestBid: 0,
      lastBestAsk: ONE_E4,
      volumeE6: 0,
      trades: 0,
      listedMs: this.nowMs,
    };
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

  /**
   * Drops the closed orders of synthetic participants (a day of flow is millions of them) and,
   * with `retainClosedMs`, a key's closed orders and final trades older than that.
   */
  private pruneClosed(): void {
    const keep = this.cfg.retainClosedMs;
    const cutoffSec = keep === undefined ? Number.NEGATIVE_INFINITY : Math.floor((this.nowMs - keep) / 1000);
    for (const [id, o] of this.orders) {
      if (o.status === "LIVE") continue;
      if (this.synthetic.has(o.owner)) this.orders.delete(id);
      else if (o.createdAtSec < cutoffSec) {
        this.orders.delete(id);
        this.seen.delete(id);
      }
    }
    if (keep !== undefined) this.forgetTrades(cutoffSec);
  }

  /** Forgets final trades matched before `cutoffSec` (per-owner lists are in match order). */
  private forgetTrades(cutoffSec: number): void {
    for (const [owner, ids] of this.tradesByOwner) {
      let n = 0;
      let legs = 0;
      for (; n < ids.length; n++) {
        const t = this.trades.get(ids[n] as string);
        if (t && (t.matchTimeSec >= cutoffSec || (t.status !== "CONFIRMED" && t.status !== "FAILED"))) break;
        if (t) legs += fillLegsIn(t, owner);
      }
      if (n === 0) continue;
      for (const id of ids.splice(0, n)) {
        const t = this.trades.get(id);
        // Another owner's list may still hold it (we traded with another key): drop it when both let go.
        if (t && !this.stillListed(t, owner)) this.trades.delete(id);
      }
      this.forgottenFillLegs.set(owner, (this.forgottenFillLegs.get(owner) ?? 0) + legs);
    }
  }

  private stillListed(t: SimTrade, except: string): boolean {
    for (const o of [t.fill.makerOwner, t.fill.takerOwner]) {
      if (o === except || this.synthetic.has(o)) continue;
      if ((this.tradesByOwner.get(o) ?? []).includes(t.id)) return true;
    }
    return false;
  }

  private pruneResolved(): void {
    for (const [id, m] of this.markets) {
      if (m.state !== "resolved" || m.resolvedMs === undefined || this.nowMs - m.resolvedMs < 2 * 3_600_000) continue;
      this.markets.delete(id);
      this.tokens.delete(m.sched.info.yesTokenId);
      this.tokens.delete(m.sched.info.noTokenId);
    }
  }

  private checkHeartbeats(): void {
    for (const [owner, hb] of this.heartbeats) {
      if (this.nowMs - hb.lastMs <= this.cfg.heartbeatTimeoutMs) continue;
      this.heartbeats.delete(owner);
      this.cancelAll(owner);
    }
  }

  private emitPrices(): void {
    const sec = this.walk.nowSec();
    for (const c of this.walk.coins) {
      const tick: RtdsTickOut = {
        symbol: c.symbol,
        priceTsMs: sec * 1000,
        value: this.walk.price(c.symbol),
        twap60: this.walk.twap(c.symbol, sec),
      };
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
}
