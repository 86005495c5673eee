/**
 * The arbitrage bot on the simulator with engineered books (the simulator's test API:
 * `placeBook` for ordinary resting liquidity, `placeUnmatched` for the crossing order that
 * opens a YES ask + NO ask < $1 gap, which Polymarket's shared book never rests).
 * In process (src/venue/sim-inprocess.ts: the real book cache and user-channel decoder),
 * 5 ms latency each way, ManualClock: deterministic, no sockets.
 *
 * Money is checked to the micro-dollar against hand computations (fee 0.07·p(1−p) a share,
 * floored to 0.00001): the simulator's own ledger is the referee.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { ArbBot } from "../../src/bots/arb-bot.ts";
import { type ArbBotParams, DEFAULT_ARB_PARAMS } from "../../src/bots/arb-params.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { MarketInfo } from "../../src/core/ports.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { inProcessVenue, type InProcessVenue } from "../../src/venue/sim-inprocess.ts";

const M = 1_000_000;
const START_MS = 1_780_876_800_000 + 60_000; // one minute into a 15-minute window
const MAKER = "7e57b00c-0000-4000-8000-000000000001";

interface Rig {
  readonly clock: ManualClock;
  readonly sim: SimExchange;
  readonly venue: InProcessVenue;
  readonly bot: ArbBot;
  readonly market: MarketInfo;
  readonly events: { event: string; fields: Record<string, unknown> }[];
  /** Rests a crossing BUY (YES or NO) without matching: how a gap is engineered. */
  unmatched(outcome: "YES" | "NO", priceE4: number, sizeE6: number): string;
  collateral(): number;
}

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) {
    r.bot.stop();
    r.venue.feed.close();
    void r.venue.exchange.close();
  }
});

function rig(params: Partial<ArbBotParams> = {}): Rig {
  const clock = new ManualClock(START_MS);
  const sim = new SimExchange({
    seed: 11,
    startMs: START_MS,
    flow: null,
    schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [900] },
  });
  const venue = inProcessVenue({ sim, clock, underlyings: ["btc/usd"], windowsSec: [900], latencyMs: 5 });
  const events: Rig["events"] = [];
  const bot = new ArbBot({
    feed: venue.feed,
    exchange: venue.exchange,
    clock,
    params: { ...DEFAULT_ARB_PARAMS, maxCapitalUsdE6: 1_000 * M, presignNearE4: 0, ...params },
    events: (_l, event, fields) => events.push({ event, fields }),
  });
  void bot.run(); // listening before the feed announces the running window
  venue.feed.start();
  venue.advance(200, 10);
  const live = [...bot.markets.values()].find((m) => m.phase === "live");
  if (!live) throw new Error("no live market after start");
  sim.openAccount(MAKER, "0x7e57b00c00000000000000000000000000000001");
  sim.fund(MAKER, 100_000 * M);
  let n = 0;
  const r: Rig = {
    clock,
    sim,
    venue,
    bot,
    market: live.info,
    events,
    unmatched(outcome, priceE4, sizeE6) {
      const orderId = `0x${(++n).toString(16).padStart(64, "e")}`;
      const res = sim.placeUnmatched({
        orderId,
        owner: MAKER,
        makerAddress: "0x7e57b00c00000000000000000000000000000001",
        tokenId: outcome === "YES" ? live.info.yesTokenId : live.info.noTokenId,
        side: "BUY",
        priceE4,
        sizeE6,
        budgetE6: 0,
        orderType: "GTC",
        postOnly: false,
        expirationSec: 0,
      });
      if (!res.success) throw new Error(res.errorMsg);
      return orderId;
    },
    collateral: () => sim.collateral(venue.exchange.apiKey),
  };
  rigs.push(r);
  return r;
}

/** Resting asks on one token (placed as BUYs of its complement at 1 − price). */
function asks(r: Rig, token: "YES" | "NO", levels: [string, string][]): void {
  const res = r.sim.placeBook(token === "YES" ? r.market.yesTokenId : r.market.noTokenId, [], levels);
  if (!res.ok) throw new Error(res.error);
}
function bids(r: Rig, token: "YES" | "NO", levels: [string, string][]): void {
  const res = r.sim.placeBook(token === "YES" ? r.market.yesTokenId : r.market.noTokenId, levels, []);
  if (!res.ok) throw new Error(res.error);
}

