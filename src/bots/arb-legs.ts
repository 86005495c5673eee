/**
 * Settlement of the arbitrage bot's trades and orchestration of leg incidents.
 *
 * - A trade is booked when both legs are settled: terminal, or acked and quiet for
 *   `legSettleMs` (a FAK remainder is dead by then). Equal fills = pairs (locked profit
 *   booked); unequal = a leg incident (arb-incident.ts).
 * - An incident is repaired one FAK order at a time, each decided by `decideRepair`
 *   (leg-repair.ts: the limit price is the loss bound; the size a clean market-order lot, as
 *   Polymarket takes a FAK as a market order), until balanced; it is held when no
 *   repair fits, the window or the attempts run out, or the market closes. Every incident is
 *   logged when it opens and when it closes, and recorded for the summary.
 *
 * The bot owns the state (markets, totals, order manager); this part only moves it forward.
 */
import type { Clock } from "../core/clock.ts";
import type { MarketFeed } from "../core/ports.ts";
import type { MarketState } from "../engine/markets.ts";
import type { OrderManager } from "../engine/order-manager.ts";
import { isTerminal, type OrderView } from "../engine/order-state.ts";
import { type ArbIncident, closeIncident, incidentState, newIncident } from "./arb-incident.ts";
import type { ArbBotParams } from "./arb-params.ts";
import type { ArbEventSink, ArbMarket, ArbTotals, ArbTrade, IncidentRecord } from "./arb-types.ts";
import { usd } from "./arb-types.ts";
import { decideRepair } from "./leg-repair.ts";

export interface LegContext {
  readonly clock: Clock;
  readonly feed: MarketFeed;
  readonly orders: OrderManager;
  readonly params: ArbBotParams;
  readonly totals: ArbTotals;
  readonly incidents: IncidentRecord[];
  readonly log: ArbEventSink;
  /** The venue connection is up (repairs are sent only then). */
  venueUp(): boolean;
  /** Takes `n` order tokens from the bot's rate bucket; false = none left now. */
  takeTokens(n: number, nowMs: number): boolean;
}

export class ArbLegs {
  /** The last wait reason logged per incident: a repair that waits is logged once per reason, not per tick. */
  private readonly waitLogged = new WeakMap<ArbIncident, string>();
  constructor(private readonly c: LegContext) {}

  /** Moves the market's trade or incident forward as far as its orders allow. */
  progress(m: MarketState<ArbMarket>): void {
    const x = m.ext;
    const nowNs = this.c.clock.nowNs();
    const t = x.trade;
    if (t && this.settled(t.yes, nowNs) && this.settled(t.no, nowNs)) {
      x.trade = null;
      this.bookTrade(m, t);
    }
    const inc = x.incident;
    if (inc) this.repair(m, inc);
  }

  /** A leg is settled when terminal, or acked with no news for `legSettleMs` (FAK remainder killed). */
  settled(o: OrderView, nowNs: number): boolean {
    if (isTerminal(o.state)) return true;
    if (o.state === "pending" || o.state === "unknown") return false;
    return nowNs - o.updatedNs >= this.c.params.legSettleMs * 1e6;
  }

  /** Closes the incident: outcome, loss, the record and its log line. */
  finishIncident(m: MarketState<ArbMarket>, inc: ArbIncident, forced: "" | "held", why: string): void {
    const nowMs = this.c.clock.wallMs();
    const rec = closeIncident(inc, forced);
    m.ext.incident = null;
    this.c.totals.legLossE6 += rec.lossE6;
    this.c.incidents.push({
      id: inc.id,
      market: m.info.slug,
      kind: inc.kind,
      rule: inc.rule,
      excessShares: inc.initialExcessE6 / 1e6,
      outcome: rec.outcome,
      loss: usd(rec.lossE6),
      repairs: inc.repairs.length,
      durationMs: nowMs - inc.openedMs,
    });
    this.c.log(rec.outcome === "held" ? "warn" : "info", "leg_incident_closed", {
      market: m.info.slug,
      incident: inc.id,
      outcome: rec.outcome,
      lossE6: rec.lossE6,
      unpairedE6: rec.unpairedE6,
      repairs: inc.repairs.length,
      reason: why,
    });
  }

