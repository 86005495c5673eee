/**
 * The journal's WAL stays bounded during long write-heavy runs (docs/journal.md): no statement
 * of the main connection keeps a read transaction open (which would stop any checkpoint from
 * starting the WAL over), the checkpointer forces a RESTART when the WAL passes the limit,
 * `journal_size_limit` gives the disk space back, and the main-thread fallback bounds it too.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import type { CheckpointerReport } from "../../../src/store/journal-checkpointer.ts";
import { WalCheckpointer, applyWalLimit } from "../../../src/store/journal-checkpointer.ts";
import { Journal, type JournalOptions } from "../../../src/store/journal.ts";
import { intentFactory } from "../../helpers/order-intents.ts";

const dir = mkdtempSync(join(tmpdir(), "mmp-journal-wal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const intent = intentFactory({
  conditionId: "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
  tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563",
});
const hash = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;

function open(over: Partial<JournalOptions> = {}): { j: Journal; path: string } {
  const path = join(dir, `j${files++}.sqlite`);
  const r = Journal.open({ path, mode: "sim", clock: new ManualClock(1_780_000_000_000), ...over });
  if (!r.ok) throw new Error(r.reason);
  r.value.startRun("mm", "test");
  return { j: r.value, path };
}

/** One order's life through the OrderJournal hooks: intent, ack, a fill on every 4th, close. */
function orderCycle(j: Journal, i: number): void {
  j.intent(intent(`c${i}`));
  j.ack(`c${i}`, hash(i), "live");
  if (i % 4 === 0) {
    j.fill({
      tradeId: `t${i}`,
      orderId: hash(i),
      tokenId: intent("x").tokenId,
      side: "BUY",
      priceE4: 4500,
      sizeE6: 1_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 1_780_000_000_000 + i,
    });
  }
  j.closed(`c${i}`, hash(i), "cancelled");
}

/** Waits (yielding to the event loop) until `cond` holds; fails after `timeoutMs`. */
async function until(cond: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(1);
  }
}

const LIMIT = 512 * 1024;

