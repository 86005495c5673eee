/**
 * `ExchangeClient` for the live Polymarket CLOB: commands in, `ExchangeEvent`s out, over
 * rest.ts, a source of signed orders (the pre-signed pool, else a fresh signature) and the
 * heartbeat sender. The order manager above it is venue-agnostic.
 *
 * Identity: a signed order's id is its EIP-712 hash, known before posting. `place` records
 * hash → clientId first, so a user-channel event that beats the REST reply (fill before
 * ack) is attributed at once: the first of {REST reply, user `order` PLACEMENT, a trade
 * naming the order} emits the `ack`, the others are deduplicated.
 *
 * FOK/FAK are market orders on Polymarket (SDK `createMarketOrder`): they are signed with
 * market amounts. Intents stay in shares: a BUY of `size` at limit `price` spends
 * ⌊size × price⌋ pUSD (floored to the cent; `marketAmountE6`), so it buys at most `size`
 * shares at the limit (slightly fewer when size × price is not whole cents) and more when the
 * book is better; a SELL sells `size` shares floored to 0.01. The order manager closes the
 * order on the exchange's FOK/FAK outcome, whatever the filled size.
 *
 * Failures: a reply that may mean "executed" (timeout, reset, gateway 5xx) is a `reject`
 * with code TIMEOUT_AMBIGUOUS and the order's hash, which the order manager resolves with
 * `fetchOrder`. Nothing is ever resent here.
 *
 * User channel: `onUserMessage(event)` takes events decoded by user-channel.ts; the socket
 * is wired by whoever owns it. Our fills are the trade's taker side when we were the taker
 * and our `maker_orders[]` entries (by API key or maker address) when we were makers.
 */
import type { Clock } from "../core/clock.ts";
import type {
  BalanceSnapshot,
  ExchangeClient,
  ExchangeEvent,
  OpenOrderSnapshot,
  OrderIntent,
  OrderLookup,
  RejectCode,
  Side,
} from "../core/ports.ts";
import { InvariantError } from "../core/result.ts";
import type { PriceE4, SizeE6, TickE4, UsdE6 } from "../core/units.ts";
import { type AmountMode, marketAmountE6 } from "./amounts.ts";
import { takerFeeE6 } from "./fees.ts";
import { type ApiCreds, l2Headers } from "./auth.ts";
import { type OrderSigner, orderPostBody, type SignedOrder } from "./signing.ts";
import type { HeartbeatEvent, HeartbeatSender } from "./heartbeat.ts";
import { toError } from "./rest-errors.ts";
import type { L2Auth, OrderPostOutcome, PolymarketRest } from "./rest.ts";
import type { OrderStatus, UserEvent, UserOrderEvent, UserTradeEvent } from "./user-channel.ts";

/** A signed order ready to post: its hash and the exact `POST /order` body. */
export interface PostableOrder {
  readonly orderId: string;
  readonly body: string;
  /** True when it came from the pre-signed pool. */
  readonly pooled: boolean;
}

export type SignOutcome =
  | { readonly ok: true; readonly order: PostableOrder }
  | { readonly ok: false; readonly code: RejectCode; readonly reason: string };

/** Where signed orders come from (`SignerOrderSource`: the pool, else the signer). */
export interface OrderSource {
  signed(intent: OrderIntent): SignOutcome;
  prepare(intents: readonly OrderIntent[]): void;
}

/** Binds API credentials and the EOA address into the REST client's `L2Auth` (the secret stays in `creds`). */
export function l2AuthFrom(creds: ApiCreds, address: string): L2Auth {
  return {
    headers: (ts, method, path, body) => {
      const h = l2Headers(creds, address, ts, method, path, body);
      return {
        POLY_ADDRESS: h.POLY_ADDRESS,
        POLY_SIGNATURE: h.POLY_SIGNATURE,
        POLY_TIMESTAMP: h.POLY_TIMESTAMP,
        POLY_API_KEY: h.POLY_API_KEY,
        POLY_PASSPHRASE: h.POLY_PASSPHRASE,
      };
    },
  };
}

/** What signing needs to know about a token's market. */
export interface TokenMarket {
  readonly tickE4: TickE4;
  readonly negRisk: boolean;
  readonly exchangeVersion: 2 | 3;
}

/**
 * The pre-signed pool as the order path sees it: an O(1) take by (token, side, price, size).
 * `mode` "market" (FOK/FAK) must only return an order whose amounts are the market order's.
 */
