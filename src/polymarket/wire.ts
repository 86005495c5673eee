/**
 * Polymarket CLOB WebSocket messages exactly as the server sends them (protocol notes §5).
 *
 * These are the *wire* shapes: every field is the venue's name and the venue's type (decimal
 * strings for prices, sizes and timestamps). Nothing outside `src/polymarket/` should read
 * them; the codecs in `market-channel.ts` and `user-channel.ts` turn them into engine events
 * with integer prices (`PriceE4`) and sizes (`SizeE6`).
 *
 * Fields marked optional were absent from at least one real recording under
 * `../shared/data/` (see SOURCES.md there). Sample frames below are trimmed real frames
 * (long ids shortened with "…") unless marked as the docs' example.
 */

/** "BUY" = a bid level / buy order, "SELL" = an ask level / sell order. */
export type WireSide = "BUY" | "SELL";

/** One price level; `size` is the total resting size at `price`. */
export interface WireLevel {
  readonly price: string;
  readonly size: string;
}

/**
 * Full book snapshot for one token; sent on subscribe and after each trade.
 * V2 adds `tick_size` and `last_trade_price`; V1-era snapshots lack them.
 * Levels arrive bids ascending, asks descending (best = last), but we never rely on it.
 *
 * @example
 * {"market":"0x2857…4f01","asset_id":"7667…1111","timestamp":"1790658661234",
 *  "hash":"5511583ad6f3eb4678e0a374e0cc2bd3b1975d07",
 *  "bids":[{"price":"0.001","size":"220045"},{"price":"0.3","size":"5000"}],
 *  "asks":[{"price":"0.999","size":"1000"},{"price":"0.397","size":"150"}],
 *  "event_type":"book","tick_size":"0.001","last_trade_price":"0.3"}
 */
export interface WireBook {
  readonly event_type: "book";
  readonly asset_id: string;
  readonly market: string;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  readonly timestamp: string;
  readonly hash: string;
  readonly tick_size?: string;
  readonly last_trade_price?: string;
}

/** One entry of a V2 `price_change`; `size` is the new absolute size, "0" removes the level. */
export interface WirePriceChangeEntry {
  readonly asset_id: string;
  readonly price: string;
  readonly size: string;
  readonly side: WireSide;
  readonly hash: string;
  /** Top of this token's book after the change ("1"/"0" when a side is empty). */
  readonly best_bid: string;
  readonly best_ask: string;
}

/**
 * V2 `price_change` (schema since 2025-09-15): batched, usually both tokens of a market.
 *
 * @example
 * {"market":"0x2857…4f01","price_changes":[
 *   {"asset_id":"7667…1111","price":"0.301","size":"1000","side":"BUY",
 *    "hash":"b7623b6417b3ae46dbe5d608a65474c9cec84ef9","best_bid":"0.301","best_ask":"0.397"},
 *   {"asset_id":"5417…9688","price":"0.699","size":"1000","side":"SELL",
 *    "hash":"c0978ce48e525b35579b9fb4556a08538ebf265a","best_bid":"0.603","best_ask":"0.699"}],
 *  "timestamp":"1790658674035","event_type":"price_change"}
 */
export interface WirePriceChangeV2 {
  readonly event_type: "price_change";
  readonly market: string;
  readonly timestamp: string;
  readonly price_changes: readonly WirePriceChangeEntry[];
}

/**
 * V1-era `price_change`, per asset with a `changes[]` list (until ~2025-09).
 *
 * @example
 * {"asset_id":"1064…5813","changes":[{"price":"0.34","side":"BUY","size":"478.26"}],
 *  "event_type":"price_change","hash":"656ce732f34dee702861facfaba71c694fff8385",
 *  "market":"0x6774…2552","timestamp":"1751514774784"}
 */
export interface WirePriceChangeV1Changes {
  readonly event_type: "price_change";
  readonly asset_id: string;
  readonly market: string;
  readonly hash: string;
  readonly timestamp: string;
  readonly changes: readonly { readonly price: string; readonly side: WireSide; readonly size: string }[];
}

/**
 * Oldest V1 `price_change`: one flat level per message (2024).
 *
 * @example
 * {"asset_id":"4833…5732","event_type":"price_change","hash":"bf32b3746fff40c76c98021b7f3f07261169dd26",
 *  "market":"0xdd22…0917","price":"0.514","side":"SELL","size":"21574.08","timestamp":"1723967931411"}
 */
export interface WirePriceChangeV1Flat {
  readonly event_type: "price_change";
  readonly asset_id: string;
  readonly market: string;
  readonly hash: string;
  readonly timestamp: string;
  readonly price: string;
  readonly side: WireSide;
  readonly size: string;
}

