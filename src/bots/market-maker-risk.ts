/**
 * The risk gate's view of the market maker's book (`PortfolioView`): per market, shares held
 * (from the P&L tracker), resting orders by token and side (from the order manager), and the
 * mark. Pure: everything comes in as arguments.
 *
 * MM_MAX_POSITION is "$ at cost" (docs/config.md): a net long is marked at the higher of its
 * fair value and what it cost, so a side that fell in price does not free room to buy more
 * of it (marking a loser down would let the limit double down on it).
 */
import { ONE_E4 } from "../core/units.ts";
import type { MarketRegistry } from "../engine/markets.ts";
import type { OrderView } from "../engine/order-state.ts";
import type { PnlTracker } from "../engine/pnl.ts";
import type { MarketExposure, PortfolioView } from "../risk/gate.ts";
import { type MmMarket, quoteSideOf } from "./market-maker-types.ts";

export interface PortfolioInputs {
  readonly markets: MarketRegistry<MmMarket>;
  readonly activeOrders: readonly OrderView[];
  readonly pnl: PnlTracker;
  readonly dailyPnlE6: number;
  /** Quotes of this market about to be replaced: left out of its resting orders. */
  readonly replacing?: { readonly conditionId: string; readonly bid: boolean; readonly ask: boolean };
}

export function portfolioView(i: PortfolioInputs): PortfolioView {
  const open = new Map<string, { buyYes: number; buyNo: number; sellYes: number; sellNo: number }>();
  for (const o of i.activeOrders) {
    const ref = i.markets.byToken(o.intent.tokenId);
    if (!ref) continue;
    const id = ref.market.info.conditionId;
    if (i.replacing && id === i.replacing.conditionId && o.intent.orderType === "GTC") {
      const side = quoteSideOf(o.intent.side, ref.isYes);
      if ((side === "bid" && i.replacing.bid) || (side === "ask" && i.replacing.ask)) continue;
    }
    let agg = open.get(id);
    if (!agg) {
      agg = { buyYes: 0, buyNo: 0, sellYes: 0, sellNo: 0 };
      open.set(id, agg);
    }
    const rest = Math.max(0, o.intent.sizeE6 - o.filledE6);
    if (o.intent.side === "BUY") {
      if (ref.isYes) agg.buyYes += rest;
      else agg.buyNo += rest;
    } else if (ref.isYes) agg.sellYes += rest;
    else agg.sellNo += rest;
  }
  const markets = new Map<string, MarketExposure>();
  for (const m of i.markets.values()) {
    const id = m.info.conditionId;
    const agg = open.get(id);
    const yes = i.pnl.position(m.info.yesTokenId);
    const no = i.pnl.position(m.info.noTokenId);
    const yesE6 = yes?.qtyE6 ?? 0;
    const noE6 = no?.qtyE6 ?? 0;
    let fv = Number.isFinite(m.ext.fairValue) ? m.ext.fairValue : 0.5;
    if (yesE6 > noE6 && yes && yesE6 > 0) fv = Math.max(fv, yes.costE6 / yesE6);
    else if (noE6 > yesE6 && no && noE6 > 0) fv = Math.min(fv, 1 - no.costE6 / noE6);
    markets.set(id, {
      conditionId: id,
      yesTokenId: m.info.yesTokenId,
      noTokenId: m.info.noTokenId,
      endMs: m.info.endMs,
      yesE6,
      noE6,
      openBuyYesE6: agg?.buyYes ?? 0,
      openBuyNoE6: agg?.buyNo ?? 0,
      openSellYesE6: agg?.sellYes ?? 0,
      openSellNoE6: agg?.sellNo ?? 0,
      markYesE4: Math.min(ONE_E4 - 1, Math.max(1, Math.round(fv * ONE_E4))),
    });
  }
  return { markets, dailyPnlE6: i.dailyPnlE6 };
}
