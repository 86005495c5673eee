/**
 * Market discovery from Polymarket's Gamma API (protocol notes §7) for the crypto Up/Down
 * markets: which market trades BTC/ETH/SOL over the current and next 5-minute, 15-minute and
 * hourly windows, with everything the engine needs to quote it (`MarketInfo`).
 *
 * Three parts, in order of purity:
 * 1. slug arithmetic (pure): `btc-updown-5m-<windowStartUnix>`, `-15m-` likewise, and the hourly
 *    human slug `bitcoin-up-or-down-<month>-<day>-<h><am|pm>-et` in New York time (the only
 *    real hourly slug we have is `bitcoin-up-or-down-july-2-11pm-et`; UNCONFIRMED beyond it, so
 *    hourly discovery falls back to the `btc-up-or-down-hourly` series listing);
 * 2. `parseGammaMarket` (pure): one Gamma market object → `MarketInfo` or a coded error;
 * 3. `GammaClient`: a thin fetch wrapper with a configurable base URL (the simulator serves
 *    the same paths), returning `Result`s; network failures are `NetworkError`-shaped results.
 *
 * Gamma quirks handled here (protocol notes §7.1): `outcomes`, `clobTokenIds` are JSON
 * strings; Up/Down are mapped by label, never by index; `startDate` is row creation time, so
 * the window is `eventStartTime` → `endDate`; `makerBaseFee`/`takerBaseFee` are not rates
 * (`feeSchedule` is); `version: "v2"` markets trade `positionIds` on ExchangeV3 (domain "3");
 * the strike of a running window is the parent event's `eventMetadata.priceToBeat`.
 */
import type { MarketInfo, ResolutionRule } from "../core/ports.ts";
import { err, ok, type Result } from "../core/result.ts";
import { BAD_NUMBER, parseSizeE6, tickE4Of } from "../core/units.ts";

export type UpDownAsset = "BTC" | "ETH" | "SOL" | "XRP" | "DOGE" | "BNB" | "HYPE";
export type UpDownWindow = "5m" | "15m" | "1h";
export const WINDOW_SEC: Readonly<Record<UpDownWindow, number>> = { "5m": 300, "15m": 900, "1h": 3600 };
export const UPDOWN_WINDOWS: readonly UpDownWindow[] = ["5m", "15m", "1h"];

/** Long names used in hourly slugs and questions. */
const ASSET_NAME: Readonly<Record<UpDownAsset, string>> = {
  BTC: "bitcoin",
  ETH: "ethereum",
  SOL: "solana",
  XRP: "xrp",
  DOGE: "dogecoin",
  BNB: "bnb",
  HYPE: "hyperliquid",
};

export function isUpDownAsset(s: string): s is UpDownAsset {
  return Object.hasOwn(ASSET_NAME, s);
}

export function isUpDownWindow(s: string): s is UpDownWindow {
  return Object.hasOwn(WINDOW_SEC, s);
}

/** Start (unix s) of the window of length `window` that contains `unixSec`. */
export function windowStartSec(unixSec: number, window: UpDownWindow): number {
  const w = WINDOW_SEC[window];
  return Math.floor(unixSec / w) * w;
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const nyParts = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  hourCycle: "h23",
});

/** Slug of the Up/Down market for `asset` whose window starts at `startSec` (unix s). */
export function upDownSlug(asset: UpDownAsset, window: UpDownWindow, startSec: number): string {
  if (window !== "1h") return `${asset.toLowerCase()}-updown-${window}-${startSec}`;
  // Hourly events are named for the New York hour they start at: "…-july-2-11pm-et".
  let month = 0;
  let day = 0;
  let hour = 0;
  for (const p of nyParts.formatToParts(new Date(startSec * 1000))) {
    if (p.type === "month") month = Number(p.value);
    else if (p.type === "day") day = Number(p.value);
    else if (p.type === "hour") hour = Number(p.value);
  }
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return `${ASSET_NAME[asset]}-up-or-down-${MONTHS[month - 1]}-${day}-${h12}${hour < 12 ? "am" : "pm"}-et`;
}

/** Gamma series slug of a recurring Up/Down product ("btc-up-or-down-5m", "…-hourly"). */
export function upDownSeriesSlug(asset: UpDownAsset, window: UpDownWindow): string {
  return `${asset.toLowerCase()}-up-or-down-${window === "1h" ? "hourly" : window}`;
}

