/**
 * The fault-injection harness: the market maker on the real client stack (cli/compose.ts:
 * market/RTDS/user sockets, REST with signing and L2 auth, heartbeat, Gamma auto-roll)
 * against the embedded simulator server on 127.0.0.1:0 with its /test fault API on, a
 * write-ahead journal in memory, and one ManualClock for simulator and bot.
 *
 * Time: the test advances the clock 100 ms at a time and gives the event loop 2 ms of real
 * time between steps, so socket and HTTP traffic flows while simulated time moves only when
 * the test moves it (a slow machine slows the run instead of faking a stale feed). Timeouts of the HTTP
 * client and the heartbeat are on the same clock.
 *
 * The checks every fault test ends with (`expectInvariants`):
 * - no duplicate order for one intent: every order the exchange accepted for our key is a
 *   journaled intent's hash, each at most once (a resend would be a second, unjournaled one);
 * - no fill lost or counted twice: the bot's inventory per token equals the exchange's balance
 *   for our key, and the journal's fill rows are unique per (trade, order);
 * - positions equal the exchange's (the journal's, within confirmed..confirmed+pending);
 * - risk limits never exceeded: the largest inventory at cost stayed within MM_MAX_POSITION.
 */
import { expect } from "bun:test";
import { MarketMakerBot } from "../../src/bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../../src/bots/market-maker-params.ts";
import { composeVenue, type EmbeddedSim, type VenueHandle } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { SimOrder } from "../../src/sim/exchange-state.ts";
import { Journal } from "../../src/store/journal.ts";

/** A 5-minute boundary; the harness starts 40 s before it so the model has 30 s of prices. */
export const BOUNDARY = 1_780_877_100_000;

