/**
 * Replay throughput (issue 9): market events per second through the backtester, on a
 * simulator recording (bench/sim-tape.ts: 20 minutes of BTC 5-minute windows, ~30 k
 * frames of real-shaped market-channel JSON and Chainlink ticks; the recordings in
 * ../shared/data are too short to time). An "event" is one decoded market-channel event
 * (book, price_change message, trade, tick size, resolution) or one underlying tick handed
 * to the feed.
 *
 *  - replay.engine-decoded: the replay engine alone (ReplayDriver → books → FeedEvents,
 *    fill-model exchange attached, no bot) on frames decoded once, as sessions and sweeps
 *    replay them (ambition ≥ 1,000,000 events/s);
 *  - replay.engine-text: the same from raw text, the codecs included;
 *  - replay.through-mm: the whole backtest with the market maker quoting, filling and
 *    reporting (ambition ≥ 200,000 events/s); replay.through-naive beside it.
 * Each number is the median of several full passes, each on fresh state.
 */
import { DEFAULT_BACKTEST, runBacktestSync } from "../src/backtest/engine.ts";
import { MarketMakerBot } from "../src/bots/market-maker-bot.ts";
import { NaiveBot } from "../src/bots/naive-bot.ts";
import { ManualClock } from "../src/core/clock.ts";
import type { MarketInfo } from "../src/core/ports.ts";
import { MarketChannelCodec } from "../src/polymarket/market-channel.ts";
import type { ReplayFrame } from "../src/store/replay.ts";
import { BacktestExchange } from "../src/venue/backtest-exchange.ts";
import { type DecodedFrame, decodeFrames, ReplayDriver } from "../src/venue/replay.ts";
import type { BenchContext } from "./harness.ts";
import { simTape } from "./sim-tape.ts";

function driverFor(first: { recvNs: string }, markets: readonly MarketInfo[]): ReplayDriver {
  const baseMs = Math.floor(Number(first.recvNs.slice(0, -6)) / 1000) * 1000;
  const clock = new ManualClock(baseMs);
  const d = new ReplayDriver({ clock, baseMs, markets });
  d.attach(new BacktestExchange({ clock, books: (t) => d.exchangeBook(t) }));
  return d;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

/**
 * Events per second: the median over `passes` timed runs of `pass` (each returns the events
 * it handled), after `warmup` untimed runs so the JIT has compiled the hot path.
 */
function rate(passes: number, pass: () => number, warmup = 3): { perSec: number; events: number } {
  let events = 0;
  const rates: number[] = [];
  for (let i = 0; i < warmup; i++) pass();
  for (let i = 0; i < passes; i++) {
    const t0 = Bun.nanoseconds();
    events = pass();
    rates.push((events * 1e9) / (Bun.nanoseconds() - t0));
  }
  return { perSec: median(rates), events };
}

export default async function (b: BenchContext): Promise<void> {
  const tape = simTape({ seed: 11, minutes: b.quick ? 6 : 20 });
  const decoded: DecodedFrame[] = decodeFrames(tape.frames);
  const first = tape.frames[0] as ReplayFrame;
  const passes = b.quick ? 3 : 9;

  const engine = rate(
    passes,
    () => {
      const d = driverFor(first, tape.markets);
      for (let i = 0; i < decoded.length; i++) d.pushDecoded(decoded[i] as DecodedFrame);
      return d.counters.marketEvents + d.counters.underlyingTicks;
    },
    b.quick ? 3 : 15,
  );
  b.report("replay.engine-decoded", { perSec: engine.perSec }, { budget: "replay.engine-decoded", unit: "event" });

  const text = rate(passes, () => {
    const d = driverFor(first, tape.markets);
    for (let i = 0; i < tape.frames.length; i++) d.push(tape.frames[i] as ReplayFrame);
    return d.counters.marketEvents + d.counters.underlyingTicks;
  });
  b.report("replay.engine-text", { perSec: text.perSec }, { budget: "replay.engine-text", unit: "event" });

  const codecOnly = rate(passes, () => {
    const codec = new MarketChannelCodec();
    let n = 0;
    for (const f of tape.frames) if (f.src === "market") n += codec.decode(f.frame).events.length;
    return n;
  });
  b.report("replay.codec-only", { perSec: codecOnly.perSec }, { unit: "event" });

  const events = engine.events;
  const mm = rate(passes, () => {
    runBacktestSync(decoded, tape.markets, DEFAULT_BACKTEST, (d) => new MarketMakerBot(d));
    return events;
  });
  const naive = rate(passes, () => {
    runBacktestSync(decoded, tape.markets, { ...DEFAULT_BACKTEST, bot: "naive" }, (d) => new NaiveBot(d));
    return events;
  });
  b.report(
    "replay.through-mm",
    { perSec: mm.perSec },
    { budget: "replay.through-mm", unit: "event", reference: { name: "through naive", perSec: naive.perSec } },
  );
}
