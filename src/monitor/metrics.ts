/**
 * Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Why not `prom-client`: it runs on Bun, but (checked with 15.1.3 on Bun 1.4.5) its default
 * collectors print `Nan` and nonsense event-loop minima there, a labelled `observe` costs
 * ~200 ns because it hashes the label object on every call, and `metrics()` is async. The
 * format is small; this file implements it by the book with pre-bound children, so the
 * hot path does `child.inc()` — an add on a field, no allocation, no lookup.
 *
 * Conventions (https://prometheus.io/docs/practices/naming/): base units (seconds, shares,
 * USD), `_total` on counters, `mmp_` prefix. Latency histograms take seconds; `observeNs`
 * converts. Label values are escaped (`\\`, `"`, `\n`); names are validated at creation.
 */
import { InvariantError } from "../core/result.ts";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, strictly increasing, finite; `+Inf` is added. */
  readonly buckets: readonly number[];
}

/** Go's float formatting as Prometheus reads it: `NaN`, `+Inf`, `-Inf`, else the shortest decimal. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return Object.is(v, -0) ? "-0" : String(v);
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  if (names.length === 0 && extra === "") return "";
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) parts.push(`${names[i]}="${escapeLabelValue(values[i] ?? "")}"`);
  if (extra !== "") parts.push(extra);
  return `{${parts.join(",")}}`;
}

abstract class Metric<C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly children = new Map<string, { values: readonly string[]; child: C }>();

  constructor(opts: MetricOptions, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(opts.name)) throw new InvariantError(`invalid metric name: ${opts.name}`);
    const labelNames = opts.labelNames ?? [];
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__") || reserved.includes(l)) {
        throw new InvariantError(`invalid label name ${l} on ${opts.name}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw new InvariantError(`duplicate label on ${opts.name}`);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = labelNames;
  }

  protected abstract newChild(): C;

  /** The series for these label values (in `labelNames` order); bind once, reuse on the hot path. */
  labels(...values: string[]): C {
    if (values.length !== this.labelNames.length) {
      throw new InvariantError(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = values.join("\u0000");
    let entry = this.children.get(key);
    if (!entry) {
      entry = { values: [...values], child: this.newChild() };
      this.children.set(key, entry);
    }
    return entry.child;
  }

  /** Drops one series (a market that rolled off), so it stops being exported. */
  remove(...values: string[]): boolean {
    return this.children.delete(values.join("\u0000"));
  }

  /** Number of series currently exported. */
  get seriesCount(): number {
    return this.children.size;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { values, child } of this.children.values()) this.renderChild(out, values, child);
  }

  protected abstract renderChild(out: string[], values: readonly string[], child: C): void;
}

export class CounterChild {
  value = 0;
  inc(n = 1): void {
    // A negative or NaN increment is a bug in the caller: counters only go up.
    if (!(n >= 0)) throw new InvariantError(`counter increment must be >= 0, got ${n}`);
    this.value += n;
  }
}

export class Counter extends Metric<CounterChild> {
  readonly type = "counter";
  readonly #unlabelled: CounterChild | undefined;
  constructor(opts: MetricOptions) {
    super(opts);
    this.#unlabelled = this.labelNames.length === 0 ? this.labels() : undefined;
  }
  protected newChild(): CounterChild {
    return new CounterChild();
  }
  /** For a counter without labels. */
  inc(n = 1): void {
    this.#bare().inc(n);
  }
  get value(): number {
    return this.#bare().value;
  }
  #bare(): CounterChild {
    if (!this.#unlabelled) throw new InvariantError(`${this.name} has labels: call labels(...) first`);
    return this.#unlabelled;
  }
  protected renderChild(out: string[], values: readonly string[], c: CounterChild): void {
    out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(c.value)}`);
  }
}

export class GaugeChild {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(n = 1): void {
    this.value += n;
  }
  dec(n = 1): void {
    this.value -= n;
  }
}

export class Gauge extends Metric<GaugeChild> {
  readonly type = "gauge";
  readonly #unlabelled: GaugeChild | undefined;
  constructor(opts: MetricOptions) {
    super(opts);
    this.#unlabelled = this.labelNames.length === 0 ? this.labels() : undefined;
  }
  protected newChild(): GaugeChild {
    return new GaugeChild();
  }
  set(v: number): void {
    this.#bare().set(v);
  }
  inc(n = 1): void {
    this.#bare().inc(n);
  }
  dec(n = 1): void {
    this.#bare().dec(n);
  }
  get value(): number {
    return this.#bare().value;
  }
  #bare(): GaugeChild {
    if (!this.#unlabelled) throw new InvariantError(`${this.name} has labels: call labels(...) first`);
    return this.#unlabelled;
  }
  protected renderChild(out: string[], values: readonly string[], g: GaugeChild): void {
    out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(g.value)}`);
  }
}

