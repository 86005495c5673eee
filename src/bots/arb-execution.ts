/**
 * Detection and execution for the arbitrage bot, on a book change of a market with nothing in
 * flight: the detector (`detectSellPair` first when pairs are held, then `detectBuyPair`,
 * sized within the capital left and to Polymarket's market-order amounts), the gates (market
 * live and not closing, trading on, cooldown, the $1 minimum of a marketable BUY, the order
 * rate), then both legs in ONE `place` call (one batch request), each signed from the
 * pre-signed pool or on the spot by the venue client. With no opportunity but one within
 * `presignNearE4`, the legs a trade would send go to `prepare` (the pool).
 *
 * The bot owns the state; this part reads books and writes the market's trade and counters.
 */
import type { Clock } from "../core/clock.ts";
import type { BookView, MarketFeed, OrderIntent } from "../core/ports.ts";
import { ONE_E4, type UsdE6 } from "../core/units.ts";
import type { MarketState } from "../engine/markets.ts";
import type { OrderManager } from "../engine/order-manager.ts";
import type { OrderView } from "../engine/order-state.ts";
import type { PnlTracker } from "../engine/pnl.ts";
import { type ArbLeg, type ArbParams, detectBuyPair, detectSellPair, type Opportunity } from "../strategy/arb-detect.ts";
import { freePairsE6 } from "./arb-accounts.ts";
import type { ArbBotParams } from "./arb-params.ts";
import type { ArbEventSink, ArbMarket, ArbTotals } from "./arb-types.ts";

export interface ExecutionContext {
  readonly clock: Clock;
  readonly feed: MarketFeed;
  readonly orders: OrderManager;
  readonly pnl: PnlTracker;
  readonly params: ArbBotParams;
  readonly totals: ArbTotals;
  readonly log: ArbEventSink;
  newClientId(): string;
  capitalInUseE6(): UsdE6;
  /** Not halted by the loss limit, feed and venue up. */
  tradingOn(): boolean;
  /** Takes `n` order tokens from the bot's rate bucket; false = none left now. */
  takeTokens(n: number, nowMs: number): boolean;
}

export class ArbExecutor {
  constructor(private readonly c: ExecutionContext) {}

  /** A book of the market changed and no trade or incident is in flight there. */
  onBook(m: MarketState<ArbMarket>): void {
    const x = m.ext;
    const yes = this.c.feed.book(m.info.yesTokenId);
    const no = this.c.feed.book(m.info.noTokenId);
    if (!yes || !no || yes.stale || no.stale) return;
    const nowMs = this.c.clock.wallMs();
    const opp = this.detect(m, yes, no);
    if (!opp) {
      x.inOpportunity = false;
      if (this.c.params.presignNearE4 > 0) this.presign(m, yes, no);
      return;
    }
    this.c.totals.detections++;
    if (!x.inOpportunity) {
      x.inOpportunity = true;
      x.opportunities++;
      this.c.totals.opportunitiesSeen++;
      this.c.log("info", "opportunity", {
        market: m.info.slug,
        kind: opp.kind,
        pairsE6: opp.pairsE6,
        yesE4: opp.legs[0].limitPriceE4,
        noE4: opp.legs[1].limitPriceE4,
        expectedProfitE6: opp.expectedProfitE6,
      });
    }
    if (!this.mayTrade(m, nowMs)) {
      this.c.totals.skippedBusy++;
      return;
    }
    if (!legsAreMarketable(opp)) {
      // Polymarket refuses a marketable BUY under $1 (protocol notes §3.4): the cheap leg of
      // a gap near 0 or 1 would be killed and leave the other leg alone.
      this.c.totals.skippedSmall++;
      return;
    }
    if (!this.c.takeTokens(2, nowMs)) {
      this.c.totals.skippedRate++;
      return;
    }
    this.execute(m, opp, nowMs);
  }

  private detect(m: MarketState<ArbMarket>, yes: BookView, no: BookView): Opportunity | null {
    const p = this.detectParams(m);
    const held = freePairsE6(this.c.pnl, m);
    if (held >= m.info.minSizeE6) {
      const sell = detectSellPair(yes, no, held, held, p);
      if (sell) return sell;
    }
    return p.maxCapitalUsdE6 > 0 ? detectBuyPair(yes, no, p) : null;
  }

