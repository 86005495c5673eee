/**
 * The arbitrage bot's accounting views (pure reads of its state): pairs free to merge or
 * sell, capital in use, and the run summary. Inventory and P&L come from the P&L tracker
 * (fills, merges, resolution: engine/pnl.ts); the bot's own counters add what only it knows
 * (opportunities, trades, locked profit, incidents).
 */
import { ONE_E4, type SizeE6, type UsdE6 } from "../core/units.ts";
import type { MarketRegistry, MarketState } from "../engine/markets.ts";
import { isTerminal, type OrderView } from "../engine/order-state.ts";
import type { MarkFn, PnlTracker } from "../engine/pnl.ts";
import { type ArbMarket, type ArbSummary, type ArbTotals, type IncidentRecord, LOT_E6, type MarketSummary, usd } from "./arb-types.ts";

/** YES+NO pairs held in whole lots and not already on their way to a merge. */
export function freePairsE6(pnl: PnlTracker, m: MarketState<ArbMarket>): SizeE6 {
  const pairs = Math.min(pnl.qty(m.info.yesTokenId), pnl.qty(m.info.noTokenId)) - m.ext.mergePendingE6;
  return Math.max(0, Math.floor(pairs / LOT_E6) * LOT_E6);
}

/**
 * Cost of held tokens plus the unfilled part of our buy orders in flight (trade legs and
 * repairs, at their limits). O(markets): only the bot's own orders are looked at.
 */
export function capitalInUseE6(pnl: PnlTracker, markets: MarketRegistry<ArbMarket>): UsdE6 {
  let total = 0;
  const open = (o: OrderView | undefined): void => {
    if (o?.intent.side !== "BUY" || isTerminal(o.state)) return;
    total += Math.round((Math.max(0, o.intent.sizeE6 - o.filledE6) * o.intent.priceE4) / ONE_E4);
  };
  for (const m of markets.values()) {
    total += Math.max(0, pnl.position(m.info.yesTokenId)?.costE6 ?? 0) + Math.max(0, pnl.position(m.info.noTokenId)?.costE6 ?? 0);
    const x = m.ext;
    if (x.trade) {
      open(x.trade.yes);
      open(x.trade.no);
    }
    if (x.incident) open(x.incident.repairs[x.incident.repairs.length - 1]);
  }
  return total;
}

export interface SummaryInputs {
  readonly pnl: PnlTracker;
  readonly markets: MarketRegistry<ArbMarket>;
  readonly mark: MarkFn;
  readonly totals: ArbTotals;
  readonly incidents: readonly IncidentRecord[];
  readonly halted: boolean;
}

/** The run summary: totals in dollars and shares, one row per market. */
export function summarize(s: SummaryInputs): ArbSummary {
  const { pnl, mark } = s;
  const all = pnl.summary(mark);
  const markets: MarketSummary[] = [];
  let unpaired = 0;
  let unpairedCost = 0;
  for (const m of s.markets.values()) {
    const y = pnl.qty(m.info.yesTokenId);
    const n = pnl.qty(m.info.noTokenId);
    const ids = [m.info.yesTokenId, m.info.noTokenId];
    const excessToken = y > n ? m.info.yesTokenId : m.info.noTokenId;
    const pos = pnl.position(excessToken);
    const diff = Math.abs(y - n);
    unpaired += diff;
    if (pos && pos.qtyE6 > 0) unpairedCost += Math.round((pos.costE6 * diff) / pos.qtyE6);
    const unreal =
      pnl.unrealisedOf(m.info.yesTokenId, mark(m.info.yesTokenId)) + pnl.unrealisedOf(m.info.noTokenId, mark(m.info.noTokenId));
    const x = m.ext;
    markets.push({
      conditionId: m.info.conditionId,
      slug: m.info.slug,
      opportunities: x.opportunities,
      trades: x.trades,
      pairsBought: x.pairsBoughtE6 / 1e6,
      pairsSold: x.pairsSoldE6 / 1e6,
      lockedProfit: usd(x.lockedProfitE6),
      profit: usd(pnl.realisedOf(ids) + unreal),
      yesShares: y / 1e6,
      noShares: n / 1e6,
      unpairedShares: diff / 1e6,
    });
  }
  const t = s.totals;
  return {
    opportunitiesSeen: t.opportunitiesSeen,
    detections: t.detections,
    tradesTaken: t.tradesTaken,
    tradesFilled: t.tradesFilled,
    tradesMissed: t.tradesMissed,
    pairsBought: t.pairsBoughtE6 / 1e6,
    pairsSold: t.pairsSoldE6 / 1e6,
    profit: usd(all.totalE6),
    realisedProfit: usd(all.realisedE6),
    unrealisedProfit: usd(all.unrealisedE6),
    lockedProfit: usd(t.lockedProfitE6),
    fees: usd(all.feesE6),
    legIncidents: t.legIncidents,
    legLoss: usd(t.legLossE6),
    incidents: [...s.incidents],
    merges: t.merges,
    mergedPairs: t.mergedPairsE6 / 1e6,
    unpairedShares: unpaired / 1e6,
    unpairedCost: usd(unpairedCost),
    capitalInUse: usd(capitalInUseE6(pnl, s.markets)),
    halted: s.halted,
    totals: { ...t },
    markets,
  };
}
