/**
 * `arb --venue sim --speed … --duration … --summary-json FILE` as a user runs it: a child
 * process on the embedded simulator (with its arbitrage gaps), exit 0, every summary field
 * the issue names, and no order left open at the exchange. The run is 30 s at speed
 * 20 (10 simulated minutes); this one is 5 s at speed 60 (5 simulated minutes, less when a loaded machine makes the
 * simulator lag) to stay quick.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

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
  for (const k of ["opportunitiesSeen", "tradesTaken", "pairsBought", "profit", "legIncidents", "openOrdersAtExit"]) expect(typeof s[k]).toBe("number");
  expect(s.openOrdersAtExit).toBe(0);
  expect(s.venue).toBe("sim");
  expect(s.simulatedMs as number).toBeGreaterThan(60_000);
  expect(s.dislocation).toBe(true);
  expect(s.tradesTaken as number).toBeGreaterThanOrEqual((s.tradesFilled as number) + (s.legIncidents as number));
  // the summary on stdout is the same document
  expect(JSON.parse(r.stdout.toString()).opportunitiesSeen).toBe(s.opportunitiesSeen);
  // event lines on stderr are JSON and carry no secret-looking field
  const lines = r.stderr.toString().trim().split("\n").filter((l) => l.startsWith("{"));
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

test("the live venue needs --live, and --live needs confirmation", () => {
  expect(run(["arb", "--venue", "polymarket"]).exitCode).toBe(2);
  const noTty = run(["arb", "--venue", "polymarket", "--live"]);
  expect(noTty.exitCode).toBe(2);
  expect(noTty.stderr.toString()).toContain("not confirmed");
  expect(run(["arb", "--live"]).exitCode).toBe(2);
  expect(run(["arb", "--duration", "soon"]).exitCode).toBe(2);
}, 30_000);
