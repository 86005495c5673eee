import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { MarketInfo } from "../../../src/core/ports.ts";
import { upDownSlug } from "../../../src/polymarket/gamma.ts";
import { type RollPlan, RollPlanner } from "../../../src/polymarket/roll-planner.ts";

const T0_SEC = 1786856400; // a 5-minute boundary
function window5m(k: number): MarketInfo {
  const start = T0_SEC + 300 * k;
  return {
    conditionId: `0xc${k}`,
    slug: upDownSlug("BTC", "5m", start),
    question: `window ${k}`,
    underlying: "btc/usd",
    windowSec: 300,
    yesTokenId: `${k}1`,
    noTokenId: `${k}2`,
    outcomes: ["Up", "Down"],
    tickE4: 100,
    minSizeE6: 5_000_000,
    negRisk: false,
    exchangeVersion: 2,
    startMs: start * 1000,
    endMs: (start + 300) * 1000,
    feeRate: 0.07,
    feeExponent: 1,
    rebateRate: 0.2,
    resolution: "twap60",
  };
}

/**
 * A shell as the engine runs it: a ManualClock timer at each `nextWakeMs`, applying the plan
 * to a set of subscriptions and recording lifecycle events with their times.
 */
function runShell(planner: RollPlanner, clock: ManualClock) {
  const subscribed = new Set<string>();
  const live = new Set<string>();
  const log: string[] = [];
  const subscribedAtMs = new Map<string, number>();
  const apply = (plan: RollPlan) => {
    const now = clock.wallMs();
    for (const m of plan.subscribe) {
      subscribed.add(m.conditionId);
      subscribedAtMs.set(m.conditionId, now);
      log.push(`${now} subscribe ${m.conditionId}`);
    }
    for (const id of plan.unsubscribe) {
      subscribed.delete(id);
      log.push(`${now} unsubscribe ${id}`);
    }
    for (const e of plan.events) {
      if (e.kind === "market_started") live.add(e.market.conditionId);
      else live.delete(e.market.conditionId);
      log.push(`${now} ${e.kind} ${e.market.conditionId}`);
    }
  };
  const tick = () => {
    const plan = planner.step(clock.wallMs());
    apply(plan);
    if (Number.isFinite(plan.nextWakeMs)) clock.setTimer(plan.nextWakeMs - clock.wallMs(), tick);
  };
  return { subscribed, live, log, subscribedAtMs, tick };
}

describe("RollPlanner across three consecutive 5-minute windows (ManualClock)", () => {
  test("subscribes ahead, hands over ended→started at each boundary, unsubscribes after resolution, no quotable gap", () => {
    const startWall = T0_SEC * 1000 - 90_000; // 90 s before the first window
    const clock = new ManualClock(startWall);
    const planner = new RollPlanner({ leadMs: 60_000, lingerMs: 180_000 });
    const markets = [window5m(0), window5m(1), window5m(2)];
    planner.add(markets);
    const shell = runShell(planner, clock);
    shell.tick();
    expect(shell.subscribed.size).toBe(0); // 90 s ahead: nothing yet

    // Walk every second through the three windows and past the last linger.
    let quotableGapMs = 0;
    const firstStart = markets[0]?.startMs ?? 0;
    const lastEnd = markets[2]?.endMs ?? 0;
    for (let t = startWall; t <= lastEnd + 200_000; t += 1000) {
      clock.advanceTo((t - startWall) * 1e6);
      if (t >= firstStart && t < lastEnd) {
        // Quotable = some market is live and subscribed (its book was snapshotted ahead).
        const quotable = [...shell.live].some((id) => shell.subscribed.has(id));
        if (!quotable) quotableGapMs += 1000;
        expect(shell.live.size).toBe(1);
      }
    }
    expect(quotableGapMs).toBe(0);

    const b = (k: number) => (T0_SEC + 300 * k) * 1000;
    expect(shell.log).toEqual([
      `${b(0) - 60_000} subscribe 0xc0`,
      `${b(0)} market_started 0xc0`,
      `${b(1) - 60_000} subscribe 0xc1`,
      `${b(1)} market_ended 0xc0`,
      `${b(1)} market_started 0xc1`,
      `${b(1) + 180_000} unsubscribe 0xc0`,
      `${b(2) - 60_000} subscribe 0xc2`,
      `${b(2)} market_ended 0xc1`,
      `${b(2)} market_started 0xc2`,
      `${b(2) + 180_000} unsubscribe 0xc1`,
      `${b(3)} market_ended 0xc2`,
      `${b(3) + 180_000} unsubscribe 0xc2`,
    ]);
    expect(shell.subscribed.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  test("a resolution report unsubscribes before the linger runs out", () => {
    const planner = new RollPlanner({ leadMs: 30_000, lingerMs: 300_000 });
    const m = window5m(0);
    planner.add([m]);
    expect(planner.step(m.startMs - 30_000).subscribe).toEqual([m]);
    // The shell slept through the whole window: it still sees started → ended, in that order.
    expect(planner.step(m.endMs).events).toEqual([
      { kind: "market_started", market: m },
      { kind: "market_ended", market: m },
    ]);
    expect(planner.step(m.endMs + 10_000).unsubscribe).toEqual([]);
    planner.markResolved(m.conditionId);
    expect(planner.step(m.endMs + 54_000).unsubscribe).toEqual([m.conditionId]);
    expect(planner.subscribed()).toEqual([]);
  });

  test("discovered late: a running window is subscribed and started at once; a finished one never", () => {
    const planner = new RollPlanner();
    const [a, b] = [window5m(0), window5m(1)];
    if (!a || !b) throw new Error("fixture");
    planner.add([a, b]);
    const plan = planner.step(b.startMs + 10_000);
    expect(plan.subscribe.map((m) => m.conditionId)).toEqual(["0xc1"]);
    expect(plan.events).toEqual([{ kind: "market_started", market: b }]);
    expect(plan.nextWakeMs).toBe(b.endMs);
    // Adding the same market again changes nothing.
    planner.add([b]);
    expect(planner.step(b.startMs + 11_000).subscribe).toEqual([]);
    expect(planner.live()).toEqual([b]);
  });

  test("mixed 5m and 15m series: each follows its own windows", () => {
    const planner = new RollPlanner({ leadMs: 60_000, lingerMs: 0 });
    const m5 = window5m(0);
    const m15: MarketInfo = { ...window5m(0), conditionId: "0xd0", windowSec: 900, endMs: m5.startMs + 900_000 };
    planner.add([m5, m15]);
    planner.step(m5.startMs);
    expect(
      planner
        .live()
        .map((m) => m.conditionId)
        .sort(),
    ).toEqual(["0xc0", "0xd0"]);
    const atEnd5 = planner.step(m5.endMs);
    expect(atEnd5.events.map((e) => `${e.kind} ${e.market.conditionId}`)).toEqual(["market_ended 0xc0"]);
    expect(atEnd5.unsubscribe).toEqual(["0xc0"]);
    expect(atEnd5.nextWakeMs).toBe(m15.endMs);
  });
});
