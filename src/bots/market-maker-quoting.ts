/**
 * The market maker's quoting loop for one market: observe the YES book (token volatility,
 * smoothed microprice) → `calculateQuotes` (fair value, volatility multiplier, the user's
 * formula in strategy/quote.ts) → `shouldRequote` (centre moved more than
 * MM_REQUOTE_THRESHOLD, a side filled, appeared, vanished or moved more than a tick) → the
 * risk gate on what would be placed → `OrderManager.applyQuotes` (one cancel batch, one place
 * batch; a matching live order is kept). Also the pre-emptive cancel of the side an
 * underlying jump exposes, and pulling a market's quotes at its end.
 *
 * State lives in the market's `MmMarket` extension and the shared `MmContext`; nothing here
 * touches the venue except through the order manager.
 */
import { ONE_E4, type SizeE6 } from "../core/units.ts";
import type { MarketState } from "../engine/markets.ts";
import type { DesiredQuote, SellFitter } from "../engine/quote-reconcile.ts";
import { checkOrder } from "../risk/gate.ts";
import { calculateQuotes as quoteFormula, type DesiredQuotes, type QuoteOrder, shouldRequote } from "../strategy/quote.ts";
import { combineRecommendations, VolatilityEngine, type VolatilityRecommendations } from "../strategy/volatility.ts";
import type { MmContext } from "./market-maker-context.ts";
import type { MarketMakerParams } from "./market-maker-params.ts";
import { endGameQuoteParams, fairValueOf, withModelVolatility } from "./market-maker-pricing.ts";
import { type MmMarket, quoteSideOf } from "./market-maker-types.ts";

/** Sizes are on the 0.01-share grid. */
const LOT_E6 = 10_000;

const NO_RECS: VolatilityRecommendations = { volatilityScore: 0, spreadMultiplier: 1, sizeMultiplier: 1, shouldQuote: false };

/** A market's quoting state before its first quote. */
export function newMarketState(params: MarketMakerParams): MmMarket {
  return {
    quotes: null,
    quoteSpot: Number.NaN,
    quoteAtMs: 0,
    filledBid: false,
    filledAsk: false,
    cooldownBidMs: 0,
    cooldownAskMs: 0,
    tokenVol: new VolatilityEngine({ returns: "absolute", ...params.tokenVol }),
    recs: NO_RECS,
    fairValue: Number.NaN,
    modelP: Number.NaN,
    pMoveE4: Number.NaN,
    micro: Number.NaN,
    microAtMs: 0,
    fills: 0,
    requotes: 0,
    mergePendingE6: 0,
    mergeSentMs: 0,
    hedgeClientId: "",
    state: "warming",
  };
}

export class MarketQuoter {
  constructor(private readonly ctx: MmContext) {}

  /**
   * A YES book change: token volatility on the mid, and the microprice smoothed over
   * `micropriceSmoothingMs` (the top-of-book sizes flicker many times a second; unsmoothed,
   * that flicker alone moved the centre past the threshold about twice as often as the
   * underlying did, in the simulator).
   */
  observeTokenBook(m: MarketState<MmMarket>): void {
    const yes = this.ctx.feed.book(m.info.yesTokenId);
    if (!yes || yes.stale) return;
    const bid = yes.bestBidE4();
    const ask = yes.bestAskE4();
    if (bid <= 0 || ask >= ONE_E4) return;
    const nowMs = this.ctx.clock.wallMs();
    const x = m.ext;
    x.tokenVol.update((bid + ask) / 2 / ONE_E4, nowMs);
    x.tokenVol.updateSpread((ask - bid) / ONE_E4);
    const micro = yes.microprice() / ONE_E4;
    if (!Number.isFinite(micro)) return;
    const tau = this.ctx.params.micropriceSmoothingMs;
    if (Number.isNaN(x.micro) || tau <= 0) x.micro = micro;
    else x.micro += (1 - Math.exp(-Math.max(0, nowMs - x.microAtMs) / tau)) * (micro - x.micro);
    x.microAtMs = nowMs;
  }

