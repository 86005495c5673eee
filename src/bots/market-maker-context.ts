/**
 * What the market maker's parts share. `MarketMakerBot` (market-maker-bot.ts) owns the state
 * and the event dispatch; quoting (market-maker-quoting.ts), fills and inventory
 * (market-maker-inventory.ts) and the views (market-maker-views.ts) each get this one
 * context instead of a back-reference to the bot, so every module sees the same instances and
 * none reaches into another's private state.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, MarketFeed } from "../core/ports.ts";
import type { MarketRegistry, Underlyings } from "../engine/markets.ts";
import type { OrderManager } from "../engine/order-manager.ts";
import type { PnlTracker } from "../engine/pnl.ts";
import type { CircuitBreaker } from "../risk/breaker.ts";
import type { PortfolioView } from "../risk/gate.ts";
import type { DeltaHedger } from "../strategy/delta-hedge.ts";
import type { MarketMakerParams } from "./market-maker-params.ts";
import type { BotEventSink, BotTotals, MmMarket } from "./market-maker-types.ts";

/** One market's quote sides about to be replaced: left out of its resting orders in the risk view. */
export interface Replacing {
  readonly conditionId: string;
  readonly bid: boolean;
  readonly ask: boolean;
}

export interface MmContext {
  readonly params: MarketMakerParams;
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly log: BotEventSink;
  readonly orders: OrderManager;
  readonly pnl: PnlTracker;
  readonly hedger: DeltaHedger;
  readonly breaker: CircuitBreaker;
  readonly markets: MarketRegistry<MmMarket>;
  readonly underlyings: Underlyings;
  readonly totals: BotTotals;
  /** True once the bot is stopping or halted: nothing new is placed. */
  isStopping(): boolean;
  /** The mark of a token, PriceE4 as a float (NaN when unknown). */
  readonly mark: (tokenId: string) => number;
  /** The risk gate's view of every market now. */
  portfolio(replacing?: Replacing): PortfolioView;
}
