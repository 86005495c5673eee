import { afterEach, describe, expect, test } from "bun:test";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  GammaClient,
  isAcceptingOrders,
  parseGammaMarket,
  upDownSeriesSlug,
  upDownSlug,
  windowStartSec,
} from "../../../src/polymarket/gamma.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const GAMMA = path.join(SHARED, "data/gamma");

async function json(file: string): Promise<unknown> {
  return JSON.parse(await Bun.file(path.join(GAMMA, file)).text());
}

interface LigengxinRow {
  slug: string;
  condition_id: string;
  token_ids: [string, string];
  start_sec: number;
  end_sec: number;
  raw: Record<string, unknown>;
}

async function ligengxin(): Promise<LigengxinRow[]> {
  const gz = await Bun.file(path.join(GAMMA, "ligengxin_BTC-5m-markets-2026-06-08.jsonl.gz")).arrayBuffer();
  return gunzipSync(new Uint8Array(gz))
    .toString("utf8")
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as LigengxinRow);
}

describe("parseGammaMarket on real Gamma objects (../shared/data/gamma)", () => {
  test("all 292 BTC 5m markets of 2026-06-08 parse, with the seller's own token ids and window", async () => {
    const rows = await ligengxin();
    expect(rows.length).toBe(292);
    const ticks = new Map<number, number>();
    for (const row of rows) {
      const r = parseGammaMarket(row.raw);
      if (!r.ok) throw new Error(`${row.slug}: ${r.reason}`);
      const m = r.value;
      expect(m.slug).toBe(row.slug);
      expect(m.conditionId).toBe(row.condition_id);
      expect([m.yesTokenId, m.noTokenId]).toEqual(row.token_ids);
      expect(m.outcomes).toEqual(["Up", "Down"]);
      expect(m.startMs).toBe(row.start_sec * 1000);
      expect(m.endMs).toBe(row.end_sec * 1000);
      expect(m.windowSec).toBe(300);
      expect(m.underlying).toBe("btc/usd");
      expect(m.minSizeE6).toBe(5_000_000);
      expect(m.negRisk).toBe(false);
      expect(m.exchangeVersion).toBe(2);
      expect(m.feeRate).toBe(0.07);
      expect(m.feeExponent).toBe(1);
      expect(m.rebateRate).toBe(0.2);
      expect(m.resolution).toBe("price_at_end"); // June 2026: spot Chainlink stream, pre-TWAP
      expect(upDownSlug("BTC", "5m", row.start_sec)).toBe(row.slug);
      ticks.set(m.tickE4, (ticks.get(m.tickE4) ?? 0) + 1);
    }
    expect(Object.fromEntries(ticks)).toEqual({ 100: 266, 10: 26 });
  });

  test("the TWAP-era market (Aug 2026) resolves on twap60 and uses eventStartTime, not startDate", async () => {
    const r = parseGammaMarket(await json("nautilus_v2_gamma_market_btc-updown-5m-1787414400_trimmed.json"));
    if (!r.ok) throw new Error(r.reason);
    expect(r.value).toMatchObject({
      slug: "btc-updown-5m-1787414400",
      conditionId: "0x2eea28aa905ace2f5cace17ea2b9e0e7b85a27f32ee14ed292f02fa104956bc4",
      yesTokenId: "113013382422133157315656090194075928009220145127085300671933810669470922115281",
      noTokenId: "38034349155375505476764349018583065542443879908961992019053731521216367745079",
      startMs: 1787414400 * 1000,
      endMs: 1787414700 * 1000,
      windowSec: 300,
      tickE4: 100,
      resolution: "twap60",
      underlying: "btc/usd",
    });
  });

  test("the March 2026 market and a neg-risk Yes/No event market", async () => {
    const a = parseGammaMarket(await json("nautilus_gamma_market_btc-updown-5m-1773307200.json"));
    if (!a.ok) throw new Error(a.reason);
    expect(a.value.startMs).toBe(Date.parse("2026-03-12T09:20:00Z"));
    expect(a.value.question).toBe("Bitcoin Up or Down - March 12, 5:20AM-5:25AM ET");
    const ev = (await json("nautilus_gamma_event_democratic-presidential-nominee-2028.json")) as Array<{ markets: unknown[] }>;
    const b = parseGammaMarket(ev[0]?.markets[0]);
    if (!b.ok) throw new Error(b.reason);
    expect(b.value).toMatchObject({ negRisk: true, tickE4: 10, outcomes: ["Yes", "No"], underlying: "", windowSec: 0, feeRate: 0 });
  });

  test("labels decide Up/Down, not positions; v2 markets read positionIds and ExchangeV3", async () => {
    const base = (await json("nautilus_v2_gamma_market_btc-updown-5m-1787414400_trimmed.json")) as Record<string, unknown>;
    const swapped = { ...base, outcomes: '["Down", "Up"]' };
    const s = parseGammaMarket(swapped);
    if (!s.ok) throw new Error(s.reason);
    expect(s.value.yesTokenId).toBe("38034349155375505476764349018583065542443879908961992019053731521216367745079");
    expect(s.value.outcomes).toEqual(["Up", "Down"]);
    const v2 = parseGammaMarket({ ...base, version: "v2", positionIds: ["11", "22"] });
    if (!v2.ok) throw new Error(v2.reason);
    expect(v2.value).toMatchObject({ exchangeVersion: 3, yesTokenId: "11", noTokenId: "22" });
  });

  test("bad input gives a coded error naming the field, never a throw", () => {
    expect(parseGammaMarket(null)).toMatchObject({ ok: false, code: "NOT_OBJECT" });
    const good = {
      conditionId: "0x1",
      slug: "s",
      outcomes: '["Up","Down"]',
      clobTokenIds: '["1","2"]',
      orderPriceMinTickSize: 0.01,
      orderMinSize: 5,
      eventStartTime: "2026-01-01T00:00:00Z",
      endDate: "2026-01-01T00:05:00Z",
    };
    expect(parseGammaMarket(good).ok).toBe(true);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, slug: undefined }, "MISSING_FIELD"],
      [{ ...good, outcomes: "not json" }, "BAD_OUTCOMES"],
      [{ ...good, clobTokenIds: '["1"]' }, "BAD_TOKENS"],
      [{ ...good, clobTokenIds: '["1","0xabc"]' }, "BAD_TOKENS"],
      [{ ...good, orderPriceMinTickSize: 0.02 }, "BAD_TICK"],
      [{ ...good, orderMinSize: -1 }, "BAD_MIN_SIZE"],
      [{ ...good, endDate: "yesterday" }, "BAD_DATE"],
      [{ ...good, feeSchedule: { rate: "x" } }, "BAD_FEES"],
    ];
    for (const [obj, code] of cases) expect(parseGammaMarket(obj)).toMatchObject({ ok: false, code });
    expect(isAcceptingOrders({ acceptingOrders: false })).toBe(false);
    expect(isAcceptingOrders({ acceptingOrders: true, closed: false })).toBe(true);
  });
});

