/**
 * Hostile input against the simulator's REST and WebSocket endpoints on 127.0.0.1:0
 * (issue #10 item 3): FUZZ_RUNS property runs per endpoint group, each a batch of hostile
 * requests or frames followed by a valid one. Oracles in endpoint-targets.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { endpointTargets } from "./endpoint-targets.ts";
import { fuzzRuns, runTarget } from "./fuzz-kit.ts";
import { type SimFixture, startSimFixture } from "./sim-fixture.ts";

let fx: SimFixture;
beforeAll(async () => {
  fx = await startSimFixture();
});
afterAll(async () => {
  await fx.stop();
});

// Each run is a batch of up to 8 requests/frames: a fifth of the parser count keeps CI short.
const runs = Math.max(20, Math.floor(fuzzRuns() / 5));
const names = [
  "sim REST public (+ L1 routes, /test off)",
  "sim REST private (L2, orders, cancels)",
  "sim WS market channel",
  "sim WS RTDS",
  "sim WS user channel (auth, then garbage)",
];

describe("simulator endpoints survive hostile input", () => {
  for (const [k, name] of names.entries()) {
    test(name, async () => {
      const target = endpointTargets(fx)[k];
      if (!target) throw new Error("no target");
      expect(target.name).toBe(name);
      const r = await runTarget(target, runs);
      if (r.failures > 0) throw new Error(`${r.name}: ${r.counterexample}`);
      expect(r.runs).toBe(runs);
    }, 60_000);
  }
});
