/**
 * `NaiveBot`: the baseline the market maker is measured against (mm-vs-naive, backtests).
 * It quotes "mid ± fixed spread": centre = the YES book's mid, spread = MM_BASE_SPREAD, one
 * order size, re-centred once a second (and after a fill) when the mid has moved. No model
 * of the underlying, no volatility scaling, no inventory skew, no pre-emptive cancel, no
 * circuit breaker. (Re-centring on every book event instead chases its own orders: once our
 * quote is the touch, placing it moves the mid, which moves the quote, and so on — 67,000
 * orders in the simulator's first minute.)
 *
 * So the comparison isolates the strategy and nothing else, it shares everything mechanical
 * with `MarketMakerBot`: the engine loop, the order manager (cancel-and-replace with one
 * cancel and one place batch), the two-token quote construction, tick snapping and post-only
 * rule of `calculateQuotes`, the P&L tracker and its 10-s mark-outs. It also has the two
 * guards any real quoting script has: a share cap on |YES − NO| (MM_MAX_POSITION at $0.50 a
 * share) and no quotes after the window ends.
 */
import type { Config } from "../config.ts";
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, MarketInfo } from "../core/ports.ts";
import { ONE_E4, type SizeE6 } from "../core/units.ts";
import { EngineLoop } from "../engine/loop.ts";
import { MarketRegistry, type MarketState } from "../engine/markets.ts";
import { OrderManager } from "../engine/order-manager.ts";
import { PnlTracker, type PnlSummary } from "../engine/pnl.ts";
import type { DesiredQuote } from "../engine/quote-reconcile.ts";
import { calculateQuotes, DEFAULT_QUOTE_PARAMS, quoteOrders, type QuoteParams } from "../strategy/quote.ts";

export interface NaiveParams {
  /** Fixed width ask − bid, PriceE4. */
  readonly spreadE4: number;
  readonly orderSizeE6: SizeE6;
  /** Cap on |YES − NO| shares: the side that adds is not quoted beyond it. */
  readonly maxInventoryE6: SizeE6;
  /** Quoting stops this long before the window ends (0 = at the end). */
  readonly stopBeforeEndMs: number;
}

export const DEFAULT_NAIVE_PARAMS: NaiveParams = {
  spreadE4: 200,
  orderSizeE6: 10_000_000,
  maxInventoryE6: 200_000_000,
  stopBeforeEndMs: 0,
};

export function naiveParamsFromConfig(config: Config): NaiveParams {
  return {
    spreadE4: config.mm.baseSpreadE4,
    orderSizeE6: config.mm.orderSizeE6,
    maxInventoryE6: Math.max(config.mm.orderSizeE6, Math.floor((2 * config.mm.maxPositionUsdE6) / 10_000) * 10_000),
    stopBeforeEndMs: 0,
  };
}

export interface NaiveDeps {
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  readonly params?: NaiveParams;
}

export interface NaiveTotals {
  marketsSeen: number;
  quotesSent: number;
  requotes: number;
  fills: number;
}

interface NaiveMarket {
  lastMidE4: number;
}

const NEUTRAL_VOL = { spreadMultiplier: 1, sizeMultiplier: 1, shouldQuote: true } as const;
const NO_SKEW = { bidAdjustment: 0, askAdjustment: 0 } as const;

export class NaiveBot {
  readonly params: NaiveParams;
  readonly orders: OrderManager;
  readonly pnl = new PnlTracker();
  readonly markets = new MarketRegistry<NaiveMarket>();
  readonly totals: NaiveTotals = { marketsSeen: 0, quotesSent: 0, requotes: 0, fills: 0 };
  private readonly feed: MarketFeed;
  private readonly clock: Clock;
  private readonly loop: EngineLoop;
  private readonly quote: QuoteParams;
  private stopped = false;
  private finish: ((r: { reason: string }) => void) | undefined;

  constructor(deps: NaiveDeps) {
    this.params = deps.params ?? DEFAULT_NAIVE_PARAMS;
    this.feed = deps.feed;
    this.clock = deps.clock;
    const p = this.params;
    this.quote = {
      ...DEFAULT_QUOTE_PARAMS,
      baseSpreadE4: p.spreadE4,
      minSpreadE4: p.spreadE4,
      maxSpreadE4: p.spreadE4,
      orderSizeE6: p.orderSizeE6,
      stopBeforeEndMs: p.stopBeforeEndMs,
      endGameMs: 0,
      maxInventoryE6: p.maxInventoryE6,
    };
    this.orders = new OrderManager({ exchange: deps.exchange, clock: deps.clock, retentionMs: 60_000 });
    this.loop = new EngineLoop({
      feed: deps.feed,
      exchange: deps.exchange,
      clock: deps.clock,
      handler: {
        onFeedEvent: (ev) => this.onFeed(ev),
        onExchangeEvent: (ev) => this.onExchange(ev),
        onTick: () => this.onTick(),
      },
      onFatal: () => this.stop("fatal"),
    });
  }