describe("slug arithmetic", () => {
  test("5m/15m slugs use the window start; hourly uses the New York hour (DST-aware)", () => {
    expect(windowStartSec(1786856512, "5m")).toBe(1786856400);
    expect(upDownSlug("BTC", "5m", windowStartSec(1786856512, "5m"))).toBe("btc-updown-5m-1786856400");
    expect(upDownSlug("ETH", "15m", windowStartSec(1777514401, "15m"))).toBe("eth-updown-15m-1777514400");
    // The one real hourly slug: "Bitcoin Up or Down - July 2, 11PM ET" = 2025-07-03T03:00Z (EDT).
    expect(upDownSlug("BTC", "1h", Date.parse("2025-07-03T03:00:00Z") / 1000)).toBe("bitcoin-up-or-down-july-2-11pm-et");
    // Winter (EST, UTC-5) and noon/midnight edges.
    expect(upDownSlug("SOL", "1h", Date.parse("2026-01-15T17:00:00Z") / 1000)).toBe("solana-up-or-down-january-15-12pm-et");
    expect(upDownSlug("ETH", "1h", Date.parse("2026-01-15T05:00:00Z") / 1000)).toBe("ethereum-up-or-down-january-15-12am-et");
    expect(upDownSeriesSlug("BTC", "1h")).toBe("btc-up-or-down-hourly");
    expect(upDownSeriesSlug("BTC", "5m")).toBe("btc-up-or-down-5m");
  });
});

