/**
 * Paper trading: live market data in (the Polymarket feed, or the simulator's public feed),
 * the backtester's fill model decides our fills, and **no order ever leaves the machine**:
 * the `ExchangeClient` the bot gets is a `BacktestExchange` reading the live feed's books, on
 * the run's clock. It holds no key, no HTTP client and no socket of its own.
 *
 * Wiring (cli/compose.ts calls `paperVenue`): the exchange listens to the same `MarketFeed`
 * the bot reads, subscribed *before* the bot so the exchange sees each change first —
 *   book → queue positions and crossing orders (`onBook`),
 *   trade → prints (`onPrint`),
 *   market_started → the market becomes tradable (fees, tick, minimum size),
 *   market_ended → resting orders are cancelled by the "exchange",
 *   resolved → $1 per winning share and the maker rebates are paid.
 * Markets the bot is handed directly (`addMarkets`) must be given here too (`addMarkets`).
 *
 * Latency is real time here: an order reaches the paper exchange `orderLatencyMs` after the
 * bot sent it (the live book has moved on by then), like a real round trip.
 */
import type { Clock } from "../core/clock.ts";
import type { FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { BacktestExchange, type BacktestExchangeSettings } from "./backtest-exchange.ts";

export interface PaperVenueOptions {
  readonly feed: MarketFeed;
  readonly clock: Clock;
  readonly settings?: Partial<BacktestExchangeSettings>;
  /** Markets already live (those not announced by a `market_started` event). */
  readonly markets?: readonly MarketInfo[];
}

export interface PaperVenue {
  readonly exchange: BacktestExchange;
  /** Stops following the feed (the exchange keeps its state for the summary). */
  detach(): void;
}

/** A paper exchange following `feed`. Create it before the bot subscribes to the feed. */
export function paperVenue(opts: PaperVenueOptions): PaperVenue {
  const { feed, clock } = opts;
  const exchange = new BacktestExchange({ clock, books: (t) => feed.book(t), settings: { idPrefix: "paper", ...opts.settings } });
  if (opts.markets) exchange.addMarkets(opts.markets);
  const off = feed.onEvent((ev: FeedEvent) => {
    switch (ev.kind) {
      case "book":
        exchange.onBook(ev.tokenId);
        return;
      case "trade":
        exchange.onPrint(ev.tokenId, ev.priceE4, ev.sizeE6, ev.side);
        return;
      case "market_started":
        exchange.addMarkets([ev.market]);
        return;
      case "market_ended":
        exchange.closeMarket(ev.market.conditionId);
        return;
      case "resolved":
        exchange.resolveMarket(ev.conditionId, ev.winningTokenId);
        return;
      case "tick_size":
      case "underlying":
      case "connection":
        return;
    }
  });
  return { exchange, detach: off };
}
