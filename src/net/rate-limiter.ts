/**
 * Token buckets per endpoint class, with Polymarket's published limits as defaults
 * (protocol notes §9). Two layers apply to every request and it must pass both:
 *
 * - Cloudflare per-IP windows ("N per 10 s", some also "M per 10 min"), modelled as
 *   buckets of capacity N refilling at N/10 per second;
 * - per-signer buckets for orders and cancels (tier table), charged per order / per id.
 *   `DELETE /cancel-all` costs 1 + the orders it cancels, so the caller passes that count.
 *
 * A burst queues instead of becoming a 429 storm: `reserve` always takes the tokens and
 * lets a bucket go into debt, returning how long the caller must wait before sending.
 * Later callers see the deeper debt and wait longer, so requests leave in FIFO order at
 * the bucket's rate. A request whose wait would exceed the class's `maxQueueMs` is refused
 * locally (no tokens taken): an order that would leave seconds late is a stale quote and the
 * strategy should know now. A request that costs more than a bucket's capacity can never
 * succeed at the exchange either (a batch above the burst is rejected whole), so it is
 * refused with `wontFit` and the caller splits it.
 *
 * A 429's Retry-After blocks the class's buckets until then (`penalize`).
 * Time comes from the injected `Clock`, so tests run on `ManualClock`.
 */
import type { Clock } from "../core/clock.ts";

export interface BucketSpec {
  /** Burst: tokens available at once. */
  readonly capacity: number;
  readonly refillPerSec: number;
}

export type SignerTier = "standard" | "copper" | "bronze" | "silver" | "gold" | "platinum" | "diamond" | "elite";

/** Per-signer order / cancel token buckets by tier: [orders/s, order burst, cancels/s, cancel burst]. */
export const SIGNER_TIERS: Readonly<Record<SignerTier, readonly [number, number, number, number]>> = {
  standard: [40, 60, 80, 120],
  copper: [60, 90, 120, 180],
  bronze: [80, 120, 160, 240],
  silver: [200, 300, 400, 600],
  gold: [400, 600, 800, 1_200],
  platinum: [450, 675, 900, 1_350],
  diamond: [525, 787, 1_050, 1_575],
  elite: [600, 900, 1_200, 1_800],
};

const per10s = (n: number): BucketSpec => ({ capacity: n, refillPerSec: n / 10 });
const per10min = (n: number): BucketSpec => ({ capacity: n, refillPerSec: n / 600 });

/** Cloudflare per-IP windows from the docs (protocol notes §9.1). */
export const IP_BUCKETS = {
  ip_general: per10s(9_000),
  ip_ok: per10s(100),
  ip_book: per10s(1_500),
  ip_books: per10s(500),
  ip_tick_size: per10s(200),
  ip_balance: per10s(200),
  ip_balance_update: per10s(50),
  ip_post_order: per10s(5_000),
  ip_post_order_10m: per10min(120_000),
  ip_post_orders: per10s(2_000),
  ip_post_orders_10m: per10min(21_000),
  ip_delete_order: per10s(5_000),
  ip_delete_order_10m: per10min(120_000),
  ip_delete_orders: per10s(2_000),
  ip_delete_orders_10m: per10min(15_000),
  ip_cancel_all: per10s(250),
  ip_cancel_all_10m: per10min(6_000),
  ip_cancel_market: per10s(1_500),
  ip_cancel_market_10m: per10min(21_000),
  ip_data_orders: per10s(500),
  ip_data_trades: per10s(500),
  ip_data_shared: per10s(900),
  ip_auth: per10s(100),
} as const satisfies Record<string, BucketSpec>;

export type BucketName = keyof typeof IP_BUCKETS | "signer_orders" | "signer_cancels";

export type EndpointClass =
  | "post_order"
  | "post_orders"
  | "cancel_order"
  | "cancel_orders"
  | "cancel_all"
  | "cancel_market"
  | "book"
  | "books"
  | "tick_size"
  | "market_info"
  | "balance"
  | "balance_update"
  | "data_orders"
  | "data_trades"
  | "heartbeat"
  | "auth"
  | "ok";

/** How one request of a class is charged: `perRequest + perItem × items` tokens per bucket. */
export interface Charge {
  readonly bucket: BucketName;
  readonly perRequest: number;
  readonly perItem: number;
}

const req = (bucket: BucketName): Charge => ({ bucket, perRequest: 1, perItem: 0 });
const items = (bucket: BucketName, perRequest = 0): Charge => ({ bucket, perRequest, perItem: 1 });

