/**
 * Fair-value calibration on real outcomes (issue 9 item 8).
 *
 * Replays an underlying price series second by second through the market maker's own
 * `UnderlyingVol` + `probUp`, and for every second of every resolved market scores P(Up)
 * against the real outcome: Brier score and log loss overall, by minute of time left, by
 * half of the day (a held-out check: the model's settings were chosen on the first 12 h of
 * 2026-06-08), with reliability bins for a chart. A baseline is computed in the same run:
 * a Black–Scholes digital N(d2) with volatility realised over the previous hour of
 * 1-second log returns (no autocorrelation, no momentum), and the 0.5 coin flip.
 *
 * Rules of the replay, so that neither model sees the future:
 * - At second t a model knows the prices stamped ≤ t (the feed's `feed_ts_ms`).
 * - A market is scored at t = start … end − 1 (τ = end − t = 300 … 1 s for 5-minute
 *   markets); the minute bucket is ⌈τ/60⌉ (1 = the last minute).
 * - Seconds before `warmupSec` of price history exist are skipped, so the baseline always
 *   has its full hour.
 * - Strike: the market's `strike_value` (Chainlink price at slot start ×1e18); when null,
 *   the series' price stamped exactly at the start second, else the market is skipped.
 * - `twap60` markets are scored with the TWAP formula, the settlement average being
 *   accumulated from the same series (the day in shared/data is all `price_at_end`).
 * - Log loss clamps p to [1e-6, 1 − 1e-6].
 *
 * Pure: text in (already decompressed), report out. The CLI does the I/O.
 */
import type { ResolutionRule } from "../core/ports.ts";
import { type FairValueInput, SettlementTwap, normCdf, probUp } from "./fair-value.ts";
import { type UnderlyingVolParams, UnderlyingVol } from "./volatility.ts";

export interface PriceSeries {
  /** Whole epoch seconds, strictly increasing. */
  readonly secs: Int32Array | number[];
  readonly prices: Float64Array;
}

export interface CalMarket {
  readonly slug: string;
  readonly startSec: number;
  readonly endSec: number;
  /** NaN when the file has no strike. */
  readonly strike: number;
  /** true = Up won, false = Down won, null = unresolved. */
  readonly outcomeUp: boolean | null;
  readonly rule: ResolutionRule;
}

/** `feed_ts_ms,value,full_accuracy_value,...` CSV → series (full-accuracy value preferred). */
export function parsePriceCsv(text: string): PriceSeries {
  const lines = text.split("\n");
  const header = (lines[0] ?? "").trim().split(",");
  const tsCol = header.indexOf("feed_ts_ms");
  const fullCol = header.indexOf("full_accuracy_value");
  const valCol = header.indexOf("value");
  if (tsCol < 0 || (fullCol < 0 && valCol < 0))
    throw new RangeError(`price CSV needs feed_ts_ms and value/full_accuracy_value columns, got: ${lines[0]}`);
  const secs: number[] = [];
  const prices: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const cols = line.split(",");
    const ts = Number(cols[tsCol]);
    const full = fullCol >= 0 ? scaled18(cols[fullCol] ?? "") : Number.NaN;
    const price = full > 0 ? full : Number(cols[valCol] ?? "");
    if (!Number.isFinite(ts) || !(price > 0)) continue;
    const sec = Math.floor(ts / 1000);
    const last = secs.length - 1;
    if (last >= 0 && sec <= (secs[last] as number)) {
      if (sec === secs[last]) prices[last] = price; // duplicate second: keep the latest row
      continue;
    }
    secs.push(sec);
    prices.push(price);
  }
  return { secs, prices: Float64Array.from(prices) };
}

/** An 18-decimal integer string (Chainlink full accuracy) → float dollars. */
function scaled18(s: string): number {
  const t = s.trim();
  if (!/^\d+$/.test(t)) return Number.NaN;
  const padded = t.padStart(19, "0");
  return Number(`${padded.slice(0, -18)}.${padded.slice(-18)}`);
}

interface RawMarketLine {
  slug?: unknown;
  start_sec?: unknown;
  end_sec?: unknown;
  resolved?: unknown;
  outcome_prices?: unknown;
  strike_value?: unknown;
  raw?: { resolutionSource?: unknown; cryptoMarketConfig?: { twapEnabled?: unknown } };
}

