/**
 * Types of the market maker that other modules read (the status screen, the CLI summary,
 * tests) and its per-market state. No logic beyond `quoteSideOf`.
 */
import type { BreakerReason } from "../risk/breaker.ts";
import type { PnlSummary } from "../engine/pnl.ts";
import type { SizeE6 } from "../core/units.ts";
import type { DesiredQuotes } from "../strategy/quote.ts";
import type { VolatilityEngine, VolatilityRecommendations } from "../strategy/volatility.ts";

export type BotEventLevel = "info" | "warn" | "error";
export type BotEventScalar = string | number | boolean | null;
/** Flat fields, plus lists of flat records (the `status` event's per-market lines). */
export type BotEventFields = Readonly<Record<string, BotEventScalar | readonly Readonly<Record<string, BotEventScalar>>[]>>;
/** The JSONL trade/event log (compose wires the logger); never called per book message. */
export type BotEventSink = (level: BotEventLevel, event: string, fields: BotEventFields) => void;

export type QuoteSide = "bid" | "ask";

export interface MmMarket {
  /** What we last asked the order manager to keep resting (YES terms). */
  quotes: DesiredQuotes | null;
  /** Underlying price and time when the quotes were last replaced (jump reference). */
  quoteSpot: number;
  quoteAtMs: number;
  filledBid: boolean;
  filledAsk: boolean;
  cooldownBidMs: number;
  cooldownAskMs: number;
  readonly tokenVol: VolatilityEngine;
  recs: VolatilityRecommendations;
  fairValue: number;
  modelP: number;
  /** One-sd move of P(Up) over the adverse horizon, PriceE4 (NaN without a model). */
  pMoveE4: number;
  /** Time-smoothed YES microprice in [0, 1] (NaN until a two-sided book) and its last update. */
  micro: number;
  microAtMs: number;
  fills: number;
  requotes: number;
  mergePendingE6: SizeE6;
  mergeSentMs: number;
  hedgeClientId: string;
  /** Why nothing (or one side only) rests, for the status line. */
  state: string;
}

/** One market as the status screen shows it. */
export interface MarketStatus {
  readonly conditionId: string;
  readonly slug: string;
  readonly phase: string;
  readonly secondsLeft: number;
  readonly fairValue: number;
  readonly bidE4: number;
  readonly askE4: number;
  readonly bookBidE4: number;
  readonly bookAskE4: number;
  readonly yesE6: SizeE6;
  readonly noE6: SizeE6;
  readonly realisedE6: number;
  readonly unrealisedE6: number;
  readonly fills: number;
  readonly volScore: number;
  readonly state: string;
}

export interface BotSnapshot {
  readonly nowMs: number;
  readonly breaker: "ACTIVE" | "HALTED";
  readonly haltReasons: readonly BreakerReason[];
  readonly markets: readonly MarketStatus[];
  readonly totals: BotTotals;
  readonly pnl: PnlSummary;
}

export interface BotTotals {
  marketsSeen: number;
  /** Markets in which at least one quote was placed. */
  marketsQuoted: number;
  quotesSent: number;
  cancelsSent: number;
  requotes: number;
  preemptiveCancels: number;
  fills: number;
  rejects: number;
  /** Rejects by venue code (INSUFFICIENT_BALANCE, POST_ONLY_CROSS, TIMEOUT_AMBIGUOUS, …). */
  rejectsByCode: Record<string, number>;
  /**
   * SELLs whose shares were still held by an earlier SELL of ours (pending, or its cancel in
   * flight): placed as the equivalent BUY of the other token, shrunk to the free shares, or
   * not placed.
   */
  sellsAsBuys: number;
  sellsShrunk: number;
  sellsSkipped: number;
  riskTrips: number;
  riskDenials: number;
  merges: number;
  hedges: number;
  cancelAlls: number;
  /** Largest |YES − NO| seen in one market, shares E6, and that net position at cost, UsdE6. */
  maxAbsInventoryE6: SizeE6;
  maxAbsInventoryUsdE6: number;
}

/** Run and stop are the engine's (engine/bot-lifecycle.ts), shared with the arbitrage bot. */
export type { RunResult, StopReason } from "../engine/bot-lifecycle.ts";

/** BUY YES / SELL NO add YES exposure (our bid); SELL YES / BUY NO are our ask. */
export function quoteSideOf(side: "BUY" | "SELL", isYes: boolean): QuoteSide {
  return (side === "BUY") === isYes ? "bid" : "ask";
}
