/**
 * P&L, fills and mark-outs for any bot (market maker, arbitrage, backtests, reports).
 *
 * Fed raw venue fill events (deduplicated here by (trade, order) with the order FSM's own
 * `applyFillEvent`, so a status update never counts twice and a FAILED trade is reversed),
 * merges and resolutions. Cost basis is the average cost per token:
 *   BUY  s @ p: qty += s, cost += s·p
 *   SELL s @ p: realised += s·p − s·avg, qty −= s, cost −= s·avg
 *   merge of s pairs: realised += s·$1 − s·avgYes − s·avgNo
 *   resolution: the winning token pays $1 a share, the other 0; realised += value − cost
 * Fees are cash (UsdE6, positive = paid) and come out of realised P&L. A FAILED trade is
 * undone as the opposite trade at the same price: exact unless other fills moved the average
 * cost in between (then within that average's change; FAILED trades are rare).
 *
 * Unrealised P&L marks held shares at a caller-supplied mark (mid or fair value), so the
 * tracker never reads a book itself.
 *
 * Mark-out (adverse selection): every fill is revisited `markoutMs` (10 s) later at the
 * token's mark then: BUY (mark − price)·size, SELL (price − mark)·size. A negative average
 * means the fills were picked off by better-informed flow.
 *
 * Daily P&L: total minus the total at the last `resetDay` (the caller resets at UTC midnight).
 *
 * Long runs: `removeMarket` (a resolved, flat market) folds its tokens' realised P&L and fees
 * into running totals and forgets their fills, so memory follows the markets live now, not
 * every fill of the run. A fill reported later for a retired token (a replayed status) is
 * ignored and counted; the last `RETIRED_TOKENS_KEPT` retired tokens are remembered for that.
 *
 * Pure: times come in as arguments, no clock, no I/O. Money is integer UsdE6.
 */
