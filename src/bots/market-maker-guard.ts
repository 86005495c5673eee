/**
 * The market maker's risk checks around the pure gate and breaker (the user's "RISK CHECKS
 * (cada 1s)"): the risk gate's portfolio view, the circuit breaker fed with the underlyings'
 * volatility, feed freshness, connection state and the day's P&L, and the cancel-all that a
 * trip or a disconnect triggers. Every trip is logged with its reason; quoting stays off
 * while the breaker is HALTED (the quoting loop reads its state).
 */
import type { BreakerReason, TripRecord } from "../risk/breaker.ts";
import type { PortfolioView } from "../risk/gate.ts";
import type { MmContext, Replacing } from "./market-maker-context.ts";
import { portfolioView } from "./market-maker-risk.ts";

export class RiskGuard {
  private feedUp = true;
  private venueUp = true;
  private startedMs = Number.NaN;
  private lastBookMs = Number.NaN;

  constructor(private readonly ctx: MmContext) {}

  /** The bot started at `nowMs`: an underlying never heard from counts as silent since then. */
  start(nowMs: number): void {
    this.startedMs = nowMs;
  }

  /** Book or trade data arrived (the freshness fallback for markets with no underlying). */
  noteBookData(nowMs: number): void {
    this.lastBookMs = nowMs;
  }

  /** The first market arrived: book freshness counts from now (before it there is no book to be stale). */
  noteFirstMarket(nowMs: number): void {
    if (Number.isNaN(this.lastBookMs)) this.lastBookMs = nowMs;
  }

  portfolio(replacing?: Replacing): PortfolioView {
    const { ctx } = this;
    return portfolioView({
      markets: ctx.markets,
      activeOrders: ctx.orders.getActiveOrders(),
      pnl: ctx.pnl,
      dailyPnlE6: ctx.pnl.dailyPnlE6(ctx.mark),
      ...(replacing !== undefined && { replacing }),
    });
  }

  /** Runs the circuit breaker; returns how many reasons tripped (everything is cancelled if any). */
  check(nowMs: number): number {
    const { ctx } = this;
    let volScore = 0;
    for (const sym of ctx.underlyings.symbols()) {
      const u = ctx.underlyings.get(sym);
      if (u) volScore = Math.max(volScore, u.volEngine.getRecommendations().volatilityScore);
    }
    const t = ctx.breaker.evaluate({
      nowMs,
      volatilityScore: volScore,
      lastFeedMs: this.lastFeedMs(nowMs),
      connected: this.feedUp && this.venueUp,
      dailyPnlE6: ctx.pnl.dailyPnlE6(ctx.mark),
    });
    this.onBreaker(t.tripped, t.cleared);
    return t.tripped.length;
  }

  onConnection(which: "feed" | "venue", state: string, reason: string): void {
    const up = state === "connected" || state === "resynced";
    const was = which === "feed" ? this.feedUp : this.venueUp;
    if (which === "feed") this.feedUp = up;
    else this.venueUp = up;
    if (up === was) return;
    this.ctx.log(up ? "info" : "warn", "connection", { channel: which, state, reason });
    if (!up) {
      // The user's table: connection lost → cancel all now; the breaker keeps us out until it is back.
      if (this.check(this.ctx.clock.wallMs()) === 0) this.cancelEverything(`disconnect: ${which}`);
    }
  }

  /** Cancel-all at the venue and forget every quote (they are re-placed when allowed). */
  cancelEverything(why: string): void {
    const { ctx } = this;
    ctx.totals.cancelAlls++;
    for (const m of ctx.markets.values()) {
      m.ext.quotes = null;
      m.ext.state = "cancelled";
    }
    ctx.orders.cancelAll();
    ctx.log("warn", "cancel_all", { reason: why });
  }

  private onBreaker(tripped: readonly TripRecord[], cleared: readonly BreakerReason[]): void {
    const { ctx } = this;
    for (const trip of tripped) {
      ctx.totals.riskTrips++;
      ctx.log("warn", "risk_trip", { reason: trip.reason, detail: trip.detail, atMs: trip.atMs });
    }
    if (tripped.length > 0) this.cancelEverything(`risk_trip: ${tripped.map((t) => t.reason).join(",")}`);
    for (const r of cleared) ctx.log("info", "risk_clear", { reason: r, state: ctx.breaker.state() });
  }

  /**
   * Feed freshness for the breaker: the oldest latest-tick of the underlyings our markets
   * settle on (Chainlink ticks ~1 Hz, so silence means a dead feed). Books are not used when
   * an underlying is: a decided or pre-window book may rightly not change for a minute, and
   * a dead market socket shows up as a connection event (its PING watchdog). Markets with
   * no underlying fall back to the latest book data.
   */
  private lastFeedMs(nowMs: number): number {
    const { ctx } = this;
    let last = Number.POSITIVE_INFINITY;
    for (const sym of ctx.underlyings.symbols()) {
      const u = ctx.underlyings.get(sym);
      if (u && ctx.markets.ofUnderlying(sym).length > 0) last = Math.min(last, Number.isNaN(u.lastRecvMs) ? this.startedMs : u.lastRecvMs);
    }
    if (last === Number.POSITIVE_INFINITY) last = ctx.markets.size > 0 && !Number.isNaN(this.lastBookMs) ? this.lastBookMs : nowMs;
    return Number.isNaN(last) ? nowMs : last;
  }
}
