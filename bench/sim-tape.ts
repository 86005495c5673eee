/**
 * A recording made by the embedded simulator, in memory: every market-channel message the
 * simulator emits (JSON text exactly as its server would send it: book snapshots at listing,
 * `price_change`, `last_trade_price`, `tick_size_change`, `market_resolved`) and one RTDS
 * Chainlink frame per underlying tick, stamped with the simulator's time. Real recordings in
 * ../shared/data are short and sparse; this gives the replay bench and the backtest tests
 * whole windows with trades and resolutions. Deterministic for a seed.
 */
import type { MarketInfo } from "../src/core/ports.ts";
import { DEFAULT_SIM, SimExchange } from "../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../src/sim/schedule.ts";
import type { CoinSymbol } from "../src/sim/underlying.ts";
import * as W from "../src/sim/wire-out.ts";
import type { ReplayFrame } from "../src/store/replay.ts";

export interface SimTapeOptions {
  readonly seed: number;
  readonly minutes: number;
  readonly coins?: readonly CoinSymbol[];
  readonly windows?: readonly (300 | 900 | 3600)[];
  readonly startMs?: number;
}

export interface SimTape {
  readonly frames: ReplayFrame[];
  readonly markets: MarketInfo[];
}

export function simTape(opts: SimTapeOptions): SimTape {
  const startMs = opts.startMs ?? DEFAULT_SIM.startMs;
  const sim = new SimExchange({
    seed: opts.seed,
    startMs,
    schedule: { ...DEFAULT_SCHEDULE, coins: [...(opts.coins ?? ["btc/usd"])], windows: [...(opts.windows ?? [300])] },
  });
  const frames: ReplayFrame[] = [];
  let seq = 0;
  const push = (src: "market" | "rtds", text: string): void => {
    frames.push({ seq: seq++, src, recvNs: `${sim.nowMs}000000`, timeFrom: "recv", frame: text, file: "sim" });
  };
  const known = new Map<string, MarketInfo>();
  sim.onMarket((ev) => push("market", JSON.stringify(ev)));
  sim.onPrice((t) =>
    push(
      "rtds",
      JSON.stringify({
        topic: "crypto_prices_chainlink",
        type: "update",
        timestamp: t.priceTsMs,
        payload: { symbol: t.symbol, timestamp: t.priceTsMs, value: t.value },
      }),
    ),
  );
  const snapshotNew = (): void => {
    for (const m of sim.allMarkets()) {
      const info = m.sched.info;
      if (known.has(info.conditionId) || m.state !== "open") continue;
      known.set(info.conditionId, info);
      push("market", JSON.stringify([W.bookEvent(m, 0, sim.nowMs), W.bookEvent(m, 1, sim.nowMs)]));
    }
  };
  sim.advanceTo(startMs);
  snapshotNew();
  const endMs = startMs + opts.minutes * 60_000;
  for (let t = startMs + 100; t <= endMs; t += 100) {
    sim.advanceTo(t);
    snapshotNew();
  }
  return { frames, markets: [...known.values()] };
}