describe("journal WAL bound", () => {
  test("no statement of the main connection keeps a read transaction open", () => {
    const { j, path } = open({ checkpoints: "manual" });
    for (let i = 0; i < 50; i++) orderCycle(j, i);
    j.positions();
    const other = new Database(path);
    other.run("PRAGMA busy_timeout = 0");
    const reads: Array<[string, () => unknown]> = [
      ["openIntents", () => j.openIntents()],
      ["unknownIntents", () => j.unknownIntents()],
      ["intentByClientId", () => j.intentByClientId("c1")],
      ["intentByClientId (miss)", () => j.intentByClientId("nope")],
      ["isJournaledOrder", () => j.isJournaledOrder(hash(1))],
      ["lastTradeTimeMs", () => j.lastTradeTimeMs()],
      ["fillStatusesSince", () => j.fillStatusesSince(0)],
      ["fillsOf", () => j.fillsOf(hash(0))],
      ["positions", () => j.positions()],
      ["riskEvents", () => j.riskEvents()],
      ["uncleanRuns", () => j.uncleanRuns()],
      ["select", () => j.select("SELECT * FROM intents")],
      ["cancelFailed (lookup by hash)", () => j.cancelFailed(hash(2), "refused")],
      ["fill status update (lookup)", () => orderCycle(j, 1_000)],
      ["ack and close", () => orderCycle(j, 1_001)],
    ];
    for (const [name, read] of reads) {
      read();
      // A reader holding an older snapshot makes RESTART busy and stops the WAL starting over.
      const r = other.query<{ busy: number; log: number; checkpointed: number }, []>("PRAGMA wal_checkpoint(RESTART)").get();
      expect({ name, busy: r?.busy }).toEqual({ name, busy: 0 });
      j.riskEvent("probe", { name }); // a real write (rewriting a row with its own bytes writes no frame)
      const after = other.query<{ log: number }, []>("PRAGMA wal_checkpoint(PASSIVE)").get();
      // The write after a successful RESTART starts the WAL at its first frames.
      expect({ name, small: (after?.log ?? 99) <= 4 }).toEqual({ name, small: true });
    }
    other.close();
    j.close();
  });

  test("driven checkpointer: RESTART over the limit, journal_size_limit truncates, a reader only delays it", () => {
    const { j, path } = open({ checkpoints: "manual", walLimitBytes: LIMIT });
    const db = new Database(path);
    db.run("PRAGMA busy_timeout = 20");
    applyWalLimit(db, LIMIT);
    const ckpt = new WalCheckpointer(db, path, { everyMs: 60_000, walLimitBytes: LIMIT, restart: true });
    expect(ckpt.poll(0)).toBeDefined(); // the first run is due
    expect(ckpt.poll(1)).toBeUndefined(); // under the limit, not due

    let i = 0;
    while (j.walBytes() <= 4 * LIMIT) orderCycle(j, i++);
    // A reader on an older snapshot (a `status` tool mid-query): RESTART cannot finish.
    const reader = new Database(path);
    reader.run("BEGIN");
    reader.query("SELECT COUNT(*) FROM intents").get();
    orderCycle(j, i++);
    const blocked = ckpt.poll(2) as CheckpointerReport;
    expect(blocked.mode).toBe("RESTART");
    expect(blocked.ok).toBe(true); // busy is not an error
    expect(blocked.busy).toBe(true);
    orderCycle(j, i++);
    expect(j.walBytes()).toBeGreaterThan(4 * LIMIT);
    reader.run("COMMIT");
    reader.close();

    const r = ckpt.poll(3) as CheckpointerReport;
    expect(r).toMatchObject({ ok: true, mode: "RESTART", busy: false });
    expect(r.checkpointedFrames).toBe(r.logFrames);
    expect(r.walBytes).toBeGreaterThan(4 * LIMIT); // the writer truncates, on its next commit
    orderCycle(j, i++);
    expect(j.walBytes()).toBeLessThanOrEqual(LIMIT);
    expect(j.select<{ n: number }>("SELECT COUNT(*) AS n FROM intents")[0]?.n).toBe(i);
    db.close();
    j.close();
  });

  test("worker checkpointer keeps the WAL under the limit through the Journal API", async () => {
    const { j } = open({ walLimitBytes: LIMIT, checkpointEveryMs: 1_000, checkpointPollMs: 5 });
    expect(j.checkpointsInWorker).toBe(true);
    const BURST = 4; // order cycles between looks at the WAL (~10 frames, ~40 KB each)
    const TOTAL = 1_200; // ~45 MB of WAL frames written, ~85x the limit
    let high = 0;
    let restarts = 0;
    let burstBytes = 0;
    for (let i = 0; i < TOTAL; ) {
      const before = j.walBytes();
      for (let k = 0; k < BURST; k++) orderCycle(j, i++);
      const wal = j.walBytes();
      high = Math.max(high, wal);
      burstBytes = Math.max(burstBytes, wal - before);
      if (wal > LIMIT) {
        // The bot goes on writing while the worker works; here the next burst waits for the
        // worker's RESTART so the bound is exact: the limit plus one burst.
        const seen = j.lastCheckpoint;
        await until(() => j.lastCheckpoint !== seen && j.lastCheckpoint?.mode === "RESTART" && !j.lastCheckpoint.busy, "a RESTART");
        restarts++;
      }
    }
    expect(restarts).toBeGreaterThan(25);
    // The limit plus what the writer added before the worker's next look (a burst, two if a
    // burst raced the RESTART).
    expect(burstBytes).toBeLessThan(LIMIT / 2);
    expect(high).toBeLessThanOrEqual(LIMIT + 2 * burstBytes);
    expect(j.lastWriteError).toBe("");
    expect(j.select<{ n: number }>("SELECT COUNT(*) AS n FROM intents")[0]?.n).toBe(TOTAL);
    j.close();
  });

  test("worker checkpointer bounds the WAL while writes never pause", async () => {
    const LIM = 1024 * 1024;
    const { j } = open({ walLimitBytes: LIM, checkpointEveryMs: 1_000, checkpointPollMs: 2 });
    const TOTAL = 5_000; // ~185 MB of WAL frames: the WAL's size without checkpoints
    let high = 0;
    let startedOver = 0;
    let over = false;
    for (let i = 0; i < TOTAL; ) {
      for (let k = 0; k < 4; k++) orderCycle(j, i++);
      const wal = j.walBytes();
      high = Math.max(high, wal);
      if (wal > LIM) over = true;
      else if (over) {
        over = false;
        startedOver++; // the worker's RESTART let this commit start the WAL over and truncate it
      }
      // Yield without pausing: the worker's reports come in, the writes go on.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Measured on the 2-core dev box (~250 MB/s of WAL, flat out): high-water 15–70 MB, the
    // limit plus what the writes add during one poll and one checkpoint run; ~185 MB with no
    // checkpoints. The exact bound is timing; the test only proves the WAL keeps starting over.
    expect(startedOver).toBeGreaterThan(3);
    expect(high).toBeLessThan(120 * LIM);
    j.close();
  });

  test("without the checkpointer the same writes grow the WAL far past the limit (the test's control)", () => {
    const { j } = open({ walLimitBytes: LIMIT, checkpoints: "manual" });
    for (let i = 0; i < 1_000; i++) orderCycle(j, i);
    expect(j.walBytes()).toBeGreaterThan(10 * LIMIT);
    j.close();
  });

  test("main-thread checkpoints (the worker's fallback): forced over twice the limit, else when writes pause", async () => {
    const { j } = open({ walLimitBytes: LIMIT, checkpoints: "main", checkpointEveryMs: 20, checkpointPollMs: 2 });
    expect(j.checkpointsInWorker).toBe(false);
    let i = 0;
    let high = 0;
    let burstBytes = 0;
    while (i < 1_200) {
      const before = j.walBytes();
      for (let k = 0; k < 4; k++) orderCycle(j, i++);
      high = Math.max(high, j.walBytes());
      burstBytes = Math.max(burstBytes, j.walBytes() - before);
      if (j.walBytes() > 2 * LIMIT) {
        const seen = j.lastCheckpoint;
        await until(() => j.lastCheckpoint !== seen, "a forced checkpoint");
        expect(j.lastCheckpoint).toMatchObject({ ok: true, busy: false });
        expect(j.lastCheckpoint?.checkpointedFrames).toBe(j.lastCheckpoint?.logFrames);
      }
    }
    expect(burstBytes).toBeLessThan(LIMIT / 2);
    expect(high).toBeLessThanOrEqual(2 * LIMIT + 2 * burstBytes);
    // A pause: the quiet-time checkpoint copies the rest, the next write starts the WAL over.
    const seen = j.lastCheckpoint;
    await until(() => j.lastCheckpoint !== seen, "a quiet checkpoint");
    orderCycle(j, i++);
    expect(j.walBytes()).toBeLessThanOrEqual(LIMIT);
    j.close();
  });

  test("walBytes is 0 in memory and the file size on disk", () => {
    const m = Journal.open({ path: ":memory:", mode: "sim", clock: new ManualClock() });
    if (!m.ok) throw new Error(m.reason);
    expect(m.value.walBytes()).toBe(0);
    m.value.close();
    const { j } = open({ checkpoints: "manual" });
    orderCycle(j, 0);
    expect(j.walBytes()).toBeGreaterThan(0);
    j.close();
  });
});