export interface SignedOrderPool {
  take(tokenId: string, side: Side, priceE4: PriceE4, sizeE6: SizeE6, mode?: AmountMode): SignedOrder | undefined;
}

export interface SignerOrderSourceOptions {
  readonly signer: OrderSigner;
  /** API key: the `owner` field of every post body. */
  readonly owner: string;
  readonly clock: Clock;
  readonly marketOf: (tokenId: string) => TokenMarket | undefined;
  /** Unique integers < 2^53 (seeded in tests). */
  readonly nextSalt: () => number;
  readonly pool?: SignedOrderPool;
  /** Called with `prepare`'s intents (wire to the pool's planner / refill). */
  readonly onPrepare?: (intents: readonly OrderIntent[]) => void;
}

/**
 * The live `OrderSource`: a pooled order when the pool has this exact (token, side, price,
 * size) and the intent has no expiry (pooled orders are signed without one), else a fresh
 * signature (counted as a miss). FOK/FAK intents are signed as market orders (see the file
 * header) and taken from the pool only when the pooled bytes equal those. Invalid parameters
 * become INVALID_ORDER / INVALID_TICK rejects with the signer's message, never a throw.
 */
export class SignerOrderSource implements OrderSource {
  readonly stats = { pooled: 0, fresh: 0, failed: 0 };
  constructor(private readonly o: SignerOrderSourceOptions) {}

  signed(i: OrderIntent): SignOutcome {
    const m = this.o.marketOf(i.tokenId);
    if (!m) return { ok: false, code: "MARKET_CLOSED", reason: `no market known for token ${i.tokenId}` };
    if (i.postOnly && (i.orderType === "FOK" || i.orderType === "FAK")) {
      return { ok: false, code: "INVALID_ORDER", reason: "postOnly is only allowed with GTC and GTD" };
    }
    const mode: AmountMode = i.orderType === "FOK" || i.orderType === "FAK" ? "market" : "limit";
    let order = i.expirationSec === 0 ? this.o.pool?.take(i.tokenId, i.side, i.priceE4, i.sizeE6, mode) : undefined;
    const pooled = order !== undefined;
    if (!order) {
      try {
        order = this.o.signer.sign({
          tokenId: i.tokenId,
          side: i.side,
          priceE4: i.priceE4,
          // Market BUY: pUSD to spend; market SELL and limit orders: shares.
          sizeE6: mode === "market" ? marketAmountE6(i.side, i.priceE4, i.sizeE6) : i.sizeE6,
          amountMode: mode,
          tickE4: m.tickE4,
          negRisk: m.negRisk,
          exchangeVersion: m.exchangeVersion,
          salt: this.o.nextSalt(),
          timestampMs: this.o.clock.wallMs(),
          expirationSec: i.expirationSec,
        });
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.stats.failed++;
        return {
          ok: false,
          code: e.message.startsWith("tickE4") || e.message.startsWith("priceE4") ? "INVALID_TICK" : "INVALID_ORDER",
          reason: e.message,
        };
      }
      this.stats.fresh++;
    } else this.stats.pooled++;
    return { ok: true, order: { orderId: order.orderId, body: orderPostBody(order, this.o.owner, i.orderType, i.postOnly), pooled } };
  }

  prepare(intents: readonly OrderIntent[]): void {
    this.o.onPrepare?.(intents);
  }
}

export interface ExchangeIdentity {
  /** API key: the `owner` of our orders and trades. */
  readonly apiKey: string;
  /** The funder / deposit wallet that makes our orders (`maker_address`). */
  readonly makerAddress: string;
}

export interface PolymarketExchangeOptions {
  readonly rest: PolymarketRest;
  readonly orders: OrderSource;
  readonly clock: Clock;
  readonly identity: ExchangeIdentity;
  readonly heartbeat?: HeartbeatSender;
  /** Taker fee parameters per token (MarketInfo.feeRate / feeExponent); none → fee 0. */
  readonly feeOf?: (tokenId: string) => { readonly rate: number; readonly exponent: number } | undefined;
  /** On-chain merge (CTF / router); without it `merge` is a composition error. */
  readonly merger?: (conditionId: string, sizeE6: SizeE6) => Promise<void>;
}

export interface ExchangeClientStats {
  placed: number;
  pooled: number;
  signFailures: number;
  acks: number;
  rejects: Partial<Record<RejectCode, number>>;
  cancelsSent: number;
  userEvents: number;
  unknownTradeStatus: number;
}