const held = (r: Rig, token: "YES" | "NO"): number =>
  r.sim.balanceOf(r.venue.exchange.apiKey, token === "YES" ? r.market.yesTokenId : r.market.noTokenId);

/** Advances in small steps until `done` (or the limit), returning the ms advanced. */
function until(r: Rig, done: () => boolean, limitMs = 10_000, stepMs = 1): number {
  let t = 0;
  while (!done() && t < limitMs) {
    r.venue.advance(stepMs, stepMs);
    t += stepMs;
  }
  return t;
}

describe("arb bot on engineered simulator books", () => {
  test("takes a real opportunity: both legs fill, the pairs are merged, the profit lands in collateral", () => {
    const r = rig();
    const before = r.collateral();
    asks(r, "YES", [["0.44", "20"]]);
    r.unmatched("YES", 5000, 20 * M); // a YES bid at 0.50 = a NO ask at 0.50: YES 0.44 + NO 0.50 = 0.94
    until(r, () => r.bot.totals.mergedPairsE6 > 0, 10_000, 5);
    const s = r.bot.summary();
    expect(s.opportunitiesSeen).toBe(1);
    expect(s.tradesTaken).toBe(1);
    expect(s.tradesFilled).toBe(1);
    expect(s.pairsBought).toBe(20);
    expect(s.legIncidents).toBe(0);
    // 20 × (0.44 + 0.50) = 18.80; fees 20·0.07·0.2464 = 0.34496 and 20·0.07·0.25 = 0.35
    const costE6 = 8_800_000 + 344_960 + 10_000_000 + 350_000;
    expect(s.lockedProfit).toBeCloseTo((20 * M - costE6) / M, 6);
    expect(s.mergedPairs).toBe(20);
    expect(held(r, "YES")).toBe(0);
    expect(held(r, "NO")).toBe(0);
    expect(r.collateral() - before).toBe(20 * M - costE6);
    expect(s.realisedProfit).toBeCloseTo((20 * M - costE6) / M, 6);
    expect(r.events.some((e) => e.event === "trade_filled")).toBe(true);
  });

  test("ignores a gap that the taker fees erase", () => {
    const r = rig();
    asks(r, "YES", [["0.46", "20"]]);
    r.unmatched("YES", 5000, 20 * M); // 0.46 + 0.50 = 0.96 before fees, 0.994888 after: short of 0.99
    r.venue.advance(2_000, 5);
    const s = r.bot.summary();
    expect(s.opportunitiesSeen).toBe(0);
    expect(s.tradesTaken).toBe(0);
    expect(r.venue.exchange.stats.placed + r.venue.exchange.stats.rejected).toBe(0);
    // the same books are an opportunity once the edge asked for is below what is left after fees
    const loose = rig({ minEdgeE4: 40 });
    asks(loose, "YES", [["0.46", "20"]]);
    loose.unmatched("YES", 5000, 20 * M);
    until(loose, () => loose.bot.totals.tradesFilled > 0, 5_000, 5);
    expect(loose.bot.summary().pairsBought).toBe(20);
  });

  test("sizes to depth: stops at the first level pair that fails the edge, limits at the worst level used", () => {
    const r = rig();
    asks(r, "YES", [
      ["0.40", "5"],
      ["0.45", "10"],
    ]);
    r.unmatched("YES", 5000, 8 * M); // NO ask 0.50 × 8
    r.unmatched("YES", 4500, 20 * M); // NO ask 0.55 × 20
    until(r, () => r.bot.totals.tradesFilled > 0, 5_000, 5);
    const sent = r.events.find((e) => e.event === "trade_sent");
    expect(sent?.fields.pairsE6).toBe(8 * M);
    expect(sent?.fields.yesLimitE4).toBe(4500);
    expect(sent?.fields.noLimitE4).toBe(5000);
    const s = r.bot.summary();
    expect(s.pairsBought).toBe(8);
    // YES: 5 @ 0.40 + 3 @ 0.45; NO: 8 @ 0.50 (numbers of test/unit/strategy/arb-detect.test.ts)
    expect(s.lockedProfit).toBeCloseTo(0.37403, 6);
  });

  test("a gap whose cheap leg is worth less than the $1 marketable-BUY minimum is skipped, not half-taken", () => {
    const r = rig();
    asks(r, "YES", [["0.95", "20"]]);
    r.unmatched("YES", 9800, 20 * M); // NO ask 0.02: 0.95 + 0.02 = 0.97, but 20 NO × 0.02 = $0.40 < $1
    r.venue.advance(1_000, 5);
    expect(r.bot.totals.opportunitiesSeen).toBe(1);
    expect(r.bot.totals.skippedSmall).toBeGreaterThan(0);
    expect(r.bot.totals.tradesTaken).toBe(0);
    expect(r.bot.totals.legIncidents).toBe(0);
  });

  test("capital limit: never spends more than ARB_MAX_CAPITAL", () => {
    const r = rig({ maxCapitalUsdE6: 5 * M });
    asks(r, "YES", [
      ["0.40", "5"],
      ["0.45", "10"],
    ]);
    r.unmatched("YES", 5000, 8 * M);
    r.unmatched("YES", 4500, 20 * M);
    until(r, () => r.bot.totals.tradesFilled > 0, 5_000, 5);
    // $5 buys 5.33 pairs (5 @ 0.40 + 0.33 @ 0.45 with NO at 0.50, fees in); legs are sized so
    // their pUSD amounts are whole cents at 0.45 and 0.50 (0.2-share lots): 5.20
    expect(r.bot.summary().pairsBought).toBe(5.2);
    expect(r.bot.capitalInUseE6()).toBeLessThanOrEqual(5 * M);
  });
});

