/**
 * The steps `mm` and `arb` share (src/cli/bot-runner.ts): flags, durations, the stop on
 * duration, and the read-back of open orders after cancel-all.
 */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  drainOpenOrders,
  journalStartsFresh,
  openRunJournal,
  parseBotArgs,
  parseDuration,
  untilStopped,
} from "../../../src/cli/bot-runner.ts";
import type { VenueHandle } from "../../../src/cli/compose.ts";
import { loadConfig } from "../../../src/config.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { Journal } from "../../../src/store/journal.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";
import { parseMmArgs } from "../../../src/cli/mm.ts";
import type { ExchangeClient, OpenOrderSnapshot } from "../../../src/core/ports.ts";

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

test("shared flags, a command's own flags first, errors name the flag", () => {
  expect(parseBotArgs(["--venue", "polymarket", "--paper", "--seed", "3", "--sim-url", "http://127.0.0.1:8080"])).toEqual({
    venue: "polymarket",
    speed: undefined,
    durationMs: 0,
    summaryJson: "",
    seed: 3,
    simUrl: "http://127.0.0.1:8080",
    live: false,
    paper: true,
    yes: false,
  });
  let seen = "";
  const own = (flag: string, value: () => string) => {
    if (flag !== "--mine") return false;
    seen = value();
    return seen === "bad" ? "--mine is bad" : true;
  };
  expect(parseBotArgs(["--mine", "x", "--yes"], own)).toMatchObject({ yes: true });
  expect(seen).toBe("x");
  expect(parseBotArgs(["--mine", "bad"], own)).toBe("--mine is bad");
  expect(parseBotArgs(["--sim-url", "http://example.com"])).toContain("--sim-url");
  expect(parseBotArgs(["--seed", "-1"])).toContain("--seed");
  expect(parseBotArgs(["--live", "--paper"])).toContain("exclude");
  expect(parseMmArgs(["--no-status", "--duration", "5s"])).toMatchObject({ status: false, durationMs: 5_000 });
  expect(parseMmArgs(["--no-dislocation"])).toContain("unknown flag");
});

test("untilStopped asks the bot to stop after the duration and returns its result", async () => {
  let resolve: (r: string) => void = () => {};
  const done = new Promise<string>((r) => {
    resolve = r;
  });
  const reasons: string[] = [];
  const r = await untilStopped(
    done,
    (reason) => {
      reasons.push(reason);
      resolve(`stopped: ${reason}`);
    },
    5,
  );
  expect(r).toBe("stopped: duration");
  expect(reasons).toEqual(["duration"]);
  expect(process.listenerCount("SIGINT")).toBe(0);
});

test("drainOpenOrders cancels again until the exchange shows nothing; −1 when unreadable", async () => {
  let open: OpenOrderSnapshot[] = [{ orderId: "a" } as OpenOrderSnapshot, { orderId: "b" } as OpenOrderSnapshot];
  let cancels = 0;
  const ex = {
    fetchOpenOrders: async () => open,
    cancelAll: () => {
      cancels++;
      open = [];
    },
  } as unknown as ExchangeClient;
  expect(await drainOpenOrders(ex)).toBe(0);
  expect(cancels).toBe(1);
  const broken = { fetchOpenOrders: async () => Promise.reject(new Error("down")), cancelAll: () => {} } as unknown as ExchangeClient;
  expect(await drainOpenOrders(broken, 100)).toBe(-1);
});

test("openRunJournal on a new embedded simulator sets the last run's journal aside instead of reconciling it", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mmp-runner-"));
  try {
    const file = path.join(dir, "journal-sim.sqlite");
    const clock = new ManualClock(1_780_000_000_000);
    const old = Journal.open({ path: file, mode: "sim", clock });
    if (!old.ok) throw new Error(old.reason);
    old.value.startRun("mm", "old");
    old.value.close();
    const cfg = loadConfig({}, {});
    const base = { clock, exchange: new FakeExchange(), lines: [], apiKey: "k", start: async () => {}, close: async () => {} };
    const embedded = { ...base, sim: {} } as unknown as VenueHandle;
    expect(journalStartsFresh(embedded)).toBe(true);
    const opened = await openRunJournal("mm", file, cfg, embedded, { setAsidePrevious: journalStartsFresh(embedded) });
    if (typeof opened === "number") throw new Error(`exit ${opened}`);
    opened.journal?.close();
    expect(existsSync(`${file}.prev`)).toBe(true);
    const current = statSync(file).ino;
    // An external simulator (--sim-url) outlives us: its journal is kept and reconciled.
    const external = { ...base, sim: undefined } as unknown as VenueHandle;
    expect(journalStartsFresh(external)).toBe(false);
    const again = await openRunJournal("mm", file, cfg, external, { setAsidePrevious: journalStartsFresh(external) });
    if (typeof again === "number") throw new Error(`exit ${again}`);
    again.journal?.close();
    expect(statSync(file).ino).toBe(current);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
