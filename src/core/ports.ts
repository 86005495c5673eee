/**
 * The only venue API the bots see (STYLE §2.3). One strategy code runs on the embedded
 * simulator, paper, backtest and live: each mode supplies a `MarketFeed`, an
 * `ExchangeClient` and a `Clock` (see `cli/compose.ts`).
 *
 * Commands go in, events come out: `place`/`cancel` never return a Promise to wait on;
 * acknowledgements, rejects, fills and cancels arrive as `ExchangeEvent`s. That keeps the
 * loop one-directional and makes backtests deterministic (a latency model decides when an
 * event is delivered).
 */
import type { PriceE4, SizeE6, TickE4, UsdE6 } from "./units.ts";

export type Side = "BUY" | "SELL";
export type OrderType = "GTC" | "GTD" | "FOK" | "FAK";

/** How an Up/Down market settles (protocol notes §7.3). */
export type ResolutionRule = "price_at_end" | "twap60";

/** One binary market as discovered (Gamma + CLOB), in engine units. */
export interface MarketInfo {
  readonly conditionId: string;
  readonly slug: string;
  readonly question: string;
  /** Underlying symbol for crypto Up/Down markets ("btc/usd"), "" otherwise. */
  readonly underlying: string;
  /** Window length in seconds (300, 900, 3600) for recurring markets, 0 otherwise. */
  readonly windowSec: number;
  /** First outcome ("Up" / "Yes") and second ("Down" / "No"). */
  readonly yesTokenId: string;
  readonly noTokenId: string;
  readonly outcomes: readonly [string, string];
  readonly tickE4: TickE4;
  readonly minSizeE6: SizeE6;
  readonly negRisk: boolean;
  /** EIP-712 domain version of the settling exchange: 2 (CTFExchangeV2) or 3 (ExchangeV3). */
  readonly exchangeVersion: 2 | 3;
  readonly startMs: number;
  readonly endMs: number;
  /** Taker fee: fee = shares × feeRate × p × (1 − p) when exponent is 1 (protocol notes §8.1). */
  readonly feeRate: number;
  readonly feeExponent: number;
  /** Share of taker fees paid back to makers (0 when the market pays no rebate). */
  readonly rebateRate: number;
  readonly resolution: ResolutionRule;
  /**
   * The window's strike ("price to beat"): the underlying's price in float dollars (not a
   * token price), when the venue publishes it — Gamma's `eventMetadata.priceToBeat`, filled
   * once the window has started (protocol notes §7.1, UNCONFIRMED). Absent otherwise.
   */
  readonly strikePrice?: number;
}

/** Sentinels for an empty side (hftbacktest style): no bid reads as 0, no ask as $1. */
export const NO_BID_E4 = 0;
export const NO_ASK_E4 = 10_000;

/** Read-only view of one outcome token's order book, updated in place by the feed. */
export interface BookView {
  readonly tokenId: string;
  /** Current tick size in PriceE4 (100 = 0.01). */
  readonly tickE4: TickE4;
  /** True until a fresh snapshot has been applied after (re)connect or tick-size change. */
  readonly stale: boolean;
  /** Best bid or NO_BID_E4 when there is none. */
  bestBidE4(): PriceE4;
  /** Best ask or NO_ASK_E4 when there is none. */
  bestAskE4(): PriceE4;
  bestBidSizeE6(): SizeE6;
  bestAskSizeE6(): SizeE6;
  /** Resting size at an exact price (0 if none). */
  sizeAtE6(side: Side, priceE4: PriceE4): SizeE6;
  /** Size-weighted mid of the top level, in PriceE4 units as a float; NaN on a one-sided book. */
  microprice(): number;
  /** Walks levels best-first until `fn` returns false. BUY = bids, SELL = asks. */
  forEachLevel(side: Side, fn: (priceE4: PriceE4, sizeE6: SizeE6) => boolean | undefined): void;
  /** Last trade price seen on the feed, 0 if none. */
  lastTradeE4(): PriceE4;
}

export type ConnectionState = "connected" | "disconnected" | "stale" | "resynced";

export type FeedEvent =
  /** A book changed (snapshot or delta); read it through `MarketFeed.book`. */
  | { readonly kind: "book"; readonly tokenId: string; readonly recvNs: number }
  | {
      readonly kind: "trade";
      readonly tokenId: string;
      readonly priceE4: PriceE4;
      readonly sizeE6: SizeE6;
      /** Taker side as the exchange reports it. */
      readonly side: Side;
      readonly exchTsMs: number;
      readonly recvNs: number;
    }
  | { readonly kind: "tick_size"; readonly tokenId: string; readonly tickE4: TickE4; readonly recvNs: number }
  | {
      readonly kind: "resolved";
      readonly conditionId: string;
      readonly winningTokenId: string;
      readonly recvNs: number;
    }
  | {
      readonly kind: "underlying";
      /** "btc/usd", "eth/usd", "sol/usd". */
      readonly symbol: string;
      /** Dollars as a float: only fair-value and volatility maths read it. */
      readonly price: number;
      readonly priceTsMs: number;
      readonly source: "chainlink" | "twap60" | "spot";
      readonly recvNs: number;
      /**
       * A point of the history the feed sends on subscribe (RTDS backfill): a past price for
       * history and strikes, not a sign that the feed is live. Absent on live ticks.
       */
      readonly backfill?: boolean;
    }
  | { readonly kind: "market_started"; readonly market: MarketInfo; readonly recvNs: number }
  | { readonly kind: "market_ended"; readonly market: MarketInfo; readonly recvNs: number }
  | { readonly kind: "connection"; readonly state: ConnectionState; readonly atNs: number; readonly reason: string };

