/** compose-clob.ts: which clock times requests out. */
import { describe, expect, test } from "bun:test";
import { networkClock } from "../../../src/cli/compose-clob.ts";
import { AcceleratedClock, ManualClock, SystemClock } from "../../../src/core/clock.ts";

describe("networkClock", () => {
  test("an accelerated run times requests out in real time; manual and system clocks are kept", () => {
    const fast = new AcceleratedClock(20);
    const net = networkClock(fast);
    expect(net).toBeInstanceOf(SystemClock);
    expect(net).not.toBe(fast);
    const manual = new ManualClock(0);
    expect(networkClock(manual)).toBe(manual);
    const system = new SystemClock();
    expect(networkClock(system)).toBe(system);
  });
});