  /** Pulls the side(s) an underlying jump exposes, and keeps them empty for `jumpCooldownMs`. */
  preemptiveCancel(m: MarketState<MmMarket>, exposed: "bid" | "ask" | "both", nowMs: number): void {
    const { ctx } = this;
    const x = m.ext;
    const until = nowMs + ctx.params.jumpCooldownMs;
    const ids: string[] = [];
    for (const o of ctx.orders.getActiveOrders(m.info.conditionId)) {
      const ref = ctx.markets.byToken(o.intent.tokenId);
      if (!ref || o.intent.orderType !== "GTC") continue;
      const side = quoteSideOf(o.intent.side, ref.isYes);
      if (exposed === "both" || exposed === side) ids.push(o.intent.clientId);
    }
    if (exposed !== "ask") x.cooldownBidMs = until;
    if (exposed !== "bid") x.cooldownAskMs = until;
    if (ids.length === 0) return;
    ctx.orders.cancelOrders(ids);
    ctx.totals.cancelsSent += ids.length;
    ctx.totals.preemptiveCancels++;
    ctx.log("info", "preemptive_cancel", { market: m.info.slug, side: exposed, orders: ids.length });
  }

  /** The user's `calculateQuotes(market)`: desired quotes for one market now. */
  calculateQuotes(m: MarketState<MmMarket>): DesiredQuotes | null {
    const { ctx } = this;
    const yesBook = ctx.feed.book(m.info.yesTokenId);
    const noBook = ctx.feed.book(m.info.noTokenId);
    if (!yesBook || !noBook) return null;
    const nowMs = ctx.clock.wallMs();
    const x = m.ext;
    const u = ctx.underlyings.get(m.info.underlying);
    const fv = fairValueOf(m, u, yesBook.stale ? Number.NaN : x.micro, nowMs, ctx.params);
    x.fairValue = fv.fairValue;
    x.modelP = fv.modelP;
    x.pMoveE4 = fv.pMoveE4;
    const recs = u
      ? combineRecommendations(x.tokenVol.getRecommendations(), u.volEngine.getRecommendations())
      : x.tokenVol.getRecommendations();
    x.recs = withModelVolatility(recs, x.pMoveE4, ctx.params);
    return quoteFormula({
      market: m.info,
      nowMs,
      fairValue: x.fairValue,
      yesBook,
      noBook,
      vol: x.recs,
      // The skew widens with the spread: a lean of a fixed cent means nothing in a 6-cent market.
      adjustment: ctx.hedger.getQuoteAdjustment(m.info.yesTokenId, Math.max(1, x.recs.spreadMultiplier)),
      // Shares on their way to a merge are not ours to sell.
      yesHeldE6: Math.max(0, ctx.pnl.qty(m.info.yesTokenId) - x.mergePendingE6),
      noHeldE6: Math.max(0, ctx.pnl.qty(m.info.noTokenId) - x.mergePendingE6),
      params: endGameQuoteParams(m.info.endMs, nowMs, ctx.params),
    });
  }

  /** Decides and applies the quotes of one market (no request when nothing needs to change). */
  evaluate(m: MarketState<MmMarket>): void {
    const { ctx } = this;
    if (ctx.isStopping() || m.phase !== "live") return;
    const x = m.ext;
    const halted = ctx.breaker.state() === "HALTED";
    const q = halted ? null : this.calculateQuotes(m);
    const nowMs = ctx.clock.wallMs();
    let bid: QuoteOrder | null = q?.bid ?? null;
    let ask: QuoteOrder | null = q?.ask ?? null;
    if (nowMs < x.cooldownBidMs) bid = null;
    if (nowMs < x.cooldownAskMs) ask = null;
    x.state = halted ? "halted" : !q ? "no_book" : stateOf(q, bid, ask);
    const current = x.quotes;
    const desired: DesiredQuotes = q ? { ...q, bid, ask } : emptyQuotes(m.info.conditionId, current);
    // The user's rule: requote when the centre moves more than MM_REQUOTE_THRESHOLD (both
    // sides) or a side filled; a side's own one-tick rounding flicker is not a move
    // (shouldRequote compares side prices against max(threshold, tick)).
    const thr = ctx.params.requoteThresholdE4;
    const centreMoved = !current || Math.abs(desired.centreE4 - current.centreE4) > thr;
    const tick = Math.max(m.info.tickE4, ctx.feed.book(m.info.yesTokenId)?.tickE4 ?? 0);
    const d = shouldRequote(current, desired, { thresholdE4: thr, tickE4: tick, filled: { bid: x.filledBid, ask: x.filledAsk } });
    if (!d.bid && !d.ask) return;
    const next = this.gate(m, current, desired, d.bid, d.ask);
    x.quotes = { ...next, centreE4: centreMoved ? desired.centreE4 : (current?.centreE4 ?? desired.centreE4) };
    if (d.bid) x.filledBid = false;
    if (d.ask) x.filledAsk = false;
    this.apply(m, nowMs);
  }