interface InFlight {
  readonly clientId: string;
  readonly intent: OrderIntent;
  acked: boolean;
}

/** Orders remembered for attribution; far above any live book of ours. */
const MAX_TRACKED = 20_000;

const ACK_STATUS: Partial<Record<OrderStatus, "live" | "matched" | "delayed" | "unmatched">> = {
  LIVE: "live",
  MATCHED: "matched",
  DELAYED: "delayed",
  UNMATCHED: "unmatched",
};

export class PolymarketExchangeClient implements ExchangeClient {
  readonly stats: ExchangeClientStats = {
    placed: 0,
    pooled: 0,
    signFailures: 0,
    acks: 0,
    rejects: {},
    cancelsSent: 0,
    userEvents: 0,
    unknownTradeStatus: 0,
  };
  private readonly rest: PolymarketRest;
  private readonly orders: OrderSource;
  private readonly clock: Clock;
  private readonly apiKey: string;
  private readonly maker: string;
  private readonly heartbeat: HeartbeatSender | undefined;
  private readonly feeOf: PolymarketExchangeOptions["feeOf"];
  private readonly merger: PolymarketExchangeOptions["merger"];
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  /** Every order we posted this session, by hash (kept until closed). */
  private readonly ours = new Map<string, InFlight>();
  /** Orders acked and not yet closed: sizes the cancel-all rate-limit charge. */
  private readonly open = new Set<string>();
  private heartbeatLapsed = false;
  private readonly offHeartbeat: (() => void) | undefined;

  constructor(opts: PolymarketExchangeOptions) {
    this.rest = opts.rest;
    this.orders = opts.orders;
    this.clock = opts.clock;
    this.apiKey = opts.identity.apiKey;
    this.maker = opts.identity.makerAddress.toLowerCase();
    this.heartbeat = opts.heartbeat;
    this.feeOf = opts.feeOf;
    this.merger = opts.merger;
    this.offHeartbeat = this.heartbeat?.onEvent((e) => this.onHeartbeat(e));
  }

  onEvent(listener: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  prepare(intents: readonly OrderIntent[]): void {
    this.orders.prepare(intents);
  }

  place(intents: readonly OrderIntent[]): void {
    const batch: { orderId: string; clientId: string; body: string }[] = [];
    for (const intent of intents) {
      const s = this.orders.signed(intent);
      if (!s.ok) {
        this.stats.signFailures++;
        this.later({ kind: "reject", clientId: intent.clientId, orderId: "", code: s.code, message: s.reason, atNs: this.clock.nowNs() });
        continue;
      }
      this.stats.placed++;
      if (s.order.pooled) this.stats.pooled++;
      this.ours.set(s.order.orderId, { clientId: intent.clientId, intent, acked: false });
      if (this.ours.size > MAX_TRACKED) this.pruneOldest();
      batch.push({ orderId: s.order.orderId, clientId: intent.clientId, body: s.order.body });
    }
    if (batch.length === 0) return;
    const sent =
      batch.length === 1
        ? this.rest.postOrder((batch[0] as { body: string }).body).then((r) => [r])
        : this.rest.postOrders(batch.map((b) => b.body));
    void sent.then((outs) => {
      outs.forEach((o, i) => {
        this.onPostOutcome(batch[i] as { orderId: string; clientId: string }, o);
      });
    });
  }

  cancel(orderIds: readonly string[]): void {
    if (orderIds.length === 0) return;
    this.stats.cancelsSent += orderIds.length;
    void this.rest.cancelOrders(orderIds).then((r) => this.onCancelOutcome(orderIds, r));
  }

  cancelAll(): void {
    this.stats.cancelsSent++;
    const max = this.rest.maxCancelAllItems();
    // A cancel-all costs 1 + N tokens and fails whole above the burst: cancel what we know
    // by id first (chunked to the burst), then sweep the rest with cancel-all.
    if (this.open.size > max) this.cancel([...this.open]);
    void this.rest.cancelAll(Math.min(this.open.size, max)).then((r) => this.onCancelOutcome([], r));
  }

  merge(conditionId: string, sizeE6: SizeE6): void {
    if (!this.merger) throw new InvariantError("merge needs an on-chain merger: configure PolymarketExchangeOptions.merger");
    void this.merger(conditionId, sizeE6).then(() => this.emit({ kind: "merged", conditionId, sizeE6, atNs: this.clock.nowNs() }));
  }

  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    const r = await this.rest.getOpenOrders();
    if (!r.ok) throw toError(r, "GET /data/orders");
    return r.value;
  }