/** YES 0.44 × 20 and NO 0.50 × 20; the NO liquidity is pulled while the bot's orders are on their way. */
function brokenSecondLeg(r: Rig): void {
  asks(r, "YES", [["0.44", "20"]]);
  const noSide = r.unmatched("YES", 5000, 20 * M);
  until(r, () => r.bot.totals.tradesTaken > 0, 2_000, 1);
  expect(r.bot.totals.tradesTaken).toBe(1);
  const gone = r.sim.cancel(MAKER, [noSide]);
  expect(gone.canceled).toEqual([noSide]);
  until(r, () => r.bot.totals.legIncidents > 0, 5_000, 1);
  expect(r.bot.totals.legIncidents).toBe(1);
  expect(held(r, "YES")).toBe(20 * M);
  expect(held(r, "NO")).toBe(0);
}
// What the 20 YES cost: 8.80 + fee 0.34496.
const YES_COST_E6 = 8_800_000 + 344_960;

describe("second leg fails to fill", () => {
  test("retry: buys the missing NO at a price that keeps the pair under $1", () => {
    const r = rig({ legRule: "retry" });
    brokenSecondLeg(r);
    r.venue.advance(300, 5);
    expect(r.bot.totals.repairOrders).toBe(0); // waiting: nothing under the no-loss limit 0.52
    asks(r, "NO", [["0.53", "20"]]); // one tick too dear: still waiting
    r.venue.advance(300, 5);
    expect(r.bot.totals.repairOrders).toBe(0);
    asks(r, "NO", [["0.52", "20"]]);
    until(r, () => r.bot.incidents.length > 0, 5_000, 5);
    const inc = r.bot.incidents[0];
    expect(inc?.outcome).toBe("repaired");
    // pair: 9.14496 + 20 × 0.52 + fee 0.34944 = 19.8944 → 0.1056 under $1
    expect(inc?.loss).toBeCloseTo(-(20 * M - YES_COST_E6 - 10_400_000 - 349_440) / M, 6);
    expect(held(r, "YES") - held(r, "NO")).toBe(0);
    const sent = r.events.find((e) => e.event === "leg_repair_sent");
    expect(sent?.fields.priceE4).toBe(5200);
    expect(sent?.fields.via).toBe("retry");
  });

  test("retry falls back to a bounded unwind when no price under $1 appears in the repair window", () => {
    const r = rig({ legRule: "retry", repairWindowMs: 1_000 });
    bids(r, "YES", [["0.43", "20"]]);
    brokenSecondLeg(r);
    until(r, () => r.bot.incidents.length > 0, 5_000, 5);
    const inc = r.bot.incidents[0];
    expect(inc?.outcome).toBe("unwound");
    expect(inc?.loss).toBeLessThanOrEqual(2);
    expect(held(r, "YES")).toBe(0);
  });

  test("unwind: sells the filled leg back, loss within ARB_MAX_LEG_LOSS", () => {
    const r = rig({ legRule: "unwind" });
    bids(r, "YES", [["0.43", "20"]]);
    brokenSecondLeg(r);
    until(r, () => r.bot.incidents.length > 0, 5_000, 5);
    const inc = r.bot.incidents[0];
    expect(inc?.outcome).toBe("unwound");
    // sold 20 @ 0.43 (limit 0.38 for a $2 bound): 8.60 − fee 0.34314 → loss 9.14496 − 8.25686
    expect(inc?.loss).toBeCloseTo((YES_COST_E6 - (8_600_000 - 343_140)) / M, 6);
    expect(held(r, "YES")).toBe(0);
    const sent = r.events.find((e) => e.event === "leg_repair_sent");
    expect(sent?.fields.priceE4).toBe(3800);
    expect(sent?.fields.side).toBe("SELL");
    expect(r.bot.summary().unpairedShares).toBe(0);
  });

  test("unwind with a tight bound: sells what the bound allows, holds and reports the rest", () => {
    const r = rig({ legRule: "unwind", maxLegLossUsdE6: 1 * M, repairWindowMs: 1_000 });
    bids(r, "YES", [
      ["0.43", "10"],
      ["0.30", "100"],
    ]);
    brokenSecondLeg(r);
    until(r, () => r.bot.incidents.length > 0, 5_000, 5);
    const inc = r.bot.incidents[0];
    expect(inc?.outcome).toBe("held");
    // 10 sold @ 0.43: 4.57248 − (4.30 − 0.17157) = 0.44405; the 0.30 bids would break the $1 bound
    expect(inc?.loss).toBeCloseTo(0.44405, 6);
    expect(inc?.loss).toBeLessThanOrEqual(1);
    expect(held(r, "YES")).toBe(10 * M);
    const s = r.bot.summary();
    expect(s.unpairedShares).toBe(10);
    expect(s.unpairedCost).toBeCloseTo(4.4, 6); // cost basis of the 10 held: 10 × 0.44 (fees are in P&L)
    expect(r.events.some((e) => e.event === "leg_incident_closed" && e.fields.outcome === "held")).toBe(true);
  });
});

describe("risk", () => {
  test("a feed disconnect pauses trading; it resumes once the books are fresh again", () => {
    const r = rig();
    r.venue.feed.disconnect();
    r.venue.advance(50, 5);
    asks(r, "YES", [["0.44", "20"]]);
    r.unmatched("YES", 5000, 20 * M);
    r.venue.advance(500, 5);
    expect(r.bot.totals.tradesTaken).toBe(0);
    expect(r.bot.totals.disconnects).toBe(1);
    r.venue.feed.reconnect();
    until(r, () => r.bot.totals.tradesFilled > 0, 5_000, 5);
    expect(r.bot.summary().pairsBought).toBe(20);
  });

  test("stop leaves no open order at the exchange", async () => {
    const r = rig();
    asks(r, "YES", [["0.44", "20"]]);
    r.unmatched("YES", 5000, 20 * M);
    until(r, () => r.bot.totals.tradesTaken > 0, 2_000, 1);
    r.bot.stop();
    r.venue.advance(100, 5);
    expect(await r.venue.exchange.fetchOpenOrders()).toEqual([]);
  });
});