  /** Cancels a market's quotes now (window end, resolution). */
  pullQuotes(m: MarketState<MmMarket>, why: string): void {
    m.ext.quotes = null;
    m.ext.state = why;
    const plan = this.ctx.orders.applyQuotes(m.info.conditionId, []);
    this.ctx.totals.cancelsSent += plan.cancel.length;
  }

  /** Keeps unchanged sides, and drops a new side the risk gate denies. */
  private gate(
    m: MarketState<MmMarket>,
    current: DesiredQuotes | null,
    desired: DesiredQuotes,
    newBid: boolean,
    newAsk: boolean,
  ): DesiredQuotes {
    const { ctx } = this;
    let bid = newBid ? desired.bid : (current?.bid ?? null);
    let ask = newAsk ? desired.ask : (current?.ask ?? null);
    if ((newBid && bid) || (newAsk && ask)) {
      const view = ctx.portfolio({ conditionId: m.info.conditionId, bid: newBid, ask: newAsk });
      const check = (o: QuoteOrder): boolean => {
        const r = checkOrder(
          { conditionId: m.info.conditionId, tokenId: o.tokenId, side: o.side, priceE4: o.priceE4, sizeE6: o.sizeE6 },
          view,
          ctx.params.risk,
        );
        if (!r.ok) {
          ctx.totals.riskDenials++;
          m.ext.state = `denied:${r.code}`;
        }
        return r.ok;
      };
      if (newBid && bid && !check(bid)) bid = null;
      if (newAsk && ask && !check(ask)) ask = null;
    }
    return {
      ...desired,
      bid,
      ask,
      bidE4: bid ? (newBid ? desired.bidE4 : (current?.bidE4 ?? 0)) : 0,
      askE4: ask ? (newAsk ? desired.askE4 : (current?.askE4 ?? 0)) : 0,
    };
  }

  /** Makes the resting orders of `m` equal its `quotes` (one cancel batch, one place batch). */
  private apply(m: MarketState<MmMarket>, nowMs: number): void {
    const { ctx } = this;
    const x = m.ext;
    const wanted: DesiredQuote[] = [];
    const q = x.quotes;
    if (q?.bid) wanted.push(toDesired(m.info.conditionId, q.bid));
    if (q?.ask) wanted.push(toDesired(m.info.conditionId, q.ask));
    const fitted = new Map<DesiredQuote, "buy" | "shrunk">();
    const plan = ctx.orders.applyQuotes(m.info.conditionId, wanted, this.sellFitter(m, fitted));
    for (const p of plan.place) {
      const how = fitted.get(p);
      if (how === "buy") ctx.totals.sellsAsBuys++;
      else if (how === "shrunk") ctx.totals.sellsShrunk++;
    }
    if (plan.place.length === 0 && plan.cancel.length === 0) return;
    ctx.totals.quotesSent += plan.place.length;
    ctx.totals.cancelsSent += plan.cancel.length;
    ctx.totals.requotes++;
    if (x.requotes === 0 && plan.place.length > 0) ctx.totals.marketsQuoted++;
    x.requotes++;
    const u = ctx.underlyings.get(m.info.underlying);
    x.quoteSpot = u ? u.lastPrice : Number.NaN;
    x.quoteAtMs = nowMs;
    if (plan.place.length > 0 && ctx.params.presign) this.presign(wanted);
  }

