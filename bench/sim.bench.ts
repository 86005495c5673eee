/**
 * Simulator benches:
 * - `sim.matching`: orders/s through the pure matching engine: a mix of 50 % resting GTC,
 *   25 % marketable FAK and 25 % cancels around 0.50 on both outcomes (mints, merges and
 *   transfers all occur), with at most ~300 resting orders; against a naive reference
 *   (an array of resting orders sorted on every match).
 * - `sim.exchange-place`: orders/s through SimExchange.place (matching + balance checks +
 *   holds + fee + wire events), the path backtests and the sim server use.
 * - `sim.ws-fanout`: latency from an exchange event (a price_change) to its arrival at each
 *   of 10 WebSocket subscribers on loopback, p50/p99.
 */
import { ManualClock } from "../src/core/clock.ts";
import type { OrderType, Side } from "../src/core/ports.ts";
import { Rng } from "../src/core/rng.ts";
import { SimExchange } from "../src/sim/exchange.ts";
import { bookSideOf, MatchingEngine, type OrderSpec, type Outcome, yesPriceOf } from "../src/sim/matching.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import { SimServer } from "../src/sim/server.ts";
import type { BenchContext } from "./harness.ts";

const BATCH = 1_000;
/** Resting orders kept around (a busy real book holds ~100 levels a side); beyond it a new order becomes a cancel. */
const MAX_LIVE = 300;

interface Op {
  readonly cancel: boolean;
  /** Which live order a cancel hits (any, not just the newest: keeps the book bounded). */
  readonly pick: number;
  readonly outcome: Outcome;
  readonly side: Side;
  readonly priceE4: number;
  readonly sizeE6: number;
  readonly type: OrderType;
}

export function makeOps(seed: number, n: number): Op[] {
  const rng = new Rng(seed);
  const out: Op[] = [];
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    const outcome: Outcome = rng.chance(0.5) ? 0 : 1;
    const side: Side = rng.chance(0.5) ? "BUY" : "SELL";
    const taker = r >= 0.5 && r < 0.75;
    // resting orders sit a little away from 0.50; takers reach through it
    const off = taker ? 300 : 100 + 100 * rng.int(0, 4);
    const yes = bookSideOf(outcome, side) === "bid" ? 5000 - off + (taker ? 600 : 0) : 5000 + off - (taker ? 600 : 0);
    out.push({
      cancel: r >= 0.75,
      pick: rng.int(0, 1 << 30),
      outcome,
      side,
      priceE4: yesPriceOf(outcome, yes),
      sizeE6: (5 + rng.int(0, 50)) * 1_000_000,
      type: taker ? "FAK" : "GTC",
    });
  }
  return out;
}

/** Removes and returns a random id that is still resting (dead ids met on the way are dropped). */
function takeRandom(ids: string[], pick: number, isLive: (id: string) => boolean): string | undefined {
  for (let tries = 0; ids.length > 0 && tries < 8; tries++) {
    const i = (pick + tries * 7919) % ids.length;
    const id = ids[i] as string;
    ids[i] = ids[ids.length - 1] as string;
    ids.pop();
    if (isLive(id)) return id;
  }
  return undefined;
}

/** The naive reference: resting orders in an array, sorted on every match. */
class NaiveBook {
  private resting: { id: number; bid: boolean; price: number; left: number; seq: number }[] = [];
  private seq = 0;
  submit(id: number, bid: boolean, price: number, size: number, rest: boolean): void {
    const opp = this.resting
      .filter((o) => o.bid !== bid && (bid ? o.price <= price : o.price >= price))
      .sort((a, b) => (bid ? a.price - b.price : b.price - a.price) || a.seq - b.seq);
    let want = size;
    for (const o of opp) {
      if (want === 0) break;
      const t = Math.min(want, o.left);
      o.left -= t;
      want -= t;
    }
    this.resting = this.resting.filter((o) => o.left > 0);
    if (rest && want > 0) this.resting.push({ id, bid, price, left: want, seq: ++this.seq });
  }
  get size(): number {
    return this.resting.length;
  }
  cancelOne(pick: number): void {
    if (this.resting.length > 0) this.resting.splice(pick % this.resting.length, 1);
  }
}

