import { describe, expect, test } from "bun:test";
import { type BreakerInputs, CircuitBreaker } from "../../../src/risk/breaker.ts";

const M = 1_000_000;
const ok = (nowMs: number, over: Partial<BreakerInputs> = {}): BreakerInputs => ({
  nowMs,
  volatilityScore: 10,
  lastFeedMs: nowMs,
  connected: true,
  dailyPnlE6: 0,
  ...over,
});

describe("CircuitBreaker", () => {
  const params = { volTripScore: 90, volClearScore: 70, staleFeedMs: 5_000, dailyLossLimitUsdE6: 100 * M, clearAfterMs: 10_000 };

  test("volatility trips at once and clears only after a calm hold (hysteresis)", () => {
    const b = new CircuitBreaker(params);
    expect(b.evaluate(ok(0)).state).toBe("ACTIVE");
    const t = b.evaluate(ok(1_000, { volatilityScore: 95 }));
    expect(t.state).toBe("HALTED");
    expect(t.tripped.map((r) => r.reason)).toEqual(["volatility"]);
    expect(b.evaluate(ok(2_000, { volatilityScore: 80 })).state).toBe("HALTED"); // between clear and trip
    b.evaluate(ok(3_000, { volatilityScore: 60 }));
    b.evaluate(ok(8_000, { volatilityScore: 75 })); // calm broken: the hold restarts
    b.evaluate(ok(9_000, { volatilityScore: 60 }));
    expect(b.evaluate(ok(18_000, { volatilityScore: 60 })).state).toBe("HALTED");
    const c = b.evaluate(ok(19_000, { volatilityScore: 60 }));
    expect(c.state).toBe("ACTIVE");
    expect(c.cleared).toEqual(["volatility"]);
    expect(b.history()[0]).toMatchObject({ reason: "volatility", atMs: 1_000, clearedAtMs: 19_000 });
  });

  test("stale feed and disconnect, each recorded with its reason", () => {
    const b = new CircuitBreaker(params);
    expect(b.evaluate(ok(10_000, { lastFeedMs: 5_000 })).state).toBe("ACTIVE"); // exactly 5 s: not yet
    const t = b.evaluate(ok(10_001, { lastFeedMs: 5_000, connected: false }));
    expect(t.tripped.map((r) => r.reason).sort()).toEqual(["disconnect", "stale_feed"]);
    expect(b.activeReasons()).toEqual(["stale_feed", "disconnect"]);
    b.evaluate(ok(11_000));
    const c = b.evaluate(ok(21_000));
    expect([...c.cleared].sort()).toEqual(["disconnect", "stale_feed"]);
    expect(b.history()).toHaveLength(2);
    expect(b.history()[0]?.detail).toContain("5001 ms");
  });

  test("no feed data yet is stale", () => {
    const b = new CircuitBreaker(params);
    expect(b.evaluate(ok(0, { lastFeedMs: Number.NaN })).tripped[0]?.detail).toBe("no feed data yet");
  });

  test("loss limit is sticky until a new day", () => {
    const b = new CircuitBreaker(params);
    expect(b.evaluate(ok(0, { dailyPnlE6: -100 * M })).tripped[0]?.reason).toBe("loss_limit");
    expect(b.evaluate(ok(60_000, { dailyPnlE6: 0 })).state).toBe("HALTED");
    b.resetDay();
    expect(b.evaluate(ok(61_000, { dailyPnlE6: -150 * M })).state).toBe("HALTED"); // still below after reset
    const c = b.evaluate(ok(62_000, { dailyPnlE6: 0 }));
    expect(c.cleared).toEqual(["loss_limit"]);
    // A new trip the same day needs a new reset.
    b.evaluate(ok(63_000, { dailyPnlE6: -100 * M }));
    expect(b.evaluate(ok(64_000, { dailyPnlE6: 0 })).state).toBe("HALTED");
  });

  test("manual trips and clears; a held reason is not tripped twice", () => {
    const b = new CircuitBreaker(params);
    expect(b.trip("manual", 5, "operator")).not.toBeNull();
    expect(b.trip("manual", 6, "again")).toBeNull();
    expect(b.evaluate(ok(100_000)).state).toBe("HALTED");
    expect(b.clearManual(100_001)).toBe(true);
    expect(b.state()).toBe("ACTIVE");
    expect(() => new CircuitBreaker({ volTripScore: 50, volClearScore: 60 })).toThrow(RangeError);
  });

  test("history is bounded", () => {
    const b = new CircuitBreaker({ ...params, historyLimit: 3, clearAfterMs: 0 });
    for (let i = 0; i < 10; i++) {
      b.evaluate(ok(i * 10, { volatilityScore: 99 }));
      b.evaluate(ok(i * 10 + 5, { volatilityScore: 0 }));
    }
    expect(b.history()).toHaveLength(3);
    expect(b.history()[2]?.atMs).toBe(90);
  });
});
