/**
 * Simulated BTC/ETH/SOL Chainlink prices: a seeded 1-second random walk with the features
 * that matter to an Up/Down market maker, calibrated on the real Chainlink BTC/USD day
 * (../shared/data/rtds/ligengxin_BTCUSD-chainlink-prices-2026-06-08.csv.gz, 84 558 ticks)
 * and, for the cross-coin structure, on 30 min of BTC/ETH/SOL Chainlink ticks recorded
 * through RTDS on 2026-04-29 (jonahgrigoryan session, ../shared/data/ws/).
 * `bun run bench/calibrate-sim.ts` prints the real-vs-simulated table (docs/simulator.md).
 *
 * Per second, for coin i:
 *   σ_t   = σ₀ · m_i · intraday[hour UTC] · exp(x_fast + x_slow − var)   (vol regimes)
 *   ε_i   = σ_t · √(1 − φ²) · (√ρ · c + √(1 − ρ) · e_i),  c, e_i ~ Student-t(ν), unit variance
 *   r_i   = φ · r_i(t−1) + ε_i + J · m_i   (J ≠ 0 with probability λ: a common jump)
 *   p_i  *= exp(r_i)
 * x_fast / x_slow are AR(1) log-vol components (minutes / hours); φ > 0 reproduces the
 * positive lag-1 autocorrelation of Chainlink's 1-s returns (its aggregation smooths).
 *
 * Pure: no clock, no I/O. Time comes in as epoch milliseconds through `advanceTo`.
 */
import { Rng } from "../core/rng.ts";

export type CoinSymbol = "btc/usd" | "eth/usd" | "sol/usd";
export const COINS: readonly CoinSymbol[] = ["btc/usd", "eth/usd", "sol/usd"];

export interface CoinSpec {
  readonly symbol: CoinSymbol;
  readonly startPrice: number;
  /** Volatility relative to BTC. */
  readonly volMult: number;
}

/**
 * Calibrated constants. Real figures measured by bench/calibrate-sim.ts on the BTC day
 * (1-s returns on consecutive seconds, n = 83 520) unless stated.
 */
export const CALIBRATION = {
  /**
   * Nominal sd of 1-s log returns, BTC. Real: 6.62e-5 at 1 s, and 1.02e-4 / 0.95e-4 / 1.01e-4
   * per √s over 60 / 300 / 900 s (the horizons a 5m–1h binary prices on); the sim gives
   * 7.2e-5 at 1 s and 1.0e-4 per √s at 60–900 s: we match the pricing horizons.
   */
  sigma1s: 7.5e-5,
  /** lag-1 autocorrelation of 1-s returns: real 0.321 (Chainlink's aggregation smooths). */
  phi: 0.32,
  /** Student-t degrees of freedom of the innovations; with the vol regimes gives 1-s kurtosis ≈ 34 (real 33.7). */
  tDof: 5,
  /** Fast log-vol component, AR(1) per second and stationary sd (1-min RV p10/p50/p90: real 3.0/5.1/9.7e-5). */
  fastVolAr: 0.8,
  fastVolSd: 0.5,
  /** Slow log-vol regimes, half-life ~1 h (log 1-min RV autocorrelation at 60 min: real 0.29). */
  slowVolAr: 0.9998,
  slowVolSd: 0.27,
  /** Common jumps: probability per second and sd (share of 1-s moves > 5 bp: real 1.41e-3, 118 of 83 520 s). */
  jumpProb: 0.0012,
  jumpSd: 4e-4,
  /**
   * Intraday pattern: sd of 1-s returns per UTC hour divided by the day's sd, measured
   * 00h…23h on 2026-06-08 (US open 12–14h UTC is the peak; 18–22h the trough).
   */
  intraday: [
    1.19, 1.34, 0.91, 0.81, 0.82, 0.97, 0.84, 0.85, 0.77, 0.94, 0.82, 1.03, 1.62, 1.6, 1.48, 1.11, 0.89, 0.88, 0.67, 0.67, 0.66, 0.65, 0.69,
    0.83,
  ] as readonly number[],
  /** Correlation of the coins' innovations: real 10-s return correlation BTC/ETH 0.845, BTC/SOL 0.827, ETH/SOL 0.873. */
  rho: 0.85,
} as const;

/** Start prices: BTC at 2026-06-08 00:00 UTC; ETH and SOL at 2026-04-29 02:10 UTC. Vol ratios from 10–60 s returns (ETH 1.62–1.84, SOL 1.14–1.29). */
export const DEFAULT_COINS: readonly CoinSpec[] = [
  { symbol: "btc/usd", startPrice: 63_304.2, volMult: 1 },
  { symbol: "eth/usd", startPrice: 2_293.66, volMult: 1.7 },
  { symbol: "sol/usd", startPrice: 84.16, volMult: 1.2 },
];

export type CalibrationParams = { -readonly [K in keyof typeof CALIBRATION]: (typeof CALIBRATION)[K] };

/** Seconds of 1-s history kept per coin for strikes, settlement and TWAPs (4 h). */
const HISTORY_SEC = 4 * 3600;

/** Mean of intraday² is normalised to 1 so σ₀ stays the day's 1-s sd. */
function normalisedIntraday(xs: readonly number[]): number[] {
  const ms = xs.reduce((s, x) => s + x * x, 0) / xs.length;
  return xs.map((x) => x / Math.sqrt(ms));
}