export interface BotEvent {
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface Harness {
  readonly clock: ManualClock;
  readonly venue: VenueHandle;
  readonly sim: EmbeddedSim;
  readonly bot: MarketMakerBot;
  readonly journal: Journal;
  readonly events: BotEvent[];
  readonly key: string;
  readonly maxPositionUsdE6: number;
  /** Order ids the exchange accepted for our key (PLACEMENT events), in order. */
  readonly placed: string[];
  /** Simulated time of each of those placements. */
  readonly placedAtMs: number[];
  step(ms?: number): Promise<void>;
  /** Advances `seconds` of simulated time in 100 ms steps. */
  run(seconds: number): Promise<void>;
  /** Steps until `pred` holds; returns the simulated ms it took; throws after `maxSeconds`. */
  until(pred: () => boolean, maxSeconds: number, what: string): Promise<number>;
  fault(body: Record<string, unknown>): Promise<Record<string, unknown>>;
  testApi(path: string, body: Record<string, unknown>): Promise<unknown>;
  /** Our open orders on the exchange. */
  open(): SimOrder[];
  /** Requests the simulator served on a path so far. */
  served(path: string): number;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly overrides?: Readonly<Record<string, string>>;
  readonly seed?: number;
  /** Start time (default 40 s before BOUNDARY). */
  readonly startMs?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const t0 = opts.startMs ?? BOUNDARY - 40_000;
  const clock = new ManualClock(t0);
  const config = loadConfig(
    {},
    {
      overrides: {
        MM_MARKETS: "BTC",
        MM_WINDOWS: "5m",
        RISK_DAILY_LOSS_LIMIT: "100000",
        SIM_SEED: String(opts.seed ?? 7),
        ...opts.overrides,
      },
    },
  );
  const composed = await composeVenue({
    config,
    venue: "sim",
    tradingMode: "paper",
    clock,
    simStartMs: t0,
    simTestApi: true,
    rediscoverMs: 30_000,
  });
  if (!composed.ok) throw new Error(composed.reason);
  const venue = composed.value;
  const sim = venue.sim;
  if (!sim) throw new Error("no embedded simulator");
  const jr = Journal.open({ path: ":memory:", mode: "sim", clock, checkpoints: "manual" });
  if (!jr.ok) throw new Error(jr.reason);
  const journal = jr.value;
  journal.startRun("mm", "fault-test");
  const params = marketMakerParamsFromConfig(config);
  const events: BotEvent[] = [];
  const bot = new MarketMakerBot({
    feed: venue.feed,
    exchange: venue.exchange,
    clock,
    params,
    journal,
    events: (_l, event, fields) => events.push({ event, fields }),
  });
  const key = venue.apiKey;
  const placed: string[] = [];
  const placedAtMs: number[] = [];
  sim.exchange.onUser((owner, ev) => {
    if (owner === key && ev.event_type === "order" && ev.type === "PLACEMENT") {
      placed.push(ev.id);
      placedAtMs.push(clock.wallMs());
    }
  });
  const done = bot.run();
  await venue.start();

  // 2 ms of real time per step: enough for loopback HTTP and socket frames to be handled
  // before simulated time moves on (with 0 ms a busy machine lets time outrun the traffic).
  const step = async (ms = 100) => {
    clock.advanceBy(ms);
    sim.server.sync();
    await Bun.sleep(2);
  };
  const h: Harness = {
    clock,
    venue,
    sim,
    bot,
    journal,
    events,
    key,
    maxPositionUsdE6: params.risk.maxPositionUsdE6,
    placed,
    placedAtMs,
    step,
    async run(seconds) {
      for (let i = 0; i < seconds * 10; i++) await step(100);
    },
    async until(pred, maxSeconds, what) {
      const start = clock.wallMs();
      while (!pred()) {
        if (clock.wallMs() - start > maxSeconds * 1000) throw new Error(`${what}: not within ${maxSeconds} simulated s`);
        await step(100);
      }
      return clock.wallMs() - start;
    },
    async fault(body) {
      const r = await fetch(`${sim.urls.rest}/test/fault`, { method: "POST", body: JSON.stringify(body) });
      expect(r.status).toBe(200);
      return (await r.json()) as Record<string, unknown>;
    },
    async testApi(path, body) {
      const r = await fetch(`${sim.urls.rest}${path}`, { method: "POST", body: JSON.stringify(body) });
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(200);
      return r.json();
    },
    open: () => sim.exchange.openOrders(key),
    served: (path) => sim.server.requests.get(path) ?? 0,
    async stop() {
      bot.stop("requested");
      await done;
      for (let i = 0; i < 30 && h.open().length > 0; i++) await step(100);
      journal.close();
      await venue.close();
    },
  };
  // Sockets connect in real time: let them and the first prices arrive before time moves on.
  for (let i = 0; i < 500 && (bot.underlyings.get("btc/usd")?.vol.samples() ?? 0) === 0; i++) {
    clock.advanceBy(100);
    sim.server.sync();
    await Bun.sleep(5);
  }
  return h;
}

/** Runs until the bot rests orders on both sides of a market (quoting started). */
export async function untilQuoting(h: Harness, maxSeconds = 120): Promise<void> {
  await h.until(() => h.open().some((o) => o.side === "BUY") && h.open().length >= 2, maxSeconds, "two-sided quotes");
}

/** Lets in-flight traffic settle: steps until the bot's and the exchange's open orders agree. */
export async function settle(h: Harness, maxSeconds = 30): Promise<void> {
  const agree = () => {
    const ex = new Set(h.open().map((o) => o.id));
    const ours = h.bot.orders.getActiveOrders().filter((o) => o.orderId !== "" && o.state !== "pending");
    return ours.every((o) => ex.has(o.orderId)) && [...ex].every((id) => ours.some((o) => o.orderId === id));
  };
  await h.until(agree, maxSeconds, "the bot's open orders equal the exchange's");
}

/** The checks every fault test ends with (see the module header). */
export function expectInvariants(h: Harness): void {
  // No duplicate order for one intent.
  const unique = new Set(h.placed);
  expect(unique.size, "an order id placed twice").toBe(h.placed.length);
  for (const id of h.placed)
    expect(h.journal.isJournaledOrder(id), `exchange order ${id} is not a journaled intent (a resend?)`).toBe(true);
  // No fill lost or counted twice; positions equal the exchange's.
  const tokens = new Set<string>();
  for (const m of h.sim.exchange.allMarkets()) tokens.add(m.sched.info.yesTokenId).add(m.sched.info.noTokenId);
  const jpos = h.journal.positions();
  // Merges are journaled as position adjustments, so the journal agrees with the exchange as is.
  for (const t of tokens) {
    const exE6 = h.sim.exchange.balanceOf(h.key, t);
    const live = h.bot.markets.byToken(t) !== undefined;
    if (live) expect({ token: t, bot: h.bot.pnl.qty(t) }).toEqual({ token: t, bot: exE6 });
    const p = jpos.get(t);
    const lo = Math.min(p?.confirmedE6 ?? 0, (p?.confirmedE6 ?? 0) + (p?.pendingE6 ?? 0));
    const hi = Math.max(p?.confirmedE6 ?? 0, (p?.confirmedE6 ?? 0) + (p?.pendingE6 ?? 0));
    if (h.sim.exchange.marketByToken(t)?.market.state === "open") {
      expect(exE6 >= lo && exE6 <= hi, `token ${t}: exchange ${exE6}, journal ${lo}..${hi}`).toBe(true);
    }
  }
  const dupes = h.journal.select<{ n: number }>(
    "SELECT COUNT(*) AS n FROM (SELECT trade_id, order_id FROM fills GROUP BY trade_id, order_id HAVING COUNT(*) > 1)",
  );
  expect(dupes[0]?.n).toBe(0);
  // Risk limits.
  expect(h.bot.totals.maxAbsInventoryUsdE6).toBeLessThanOrEqual(h.maxPositionUsdE6);
}

/**
 * Injects an HTTP fault on a path prefix and steps until the simulator has used it up; repeats
 * (up to `tries`) until `hit()` says the fault landed where the test wanted it. The fault API
 * matches paths, not methods, so a fault meant for an order post may land on a cancel
 * (DELETE /order) instead: the test then simply tries again.
 */
export async function injectUntil(h: Harness, body: Record<string, unknown>, hit: () => boolean, tries = 8): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await h.fault(body);
    for (let s = 0; s < 600; s++) {
      const left = await h.fault({});
      if (left.http_faults === 0 && left.lose_replies === 0) break;
      await h.step(100);
    }
    if (
      await h.until(hit, 8, "the fault's effect").then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new Error(`fault ${JSON.stringify(body)} never landed where the test wanted it in ${tries} tries`);
}
