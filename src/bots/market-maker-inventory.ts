/**
 * The market maker's fills and inventory. The P&L tracker is the one inventory (fills,
 * FAILED reversals, merges, resolution); the DeltaHedger is brought in step with it after
 * every change, for the quote skew and for hedging. Every risk check, matched YES+NO pairs
 * not offered for sale are merged back to collateral, and an inventory beyond twice the
 * full-skew size whose net position at cost also exceeds MM_MAX_POSITION (a breach the
 * quote gate did not prevent: a burst of fills) is cut with one FAK order at a time.
 */
import type { ExchangeEvent } from "../core/ports.ts";
import type { SizeE6 } from "../core/units.ts";
import type { MarketState } from "../engine/markets.ts";
import { cleanMarketSizeE6, marketLotE6 } from "../polymarket/amounts.ts";
import { checkOrder } from "../risk/gate.ts";
import { planHedgeOrder } from "../strategy/delta-hedge.ts";
import type { MmContext } from "./market-maker-context.ts";
import { type MmMarket, quoteSideOf } from "./market-maker-types.ts";

export class InventoryDesk {
  /** Per market, the last reason a hedge was skipped (logged once per reason, not per check). */
  private readonly skipLogged = new Map<string, string>();
  constructor(
    private readonly ctx: MmContext,
    /** Re-evaluates a market's quotes (the filled side is requoted). */
    private readonly evaluate: (m: MarketState<MmMarket>) => void,
  ) {}

  onFill(ev: Extract<ExchangeEvent, { kind: "fill" }>): void {
    const { ctx } = this;
    const nowMs = ctx.clock.wallMs();
    const effect = ctx.pnl.onFill(ev, nowMs);
    if (effect === "ignored") return;
    const ref = ctx.markets.byToken(ev.tokenId);
    if (effect === "new") ctx.totals.fills++;
    else ctx.totals.fills--;
    if (!ref) {
      ctx.log("warn", "fill_unknown_market", { tokenId: ev.tokenId, orderId: ev.orderId, sizeE6: ev.sizeE6 });
      return;
    }
    const m = ref.market;
    this.syncInventory(m);
    if (effect === "new") {
      m.ext.fills++;
      const side = quoteSideOf(ev.side, ref.isYes);
      if (side === "bid") m.ext.filledBid = true;
      else m.ext.filledAsk = true;
      ctx.log("info", "fill", {
        market: m.info.slug,
        outcome: ref.isYes ? m.info.outcomes[0] : m.info.outcomes[1],
        side: ev.side,
        quoteSide: side,
        priceE4: ev.priceE4,
        sizeE6: ev.sizeE6,
        feeE6: ev.feeE6,
        liquidity: ev.liquidity,
        tradeId: ev.tradeId,
        orderId: ev.orderId,
        fairValue: round4(m.ext.fairValue),
        yesE6: ctx.pnl.qty(m.info.yesTokenId),
        noE6: ctx.pnl.qty(m.info.noTokenId),
      });
    }
    this.evaluate(m);
  }

  onMerged(ev: Extract<ExchangeEvent, { kind: "merged" }>): void {
    const { ctx } = this;
    const m = ctx.markets.get(ev.conditionId);
    ctx.pnl.onMerge(ev.conditionId, ev.sizeE6);
    if (m) {
      m.ext.mergePendingE6 = 0;
      ctx.orders.recordMerge(m.info.yesTokenId, m.info.noTokenId, ev.sizeE6);
      this.syncInventory(m);
    }
    ctx.totals.merges++;
    ctx.log("info", "merged", { market: m?.info.slug ?? ev.conditionId, sizeE6: ev.sizeE6 });
  }

  /**
   * Brings the DeltaHedger to the P&L tracker's positions and records the inventory peak:
   * |YES − NO| in shares, and that net position at its average cost (MM_MAX_POSITION's unit).
   */
  syncInventory(m: MarketState<MmMarket>): void {
    const { ctx } = this;
    for (const token of [m.info.yesTokenId, m.info.noTokenId]) {
      const diff = ctx.pnl.qty(token) - ctx.hedger.position(token);
      if (diff !== 0) ctx.hedger.updatePosition(token, Math.abs(diff), diff > 0 ? "BUY" : "SELL");
    }
    const abs = Math.abs(ctx.hedger.delta(m.info.conditionId));
    if (abs > ctx.totals.maxAbsInventoryE6) ctx.totals.maxAbsInventoryE6 = abs;
    const usd = this.netExposureUsdE6(m);
    if (usd > ctx.totals.maxAbsInventoryUsdE6) ctx.totals.maxAbsInventoryUsdE6 = usd;
  }

