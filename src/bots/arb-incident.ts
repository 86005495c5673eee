/**
 * One leg incident of the arbitrage bot, as numbers read from the live order views (pure):
 * the trade's two legs and the repair orders sent since. Everything is recomputed from the
 * views on each call, so a late fill (a FAK's fill that arrives after the leg was taken as
 * settled) is counted where it belongs without special cases.
 *
 *   excess     = (long leg filled − short leg filled) − Σ repair fills
 *   excessCash = the long leg's cash (buy: notional + fees; sell: notional − fees) for the
 *                excess shares, at the leg's average
 *   loss       = Σ over repair fills of `repairLossE6` (leg-repair.ts), against $1 a pair
 */
import type { MarketInfo } from "../core/ports.ts";
import type { SizeE6, UsdE6 } from "../core/units.ts";
import type { OrderView } from "../engine/order-state.ts";
import { type LegRule, type PairKind, type RepairVia, repairLossE6 } from "./leg-repair.ts";

const LOT_E6 = 10_000;

export interface ArbIncident {
  readonly id: string;
  readonly conditionId: string;
  readonly kind: PairKind;
  readonly rule: LegRule;
  readonly longLeg: OrderView;
  readonly shortLeg: OrderView;
  readonly longTokenId: string;
  readonly shortTokenId: string;
  readonly initialExcessE6: SizeE6;
  readonly repairs: OrderView[];
  /** How each repair was meant (parallel to `repairs`). */
  readonly vias: RepairVia[];
  readonly openedMs: number;
  readonly deadlineMs: number;
}

export interface IncidentState {
  readonly excessE6: SizeE6;
  readonly excessCashE6: UsdE6;
  /** Net loss of the repairs so far (negative = they made money). */
  readonly lossE6: UsdE6;
}

export type IncidentOutcome = "repaired" | "unwound" | "mixed" | "held" | "resolved_by_fill";

export function newIncident(
  tradeId: string,
  info: MarketInfo,
  kind: PairKind,
  rule: LegRule,
  yes: OrderView,
  no: OrderView,
  openedMs: number,
  deadlineMs: number,
): ArbIncident {
  const yesLong = yes.filledE6 > no.filledE6;
  return {
    id: `${tradeId}-leg`,
    conditionId: info.conditionId,
    kind,
    rule,
    longLeg: yesLong ? yes : no,
    shortLeg: yesLong ? no : yes,
    longTokenId: yesLong ? info.yesTokenId : info.noTokenId,
    shortTokenId: yesLong ? info.noTokenId : info.yesTokenId,
    initialExcessE6: Math.abs(yes.filledE6 - no.filledE6),
    repairs: [],
    vias: [],
    openedMs,
    deadlineMs,
  };
}

/** Cash of an order's fills: paid with fees (BUY) or received net of fees (SELL). */
const fillCashE6 = (o: OrderView): UsdE6 => (o.intent.side === "BUY" ? o.notionalE6 + o.feesE6 : o.notionalE6 - o.feesE6);

export function incidentState(inc: ArbIncident): IncidentState {
  const long = inc.longLeg;
  const longCash = inc.kind === "buy_pair" ? long.notionalE6 + long.feesE6 : long.notionalE6 - long.feesE6;
  const cashFor = (sizeE6: number): number => (long.filledE6 > 0 ? Math.round((longCash * sizeE6) / long.filledE6) : 0);
  let excess = long.filledE6 - inc.shortLeg.filledE6;
  let loss = 0;
  inc.repairs.forEach((r, k) => {
    if (r.filledE6 <= 0) return;
    excess -= r.filledE6;
    loss += repairLossE6(inc.kind, inc.vias[k] ?? "unwind", r.filledE6, cashFor(r.filledE6), fillCashE6(r));
  });
  const e = Math.max(0, excess);
  return { excessE6: e, excessCashE6: cashFor(e), lossE6: loss };
}

/** The outcome of a closing incident: how its excess went, its loss and what is left unpaired. */
export function closeIncident(inc: ArbIncident, forced: "" | "held"): { outcome: IncidentOutcome; lossE6: UsdE6; unpairedE6: SizeE6 } {
  const s = incidentState(inc);
  let retried = false;
  let unwound = false;
  inc.repairs.forEach((r, k) => {
    if (r.filledE6 <= 0) return;
    if (inc.vias[k] === "retry") retried = true;
    else unwound = true;
  });
  let outcome: IncidentOutcome;
  if (forced === "held" && s.excessE6 >= LOT_E6) outcome = "held";
  else if (retried && unwound) outcome = "mixed";
  else if (retried) outcome = "repaired";
  else if (unwound) outcome = "unwound";
  else outcome = s.excessE6 >= LOT_E6 ? "held" : "resolved_by_fill";
  return { outcome, lossE6: s.lossE6, unpairedE6: s.excessE6 };
}
