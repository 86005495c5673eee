/**
 * Pre-trade risk gate: every order passes `checkOrder` before it is signed or sent. Cancels
 * never pass through here: they are always allowed.
 *
 * Exposure is counted in the worst case for each direction of each market:
 *   up   = YES held + YES resting buys − NO held        (only our YES buys fill)
 *   down = NO held + NO resting buys − YES held         (only our NO buys fill)
 * valued at the mark (YES at the fair value, NO at 1 − it). Matched YES+NO pairs pay $1
 * whatever happens, so they cancel out. Limits:
 *  - per side per market (MM_MAX_POSITION): max(0, up)·markYes and max(0, down)·markNo;
 *  - total (RISK_MAX_TOTAL_EXPOSURE): Σ over markets of the larger of the two;
 *  - correlated (RISK_MAX_CORRELATED_EXPOSURE): markets that end at the same time (BTC, ETH
 *    and SOL windows resolving together move together) summed per direction: Σ up-values
 *    and Σ down-values of the group, each capped;
 *  - daily loss (RISK_DAILY_LOSS_LIMIT): once the day's P&L is at or below −limit, only orders
 *    that add no exposure pass.
 * An order is denied only if it pushes a metric past its limit, or further past it: orders
 * that reduce a breached exposure always pass, so the bot can always get smaller.
 * A SELL larger than the shares held and not already offered is denied (`OVERSELL`): on
 * Polymarket you can only sell what you hold.
 *
 * Pure: the caller passes a snapshot of positions, resting orders and marks.
 */
import type { OrderIntent } from "../core/ports.ts";
import { ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";

export interface RiskLimits {
  readonly maxPositionUsdE6: UsdE6;
  readonly maxTotalExposureUsdE6: UsdE6;
  readonly maxCorrelatedExposureUsdE6: UsdE6;
  /** A positive number: the loss that stops new exposure. */
  readonly dailyLossLimitUsdE6: UsdE6;
}

export interface MarketExposure {
  readonly conditionId: string;
  readonly yesTokenId: string;
  readonly noTokenId: string;
  /** Markets with the same end time form one correlated group. */
  readonly endMs: number;
  readonly yesE6: SizeE6;
  readonly noE6: SizeE6;
  /** Resting BUY sizes (unfilled remainder). */
  readonly openBuyYesE6: SizeE6;
  readonly openBuyNoE6: SizeE6;
  /** Resting SELL sizes (shares already offered). */
  readonly openSellYesE6: SizeE6;
  readonly openSellNoE6: SizeE6;
  /** Mark of YES (fair value), PriceE4; NO is marked at 1 − it. */
  readonly markYesE4: PriceE4;
}

export interface PortfolioView {
  readonly markets: ReadonlyMap<string, MarketExposure>;
  /** Realised + unrealised P&L since the start of the trading day (negative = loss). */
  readonly dailyPnlE6: UsdE6;
}

export type DenyCode = "UNKNOWN_MARKET" | "BAD_ORDER" | "OVERSELL" | "MAX_POSITION" | "MAX_TOTAL" | "MAX_CORRELATED" | "DAILY_LOSS";

export type RiskDecision = { readonly ok: true } | { readonly ok: false; readonly code: DenyCode; readonly reason: string };

const ALLOW: RiskDecision = { ok: true };
const deny = (code: DenyCode, reason: string): RiskDecision => ({ ok: false, code, reason });

export type OrderToCheck = Pick<OrderIntent, "conditionId" | "tokenId" | "side" | "priceE4" | "sizeE6">;

interface Worst {
  /** Value of the up and down worst cases, UsdE6 (≥ 0). */
  up: number;
  down: number;
}

function worst(m: MarketExposure, dYes: number, dNo: number, dOpenBuyYes: number, dOpenBuyNo: number): Worst {
  const yes = m.yesE6 + dYes;
  const no = m.noE6 + dNo;
  const up = yes + m.openBuyYesE6 + dOpenBuyYes - no;
  const down = no + m.openBuyNoE6 + dOpenBuyNo - yes;
  return {
    up: up > 0 ? (up * m.markYesE4) / ONE_E4 : 0,
    down: down > 0 ? (down * (ONE_E4 - m.markYesE4)) / ONE_E4 : 0,
  };
}

export function checkOrder(order: OrderToCheck, portfolio: PortfolioView, limits: RiskLimits): RiskDecision {
  const m = portfolio.markets.get(order.conditionId);
  if (!m) return deny("UNKNOWN_MARKET", `no exposure record for market ${order.conditionId}`);
  const isYes = order.tokenId === m.yesTokenId;
  if (!isYes && order.tokenId !== m.noTokenId) return deny("BAD_ORDER", `token ${order.tokenId} is not in market ${order.conditionId}`);
  if (!(order.sizeE6 > 0) || !(order.priceE4 > 0 && order.priceE4 < ONE_E4))
    return deny("BAD_ORDER", `size ${order.sizeE6} / price ${order.priceE4} out of range`);

  // A resting BUY counts as if filled; a SELL removes held shares now (worst case: it fills).
  let dYes = 0;
  let dNo = 0;
  let dBuyYes = 0;
  let dBuyNo = 0;
  if (order.side === "BUY") {
    if (isYes) dBuyYes = order.sizeE6;
    else dBuyNo = order.sizeE6;
  } else {
    const held = isYes ? m.yesE6 - m.openSellYesE6 : m.noE6 - m.openSellNoE6;
    if (order.sizeE6 > held) return deny("OVERSELL", `sell ${order.sizeE6} > ${Math.max(0, held)} held and not yet offered`);
    if (isYes) dYes = -order.sizeE6;
    else dNo = -order.sizeE6;
  }
  const before = worst(m, 0, 0, 0, 0);
  const after = worst(m, dYes, dNo, dBuyYes, dBuyNo);
  const grows = (a: number, b: number) => a > b + 0.5; // UsdE6: half a micro-dollar of float slack
  const addsUp = grows(after.up, before.up);
  const addsDown = grows(after.down, before.down);
  if (!addsUp && !addsDown) return ALLOW;

  if (portfolio.dailyPnlE6 <= -limits.dailyLossLimitUsdE6) {
    return deny("DAILY_LOSS", `daily P&L ${portfolio.dailyPnlE6} at or below −${limits.dailyLossLimitUsdE6}: reduce-only`);
  }
  const side = addsUp ? after.up : after.down;
  if (side > limits.maxPositionUsdE6) {
    return deny("MAX_POSITION", `${addsUp ? "Up" : "Down"} exposure ${Math.round(side)} > ${limits.maxPositionUsdE6} in ${m.conditionId}`);
  }

  let total = Math.max(after.up, after.down);
  let groupUp = after.up;
  let groupDown = after.down;
  for (const other of portfolio.markets.values()) {
    if (other.conditionId === m.conditionId) continue;
    const w = worst(other, 0, 0, 0, 0);
    total += Math.max(w.up, w.down);
    if (other.endMs === m.endMs) {
      groupUp += w.up;
      groupDown += w.down;
    }
  }
  if (total > limits.maxTotalExposureUsdE6) {
    return deny("MAX_TOTAL", `total exposure ${Math.round(total)} > ${limits.maxTotalExposureUsdE6}`);
  }
  const group = addsUp ? groupUp : groupDown;
  if (group > limits.maxCorrelatedExposureUsdE6) {
    return deny(
      "MAX_CORRELATED",
      `${addsUp ? "Up" : "Down"} exposure ${Math.round(group)} across markets ending at ${m.endMs} > ${limits.maxCorrelatedExposureUsdE6}`,
    );
  }
  return ALLOW;
}