export interface MarketFeed {
  /** Subscribe both tokens of each market; books are stale until their first snapshot. */
  subscribe(markets: readonly MarketInfo[]): void;
  unsubscribe(conditionIds: readonly string[]): void;
  book(tokenId: string): BookView | undefined;
  onEvent(listener: (ev: FeedEvent) => void): () => void;
  close(): void;
}

/** What the strategy wants to exist. `clientId` is ours and unique per intent. */
export interface OrderIntent {
  readonly clientId: string;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  /** Unix seconds for GTD, 0 = none. */
  readonly expirationSec: number;
}

export type RejectCode =
  | "INSUFFICIENT_BALANCE"
  | "INVALID_TICK"
  | "POST_ONLY_CROSS"
  | "ORDER_TOO_SMALL"
  | "FOK_NOT_FILLED"
  | "MARKET_CLOSED"
  | "DUPLICATE"
  | "INVALID_SIGNATURE"
  | "INVALID_ORDER"
  | "RATE_LIMITED"
  | "AUTH"
  | "SERVER_ERROR"
  /** The request may or may not have reached the exchange: look the order up, never resend blindly. */
  | "TIMEOUT_AMBIGUOUS"
  | "RISK_DENIED"
  | "UNKNOWN";

export type TradeStatus = "MATCHED" | "MINED" | "CONFIRMED" | "RETRYING" | "FAILED";

export type ExchangeEvent =
  | {
      readonly kind: "ack";
      readonly clientId: string;
      readonly orderId: string;
      /** Exchange status on accept: resting, matched at once, delayed (taker delay), unmatched. */
      readonly status: "live" | "matched" | "delayed" | "unmatched";
      readonly atNs: number;
    }
  | {
      readonly kind: "reject";
      readonly clientId: string;
      readonly orderId: string;
      readonly code: RejectCode;
      readonly message: string;
      readonly atNs: number;
    }
  | {
      /** The exchange removed an order (our cancel, expiry, heartbeat lapse, market close). */
      readonly kind: "order_closed";
      readonly orderId: string;
      readonly reason: "cancelled" | "expired" | "filled" | "market_closed";
      /**
       * Shares the exchange matched before it closed the order, when it says (a FOK/FAK's
       * post reply): its fills may still be in flight, and the order settles once they are in.
       */
      readonly matchedE6?: SizeE6;
      readonly atNs: number;
    }
  | {
      readonly kind: "cancel_failed";
      readonly orderId: string;
      readonly message: string;
      readonly atNs: number;
    }
  | {
      readonly kind: "fill";
      readonly tradeId: string;
      readonly orderId: string;
      readonly tokenId: string;
      readonly side: Side;
      readonly priceE4: PriceE4;
      readonly sizeE6: SizeE6;
      readonly feeE6: UsdE6;
      readonly liquidity: "maker" | "taker";
      readonly status: TradeStatus;
      readonly exchTsMs: number;
      readonly atNs: number;
    }
  | { readonly kind: "merged"; readonly conditionId: string; readonly sizeE6: SizeE6; readonly atNs: number }
  | { readonly kind: "connection"; readonly state: ConnectionState; readonly atNs: number; readonly reason: string };

/** An open order as the exchange reports it (reconciliation, status, `openOrdersAtExit`). */
export interface OpenOrderSnapshot {
  readonly orderId: string;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly originalSizeE6: SizeE6;
  readonly matchedSizeE6: SizeE6;
  readonly createdAtSec: number;
}

/** Where the exchange says an order stands, for one looked up by id. */
export type VenueOrderStatus = "live" | "matched" | "cancelled" | "invalid";

/** One order looked up by id: resolves a submit that timed out (TIMEOUT_AMBIGUOUS). */
export interface OrderLookup extends OpenOrderSnapshot {
  readonly status: VenueOrderStatus;
}

export interface BalanceSnapshot {
  readonly collateralE6: UsdE6;
  /** Outcome-token balances by token id. */
  readonly positionsE6: ReadonlyMap<string, SizeE6>;
}

export interface ExchangeClient {
  /** Sends orders (a batch where the venue allows); results arrive as `ack` / `reject` events. */
  place(intents: readonly OrderIntent[]): void;
  /** Cancels by exchange order id; results arrive as `order_closed` / `cancel_failed`. */
  cancel(orderIds: readonly string[]): void;
  /** Cancels every open order of this key. */
  cancelAll(): void;
  /** Warms whatever makes `place` fast for these likely intents (the pre-signed pool). */
  prepare(intents: readonly OrderIntent[]): void;
  /** Merges `sizeE6` YES+NO pairs of a market back to collateral. */
  merge(conditionId: string, sizeE6: SizeE6): void;
  onEvent(listener: (ev: ExchangeEvent) => void): () => void;
  /** Reconciliation and reporting, off the hot path. */
  fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]>;
  /**
   * Optional: one order by exchange id (its EIP-712 hash), whatever its status; null when
   * the exchange does not know it. Without it the order manager falls back to `fetchOpenOrders`.
   */
  fetchOrder?(orderId: string): Promise<OrderLookup | null>;
  fetchBalances(tokenIds: readonly string[]): Promise<BalanceSnapshot>;
  close(): Promise<void>;
}
