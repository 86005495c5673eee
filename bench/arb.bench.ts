/**
 * Arbitrage hot path (issue 8 ambition: book update → both signed orders ready ≤ 200 µs p99).
 *
 * One market-channel `price_change` frame (text, as the socket delivers it) opens a YES+NO
 * gap: the real `PolymarketMarketFeed.onFrame` decodes it and updates the books, the
 * `ArbBot` (real engine loop, order manager, detector) sees the book event, sizes the trade
 * and sends both FOK legs in one `place` call; the bench's venue runs the real
 * `SignerOrderSource` on each intent and stops the clock when the second POST body exists.
 * Nothing is sent on a network: what is measured is everything between the frame and the
 * bytes.
 *
 * Two cases: both legs from the pre-signed pool (a `PreSignPool` planned at these prices and
 * refilled between iterations, outside the timing), and both signed on the spot (two
 * secp256k1 signatures: the usual case for arbitrage, whose sizes follow the depth). Also
 * the no-trade update: a frame that closes the gap → decision "nothing to do".
 * Between iterations the legs are killed (FOK_NOT_FILLED) so the bot is free again.
 */
import { ArbBot } from "../src/bots/arb-bot.ts";
import { DEFAULT_ARB_PARAMS } from "../src/bots/arb-params.ts";
import { SystemClock } from "../src/core/clock.ts";
import type { BalanceSnapshot, ExchangeClient, ExchangeEvent, MarketInfo, OpenOrderSnapshot, OrderIntent } from "../src/core/ports.ts";
import { Secret } from "../src/core/secret.ts";
import { computeStats, type BenchContext } from "./harness.ts";
import { SignerOrderSource } from "../src/polymarket/exchange-client.ts";
import { PolymarketMarketFeed } from "../src/polymarket/market-feed.ts";
import { PreSignPool } from "../src/polymarket/presign-pool.ts";
import { OrderSigner } from "../src/polymarket/signing.ts";
import { SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import * as W from "../src/sim/wire-out.ts";

// Throwaway key (Hardhat account 1): nothing leaves the process.
const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const M = 1_000_000;

/** An `ExchangeClient` that signs (the real order source) and records when both bodies exist. */
class SigningVenue implements ExchangeClient {
  readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  doneNs = 0;
  bodies = 0;
  pooled = 0;
  last: OrderIntent[] = [];
  constructor(private readonly source: SignerOrderSource) {}
  place(intents: readonly OrderIntent[]): void {
    for (const i of intents) {
      const s = this.source.signed(i);
      if (!s.ok) throw new Error(`sign failed: ${s.reason}`);
      this.bodies += s.order.body.length > 0 ? 1 : 0;
      if (s.order.pooled) this.pooled++;
    }
    this.doneNs = Bun.nanoseconds();
    this.last = [...intents];
  }
  cancel(): void {}
  cancelAll(): void {}
  prepare(): void {}
  merge(): void {}
  onEvent(l: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return [];
  }
  async fetchBalances(): Promise<BalanceSnapshot> {
    return { collateralE6: 0, positionsE6: new Map() };
  }
  async close(): Promise<void> {}
}

export default async function (b: BenchContext): Promise<void> {
  const clock = new SystemClock();
  // Frames from the simulator's own wire encoder: a YES book 0.43 / 0.44 × 20 and its mirror.
  const sim = new SimExchange({ seed: 3, flow: null, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [900] } });
  const m = sim.allMarkets().find((x) => x.state === "open");
  if (!m) throw new Error("no simulated market");
  const base = m.sched.info;
  const placed = sim.placeBook(base.yesTokenId, [["0.43", "100"]], [["0.44", "20"]]);
  if (!placed.ok) throw new Error(placed.error);
  const info: MarketInfo = { ...base, startMs: 0, endMs: Number.MAX_SAFE_INTEGER };
  const snapshot = [W.bookEvent(m, 0, sim.nowMs), W.bookEvent(m, 1, sim.nowMs)].map((e) => JSON.stringify([e]));
  // a YES-terms bid at 0.50 × 20 is a NO ask at 0.50: YES 0.44 + NO 0.50 = 0.94 → 20 pairs
  const open = JSON.stringify(W.priceChange(m, [{ marketId: base.conditionId, side: "bid", priceE4: 5000, sizeE6: 20 * M }], sim.nowMs));
  const close = JSON.stringify(W.priceChange(m, [{ marketId: base.conditionId, side: "bid", priceE4: 5000, sizeE6: 0 }], sim.nowMs));

  const signer = new OrderSigner({ privateKey: new Secret(PRIVATE_KEY, "privateKey"), signatureType: 0, chainId: 137 });
  signer.warm();
  let salt = 1;
  const pool = new PreSignPool(signer, { size: 4, clock, nextSalt: () => salt++ });
  const quotes = { askE4: 10_000, sizeE6: 20 * M, tickE4: 100, negRisk: false, exchangeVersion: 2 as const };
  const marketOf = () => ({ tickE4: 100, negRisk: false, exchangeVersion: 2 as const });
  const pooledSource = new SignerOrderSource({ signer, owner: "bench-owner", clock, marketOf, nextSalt: () => salt++, pool });
  const freshSource = new SignerOrderSource({ signer, owner: "bench-owner", clock, marketOf, nextSalt: () => salt++ });

  const run = (label: string, source: SignerOrderSource, usePool: boolean, iterations: number) => {
    const feed = new PolymarketMarketFeed({ clock, url: "ws://127.0.0.1:9/unused" });
    feed.subscribe([info]);
    for (const f of snapshot) feed.onFrame(f, Bun.nanoseconds());
    const venue = new SigningVenue(source);
    const bot = new ArbBot({
      feed,
      exchange: venue,
      clock,
      params: {
        ...DEFAULT_ARB_PARAMS,
        maxCapitalUsdE6: 10_000 * M,
        cooldownMs: 0,
        ordersPerSec: 1e9,
        orderBurst: 1e9,
        stopBeforeEndMs: 0,
        presignNearE4: 0,
        tickMs: 60_000,
      },
    });
    void bot.run();
    bot.addMarkets([info]);
    const hit = new Float64Array(iterations);
    const miss = new Float64Array(iterations);
    let n = 0;
    for (let i = 0; i < iterations; i++) {
      if (usePool) {
        pool.plan(info.yesTokenId, { ...quotes, bidE4: 4400 });
        pool.plan(info.noTokenId, { ...quotes, bidE4: 5000 });
        pool.refill(50);
      }
      const before = venue.bodies;
      const t0 = Bun.nanoseconds();
      feed.onFrame(open, t0);
      if (venue.bodies !== before + 2) throw new Error(`${label}: the gap did not produce two signed orders`);
      hit[n] = venue.doneNs - t0;
      // kill both legs (outside the timing) so the market is free for the next gap
      for (const intent of venue.last)
        venue.emit({
          kind: "reject",
          clientId: intent.clientId,
          orderId: "",
          code: "FOK_NOT_FILLED",
          message: "killed",
          atNs: clock.nowNs(),
        });
      const t1 = Bun.nanoseconds();
      feed.onFrame(close, t1);
      miss[n] = Bun.nanoseconds() - t1;
      n++;
    }
    bot.stop();
    feed.close();
    if (usePool && venue.pooled < venue.bodies * 0.99) throw new Error(`${label}: pool hits ${venue.pooled}/${venue.bodies}`);
    return { hit: computeStats(hit, n), miss: computeStats(miss, n) };
  };

  const iterations = b.quick ? 300 : 3_000;
  run("warm-up", freshSource, false, b.quick ? 100 : 500);
  const pooled = run("pooled", pooledSource, true, iterations);
  const fresh = run("fresh", freshSource, false, iterations);
  b.report(
    "book update → both signed orders ready (pre-signed pool)",
    { p50Ns: pooled.hit.p50Ns, p99Ns: pooled.hit.p99Ns },
    { budget: "arb.book-to-signed-pooled" },
  );
  b.report(
    "book update → both signed orders ready (signed on the spot)",
    { p50Ns: fresh.hit.p50Ns, p99Ns: fresh.hit.p99Ns },
    { budget: "arb.book-to-signed-fresh" },
  );
  b.report(
    "book update → no-trade decision (gap closed)",
    { p50Ns: fresh.miss.p50Ns, p99Ns: fresh.miss.p99Ns },
    { budget: "arb.book-to-no-trade" },
  );
}
