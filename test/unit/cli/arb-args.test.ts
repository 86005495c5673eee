import { expect, test } from "bun:test";
import { arbJournalPath, arbLiveLimits, parseArbArgs } from "../../../src/cli/arb.ts";
import { loadConfig } from "../../../src/config.ts";

test("flags: the shared bot flags plus --no-dislocation and --in-process", () => {
  expect(parseArbArgs(["--venue", "sim", "--speed", "20", "--duration", "30s", "--summary-json", "s.json"])).toEqual({
    venue: "sim",
    speed: 20,
    durationMs: 30_000,
    summaryJson: "s.json",
    seed: undefined,
    simUrl: undefined,
    live: false,
    paper: false,
    yes: false,
    dislocation: true,
    inProcess: false,
  });
  expect(parseArbArgs(["--venue", "polymarket", "--live", "--yes", "--no-dislocation", "--seed", "7"])).toMatchObject({
    venue: "polymarket",
    live: true,
    yes: true,
    dislocation: false,
    seed: 7,
  });
  expect(parseArbArgs(["--in-process", "--speed", "50"])).toMatchObject({ inProcess: true, speed: 50, dislocation: true });
  expect(parseArbArgs(["--venue", "polymarket", "--paper"])).toMatchObject({ venue: "polymarket", paper: true });
  expect(parseArbArgs(["--venue", "kalshi"])).toContain("--venue");
  expect(parseArbArgs(["--speed", "0"])).toContain("--speed");
  expect(parseArbArgs(["--duration", "0s"])).toContain("--duration");
  expect(parseArbArgs(["--summary-json"])).toContain("--summary-json");
  expect(parseArbArgs(["--bogus"])).toContain("unknown flag");
  expect(parseArbArgs(["--live", "--paper"])).toContain("exclude");
  expect(parseArbArgs(["--in-process", "--venue", "polymarket"])).toContain("--in-process");
  expect(parseArbArgs(["--in-process", "--sim-url", "http://127.0.0.1:9"])).toContain("--in-process");
});

test("the arb journal sits beside JOURNAL_PATH, never on it", () => {
  expect(arbJournalPath("data/journal-sim.sqlite")).toBe("data/journal-sim-arb.sqlite");
  expect(arbJournalPath("/var/j")).toBe("/var/j-arb");
});

test("the live limits name the arbitrage limits and no secret", () => {
  const key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  const cfg = loadConfig({ PRIVATE_KEY: key, ARB_MAX_CAPITAL: "75", ARB_LEG_RULE: "retry" });
  const text = arbLiveLimits(cfg).join("\n");
  expect(text).toContain("bot: arbitrage");
  expect(text).toContain("$75");
  expect(text).toContain("retry");
  expect(text).toContain("merges");
  expect(text).not.toContain(key.slice(2, 20));
});
