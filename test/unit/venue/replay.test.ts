/**
 * The replay venue on hand-written frames: exact receive times, the two timelines (the
 * exchange's books change at the recorded time, the bot's after the feed latency), REST
 * `/book` bodies, mirrored sibling books, window lifecycle, and resolution from the recorded
 * underlying at the window's start and end.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { FeedEvent, MarketInfo } from "../../../src/core/ports.ts";
import type { ReplayFrame } from "../../../src/store/replay.ts";
import { BacktestExchange } from "../../../src/venue/backtest-exchange.ts";
import { ReplayDriver, relativeNs } from "../../../src/venue/replay.ts";
import { upDownMarket } from "../../helpers/fake-feed.ts";

const BASE_MS = 1_777_000_000_000;
const YES = "1001";
const NO = "1002";
const MKT: MarketInfo = upDownMarket(BASE_MS + 10_000, {
  conditionId: "0xmkt",
  slug: "btc-updown-5m-test",
  question: "",
  windowSec: 300,
  yesTokenId: YES,
  noTokenId: NO,
  endMs: BASE_MS + 310_000,
  feeRate: 0.072,
});

let seq = 0;
const frame = (ms: number, src: ReplayFrame["src"], body: unknown): ReplayFrame => ({
  seq: seq++,
  src,
  recvNs: `${BASE_MS + ms}123456`,
  timeFrom: "recv",
  frame: typeof body === "string" ? body : JSON.stringify(body),
  file: "test",
});
const book = (ms: number, asset: string, bid: string, ask: string, viaRest = false) =>
  frame(ms, "market", {
    ...(viaRest ? {} : { event_type: "book" }),
    market: MKT.conditionId,
    asset_id: asset,
    timestamp: String(BASE_MS + ms),
    hash: "h",
    bids: [{ price: bid, size: "100" }],
    asks: [{ price: ask, size: "100" }],
    tick_size: "0.01",
  });
const tick = (ms: number, priceTsMs: number, value: number) =>
  frame(ms, "rtds", {
    topic: "crypto_prices_chainlink",
    type: "update",
    timestamp: BASE_MS + ms,
    payload: { symbol: "btc/usd", timestamp: priceTsMs, value },
  });

function rig(feedLatencyMs = 0) {
  const clock = new ManualClock(BASE_MS);
  const d = new ReplayDriver({ clock, baseMs: BASE_MS, markets: [MKT], settings: { feedLatencyMs } });
  const ex = new BacktestExchange({ clock, books: (t) => d.exchangeBook(t) });
  d.attach(ex);
  const events: FeedEvent[] = [];
  d.feed.onEvent((e) => events.push(e.kind === "book" ? { ...e } : e));
  return { clock, d, ex, events };
}

describe("replay venue", () => {
  test("receive times are exact to the nanosecond past 2^53", () => {
    expect(relativeNs("1777000000102123456", BASE_MS)).toBe(102_123_456);
    expect(relativeNs("1777000000000000001", BASE_MS)).toBe(1);
  });

  test("the exchange sees a book at its recorded time, the bot after the feed latency", () => {
    const r = rig(50);
    r.d.push(book(1_000, YES, "0.48", "0.52"));
    expect(r.d.exchangeBook(YES)?.bestBidE4()).toBe(4800);
    expect(r.d.feed.book(YES)?.stale).toBe(true);
    r.d.advance(1_049e6);
    expect(r.d.feed.book(YES)?.stale).toBe(true);
    r.d.advance(1_051e6);
    expect(r.d.feed.book(YES)?.bestBidE4()).toBe(4800);
  });

  test("REST /book bodies are snapshots; a missing sibling book is seeded by the mirror", () => {
    const r = rig();
    r.d.push(book(1_000, YES, "0.48", "0.52", true));
    expect(r.d.counters.restBooks).toBe(1);
    expect(r.d.feed.book(YES)?.bestAskE4()).toBe(5200);
    // NO never had a snapshot: it reads 1 − the YES book.
    expect([r.d.feed.book(NO)?.bestBidE4(), r.d.feed.book(NO)?.bestAskE4()]).toEqual([4800, 5200]);
    expect(r.d.counters.mirroredBooks).toBe(1);
    // Its own snapshot replaces the mirror.
    r.d.push(book(2_000, NO, "0.47", "0.53"));
    expect(r.d.feed.book(NO)?.bestBidE4()).toBe(4700);
    expect(r.d.counters.mirroredBooks).toBe(1);
  });

  test("window lifecycle and resolution from the recorded Chainlink prices", () => {
    const r = rig();
    r.d.push(book(1_000, YES, "0.48", "0.52"));
    r.d.push(book(1_001, NO, "0.48", "0.52"));
    // Strike: the price at the start second; settlement: at the end second.
    r.d.push(tick(10_500, BASE_MS + 10_000, 100_000));
    r.d.push(tick(310_400, BASE_MS + 310_000, 99_999));
    r.d.push(tick(400_000, BASE_MS + 399_000, 99_000));
    const kinds = r.events.filter((e) => e.kind !== "book" && e.kind !== "underlying").map((e) => e.kind);
    expect(kinds).toEqual(["market_started", "market_ended", "resolved"]);
    const res = r.events.find((e) => e.kind === "resolved");
    expect(res).toMatchObject({ conditionId: MKT.conditionId, winningTokenId: NO });
    expect(r.ex.journal.resolutions.map((x) => x.winningTokenId)).toEqual([NO]);
    expect(r.events.filter((e) => e.kind === "underlying").length).toBe(3);
  });

  test("a recorded print reaches the fill model at its time", () => {
    const r = rig();
    r.d.push(book(1_000, YES, "0.48", "0.52"));
    r.d.push(book(1_001, NO, "0.48", "0.52"));
    r.d.advance(20_000e6);
    r.ex.place([
      {
        clientId: "c1",
        conditionId: MKT.conditionId,
        tokenId: YES,
        side: "BUY",
        priceE4: 4900,
        sizeE6: 10_000_000,
        orderType: "GTC",
        postOnly: true,
        expirationSec: 0,
      },
    ]);
    r.d.push(
      frame(21_000, "market", {
        event_type: "last_trade_price",
        market: MKT.conditionId,
        asset_id: YES,
        price: "0.48",
        size: "30",
        side: "SELL",
        timestamp: String(BASE_MS + 21_000),
      }),
    );
    r.d.advance(22_000e6);
    expect(r.ex.journal.fills.map((f) => [f.sizeE6, f.cause])).toEqual([[10_000_000, "trade_through"]]);
    expect(r.events.some((e) => e.kind === "trade")).toBe(true);
  });
});
