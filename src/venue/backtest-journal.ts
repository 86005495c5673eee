/**
 * What the backtest exchange records for the report (backtest/report.ts): every order with its
 * send, arrival, answer and close times, every fill with its cause, every cancel (and whether
 * it landed too late), merges, resolutions and our resting quotes over time. Times are the
 * venue clock's ns (-1 = not yet); money UsdE6, sizes SizeE6, prices PriceE4.
 */
import type { OrderIntent, RejectCode, Side } from "../core/ports.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";
import type { FillCause } from "./fill-model.ts";

export type OrderOutcome = "open" | "rejected" | "filled" | "cancelled" | "killed" | "market_closed";

/** One order as the report sees it. Times are the venue clock's ns; -1 = not yet. */
export interface OrderRecord {
  readonly orderId: string;
  readonly clientId: string;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly orderType: OrderIntent["orderType"];
  readonly postOnly: boolean;
  readonly sentNs: number;
  arrivedNs: number;
  /** When the bot got the ack or reject. */
  answeredNs: number;
  closedNs: number;
  filledE6: SizeE6;
  outcome: OrderOutcome;
  rejectCode: RejectCode | "";
}

export interface FillRecordOut {
  /** Exchange time of the match (ns on the venue clock). */
  readonly atNs: number;
  readonly wallMs: number;
  readonly orderId: string;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly isYes: boolean;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly feeE6: UsdE6;
  readonly rebateE6: UsdE6;
  readonly liquidity: "maker" | "taker";
  readonly cause: FillCause;
}

export interface CancelRecord {
  readonly orderId: string;
  readonly sentNs: number;
  arrivedNs: number;
  answeredNs: number;
  /** The order was already gone (filled, closed) when the cancel arrived. */
  tooLate: boolean;
  /** Shares that filled between sending the cancel and its arrival. */
  filledInFlightE6: SizeE6;
}

export interface MergeRecord {
  readonly conditionId: string;
  readonly atNs: number;
  readonly wallMs: number;
  readonly sizeE6: SizeE6;
}

/** Our resting quotes of one market in YES terms, each time they changed at the exchange. */
export interface QuoteTimeline {
  readonly tNs: number[];
  readonly wallMs: number[];
  /** Best of our YES-terms bids (BUY YES at p, SELL NO at 1 − p); 0 = none. */
  readonly bidE4: number[];
  /** Best of our YES-terms asks (SELL YES at p, BUY NO at 1 − p); 0 = none. */
  readonly askE4: number[];
}

export interface ResolutionRecord {
  readonly conditionId: string;
  readonly winningTokenId: string;
  readonly atNs: number;
  readonly wallMs: number;
  readonly payoutE6: UsdE6;
  readonly rebatesPaidE6: UsdE6;
}

export interface VenueJournal {
  readonly orders: OrderRecord[];
  readonly fills: FillRecordOut[];
  readonly cancels: CancelRecord[];
  readonly merges: MergeRecord[];
  readonly resolutions: ResolutionRecord[];
  readonly quotes: Map<string, QuoteTimeline>;
}
