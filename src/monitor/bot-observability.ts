/**
 * Metrics, health and alerts wired around a running bot (`mm`, `arb`), from what already
 * crosses the venue boundary — so neither bot knows it is observed:
 *
 * - `ExchangeClient` is wrapped: `place` counts orders (bot, side, order type), times
 *   tick→order (host monotonic time from the feed event being dispatched to `place`, only for
 *   orders placed while that event is being handled; timer-driven orders are not counted) and
 *   starts the ack clock; `ack`/`reject` events close it (`mmp_order_ack_seconds`); rejects by
 *   code, fills (+ shares, inventory per market and outcome), cancels by close reason.
 * - `MarketFeed` events: last-message age (`/healthz` feed check, `mmp_feed_age_seconds`),
 *   connection state → reconnects, seconds stale or disconnected, and `DisconnectWatch` alerts.
 * - The bot's own event sink (`botEvent`): `risk_trip` → `mmp_risk_trips_total` and a risk
 *   alert; `bot_halted` (an error caught at the loop edge) → a crash alert.
 * - An optional snapshot (`watchBot`) for P&L, quote uptime, trading time and the daily P&L
 *   summary, and the bot's order manager, whose active orders per market are counted at
 *   scrape time (`mmp_open_orders`).
 * - The venue's own counters (monitor/venue-stats.ts, registered by the client stack): parse
 *   errors per channel and code, rate-limit waits per endpoint, read at scrape time as the
 *   difference since the last read.
 * - Startup recovery (cli/bot-runner.ts `openRunJournal`): a reconcile that found the journal
 *   and the exchange disagreeing raises `reconcileMismatchAlert`; the positions it hands the
 *   bot seed the inventory gauge; journal write failures count.
 *
 * All of it is off unless `METRICS_PORT` or an `ALERT_*` sink is set (`observeVenue`).
 * Nothing here runs per message beyond a field write and a counter add.
 */
import type { Clock } from "../core/clock.ts";
import type { ExchangeClient, ExchangeEvent, FeedEvent, MarketFeed, OrderIntent } from "../core/ports.ts";
import type { Journal } from "../store/journal.ts";
import {
  type AlertSink,
  Alerter,
  crashAlert,
  DailySummary,
  DisconnectWatch,
  reconcileMismatchAlert,
  riskTripAlert,
  sinksFromConfig,
} from "./alerts.ts";
import type { VenueHandle } from "../cli/compose.ts";
import type { Config } from "../config.ts";
import { Redactor } from "./logger.ts";
import { type EngineMetrics, type CounterChild, type HistogramChild, createEngineMetrics } from "./metrics.ts";
import { feedFreshnessCheck, HealthRegistry, journalWritableCheck, type MetricsServer, startMetricsServer } from "./metrics-server.ts";
import { CumulativeSync, type VenueStats, venueStatsOf } from "./venue-stats.ts";

/** What a bot snapshot offers to the metrics (the market maker's `BotSnapshot` fits). */
export interface ObservedBotView {
  readonly pnl?: {
    readonly realisedE6: number;
    readonly unrealisedE6: number;
    readonly feesE6: number;
    readonly totalE6: number;
    readonly fills: number;
    readonly volumeE6: number;
  };
  readonly markets?: ReadonlyArray<{ readonly slug: string; readonly bidE4: number; readonly askE4: number }>;
  /** The market maker's breaker: "HALTED" stops trading time. */
  readonly breaker?: string;
  /** The arbitrage bot's loss-limit halt. */
  readonly halted?: boolean;
}

/** The bot's order manager (`OrderManager.getActiveOrders`): orders not yet terminal. */
export interface ActiveOrderSource {
  getActiveOrders(): ReadonlyArray<{ readonly intent: { readonly conditionId: string } }>;
}

export interface BotObservabilityOptions {
  /** "mm" or "arb": the `bot` label. */
  readonly bot: string;
  readonly clock: Clock;
  readonly feed: MarketFeed;
  readonly exchange: ExchangeClient;
  /** null = no metrics server; 0 = any free port (tests). */
  readonly metricsPort: number | null;
  readonly metricsHost?: string;
  readonly sinks: readonly AlertSink[];
  readonly mode?: string;
  readonly version?: string;
  /** `/healthz` fails when the feed is silent longer (default 15 s). */
  readonly feedStaleMs?: number;
  /** A channel down longer than this raises one alert (default 30 s). */
  readonly disconnectAlertMs?: number;
  /** Daily P&L summary time, UTC (default 00:00). */
  readonly dailyAtUtc?: { readonly hour: number; readonly minute: number };
  readonly alertWindowMs?: number;
  readonly fetch?: typeof fetch;
  readonly redactor?: Redactor;
}

