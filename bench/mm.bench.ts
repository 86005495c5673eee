/**
 * Market maker latency, two numbers (issue 7):
 *
 * 1. "mm.tick_to_signed": in process, from an underlying price tick handed to the bot to the
 *    signed order of the requote ready to post (fair value → quotes → requote decision → risk
 *    gate → order manager → real `SignerOrderSource`: a pooled take, or a fresh EIP-712
 *    signature on a pool miss). Each tick moves the centre past MM_REQUOTE_THRESHOLD, so each
 *    one requotes (one cancel batch + one place batch). The pre-signed pool is refilled
 *    between ticks, as the engine does in idle time; "fresh" runs with no pool at all.
 *
 * 2. "mm.requote_loopback": the embedded simulator server on 127.0.0.1 and the real client
 *    stack (cli/compose.ts): the simulator moves the underlying, its RTDS socket publishes the
 *    tick, the bot requotes, the order goes out over REST (signed, L2-authenticated) and the
 *    simulator accepts it; measured until our `ack` event. One ManualClock drives both sides,
 *    so each sample is one tick's real wall-clock round trip on this machine.
 *
 * User budgets: submit < 10 ms, requote < 100 ms. Ambition: ≤ 1 ms p99 tick → signed order,
 * ≤ 5 ms p99 requote over loopback.
 */
import { MarketMakerBot } from "../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS, marketMakerParamsFromConfig, type MarketMakerParams } from "../src/bots/market-maker-params.ts";
import { composeVenue } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config.ts";
import { ManualClock } from "../src/core/clock.ts";
import type { BalanceSnapshot, ExchangeClient, ExchangeEvent, OpenOrderSnapshot, OrderIntent } from "../src/core/ports.ts";
import { Secret } from "../src/core/secret.ts";
import { SignerOrderSource } from "../src/polymarket/exchange-client.ts";
import { PreSignPool } from "../src/polymarket/presign-pool.ts";
import { OrderSigner } from "../src/polymarket/signing.ts";
import type { CoinSymbol } from "../src/sim/underlying.ts";
import { FakeFeed, upDownMarket } from "../test/helpers/fake-feed.ts";
import type { BenchContext } from "./harness.ts";

// Hardhat account 1: a throwaway key, loopback only.
const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

function percentiles(samples: number[]): { p50Ns: number; p99Ns: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  return { p50Ns: at(0.5), p99Ns: at(0.99) };
}

