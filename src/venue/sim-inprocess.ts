/**
 * The embedded simulator as a venue **in process**: a `MarketFeed` and an `ExchangeClient`
 * over a `SimExchange`, no sockets, no signing, no HTTP. For fast end-to-end tests, the
 * one-hour comparison runs and the backtester, on a `ManualClock` the caller advances.
 *
 * What is real: the simulator (matching, accounts, flow, lifecycle), the market-channel
 * decoder and the book cache (every wire event the simulator emits goes through
 * `decodeMarketObject` into `BookCache`, exactly as socket frames do), the user-channel
 * decoder for our orders and trades. What is not: transport, signing, REST codecs, rate
 * limits (the network run covers those: cli/compose.ts `--venue sim`).
 *
 * Latency: every command reaches the simulator `latencyMs` after it is issued, and every
 * event reaches the bot `latencyMs` after the simulator emitted it (one FIFO per direction,
 * one clock timer at a time), so nothing re-enters the caller and ordering is as on a
 * socket. Deterministic for a given seed, clock steps and latency.
 *
 * Auto-roll: the feed discovers the simulator's listed markets for the chosen coins and
 * windows and runs the pure `RollPlanner`: subscribe `leadMs` before the start (snapshots
 * are pushed at once, as the real server does after a subscribe), `market_started` /
 * `market_ended` at the window edges, unsubscribe on resolution.
 *
 * Fault hooks for tests: `feed.disconnect()` / `feed.reconnect()` (books go stale, then
 * fresh snapshots), `feed.pause()` / `feed.resume()` (silence without a disconnect: the
 * stale-feed breaker's case), `exchange.connection(state, reason)` (a venue connection event).
 *
 * Files: the feed is sim-inprocess-feed.ts, the exchange sim-inprocess-exchange.ts; this one
 * wires them over one simulator and re-exports both.
 */
import type { Clock } from "../core/clock.ts";
import type { SimExchange } from "../sim/exchange.ts";
import { InProcessExchange } from "./sim-inprocess-exchange.ts";
import { InProcessFeed, type InProcessFeedOptions } from "./sim-inprocess-feed.ts";

export { InProcessExchange, type InProcessExchangeOptions } from "./sim-inprocess-exchange.ts";
export { InProcessFeed, type InProcessFeedOptions } from "./sim-inprocess-feed.ts";

/** Feed and exchange of one in-process simulator, plus the step that moves it. */
export interface InProcessVenue {
  readonly sim: SimExchange;
  readonly feed: InProcessFeed;
  readonly exchange: InProcessExchange;
  /** Advances the clock (firing every due timer) and the simulator to its wall time, in `stepMs` slices. */
  advance(ms: number, stepMs?: number): void;
}

export interface InProcessVenueOptions extends Omit<InProcessFeedOptions, "clock"> {
  readonly clock: { advanceBy(ms: number): void } & Clock;
  readonly apiKey?: string;
  readonly address?: string;
}

/** Wires feed + exchange over `sim` on a clock the caller advances (a `ManualClock`). */
export function inProcessVenue(opts: InProcessVenueOptions): InProcessVenue {
  const { sim, clock } = opts;
  const feed = new InProcessFeed(opts);
  const exchange = new InProcessExchange({
    sim,
    clock,
    apiKey: opts.apiKey ?? "b0757a00-0000-4000-8000-000000000001",
    address: opts.address ?? "0xb0757a0000000000000000000000000000000001",
    ...(opts.latencyMs !== undefined && { latencyMs: opts.latencyMs }),
  });
  return {
    sim,
    feed,
    exchange,
    advance(ms: number, stepMs = 50): void {
      let left = ms;
      while (left > 0) {
        const d = Math.min(stepMs, left);
        left -= d;
        clock.advanceBy(d);
        sim.advanceTo(clock.wallMs());
      }
    },
  };
}