export class UnderlyingWalk {
  private readonly rng: Rng;
  private readonly params: CalibrationParams;
  private readonly intraday: number[];
  private readonly prices: Float64Array;
  private readonly lastRet: Float64Array;
  private readonly history: Float64Array[];
  private fastX = 0;
  private slowX = 0;
  /** The second whose price `prices` holds (epoch seconds). */
  private sec: number;
  private readonly firstSec: number;

  constructor(
    seed: number,
    startWallMs: number,
    readonly coins: readonly CoinSpec[] = DEFAULT_COINS,
    params: Partial<CalibrationParams> = {},
  ) {
    this.rng = new Rng(seed ^ 0x5eed_0001);
    this.params = { ...CALIBRATION, ...params };
    this.intraday = normalisedIntraday(this.params.intraday);
    this.prices = Float64Array.from(coins, (c) => c.startPrice);
    this.lastRet = new Float64Array(coins.length);
    this.history = coins.map(() => new Float64Array(HISTORY_SEC));
    this.sec = Math.floor(startWallMs / 1000);
    this.firstSec = this.sec;
    // start the regimes from their stationary distribution
    this.fastX = this.rng.normal() * this.params.fastVolSd;
    this.slowX = this.rng.normal() * this.params.slowVolSd;
    this.record();
  }

  /** Epoch second of the latest price. */
  nowSec(): number {
    return this.sec;
  }

  /** Steps second by second up to `wallMs`; returns how many seconds were stepped. */
  advanceTo(wallMs: number): number {
    const target = Math.floor(wallMs / 1000);
    let n = 0;
    while (this.sec < target) {
      this.step();
      n++;
    }
    return n;
  }

  price(symbol: CoinSymbol): number {
    return this.prices[this.index(symbol)] ?? Number.NaN;
  }

  /** Price at an epoch second within the last 4 h (the latest one for later seconds). */
  priceAt(symbol: CoinSymbol, sec: number): number {
    const i = this.index(symbol);
    const s = Math.min(sec, this.sec);
    if (s < this.firstSec || s <= this.sec - HISTORY_SEC) return Number.NaN;
    return this.history[i]?.[s % HISTORY_SEC] ?? Number.NaN;
  }

  /** Mean of the 1-s prices in (endSec − windowSec, endSec], Chainlink's 60-s TWAP when windowSec = 60. */
  twap(symbol: CoinSymbol, endSec: number, windowSec = 60): number {
    let sum = 0;
    let n = 0;
    for (let s = endSec - windowSec + 1; s <= endSec; s++) {
      const p = this.priceAt(symbol, s);
      if (Number.isFinite(p)) {
        sum += p;
        n++;
      }
    }
    return n > 0 ? sum / n : Number.NaN;
  }

  /** Test API: moves a coin by a relative amount now (0.01 = +1 %). */
  shock(symbol: CoinSymbol, relative: number): void {
    const i = this.index(symbol);
    this.prices[i] = (this.prices[i] ?? 0) * (1 + relative);
    this.record();
  }

  /** Test API: sets a coin's price now. */
  setPrice(symbol: CoinSymbol, price: number): void {
    if (!(price > 0)) throw new RangeError(`price must be > 0, got ${price}`);
    this.prices[this.index(symbol)] = price;
    this.record();
  }

  private step(): void {
    const p = this.params;
    const rng = this.rng;
    this.sec++;
    this.fastX = p.fastVolAr * this.fastX + p.fastVolSd * Math.sqrt(1 - p.fastVolAr ** 2) * rng.normal();
    this.slowX = p.slowVolAr * this.slowX + p.slowVolSd * Math.sqrt(1 - p.slowVolAr ** 2) * rng.normal();
    const logVolVar = p.fastVolSd ** 2 + p.slowVolSd ** 2;
    const hour = Math.floor((this.sec % 86_400) / 3600);
    const sigma = p.sigma1s * (this.intraday[hour] ?? 1) * Math.exp(this.fastX + this.slowX - logVolVar);
    const innov = sigma * Math.sqrt(1 - p.phi * p.phi);
    const common = this.studentT(p.tDof);
    const jump = rng.chance(p.jumpProb) ? rng.normal() * p.jumpSd : 0;
    const a = Math.sqrt(p.rho);
    const b = Math.sqrt(1 - p.rho);
    for (let i = 0; i < this.coins.length; i++) {
      const m = this.coins[i]?.volMult ?? 1;
      const z = a * common + b * this.studentT(p.tDof);
      const r = p.phi * (this.lastRet[i] ?? 0) + m * innov * z;
      this.lastRet[i] = r;
      this.prices[i] = (this.prices[i] ?? 0) * Math.exp(r + m * jump);
    }
    this.record();
  }

  /** Student-t with unit variance (ν > 2): normal / √(χ²_ν / ν), scaled by √((ν − 2)/ν). */
  private studentT(dof: number): number {
    let chi = 0;
    for (let k = 0; k < dof; k++) {
      const g = this.rng.normal();
      chi += g * g;
    }
    if (chi === 0) return 0;
    return (this.rng.normal() / Math.sqrt(chi / dof)) * Math.sqrt((dof - 2) / dof);
  }

  private record(): void {
    const slot = this.sec % HISTORY_SEC;
    for (let i = 0; i < this.coins.length; i++) {
      const h = this.history[i];
      if (h) h[slot] = this.prices[i] ?? Number.NaN;
    }
  }

  private index(symbol: CoinSymbol): number {
    const i = this.coins.findIndex((c) => c.symbol === symbol);
    if (i < 0) throw new RangeError(`unknown coin ${symbol}`);
    return i;
  }
}