export const ENDPOINT_CHARGES: Readonly<Record<EndpointClass, readonly Charge[]>> = {
  post_order: [req("ip_general"), req("ip_post_order"), req("ip_post_order_10m"), items("signer_orders")],
  post_orders: [req("ip_general"), req("ip_post_orders"), req("ip_post_orders_10m"), items("signer_orders")],
  cancel_order: [req("ip_general"), req("ip_delete_order"), req("ip_delete_order_10m"), items("signer_cancels")],
  cancel_orders: [req("ip_general"), req("ip_delete_orders"), req("ip_delete_orders_10m"), items("signer_cancels")],
  // cancel-all and cancel-market cost 1 + the orders they cancel.
  cancel_all: [req("ip_general"), req("ip_cancel_all"), req("ip_cancel_all_10m"), items("signer_cancels", 1)],
  cancel_market: [req("ip_general"), req("ip_cancel_market"), req("ip_cancel_market_10m"), items("signer_cancels", 1)],
  book: [req("ip_general"), req("ip_book")],
  books: [req("ip_general"), req("ip_books")],
  tick_size: [req("ip_general"), req("ip_tick_size")],
  market_info: [req("ip_general")],
  balance: [req("ip_general"), req("ip_balance")],
  balance_update: [req("ip_general"), req("ip_balance_update")],
  data_orders: [req("ip_general"), req("ip_data_orders"), req("ip_data_shared")],
  data_trades: [req("ip_general"), req("ip_data_trades"), req("ip_data_shared")],
  heartbeat: [req("ip_general")],
  auth: [req("ip_general"), req("ip_auth")],
  ok: [req("ip_general"), req("ip_ok")],
};

/** Default longest queueing per class before a request is refused locally. */
export const DEFAULT_MAX_QUEUE_MS: Readonly<Record<EndpointClass, number>> = {
  post_order: 1_000,
  post_orders: 1_000,
  // Cancels are always allowed: they queue as long as it takes.
  cancel_order: Number.POSITIVE_INFINITY,
  cancel_orders: Number.POSITIVE_INFINITY,
  cancel_all: Number.POSITIVE_INFINITY,
  cancel_market: Number.POSITIVE_INFINITY,
  book: 5_000,
  books: 5_000,
  tick_size: 5_000,
  market_info: 5_000,
  balance: 10_000,
  balance_update: 10_000,
  data_orders: 10_000,
  data_trades: 10_000,
  heartbeat: 2_000,
  auth: 10_000,
  ok: 10_000,
};

export interface RateLimiterOptions {
  readonly tier?: SignerTier;
  /** Overrides any bucket's capacity / refill (e.g. the 15,000 general limit some report). */
  readonly buckets?: Partial<Record<BucketName, BucketSpec>>;
  readonly maxQueueMs?: Partial<Record<EndpointClass, number>>;
  /** Fraction of each capacity we allow ourselves (default 1): a margin for clock skew. */
  readonly headroom?: number;
}

/** What `reserve` decided. `waitMs` 0 = send now. */
export type Reservation =
  | { readonly ok: true; readonly waitMs: number }
  | { readonly ok: false; readonly reason: "queue_full" | "wont_fit"; readonly waitMs: number; readonly bucket: BucketName };

export interface ClassStats {
  requests: number;
  waits: number;
  waitedMs: number;
  refusedQueueFull: number;
  refusedWontFit: number;
}

interface Bucket {
  readonly name: BucketName;
  readonly capacity: number;
  readonly ratePerNs: number;
  tokens: number;
  lastNs: number;
  blockedUntilNs: number;
}

export class RateLimiter {
  private readonly clock: Clock;
  private readonly buckets = new Map<BucketName, Bucket>();
  private readonly maxQueueMs: Record<EndpointClass, number>;
  private readonly stats = new Map<EndpointClass, ClassStats>();
  penalties = 0;

  constructor(clock: Clock, opts: RateLimiterOptions = {}) {
    this.clock = clock;
    const headroom = opts.headroom ?? 1;
    const [oRate, oBurst, cRate, cBurst] = SIGNER_TIERS[opts.tier ?? "standard"];
    const specs: Record<BucketName, BucketSpec> = {
      ...IP_BUCKETS,
      signer_orders: { capacity: oBurst, refillPerSec: oRate },
      signer_cancels: { capacity: cBurst, refillPerSec: cRate },
      ...opts.buckets,
    };
    const now = clock.nowNs();
    for (const [name, spec] of Object.entries(specs) as [BucketName, BucketSpec][]) {
      const capacity = Math.max(1, Math.floor(spec.capacity * headroom));
      this.buckets.set(name, {
        name,
        capacity,
        ratePerNs: (spec.refillPerSec * headroom) / 1e9,
        tokens: capacity,
        lastNs: now,
        blockedUntilNs: 0,
      });
    }
    this.maxQueueMs = { ...DEFAULT_MAX_QUEUE_MS, ...opts.maxQueueMs };
  }