/** The gamma JSONL of shared/data (one market per line) → markets. Bad lines are skipped and counted. */
export function parseMarketsJsonl(text: string): { markets: CalMarket[]; badLines: number } {
  const markets: CalMarket[] = [];
  let badLines = 0;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let m: RawMarketLine;
    try {
      m = JSON.parse(line) as RawMarketLine;
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      badLines++;
      continue;
    }
    if (typeof m.slug !== "string" || typeof m.start_sec !== "number" || typeof m.end_sec !== "number") {
      badLines++;
      continue;
    }
    const op = Array.isArray(m.outcome_prices) ? m.outcome_prices : [];
    const outcomeUp = m.resolved === true && op.length === 2 ? (op[0] === "1" ? true : op[1] === "1" ? false : null) : null;
    const src = typeof m.raw?.resolutionSource === "string" ? m.raw.resolutionSource : "";
    const twap = m.raw?.cryptoMarketConfig?.twapEnabled === true || /twap/i.test(src);
    markets.push({
      slug: m.slug,
      startSec: m.start_sec,
      endSec: m.end_sec,
      strike: typeof m.strike_value === "string" ? scaled18(m.strike_value) : Number.NaN,
      outcomeUp,
      rule: twap ? "twap60" : "price_at_end",
    });
  }
  return { markets, badLines };
}

export interface CalibrationOptions {
  /** Seconds of price history required before scoring (the baseline's hour). */
  readonly warmupSec: number;
  /** Baseline's realised-volatility window, seconds. */
  readonly baselineWindowSec: number;
  /** Held-out split (epoch s): markets starting before it are "first". Default: mid-series. */
  readonly splitSec?: number;
  readonly vol?: Partial<UnderlyingVolParams>;
}

export const DEFAULT_CALIBRATION_OPTIONS: CalibrationOptions = { warmupSec: 3600, baselineWindowSec: 3600 };

export interface Scores {
  readonly seconds: number;
  readonly markets: number;
  readonly brier: number;
  readonly logLoss: number;
  readonly baselineBrier: number;
  readonly baselineLogLoss: number;
  /** Market-clustered standard error of (brier − baselineBrier): < 0 means we are better. */
  readonly brierDiffSe: number;
}

export interface ReliabilityBin {
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
  readonly meanPredicted: number;
  readonly observedUp: number;
}

export interface CalibrationReport extends Scores {
  readonly coinFlip: { readonly brier: number; readonly logLoss: number };
  readonly byMinuteLeft: ReadonlyArray<Scores & { readonly minuteLeft: number }>;
  readonly halves: ReadonlyArray<Scores & { readonly half: "first" | "second"; readonly fromSec: number; readonly toSec: number }>;
  readonly halvesByMinuteLeft: ReadonlyArray<{
    readonly half: "first" | "second";
    readonly byMinuteLeft: ReadonlyArray<Scores & { readonly minuteLeft: number }>;
  }>;
  readonly reliability: { readonly model: readonly ReliabilityBin[]; readonly baseline: readonly ReliabilityBin[] };
  readonly skipped: {
    readonly unresolved: number;
    readonly noStrike: number;
    readonly outsideSeries: number;
    readonly warmupSeconds: number;
  };
  readonly settings: {
    readonly warmupSec: number;
    readonly baselineWindowSec: number;
    readonly splitSec: number;
    readonly vol: UnderlyingVolParams;
  };
}

const EPS = 1e-6;

/** Accumulates Brier/log loss for the model and the baseline, clustered by market. */
class Acc {
  n = 0;
  b = 0;
  l = 0;
  bb = 0;
  bl = 0;
  private readonly perMarket = new Map<string, { d: number; n: number }>();

  add(market: string, p: number, q: number, y: number): void {
    const bm = (p - y) ** 2;
    const bq = (q - y) ** 2;
    this.n++;
    this.b += bm;
    this.bb += bq;
    this.l += logLoss(p, y);
    this.bl += logLoss(q, y);
    const m = this.perMarket.get(market);
    if (m) {
      m.d += bm - bq;
      m.n++;
    } else this.perMarket.set(market, { d: bm - bq, n: 1 });
  }