export type GammaParseCode =
  | "NOT_OBJECT"
  | "MISSING_FIELD"
  | "BAD_OUTCOMES"
  | "BAD_TOKENS"
  | "BAD_TICK"
  | "BAD_MIN_SIZE"
  | "BAD_DATE"
  | "BAD_FEES";

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

/** A Gamma list field: a JSON-encoded string (the usual form) or already an array. */
function stringList(v: unknown): string[] | undefined {
  let arr: unknown = v;
  if (typeof v === "string") {
    try {
      arr = JSON.parse(v);
    } catch (e) {
      if (e instanceof SyntaxError) return undefined;
      throw e;
    }
  }
  if (!Array.isArray(arr) || !arr.every((x) => typeof x === "string")) return undefined;
  return arr as string[];
}

function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === "string" ? v : undefined;
}

/** Decimal text of a Gamma number that may come as a JSON number (0.01) or string ("0.01"). */
function decimalText(v: unknown): string | undefined {
  if (typeof v === "string" && v.length > 0) return v;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return String(v);
  return undefined;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

const YES_LABELS = new Set(["up", "yes"]);
const NO_LABELS = new Set(["down", "no"]);

/** "btc-updown-5m-…" / "bitcoin-up-or-down-…" / cryptoMarketConfig.asset → "btc/usd". */
function underlyingOf(o: Obj, slug: string): string {
  const cfg = o.cryptoMarketConfig;
  if (isObj(cfg) && typeof cfg.asset === "string") return `${cfg.asset.toLowerCase()}/usd`;
  const m = /^([a-z]+)-updown-/.exec(slug);
  if (m?.[1]) return `${m[1]}/usd`;
  for (const [asset, name] of Object.entries(ASSET_NAME)) {
    if (slug.startsWith(`${name}-up-or-down-`)) return `${asset.toLowerCase()}/usd`;
  }
  return "";
}

function windowSecOf(o: Obj, slug: string, underlying: string, startMs: number, endMs: number): number {
  const cfg = o.cryptoMarketConfig;
  if (isObj(cfg) && typeof cfg.duration === "string" && isUpDownWindow(cfg.duration)) return WINDOW_SEC[cfg.duration];
  const m = /-updown-(5m|15m|1h|4h)-\d+$/.exec(slug);
  if (m?.[1]) return m[1] === "4h" ? 14_400 : WINDOW_SEC[m[1] as UpDownWindow];
  if (underlying !== "" && endMs > startMs) return Math.round((endMs - startMs) / 1000);
  return 0;
}

/**
 * The window's strike from `eventMetadata.priceToBeat` (protocol notes §7.1/§7.3, UNCONFIRMED
 * but the documented field): on the market object, else on its parent event (`events[0]`).
 * `eventMetadata` may come as an object or a JSON string, `priceToBeat` as a number or a
 * decimal string; anything else, or a value ≤ 0, is no strike. A dollar price of the
 * underlying (the fair-value model's float input), not a token price.
 */
function strikeOf(o: Obj): number | undefined {
  const own = priceToBeatOf(o.eventMetadata);
  if (own !== undefined) return own;
  const parent = Array.isArray(o.events) ? o.events[0] : undefined;
  return isObj(parent) ? priceToBeatOf(parent.eventMetadata) : undefined;
}

function priceToBeatOf(meta: unknown): number | undefined {
  let v = meta;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch (e) {
      if (e instanceof SyntaxError) return undefined;
      throw e;
    }
  }
  if (!isObj(v)) return undefined;
  const p = num(v.priceToBeat);
  return p !== undefined && p > 0 ? p : undefined;
}

function resolutionOf(o: Obj): ResolutionRule {
  const cfg = o.cryptoMarketConfig;
  if (isObj(cfg) && cfg.twapEnabled === true) return "twap60";
  const src = str(o, "resolutionSource") ?? "";
  return /twap/i.test(src) ? "twap60" : "price_at_end";
}

/**
 * One Gamma market object → `MarketInfo`. Never throws on bad input: a coded error names the
 * field. Token ids come from `clobTokenIds` for `version` "v1" (or absent) and from
 * `positionIds` for "v2" (protocol notes §1: branch on `version`, never on presence).
 */
