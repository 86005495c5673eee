/**
 * The simulator side of scripts/soak.ts, in a worker thread so the bot's heap (main thread)
 * is measured apart from the simulator's. Its clock is a ManualClock the main thread moves:
 * `{advanceBy}` → the exchange catches up → `{synced}`. Also answers account queries for the
 * lost-event checks (our fills, placements and balances as the exchange has them).
 */
import { ManualClock } from "../src/core/clock.ts";
import { SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_FLOW } from "../src/sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import { SimServer } from "../src/sim/server.ts";

declare const self: Worker;

export type SoakWorkerRequest =
  | { readonly kind: "start"; readonly seed: number; readonly startMs: number; readonly balanceE6: number }
  | { readonly kind: "track"; readonly key: string }
  | { readonly kind: "advanceBy"; readonly ms: number }
  | { readonly kind: "account"; readonly tokens: readonly string[] }
  | { readonly kind: "stop" };

export type SoakWorkerReply =
  | { readonly kind: "started"; readonly rest: string }
  | { readonly kind: "synced"; readonly nowMs: number }
  | {
      readonly kind: "account";
      /** Our fill legs (maker and taker sides of trades involving our key). */
      readonly fillLegs: number;
      readonly placements: number;
      readonly openOrders: number;
      readonly balancesE6: Readonly<Record<string, number>>;
      readonly records: Readonly<Record<string, number>>;
      readonly heapUsed: number;
      readonly liveTokens: readonly string[];
    }
  | { readonly kind: "stopped" };

let clock: ManualClock | undefined;
let ex: SimExchange | undefined;
let server: SimServer | undefined;
let key = "";
let placements = 0;

const reply = (r: SoakWorkerReply) => postMessage(r);

self.onmessage = async (e: MessageEvent<SoakWorkerRequest>) => {
  const m = e.data;
  switch (m.kind) {
    case "start": {
      clock = new ManualClock(m.startMs);
      ex = new SimExchange({
        seed: m.seed,
        startMs: m.startMs,
        flow: DEFAULT_FLOW,
        initialBalanceE6: m.balanceE6,
        schedule: DEFAULT_SCHEDULE,
        // The exchange's memory of our closed orders and trades, bounded: two hours (the longest
        // window is one); the lost-event check counts forgotten fill legs too.
        retainClosedMs: 2 * 3_600_000,
      });
      server = new SimServer({ exchange: ex, clock, pumpMs: 1_000_000 });
      const urls = server.start();
      ex.onUser((owner, ev) => {
        if (owner === key && ev.event_type === "order" && ev.type === "PLACEMENT") placements++;
      });
      reply({ kind: "started", rest: urls.rest });
      return;
    }
    case "track":
      key = m.key;
      return;
    case "advanceBy":
      clock?.advanceBy(m.ms);
      server?.sync();
      reply({ kind: "synced", nowMs: ex?.nowMs ?? 0 });
      return;
    case "account": {
      if (!ex) return;
      const fillLegs = ex.fillLegsOf(key);
      const balancesE6: Record<string, number> = {};
      for (const t of m.tokens) balancesE6[t] = ex.balanceOf(key, t);
      const liveTokens = ex
        .allMarkets()
        .filter((x) => x.state === "open")
        .flatMap((x) => [x.sched.info.yesTokenId, x.sched.info.noTokenId]);
      reply({
        kind: "account",
        fillLegs,
        placements,
        openOrders: ex.openOrders(key).length,
        balancesE6,
        records: ex.recordCounts(),
        heapUsed: process.memoryUsage().heapUsed,
        liveTokens,
      });
      return;
    }
    case "stop":
      await server?.stop();
      reply({ kind: "stopped" });
      return;
  }
};