  scores(): Scores {
    const k = this.perMarket.size;
    let se = Number.NaN;
    if (k > 1) {
      const means = [...this.perMarket.values()].map((m) => m.d / m.n);
      const mu = means.reduce((a, x) => a + x, 0) / k;
      const v = means.reduce((a, x) => a + (x - mu) ** 2, 0) / (k - 1);
      se = Math.sqrt(v / k);
    }
    const n = this.n || Number.NaN;
    return {
      seconds: this.n,
      markets: k,
      brier: this.b / n,
      logLoss: this.l / n,
      baselineBrier: this.bb / n,
      baselineLogLoss: this.bl / n,
      brierDiffSe: se,
    };
  }
}

function logLoss(p: number, y: number): number {
  const c = p < EPS ? EPS : p > 1 - EPS ? 1 - EPS : p;
  return y === 1 ? -Math.log(c) : -Math.log(1 - c);
}

class Reliability {
  private readonly n = new Float64Array(10);
  private readonly sp = new Float64Array(10);
  private readonly sy = new Float64Array(10);
  add(p: number, y: number): void {
    const i = Math.min(9, Math.max(0, Math.floor(p * 10)));
    this.n[i]! += 1; // in range: i ∈ [0, 9]
    this.sp[i]! += p;
    this.sy[i]! += y;
  }
  bins(): ReliabilityBin[] {
    const out: ReliabilityBin[] = [];
    for (let i = 0; i < 10; i++) {
      const n = this.n[i] ?? 0;
      out.push({
        lo: i / 10,
        hi: (i + 1) / 10,
        n,
        meanPredicted: n > 0 ? (this.sp[i] ?? 0) / n : Number.NaN,
        observedUp: n > 0 ? (this.sy[i] ?? 0) / n : Number.NaN,
      });
    }
    return out;
  }
}

/** Previous-hour realised variance of 1-second log returns, by time (the baseline's estimator). */
class HourVariance {
  private readonly secs: number[] = [];
  private readonly sq: number[] = [];
  private readonly dts: number[] = [];
  private head = 0;
  private sumSq = 0;
  private sumDt = 0;
  private lastSec = Number.NaN;
  private lastPrice = Number.NaN;

  constructor(private readonly windowSec: number) {}

  update(sec: number, price: number): void {
    if (!Number.isNaN(this.lastSec)) {
      const r = Math.log(price / this.lastPrice);
      const dt = sec - this.lastSec;
      this.secs.push(sec);
      this.sq.push(r * r);
      this.dts.push(dt);
      this.sumSq += r * r;
      this.sumDt += dt;
    }
    this.lastSec = sec;
    this.lastPrice = price;
    while (this.head < this.secs.length && (this.secs[this.head] as number) <= sec - this.windowSec) {
      this.sumSq -= this.sq[this.head] as number;
      this.sumDt -= this.dts[this.head] as number;
      this.head++;
    }
  }

  variancePerSec(): number {
    return this.sumDt > 0 ? Math.max(0, this.sumSq) / this.sumDt : Number.NaN;
  }
}

/** Black–Scholes digital N(d2) with zero rates. */
export function baselineProbUp(spot: number, strike: number, tau: number, variancePerSec: number): number {
  if (tau <= 0) return spot >= strike ? 1 : 0;
  const sd = Math.sqrt(variancePerSec * tau);
  if (!(sd > 0)) return spot >= strike ? 1 : 0;
  return normCdf((Math.log(spot / strike) - (sd * sd) / 2) / sd);
}