export function parseGammaMarket(input: unknown): Result<MarketInfo, GammaParseCode> {
  if (!isObj(input)) return err("NOT_OBJECT", "gamma market: expected a JSON object");
  const o = input;
  const conditionId = str(o, "conditionId");
  const slug = str(o, "slug");
  if (conditionId === undefined || slug === undefined) return err("MISSING_FIELD", "gamma market: conditionId and slug are required");
  const question = str(o, "question") ?? slug;
  const isV2 = o.version === "v2";
  const outcomes = stringList(o.outcomes);
  if (outcomes === undefined || outcomes.length !== 2)
    return err("BAD_OUTCOMES", `gamma ${slug}: outcomes must be two labels, got ${JSON.stringify(o.outcomes)}`);
  const tokens = stringList(isV2 ? o.positionIds : o.clobTokenIds);
  const tokenField = isV2 ? "positionIds" : "clobTokenIds";
  if (tokens === undefined || tokens.length !== 2 || tokens.some((t) => !/^\d+$/.test(t))) {
    return err("BAD_TOKENS", `gamma ${slug}: ${tokenField} must be two decimal token ids`);
  }
  // Map by label; a market whose labels are neither Up/Down nor Yes/No keeps Gamma's order.
  const l0 = (outcomes[0] ?? "").toLowerCase();
  const l1 = (outcomes[1] ?? "").toLowerCase();
  const swap = NO_LABELS.has(l0) && YES_LABELS.has(l1);
  const yesIdx = swap ? 1 : 0;
  const noIdx = 1 - yesIdx;
  const tickText = decimalText(o.orderPriceMinTickSize);
  const tickE4 = tickText === undefined ? BAD_NUMBER : tickE4Of(tickText);
  if (tickE4 === BAD_NUMBER)
    return err("BAD_TICK", `gamma ${slug}: orderPriceMinTickSize ${JSON.stringify(o.orderPriceMinTickSize)} is not a Polymarket tick`);
  const minText = decimalText(o.orderMinSize);
  const minSizeE6 = minText === undefined ? BAD_NUMBER : parseSizeE6(minText);
  if (minSizeE6 === BAD_NUMBER) return err("BAD_MIN_SIZE", `gamma ${slug}: orderMinSize ${JSON.stringify(o.orderMinSize)} is not a size`);
  const startText = str(o, "eventStartTime") ?? str(o, "startDate");
  const endText = str(o, "endDate");
  const startMs = startText === undefined ? Number.NaN : Date.parse(startText);
  const endMs = endText === undefined ? Number.NaN : Date.parse(endText);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) {
    return err("BAD_DATE", `gamma ${slug}: need eventStartTime/startDate ≤ endDate, got ${startText} → ${endText}`);
  }
  let feeRate = 0;
  let feeExponent = 1;
  let rebateRate = 0;
  const fs = o.feeSchedule;
  if (o.feesEnabled !== false && isObj(fs)) {
    const r = num(fs.rate);
    const e = num(fs.exponent);
    const rb = num(fs.rebateRate);
    if (r === undefined || r < 0 || r > 1) return err("BAD_FEES", `gamma ${slug}: feeSchedule.rate ${JSON.stringify(fs.rate)}`);
    feeRate = r;
    feeExponent = e ?? 1;
    rebateRate = rb ?? 0;
  }
  const underlying = underlyingOf(o, slug);
  const strikePrice = strikeOf(o);
  return ok({
    conditionId,
    slug,
    question,
    underlying,
    windowSec: windowSecOf(o, slug, underlying, startMs, endMs),
    yesTokenId: tokens[yesIdx] as string,
    noTokenId: tokens[noIdx] as string,
    outcomes: [outcomes[yesIdx] as string, outcomes[noIdx] as string],
    tickE4,
    minSizeE6,
    negRisk: o.negRisk === true,
    exchangeVersion: isV2 ? 3 : 2,
    startMs,
    endMs,
    feeRate,
    feeExponent,
    rebateRate,
    resolution: resolutionOf(o),
    ...(strikePrice !== undefined && { strikePrice }),
  });
}

/** Whether Gamma says the market is open for orders now (absent fields read as open). */
export function isAcceptingOrders(input: unknown): boolean {
  return isObj(input) && input.closed !== true && input.acceptingOrders !== false && input.enableOrderBook !== false;
}

export type GammaErrorCode = "NETWORK" | "HTTP" | "NOT_FOUND" | GammaParseCode;

export interface GammaClientOptions {
  /** Default https://gamma-api.polymarket.com; the simulator serves the same paths. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export const GAMMA_URL = "https://gamma-api.polymarket.com";

/** Thin Gamma reader. Off the hot path: called at start and on each roll. */
export class GammaClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  constructor(opts: GammaClientOptions = {}) {
    this.baseUrl = (opts.baseUrl ?? GAMMA_URL).replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** `GET /markets?slug=…` → the market, `NOT_FOUND` when Gamma has none (yet). */
  async marketBySlug(slug: string): Promise<Result<MarketInfo, GammaErrorCode>> {
    return this.first(`/markets?slug=${encodeURIComponent(slug)}`, `slug ${slug}`);
  }

