/**
 * Journal write cost: the intent write sits in front of every order (write-before-send),
 * so its p99 is on the submit path. WAL + synchronous=NORMAL (the default, see
 * src/store/journal.ts for the durability argument) against synchronous=FULL as the
 * reference, on a file in the OS temp dir. Also: ack (update + event row), a new fill,
 * a fill status update (with the checkpointer worker running as in production), and for
 * scale what one WAL checkpoint costs (the worker pays it, not the loop). Metrics hot-path operations are benched alongside.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SystemClock } from "../src/core/clock.ts";
import type { OrderIntent } from "../src/core/ports.ts";
import { createEngineMetrics } from "../src/monitor/metrics.ts";
import { type Durability, Journal } from "../src/store/journal.ts";
import type { BenchContext } from "./harness.ts";

function openJournal(dir: string, durability: Durability): Journal {
  const r = Journal.open({ path: join(dir, `journal-${durability}.sqlite`), mode: "sim", clock: new SystemClock(), durability });
  if (!r.ok) throw new Error(r.reason);
  r.value.startRun("bench", "bench");
  return r.value;
}

const base: OrderIntent = {
  clientId: "",
  conditionId: "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1",
  tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563",
  side: "BUY",
  priceE4: 4500,
  sizeE6: 10_000_000,
  orderType: "GTC",
  postOnly: true,
  expirationSec: 0,
};

export default async function (b: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "mmp-journal-bench-"));
  try {
    const normal = openJournal(dir, "normal");
    const full = openJournal(dir, "full");
    let n = 0;
    let m = 0;
    const hash = (i: number) => `0x${i.toString(16).padStart(64, "0")}`;
    await b.latency(
      "journal.intent (WAL, synchronous=NORMAL)",
      () => {
        const i = n++;
        normal.intent({ ...base, clientId: `c${i}` }, 0, hash(i));
      },
      {
        budget: "journal.intent",
        iterations: 20_000,
        reference: { name: "synchronous=FULL", fn: () => full.intent({ ...base, clientId: `f${m++}` }, 0, hash(1e9 + m)) },
      },
    );
    let a = 0;
    await b.latency("journal.ack", () => normal.ack(`c${a++ % n}`, "", "live"), { budget: "journal.ack", iterations: 20_000 });
    let f = 0;
    await b.latency(
      "journal.fill (new)",
      () => {
        const i = f++;
        normal.fill({
          tradeId: `t${i}`,
          orderId: hash(i % n),
          tokenId: base.tokenId,
          side: "BUY",
          priceE4: 4500,
          sizeE6: 1_000_000,
          feeE6: 0,
          liquidity: "maker",
          status: "MATCHED",
          exchTsMs: 1_780_000_000_000 + i,
        });
      },
      { budget: "journal.fill", iterations: 20_000 },
    );
    let u = 0;
    await b.latency(
      "journal.fill (status update)",
      () => {
        const i = u++ % f;
        normal.fill({
          tradeId: `t${i}`,
          orderId: hash(i % n),
          tokenId: base.tokenId,
          side: "BUY",
          priceE4: 4500,
          sizeE6: 1_000_000,
          feeE6: 0,
          liquidity: "maker",
          status: u <= f ? "MINED" : "CONFIRMED",
          exchTsMs: 1_780_000_000_000 + i,
        });
      },
      { budget: "journal.fill", iterations: Math.min(20_000, f) },
    );
    // What one PASSIVE checkpoint after ~300 order writes costs (a busy second). The journal
    // runs it in its worker thread, so this is shown for scale, not paid by the loop.
    const ckptNs: number[] = [];
    for (let round = 0; round < 30; round++) {
      for (let k = 0; k < 300; k++) {
        const i = n++;
        normal.intent({ ...base, clientId: `c${i}` }, 0, hash(i));
      }
      const t0 = Bun.nanoseconds();
      normal.checkpoint();
      ckptNs.push(Bun.nanoseconds() - t0);
    }
    ckptNs.sort((x, y) => x - y);
    b.report("journal.checkpoint (in the worker, for scale)", { p50Ns: ckptNs[15] as number, p99Ns: ckptNs[29] as number });
    normal.close();
    full.close();

    const metrics = createEngineMetrics();
    const orders = metrics.orders.labels("mm", "BUY", "GTC");
    const ack = metrics.orderAck.labels("mm");
    await b.throughput("metrics.counter.inc (bound child)", () => orders.inc(), { units: 1, unit: "inc", budget: "metrics.inc" });
    let x = 0;
    await b.throughput("metrics.histogram.observe (bound child)", () => ack.observe((x++ % 200) / 1000), {
      units: 1,
      unit: "observe",
      budget: "metrics.observe",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
