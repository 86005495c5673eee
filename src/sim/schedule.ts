/**
 * The recurring crypto "Up or Down" markets of the simulator: which exist at a given
 * second, when each is listed, opens, ends and resolves, and how it settles.
 *
 * Real cadence (protocol notes §7.2): 5-minute windows start at ⌊t/300⌋·300 with slug
 * `btc-updown-5m-<windowStartUnix>`, 15-minute ones at ⌊t/900⌋·900 (`…-15m-…`), hourly
 * ones on the hour with the human New York slug `bitcoin-up-or-down-june-8-1am-et` that
 * polymarket/gamma.ts derives (one real example; the pattern is UNCONFIRMED).
 * A window's market is listed `leadWindows` windows ahead (real markets exist ~24 h ahead;
 * the discovery algorithm looks two windows ahead) and accepts orders from listing, so
 * pre-window books exist as in the recordings. At the end it stops trading and resting
 * orders are cancelled; it resolves `resolveDelaySec` later (real median ~54 s).
 *
 * Settlement (§7.3), both rules: `price_at_end` — Up iff the Chainlink price at the end ≥
 * the price at the start (the strike; on the real 2026-06-08 day the strike equals the
 * Chainlink price at the start second in 284/284 markets); `twap60` — the same with the
 * 60-s TWAP at both ends (markets since 2026-08-07). Ties resolve Up.
 *
 * Ids are deterministic from the slug (sha256), so a seed and a start time give the same
 * condition ids and token ids on every run. Pure: time comes in as epoch seconds.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { MarketInfo, ResolutionRule } from "../core/ports.ts";
import { type UpDownAsset, upDownSeriesSlug, upDownSlug } from "../polymarket/gamma.ts";
import type { SizeE6, TickE4 } from "../core/units.ts";
import type { Outcome } from "./matching.ts";
import type { CoinSymbol, UnderlyingWalk } from "./underlying.ts";

export type WindowSec = 300 | 900 | 3600;

export interface ScheduleConfig {
  readonly coins: readonly CoinSymbol[];
  readonly windows: readonly WindowSec[];
  /** How many windows ahead of the current one a market is listed (≥ 0). */
  readonly leadWindows: number;
  readonly resolveDelaySec: number;
  readonly rule: ResolutionRule;
  readonly tickE4: TickE4;
  readonly minSizeE6: SizeE6;
  /** feeSchedule of the crypto markets: rate 0.07, exponent 1, rebate 20 % (Gamma, 2026-06-08). */
  readonly feeRate: number;
  readonly feeExponent: number;
  readonly rebateRate: number;
}

export const DEFAULT_SCHEDULE: ScheduleConfig = {
  coins: ["btc/usd", "eth/usd", "sol/usd"],
  windows: [300, 900, 3600],
  leadWindows: 2,
  resolveDelaySec: 60,
  rule: "twap60",
  tickE4: 100,
  minSizeE6: 5_000_000,
  feeRate: 0.07,
  feeExponent: 1,
  rebateRate: 0.2,
};

export interface ScheduledMarket {
  readonly info: MarketInfo;
  readonly coin: CoinSymbol;
  /** Numeric Gamma-like ids. */
  readonly gammaId: string;
  readonly eventId: string;
  readonly questionId: string;
  readonly listSec: number;
  readonly startSec: number;
  readonly endSec: number;
  readonly resolveSec: number;
}

export type LifecycleEvent =
  | { readonly kind: "list"; readonly market: ScheduledMarket }
  | { readonly kind: "start"; readonly market: ScheduledMarket }
  | { readonly kind: "end"; readonly market: ScheduledMarket }
  | { readonly kind: "resolve"; readonly market: ScheduledMarket };

const ASSET: Readonly<Record<CoinSymbol, { slug: string; upper: UpDownAsset; name: string }>> = {
  "btc/usd": { slug: "btc", upper: "BTC", name: "Bitcoin" },
  "eth/usd": { slug: "eth", upper: "ETH", name: "Ethereum" },
  "sol/usd": { slug: "sol", upper: "SOL", name: "Solana" },
};
const WINDOW_TAG: Readonly<Record<WindowSec, string>> = { 300: "5m", 900: "15m", 3600: "1h" };
/** Gamma series slug of a recurring product ("btc-up-or-down-5m", "…-hourly"). */
export function seriesSlugOf(coin: CoinSymbol, windowSec: WindowSec): string {
  return upDownSeriesSlug(ASSET[coin].upper, windowSec === 3600 ? "1h" : windowSec === 900 ? "15m" : "5m");
}

/** The real slug forms: `btc-updown-5m-<start>`, `-15m-`, and the hourly New York one (gamma.ts). */
export function slugOf(coin: CoinSymbol, windowSec: WindowSec, startSec: number): string {
  if (windowSec === 3600) return upDownSlug(ASSET[coin].upper, "1h", startSec);
  return `${ASSET[coin].slug}-updown-${WINDOW_TAG[windowSec]}-${startSec}`;
}

const ET_TIME = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", minute: "2-digit", hour12: true });
const ET_DAY = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", month: "long", day: "numeric" });

/** "Bitcoin Up or Down - June 7, 7:55PM-8:00PM ET", as the real questions read. */
export function questionOf(coin: CoinSymbol, startSec: number, endSec: number): string {
  const t = (s: number) => ET_TIME.format(new Date(s * 1000)).replace(" ", "");
  return `${ASSET[coin].name} Up or Down - ${ET_DAY.format(new Date(startSec * 1000))}, ${t(startSec)}-${t(endSec)} ET`;
}