  /** `GET /markets?clob_token_ids=…` → the market holding this outcome token. */
  async marketByTokenId(tokenId: string): Promise<Result<MarketInfo, GammaErrorCode>> {
    return this.first(`/markets?clob_token_ids=${encodeURIComponent(tokenId)}`, `token ${tokenId}`);
  }

  /** A market given by slug or token id (a token id is all digits). */
  async market(slugOrTokenId: string): Promise<Result<MarketInfo, GammaErrorCode>> {
    return /^\d{10,}$/.test(slugOrTokenId) ? this.marketByTokenId(slugOrTokenId) : this.marketBySlug(slugOrTokenId);
  }

  /**
   * The Up/Down market of `asset` whose window starts at `startSec`. Hourly markets fall back
   * to the series listing when the human slug is not found (its pattern is UNCONFIRMED).
   */
  async upDown(asset: UpDownAsset, window: UpDownWindow, startSec: number): Promise<Result<MarketInfo, GammaErrorCode>> {
    const bySlug = await this.marketBySlug(upDownSlug(asset, window, startSec));
    if (bySlug.ok || bySlug.code !== "NOT_FOUND" || window !== "1h") return bySlug;
    const series = await this.getJson(`/events?series_slug=${upDownSeriesSlug(asset, window)}&active=true&closed=false&limit=50`);
    if (!series.ok) return series;
    const events = Array.isArray(series.value) ? series.value : [];
    for (const ev of events) {
      const markets = isObj(ev) && Array.isArray(ev.markets) ? ev.markets : [];
      for (const m of markets) {
        // A market listed inside its event: the event's metadata (the strike) is its parent's.
        const parsed = parseGammaMarket(
          isObj(m) && isObj(ev) && m.events === undefined && ev.eventMetadata !== undefined
            ? { ...m, events: [{ eventMetadata: ev.eventMetadata }] }
            : m,
        );
        if (parsed.ok && parsed.value.startMs === startSec * 1000 && parsed.value.endMs - parsed.value.startMs === 3_600_000) return parsed;
      }
    }
    return err("NOT_FOUND", `gamma: no hourly ${asset} market starting at ${startSec}`);
  }

  /**
   * Current and next `ahead` windows for every asset × window. Markets not yet listed are
   * skipped (they appear on a later roll); other failures are returned beside the finds.
   */
  async discover(
    assets: readonly UpDownAsset[],
    windows: readonly UpDownWindow[],
    nowMs: number,
    ahead = 1,
  ): Promise<{ markets: MarketInfo[]; errors: string[] }> {
    const jobs: Array<Promise<Result<MarketInfo, GammaErrorCode>>> = [];
    for (const a of assets) {
      for (const w of windows) {
        const start = windowStartSec(Math.floor(nowMs / 1000), w);
        for (let k = 0; k <= ahead; k++) jobs.push(this.upDown(a, w, start + k * WINDOW_SEC[w]));
      }
    }
    const markets: MarketInfo[] = [];
    const errors: string[] = [];
    for (const r of await Promise.all(jobs)) {
      if (r.ok) markets.push(r.value);
      else if (r.code !== "NOT_FOUND") errors.push(`${r.code}: ${r.reason}`);
    }
    return { markets, errors };
  }

  private async first(path: string, what: string): Promise<Result<MarketInfo, GammaErrorCode>> {
    const res = await this.getJson(path);
    if (!res.ok) return res;
    const list = Array.isArray(res.value) ? res.value : [res.value];
    const m = list[0];
    if (m === undefined) return err("NOT_FOUND", `gamma: no market for ${what}`);
    return parseGammaMarket(m);
  }

  private async getJson(path: string): Promise<Result<unknown, GammaErrorCode>> {
    let resp: Response;
    try {
      resp = await this.fetchFn(`${this.baseUrl}${path}`, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: "application/json" },
      });
    } catch (e) {
      return err("NETWORK", `gamma GET ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (resp.status === 404) return err("NOT_FOUND", `gamma GET ${path}: 404`);
    if (!resp.ok) return err("HTTP", `gamma GET ${path}: HTTP ${resp.status}`);
    const text = await resp.text();
    try {
      return ok(JSON.parse(text) as unknown);
    } catch (e) {
      if (e instanceof SyntaxError) return err("HTTP", `gamma GET ${path}: body is not JSON`);
      throw e;
    }
  }
}
