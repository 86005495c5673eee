/**
 * What the market maker shows: the mark of a token (for P&L and the risk view) and the
 * snapshot the status screen and the run summary read. Pure reads of the shared state.
 */
import type { MarketFeed } from "../core/ports.ts";
import { ONE_E4 } from "../core/units.ts";
import type { MarketRegistry } from "../engine/markets.ts";
import type { MmContext } from "./market-maker-context.ts";
import type { BotEventFields, BotEventScalar, BotSnapshot, MarketStatus, MmMarket } from "./market-maker-types.ts";

/** The mark of a token, PriceE4 float: its book mid when two-sided, else the market's fair value. */
export function tokenMark(feed: MarketFeed, markets: MarketRegistry<MmMarket>, tokenId: string): number {
  const b = feed.book(tokenId);
  if (b && !b.stale) {
    const bid = b.bestBidE4();
    const ask = b.bestAskE4();
    if (bid > 0 && ask < ONE_E4) return (bid + ask) / 2;
  }
  const ref = markets.byToken(tokenId);
  if (!ref || !Number.isFinite(ref.market.ext.fairValue)) return Number.NaN;
  const fv = ref.market.ext.fairValue * ONE_E4;
  return ref.isYes ? fv : ONE_E4 - fv;
}

/**
 * The fields of the event log's `status` line: per market the YES book's best bid/ask, our
 * YES-terms quotes (0 = side empty), the fair value, YES/NO inventory and the state. What
 * `analyze` (backtest/logs.ts) reads for mids and quote timelines when no recording is given.
 *
 *   {"event":"status","markets":[{"conditionId":"0x…","slug":"btc-updown-15m-…","bookBidE4":4800,
 *    "bookAskE4":4900,"bidE4":4700,"askE4":5000,"fairValue":0.4862,"yesE6":0,"noE6":10000000,
 *    "state":"quoting"}],"breaker":"ACTIVE","rejects":0}
 */
export function statusFieldsOf(ctx: MmContext): BotEventFields {
  const markets: Readonly<Record<string, BotEventScalar>>[] = [];
  for (const m of ctx.markets.values()) {
    if (m.phase !== "live") continue;
    const yes = ctx.feed.book(m.info.yesTokenId);
    const fresh = yes !== undefined && !yes.stale;
    const fv = m.ext.fairValue;
    markets.push({
      conditionId: m.info.conditionId,
      slug: m.info.slug,
      bookBidE4: fresh ? yes.bestBidE4() : 0,
      bookAskE4: fresh ? yes.bestAskE4() : 0,
      bidE4: m.ext.quotes?.bidE4 ?? 0,
      askE4: m.ext.quotes?.askE4 ?? 0,
      fairValue: Number.isFinite(fv) ? Math.round(fv * 10_000) / 10_000 : null,
      yesE6: ctx.pnl.qty(m.info.yesTokenId),
      noE6: ctx.pnl.qty(m.info.noTokenId),
      state: m.ext.state,
    });
  }
  return { markets, breaker: ctx.breaker.state(), rejects: ctx.totals.rejects };
}

/** One line per market and the totals, as of now. */
export function snapshotOf(ctx: MmContext): BotSnapshot {
  const nowMs = ctx.clock.wallMs();
  const markets: MarketStatus[] = [];
  for (const m of ctx.markets.values()) {
    const yes = ctx.feed.book(m.info.yesTokenId);
    const x = m.ext;
    const yesId = m.info.yesTokenId;
    const noId = m.info.noTokenId;
    markets.push({
      conditionId: m.info.conditionId,
      slug: m.info.slug,
      phase: m.phase,
      secondsLeft: Math.max(0, Math.round((m.info.endMs - nowMs) / 1000)),
      fairValue: x.fairValue,
      bidE4: x.quotes?.bidE4 ?? 0,
      askE4: x.quotes?.askE4 ?? 0,
      bookBidE4: yes && !yes.stale ? yes.bestBidE4() : 0,
      bookAskE4: yes && !yes.stale ? yes.bestAskE4() : 0,
      yesE6: ctx.pnl.qty(yesId),
      noE6: ctx.pnl.qty(noId),
      realisedE6: ctx.pnl.realisedOf([yesId, noId]),
      unrealisedE6: ctx.pnl.unrealisedOf(yesId, ctx.mark(yesId)) + ctx.pnl.unrealisedOf(noId, ctx.mark(noId)),
      fills: x.fills,
      volScore: x.recs.volatilityScore,
      state: x.state,
    });
  }
  return {
    nowMs,
    breaker: ctx.breaker.state(),
    haltReasons: ctx.breaker.activeReasons(),
    markets,
    totals: { ...ctx.totals, rejectsByCode: { ...ctx.totals.rejectsByCode } },
    pnl: ctx.pnl.summary(ctx.mark),
  };
}