  /** Merges matched pairs and sends urgent hedges (one at a time per market). */
  manageInventory(m: MarketState<MmMarket>, nowMs: number): void {
    const { ctx } = this;
    const x = m.ext;
    if (x.mergePendingE6 > 0 && nowMs - x.mergeSentMs > 30_000) x.mergePendingE6 = 0; // no answer: may retry
    const action = ctx.hedger.needsHedge(m.info.conditionId);
    if (!action) return;
    if (action.kind === "merge") {
      if (x.mergePendingE6 > 0) return;
      const free = this.freePairs(m);
      const size = Math.min(action.sizeE6, free);
      if (size < ctx.params.hedge.minMergeE6) return;
      x.mergePendingE6 = size;
      x.mergeSentMs = nowMs;
      ctx.exchange.merge(m.info.conditionId, size);
      ctx.log("info", "merge_sent", { market: m.info.slug, sizeE6: size });
      return;
    }
    if (!ctx.params.takerHedges || m.phase !== "live" || ctx.breaker.state() === "HALTED") return;
    // Crossing the spread is for a breach only: while the net position at cost is within
    // MM_MAX_POSITION the quote skew works it off (measured: cutting at the share threshold
    // sold into informed flow at the bid less the slippage and lost several times the edge).
    if (this.netExposureUsdE6(m) <= ctx.params.risk.maxPositionUsdE6) return;
    if (x.hedgeClientId !== "") {
      const o = ctx.orders.getOrder(x.hedgeClientId);
      if (o && o.state !== "filled" && o.state !== "cancelled" && o.state !== "rejected" && o.state !== "expired") return;
      x.hedgeClientId = "";
    }
    const excess = ctx.feed.book(action.excessTokenId);
    const other = ctx.feed.book(action.otherTokenId);
    if (!excess || !other) return;
    // Only shares no SELL of ours holds can be sold now; short of them the hedge buys the complement.
    const freeE6 = Math.max(0, ctx.pnl.qty(action.excessTokenId) - x.mergePendingE6 - ctx.orders.reservedSellE6(action.excessTokenId));
    const order = planHedgeOrder(
      { ...action, heldExcessE6: Math.min(action.heldExcessE6, freeE6) },
      excess,
      other,
      ctx.params.hedgeSlippageE4,
    );
    if (!order) return;
    // A FAK is a market order on Polymarket: cut to a clean lot so its amounts are exact.
    const sizeE6 = cleanMarketSizeE6(order.side, order.limitPriceE4, order.sizeE6);
    if (sizeE6 <= 0 || sizeE6 < m.info.minSizeE6) {
      const why = `${order.sizeE6} shares E6 in clean lots of ${marketLotE6(order.side, order.limitPriceE4)} at ${order.limitPriceE4} is ${sizeE6}, below the minimum order size ${m.info.minSizeE6}`;
      if (this.skipLogged.get(m.info.conditionId) !== why) {
        this.skipLogged.set(m.info.conditionId, why);
        ctx.log("info", "hedge_skipped", { market: m.info.slug, via: order.via, side: order.side, reason: why });
      }
      return;
    }
    this.skipLogged.delete(m.info.conditionId);
    const view = ctx.portfolio();
    const r = checkOrder(
      { conditionId: m.info.conditionId, tokenId: order.tokenId, side: order.side, priceE4: order.limitPriceE4, sizeE6 },
      view,
      ctx.params.risk,
    );
    if (!r.ok) return;
    const clientId = `hedge-${m.info.conditionId.slice(2, 10)}-${nowMs}`;
    x.hedgeClientId = clientId;
    ctx.orders.submitOrder({
      clientId,
      conditionId: m.info.conditionId,
      tokenId: order.tokenId,
      side: order.side,
      priceE4: order.limitPriceE4,
      sizeE6,
      orderType: "FAK",
      postOnly: false,
      expirationSec: 0,
    });
    ctx.totals.hedges++;
    ctx.log("info", "hedge_sent", {
      market: m.info.slug,
      via: order.via,
      side: order.side,
      priceE4: order.limitPriceE4,
      sizeE6,
    });
  }

  /** |YES − NO| of a market at the average cost of the side held, UsdE6. */
  private netExposureUsdE6(m: MarketState<MmMarket>): number {
    const { ctx } = this;
    const delta = ctx.pnl.qty(m.info.yesTokenId) - ctx.pnl.qty(m.info.noTokenId);
    const held = ctx.pnl.position(delta > 0 ? m.info.yesTokenId : m.info.noTokenId);
    return held && held.qtyE6 > 0 ? Math.round((Math.abs(delta) * held.costE6) / held.qtyE6) : 0;
  }

  /** YES+NO pairs not offered in resting SELL orders. */
  private freePairs(m: MarketState<MmMarket>): SizeE6 {
    const { ctx } = this;
    let sellYes = 0;
    let sellNo = 0;
    for (const o of ctx.orders.getActiveOrders(m.info.conditionId)) {
      if (o.intent.side !== "SELL") continue;
      const rest = o.intent.sizeE6 - o.filledE6;
      if (o.intent.tokenId === m.info.yesTokenId) sellYes += rest;
      else sellNo += rest;
    }
    const pairs = Math.min(ctx.pnl.qty(m.info.yesTokenId) - sellYes, ctx.pnl.qty(m.info.noTokenId) - sellNo);
    return Math.max(0, Math.floor(pairs / 10_000) * 10_000);
  }
}

/** A fair value for the log: 4 decimals, null when unknown. */
export function round4(x: number): number | null {
  return Number.isFinite(x) ? Math.round(x * 10_000) / 10_000 : null;
}
