/**
 * The venue's own running counters, offered to the metrics without going through the ports:
 * the client stack (cli/compose-clob.ts, cli/compose-feed.ts) registers where its counters
 * live, keyed by the `MarketFeed` it hands out; `BotObservability` finds them by that feed and
 * reads them on its collection tick (scrape time), turning each cumulative count into a
 * counter increment of the difference since the last read. Nothing here runs per message.
 *
 * Sources (all plain integers kept by the parsers and the limiter already):
 * - parse errors by channel and code: the market channel codec, RTDS, the user channel codec,
 *   REST reply bodies (`PolymarketRest.stats.badBodies`);
 * - rate-limit waits by endpoint class: the limiter's queueing (including the block a 429's
 *   Retry-After puts on the class) and the 429 replies that reached the REST client.
 */
import type { CounterChild } from "./metrics.ts";

/** Cumulative counts by code for one channel ("market", "user", "rtds", "rest"). */
export interface CodeCountSource {
  readonly channel: string;
  counts(): Readonly<Record<string, number>>;
}

/** Cumulative rate-limit figures of one endpoint class. */
export interface RateLimitSample {
  readonly endpoint: string;
  /** Requests delayed by the limiter or answered 429. */
  readonly waits: number;
  /** Milliseconds those requests waited in the limiter. */
  readonly waitedMs: number;
}

export interface VenueStats {
  readonly parseErrors: CodeCountSource[];
  readonly rateLimits: Array<() => Iterable<RateLimitSample>>;
}

const BY_FEED = new WeakMap<object, VenueStats>();

/** The stats registered for this feed, created empty on first use (for the composer to fill). */
export function venueStatsFor(feed: object): VenueStats {
  let s = BY_FEED.get(feed);
  if (!s) {
    s = { parseErrors: [], rateLimits: [] };
    BY_FEED.set(feed, s);
  }
  return s;
}

/** The stats registered for this feed, if its composer registered any. */
export function venueStatsOf(feed: object): VenueStats | undefined {
  return BY_FEED.get(feed);
}

/**
 * Feeds counters from cumulative values: `sync(child, key, total)` adds `total − last` (a
 * source that went backwards, e.g. a replaced codec, restarts from its new value).
 */
export class CumulativeSync {
  readonly #last = new Map<string, number>();

  sync(child: CounterChild, key: string, total: number): void {
    const last = this.#last.get(key) ?? 0;
    if (total === last) return;
    this.#last.set(key, total);
    if (total > last) child.inc(total - last);
  }
}
