/**
 * Fault: `kill -9` of the market maker mid-run, then a restart (issue #10 items 1 and 2).
 *
 * The simulator server runs in this test process (127.0.0.1:0, 4× accelerated clock, its
 * /test API on); the bot is a child process, `bun run src/main.ts mm --sim-url …`, with a
 * fixed key and a journal file, exactly as an operator runs it. The test waits until the bot
 * quotes, makes one of its bids fill (a resting order of another account trades against it),
 * SIGKILLs the bot at once — orders resting, the fill perhaps not yet journaled — and starts
 * it again for a few seconds.
 *
 * What must hold after the restart:
 * - the restarted bot reconciled before quoting: it printed what it found and did;
 * - zero orphan orders: the key has no open order on the exchange once the restart is done
 *   (the dead process's orders are swept at startup, within the 5 s confirm window), and no
 *   journal intent is left open;
 * - positions equal the exchange's: every token balance of the key equals the journal's
 *   position (fills + reconcile corrections), the filled shares included;
 * - no fill counted twice (one journal row per trade and order) and the max-position limit
 *   held in the second run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AcceleratedClock } from "../../src/core/clock.ts";
import { Secret } from "../../src/core/secret.ts";
import { OrderSigner } from "../../src/polymarket/signing.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_FLOW } from "../../src/sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { SimServer } from "../../src/sim/server.ts";
import { Journal } from "../../src/store/journal.ts";
import { ManualClock } from "../../src/core/clock.ts";

const REPO = path.resolve(import.meta.dir, "../..");
const SPEED = 4;
const BOUNDARY = 1_780_877_100_000; // a 5-minute boundary
const T0 = BOUNDARY - 40_000; // 40 s of prices before the window opens (the model wants 30)
const PK = new Secret("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba", "kill9 test key");

let dir: string;
let ex: SimExchange;
let server: SimServer;
let rest: string;
let apiKey: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "mmp-kill9-"));
  writeFileSync(path.join(dir, "empty.env"), "");
  ex = new SimExchange({
    seed: 5,
    startMs: T0,
    flow: DEFAULT_FLOW,
    initialBalanceE6: 1_000_000_000,
    schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300] },
  });
  server = new SimServer({ exchange: ex, clock: new AcceleratedClock(SPEED, T0), testApi: true });
  rest = server.start().rest;
  apiKey = server.keys.keyFor(new OrderSigner({ privateKey: PK, signatureType: 0, chainId: 137 }).address, 0).creds.key;
});
const children: ReturnType<typeof Bun.spawn>[] = [];
afterAll(async () => {
  // Whatever happened, no bot outlives the test.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(9);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function spawnBot(extra: string[]): { proc: ReturnType<typeof Bun.spawn>; out: () => string } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? dir,
    ENV_FILE: path.join(dir, "empty.env"),
    PRIVATE_KEY: PK.reveal(),
    JOURNAL_PATH: path.join(dir, "journal-sim.sqlite"),
    LOG_DIR: path.join(dir, "logs"),
    MM_MARKETS: "BTC",
    MM_WINDOWS: "5m",
  };
  const log = path.join(dir, `bot-${++runs}.log`);
  const proc = Bun.spawn(["bun", "run", "src/main.ts", "mm", "--sim-url", rest, "--speed", String(SPEED), "--no-status", ...extra], {
    cwd: REPO,
    env,
    stdout: Bun.file(log),
    stderr: Bun.file(`${log}.err`),
  });
  children.push(proc);
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, "utf8") : "");
  return { proc, out: () => `${read(`${log}.err`)}\n${read(log)}` };
}

let runs = 0;

async function until(pred: () => boolean, maxMs: number, what: string): Promise<void> {
  const end = performance.now() + maxMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const open = () => ex.openOrders(apiKey);

describe("kill -9 mid-run, then restart", () => {
  test("zero orphan orders, journal positions equal the exchange's, no fill counted twice", async () => {
    const first = spawnBot([]);
    await until(
      () => open().some((o) => o.side === "BUY") && open().length >= 2,
      40_000,
      `the bot to quote (output: ${first.out().slice(-400)})`,
    );
    // Another account sells into one of our bids (enough to sweep every better bid): a fill
    // the bot may not journal before it dies. The bot requotes often, so aim at its current bid.
    let bid: ReturnType<typeof open>[number] | undefined;
    for (let attempt = 0; attempt < 10 && ex.tradesOf(apiKey, {}).length === 0; attempt++) {
      bid = open().find((o) => o.side === "BUY");
      if (!bid) {
        await Bun.sleep(100);
        continue;
      }
      const placed = ex.placeBook(bid.tokenId, [], [[(bid.priceE4 / 10_000).toString(), "500"]]);
      expect(placed).toMatchObject({ ok: true });
      await until(() => ex.tradesOf(apiKey, {}).length > 0, 1_000, "the fill").catch(() => undefined);
    }
    if (!bid || ex.tradesOf(apiKey, {}).length === 0) throw new Error("could not fill one of the bot's bids");
    first.proc.kill(9);
    await first.proc.exited;
    const orphansAtKill = open().length;

    // Restart for a short run: it must reconcile before quoting, then stop cleanly.
    const second = spawnBot(["--duration", "4s"]);
    const code = await second.proc.exited;
    const out = second.out();
    expect(code, out.slice(-2000)).toBe(0);
    expect(out).toContain("reconcile: previous run(s) ended without a stop marker");
    expect(out).toMatch(/reconcile: swept \d+ open order\(s\): none remain/);
    expect(out).toContain("reconcile: positions after reconcile:");
    const stdout = out.slice(out.indexOf("\n{\n"));
    const summary = JSON.parse(stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1)) as {
      openOrdersAtExit: number;
      maxAbsInventoryUsd: number;
    };
    expect(summary.openOrdersAtExit).toBe(0);
    expect(summary.maxAbsInventoryUsd).toBeLessThanOrEqual(100); // MM_MAX_POSITION default

    // Zero orphans on the exchange.
    expect(open()).toEqual([]);

    // Journal vs exchange.
    const j = Journal.open({ path: path.join(dir, "journal-sim.sqlite"), mode: "sim", clock: new ManualClock(), checkpoints: "manual" });
    if (!j.ok) throw new Error(j.reason);
    try {
      expect(
        j.value.openIntents(),
        out
          .split("\n")
          .filter((l) => l.startsWith("reconcile:"))
          .join("\n"),
      ).toEqual([]);
      const positions = j.value.positions();
      const tokens = new Set([...positions.keys(), bid.tokenId]);
      expect(tokens.has(bid.tokenId)).toBe(true);
      for (const t of tokens) {
        const p = positions.get(t);
        expect({ token: t, journal: (p?.confirmedE6 ?? 0) + (p?.pendingE6 ?? 0) }).toEqual({ token: t, journal: ex.balanceOf(apiKey, t) });
      }
      expect(ex.balanceOf(apiKey, bid.tokenId)).toBeGreaterThan(0);
      const dupes = j.value.select<{ n: number }>(
        "SELECT COUNT(*) AS n FROM (SELECT trade_id, order_id FROM fills GROUP BY trade_id, order_id HAVING COUNT(*) > 1)",
      );
      expect(dupes[0]?.n).toBe(0);
      const runs = j.value.select<{ run_id: number; stopped_at_ms: number | null }>(
        "SELECT run_id, stopped_at_ms FROM runs ORDER BY run_id",
      );
      expect(runs.map((r) => r.stopped_at_ms === null)).toEqual([true, false]); // the killed run has no stop marker
    } finally {
      j.value.close();
    }
    console.log(
      `kill -9: ${orphansAtKill} order(s) open at the kill, 0 after the restart; reconcile said:\n${out
        .split("\n")
        .filter((l) => l.startsWith("reconcile:"))
        .join("\n")}`,
    );
  }, 90_000);
});
