import { expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";

test("ManualClock fires timers in due order at their due time", () => {
  const c = new ManualClock(0);
  const seen: Array<[string, number]> = [];
  c.setTimer(20, () => seen.push(["b", c.nowNs()]));
  c.setTimer(10, () => {
    seen.push(["a", c.nowNs()]);
    c.setTimer(5, () => seen.push(["c", c.nowNs()]));
  });
  const cancel = c.setTimer(12, () => seen.push(["x", c.nowNs()]));
  cancel();
  c.advanceBy(100);
  expect(seen).toEqual([
    ["a", 10e6],
    ["c", 15e6],
    ["b", 20e6],
  ]);
  expect(c.nowNs()).toBe(100e6);
  expect(c.wallMs()).toBe(100);
});
