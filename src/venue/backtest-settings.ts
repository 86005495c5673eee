/**
 * Settings of the backtest/paper exchange (backtest-exchange.ts): the latency of each
 * direction, the fill model's knobs, the starting collateral, and how the exchange reads
 * the public books (`BooksOf`).
 */
import type { Clock } from "../core/clock.ts";
import type { BookView, MarketInfo } from "../core/ports.ts";
import type { UsdE6 } from "../core/units.ts";
import { DEFAULT_FILL_MODEL, type FillModelSettings } from "./fill-model.ts";

export interface VenueLatency {
  /** Bot → exchange for new orders. */
  readonly orderLatencyMs: number;
  /** Bot → exchange for cancels ("cancelled in time or not"). */
  readonly cancelLatencyMs: number;
  /** Exchange → bot for acks, fills and closes (the user channel). */
  readonly responseLatencyMs: number;
  /** A merge settles (on chain) this long after it was asked for. */
  readonly mergeLatencyMs: number;
}

export interface BacktestExchangeSettings extends VenueLatency {
  readonly fill: FillModelSettings;
  /** pUSD the account starts with. */
  readonly initialCollateralE6: UsdE6;
  /** Order ids are `<idPrefix>-<n>`. */
  readonly idPrefix: string;
}

export const DEFAULT_BACKTEST_EXCHANGE: BacktestExchangeSettings = {
  orderLatencyMs: 20,
  cancelLatencyMs: 20,
  responseLatencyMs: 20,
  mergeLatencyMs: 5_000,
  fill: DEFAULT_FILL_MODEL,
  initialCollateralE6: 10_000_000_000,
  idPrefix: "bt",
};

export type BooksOf = (tokenId: string) => BookView | undefined;

export interface BacktestExchangeOptions {
  readonly clock: Clock;
  readonly books: BooksOf;
  readonly settings?: Partial<BacktestExchangeSettings>;
  readonly markets?: readonly MarketInfo[];
}
