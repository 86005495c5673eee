/**
 * `arb --venue sim --speed … --duration … --summary-json FILE` as a user runs it: a child
 * process that starts the embedded simulator server on 127.0.0.1 (with its arbitrage gaps)
 * and trades on it through the real client stack (sockets, signed REST, pre-signed pool,
 * heartbeat, Gamma auto-roll, merges over REST); exit 0, every summary field the issue
 * names, and no order left open at the exchange (read back over REST). The run is
 * 30 s at speed 20 (10 simulated minutes); this one is 5 s at speed 60 (5 simulated minutes,
 * less when a loaded machine makes the simulator lag) to stay quick. `--in-process` (no
 * sockets) and the live guards are checked too.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ManualClock } from "../../src/core/clock.ts";
import { Journal } from "../../src/store/journal.ts";

const ROOT = path.resolve(import.meta.dir, "../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "arb-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  return Bun.spawnSync([process.execPath, "run", path.join(ROOT, "src/main.ts"), ...args], {
    cwd: dir,
    env: { ...process.env, ENV_FILE: "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

test("arb --venue sim --speed 60 --duration 5s --summary-json: exit 0, summary complete, no open order at exit", () => {
  const file = path.join(dir, "summary.json");
  const r = run(["arb", "--venue", "sim", "--speed", "60", "--duration", "5s", "--summary-json", file, "--seed", "1"]);
  expect(r.exitCode).toBe(0);
  const s = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  for (const k of ["opportunitiesSeen", "tradesTaken", "pairsBought", "profit", "legIncidents", "openOrdersAtExit"])
    expect(typeof s[k]).toBe("number");
  expect(s.openOrdersAtExit).toBe(0);
  expect(s.venue).toBe("sim");
  expect(s.transport).toBe("network");
  expect(s.simulatedMs as number).toBeGreaterThan(60_000);
  // the pool's counters come from the network client: every leg sent was looked up there
  expect((s.presignedHits as number) + (s.presignedMisses as number)).toBeGreaterThanOrEqual(2 * (s.tradesTaken as number));
  expect(s.dislocation).toBe(true);
  expect(s.tradesTaken as number).toBeGreaterThanOrEqual((s.tradesFilled as number) + (s.legIncidents as number));
  // the write-ahead journal (JOURNAL_PATH's -arb sibling) saw every order closed
  const j = Journal.open({
    path: path.join(dir, "data", "journal-sim-arb.sqlite"),
    mode: "sim",
    clock: new ManualClock(),
    checkpoints: "manual",
  });
  if (!j.ok) throw new Error(j.reason);
  try {
    expect(j.value.openIntents()).toEqual([]);
  } finally {
    j.value.close();
  }
  // the summary on stdout is the same document
  expect(JSON.parse(r.stdout.toString()).opportunitiesSeen).toBe(s.opportunitiesSeen);
  // event lines on stderr are JSON and carry no secret-looking field
  const lines = r.stderr
    .toString()
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"));
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
}, 30_000);

test("BOT_MODE=arbitrage runs the arbitrage bot when no command is given", () => {
  const r = run(["--speed", "20", "--duration", "1s", "--no-dislocation"], { BOT_MODE: "arbitrage" });
  expect(r.exitCode).toBe(0);
  const s = JSON.parse(r.stdout.toString()) as Record<string, unknown>;
  expect(s.openOrdersAtExit).toBe(0);
  expect(s.dislocation).toBe(false);
}, 30_000);

test("--in-process: the same run with the simulator in this process, no sockets", () => {
  const r = run(["arb", "--in-process", "--speed", "60", "--duration", "2s", "--seed", "2"]);
  expect(r.exitCode).toBe(0);
  const s = JSON.parse(r.stdout.toString()) as Record<string, unknown>;
  expect(s.transport).toBe("in-process");
  expect(s.openOrdersAtExit).toBe(0);
  expect(s.simulatedMs as number).toBeGreaterThan(30_000);
}, 30_000);

test("live needs --venue polymarket, --live, a confirmation and a key; bad flags are usage errors", () => {
  // A well-known test key (Hardhat account 0): with no terminal the confirmation fails first,
  // so nothing connects anywhere.
  const noTty = run(["arb", "--venue", "polymarket", "--live"], {
    PRIVATE_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  });
  expect(noTty.exitCode).toBe(2);
  expect(noTty.stderr.toString()).toContain("not confirmed");
  expect(noTty.stderr.toString()).toContain("bot: arbitrage");
  const noKey = run(["arb", "--venue", "polymarket", "--live", "--yes"], { PRIVATE_KEY: "" });
  expect(noKey.exitCode).toBe(2);
  expect(noKey.stderr.toString()).toContain("signing key");
  expect(run(["arb", "--live"]).exitCode).toBe(2);
  expect(run(["arb", "--venue", "polymarket", "--paper", "--in-process"]).exitCode).toBe(2);
  expect(run(["arb", "--duration", "soon"]).exitCode).toBe(2);
}, 30_000);
