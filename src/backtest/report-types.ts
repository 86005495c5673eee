/**
 * What the report reads and what it produces: a `RunRecord` (a backtest, or `analyze` over
 * the logs of a live, paper or simulator run) in; per-market `MarketStats`, charts and the
 * total out. The decomposition itself is documented in report.ts.
 */

export type FillLiquidity = "maker" | "taker";

export interface RunFill {
  readonly tMs: number;
  readonly conditionId: string;
  readonly isYes: boolean;
  readonly side: "BUY" | "SELL";
  readonly priceE4: number;
  readonly sizeE6: number;
  readonly feeE6: number;
  readonly rebateE6: number;
  readonly liquidity: FillLiquidity;
  /** queue / trade_through / book_through / taker for a backtest; "live" from logs. */
  readonly cause: string;
}

export interface RunMarket {
  readonly conditionId: string;
  readonly slug: string;
  readonly startMs: number;
  readonly endMs: number;
  /** YES top of book over time; mid NaN when one-sided. */
  readonly series: { readonly tMs: number[]; readonly midE4: number[]; readonly bidE4: number[]; readonly askE4: number[] };
  /** Our best resting bid/ask in YES terms at each change; 0 = none. */
  readonly quotes: { readonly tMs: number[]; readonly bidE4: number[]; readonly askE4: number[] };
  readonly resolution: { readonly tMs: number; readonly yesWon: boolean } | null;
  readonly merges: readonly { readonly tMs: number; readonly sizeE6: number }[];
}

export interface RunRecord {
  /** "mm", "naive", "arb", or the run's name. */
  readonly label: string;
  readonly source: "backtest" | "logs";
  readonly settings: readonly (readonly [string, string])[];
  readonly startMs: number;
  readonly endMs: number;
  readonly markets: readonly RunMarket[];
  readonly fills: readonly RunFill[];
  readonly orders: {
    readonly byMarket: Readonly<Record<string, { readonly placed: number; readonly placedE6: number; readonly rejected: number }>>;
    readonly rejectsByCode: Readonly<Record<string, number>>;
    readonly cancels: number;
    readonly cancelsTooLate: number;
    readonly filledWhileCancellingE6: number;
  };
  readonly latencies: { readonly placeAckMs: readonly number[]; readonly cancelMs: readonly number[] };
  readonly counters: Readonly<Record<string, number>>;
}

export const MARKOUT_HORIZONS_S: readonly number[] = [1, 10, 60];
export const CURVE_HORIZONS_S: readonly number[] = [0, 1, 2, 5, 10, 20, 30, 60];

export interface PnlParts {
  spreadE6: number;
  adverseEndE6: number;
  /** By horizon, in MARKOUT_HORIZONS_S order. */
  adverseE6: number[];
  resolutionE6: number;
  feesE6: number;
  rebatesE6: number;
  totalE6: number;
}

export interface MarketStats {
  readonly conditionId: string;
  readonly slug: string;
  readonly fills: number;
  readonly makerFills: number;
  readonly takerFills: number;
  readonly volumeE6: number;
  readonly notionalE6: number;
  readonly ordersPlaced: number;
  readonly sharesPlacedE6: number;
  /** Filled shares / placed shares. */
  readonly fillRate: number;
  readonly pnl: PnlParts;
  readonly maxDrawdownE6: number;
  readonly maxAbsInventoryE6: number;
  /** Share of the market's data span with a bid and an ask resting / with any side. */
  readonly quotingTwoSided: number;
  readonly quotingAny: number;
  readonly outcome: "YES" | "NO" | "unresolved";
  /** Mark-out per share at each CURVE_HORIZONS_S, PriceE4 (NaN without fills). */
  readonly markoutCurveE4: number[];
  readonly causes: Readonly<Record<string, number>>;
}

export interface ChartSeries {
  readonly tS: number[];
  readonly values: Record<string, number[]>;
}

export interface MarketCharts {
  readonly price: ChartSeries;
  readonly fills: { readonly tS: number[]; readonly yesPriceE4: number[]; readonly buyYes: boolean[] };
  /** Our resting bid/ask (YES terms, 0 = none) at each change. */
  readonly quotes: ChartSeries;
  readonly inventory: ChartSeries;
  readonly pnl: ChartSeries;
}

export interface Report {
  readonly label: string;
  readonly settings: readonly (readonly [string, string])[];
  readonly startMs: number;
  readonly endMs: number;
  readonly markets: readonly MarketStats[];
  readonly total: MarketStats;
  readonly charts: ReadonlyMap<string, MarketCharts>;
  readonly totalPnlChart: ChartSeries;
  readonly latency: { readonly placeAckMs: readonly number[]; readonly cancelMs: readonly number[] };
  readonly orders: RunRecord["orders"];
  readonly counters: RunRecord["counters"];
}