  /**
   * A SELL is placed only on shares nothing else of ours holds: held − on their way to a
   * merge − still held by our other SELLs of that token (a replaced SELL keeps its shares
   * until its cancel is confirmed; a pending one until it is acked and cancelled). Short of
   * that, the same YES-terms quote goes out as the equivalent BUY of the other token (SELL YES
   * at a ≡ BUY NO at 1 − a) when the gate allows it, else the SELL shrinks to the free shares,
   * else it waits. `x.quotes` keeps the SELL form, so the next evaluation does not flip the
   * substitute straight back; the next real requote places the SELL once the shares are free.
   * What it substituted is noted in `fitted` (counted once actually placed, not when an
   * identical substitute is already live).
   */
  private sellFitter(m: MarketState<MmMarket>, fitted: Map<DesiredQuote, "buy" | "shrunk">): SellFitter {
    const { ctx } = this;
    return (q, reservedE6) => {
      const free = ctx.pnl.qty(q.tokenId) - m.ext.mergePendingE6 - reservedE6;
      if (q.sizeE6 <= free) return q;
      const isYes = q.tokenId === m.info.yesTokenId;
      const buy: DesiredQuote = { ...q, tokenId: isYes ? m.info.noTokenId : m.info.yesTokenId, side: "BUY", priceE4: ONE_E4 - q.priceE4 };
      const side = quoteSideOf("SELL", isYes);
      const view = ctx.portfolio({ conditionId: m.info.conditionId, bid: side === "bid", ask: side === "ask" });
      if (
        checkOrder(
          { conditionId: m.info.conditionId, tokenId: buy.tokenId, side: "BUY", priceE4: buy.priceE4, sizeE6: buy.sizeE6 },
          view,
          ctx.params.risk,
        ).ok
      ) {
        fitted.set(buy, "buy");
        return buy;
      }
      const lot: SizeE6 = Math.floor(Math.max(0, free) / LOT_E6) * LOT_E6;
      if (lot > 0 && lot >= m.info.minSizeE6) {
        const shrunk = { ...q, sizeE6: lot };
        fitted.set(shrunk, "shrunk");
        return shrunk;
      }
      ctx.totals.sellsSkipped++;
      return null;
    };
  }

  /**
   * Tells the venue where this market is quoted now, so the pre-signed pool can keep signed
   * orders on the ladder around these prices (the pool decides how many ticks, by
   * PRE_SIGN_POOL_SIZE); the next requote then takes one in O(1) instead of signing.
   */
  private presign(quoted: readonly DesiredQuote[]): void {
    this.ctx.orders.preSignOrders(
      quoted.map((q) => ({
        clientId: "",
        conditionId: q.conditionId,
        tokenId: q.tokenId,
        side: q.side,
        priceE4: q.priceE4,
        sizeE6: q.sizeE6,
        orderType: "GTC" as const,
        postOnly: true,
        expirationSec: 0,
      })),
    );
  }
}

function toDesired(conditionId: string, o: QuoteOrder): DesiredQuote {
  return { conditionId, tokenId: o.tokenId, side: o.side, priceE4: o.priceE4, sizeE6: o.sizeE6, orderType: "GTC", postOnly: true };
}

function emptyQuotes(conditionId: string, current: DesiredQuotes | null): DesiredQuotes {
  const centre = current?.centreE4 ?? 0;
  return {
    conditionId,
    bid: null,
    ask: null,
    bidE4: 0,
    askE4: 0,
    centreE4: centre,
    spreadE4: 0,
    bidReason: "stale_book",
    askReason: "stale_book",
  };
}

function stateOf(q: DesiredQuotes, bid: QuoteOrder | null, ask: QuoteOrder | null): string {
  if (bid && ask) return "quoting";
  if (!bid && !ask) return q.bidReason ?? q.askReason ?? "cooldown";
  return bid ? `bid only (${q.askReason ?? "cooldown"})` : `ask only (${q.bidReason ?? "cooldown"})`;
}
