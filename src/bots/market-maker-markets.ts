/**
 * The market maker's markets and underlyings: a market starts (auto-roll `market_started`,
 * or `addMarkets`), gets its strike, is quoted, ends (quotes pulled) and resolves (P&L
 * settled at $1 per winning share, then dropped); a Chainlink tick updates history,
 * volatility and strikes, pulls the side a jump exposes, and re-evaluates that coin's markets.
 *
 * The strike: our own 1-s history of the window's start when it covers it (live ticks, or the
 * RTDS subscribe backfill for a window that began within the last minute), else the venue's
 * published strike (`MarketInfo.strikePrice`, Gamma's `eventMetadata.priceToBeat`); logged
 * once with its source.
 */
import type { MarketInfo } from "../core/ports.ts";
import type { MarketState } from "../engine/markets.ts";
import { exposedSideOnJump } from "../strategy/quote.ts";
import type { MmContext } from "./market-maker-context.ts";
import type { RiskGuard } from "./market-maker-guard.ts";
import { type MarketQuoter, newMarketState } from "./market-maker-quoting.ts";
import type { MmMarket } from "./market-maker-types.ts";

export class MarketDesk {
  constructor(
    private readonly ctx: MmContext,
    private readonly quoter: MarketQuoter,
    private readonly guard: RiskGuard,
  ) {}

  start(info: MarketInfo): void {
    const { ctx } = this;
    const known = ctx.markets.get(info.conditionId);
    const m = known ?? ctx.markets.add(info, () => newMarketState(ctx.params));
    if (!known) {
      ctx.totals.marketsSeen++;
      this.guard.noteFirstMarket(ctx.clock.wallMs());
      ctx.hedger.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
      ctx.pnl.addMarket(info.conditionId, info.yesTokenId, info.noTokenId);
      ctx.log("info", "market_started", { market: info.slug, conditionId: info.conditionId, endMs: info.endMs });
    }
    if (m.phase === "pending") m.phase = "live";
    this.resolveStrike(m, ctx.clock.wallMs());
    if (!known) this.quoter.observeTokenBook(m);
    this.quoter.evaluate(m);
  }

  end(conditionId: string): void {
    const { ctx } = this;
    const m = ctx.markets.get(conditionId);
    if (!m || m.phase === "ended" || m.phase === "resolved") return;
    m.phase = "ended";
    this.quoter.pullQuotes(m, "ended");
    ctx.log("info", "market_ended", { market: m.info.slug, yesE6: ctx.pnl.qty(m.info.yesTokenId), noE6: ctx.pnl.qty(m.info.noTokenId) });
  }

  resolve(conditionId: string, winningTokenId: string): void {
    const { ctx } = this;
    const m = ctx.markets.get(conditionId);
    if (!m) return;
    this.quoter.pullQuotes(m, "resolved");
    m.phase = "resolved";
    m.winningTokenId = winningTokenId;
    const before = ctx.pnl.realisedOf([m.info.yesTokenId, m.info.noTokenId]);
    ctx.pnl.onResolved(conditionId, winningTokenId);
    const after = ctx.pnl.realisedOf([m.info.yesTokenId, m.info.noTokenId]);
    ctx.log("info", "market_resolved", {
      market: m.info.slug,
      winner: winningTokenId === m.info.yesTokenId ? "YES" : "NO",
      settlementPnlE6: after - before,
      realisedE6: after,
    });
    ctx.hedger.removeMarket(conditionId);
    ctx.pnl.removeMarket(conditionId);
    ctx.markets.remove(conditionId);
  }

  /**
   * A Chainlink price. A `backfill` point (the history the feed sends on subscribe) only
   * extends history (strikes, TWAPs, volatility warm-up): it is no live tick, so it neither
   * makes the feed look fresh nor moves quotes.
   */
  onUnderlying(symbol: string, price: number, priceTsMs: number, source: string, backfill: boolean): void {
    const { ctx } = this;
    // Markets settle on the Chainlink series; a TWAP or spot series would corrupt its history.
    if (source !== "chainlink") return;
    const nowMs = ctx.clock.wallMs();
    const u = ctx.underlyings.update(symbol, price, priceTsMs, nowMs, backfill);
    const sigma = u.vol.sigmaPerSec();
    for (const m of ctx.markets.ofUnderlying(symbol)) {
      m.twap.update(price, priceTsMs);
      this.resolveStrike(m, nowMs);
      if (backfill) continue;
      const x = m.ext;
      if (x.quotes && x.quoteSpot > 0) {
        const exposed = exposedSideOnJump(Math.log(u.lastPrice / x.quoteSpot), sigma, (nowMs - x.quoteAtMs) / 1000, ctx.params.jump);
        if (exposed !== "none") this.quoter.preemptiveCancel(m, exposed, nowMs);
      }
      this.quoter.evaluate(m);
    }
  }

  /** Sets the strike once known: our own history of the start, else the venue's published one. */
  private resolveStrike(m: MarketState<MmMarket>, nowMs: number): void {
    if (!Number.isNaN(m.strike)) return;
    const { strike, source } = this.ctx.underlyings.strikeWithSource(m.info, nowMs);
    if (source === "none") return;
    m.strike = strike;
    this.ctx.log("info", "strike", { market: m.info.slug, strike, source });
  }
}