const FEED = "market";
const MAX_PENDING_ACKS = 10_000;
const MAX_SEEN_FILLS = 50_000;

export class BotObservability {
  readonly metrics: EngineMetrics;
  readonly health: HealthRegistry;
  readonly alerter: Alerter | undefined;
  /** The exchange to hand the bot: the venue's, observed. */
  readonly exchange: ExchangeClient;
  readonly #o: BotObservabilityOptions;
  readonly #server: MetricsServer | undefined;
  readonly #disconnects: DisconnectWatch | undefined;
  readonly #daily: DailySummary | undefined;
  readonly #offs: Array<() => void> = [];
  readonly #redactor: Redactor;
  /** Host ns when the feed event being dispatched started; 0 outside a dispatch. */
  #dispatchHr = 0;
  #lastFeedNs = -1;
  #feedDown = false;
  #everConnected = false;
  #staleAccountedNs = 0;
  readonly #ackStart = new Map<string, number>();
  readonly #seenFills = new Map<string, string>();
  readonly #tokens = new Map<string, { market: string; outcome: string }>();
  readonly #inventory = new Map<string, number>();
  #view: (() => ObservedBotView) | undefined;
  #orders: ActiveOrderSource | undefined;
  /** Live markets: condition id → slug (the `market` label). */
  readonly #slugOf = new Map<string, string>();
  #openOrderSeries = new Set<string>();
  readonly #venueStats: VenueStats | undefined;
  readonly #sync = new CumulativeSync();
  #lastQuoteNs = -1;
  #lastTradingNs = -1;
  #userStaleAccountedNs = 0;
  #riskTrips = 0;
  #fills = 0;
  #closed = false;
  #userDown = false;
  readonly #uptime = new Map<string, { quoted: number; samples: number }>();
  readonly #c: {
    tickToOrder: HistogramChild;
    orderAck: HistogramChild;
    quoting: CounterChild;
    reconnects: CounterChild;
    stale: CounterChild;
  };

  private constructor(o: BotObservabilityOptions, server: MetricsServer | undefined, metrics: EngineMetrics, health: HealthRegistry) {
    this.#o = o;
    this.metrics = metrics;
    this.health = health;
    this.#server = server;
    this.#redactor = o.redactor ?? new Redactor();
    const m = metrics;
    this.#c = {
      tickToOrder: m.tickToOrder.labels(o.bot),
      orderAck: m.orderAck.labels(o.bot),
      quoting: m.quotingSeconds.labels(o.bot),
      reconnects: m.wsReconnects.labels(FEED),
      stale: m.wsStaleSeconds.labels(FEED),
    };
    m.buildInfo.labels(o.version ?? "0.1.0", o.mode ?? "sim").set(1);
    m.startTime.set(Math.floor(o.clock.wallMs() / 1000));
    if (o.sinks.length > 0) {
      this.alerter = new Alerter({
        clock: o.clock,
        sinks: o.sinks,
        source: `market-maker-pro/${o.bot}`,
        metrics: m,
        ...(o.alertWindowMs !== undefined && { windowMs: o.alertWindowMs }),
        ...(o.fetch !== undefined && { fetch: o.fetch }),
      });
      this.#disconnects = new DisconnectWatch(o.clock, this.alerter, o.disconnectAlertMs ?? 30_000);
      this.#daily = new DailySummary(o.clock, this.alerter, o.dailyAtUtc ?? { hour: 0, minute: 0 }, (dayEndMs) => this.#dailyPnl(dayEndMs));
      this.#daily.start();
    }
    health.register(
      "feed",
      feedFreshnessCheck(o.clock, () => this.#lastFeedNs, o.feedStaleMs ?? 15_000),
    );
    this.#venueStats = venueStatsOf(o.feed);
    m.registry.onCollect(() => this.#collect());
    // First feed listener: registered before the bot's engine loop subscribes.
    this.#offs.push(o.feed.onEvent((ev) => this.#onFeedEvent(ev)));
    this.#offs.push(o.exchange.onEvent((ev) => this.#onExchangeEvent(ev)));
    this.exchange = this.#wrap(o.exchange);
  }

  /** Builds the metrics, starts the server when `metricsPort` ≠ 0. Fails on an insecure bind. */
  static start(o: BotObservabilityOptions): BotObservability | string {
    const metrics = createEngineMetrics();
    const health = new HealthRegistry(o.redactor);
    let server: MetricsServer | undefined;
    if (o.metricsPort !== null) {
      const s = startMetricsServer({
        registry: metrics.registry,
        health,
        ...(o.metricsHost !== undefined && { hostname: o.metricsHost }),
        port: o.metricsPort,
      });
      if (!s.ok) return s.reason;
      server = s.value;
    }
    return new BotObservability(o, server, metrics, health);
  }

  /** `http://host:port` of `/metrics` and `/healthz`, when served. */
  get url(): string | undefined {
    return this.#server?.url;
  }

  /**
   * Call once the bot subscribed to the feed (after `bot.run()`): a trailing feed listener
   * closes each dispatch, so tick→order counts only orders the event itself caused.
   */
  afterBotStarted(): void {
    this.#offs.push(
      this.#o.feed.onEvent(() => {
        this.#dispatchHr = 0;
      }),
    );
  }

  /** `/healthz` fails when the journal cannot write. */
  attachJournal(journal: Pick<Journal, "probeWrite">): void {
    this.health.register("journal", journalWritableCheck(journal));
  }

  /**
   * A snapshot read at scrape time (P&L, quote uptime, trading time) and for the daily
   * summary; `orders` (the bot's order manager) is counted per market at scrape time.
   */
  watchBot(view: () => ObservedBotView, orders?: ActiveOrderSource): void {
    this.#view = view;
    if (orders) this.#orders = orders;
  }

  /**
   * Startup recovery found the journal and the exchange disagreeing (`reconcileMismatchLines`):
   * one critical alert listing what differed. Nothing is sent for an empty list.
   */
  reconcileMismatch(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.alerter?.notify(reconcileMismatchAlert(lines.map((l) => this.#redactor.redact(l))));
  }

  /** The positions startup recovery hands the bot (fill events), so the inventory gauge starts from them. */
  startupPositions(fills: readonly ExchangeEvent[]): void {
    for (const ev of fills)
      if (ev.kind === "fill" && ev.status !== "FAILED") this.#addInventory(ev.tokenId, ev.side === "BUY" ? ev.sizeE6 : -ev.sizeE6);
  }

  /** A failed journal write (`JournalOptions.onWriteError`). */
  journalWriteError(): void {
    this.metrics.journalWriteErrors.inc();
  }

  /** The bot's event sink, teed: risk trips and halts become metrics and alerts. */
  botEvent(_level: string, event: string, fields: Readonly<Record<string, unknown>>): void {
    if (event === "risk_trip") {
      const reason = String(fields.reason ?? "unknown");
      this.#riskTrips++;
      this.metrics.riskTrips.labels(reason).inc();
      const detail = fields.detail === undefined ? `${this.#o.bot}: ${reason}` : String(fields.detail);
      this.alerter?.notify(riskTripAlert(reason, this.#redactor.redact(detail)));
    } else if (event === "bot_halted") {
      this.crashed(new Error(String(fields.reason ?? "halted")));
    }
  }

  /** An error that ended the run (caught at the loop edge or by the runner). */
  crashed(e: unknown): void {
    this.alerter?.notify(crashAlert(e, this.#redactor));
  }

  /** Stops watchers and the server; sends pending alert summaries first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs) off();
    this.#daily?.stop();
    await this.alerter?.close();
    await this.#server?.stop();
  }

  #wrap(inner: ExchangeClient): ExchangeClient {
    const m = this.metrics;
    const bot = this.#o.bot;
    const place = (intents: readonly OrderIntent[]): void => {
      const hr = Bun.nanoseconds();
      if (this.#dispatchHr > 0 && intents.length > 0) this.#c.tickToOrder.observeNs(hr - this.#dispatchHr);
      for (const i of intents) {
        m.orders.labels(bot, i.side, i.orderType).inc();
        if (this.#ackStart.size >= MAX_PENDING_ACKS) {
          const oldest = this.#ackStart.keys().next();
          if (!oldest.done) this.#ackStart.delete(oldest.value);
        }
        this.#ackStart.set(i.clientId, hr);
      }
      inner.place(intents);
    };
    return {
      place,
      cancel: (ids) => inner.cancel(ids),
      cancelAll: () => inner.cancelAll(),
      prepare: (intents) => inner.prepare(intents),
      merge: (conditionId, sizeE6) => inner.merge(conditionId, sizeE6),
      onEvent: (listener) => inner.onEvent(listener),
      fetchOpenOrders: () => inner.fetchOpenOrders(),
      ...(inner.fetchOrder !== undefined && {
        fetchOrder: (id: string) => (inner.fetchOrder as NonNullable<ExchangeClient["fetchOrder"]>)(id),
      }),
      fetchBalances: (ids) => inner.fetchBalances(ids),
      close: () => inner.close(),
    };
  }

  #onFeedEvent(ev: FeedEvent): void {
    this.#dispatchHr = Bun.nanoseconds();
    const now = this.#o.clock.nowNs();
    if (ev.kind === "connection") {
      this.#connection(ev.state, ev.reason, now);
      return;
    }
    if (ev.kind === "underlying" && ev.backfill) return;
    this.#lastFeedNs = now;
    if (ev.kind === "market_started") {
      const slug = ev.market.slug;
      this.#slugOf.set(ev.market.conditionId, slug);
      this.#tokens.set(ev.market.yesTokenId, { market: slug, outcome: "yes" });
      this.#tokens.set(ev.market.noTokenId, { market: slug, outcome: "no" });
      // Shares held before the market was announced (startup positions, early fills).
      for (const [t, outcome] of [
        [ev.market.yesTokenId, "yes"],
        [ev.market.noTokenId, "no"],
      ] as const) {
        const pos = this.#inventory.get(t);
        if (pos !== undefined) this.metrics.inventory.labels(slug, outcome).set(pos / 1e6);
      }
    } else if (ev.kind === "market_ended") {
      this.#slugOf.delete(ev.market.conditionId);
      for (const t of [ev.market.yesTokenId, ev.market.noTokenId]) {
        const k = this.#tokens.get(t);
        if (k) this.metrics.inventory.remove(k.market, k.outcome);
        this.#tokens.delete(t);
        this.#inventory.delete(t);
      }
      this.metrics.quoteUptime.remove(ev.market.slug);
      this.#uptime.delete(ev.market.slug);
    }
  }

  #connection(state: string, reason: string, now: number): void {
    const down = state === "disconnected" || state === "stale";
    this.#accountStale(now);
    // A drop between two scrapes must not count as trading time: the next interval starts afresh.
    if (down) this.#lastTradingNs = -1;
    if (down && !this.#feedDown) {
      this.#feedDown = true;
      this.#staleAccountedNs = now;
      this.#disconnects?.disconnected(FEED, this.#redactor.redact(reason));
    } else if (!down) {
      if (this.#feedDown || (this.#everConnected && state === "connected")) this.#c.reconnects.inc();
      this.#feedDown = false;
      this.#everConnected = true;
      this.#lastFeedNs = now;
      this.#disconnects?.connected(FEED);
    }
  }

  #accountStale(now: number): void {
    if (!this.#feedDown) return;
    const ds = (now - this.#staleAccountedNs) / 1e9;
    if (ds > 0) this.#c.stale.inc(ds);
    this.#staleAccountedNs = now;
  }

  #onExchangeEvent(ev: ExchangeEvent): void {
    const m = this.metrics;
    const bot = this.#o.bot;
    switch (ev.kind) {
      case "ack":
      case "reject": {
        const started = this.#ackStart.get(ev.clientId);
        if (started !== undefined) {
          this.#ackStart.delete(ev.clientId);
          this.#c.orderAck.observeNs(Bun.nanoseconds() - started);
        }
        if (ev.kind === "reject") m.rejects.labels(bot, ev.code).inc();
        return;
      }
      case "fill": {
        // One trade is reported again per status (MATCHED → MINED → CONFIRMED): count it
        // once; a FAILED trade takes its shares back out of the inventory.
        const id = `${ev.tradeId}:${ev.orderId}`;
        const seen = this.#seenFills.get(id);
        if (seen !== undefined) {
          if (ev.status === "FAILED" && seen !== "FAILED") {
            this.#seenFills.set(id, "FAILED");
            this.#addInventory(ev.tokenId, ev.side === "BUY" ? -ev.sizeE6 : ev.sizeE6);
          }
          return;
        }
        if (this.#seenFills.size >= MAX_SEEN_FILLS) {
          const oldest = this.#seenFills.keys().next();
          if (!oldest.done) this.#seenFills.delete(oldest.value);
        }
        this.#seenFills.set(id, ev.status);
        if (ev.status === "FAILED") return;
        this.#fills++;
        m.fills.labels(bot, ev.side, ev.liquidity).inc();
        m.filledShares.labels(bot, ev.side).inc(ev.sizeE6 / 1e6);
        this.#addInventory(ev.tokenId, ev.side === "BUY" ? ev.sizeE6 : -ev.sizeE6);
        return;
      }
      case "order_closed":
        if (ev.reason !== "filled") m.cancels.labels(bot, ev.reason).inc();
        return;
      case "connection": {
        const down = ev.state === "disconnected" || ev.state === "stale";
        const now = this.#o.clock.nowNs();
        this.#accountUserStale(now);
        if (down) {
          this.#lastTradingNs = -1;
          if (!this.#userDown) this.#userStaleAccountedNs = now;
          this.#userDown = true;
          this.#disconnects?.disconnected("user", this.#redactor.redact(ev.reason));
          return;
        }
        if (this.#userDown) m.wsReconnects.labels("user").inc();
        this.#userDown = false;
        this.#disconnects?.connected("user");
        return;
      }
      default:
        return;
    }
  }

  #addInventory(tokenId: string, deltaE6: number): void {
    const pos = (this.#inventory.get(tokenId) ?? 0) + deltaE6;
    this.#inventory.set(tokenId, pos);
    const k = this.#tokens.get(tokenId);
    if (k) this.metrics.inventory.labels(k.market, k.outcome).set(pos / 1e6);
  }

  #accountUserStale(now: number): void {
    if (!this.#userDown) return;
    const ds = (now - this.#userStaleAccountedNs) / 1e9;
    if (ds > 0) this.metrics.wsStaleSeconds.labels("user").inc(ds);
    this.#userStaleAccountedNs = now;
  }

  /** The venue's cumulative counters → counter increments since the last scrape. */
  #collectVenue(): void {
    const vs = this.#venueStats;
    if (!vs) return;
    const m = this.metrics;
    for (const src of vs.parseErrors) {
      const counts = src.counts();
      for (const code in counts) {
        const n = counts[code] ?? 0;
        if (n > 0) this.#sync.sync(m.parseErrors.labels(src.channel, code), `p\u0000${src.channel}\u0000${code}`, n);
      }
    }
    for (const samples of vs.rateLimits) {
      for (const r of samples()) {
        this.#sync.sync(m.rateLimitWaits.labels(r.endpoint), `w\u0000${r.endpoint}`, r.waits);
        if (r.waitedMs > 0) this.#sync.sync(m.rateLimitWaitSeconds.labels(r.endpoint), `s\u0000${r.endpoint}`, r.waitedMs / 1000);
      }
    }
  }

  /** The order manager's active orders per market; live markets without orders show 0. */
  #collectOpenOrders(): void {
    if (!this.#orders) return;
    const counts = new Map<string, number>();
    for (const slug of this.#slugOf.values()) counts.set(slug, 0);
    for (const o of this.#orders.getActiveOrders()) {
      const label = this.#slugOf.get(o.intent.conditionId) ?? o.intent.conditionId;
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const g = this.metrics.openOrders;
    for (const k of this.#openOrderSeries) if (!counts.has(k)) g.remove(k);
    for (const [k, n] of counts) g.labels(k).set(n);
    this.#openOrderSeries = new Set(counts.keys());
  }

  #collect(): void {
    const now = this.#o.clock.nowNs();
    this.#accountStale(now);
    this.#accountUserStale(now);
    if (this.#lastFeedNs >= 0) this.metrics.feedAge.labels(FEED).set(Math.max(0, (now - this.#lastFeedNs) / 1e9));
    this.#collectVenue();
    this.#collectOpenOrders();
    const v = this.#view?.();
    if (!v) return;
    const bot = this.#o.bot;
    // Trading time accrues between scrapes while feed and user channel are up and the bot is not halted.
    const tradable = this.#lastFeedNs >= 0 && !this.#feedDown && !this.#userDown && v.halted !== true && v.breaker !== "HALTED";
    if (tradable && this.#lastTradingNs >= 0) this.metrics.tradingSeconds.labels(bot).inc(Math.max(0, (now - this.#lastTradingNs) / 1e9));
    this.#lastTradingNs = tradable ? now : -1;
    if (v.pnl) {
      const p = this.metrics.pnl;
      p.labels(bot, "realized").set(v.pnl.realisedE6 / 1e6);
      p.labels(bot, "unrealized").set(v.pnl.unrealisedE6 / 1e6);
      p.labels(bot, "fees").set(v.pnl.feesE6 / 1e6);
      p.labels(bot, "total").set(v.pnl.totalE6 / 1e6);
    }
    if (v.markets) {
      let twoSided = false;
      for (const mk of v.markets) {
        const both = mk.bidE4 > 0 && mk.askE4 > 0;
        twoSided ||= both;
        // Sampled at scrape time: the share of scrapes that found the market two-sided.
        const u = this.#uptime.get(mk.slug) ?? { quoted: 0, samples: 0 };
        u.samples++;
        if (both) u.quoted++;
        this.#uptime.set(mk.slug, u);
        this.metrics.quoteUptime.labels(mk.slug).set(u.quoted / u.samples);
      }
      // Quoting seconds accrue between scrapes while some market is two-sided.
      if (twoSided && this.#lastQuoteNs >= 0) this.#c.quoting.inc(Math.max(0, (now - this.#lastQuoteNs) / 1e9));
      this.#lastQuoteNs = twoSided ? now : -1;
    }
  }

  #dailyPnl(dayEndMs: number) {
    const day = new Date(dayEndMs - 1).toISOString().slice(0, 10);
    const p = this.#view?.().pnl;
    return {
      day,
      realizedE6: p?.realisedE6 ?? 0,
      unrealizedE6: p?.unrealisedE6 ?? 0,
      feesE6: p?.feesE6 ?? 0,
      rebatesE6: 0,
      fills: p?.fills ?? this.#fills,
      volumeE6: p?.volumeE6 ?? 0,
      riskTrips: this.#riskTrips,
    };
  }
}

const BY_VENUE = new WeakMap<VenueHandle, BotObservability>();

/** The observability `observeVenue` attached to this venue, if any. */
export function observabilityOf(venue: VenueHandle): BotObservability | undefined {
  return BY_VENUE.get(venue);
}

/**
 * When `METRICS_PORT` or an `ALERT_*` sink is configured: starts the observer and returns the
 * venue with its exchange observed, `start` marking the bot as subscribed and `close` also
 * closing the observer. Otherwise the venue unchanged. A string is a refusal (insecure bind).
 */
export function observeVenue(
  bot: string,
  cfg: Pick<Config, "ops" | "venue" | "tradingMode">,
  venue: VenueHandle,
  extra: Partial<BotObservabilityOptions> = {},
): VenueHandle | string {
  const sinks = extra.sinks ?? sinksFromConfig(cfg.ops.alerts);
  // METRICS_PORT=0 means off.
  const metricsPort = extra.metricsPort !== undefined ? extra.metricsPort : cfg.ops.metricsPort === 0 ? null : cfg.ops.metricsPort;
  if (metricsPort === null && sinks.length === 0) return venue;
  const obs = BotObservability.start({
    bot,
    clock: venue.clock,
    feed: venue.feed,
    exchange: venue.exchange,
    metricsHost: cfg.ops.metricsHost,
    mode: cfg.venue === "sim" ? "sim" : cfg.tradingMode,
    ...extra,
    metricsPort,
    sinks,
  });
  if (typeof obs === "string") return obs;
  const observed: VenueHandle = {
    ...venue,
    exchange: obs.exchange,
    async start() {
      obs.afterBotStarted();
      await venue.start();
    },
    async close() {
      await obs.close();
      await venue.close();
    },
  };
  BY_VENUE.set(observed, obs);
  return observed;
}
