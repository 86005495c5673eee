import { expect, test } from "bun:test";
import { parseArbArgs, parseDuration } from "../../../src/cli/arb.ts";

test("durations", () => {
  expect(parseDuration("30s")).toBe(30_000);
  expect(parseDuration("5m")).toBe(300_000);
  expect(parseDuration("1h")).toBe(3_600_000);
  expect(parseDuration("250ms")).toBe(250);
  expect(parseDuration("1500")).toBe(1500);
  expect(parseDuration("1.5s")).toBe(1500);
  expect(parseDuration("soon")).toBeNaN();
  expect(parseDuration("-1s")).toBeNaN();
});

test("flags", () => {
  expect(parseArbArgs(["--venue", "sim", "--speed", "20", "--duration", "30s", "--summary-json", "s.json"])).toEqual({
    venue: "sim",
    speed: 20,
    durationMs: 30_000,
    summaryJson: "s.json",
    seed: undefined,
    dislocation: true,
    live: false,
    yes: false,
  });
  expect(parseArbArgs(["--venue", "polymarket", "--live", "--yes", "--no-dislocation", "--seed", "7"])).toMatchObject({ venue: "polymarket", live: true, yes: true, dislocation: false, seed: 7 });
  expect(parseArbArgs(["--venue", "kalshi"])).toContain("--venue");
  expect(parseArbArgs(["--speed", "0"])).toContain("--speed");
  expect(parseArbArgs(["--duration", "0s"])).toContain("--duration");
  expect(parseArbArgs(["--summary-json"])).toContain("--summary-json");
  expect(parseArbArgs(["--bogus"])).toContain("unknown flag");
});