export default async function (b: BenchContext): Promise<void> {
  const ops = makeOps(7, 20 * BATCH);
  const engine = new MatchingEngine();
  engine.addMarket("m", 100, 5_000_000);
  const live: string[] = [];
  let n = 0;
  let cursor = 0;
  const naive = new NaiveBook();
  let ncursor = 0;
  await b.throughput(
    "sim.matching",
    () => {
      for (let k = 0; k < BATCH; k++) {
        const op = ops[cursor++ % ops.length] as Op;
        if (op.cancel || live.length > MAX_LIVE) {
          const id = takeRandom(live, op.pick, (x) => engine.order(x) !== undefined);
          if (id !== undefined) engine.cancel(id);
          continue;
        }
        const spec: OrderSpec = {
          id: `o${++n}`,
          owner: "x",
          marketId: "m",
          outcome: op.outcome,
          side: op.side,
          priceE4: op.priceE4,
          sizeE6: op.sizeE6,
          orderType: op.type,
          postOnly: false,
          expiresAtMs: 0,
          budgetE6: 0,
        };
        const r = engine.submit(spec);
        if (r.ok && r.resting) live.push(spec.id);
      }
    },
    {
      units: BATCH,
      unit: "order",
      iterations: 300,
      warmup: 30,
      budget: "sim.matching",
      reference: {
        name: "naive sorted array",
        fn: () => {
          for (let k = 0; k < BATCH; k++) {
            const op = ops[ncursor++ % ops.length] as Op;
            if (op.cancel || naive.size > MAX_LIVE) naive.cancelOne(op.pick);
            else
              naive.submit(k, bookSideOf(op.outcome, op.side) === "bid", yesPriceOf(op.outcome, op.priceE4), op.sizeE6, op.type === "GTC");
          }
        },
      },
    },
  );

  const START = 1_780_876_860_000;
  const ex = new SimExchange({
    seed: 3,
    startMs: START,
    flow: null,
    initialBalanceE6: 1e14,
    schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [3600], leadWindows: 0 },
  });
  const market = ex.allMarkets()[0];
  if (!market) throw new Error("no market");
  const info = market.sched.info;
  for (const k of ["a", "b"]) ex.openAccount(k, `0x${k}`);
  ex.split("a", info.conditionId, 1e12);
  ex.split("b", info.conditionId, 1e12);
  let pcursor = 0;
  let pid = 0;
  const mine: string[] = [];
  await b.throughput(
    "sim.exchange-place",
    () => {
      for (let k = 0; k < BATCH; k++) {
        const op = ops[pcursor++ % ops.length] as Op;
        const owner = pcursor % 2 === 0 ? "a" : "b";
        if (op.cancel || mine.length > MAX_LIVE) {
          const id = takeRandom(mine, op.pick, (x) => ex.order(x)?.status === "LIVE");
          if (id !== undefined) ex.cancel(ex.order(id)?.owner ?? owner, [id]);
          continue;
        }
        const id = `0x${(++pid).toString(16)}`;
        const r = ex.place({
          orderId: id,
          owner,
          makerAddress: "0x",
          tokenId: op.outcome === 0 ? info.yesTokenId : info.noTokenId,
          side: op.side,
          priceE4: op.priceE4,
          sizeE6: op.sizeE6,
          budgetE6: 0,
          orderType: op.type,
          postOnly: false,
          expirationSec: 0,
        });
        if (r.success && r.status === "live") mine.push(id);
      }
    },
    { units: BATCH, unit: "order", iterations: 100, warmup: 10, budget: "sim.exchange-place" },
  );

  await fanout(b);
}

async function fanout(b: BenchContext): Promise<void> {
  const START = 1_780_876_860_000;
  const clock = new ManualClock(START);
  const ex = new SimExchange({
    seed: 4,
    startMs: START,
    flow: null,
    schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [3600], leadWindows: 0 },
  });
  const server = new SimServer({ exchange: ex, clock, pumpMs: 1_000 });
  const urls = server.start();
  const market = ex.allMarkets()[0];
  if (!market) throw new Error("no market");
  const info = market.sched.info;
  ex.openAccount("a", "0xa");
  const CLIENTS = 10;
  let emittedNs = 0;
  let pending = 0;
  let release: () => void = () => {};
  const samples: number[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const ws = new WebSocket(urls.wsMarket);
    await new Promise<void>((r) => {
      ws.onopen = () => r();
    });
    // the first frame is the subscription's book snapshot; every later one is a timed event
    await new Promise<void>((snapshot) => {
      let first = true;
      ws.onmessage = () => {
        if (first) {
          first = false;
          snapshot();
          return;
        }
        samples.push(Bun.nanoseconds() - emittedNs);
        if (--pending === 0) release();
      };
      ws.send(JSON.stringify({ assets_ids: [info.yesTokenId, info.noTokenId], type: "market" }));
    });
    sockets.push(ws);
  }
  const EVENTS = 2_000;
  for (let i = 0; i < EVENTS; i++) {
    const done = new Promise<void>((r) => {
      release = r;
      pending = CLIENTS;
    });
    emittedNs = Bun.nanoseconds();
    if (i % 2 === 0)
      ex.place({
        orderId: `0xf${i}`,
        owner: "a",
        makerAddress: "0xa",
        tokenId: info.yesTokenId,
        side: "BUY",
        priceE4: 3000,
        sizeE6: 10_000_000,
        budgetE6: 0,
        orderType: "GTC",
        postOnly: false,
        expirationSec: 0,
      });
    else ex.cancel("a", [`0xf${i - 1}`]);
    await done;
  }
  for (const ws of sockets) ws.close();
  await server.stop();
  // the first 10 % are warm-up
  const s = Float64Array.from(samples.slice(Math.floor(samples.length / 10))).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  b.report("sim.ws-fanout (10 subscribers, loopback)", { p50Ns: q(0.5), p99Ns: q(0.99) }, { budget: "sim.ws-fanout" });
}