/** Signs every placed intent synchronously (what the venue client does before posting) and acks it. */
class SigningExchange implements ExchangeClient {
  lastSignedNs = 0;
  signed = 0;
  private readonly listeners = new Set<(ev: ExchangeEvent) => void>();
  constructor(private readonly source: SignerOrderSource) {}
  place(intents: readonly OrderIntent[]): void {
    const ids: Array<[string, string]> = [];
    for (const i of intents) {
      const s = this.source.signed(i);
      if (!s.ok) throw new Error(`sign: ${s.reason}`);
      ids.push([i.clientId, s.order.orderId]);
      this.signed++;
    }
    this.lastSignedNs = Bun.nanoseconds();
    for (const [clientId, orderId] of ids) this.emit({ kind: "ack", clientId, orderId, status: "live", atNs: 0 });
  }
  cancel(orderIds: readonly string[]): void {
    for (const orderId of orderIds) this.emit({ kind: "order_closed", orderId, reason: "cancelled", atNs: 0 });
  }
  cancelAll(): void {}
  prepare(intents: readonly OrderIntent[]): void {
    this.source.prepare(intents);
  }
  merge(): void {}
  onEvent(l: (ev: ExchangeEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async fetchOpenOrders(): Promise<readonly OpenOrderSnapshot[]> {
    return [];
  }
  async fetchBalances(): Promise<BalanceSnapshot> {
    return { collateralE6: 0, positionsE6: new Map() };
  }
  async close(): Promise<void> {}
  private emit(ev: ExchangeEvent): void {
    for (const l of this.listeners) l(ev);
  }
}

function tickToSigned(pooled: boolean, iterations: number): { samples: number[]; pooledShare: number } {
  const start = 1_780_000_800_000;
  const clock = new ManualClock(start - 30_000);
  const feed = new FakeFeed();
  const market = upDownMarket(start, { endMs: start + 900_000 });
  const signer = new OrderSigner({ privateKey: new Secret(PRIVATE_KEY, "bench key"), signatureType: 0, chainId: 137 });
  let salt = 1;
  const pool = new PreSignPool(signer, { size: 10, clock, nextSalt: () => salt++ });
  const marketOf = () => ({ tickE4: market.tickE4, negRisk: false, exchangeVersion: 2 as const });
  const source = new SignerOrderSource({
    signer,
    owner: "00000000-0000-4000-8000-000000000000",
    clock,
    marketOf,
    nextSalt: () => salt++,
    ...(pooled && {
      pool,
      onPrepare: (intents: readonly OrderIntent[]) => {
        for (const i of intents)
          pool.plan(i.tokenId, {
            bidE4: i.side === "BUY" ? i.priceE4 : 0,
            askE4: i.side === "SELL" ? i.priceE4 : 10_000,
            sizeE6: i.sizeE6,
            tickE4: 100,
            negRisk: false,
            exchangeVersion: 2,
          });
      },
    }),
  });
  const ex = new SigningExchange(source);
  // No jump cancels (they would leave a side empty for the cooldown): every tick requotes both sides.
  const params: MarketMakerParams = {
    ...DEFAULT_MM_PARAMS,
    jump: { ...DEFAULT_MM_PARAMS.jump, jumpSigmas: 1e9, bothSigmas: 1e9 },
    minUnderlyingSamples: 5,
  };
  const bot = new MarketMakerBot({ feed, exchange: ex, clock, params });
  void bot.run();
  const P0 = 100_000;
  let sec = 0;
  const second = (price: number) => {
    sec++;
    clock.advanceTo(sec * 1e9);
    feed.underlying("btc/usd", price, clock.wallMs());
  };
  feed.underlying("btc/usd", P0, clock.wallMs());
  for (let i = 0; i < 30; i++) {
    second(i % 2 === 0 ? P0 : P0 * (1 + 1e-4));
    feed.setYesBook(market, [[4800, 300_000_000]], [[5200, 300_000_000]]);
  }
  feed.emit({ kind: "market_started", market, recvNs: 0 });
  for (let i = 0; i < 15; i++) {
    second(P0);
    feed.setYesBook(market, [[4800, 300_000_000]], [[5200, 300_000_000]]);
  }
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    if (pooled) pool.refill();
    clock.advanceTo((sec + 0.5) * 1e9);
    const before = ex.signed;
    // ±0.15 % around the strike: the centre swings by several cents, past the threshold.
    const t0 = Bun.nanoseconds();
    feed.underlying("btc/usd", P0 * (i % 2 === 0 ? 1.0015 : 0.9985), clock.wallMs());
    if (ex.signed > before) samples.push(ex.lastSignedNs - t0);
    second(P0 * (i % 2 === 0 ? 1.0015 : 0.9985));
  }
  bot.stop();
  const st = source.stats;
  return { samples, pooledShare: st.pooled / Math.max(1, st.pooled + st.fresh) };
}

async function requoteLoopback(iterations: number): Promise<{ samples: number[]; timeouts: number }> {
  const W = 900_000;
  const first = Math.floor(1_780_876_800_000 / W) * W + W;
  const clock = new ManualClock(first - 90_000);
  const config = loadConfig({}, { overrides: { MM_MARKETS: "BTC", MM_WINDOWS: "15m", RISK_DAILY_LOSS_LIMIT: "100000" } });
  const composed = await composeVenue({
    config,
    venue: "sim",
    tradingMode: "paper",
    clock,
    simStartMs: first - 90_000,
    rediscoverMs: 60_000,
  });
  if (!composed.ok) throw new Error(composed.reason);
  const v = composed.value;
  const sim = v.sim;
  if (!sim) throw new Error("no simulator");
  const params: MarketMakerParams = {
    ...marketMakerParamsFromConfig(config),
    jump: { ...DEFAULT_MM_PARAMS.jump, jumpSigmas: 1e9, bothSigmas: 1e9 },
  };
  const bot = new MarketMakerBot({ feed: v.feed, exchange: v.exchange, clock, params });
  void bot.run();
  await v.start();
  let lastAckNs = 0;
  v.exchange.onEvent((ev) => {
    if (ev.kind === "ack") lastAckNs = Bun.nanoseconds();
  });
  const step = async (ms: number, sleepMs = 1) => {
    clock.advanceBy(ms);
    sim.server.sync();
    await Bun.sleep(sleepMs);
  };
  // Warm up: connect, observe the strike, let the volatility engines fill, reach the window.
  while (clock.wallMs() < first + 40_000) await step(200, 2);
  const coin: CoinSymbol = "btc/usd";
  const samples: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < iterations; i++) {
    const base = sim.exchange.walk.price(coin);
    sim.exchange.setUnderlying(coin, base * (i % 2 === 0 ? 1.002 : 0.998));
    // To just before the next whole second (quiet), then across it: the tick is published.
    clock.advanceTo(Math.ceil((clock.nowNs() + 1) / 1e9) * 1e9 - 1e6);
    sim.server.sync();
    await Bun.sleep(5);
    lastAckNs = 0;
    clock.advanceBy(2);
    const t0 = Bun.nanoseconds();
    sim.server.sync();
    const deadline = performance.now() + 500;
    while (lastAckNs === 0 && performance.now() < deadline) await Bun.sleep(0);
    if (lastAckNs > 0) samples.push(lastAckNs - t0);
    else timeouts++;
    await step(100, 2);
  }
  bot.stop();
  await Bun.sleep(20);
  await v.close();
  return { samples, timeouts };
}

export default async function (b: BenchContext): Promise<void> {
  for (const pooled of [true, false]) {
    tickToSigned(pooled, 200); // warm-up (JIT, signer tables)
    const r = tickToSigned(pooled, 2_000);
    const name = pooled ? `mm.tick_to_signed pooled (${Math.round(r.pooledShare * 100)}% pool hits)` : "mm.tick_to_signed fresh signature";
    b.report(name, percentiles(r.samples), pooled ? { budget: "mm.tick_to_signed" } : {});
  }
  const r = await requoteLoopback(300);
  b.report(`mm.requote_loopback (${r.samples.length} requotes, ${r.timeouts} without an ack in 500 ms)`, percentiles(r.samples), {
    budget: "mm.requote_loopback",
  });
}
