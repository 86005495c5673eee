/**
 * The `mm` command as a user runs it, in a child process: `bun run src/main.ts mm --venue
 * sim --speed 20 --duration 12s --summary-json FILE` starts the embedded simulator, trades on
 * it through the real client stack, stops cleanly and exits 0 with the summary's promises:
 * at least three markets quoted, fills, and no open order left on the exchange.
 * (The 40 s run behaves the same; 12 s keeps the suite fast.)
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dir, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "mm-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("mm --venue sim --speed 20 --duration 12s exits 0 with markets, fills and no open orders", async () => {
  const summaryPath = path.join(dir, "summary.json");
  const proc = Bun.spawn(
    [
      "bun",
      "run",
      path.join(ROOT, "src/main.ts"),
      "mm",
      "--venue",
      "sim",
      "--speed",
      "20",
      "--duration",
      "12s",
      "--summary-json",
      summaryPath,
    ],
    {
      cwd: dir,
      env: { ...process.env, LOG_DIR: path.join(dir, "logs"), JOURNAL_PATH: path.join(dir, "journal.sqlite"), ENV_FILE: "" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) console.error(stderr.slice(-4000));
  expect(code).toBe(0);
  const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as Record<string, unknown>;
  expect(summary.marketsQuoted as number).toBeGreaterThanOrEqual(3);
  expect(summary.fills as number).toBeGreaterThanOrEqual(1);
  expect(summary.openOrdersAtExit).toBe(0);
  expect(summary.exitReason).toBe("duration");
  for (const k of ["markets", "quotesSent", "fills", "pnl", "maxAbsInventory", "openOrdersAtExit", "riskTrips"])
    expect(summary).toHaveProperty(k);
  // the summary is also printed; the status screen went to stdout as plain text blocks
  expect(stdout).toContain('"openOrdersAtExit": 0');
  expect(stdout).toContain("Market Maker Pro");
  // the configuration was described once, redacted
  expect(stderr).toContain("mode market_maker on sim");
  expect(stderr).not.toMatch(/PRIVATE_KEY\s*=\s*0x/);
  // a JSONL event log with fills
  const logs = readdirSync(path.join(dir, "logs"));
  expect(logs.length).toBe(1);
  const lines = readFileSync(path.join(dir, "logs", logs[0] as string), "utf8")
    .trim()
    .split("\n");
  const events = lines.map((l) => (JSON.parse(l) as { event: string }).event);
  expect(events).toContain("bot_started");
  expect(events).toContain("fill");
  expect(events).toContain("bot_stopped");
}, 60_000);