function digest(text: string): Uint8Array {
  return sha256(utf8ToBytes(text));
}

/** Builds the market of one window: ids, question, parameters. */
export function marketOf(cfg: ScheduleConfig, coin: CoinSymbol, windowSec: WindowSec, startSec: number): ScheduledMarket {
  const slug = slugOf(coin, windowSec, startSec);
  const tokenId = (tag: string) => BigInt(`0x${bytesToHex(digest(`${slug}:${tag}`))}`).toString(10);
  const idNum = (tag: string) => String(1_000_000 + (Number.parseInt(bytesToHex(digest(`${slug}:${tag}`)).slice(0, 8), 16) % 9_000_000));
  const endSec = startSec + windowSec;
  const info: MarketInfo = {
    conditionId: `0x${bytesToHex(digest(`${slug}:condition`))}`,
    slug,
    question: questionOf(coin, startSec, endSec),
    underlying: coin,
    windowSec,
    yesTokenId: tokenId("up"),
    noTokenId: tokenId("down"),
    outcomes: ["Up", "Down"],
    tickE4: cfg.tickE4,
    minSizeE6: cfg.minSizeE6,
    negRisk: false,
    exchangeVersion: 2,
    startMs: startSec * 1000,
    endMs: endSec * 1000,
    feeRate: cfg.feeRate,
    feeExponent: cfg.feeExponent,
    rebateRate: cfg.rebateRate,
    resolution: cfg.rule,
  };
  return {
    info,
    coin,
    gammaId: idNum("gamma"),
    eventId: idNum("event"),
    questionId: `0x${bytesToHex(digest(`${slug}:question`))}`,
    listSec: startSec - cfg.leadWindows * windowSec,
    startSec,
    endSec,
    resolveSec: endSec + cfg.resolveDelaySec,
  };
}

/**
 * Up (0) or Down (1) for a finished window. `price_at_end`: price(end) ≥ price(start);
 * `twap60`: TWAP60(end) ≥ TWAP60(start). NaN (no data) resolves Up, like a tie.
 */
export function settle(walk: UnderlyingWalk, m: ScheduledMarket): { winner: Outcome; strike: number; final: number } {
  const { coin, startSec, endSec } = m;
  const strike = m.info.resolution === "twap60" ? walk.twap(coin, startSec) : walk.priceAt(coin, startSec);
  const final = m.info.resolution === "twap60" ? walk.twap(coin, endSec) : walk.priceAt(coin, endSec);
  return { winner: final < strike ? 1 : 0, strike, final };
}

/**
 * Lifecycle state machine: `advance(nowSec)` returns, in time order, every list / start /
 * end / resolve transition that became due since the previous call (at one instant: ends
 * and resolutions first, then listings, then starts).
 */
export class MarketSchedule {
  private readonly live = new Map<string, { m: ScheduledMarket; stage: 0 | 1 | 2 | 3 }>();
  private readonly listedUpTo = new Map<string, number>();
  private lastSec: number | undefined;

  constructor(readonly cfg: ScheduleConfig = DEFAULT_SCHEDULE) {}

  /** Every listed, unresolved market. */
  markets(): ScheduledMarket[] {
    return [...this.live.values()].map((x) => x.m);
  }
  bySlug(slug: string): ScheduledMarket | undefined {
    for (const x of this.live.values()) if (x.m.info.slug === slug) return x.m;
    return undefined;
  }

  advance(nowSec: number): LifecycleEvent[] {
    const out: { at: number; order: number; ev: LifecycleEvent }[] = [];
    const from = this.lastSec;
    this.lastSec = nowSec;
    for (const coin of this.cfg.coins) {
      for (const w of this.cfg.windows) {
        const key = `${coin}/${w}`;
        const current = Math.floor(nowSec / w) * w;
        const last = current + this.cfg.leadWindows * w;
        // on the first call, list what is already current; never look further back
        let start = this.listedUpTo.get(key) ?? current - w;
        for (start += w; start <= last; start += w) {
          const m = marketOf(this.cfg, coin, w, start);
          if (from !== undefined && m.endSec <= nowSec) continue; // skipped over by a jump: never traded
          this.live.set(m.info.conditionId, { m, stage: 0 });
          out.push({ at: Math.max(m.listSec, from ?? m.listSec), order: 2, ev: { kind: "list", market: m } });
        }
        this.listedUpTo.set(key, last);
      }
    }
    for (const x of this.live.values()) {
      const m = x.m;
      if (x.stage < 1 && m.startSec <= nowSec) {
        x.stage = 1;
        out.push({ at: m.startSec, order: 3, ev: { kind: "start", market: m } });
      }
      if (x.stage < 2 && m.endSec <= nowSec) {
        x.stage = 2;
        out.push({ at: m.endSec, order: 0, ev: { kind: "end", market: m } });
      }
      if (x.stage < 3 && m.resolveSec <= nowSec) {
        x.stage = 3;
        out.push({ at: m.resolveSec, order: 1, ev: { kind: "resolve", market: m } });
      }
    }
    for (const [id, x] of this.live) if (x.stage === 3) this.live.delete(id);
    out.sort((a, b) => a.at - b.at || a.order - b.order || cmp(a.ev.market.info.slug, b.ev.market.info.slug));
    return out.map((x) => x.ev);
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