  private bookTrade(m: MarketState<ArbMarket>, t: ArbTrade): void {
    const { params, totals } = this.c;
    const x = m.ext;
    const nowMs = this.c.clock.wallMs();
    x.cooldownUntilMs = nowMs + params.cooldownMs;
    const paired = Math.min(t.yes.filledE6, t.no.filledE6);
    const buy = t.kind === "buy_pair";
    if (paired > 0) {
      // Cost of the paired shares at each leg's average price, fees included.
      const part = (o: OrderView): number => Math.round(((o.notionalE6 + (buy ? o.feesE6 : -o.feesE6)) * paired) / o.filledE6);
      const cash = part(t.yes) + part(t.no);
      const locked = buy ? paired - cash : cash - paired;
      x.lockedProfitE6 += locked;
      totals.lockedProfitE6 += locked;
      if (buy) {
        x.pairsBoughtE6 += paired;
        totals.pairsBoughtE6 += paired;
      } else {
        x.pairsSoldE6 += paired;
        totals.pairsSoldE6 += paired;
      }
    }
    if (t.yes.filledE6 === t.no.filledE6) {
      if (paired > 0) totals.tradesFilled++;
      else totals.tradesMissed++;
      this.c.log("info", paired > 0 ? "trade_filled" : "trade_missed", {
        market: m.info.slug,
        trade: t.id,
        kind: t.kind,
        pairsE6: paired,
        yes: t.yes.state,
        no: t.no.state,
        yesCode: t.yes.rejectCode,
        noCode: t.no.rejectCode,
      });
      return;
    }
    const inc = newIncident(t.id, m.info, t.kind, params.legRule, t.yes, t.no, nowMs, nowMs + params.repairWindowMs);
    x.incident = inc;
    totals.legIncidents++;
    const s = incidentState(inc);
    this.c.log("warn", "leg_incident", {
      market: m.info.slug,
      incident: inc.id,
      kind: t.kind,
      rule: inc.rule,
      yesFilledE6: t.yes.filledE6,
      noFilledE6: t.no.filledE6,
      excessE6: s.excessE6,
      longToken: inc.longTokenId === m.info.yesTokenId ? "YES" : "NO",
      shortCode: inc.shortLeg.rejectCode,
      shortMessage: inc.shortLeg.message,
    });
    this.repair(m, inc);
  }

  private repair(m: MarketState<ArbMarket>, inc: ArbIncident): void {
    const { params } = this.c;
    const nowNs = this.c.clock.nowNs();
    const last = inc.repairs[inc.repairs.length - 1];
    if (last && !this.settled(last, nowNs)) return;
    const s = incidentState(inc);
    const nowMs = this.c.clock.wallMs();
    const long = this.c.feed.book(inc.longTokenId);
    const short = this.c.feed.book(inc.shortTokenId);
    if (!long || !short) {
      this.finishIncident(m, inc, "held", "books unavailable");
      return;
    }
    const open = m.phase === "live" && this.c.venueUp() && nowMs < m.info.endMs;
    const action = decideRepair({
      kind: inc.kind,
      rule: inc.rule,
      longTokenId: inc.longTokenId,
      shortTokenId: inc.shortTokenId,
      excessE6: s.excessE6,
      excessCashE6: s.excessCashE6,
      lossSoFarE6: s.lossE6,
      maxLossE6: params.maxLegLossUsdE6,
      longBook: long,
      shortBook: short,
      minSizeE6: m.info.minSizeE6,
      tickE4: short.tickE4,
      feeRate: m.info.feeRate,
      feeExponent: m.info.feeExponent,
      mayWait: nowMs < inc.deadlineMs && inc.repairs.length < params.maxRepairAttempts,
    });
    switch (action.kind) {
      case "done":
        this.finishIncident(m, inc, "", "balanced");
        return;
      case "wait":
        if (!open) this.finishIncident(m, inc, "held", "market closed");
        else if (this.waitLogged.get(inc) !== action.reason) {
          this.waitLogged.set(inc, action.reason);
          this.c.log("info", "leg_repair_waiting", { market: m.info.slug, incident: inc.id, reason: action.reason });
        }
        return;
      case "hold":
        this.finishIncident(m, inc, "held", action.reason);
        return;
      case "order": {
        if (!open) {
          this.finishIncident(m, inc, "held", "market closed");
          return;
        }
        if (inc.repairs.length >= params.maxRepairAttempts) {
          this.finishIncident(m, inc, "held", "repair attempts exhausted");
          return;
        }
        if (!this.c.takeTokens(1, nowMs)) return; // rate limit: the next tick tries again
        const clientId = `${inc.id}-r${inc.repairs.length + 1}`;
        const o = this.c.orders.submitOrder({
          clientId,
          conditionId: m.info.conditionId,
          tokenId: action.tokenId,
          side: action.side,
          priceE4: action.limitPriceE4,
          sizeE6: action.sizeE6,
          orderType: "FAK",
          postOnly: false,
          expirationSec: 0,
        });
        inc.repairs.push(o);
        inc.vias.push(action.via);
        this.c.totals.repairOrders++;
        this.c.log("info", "leg_repair_sent", {
          market: m.info.slug,
          incident: inc.id,
          via: action.via,
          side: action.side,
          priceE4: action.limitPriceE4,
          sizeE6: action.sizeE6,
          worstLossE6: action.worstLossE6,
          lossSoFarE6: s.lossE6,
        });
        return;
      }
    }
  }
}