import type { BookView, ExchangeEvent, Side } from "../core/ports.ts";
import { notionalE6, ONE_E4, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { applyFillEvent, type FillRecord } from "./order-state.ts";

type FillEvent = Extract<ExchangeEvent, { kind: "fill" }>;

/** The token's mark (PriceE4, may be fractional); NaN when there is none. */
export type MarkFn = (tokenId: string) => number;

/**
 * The usual mark of a token: its book's mid when both sides are quoted and not crossed, else
 * NaN (no book, a stale one, a one-sided or crossed touch). Bots fall back as they see fit.
 */
export function bookMidE4(b: BookView | undefined): number {
  if (!b || b.stale) return Number.NaN;
  const bid = b.bestBidE4();
  const ask = b.bestAskE4();
  return bid > 0 && ask < ONE_E4 && bid < ask ? (bid + ask) / 2 : Number.NaN;
}

export interface TokenPnl {
  readonly tokenId: string;
  /** Shares held (SizeE6), from fills, merges and resolution. */
  qtyE6: SizeE6;
  /** Cost basis of the shares held, UsdE6. */
  costE6: UsdE6;
  realisedE6: UsdE6;
  feesE6: UsdE6;
  fills: number;
  boughtE6: SizeE6;
  soldE6: SizeE6;
}

export interface MarkoutStats {
  /** Fills whose mark-out has been measured. */
  readonly count: number;
  /** Shares in those fills. */
  readonly sharesE6: SizeE6;
  /** Σ mark-out, UsdE6 (negative: adverse selection). */
  readonly totalE6: UsdE6;
  /** Σ mark-out / Σ shares, in PriceE4 per share (float); NaN with no samples. */
  readonly perShareE4: number;
}

export interface PnlSummary {
  readonly realisedE6: UsdE6;
  readonly unrealisedE6: UsdE6;
  /** Fees paid (included in realised). */
  readonly feesE6: UsdE6;
  /** realised + unrealised. */
  readonly totalE6: UsdE6;
  readonly fills: number;
  /** Σ |notional| of fills. */
  readonly volumeE6: UsdE6;
  readonly markout: MarkoutStats;
}

interface PendingMarkout {
  readonly dueMs: number;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
}

interface MarketTokens {
  readonly yesTokenId: string;
  readonly noTokenId: string;
}

/** Retired tokens remembered to ignore late reports of their fills (~2 days of 5-min markets). */
const RETIRED_TOKENS_KEPT = 4096;

export interface PnlOptions {
  /** Mark-out horizon, ms (default 10 s). */
  readonly markoutMs?: number;
}

export class PnlTracker {
  readonly markoutMs: number;
  private readonly tokens = new Map<string, TokenPnl>();
  private readonly markets = new Map<string, MarketTokens>();
  private readonly fillIndex = new Map<string, FillRecord>();
  /** Fill keys per token, so a retired market's fills leave the index with it. */
  private readonly fillKeysByToken = new Map<string, string[]>();
  private readonly retired = new Set<string>();
  private readonly retiredOrder: string[] = [];
  private retiredRealisedE6 = 0;
  private retiredFeesE6 = 0;
  /** Fill reports for retired tokens, ignored. */
  lateFillsIgnored = 0;
  /** FIFO by due time: fills arrive in time order and share one horizon. */
  private readonly pending: PendingMarkout[] = [];
  private pendingHead = 0;
  private fillCount = 0;
  private volumeE6 = 0;
  private markoutCount = 0;
  private markoutSharesE6 = 0;
  private markoutTotalE6 = 0;
  private dayBaseE6 = 0;

  constructor(opts: PnlOptions = {}) {
    this.markoutMs = opts.markoutMs ?? 10_000;
  }

  /** Declares a market's two tokens (needed for merges and resolution). Idempotent. */
  addMarket(conditionId: string, yesTokenId: string, noTokenId: string): void {
    if (!this.markets.has(conditionId)) this.markets.set(conditionId, { yesTokenId, noTokenId });
  }

  /** A venue fill event (any status). Returns the effect: "new", "reversed" or "ignored". */
  onFill(ev: FillEvent, nowMs: number): "new" | "reversed" | "ignored" {
    if (this.retired.has(ev.tokenId)) {
      this.lateFillsIgnored++;
      return "ignored";
    }
    const indexed = this.fillIndex.size;
    const eff = applyFillEvent(this.fillIndex, ev);
    if (this.fillIndex.size > indexed) this.keysOf(ev.tokenId).push(eff.fill.key);
    if (eff.kind === "new") {
      const f = eff.fill;
      this.trade(f.tokenId, f.side, f.priceE4, f.sizeE6, f.feeE6, 1);
      this.fillCount++;
      this.volumeE6 += f.notionalE6;
      this.pending.push({ dueMs: nowMs + this.markoutMs, tokenId: f.tokenId, side: f.side, priceE4: f.priceE4, sizeE6: f.sizeE6 });
      return "new";
    }
    if (eff.kind === "reversed") {
      const f = eff.fill;
      this.trade(f.tokenId, f.side === "BUY" ? "SELL" : "BUY", f.priceE4, f.sizeE6, -f.feeE6, -1);
      this.fillCount--;
      this.volumeE6 -= f.notionalE6;
      return "reversed";
    }
    return "ignored";
  }

  /** `sizeE6` YES+NO pairs of a market were merged back into $1 each. */
  onMerge(conditionId: string, sizeE6: SizeE6): void {
    const m = this.markets.get(conditionId);
    if (!m || sizeE6 <= 0) return;
    const yes = this.token(m.yesTokenId);
    const no = this.token(m.noTokenId);
    const s = Math.min(sizeE6, yes.qtyE6, no.qtyE6);
    if (s <= 0) return;
    const basis = removeShares(yes, s) + removeShares(no, s);
    yes.realisedE6 += notionalE6(s, ONE_E4) - basis;
  }

  /** The market resolved: the winner pays $1 a share, the loser nothing. */
  onResolved(conditionId: string, winningTokenId: string): void {
    const m = this.markets.get(conditionId);
    if (!m) return;
    for (const id of [m.yesTokenId, m.noTokenId]) {
      const t = this.tokens.get(id);
      if (!t || t.qtyE6 === 0) continue;
      const value = id === winningTokenId ? notionalE6(t.qtyE6, ONE_E4) : 0;
      t.realisedE6 += value - t.costE6;
      t.qtyE6 = 0;
      t.costE6 = 0;
    }
  }

  /** Measures every mark-out due by `nowMs`; a token without a mark is measured when it has one. */
  sampleMarkouts(nowMs: number, mark: MarkFn): void {
    while (this.pendingHead < this.pending.length) {
      const p = this.pending[this.pendingHead] as PendingMarkout;
      if (p.dueMs > nowMs) break;
      this.pendingHead++;
      const m = mark(p.tokenId);
      if (!Number.isFinite(m)) continue;
      const edgeE4 = p.side === "BUY" ? m - p.priceE4 : p.priceE4 - m;
      this.markoutCount++;
      this.markoutSharesE6 += p.sizeE6;
      this.markoutTotalE6 += Math.round((p.sizeE6 * edgeE4) / ONE_E4);
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Mark-outs still waiting for their horizon. */
  pendingMarkouts(): number {
    return this.pending.length - this.pendingHead;
  }

  position(tokenId: string): Readonly<TokenPnl> | undefined {
    return this.tokens.get(tokenId);
  }

  /** Shares held of `tokenId` (0 if none). */
  qty(tokenId: string): SizeE6 {
    return this.tokens.get(tokenId)?.qtyE6 ?? 0;
  }

  /** Unrealised P&L of one token at `markE4` (0 when flat; cost-neutral when the mark is NaN). */
  unrealisedOf(tokenId: string, markE4: number): UsdE6 {
    const t = this.tokens.get(tokenId);
    if (!t || t.qtyE6 === 0 || !Number.isFinite(markE4)) return 0;
    return Math.round((t.qtyE6 * markE4) / ONE_E4) - t.costE6;
  }

  /** Realised P&L of the tokens given (e.g. one market's two). */
  realisedOf(tokenIds: readonly string[]): UsdE6 {
    let r = 0;
    for (const id of tokenIds) r += this.tokens.get(id)?.realisedE6 ?? 0;
    return r;
  }

  summary(mark: MarkFn): PnlSummary {
    let realised = this.retiredRealisedE6;
    let unrealised = 0;
    let fees = this.retiredFeesE6;
    for (const t of this.tokens.values()) {
      realised += t.realisedE6;
      fees += t.feesE6;
      unrealised += this.unrealisedOf(t.tokenId, mark(t.tokenId));
    }
    return {
      realisedE6: realised,
      unrealisedE6: unrealised,
      feesE6: fees,
      totalE6: realised + unrealised,
      fills: this.fillCount,
      volumeE6: this.volumeE6,
      markout: {
        count: this.markoutCount,
        sharesE6: this.markoutSharesE6,
        totalE6: this.markoutTotalE6,
        perShareE4: this.markoutSharesE6 > 0 ? (this.markoutTotalE6 * ONE_E4) / this.markoutSharesE6 : Number.NaN,
      },
    };
  }

  /** Total P&L since the last `resetDay`. */
  dailyPnlE6(mark: MarkFn): UsdE6 {
    return this.summary(mark).totalE6 - this.dayBaseE6;
  }

  /** Starts a new trading day at the current total. */
  resetDay(mark: MarkFn): void {
    this.dayBaseE6 = this.summary(mark).totalE6;
  }

  /**
   * Forgets a finished market once both its tokens are flat (long runs): their realised P&L
   * and fees move into the run's totals, their fills leave the dedupe index, and later
   * reports of those fills are ignored. A market still holding shares is kept.
   */
  removeMarket(conditionId: string): void {
    const m = this.markets.get(conditionId);
    if (!m) return;
    const ids = [m.yesTokenId, m.noTokenId];
    if (ids.some((id) => (this.tokens.get(id)?.qtyE6 ?? 0) !== 0)) return;
    for (const id of ids) {
      const t = this.tokens.get(id);
      if (t) {
        this.retiredRealisedE6 += t.realisedE6;
        this.retiredFeesE6 += t.feesE6;
        this.tokens.delete(id);
      }
      for (const k of this.fillKeysByToken.get(id) ?? []) this.fillIndex.delete(k);
      this.fillKeysByToken.delete(id);
      this.retire(id);
    }
    this.markets.delete(conditionId);
  }

  /** Fills held for deduplication (bounded by the live markets' fills). */
  indexedFills(): number {
    return this.fillIndex.size;
  }

  private retire(tokenId: string): void {
    if (this.retired.has(tokenId)) return;
    this.retired.add(tokenId);
    this.retiredOrder.push(tokenId);
    if (this.retiredOrder.length > RETIRED_TOKENS_KEPT) this.retired.delete(this.retiredOrder.shift() as string);
  }

  private keysOf(tokenId: string): string[] {
    let keys = this.fillKeysByToken.get(tokenId);
    if (!keys) {
      keys = [];
      this.fillKeysByToken.set(tokenId, keys);
    }
    return keys;
  }

  private token(tokenId: string): TokenPnl {
    let t = this.tokens.get(tokenId);
    if (!t) {
      t = { tokenId, qtyE6: 0, costE6: 0, realisedE6: 0, feesE6: 0, fills: 0, boughtE6: 0, soldE6: 0 };
      this.tokens.set(tokenId, t);
    }
    return t;
  }

  private trade(tokenId: string, side: Side, priceE4: PriceE4, sizeE6: SizeE6, feeE6: UsdE6, count: 1 | -1): void {
    const t = this.token(tokenId);
    const notional = notionalE6(sizeE6, priceE4);
    t.feesE6 += feeE6;
    t.realisedE6 -= feeE6;
    t.fills += count;
    // Volume counters: a reversal (count −1) takes the original trade back out.
    if ((side === "BUY") === count > 0) t.boughtE6 += count * sizeE6;
    else t.soldE6 += count * sizeE6;
    if (side === "BUY") {
      if (t.qtyE6 < 0) {
        // Covering a short (only reachable through a reversed SELL): realise against its basis.
        const cover = Math.min(sizeE6, -t.qtyE6);
        const basis = Math.round((t.costE6 * cover) / t.qtyE6);
        t.realisedE6 += basis - notionalE6(cover, priceE4);
        t.qtyE6 += cover;
        t.costE6 -= basis;
        const rest = sizeE6 - cover;
        t.qtyE6 += rest;
        t.costE6 += notionalE6(rest, priceE4);
        return;
      }
      t.qtyE6 += sizeE6;
      t.costE6 += notional;
      return;
    }
    if (t.qtyE6 > 0) {
      const s = Math.min(sizeE6, t.qtyE6);
      const basis = removeShares(t, s);
      t.realisedE6 += notionalE6(s, priceE4) - basis;
      const rest = sizeE6 - s;
      if (rest > 0) {
        t.qtyE6 -= rest;
        t.costE6 -= notionalE6(rest, priceE4);
      }
      return;
    }
    t.qtyE6 -= sizeE6;
    t.costE6 -= notional;
  }
}

/** Takes `s` shares out of a long position at average cost; returns their basis. */
function removeShares(t: TokenPnl, s: SizeE6): UsdE6 {
  if (s <= 0 || t.qtyE6 <= 0) return 0;
  const basis = s >= t.qtyE6 ? t.costE6 : Math.round((t.costE6 * s) / t.qtyE6);
  t.qtyE6 -= s;
  t.costE6 -= basis;
  return basis;
}