  /** The largest item count one request of this class can carry (the smallest burst it charges). */
  maxItems(cls: EndpointClass): number {
    let max = Number.POSITIVE_INFINITY;
    for (const c of ENDPOINT_CHARGES[cls]) {
      if (c.perItem === 0) continue;
      const b = this.bucket(c.bucket);
      max = Math.min(max, Math.floor((b.capacity - c.perRequest) / c.perItem));
    }
    return max;
  }

  /**
   * Takes the tokens for one request of `cls` carrying `itemCount` items (orders, ids,
   * or orders a cancel-all will cancel) and returns how long to wait before sending.
   */
  reserve(cls: EndpointClass, itemCount = 1): Reservation {
    const now = this.clock.nowNs();
    const st = this.classStats(cls);
    st.requests++;
    const charges = ENDPOINT_CHARGES[cls];
    let waitNs = 0;
    for (const c of charges) {
      const b = this.bucket(c.bucket);
      const cost = c.perRequest + c.perItem * itemCount;
      if (cost > b.capacity) {
        st.refusedWontFit++;
        return { ok: false, reason: "wont_fit", waitMs: 0, bucket: b.name };
      }
      refill(b, now);
      let w = b.tokens >= cost ? 0 : (cost - b.tokens) / b.ratePerNs;
      if (b.blockedUntilNs > now) w = Math.max(w, b.blockedUntilNs - now);
      waitNs = Math.max(waitNs, w);
    }
    const waitMs = Math.ceil(waitNs / 1e6);
    if (waitMs > this.maxQueueMs[cls]) {
      st.refusedQueueFull++;
      return { ok: false, reason: "queue_full", waitMs, bucket: this.worstBucket(cls, itemCount, now) };
    }
    for (const c of charges) this.bucket(c.bucket).tokens -= c.perRequest + c.perItem * itemCount;
    if (waitMs > 0) {
      st.waits++;
      st.waitedMs += waitMs;
    }
    return { ok: true, waitMs };
  }

  /** The exchange said 429 (Retry-After `ms`): nothing in this class leaves before then. */
  penalize(cls: EndpointClass, retryAfterMs: number): void {
    this.penalties++;
    const until = this.clock.nowNs() + Math.max(0, retryAfterMs) * 1e6;
    for (const c of ENDPOINT_CHARGES[cls]) {
      if (c.bucket === "ip_general") continue;
      const b = this.bucket(c.bucket);
      b.blockedUntilNs = Math.max(b.blockedUntilNs, until);
    }
  }

  /** Tokens available now (negative = queued debt), for status and tests. */
  available(name: BucketName): number {
    const b = this.bucket(name);
    refill(b, this.clock.nowNs());
    return b.tokens;
  }

  snapshot(): Readonly<Record<string, ClassStats>> {
    return Object.fromEntries([...this.stats].map(([k, v]) => [k, { ...v }]));
  }

  totals(): ClassStats {
    const t: ClassStats = { requests: 0, waits: 0, waitedMs: 0, refusedQueueFull: 0, refusedWontFit: 0 };
    for (const s of this.stats.values()) {
      t.requests += s.requests;
      t.waits += s.waits;
      t.waitedMs += s.waitedMs;
      t.refusedQueueFull += s.refusedQueueFull;
      t.refusedWontFit += s.refusedWontFit;
    }
    return t;
  }

  private worstBucket(cls: EndpointClass, itemCount: number, now: number): BucketName {
    let worst: BucketName = "ip_general";
    let worstWait = -1;
    for (const c of ENDPOINT_CHARGES[cls]) {
      const b = this.bucket(c.bucket);
      const cost = c.perRequest + c.perItem * itemCount;
      const w = Math.max((cost - b.tokens) / b.ratePerNs, b.blockedUntilNs - now);
      if (w > worstWait) {
        worstWait = w;
        worst = b.name;
      }
    }
    return worst;
  }

  private bucket(name: BucketName): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new RangeError(`unknown rate-limit bucket: ${name}`);
    return b;
  }

  private classStats(cls: EndpointClass): ClassStats {
    let s = this.stats.get(cls);
    if (!s) {
      s = { requests: 0, waits: 0, waitedMs: 0, refusedQueueFull: 0, refusedWontFit: 0 };
      this.stats.set(cls, s);
    }
    return s;
  }
}

function refill(b: Bucket, now: number): void {
  if (now > b.lastNs) {
    b.tokens = Math.min(b.capacity, b.tokens + (now - b.lastNs) * b.ratePerNs);
    b.lastNs = now;
  }
}
