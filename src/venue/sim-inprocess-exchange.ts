/**
 * `InProcessExchange`: the `ExchangeClient` half of the in-process simulator venue
 * (sim-inprocess.ts). Commands reach `SimExchange` `latencyMs` after they are issued; the
 * simulator's user-channel messages for our API key go through `decodeUserObject` and reach
 * the bot `latencyMs` later as acks, rejects, fills and closes. No signing, no REST codecs.
 * Fault hook for tests: `connection(state, reason)` (a venue connection event).
 */
import type { Clock } from "../core/clock.ts";
import type {
  BalanceSnapshot,
  ConnectionState,
  ExchangeClient,
  ExchangeEvent,
  OpenOrderSnapshot,
  OrderIntent,
  OrderLookup,
  Side,
  VenueOrderStatus,
} from "../core/ports.ts";
import { parseSizeE6, type SizeE6 } from "../core/units.ts";
import { takerFeeE6 } from "../polymarket/fees.ts";
import { codeOfMessage } from "../polymarket/rest-errors.ts";
import { decodeUserObject, type UserOrderEvent, type UserTradeEvent } from "../polymarket/user-channel.ts";
import type { SimExchange, SimOrder } from "../sim/exchange.ts";
import { DelayQueue } from "./latency-queues.ts";

export interface InProcessExchangeOptions {
  readonly sim: SimExchange;
  readonly clock: Clock;
  /** Our API key (the simulator's account owner) and maker address. */
  readonly apiKey: string;
  readonly address: string;
  readonly latencyMs?: number;
}

export class InProcessExchange implements ExchangeClient {
  readonly apiKey: string;
  readonly stats = { placed: 0, rejected: 0, cancels: 0, cancelAlls: 0, merges: 0, fills: 0 };
  private readonly sim: SimExchange;
  private readonly clock: Clock;
  private readonly out: DelayQueue;
  private readonly back: DelayQueue;
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  private readonly off: () => void;
  private seq = 0;

  constructor(opts: InProcessExchangeOptions) {
    this.sim = opts.sim;
    this.clock = opts.clock;
    this.apiKey = opts.apiKey;
    this.out = new DelayQueue(opts.clock, opts.latencyMs ?? 1);
    this.back = new DelayQueue(opts.clock, opts.latencyMs ?? 1);
    this.sim.openAccount(opts.apiKey, opts.address);
    this.off = this.sim.onUser((owner, ev) => {
      if (owner !== this.apiKey) return;
      const decoded = decodeUserObject(ev);
      if ("ok" in decoded) return;
      this.back.push(() => (decoded.type === "order" ? this.onOrder(decoded) : this.onTrade(decoded)));
    });
  }

  place(intents: readonly OrderIntent[]): void {
    const batch = intents.map((i) => ({ intent: i, orderId: this.nextOrderId() }));
    this.out.push(() => {
      for (const { intent: i, orderId } of batch) {
        const r = this.sim.place({
          orderId,
          owner: this.apiKey,
          makerAddress: this.sim.addressOf(this.apiKey),
          tokenId: i.tokenId,
          side: i.side,
          priceE4: i.priceE4,
          sizeE6: i.sizeE6,
          budgetE6: 0,
          orderType: i.orderType,
          postOnly: i.postOnly,
          expirationSec: i.expirationSec,
        });
        const immediate = i.orderType === "FOK" || i.orderType === "FAK";
        this.back.push(() => {
          const atNs = this.clock.nowNs();
          if (!r.success) {
            this.stats.rejected++;
            this.emit({
              kind: "reject",
              clientId: i.clientId,
              orderId,
              code: codeOfMessage(r.errorMsg) ?? "UNKNOWN",
              message: r.errorMsg,
              atNs,
            });
            return;
          }
          this.stats.placed++;
          const status = r.status === "matched" ? "matched" : immediate ? "unmatched" : "live";
          this.emit({ kind: "ack", clientId: i.clientId, orderId, status, atNs });
          // A FOK/FAK matched at once: the reply's amounts are all it fills, the rest is killed.
          if (immediate && status === "matched") {
            const matchedE6 = parseSizeE6((i.side === "BUY" ? r.takingAmount : r.makingAmount) || "0");
            this.emit({ kind: "order_closed", orderId, reason: matchedE6 >= i.sizeE6 ? "filled" : "cancelled", matchedE6, atNs });
          }
        });
      }
    });
  }

  cancel(orderIds: readonly string[]): void {
    if (orderIds.length === 0) return;
    const ids = [...orderIds];
    this.stats.cancels += ids.length;
    this.out.push(() => {
      const r = this.sim.cancel(this.apiKey, ids);
      const failed = Object.entries(r.not_canceled);
      if (failed.length === 0) return;
      this.back.push(() => {
        for (const [orderId, message] of failed) this.emit({ kind: "cancel_failed", orderId, message, atNs: this.clock.nowNs() });
      });
    });
  }