export function runCalibration(
  markets: readonly CalMarket[],
  series: PriceSeries,
  options: Partial<CalibrationOptions> = {},
): CalibrationReport {
  const opts = { ...DEFAULT_CALIBRATION_OPTIONS, ...options };
  const { secs, prices } = series;
  const n = secs.length;
  if (n === 0) throw new RangeError("empty price series");
  const firstSec = secs[0] as number;
  const lastSec = secs[n - 1] as number;
  const splitSec = opts.splitSec ?? Math.floor((firstSec + lastSec) / 2);

  const priceAt = new Map<number, number>();
  for (let i = 0; i < n; i++) priceAt.set(secs[i] as number, prices[i] as number);

  let unresolved = 0;
  let noStrike = 0;
  let outsideSeries = 0;
  type Live = CalMarket & { strikeUsed: number; y: number; twap: SettlementTwap | null };
  const scored: Live[] = [];
  for (const m of markets) {
    if (m.outcomeUp === null) {
      unresolved++;
      continue;
    }
    const strike = m.strike > 0 ? m.strike : (priceAt.get(m.startSec) ?? Number.NaN);
    if (!(strike > 0)) {
      noStrike++;
      continue;
    }
    if (m.endSec <= firstSec + opts.warmupSec || m.startSec > lastSec) {
      outsideSeries++;
      continue;
    }
    scored.push({
      ...m,
      strikeUsed: strike,
      y: m.outcomeUp ? 1 : 0,
      twap: m.rule === "twap60" ? new SettlementTwap(m.endSec * 1000) : null,
    });
  }
  scored.sort((a, b) => a.startSec - b.startSec);

  const vol = new UnderlyingVol(opts.vol ?? {});
  const hour = new HourVariance(opts.baselineWindowSec);
  const total = new Acc();
  const byMinute = new Map<number, Acc>();
  const halves = { first: new Acc(), second: new Acc() };
  const halvesMinute = { first: new Map<number, Acc>(), second: new Map<number, Acc>() };
  const relModel = new Reliability();
  const relBase = new Reliability();
  let warmupSeconds = 0;

  let i = 0;
  let next = 0; // index into `scored` of the first market not yet finished
  let spot = Number.NaN;
  for (let t = firstSec; t <= lastSec; t++) {
    if (i < n && secs[i] === t) {
      const p = prices[i] as number;
      spot = p;
      vol.update(p, t * 1000);
      hour.update(t, p);
      for (let k = next; k < scored.length && (scored[k] as Live).startSec <= t; k++) (scored[k] as Live).twap?.update(p, t * 1000);
      i++;
    }
    while (next < scored.length && (scored[next] as Live).endSec <= t) next++;
    for (let k = next; k < scored.length; k++) {
      const m = scored[k] as Live;
      if (m.startSec > t) break;
      if (t >= m.endSec) continue;
      if (t < firstSec + opts.warmupSec) {
        warmupSeconds++;
        continue;
      }
      const tau = m.endSec - t;
      const input: FairValueInput = {
        rule: m.rule,
        spot,
        strike: m.strikeUsed,
        secondsLeft: tau,
        sigmaPerSec: vol.sigmaPerSec(),
        phi: vol.phi(),
        lastReturn: vol.lastReturn(t * 1000),
        ...(m.twap ? { twap: m.twap.progress(t * 1000) } : {}),
      };
      const p = probUp(input);
      const q = baselineProbUp(spot, m.strikeUsed, tau, hour.variancePerSec());
      if (Number.isNaN(p) || Number.isNaN(q)) continue;
      const minute = Math.ceil(tau / 60);
      total.add(m.slug, p, q, m.y);
      accFor(byMinute, minute).add(m.slug, p, q, m.y);
      const half = m.startSec < splitSec ? "first" : "second";
      halves[half].add(m.slug, p, q, m.y);
      accFor(halvesMinute[half], minute).add(m.slug, p, q, m.y);
      relModel.add(p, m.y);
      relBase.add(q, m.y);
    }
  }

  const minuteRows = (map: Map<number, Acc>) =>
    [...map.entries()].sort((a, b) => a[0] - b[0]).map(([minuteLeft, acc]) => ({ minuteLeft, ...acc.scores() }));
  return {
    ...total.scores(),
    coinFlip: { brier: 0.25, logLoss: Math.LN2 },
    byMinuteLeft: minuteRows(byMinute),
    halves: [
      { half: "first", fromSec: firstSec, toSec: splitSec, ...halves.first.scores() },
      { half: "second", fromSec: splitSec, toSec: lastSec, ...halves.second.scores() },
    ],
    halvesByMinuteLeft: [
      { half: "first", byMinuteLeft: minuteRows(halvesMinute.first) },
      { half: "second", byMinuteLeft: minuteRows(halvesMinute.second) },
    ],
    reliability: { model: relModel.bins(), baseline: relBase.bins() },
    skipped: { unresolved, noStrike, outsideSeries, warmupSeconds },
    settings: { warmupSec: opts.warmupSec, baselineWindowSec: opts.baselineWindowSec, splitSec, vol: vol.params },
  };
}

function accFor(map: Map<number, Acc>, key: number): Acc {
  let a = map.get(key);
  if (!a) {
    a = new Acc();
    map.set(key, a);
  }
  return a;
}