  run(): Promise<{ reason: string }> {
    const done = new Promise<{ reason: string }>((resolve) => {
      this.finish = resolve;
    });
    this.loop.start();
    return done;
  }

  stop(reason: "duration" | "signal" | "fatal" | "requested" = "requested"): void {
    if (this.stopped) return;
    this.stopped = true;
    this.orders.cancelAll();
    this.loop.stop();
    this.orders.close();
    this.finish?.({ reason });
  }

  addMarkets(markets: readonly MarketInfo[]): void {
    this.loop.runNow(() => {
      for (const m of markets) this.start(m);
    });
  }

  /** Token mark for P&L: the book mid (NaN when one-sided). */
  readonly mark = (tokenId: string): number => {
    const b = this.feed.book(tokenId);
    if (!b || b.stale) return Number.NaN;
    const bid = b.bestBidE4();
    const ask = b.bestAskE4();
    return bid > 0 && ask < ONE_E4 ? (bid + ask) / 2 : Number.NaN;
  };

  summary(): PnlSummary {
    return this.pnl.summary(this.mark);
  }

  private onFeed(ev: FeedEvent): void {
    switch (ev.kind) {
      case "market_started":
        this.start(ev.market);
        return;
      case "market_ended": {
        const m = this.markets.get(ev.market.conditionId);
        if (m) {
          m.phase = "ended";
          this.orders.applyQuotes(m.info.conditionId, []);
        }
        return;
      }
      case "resolved":
        this.pnl.onResolved(ev.conditionId, ev.winningTokenId);
        this.markets.remove(ev.conditionId);
        return;
      case "book":
      case "trade":
      case "tick_size":
      case "underlying":
      case "connection":
        return;
    }
  }

  private onExchange(ev: ExchangeEvent): void {
    if (ev.kind === "fill") {
      const effect = this.pnl.onFill(ev, this.clock.wallMs());
      if (effect === "new") this.totals.fills++;
      else if (effect === "reversed") this.totals.fills--;
      const ref = this.markets.byToken(ev.tokenId);
      if (ref && effect !== "ignored") this.evaluate(ref.market, true);
    } else if (ev.kind === "merged") {
      this.pnl.onMerge(ev.conditionId, ev.sizeE6);
    }
  }

  private onTick(): void {
    this.pnl.sampleMarkouts(this.clock.wallMs(), this.mark);
    for (const m of this.markets.values()) this.evaluate(m);
  }

  private start(info: MarketInfo): void {
    if (this.markets.has(info.conditionId)) return;
    const m = this.markets.add(info, () => ({ lastMidE4: Number.NaN }));
    m.phase = "live";
    this.totals.marketsSeen++;
    this.pnl.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
    this.evaluate(m);
  }

  /** Requotes when the mid moved (or a fill happened): the naive rule. */
  private evaluate(m: MarketState<NaiveMarket>, force = false): void {
    if (this.stopped || m.phase !== "live") return;
    const yes = this.feed.book(m.info.yesTokenId);
    const no = this.feed.book(m.info.noTokenId);
    if (!yes || !no) return;
    const bid = yes.bestBidE4();
    const ask = yes.bestAskE4();
    const mid = !yes.stale && bid > 0 && ask < ONE_E4 ? (bid + ask) / 2 : Number.NaN;
    if (!force && mid === m.ext.lastMidE4 && this.clock.wallMs() < m.info.endMs - this.quote.stopBeforeEndMs) return;
    const q = calculateQuotes({
      market: m.info,
      nowMs: this.clock.wallMs(),
      fairValue: mid / ONE_E4,
      yesBook: yes,
      noBook: no,
      vol: NEUTRAL_VOL,
      adjustment: NO_SKEW,
      yesHeldE6: this.pnl.qty(m.info.yesTokenId),
      noHeldE6: this.pnl.qty(m.info.noTokenId),
      params: this.quote,
    });
    // The mid is remembered only once quotes could be computed on it: a book that was stale
    // or crossed at this evaluation must be looked at again, even if the YES mid never moves.
    m.ext.lastMidE4 = q.bidReason === "stale_book" || q.bidReason === "crossed_book" ? Number.NaN : mid;
    const desired: DesiredQuote[] = quoteOrders(q).map((o) => ({
      conditionId: m.info.conditionId,
      tokenId: o.tokenId,
      side: o.side,
      priceE4: o.priceE4,
      sizeE6: o.sizeE6,
      orderType: "GTC",
      postOnly: true,
    }));
    const plan = this.orders.applyQuotes(m.info.conditionId, desired);
    if (plan.place.length > 0 || plan.cancel.length > 0) {
      this.totals.requotes++;
      this.totals.quotesSent += plan.place.length;
    }
  }
}