  async fetchOrder(orderId: string): Promise<OrderLookup | null> {
    const r = await this.rest.getOrder(orderId);
    if (!r.ok) throw toError(r, `GET /data/order/${orderId}`);
    return r.value;
  }

  async fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot> {
    const [cash, ...tokens] = await Promise.all([
      this.rest.getBalanceAllowance("COLLATERAL"),
      ...tokenIds.map((t) => this.rest.getBalanceAllowance("CONDITIONAL", t)),
    ]);
    if (!cash?.ok)
      throw toError(cash ?? { ok: false, code: "UNKNOWN", reason: "no reply", status: 0, retryAfterMs: 0 }, "GET /balance-allowance");
    const positionsE6 = new Map<string, SizeE6>();
    tokens.forEach((t, i) => {
      if (!t.ok) throw toError(t, `GET /balance-allowance token ${tokenIds[i]}`);
      positionsE6.set(tokenIds[i] as string, t.value.balanceE6);
    });
    return { collateralE6: cash.value.balanceE6, positionsE6 };
  }

  async close(): Promise<void> {
    this.heartbeat?.stop();
    this.offHeartbeat?.();
  }

  /** Feeds one decoded user-channel event (`order` or `trade`). */
  onUserMessage(ev: UserEvent): void {
    this.stats.userEvents++;
    if (ev.type === "order") this.onUserOrder(ev);
    else this.onUserTrade(ev);
  }

  // ── internals ────────────────────────────────────────────────────────────

  private onPostOutcome(b: { orderId: string; clientId: string }, o: OrderPostOutcome): void {
    const now = this.clock.nowNs();
    if (o.ok) {
      const status = o.value.status === "" || o.value.status === "unknown" ? "live" : o.value.status;
      const f = this.ours.get(b.orderId);
      this.ackOnce(b.orderId, status, now);
      // A FOK/FAK matched at once never rests: the reply's amounts are all it will fill, the
      // rest is killed, and the user channel says nothing more about the order itself.
      const type = f?.intent.orderType;
      if (f && status === "matched" && (type === "FOK" || type === "FAK")) {
        const matchedE6 = f.intent.side === "BUY" ? o.value.takingAmountE6 : o.value.makingAmountE6;
        if (matchedE6 > 0) this.closed(b.orderId, matchedE6 >= f.intent.sizeE6 ? "filled" : "cancelled", now, matchedE6);
      }
      return;
    }
    const f = this.ours.get(b.orderId);
    if (f?.acked) return; // the user channel already told us it was accepted
    if (o.code !== "TIMEOUT_AMBIGUOUS") this.ours.delete(b.orderId);
    this.stats.rejects[o.code] = (this.stats.rejects[o.code] ?? 0) + 1;
    this.emit({ kind: "reject", clientId: b.clientId, orderId: b.orderId, code: o.code, message: o.reason, atNs: now });
  }

  private ackOnce(orderId: string, status: "live" | "matched" | "delayed" | "unmatched", atNs: number): void {
    const f = this.ours.get(orderId);
    if (!f || f.acked) return;
    f.acked = true;
    this.stats.acks++;
    if (status !== "unmatched") this.open.add(orderId);
    this.emit({ kind: "ack", clientId: f.clientId, orderId, status, atNs });
  }

  private onCancelOutcome(orderIds: readonly string[], r: Awaited<ReturnType<PolymarketRest["cancelOrders"]>>): void {
    const now = this.clock.nowNs();
    if (!r.ok) {
      for (const id of orderIds) this.emit({ kind: "cancel_failed", orderId: id, message: `${r.code}: ${r.reason}`, atNs: now });
      return;
    }
    for (const id of r.value.canceled) this.closed(id, "cancelled", now);
    for (const [id, why] of r.value.notCanceled) this.emit({ kind: "cancel_failed", orderId: id, message: why, atNs: now });
  }

  private closed(orderId: string, reason: "cancelled" | "expired" | "filled" | "market_closed", atNs: number, matchedE6?: number): void {
    this.open.delete(orderId);
    this.ours.delete(orderId);
    this.emit(
      matchedE6 === undefined
        ? { kind: "order_closed", orderId, reason, atNs }
        : { kind: "order_closed", orderId, reason, matchedE6, atNs },
    );
  }