/**
 * The token's tick size changed (fires near the extremes, > 0.96 or < 0.04).
 *
 * @example
 * {"asset_id":"1154…0353","event_type":"tick_size_change","market":"0xbacd…4b8b",
 *  "new_tick_size":"0.001","old_tick_size":"0.01","timestamp":"1739068041853"}
 */
export interface WireTickSizeChange {
  readonly event_type: "tick_size_change";
  readonly asset_id: string;
  readonly market: string;
  readonly old_tick_size: string;
  readonly new_tick_size: string;
  readonly timestamp: string;
}

/**
 * One taker match. `side` is the taker's side. `transaction_hash` is V2 only and may be "".
 *
 * @example
 * {"asset_id":"1064…5813","event_type":"last_trade_price","fee_rate_bps":"0","market":"0x6774…2552",
 *  "price":"0.65","side":"BUY","size":"10","timestamp":"1751514776470"}
 */
export interface WireLastTradePrice {
  readonly event_type: "last_trade_price";
  readonly asset_id: string;
  readonly market: string;
  readonly price: string;
  readonly side: WireSide;
  readonly size: string;
  readonly fee_rate_bps?: string;
  readonly timestamp: string;
  readonly transaction_hash?: string;
}

/**
 * Top of book (only with `custom_feature_enabled`). Docs example; no capture exists.
 *
 * @example
 * {"event_type":"best_bid_ask","market":"0x0005…f442","asset_id":"8535…4430",
 *  "best_bid":"0.73","best_ask":"0.77","spread":"0.04","timestamp":"1766789469958"}
 */
export interface WireBestBidAsk {
  readonly event_type: "best_bid_ask";
  readonly market: string;
  readonly asset_id: string;
  readonly best_bid: string;
  readonly best_ask: string;
  readonly spread: string;
  readonly timestamp: string;
}

export interface WireEventMessage {
  readonly id: string;
  readonly ticker: string;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
}

/**
 * A market was created (only with `custom_feature_enabled`). The real V2 frames carry many
 * Gamma-like extras (`condition_id`, `clob_token_ids`, `order_price_min_tick_size`,
 * `fee_schedule`, …); the docs' example carries only the first block of fields.
 *
 * @example
 * {"id":"2105950","question":"BNB Up or Down - April 29, 10:00AM-10:15AM ET","market":"0x34c0…a49a",
 *  "slug":"bnb-updown-15m-1777471200","description":"…","assets_ids":["6728…9406","4821…1991"],
 *  "outcomes":["Up","Down"],"event_message":{"id":"427673","ticker":"bnb-updown-15m-1777471200",…},
 *  "timestamp":"1777385278505","event_type":"new_market","tags":[],"condition_id":"0x34c0…a49a",
 *  "active":false,"clob_token_ids":["6728…9406","4821…1991"],"order_price_min_tick_size":"0.01",
 *  "taker_base_fee":"1000","fees_enabled":true,
 *  "fee_schedule":{"exponent":"1","rate":"0.072","taker_only":true,"rebate_rate":"0.2"}}
 */
export interface WireNewMarket {
  readonly event_type: "new_market";
  readonly id: string;
  readonly question: string;
  readonly market: string;
  readonly slug: string;
  readonly description?: string;
  readonly assets_ids: readonly string[];
  readonly outcomes: readonly string[];
  readonly event_message?: WireEventMessage;
  readonly timestamp: string;
  readonly tags?: readonly string[];
  readonly condition_id?: string;
  readonly active?: boolean;
  readonly clob_token_ids?: readonly string[];
  readonly order_price_min_tick_size?: string;
  readonly taker_base_fee?: string;
  readonly fees_enabled?: boolean;
  readonly fee_schedule?: {
    readonly exponent: string;
    readonly rate: string;
    readonly taker_only: boolean;
    readonly rebate_rate: string;
  };
}

/**
 * A market resolved (only with `custom_feature_enabled`). Docs example; no capture exists.
 *
 * @example
 * {"event_type":"market_resolved","id":"1031769","market":"0x311d…b0c1","assets_ids":["7604…6425","3169…2770"],
 *  "winning_asset_id":"7604…6425","winning_outcome":"Yes","timestamp":"1766790415550","tags":["stocks"]}
 */
export interface WireMarketResolved {
  readonly event_type: "market_resolved";
  readonly id: string;
  readonly market: string;
  readonly assets_ids: readonly string[];
  readonly winning_asset_id: string;
  readonly winning_outcome: string;
  readonly event_message?: WireEventMessage;
  readonly timestamp: string;
  readonly tags?: readonly string[];
}

