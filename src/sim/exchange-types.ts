/**
 * The simulated exchange's configuration, request/response shapes and listener types: what
 * `SimExchange` (exchange.ts) takes and gives. Apart so the server, the in-process venue and
 * the tests can name them without pulling in the engine.
 */
import type { OrderType, Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";
import type { WireMarketEvent, WireUserEvent } from "../polymarket/wire.ts";
import type { DislocationConfig } from "./dislocation.ts";
import { DEFAULT_FLOW, type FlowConfig } from "./flow.ts";
import { DEFAULT_SCHEDULE, type ScheduleConfig } from "./schedule.ts";
import type { CoinSymbol } from "./underlying.ts";

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
  /**
   * Keep a trading key's closed orders and final trades this long (by creation / match time),
   * then forget them (long runs: the soak). Absent = forever, as the real exchange answers
   * queries for old orders. A forgotten order's id is forgotten too: posting that exact
   * signed order again would no longer be refused as a duplicate.
   */
  readonly retainClosedMs?: number;
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