  /** Detector parameters for the market now (capital left after what is in use). */
  detectParams(m: MarketState<ArbMarket>, extraEdgeE4 = 0): ArbParams {
    return {
      minEdgeE4: this.c.params.minEdgeE4 + extraEdgeE4,
      maxCapitalUsdE6: Math.max(0, this.c.params.maxCapitalUsdE6 - this.c.capitalInUseE6()),
      minSizeE6: m.info.minSizeE6,
      feeRate: m.info.feeRate,
      feeExponent: m.info.feeExponent,
      maxLevels: this.c.params.maxLevels,
      // Legs are FOK/FAK: Polymarket takes them as market orders (amount precision, BUY spends its amount).
      marketAmounts: true,
    };
  }

  private mayTrade(m: MarketState<ArbMarket>, nowMs: number): boolean {
    return (
      m.phase === "live" && this.c.tradingOn() && nowMs >= m.ext.cooldownUntilMs && nowMs < m.info.endMs - this.c.params.stopBeforeEndMs
    );
  }

  /** Both legs in one `place` call: one batch request, signed from the pool or on the spot. */
  private execute(m: MarketState<ArbMarket>, opp: Opportunity, nowMs: number): void {
    const id = this.c.newClientId();
    const [yes, no] = this.c.orders.submitOrders([
      this.legIntent(m, opp.legs[0], `${id}-y`),
      this.legIntent(m, opp.legs[1], `${id}-n`),
    ]) as [OrderView, OrderView];
    m.ext.trade = { id, kind: opp.kind, opportunity: opp, yes, no, sentMs: nowMs };
    m.ext.trades++;
    this.c.totals.tradesTaken++;
    this.c.log("info", "trade_sent", {
      market: m.info.slug,
      trade: id,
      kind: opp.kind,
      pairsE6: opp.pairsE6,
      yesLimitE4: opp.legs[0].limitPriceE4,
      noLimitE4: opp.legs[1].limitPriceE4,
      costE6: opp.costE6,
      proceedsE6: opp.proceedsE6,
      expectedProfitE6: opp.expectedProfitE6,
      orderType: this.c.params.orderType,
    });
  }

  /** Warms the pre-signed pool with what a trade would send if the edge were reached now. */
  private presign(m: MarketState<ArbMarket>, yes: BookView, no: BookView): void {
    if (yes.bestAskE4() + no.bestAskE4() > ONE_E4 - this.c.params.minEdgeE4 + this.c.params.presignNearE4) return;
    const near = detectBuyPair(yes, no, this.detectParams(m, -this.c.params.presignNearE4));
    if (!near) return;
    const key = `${near.legs[0].limitPriceE4}/${near.legs[1].limitPriceE4}/${near.pairsE6}`;
    if (key === m.ext.presignKey) return;
    m.ext.presignKey = key;
    this.c.totals.presigned += 2;
    this.c.orders.preSignOrders(near.legs.map((leg) => this.legIntent(m, leg, "")));
  }

  /** One leg as an order: at its limit, FOK or FAK, no expiry (what the pool pre-signs). */
  private legIntent(m: MarketState<ArbMarket>, leg: ArbLeg, clientId: string): OrderIntent {
    return {
      clientId,
      conditionId: m.info.conditionId,
      tokenId: leg.tokenId,
      side: leg.side,
      priceE4: leg.limitPriceE4,
      sizeE6: leg.sizeE6,
      orderType: this.c.params.orderType,
      postOnly: false,
      expirationSec: 0,
    };
  }
}

/** A marketable BUY must be worth at least $1 at its limit (protocol notes §3.4). */
const MIN_MARKETABLE_BUY_E6 = 1_000_000;

/** Every BUY leg is worth at least the $1 minimum at its limit price. */
export function legsAreMarketable(opp: Opportunity): boolean {
  for (const leg of opp.legs) if (leg.side === "BUY" && (leg.sizeE6 * leg.limitPriceE4) / ONE_E4 < MIN_MARKETABLE_BUY_E6) return false;
  return true;
}