describe("GammaClient against a local Gamma-like server", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterEach(async () => {
    await server?.stop(true);
  });

  function market(slug: string, startSec: number, windowSec: number): Record<string, unknown> {
    return {
      conditionId: `0x${startSec.toString(16)}`,
      slug,
      outcomes: '["Up", "Down"]',
      clobTokenIds: `["${startSec}1", "${startSec}2"]`,
      orderPriceMinTickSize: 0.01,
      orderMinSize: 5,
      eventStartTime: new Date(startSec * 1000).toISOString(),
      endDate: new Date((startSec + windowSec) * 1000).toISOString(),
      feeSchedule: { rate: 0.07, exponent: 1, rebateRate: 0.2 },
    };
  }

  test("discover finds current + next windows, skips unlisted ones, falls back to the hourly series", async () => {
    const now = 1786856512;
    const s5 = windowStartSec(now, "5m");
    const s1h = windowStartSec(now, "1h");
    const bySlug = new Map<string, unknown>([
      [upDownSlug("BTC", "5m", s5), market(upDownSlug("BTC", "5m", s5), s5, 300)],
      [upDownSlug("BTC", "5m", s5 + 300), market(upDownSlug("BTC", "5m", s5 + 300), s5 + 300, 300)],
    ]);
    const seen: string[] = [];
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const u = new URL(req.url);
        seen.push(`${u.pathname}${u.search}`);
        if (u.pathname === "/markets") {
          const m = bySlug.get(u.searchParams.get("slug") ?? "");
          return Response.json(m ? [m] : []);
        }
        if (u.pathname === "/events" && u.searchParams.get("series_slug") === "btc-up-or-down-hourly") {
          return Response.json([{ markets: [market("hourly-x", s1h, 3600)] }]);
        }
        if (u.pathname === "/events") return Response.json([]);
        return new Response("nope", { status: 500 });
      },
    });
    const g = new GammaClient({ baseUrl: `http://127.0.0.1:${server.port}/` });
    const r = await g.discover(["BTC"], ["5m", "1h"], now * 1000, 1);
    expect(r.errors).toEqual([]);
    expect(r.markets.map((m) => m.slug).sort()).toEqual(
      [upDownSlug("BTC", "5m", s5), upDownSlug("BTC", "5m", s5 + 300), "hourly-x"].sort(),
    );
    expect(seen.some((s) => s.includes("series_slug=btc-up-or-down-hourly"))).toBe(true);
    const byToken = await g.market("12345678901234");
    expect(byToken).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect(seen.at(-1)).toBe("/markets?clob_token_ids=12345678901234");
  });

  test("HTTP and network failures are coded results", async () => {
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("down", { status: 503 }) });
    const g = new GammaClient({ baseUrl: `http://127.0.0.1:${server.port}` });
    expect(await g.marketBySlug("x")).toMatchObject({ ok: false, code: "HTTP" });
    const port = server.port;
    await server.stop(true);
    server = undefined;
    const dead = new GammaClient({ baseUrl: `http://127.0.0.1:${port}` });
    expect(await dead.marketBySlug("x")).toMatchObject({ ok: false, code: "NETWORK" });
  });
});
