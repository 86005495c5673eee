/**
 * The composition glue: CompositeFeed folds every socket's connection into one state (down
 * when any is down, up when all are), injects the roll plan's lifecycle events in order, and
 * forwards data; ConnectedExchange adds user-channel connection events and carries out
 * merges (a merged event only when the merge succeeded). Also the status screen's rendering.
 */
import { describe, expect, test } from "bun:test";
import type { BotSnapshot } from "../../../src/bots/market-maker-bot.ts";
import { CompositeFeed, ConnectedExchange } from "../../../src/cli/compose-feed.ts";
import type { ExchangeEvent, FeedEvent } from "../../../src/core/ports.ts";
import { renderStatus } from "../../../src/monitor/status.ts";
import { FakeExchange, settleMicrotasks } from "../../helpers/fake-exchange.ts";
import { FakeFeed, upDownMarket } from "../../helpers/fake-feed.ts";

const conn = (state: "connected" | "disconnected" | "stale" | "resynced", reason = ""): FeedEvent => ({
  kind: "connection",
  state,
  atNs: 0,
  reason,
});

describe("CompositeFeed", () => {
  test("down when any source is down, up only when every source is up", () => {
    const market = new FakeFeed();
    const rtds = new FakeFeed();
    const feed = new CompositeFeed(market, [["rtds", rtds]]);
    const seen: FeedEvent[] = [];
    feed.onEvent((ev) => seen.push(ev));
    rtds.emit(conn("stale", "rtds silent"));
    market.emit(conn("disconnected", "socket closed"));
    market.emit(conn("connected", "reconnected"));
    rtds.emit(conn("resynced", "data resumed"));
    expect(seen.map((e) => (e.kind === "connection" ? `${e.state}|${e.reason}` : e.kind))).toEqual([
      "stale|rtds: rtds silent",
      "resynced|rtds: data resumed",
    ]);
  });

  test("data passes through; a roll plan subscribes, emits ended before started, unsubscribes", () => {
    const market = new FakeFeed();
    const feed = new CompositeFeed(market);
    const seen: string[] = [];
    feed.onEvent((ev) => seen.push(ev.kind === "market_started" || ev.kind === "market_ended" ? `${ev.kind}:${ev.market.slug}` : ev.kind));
    const a = upDownMarket(1_000_000);
    const b = upDownMarket(1_900_000);
    feed.applyPlan({
      subscribe: [b],
      unsubscribe: [],
      events: [
        { kind: "market_ended", market: a },
        { kind: "market_started", market: b },
      ],
      nextWakeMs: 0,
    });
    market.emit({ kind: "book", tokenId: b.yesTokenId, recvNs: 0 });
    expect(seen).toEqual([`market_ended:${a.slug}`, `market_started:${b.slug}`, "book"]);
    expect(market.subscribed.has(b.conditionId)).toBe(true);
    expect(feed.marketOfToken(b.noTokenId)).toBe(b);
    feed.applyPlan({ subscribe: [], unsubscribe: [b.conditionId], events: [], nextWakeMs: 0 });
    expect(market.subscribed.has(b.conditionId)).toBe(false);
    expect(feed.marketOfToken(b.noTokenId)).toBeUndefined();
  });
});

describe("ConnectedExchange", () => {
  test("user-channel transitions become venue connection events; repeats do not", () => {
    const inner = new FakeExchange();
    const ex = new ConnectedExchange(inner, { nowNs: () => 0 });
    const seen: ExchangeEvent[] = [];
    ex.onEvent((ev) => seen.push(ev));
    ex.userConnection("disconnected", 0, "closed");
    ex.userConnection("disconnected", 0, "closed again");
    ex.userConnection("connected", 0, "back");
    inner.emit({ kind: "ack", clientId: "c", orderId: "o", status: "live", atNs: 0 });
    expect(seen.map((e) => (e.kind === "connection" ? `${e.state}|${e.reason}` : e.kind))).toEqual([
      "disconnected|user channel: closed",
      "connected|user channel: back",
      "ack",
    ]);
  });

  test("a merge emits `merged` only when the venue merged; without a merger it is skipped", async () => {
    const results = [true, false];
    const ex = new ConnectedExchange(new FakeExchange(), { nowNs: () => 0 }, async () => results.shift() ?? false);
    const seen: ExchangeEvent[] = [];
    ex.onEvent((ev) => seen.push(ev));
    ex.merge("m", 5_000_000);
    ex.merge("m", 5_000_000);
    await settleMicrotasks();
    expect(seen).toEqual([{ kind: "merged", conditionId: "m", sizeE6: 5_000_000, atNs: 0 }]);
    expect(ex.stats).toEqual({ merges: 1, mergeFailures: 1, mergesSkipped: 0 });
    const none = new ConnectedExchange(new FakeExchange(), { nowNs: () => 0 });
    none.merge("m", 1);
    expect(none.stats.mergesSkipped).toBe(1);
  });
});

describe("renderStatus", () => {
  test("one line per market with fair value, our quotes, the book, inventory, P&L, state", () => {
    const snap: BotSnapshot = {
      nowMs: 1_780_000_000_000,
      breaker: "HALTED",
      haltReasons: ["stale_feed"],
      markets: [
        {
          conditionId: "0x1",
          slug: "btc-updown-15m-1780000000",
          phase: "live",
          secondsLeft: 420,
          fairValue: 0.5234,
          bidE4: 5100,
          askE4: 5400,
          bookBidE4: 5200,
          bookAskE4: 5300,
          yesE6: 12_500_000,
          noE6: 0,
          realisedE6: 1_250_000,
          unrealisedE6: -300_000,
          fills: 3,
          volScore: 12.4,
          state: "quoting",
        },
      ],
      totals: {
        marketsSeen: 1,
        marketsQuoted: 1,
        quotesSent: 9,
        cancelsSent: 7,
        requotes: 5,
        preemptiveCancels: 1,
        fills: 3,
        rejects: 2,
        rejectsByCode: { POST_ONLY_CROSS: 1, INSUFFICIENT_BALANCE: 1 },
        sellsAsBuys: 0,
        sellsShrunk: 0,
        sellsSkipped: 0,
        riskTrips: 1,
        riskDenials: 0,
        merges: 0,
        hedges: 0,
        cancelAlls: 1,
        maxAbsInventoryE6: 12_500_000,
        maxAbsInventoryUsdE6: 6_000_000,
      },
      pnl: {
        realisedE6: 1_250_000,
        unrealisedE6: -300_000,
        feesE6: 0,
        totalE6: 950_000,
        fills: 3,
        volumeE6: 15_000_000,
        markout: { count: 3, sharesE6: 30_000_000, totalE6: 300_000, perShareE4: 100 },
      },
    };
    const lines = renderStatus(snap);
    expect(lines[0]).toContain("breaker HALTED (stale_feed)");
    expect(lines[1]).toContain("P&L $0.95");
    expect(lines[1]).toContain("markout(10s) 1.00¢/sh over 3");
    expect(lines[1]).toContain("rejects 2");
    const row = lines.find((l) => l.startsWith("btc-updown-15m"));
    expect(row).toContain("420s");
    expect(row).toContain("0.523");
    expect(row).toContain("0.51/0.54");
    expect(row).toContain("0.52/0.53");
    expect(row).toContain("12.50/0");
    expect(row).toContain("$1.25");
    expect(row).toContain("-$0.30");
    expect(row).toContain("quoting");
  });
});
