/**
 * The arbitrage bot's vocabulary: its dependencies, per-market state, counters, the shape of
 * its run summary, and the event sink and run result it shares with every bot
 * (engine/bot-lifecycle.ts). Money UsdE6, sizes SizeE6, prices PriceE4, times ms, unless a
 * summary field says dollars or shares.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, MarketFeed } from "../core/ports.ts";
import type { SizeE6, UsdE6 } from "../core/units.ts";
import type { BotEventFields, BotEventLevel, BotEventSink, RunResult, StopReason } from "../engine/bot-lifecycle.ts";
import type { OrderJournal } from "../engine/order-manager.ts";
import type { OrderView } from "../engine/order-state.ts";
import type { Opportunity } from "../strategy/arb-detect.ts";
import type { ArbIncident } from "./arb-incident.ts";
import type { ArbBotParams } from "./arb-params.ts";

export type ArbEventLevel = BotEventLevel;
export type ArbEventFields = BotEventFields;
/** The JSONL trade/event log; never called per book message. */
export type ArbEventSink = BotEventSink;
export type ArbStopReason = StopReason;
export type ArbRunResult = RunResult;

export interface ArbDeps {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly params?: ArbBotParams;
  readonly journal?: OrderJournal;
  readonly events?: ArbEventSink;
  readonly newClientId?: () => string;
}

/** Both legs of one trade, as sent. */
export interface ArbTrade {
  readonly id: string;
  readonly kind: Opportunity["kind"];
  readonly opportunity: Opportunity;
  readonly yes: OrderView;
  readonly no: OrderView;
  readonly sentMs: number;
}

/** Per-market state: at most one trade or one incident in flight. */
export interface ArbMarket {
  trade: ArbTrade | null;
  incident: ArbIncident | null;
  cooldownUntilMs: number;
  inOpportunity: boolean;
  opportunities: number;
  trades: number;
  pairsBoughtE6: SizeE6;
  pairsSoldE6: SizeE6;
  lockedProfitE6: UsdE6;
  mergePendingE6: SizeE6;
  mergeSentMs: number;
  lastMergeMs: number;
  presignKey: string;
}

export function newMarketState(): ArbMarket {
  return {
    trade: null,
    incident: null,
    cooldownUntilMs: 0,
    inOpportunity: false,
    opportunities: 0,
    trades: 0,
    pairsBoughtE6: 0,
    pairsSoldE6: 0,
    lockedProfitE6: 0,
    mergePendingE6: 0,
    mergeSentMs: 0,
    lastMergeMs: Number.NEGATIVE_INFINITY,
    presignKey: "",
  };
}

export interface ArbTotals {
  /** Distinct opportunity episodes (an opportunity that persists over updates counts once). */
  opportunitiesSeen: number;
  /** Book updates on which the detector found an opportunity. */
  detections: number;
  /** Opportunities not taken: rate limit, capital, cooldown, risk, trade in flight. */
  skippedRate: number;
  skippedBusy: number;
  /** A BUY leg worth less than the $1 minimum of a marketable BUY. */
  skippedSmall: number;
  tradesTaken: number;
  tradesFilled: number;
  /** Both legs killed: nothing happened. */
  tradesMissed: number;
  pairsBoughtE6: SizeE6;
  pairsSoldE6: SizeE6;
  /** $1 × pairs − what they cost (buy), proceeds − $1 × pairs (sell), summed over completed pairs. */
  lockedProfitE6: UsdE6;
  legIncidents: number;
  legLossE6: UsdE6;
  repairOrders: number;
  merges: number;
  mergedPairsE6: SizeE6;
  rejects: number;
  riskTrips: number;
  disconnects: number;
  presigned: number;
}

export function newTotals(): ArbTotals {
  return {
    opportunitiesSeen: 0,
    detections: 0,
    skippedRate: 0,
    skippedBusy: 0,
    skippedSmall: 0,
    tradesTaken: 0,
    tradesFilled: 0,
    tradesMissed: 0,
    pairsBoughtE6: 0,
    pairsSoldE6: 0,
    lockedProfitE6: 0,
    legIncidents: 0,
    legLossE6: 0,
    repairOrders: 0,
    merges: 0,
    mergedPairsE6: 0,
    rejects: 0,
    riskTrips: 0,
    disconnects: 0,
    presigned: 0,
  };
}

export interface MarketSummary {
  readonly conditionId: string;
  readonly slug: string;
  readonly opportunities: number;
  readonly trades: number;
  readonly pairsBought: number;
  readonly pairsSold: number;
  readonly lockedProfit: number;
  readonly profit: number;
  readonly yesShares: number;
  readonly noShares: number;
  /** |YES − NO|: shares with no complement. */
  readonly unpairedShares: number;
}

export interface IncidentRecord {
  readonly id: string;
  readonly market: string;
  readonly kind: string;
  readonly rule: string;
  readonly excessShares: number;
  readonly outcome: string;
  readonly loss: number;
  readonly repairs: number;
  readonly durationMs: number;
}

export interface ArbSummary {
  readonly opportunitiesSeen: number;
  readonly detections: number;
  readonly tradesTaken: number;
  readonly tradesFilled: number;
  readonly tradesMissed: number;
  readonly pairsBought: number;
  readonly pairsSold: number;
  /** Total P&L in $ (realised + unrealised at the mid), fees included. */
  readonly profit: number;
  readonly realisedProfit: number;
  readonly unrealisedProfit: number;
  readonly lockedProfit: number;
  readonly fees: number;
  readonly legIncidents: number;
  readonly legLoss: number;
  readonly incidents: readonly IncidentRecord[];
  readonly merges: number;
  readonly mergedPairs: number;
  /** Shares held with no complement, over all markets. */
  readonly unpairedShares: number;
  readonly unpairedCost: number;
  readonly capitalInUse: number;
  readonly halted: boolean;
  readonly totals: ArbTotals;
  readonly markets: readonly MarketSummary[];
}

/** Whole 0.01-share lots. */
export const LOT_E6 = 10_000;

/** UsdE6 → dollars, rounded to the micro-dollar. */
export const usd = (e6: number): number => Math.round(e6) / 1e6;