  private onUserOrder(ev: UserOrderEvent): void {
    const now = this.clock.nowNs();
    const mine = this.ours.get(ev.orderId);
    if (ev.kind === "CANCELLATION" || ev.status === "CANCELED" || ev.status === "INVALID") {
      const expired = ev.expirationMs > 0 && ev.timestampMs >= ev.expirationMs;
      const reason = ev.statusDetail.includes("MARKET_RESOLVED") ? "market_closed" : expired ? "expired" : "cancelled";
      if (mine && !mine.acked) this.ackOnce(ev.orderId, "live", now);
      this.closed(ev.orderId, reason, now);
      return;
    }
    const status = ACK_STATUS[ev.status] ?? "live";
    if (mine) this.ackOnce(ev.orderId, status, now);
    else if (ev.kind === "PLACEMENT" && ev.owner === this.apiKey) {
      // Ours but not from this session (another process, a restart): the manager decides.
      this.emit({ kind: "ack", clientId: "", orderId: ev.orderId, status, atNs: now });
    }
    if (ev.status === "MATCHED" && ev.originalSizeE6 > 0 && ev.sizeMatchedE6 >= ev.originalSizeE6) this.closed(ev.orderId, "filled", now);
  }

  private onUserTrade(t: UserTradeEvent): void {
    if (t.status === "UNKNOWN") {
      this.stats.unknownTradeStatus++;
      return;
    }
    const now = this.clock.nowNs();
    const status = t.status;
    if (t.traderSide === "TAKER" && (t.owner === this.apiKey || this.ours.has(t.takerOrderId))) {
      if (this.ours.has(t.takerOrderId)) this.ackOnce(t.takerOrderId, "matched", now);
      const fee = this.takerFee(t.assetId, t.sizeE6, t.priceE4);
      this.fill(t, t.takerOrderId, t.assetId, t.side, t.priceE4, t.sizeE6, fee, "taker", status, now);
    }
    for (const m of t.makerOrders) {
      const isOurs = m.owner === this.apiKey || m.makerAddress.toLowerCase() === this.maker || this.ours.has(m.orderId);
      if (!isOurs) continue;
      if (this.ours.has(m.orderId)) this.ackOnce(m.orderId, "live", now);
      const side: Side = m.side !== "" ? m.side : t.side === "BUY" ? "SELL" : "BUY";
      this.fill(t, m.orderId, m.assetId || t.assetId, side, m.priceE4, m.matchedSizeE6, 0, "maker", status, now);
    }
  }

  private fill(
    t: UserTradeEvent,
    orderId: string,
    tokenId: string,
    side: Side,
    priceE4: number,
    sizeE6: SizeE6,
    feeE6: UsdE6,
    liquidity: "maker" | "taker",
    status: Exclude<UserTradeEvent["status"], "UNKNOWN">,
    atNs: number,
  ): void {
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
      status,
      exchTsMs: Math.max(0, t.matchTimeMs),
      atNs,
    });
  }

  private takerFee(tokenId: string, sizeE6: SizeE6, priceE4: number): UsdE6 {
    const f = this.feeOf?.(tokenId);
    return f ? takerFeeE6(sizeE6, priceE4, f.rate, f.exponent) : 0;
  }

  private onHeartbeat(e: HeartbeatEvent): void {
    if (e.kind === "lapsed") {
      this.heartbeatLapsed = true;
      this.emit({
        kind: "connection",
        state: "stale",
        atNs: e.atNs,
        reason: `heartbeat lapsed ${e.sinceLastOkMs} ms: the exchange may have cancelled all orders`,
      });
    } else if (e.kind === "ok" && this.heartbeatLapsed) {
      this.heartbeatLapsed = false;
      this.emit({ kind: "connection", state: "resynced", atNs: e.atNs, reason: "heartbeat restored" });
    }
  }

  /** Forgets the oldest acked orders (filled ones whose close we never saw) past the cap. */
  private pruneOldest(): void {
    for (const [id, f] of this.ours) {
      if (this.ours.size <= MAX_TRACKED * 0.9) return;
      if (f.acked) {
        this.ours.delete(id);
        this.open.delete(id);
      }
    }
  }

  /** Emits after the current call returns, so a `place` never re-enters its caller. */
  private later(ev: ExchangeEvent): void {
    queueMicrotask(() => this.emit(ev));
  }

  private emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
}