export type WireMarketEvent =
  | WireBook
  | WirePriceChangeV2
  | WirePriceChangeV1Changes
  | WirePriceChangeV1Flat
  | WireTickSizeChange
  | WireLastTradePrice
  | WireBestBidAsk
  | WireNewMarket
  | WireMarketResolved;

export type WireMarketEventType = WireMarketEvent["event_type"];

/**
 * User channel `order` event. `timestamp`/`created_at` are seconds in the docs but real
 * V1 captures carry milliseconds in `timestamp`; `expiration` may be null; `size_matched`
 * and `created_at` may be "" (FOK kill). `status` may carry a reason suffix
 * ("CANCELED_order couldn't be fully filled…") or an `ORDER_STATUS_` prefix.
 *
 * @example
 * {"asset_id":"2174…6455","associate_trades":null,"created_at":"1725842520","event_type":"order",
 *  "expiration":"0","id":"0x0f76…7a78","maker_address":"0xa3D8…d7c8","market":"0xdd22…0917",
 *  "order_owner":"3e2c94ca-…","order_type":"GTC","original_size":"5","outcome":"Yes","owner":"3e2c94ca-…",
 *  "price":"0.513","side":"BUY","size_matched":"0","status":"LIVE","timestamp":"1725842520990",
 *  "type":"PLACEMENT"}
 */
export interface WireUserOrder {
  readonly event_type: "order";
  readonly id: string;
  readonly owner: string;
  readonly order_owner?: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: WireSide;
  readonly original_size: string;
  readonly size_matched: string;
  readonly price: string;
  readonly associate_trades: readonly string[] | null;
  readonly outcome: string;
  readonly type: "PLACEMENT" | "UPDATE" | "CANCELLATION";
  readonly created_at: string;
  readonly expiration: string | null;
  readonly order_type: string;
  readonly status: string;
  readonly maker_address: string;
  readonly timestamp: string;
}

/** A maker's side of a match: `matched_amount` shares at the maker's `price`. */
export interface WireMakerOrder {
  readonly order_id: string;
  readonly owner: string;
  readonly maker_address: string;
  readonly matched_amount: string;
  readonly price: string;
  readonly fee_rate_bps: string;
  readonly asset_id: string;
  readonly outcome: string;
  /** V2 only. */
  readonly side?: WireSide;
  readonly builder_fee?: string;
  readonly builder_code?: string;
}

/**
 * User channel `trade` event, one per status change (MATCHED → MINED → CONFIRMED, or
 * RETRYING → FAILED). Top-level `side`/`size`/`price` describe the taker.
 *
 * @example
 * {"asset_id":"2174…6455","bucket_index":0,"event_type":"trade","fee_rate_bps":"0","id":"f50e8ab2-…",
 *  "last_update":"1725958682","maker_address":"0xa3D8…d7c8","maker_orders":[{"asset_id":"2174…6455",
 *  "fee_rate_bps":"0","maker_address":"0x629B…995A","matched_amount":"5","order_id":"0xa39a…885a",
 *  "outcome":"Yes","owner":"ce168652-…","price":"0.52"}],"market":"0xdd22…0917","match_time":"1725958681",
 *  "outcome":"Yes","owner":"3e2c94ca-…","price":"0.52","side":"BUY","size":"5","status":"MATCHED",
 *  "taker_order_id":"0x5b60…ce81","timestamp":"1725958682125","trade_owner":"3e2c94ca-…",
 *  "trader_side":"TAKER","transaction_hash":"","type":"TRADE"}
 */
export interface WireUserTrade {
  readonly event_type: "trade";
  readonly type?: "TRADE";
  readonly id: string;
  readonly taker_order_id: string;
  readonly market: string;
  readonly asset_id: string;
  readonly side: WireSide;
  readonly size: string;
  readonly price: string;
  readonly fee_rate_bps: string;
  readonly status: string;
  readonly match_time: string;
  readonly last_update: string;
  readonly outcome: string;
  readonly owner: string;
  readonly trade_owner?: string;
  readonly maker_address: string;
  readonly transaction_hash?: string;
  readonly bucket_index: number;
  readonly maker_orders: readonly WireMakerOrder[];
  readonly trader_side: "TAKER" | "MAKER";
  readonly timestamp?: string;
}

export type WireUserEvent = WireUserOrder | WireUserTrade;

/** Keep-alive: the client sends the text frame `PING`, the server answers `PONG`. */
export const PING_TEXT = "PING";
export const PONG_TEXT = "PONG";
