/**
 * Parameters of the arbitrage bot (issue 8), with defaults, and their mapping from the
 * typed `Config` (ARB_* and RISK_* keys). Money UsdE6, prices PriceE4, sizes SizeE6, times ms.
 */
import type { Config } from "../config.ts";
import type { PriceE4, SizeE6, UsdE6 } from "../core/units.ts";
import type { LegRule } from "./leg-repair.ts";

export interface ArbBotParams {
  /** ARB_MIN_EDGE: least profit per pair after taker fees. */
  readonly minEdgeE4: PriceE4;
  /** ARB_MAX_CAPITAL: inventory cost + in-flight buy legs never exceed this. */
  readonly maxCapitalUsdE6: UsdE6;
  /** ARB_LEG_RULE. */
  readonly legRule: LegRule;
  /** ARB_MAX_LEG_LOSS: most one leg incident may lose. */
  readonly maxLegLossUsdE6: UsdE6;
  /** ARB_ORDER_TYPE: both legs fill-or-kill, or fill-and-kill (partial fills allowed). */
  readonly orderType: "FOK" | "FAK";
  /** RISK_DAILY_LOSS_LIMIT: realised + unrealised below −this stops new trades (cancel all). */
  readonly lossLimitUsdE6: UsdE6;
  /** After its ack, a leg with no news for this long is taken as settled (FAK remainder killed). */
  readonly legSettleMs: number;
  /** How long an incident may wait for liquidity before its fallback. */
  readonly repairWindowMs: number;
  readonly maxRepairAttempts: number;
  /** No new trade in a market for this long after one. */
  readonly cooldownMs: number;
  /** Order rate (token bucket): sustained per second and burst. */
  readonly ordersPerSec: number;
  readonly orderBurst: number;
  /** Least pairs worth a merge, and the least time between two merges of one market. */
  readonly mergeMinE6: SizeE6;
  readonly mergeIntervalMs: number;
  /** Merges in flight longer than this are taken as lost (may be retried). */
  readonly mergeTimeoutMs: number;
  /**
   * The venue merges pairs (`ExchangeClient.merge`): the simulator and paper do; live does
   * not (on-chain CTF merges are not built), so held pairs wait for a sale above $1 or for
   * resolution, and count against ARB_MAX_CAPITAL until then.
   */
  readonly merges: boolean;
  /** No new trade in the last part of a window (FOK near the close is a coin flip on delay). */
  readonly stopBeforeEndMs: number;
  /** Warm the pre-signed pool when the touch is within this of an opportunity (0 = off). */
  readonly presignNearE4: PriceE4;
  /** Levels read per ladder by the detector. */
  readonly maxLevels: number;
  /** Engine tick: leg deadlines, repairs, merges, risk. */
  readonly tickMs: number;
}

export const DEFAULT_ARB_PARAMS: ArbBotParams = {
  minEdgeE4: 100,
  maxCapitalUsdE6: 50_000_000,
  legRule: "unwind",
  maxLegLossUsdE6: 2_000_000,
  orderType: "FOK",
  lossLimitUsdE6: 500_000_000,
  legSettleMs: 2_000,
  repairWindowMs: 5_000,
  maxRepairAttempts: 4,
  cooldownMs: 250,
  ordersPerSec: 10,
  orderBurst: 20,
  mergeMinE6: 1_000_000,
  mergeIntervalMs: 2_000,
  mergeTimeoutMs: 30_000,
  merges: true,
  stopBeforeEndMs: 5_000,
  presignNearE4: 200,
  maxLevels: 64,
  tickMs: 100,
};

/** The bot's parameters from the run's configuration (defaults for what Config does not carry). */
export function arbParamsFromConfig(cfg: Config, base: ArbBotParams = DEFAULT_ARB_PARAMS): ArbBotParams {
  return {
    ...base,
    minEdgeE4: cfg.arb.minEdgeE4,
    maxCapitalUsdE6: cfg.arb.maxCapitalUsdE6,
    legRule: cfg.arb.legRule,
    maxLegLossUsdE6: cfg.arb.maxLegLossUsdE6,
    orderType: cfg.arb.orderType,
    lossLimitUsdE6: cfg.risk.dailyLossLimitUsdE6,
  };
}