export class HistogramChild {
  /** Per-bucket (non-cumulative) counts; the last slot is the +Inf bucket. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: Float64Array) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(v: number): void {
    const b = this.bounds;
    let i = 0;
    // Linear scan: ~15 buckets, and latencies cluster in the low ones.
    while (i < b.length && v > (b[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += v;
    this.count++;
  }
  /** Observes a duration given in nanoseconds, recorded in seconds. */
  observeNs(ns: number): void {
    this.observe(ns / 1e9);
  }
}

export class Histogram extends Metric<HistogramChild> {
  readonly type = "histogram";
  readonly bounds: Float64Array;
  readonly #unlabelled: HistogramChild | undefined;
  constructor(opts: HistogramOptions) {
    super(opts, ["le"]);
    if (opts.buckets.length === 0) throw new InvariantError(`${opts.name}: no buckets`);
    for (let i = 0; i < opts.buckets.length; i++) {
      const b = opts.buckets[i] as number;
      if (!Number.isFinite(b) || (i > 0 && b <= (opts.buckets[i - 1] as number))) {
        throw new InvariantError(`${opts.name}: buckets must be finite and strictly increasing`);
      }
    }
    this.bounds = Float64Array.from(opts.buckets);
    this.#unlabelled = this.labelNames.length === 0 ? this.labels() : undefined;
  }
  protected newChild(): HistogramChild {
    return new HistogramChild(this.bounds);
  }
  observe(v: number): void {
    this.#bare().observe(v);
  }
  observeNs(ns: number): void {
    this.#bare().observeNs(ns);
  }
  #bare(): HistogramChild {
    if (!this.#unlabelled) throw new InvariantError(`${this.name} has labels: call labels(...) first`);
    return this.#unlabelled;
  }
  protected renderChild(out: string[], values: readonly string[], h: HistogramChild): void {
    let cum = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cum += h.counts[i] as number;
      const le = i < this.bounds.length ? formatValue(this.bounds[i] as number) : "+Inf";
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, `le="${le}"`)} ${formatValue(cum)}`);
    }
    const l = labelText(this.labelNames, values);
    out.push(`${this.name}_sum${l} ${formatValue(h.sum)}`, `${this.name}_count${l} ${formatValue(h.count)}`);
  }
}

type AnyMetric = Counter | Gauge | Histogram;

export class Registry {
  readonly #metrics = new Map<string, AnyMetric>();
  readonly #collectors: Array<() => void> = [];

  counter(opts: MetricOptions): Counter {
    return this.#add(new Counter(opts));
  }
  gauge(opts: MetricOptions): Gauge {
    return this.#add(new Gauge(opts));
  }
  histogram(opts: HistogramOptions): Histogram {
    return this.#add(new Histogram(opts));
  }

  get(name: string): AnyMetric | undefined {
    return this.#metrics.get(name);
  }

  /** Runs before every render: set gauges that are cheaper to compute at scrape time. */
  onCollect(fn: () => void): void {
    this.#collectors.push(fn);
  }

  /** The full exposition text, ending in a newline. */
  render(): string {
    for (const fn of this.#collectors) fn();
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.render(out);
    return `${out.join("\n")}\n`;
  }

  #add<M extends AnyMetric>(m: M): M {
    const suffixes = m.type === "histogram" ? ["_bucket", "_sum", "_count", ""] : [""];
    for (const s of suffixes) {
      if (this.#metrics.has(m.name + s)) throw new InvariantError(`metric ${m.name} registered twice`);
    }
    for (const other of this.#metrics.values()) {
      if (other.type === "histogram" && ["_bucket", "_sum", "_count"].some((s) => other.name + s === m.name)) {
        throw new InvariantError(`metric ${m.name} clashes with histogram ${other.name}`);
      }
    }
    this.#metrics.set(m.name, m);
    return m;
  }
}

/** Seconds, for tick→order (in-process, µs scale) latency. */
export const TICK_TO_ORDER_BUCKETS_S = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
] as const;
/** Seconds, for submit→ack round trips (network, ms scale). */
export const ORDER_ACK_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/**
 * The engine's metric set: one registry per process, these names in `docs/operations.md`.
 * Bind children once (`m.orders.labels("mm", "BUY", "GTC")`) and keep them.
 */
export function createEngineMetrics(registry: Registry = new Registry()) {
  const r = registry;
  return {
    registry: r,
    buildInfo: r.gauge({ name: "mmp_build_info", help: "Always 1; labels carry version and mode.", labelNames: ["version", "mode"] }),
    startTime: r.gauge({ name: "mmp_start_time_seconds", help: "Unix time the process started." }),
    tickToOrder: r.histogram({
      name: "mmp_tick_to_order_seconds",
      help: "From receiving a market event to handing the resulting order to the exchange client.",
      labelNames: ["bot"],
      buckets: TICK_TO_ORDER_BUCKETS_S,
    }),
    orderAck: r.histogram({
      name: "mmp_order_ack_seconds",
      help: "From sending an order to its ack or reject.",
      labelNames: ["bot"],
      buckets: ORDER_ACK_BUCKETS_S,
    }),
    orders: r.counter({ name: "mmp_orders_total", help: "Orders sent.", labelNames: ["bot", "side", "order_type"] }),
    fills: r.counter({
      name: "mmp_fills_total",
      help: "Fills received (first sighting of a trade).",
      labelNames: ["bot", "side", "liquidity"],
    }),
    filledShares: r.counter({ name: "mmp_filled_shares_total", help: "Shares filled.", labelNames: ["bot", "side"] }),
    cancels: r.counter({ name: "mmp_cancels_total", help: "Orders cancelled, by reason.", labelNames: ["bot", "reason"] }),
    rejects: r.counter({ name: "mmp_rejects_total", help: "Orders rejected, by reject code.", labelNames: ["bot", "reason"] }),
    pnl: r.gauge({ name: "mmp_pnl_usd", help: "P&L in USD by kind (realized, unrealized, fees, total).", labelNames: ["bot", "kind"] }),
    inventory: r.gauge({
      name: "mmp_inventory_shares",
      help: "Net position in shares per market and outcome.",
      labelNames: ["market", "outcome"],
    }),
    openOrders: r.gauge({ name: "mmp_open_orders", help: "Our live orders per market.", labelNames: ["market"] }),
    quoteUptime: r.gauge({
      name: "mmp_quote_uptime_ratio",
      help: "Share of the market's life we had two-sided quotes.",
      labelNames: ["market"],
    }),
    quotingSeconds: r.counter({ name: "mmp_quoting_seconds_total", help: "Seconds spent quoting both sides.", labelNames: ["bot"] }),
    tradingSeconds: r.counter({
      name: "mmp_trading_seconds_total",
      help: "Seconds the bot could trade: market feed and user channel up, not halted.",
      labelNames: ["bot"],
    }),
    wsReconnects: r.counter({ name: "mmp_ws_reconnects_total", help: "WebSocket reconnects.", labelNames: ["channel"] }),
    wsStaleSeconds: r.counter({
      name: "mmp_ws_stale_seconds_total",
      help: "Seconds a channel spent stale or disconnected.",
      labelNames: ["channel"],
    }),
    feedAge: r.gauge({ name: "mmp_feed_age_seconds", help: "Seconds since the channel's last message.", labelNames: ["channel"] }),
    parseErrors: r.counter({
      name: "mmp_parse_errors_total",
      help: "Frames or bodies that failed to parse.",
      labelNames: ["channel", "code"],
    }),
    rateLimitWaits: r.counter({
      name: "mmp_rate_limit_waits_total",
      help: "Requests delayed by the rate limiter or a 429.",
      labelNames: ["endpoint"],
    }),
    rateLimitWaitSeconds: r.counter({
      name: "mmp_rate_limit_wait_seconds_total",
      help: "Seconds spent waiting on rate limits.",
      labelNames: ["endpoint"],
    }),
    riskTrips: r.counter({ name: "mmp_risk_trips_total", help: "Risk breaker trips.", labelNames: ["reason"] }),
    journalWriteErrors: r.counter({ name: "mmp_journal_write_errors_total", help: "Journal writes that failed." }),
    alertsSent: r.counter({ name: "mmp_alerts_sent_total", help: "Alerts delivered.", labelNames: ["sink"] }),
    alertsFailed: r.counter({ name: "mmp_alerts_failed_total", help: "Alert deliveries that failed after retries.", labelNames: ["sink"] }),
    alertsSuppressed: r.counter({
      name: "mmp_alerts_suppressed_total",
      help: "Alerts folded into a summary by the rate limit.",
      labelNames: ["kind"],
    }),
    alertsDropped: r.counter({ name: "mmp_alerts_dropped_total", help: "Alerts dropped because the send queue was full." }),
  } as const;
}

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;