  cancelAll(): void {
    this.stats.cancelAlls++;
    this.out.push(() => void this.sim.cancelAll(this.apiKey));
  }

  prepare(): void {
    // Nothing to warm: no signatures in process.
  }

  merge(conditionId: string, sizeE6: SizeE6): void {
    this.out.push(() => {
      const done = this.sim.merge(this.apiKey, conditionId, sizeE6);
      if (!done) return;
      this.stats.merges++;
      this.back.push(() => this.emit({ kind: "merged", conditionId, sizeE6, atNs: this.clock.nowNs() }));
    });
  }

  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return this.sim.openOrders(this.apiKey).map(snapshotOf);
  }

  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    const o = this.sim.order(orderId);
    if (!o || o.owner !== this.apiKey) return null;
    const status: VenueOrderStatus = o.status === "LIVE" ? "live" : o.status === "MATCHED" ? "matched" : "cancelled";
    return { ...snapshotOf(o), status };
  }

  async fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot> {
    const positionsE6 = new Map<string, SizeE6>();
    for (const t of tokenIds) positionsE6.set(t, this.sim.balanceOf(this.apiKey, t));
    return { collateralE6: this.sim.collateral(this.apiKey), positionsE6 };
  }

  async close(): Promise<void> {
    this.off();
    this.out.clear();
    this.back.clear();
  }

  /** A venue connection event (the user channel dropped / came back). */
  connection(state: ConnectionState, reason: string): void {
    this.emit({ kind: "connection", state, atNs: this.clock.nowNs(), reason });
  }

  private onOrder(ev: UserOrderEvent): void {
    const atNs = this.clock.nowNs();
    if (ev.kind === "CANCELLATION" || ev.status === "CANCELED") {
      const reason = ev.statusDetail.includes("MARKET_RESOLVED") ? "market_closed" : "cancelled";
      this.emit({ kind: "order_closed", orderId: ev.orderId, reason, atNs });
      return;
    }
    if (ev.status === "MATCHED" && ev.originalSizeE6 > 0 && ev.sizeMatchedE6 >= ev.originalSizeE6) {
      this.emit({ kind: "order_closed", orderId: ev.orderId, reason: "filled", atNs });
    }
  }

  private onTrade(t: UserTradeEvent): void {
    if (t.status === "UNKNOWN") return;
    const atNs = this.clock.nowNs();
    if (t.traderSide === "TAKER" && t.owner === this.apiKey) {
      const info = this.sim.marketByToken(t.assetId)?.market.sched.info;
      const fee = info ? takerFeeE6(t.sizeE6, t.priceE4, info.feeRate, info.feeExponent) : 0;
      this.fill(t, t.takerOrderId, t.assetId, t.side, t.priceE4, t.sizeE6, fee, "taker", atNs);
    }
    for (const m of t.makerOrders) {
      if (m.owner !== this.apiKey) continue;
      const side: Side = m.side !== "" ? m.side : t.side === "BUY" ? "SELL" : "BUY";
      this.fill(t, m.orderId, m.assetId || t.assetId, side, m.priceE4, m.matchedSizeE6, 0, "maker", atNs);
    }
  }

  private fill(
    t: UserTradeEvent,
    orderId: string,
    tokenId: string,
    side: Side,
    priceE4: number,
    sizeE6: SizeE6,
    feeE6: number,
    liquidity: "maker" | "taker",
    atNs: number,
  ): void {
    if (t.status === "UNKNOWN") return;
    if (t.status === "MATCHED") this.stats.fills++;
    this.emit({
      kind: "fill",
      tradeId: t.tradeId,
      orderId,
      tokenId,
      side,
      priceE4,
      sizeE6,
      feeE6,
      liquidity,
      status: t.status,
      exchTsMs: Math.max(0, t.matchTimeMs),
      atNs,
    });
  }

  private nextOrderId(): string {
    // Unique per venue instance; shaped like an order hash.
    return `0x${(++this.seq).toString(16).padStart(24, "0")}${this.apiKey.replaceAll("-", "").slice(0, 32).padEnd(40, "0")}`;
  }

  private emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

function snapshotOf(o: SimOrder): OpenOrderSnapshot {
  return {
    orderId: o.id,
    conditionId: o.marketId,
    tokenId: o.tokenId,
    side: o.side,
    priceE4: o.priceE4,
    originalSizeE6: o.originalSizeE6,
    matchedSizeE6: o.matchedE6,
    createdAtSec: o.createdAtSec,
  };
}
