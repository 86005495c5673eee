/**
 * MarketMakerBot decisions with fakes (scripted feed, synchronous acking venue, ManualClock):
 * requote on threshold, requote after a fill, pre-emptive cancel, stop before the end,
 * cancel-all on disconnect, risk trips (stale feed, volatility) → cancel all + stop → recover.
 */
import { describe, expect, test } from "bun:test";
import { type BotEventFields, MarketMakerBot } from "../../../src/bots/market-maker-bot.ts";
import { DEFAULT_MM_PARAMS, type MarketMakerParams } from "../../../src/bots/market-maker-params.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import type { MarketInfo, OrderIntent } from "../../../src/core/ports.ts";
import { AckingExchange } from "../../helpers/acking-exchange.ts";
import { FakeFeed, upDownMarket } from "../../helpers/fake-feed.ts";

const START_MS = 1_780_000_800_000; // the market's window start (a whole second)
const WARM_S = 30; // underlying seconds before the start
const P0 = 100_000;

const PARAMS: MarketMakerParams = {
  ...DEFAULT_MM_PARAMS,
  requoteThresholdE4: 150,
  modelWeightAtStart: 0.5,
  modelWeightAtEnd: 0.5,
  minUnderlyingSamples: 5,
  tokenVol: { ...DEFAULT_MM_PARAMS.tokenVol, minSamples: 2 },
  underlyingVol: { ...DEFAULT_MM_PARAMS.underlyingVol, minSamples: 2 },
  presign: false,
  micropriceSmoothingMs: 0,
  adverseCover: 0, // base spread only; the model-volatility widening has its own test
};

interface Rig {
  clock: ManualClock;
  feed: FakeFeed;
  ex: AckingExchange;
  bot: MarketMakerBot;
  market: MarketInfo;
  events: Array<{ event: string; fields: BotEventFields }>;
  /** Current second of the clock (0 = WARM_S before the window start). */
  sec: number;
  /** Advances one second: underlying tick at `price`, and the YES book re-sent. */
  step(price?: number): void;
  book: [number, number];
}

function rig(params: MarketMakerParams = PARAMS, market = upDownMarket(START_MS, { endMs: START_MS + 300_000, windowSec: 300 })): Rig {
  const clock = new ManualClock(START_MS - WARM_S * 1000);
  const feed = new FakeFeed();
  const ex = new AckingExchange();
  const events: Rig["events"] = [];
  const bot = new MarketMakerBot({ feed, exchange: ex, clock, params, events: (_l, event, fields) => events.push({ event, fields }) });
  void bot.run();
  const r: Rig = {
    clock,
    feed,
    ex,
    bot,
    market,
    events,
    sec: 0,
    book: [4850, 5050],
    step(price?: number) {
      r.sec++;
      clock.advanceTo(r.sec * 1e9);
      const p = price ?? (r.sec < WARM_S && r.sec % 2 === 1 ? P0 * (1 + 1e-4) : P0);
      feed.underlying("btc/usd", p, clock.wallMs());
      feed.setYesBook(market, [[r.book[0], 200_000_000]], [[r.book[1], 200_000_000]]);
    },
  };
  feed.underlying("btc/usd", P0, clock.wallMs());
  while (r.sec < WARM_S) r.step();
  feed.emit({ kind: "market_started", market, recvNs: 0 });
  r.step();
  r.step();
  return r;
}

const placedSince = (ex: AckingExchange, n: number): OrderIntent[] => ex.placed().slice(n);
const cancelledSince = (ex: AckingExchange, n: number): string[] => ex.cancelled().slice(n);
const liveOf = (ex: AckingExchange) => [...ex.live.values()];

describe("MarketMakerBot quoting", () => {
  test("quotes both sides around the fair value: BUY YES at the bid, BUY NO at 1 − ask", () => {
    const r = rig();
    const live = liveOf(r.ex);
    expect(live.length).toBe(2);
    const yes = live.find((i) => i.tokenId === r.market.yesTokenId);
    const no = live.find((i) => i.tokenId === r.market.noTokenId);
    // microprice 0.495, model 0.5, equal weights → fair value 0.4975; spread 0.02 →
    // bid 0.4875 → 0.48 on the grid, ask 0.5075 → 0.51 (NO bid at 0.49)
    expect(yes).toMatchObject({ side: "BUY", priceE4: 4800, sizeE6: 10_000_000, postOnly: true, orderType: "GTC" });
    expect(no).toMatchObject({ side: "BUY", priceE4: 4900, sizeE6: 10_000_000, postOnly: true });
    expect(r.bot.snapshot().markets[0]?.state).toBe("quoting");
  });

  test("the spread widens to cover the fair value's own move over the reaction horizon", () => {
    const r = rig({ ...PARAMS, adverseCover: 1 });
    const x = [...r.bot.markets.values()][0]?.ext;
    if (!x) throw new Error("no market");
    // ~5 minutes left near the money: one sd of the underlying over 1 s moves P(Up) by >1 cent
    expect(x.pMoveE4).toBeGreaterThan(100);
    const live = liveOf(r.ex);
    const bid = live.find((i) => i.tokenId === r.market.yesTokenId)?.priceE4 ?? 0;
    const noBid = live.find((i) => i.tokenId === r.market.noTokenId)?.priceE4 ?? 0;
    const spread = 10_000 - noBid - bid;
    expect(spread).toBeGreaterThanOrEqual(Math.floor((2 * x.pMoveE4) / 100) * 100);
    expect(spread).toBeGreaterThan(PARAMS.quote.baseSpreadE4);
  });

  test("an Up/Down market whose strike is unknown is not quoted (the model is required)", () => {
    // started 60 s before the bot's history begins: no strike
    const early = upDownMarket(START_MS - WARM_S * 1000 - 60_000, { endMs: START_MS + 300_000, windowSec: 300 });
    const r = rig(PARAMS, early);
    expect(liveOf(r.ex)).toEqual([]);
    expect(r.bot.snapshot().markets[0]?.state).toBe("no_fair_value");
  });

  test("a window already running when the bot started is quoted on the venue's published strike (Gamma priceToBeat)", () => {
    const early = upDownMarket(START_MS - WARM_S * 1000 - 60_000, { endMs: START_MS + 300_000, windowSec: 300, strikePrice: P0 * 1.0005 });
    const r = rig(PARAMS, early);
    expect(r.events.find((e) => e.event === "strike")?.fields).toMatchObject({ strike: P0 * 1.0005, source: "venue" });
    expect(liveOf(r.ex).length).toBe(2);
    expect(r.bot.snapshot().markets[0]?.state).toBe("quoting");
    // Spot 5 bp below the strike with ~5 minutes left: P(Up) < 0.5.
    expect([...r.bot.markets.values()][0]?.ext.modelP).toBeLessThan(0.5);
  });

  test("the subscribe backfill gives the strike of a window that began within it, and is no live tick", () => {
    const clock = new ManualClock(START_MS + 20_000); // the window began 20 s ago
    const feed = new FakeFeed();
    const ex = new AckingExchange();
    const events: Array<{ event: string; fields: BotEventFields }> = [];
    const bot = new MarketMakerBot({
      feed,
      exchange: ex,
      clock,
      params: PARAMS,
      events: (_l, event, fields) => events.push({ event, fields }),
    });
    void bot.run();
    const market = upDownMarket(START_MS, { endMs: START_MS + 300_000, windowSec: 300 });
    const priceAt = (sec: number) => P0 + sec; // one dollar per second: the start second is recognisable
    // The RTDS subscribe frame: the last minute, flagged backfill.
    for (let s = -39; s <= 20; s++)
      feed.emit({
        kind: "underlying",
        symbol: "btc/usd",
        price: priceAt(s),
        priceTsMs: START_MS + s * 1000,
        source: "chainlink",
        recvNs: 0,
        backfill: true,
      });
    expect(bot.underlyings.get("btc/usd")?.lastRecvMs).toBeNaN(); // history, not liveness
    feed.setYesBook(market, [[4850, 200_000_000]], [[5050, 200_000_000]]);
    feed.emit({ kind: "market_started", market, recvNs: 0 });
    expect([...bot.markets.values()][0]?.strike).toBe(priceAt(0));
    expect(events.find((e) => e.event === "strike")?.fields).toMatchObject({ strike: priceAt(0), source: "history" });
    expect(ex.placed()).toEqual([]); // no live tick yet: the model is not fresh
    for (let s = 21; s <= 23; s++) {
      clock.advanceBy(1000);
      feed.underlying("btc/usd", priceAt(s), clock.wallMs());
      feed.setYesBook(market, [[4850, 200_000_000]], [[5050, 200_000_000]]);
    }
    expect(liveOf(ex).length).toBe(2);
    bot.stop();
  });

  test("hands the venue's pre-signed pool the prices it now quotes", () => {
    const r = rig({ ...PARAMS, presign: true });
    const prepared = r.ex.calls.filter((c) => c.op === "prepare");
    expect(prepared.length).toBeGreaterThan(0);
    const last = prepared[prepared.length - 1];
    const live = liveOf(r.ex)
      .map((i) => `${i.tokenId}|${i.side}|${i.priceE4}|${i.sizeE6}`)
      .sort();
    expect(last?.op === "prepare" && last.intents.map((i) => `${i.tokenId}|${i.side}|${i.priceE4}|${i.sizeE6}`).sort()).toEqual(live);
  });

  test("requotes only when the centre moves more than MM_REQUOTE_THRESHOLD", () => {
    const r = rig();
    const placed = r.ex.placed().length;
    const cancelled = r.ex.cancelled().length;
    // microprice 0.505 → fair value 0.5025: centre +50 < 150, each price within a tick
    r.book = [4950, 5150];
    r.step();
    r.step();
    expect(placedSince(r.ex, placed)).toEqual([]);
    expect(cancelledSince(r.ex, cancelled)).toEqual([]);
    // microprice 0.535 → fair value 0.5175: centre +200 > 150 → both sides cancel-and-replace
    const before = liveOf(r.ex)
      .map((i) => `oid-${i.clientId}`)
      .sort();
    r.book = [5250, 5450];
    r.step();
    expect(cancelledSince(r.ex, cancelled).sort()).toEqual(before);
    const fresh = placedSince(r.ex, placed);
    expect(fresh.length).toBe(2);
    expect(fresh.find((i) => i.tokenId === r.market.yesTokenId)?.priceE4).toBe(5000);
    expect(fresh.find((i) => i.tokenId === r.market.noTokenId)?.priceE4).toBe(10_000 - 5300);
    // one cancel request and one place request for the whole requote
    const last = r.ex.calls.slice(-2).map((c) => c.op);
    expect(last).toEqual(["cancel", "place"]);
  });

  test("requotes the side that filled, leaves the other", () => {
    const r = rig();
    const bid = r.ex.find((i) => i.tokenId === r.market.yesTokenId);
    const ask = r.ex.find((i) => i.tokenId === r.market.noTokenId);
    if (!bid || !ask) throw new Error("no quotes");
    const placed = r.ex.placed().length;
    const cancelled = r.ex.cancelled().length;
    r.ex.fill(bid.orderId, 4_000_000); // 4 shares: below min size, the ask stays a NO bid
    expect(cancelledSince(r.ex, cancelled)).toEqual([bid.orderId]);
    const fresh = placedSince(r.ex, placed);
    expect(fresh.length).toBe(1);
    expect(fresh[0]).toMatchObject({ tokenId: r.market.yesTokenId, side: "BUY" });
    expect(r.ex.live.has(ask.orderId)).toBe(true);
    expect(r.bot.totals.fills).toBe(1);
    expect(r.bot.pnl.qty(r.market.yesTokenId)).toBe(4_000_000);
    expect(r.events.some((e) => e.event === "fill" && e.fields.sizeE6 === 4_000_000)).toBe(true);
  });

  test("a SELL is never placed on shares an earlier SELL still holds: the requote goes out as the equivalent BUY", () => {
    const r = rig();
    const bid = r.ex.find((i) => i.tokenId === r.market.yesTokenId);
    if (!bid) throw new Error("no bid");
    r.ex.fill(bid.orderId, 10_000_000); // we now hold 10 YES: the ask becomes SELL YES
    const sellYes = liveOf(r.ex).find((i) => i.tokenId === r.market.yesTokenId && i.side === "SELL");
    expect(sellYes?.sizeE6).toBe(10_000_000);
    // The venue goes quiet: our cancel of that SELL gets no answer, its shares stay held.
    r.ex.answering = false;
    const placed = r.ex.placed().length;
    r.book = [5250, 5450]; // centre +200 > 150: both sides are replaced
    r.step();
    const fresh = placedSince(r.ex, placed);
    expect(r.ex.cancelled()).toContain(`oid-${sellYes?.clientId}`);
    expect(fresh.some((i) => i.tokenId === r.market.yesTokenId && i.side === "SELL")).toBe(false);
    const ask = r.bot.snapshot().markets[0]?.askE4 ?? 0;
    expect(fresh).toContainEqual(
      expect.objectContaining({ tokenId: r.market.noTokenId, side: "BUY", priceE4: 10_000 - ask, sizeE6: 10_000_000 }),
    );
    expect(r.bot.totals.sellsAsBuys).toBe(1);
    // The venue confirms the cancel: the shares are free, and the next requote sells them again.
    r.ex.answering = true;
    r.ex.emit({ kind: "order_closed", orderId: `oid-${sellYes?.clientId}`, reason: "cancelled", atNs: 0 });
    expect(r.bot.orders.reservedSellE6(r.market.yesTokenId)).toBe(0);
    const placed2 = r.ex.placed().length;
    r.book = [5550, 5750];
    r.step();
    expect(placedSince(r.ex, placed2)).toContainEqual(
      expect.objectContaining({ tokenId: r.market.yesTokenId, side: "SELL", sizeE6: 10_000_000 }),
    );
  });

  test("an up-jump of the underlying cancels the ask first, and keeps it out for the cooldown", () => {
    const r = rig();
    const ask = r.ex.find((i) => i.tokenId === r.market.noTokenId);
    if (!ask) throw new Error("no ask");
    const cancelCalls = r.ex.calls.filter((c) => c.op === "cancel").length;
    const u = r.bot.underlyings.get("btc/usd");
    if (!u) throw new Error("no underlying");
    const sigma = u.vol.sigmaPerSec();
    // 5 sd over the 1 s since the quotes were placed: between jumpSigmas (3) and bothSigmas (8)
    r.clock.advanceTo((r.sec + 0.5) * 1e9);
    r.feed.underlying("btc/usd", P0 * Math.exp(5 * sigma), r.clock.wallMs());
    const cancels = r.ex.calls.filter((c) => c.op === "cancel");
    const first = cancels[cancelCalls];
    expect(first?.op === "cancel" && first.orderIds).toEqual([ask.orderId]);
    expect(r.bot.totals.preemptiveCancels).toBe(1);
    expect(r.ex.find((i) => i.tokenId === r.market.noTokenId)).toBeUndefined();
    // after the cooldown (750 ms) the ask comes back at the new fair value
    r.clock.advanceTo((r.sec + 1.3) * 1e9);
    r.feed.underlying("btc/usd", P0 * Math.exp(5 * sigma), r.clock.wallMs());
    r.feed.setYesBook(r.market, [[4850, 200_000_000]], [[5050, 200_000_000]]);
    expect(r.ex.find((i) => i.tokenId === r.market.noTokenId)).toBeDefined();
  });

  test("stops quoting MM_STOP_BEFORE_END_SECONDS before the window ends", () => {
    const r = rig();
    const stopSec = WARM_S + (300_000 - PARAMS.quote.stopBeforeEndMs) / 1000;
    while (r.sec < stopSec - 2) r.step();
    expect(liveOf(r.ex).length).toBe(2);
    r.step();
    r.step();
    r.step();
    expect(liveOf(r.ex).length).toBe(0);
    const placed = r.ex.placed().length;
    r.step();
    r.step();
    expect(r.ex.placed().length).toBe(placed);
    expect(r.bot.snapshot().markets[0]?.state).toBe("window_end");
  });
});

describe("MarketMakerBot risk", () => {
  test("cancels all on a feed disconnect, and quotes again once reconnected for clearAfterMs", () => {
    const r = rig();
    r.feed.emit({ kind: "connection", state: "disconnected", atNs: 0, reason: "socket closed" });
    expect(r.ex.count("cancelAll")).toBe(1);
    expect(liveOf(r.ex).length).toBe(0);
    expect(r.bot.breaker.activeReasons()).toContain("disconnect");
    const placed = r.ex.placed().length;
    r.step();
    r.step();
    expect(r.ex.placed().length).toBe(placed);
    r.feed.emit({ kind: "connection", state: "connected", atNs: 0, reason: "" });
    for (let i = 0; i < 12; i++) r.step();
    expect(r.bot.breaker.state()).toBe("ACTIVE");
    expect(liveOf(r.ex).length).toBe(2);
    expect(r.events.some((e) => e.event === "risk_trip" && e.fields.reason === "disconnect")).toBe(true);
    expect(r.events.some((e) => e.event === "risk_clear" && e.fields.reason === "disconnect")).toBe(true);
  });

  test("a venue disconnect cancels all too", () => {
    const r = rig();
    r.ex.emit({ kind: "connection", state: "disconnected", atNs: 0, reason: "user socket closed" });
    expect(r.ex.count("cancelAll")).toBe(1);
    expect(liveOf(r.ex).length).toBe(0);
  });

  test("a stale feed trips the breaker: cancel all, no quotes until fresh again, then recover", () => {
    const r = rig();
    // 7 s with no data at all (> RISK_STALE_FEED_SECONDS = 5)
    r.clock.advanceTo((r.sec + 7) * 1e9);
    r.sec += 7;
    expect(r.ex.count("cancelAll")).toBe(1);
    expect(liveOf(r.ex).length).toBe(0);
    expect(r.bot.totals.riskTrips).toBe(1);
    const trip = r.events.find((e) => e.event === "risk_trip");
    expect(trip?.fields.reason).toBe("stale_feed");
    expect(String(trip?.fields.detail)).toContain("no feed data");
    const placed = r.ex.placed().length;
    for (let i = 0; i < 5; i++) r.step();
    expect(r.ex.placed().length).toBe(placed); // fresh, but not for clearAfterMs yet
    for (let i = 0; i < 8; i++) r.step();
    expect(r.bot.breaker.state()).toBe("ACTIVE");
    expect(liveOf(r.ex).length).toBe(2);
  });

  test("extreme underlying volatility trips the breaker and it clears when calm returns", () => {
    const params: MarketMakerParams = {
      ...PARAMS,
      underlyingVol: { lookback: 5, baselineLookback: 100, minSamples: 2 },
      breaker: { ...PARAMS.breaker, volTripScore: 30, volClearScore: 20, clearAfterMs: 5_000 },
    };
    const r = rig(params);
    for (let i = 0; i < 60; i++) r.step(r.sec % 2 === 0 ? P0 : P0 * (1 + 1e-4));
    expect(r.bot.breaker.state()).toBe("ACTIVE");
    for (let i = 0; i < 5; i++) r.step(r.sec % 2 === 0 ? P0 : P0 * 1.004);
    expect(r.bot.breaker.activeReasons()).toContain("volatility");
    expect(liveOf(r.ex).length).toBe(0);
    for (let i = 0; i < 30 && r.bot.breaker.state() === "HALTED"; i++) r.step(P0);
    expect(r.bot.breaker.state()).toBe("ACTIVE");
    r.step(P0);
    expect(liveOf(r.ex).length).toBeGreaterThan(0);
  });

  test("the risk gate keeps inventory within MM_MAX_POSITION: the side that adds is not placed", () => {
    const params: MarketMakerParams = { ...PARAMS, risk: { ...PARAMS.risk, maxPositionUsdE6: 8_000_000 } };
    const r = rig(params);
    // $8 limit at a ~0.5 mark: one 10-share YES bid ($5) fits; 10 held plus a new bid ($10) does not
    const bid = r.ex.find((i) => i.tokenId === r.market.yesTokenId);
    if (!bid) throw new Error("no bid");
    r.ex.fill(bid.orderId, 10_000_000);
    r.step();
    const yesBuys = liveOf(r.ex).filter((i) => i.tokenId === r.market.yesTokenId && i.side === "BUY");
    expect(yesBuys.length).toBe(0);
    expect(r.bot.totals.riskDenials).toBeGreaterThan(0);
    // the ask side now sells the YES we hold
    expect(liveOf(r.ex).some((i) => i.tokenId === r.market.yesTokenId && i.side === "SELL")).toBe(true);
  });

  test("an urgent (taker) hedge is sent only on a breach of MM_MAX_POSITION, not at the share threshold alone", () => {
    const hedge = { ...PARAMS.hedge, fullSkewE6: 5_000_000, hedgeThresholdE6: 8_000_000, hedgeTargetE6: 2_000_000 };
    const fakSent = (maxPositionUsdE6: number): boolean[] => {
      const r = rig({ ...PARAMS, hedge, risk: { ...PARAMS.risk, maxPositionUsdE6 } });
      const bid = r.ex.find((i) => i.tokenId === r.market.yesTokenId && i.side === "BUY");
      if (!bid) throw new Error("no bid");
      const n = r.ex.placed().length;
      r.ex.fill(bid.orderId, 30_000_000); // a burst: 30 YES at ~0.485 ≈ $14.6 at cost
      r.step();
      r.step();
      // a cut sells the excess YES, or buys NO to merge
      return placedSince(r.ex, n)
        .filter((i) => i.orderType === "FAK")
        .map((i) => (i.side === "SELL" && i.tokenId === r.market.yesTokenId) || (i.side === "BUY" && i.tokenId === r.market.noTokenId));
    };
    // 30 shares is past the 8-share hedge threshold but within a $100 limit: the skew works it off
    expect(fakSent(100_000_000)).toEqual([]);
    // past a $12 limit: FAKs cut the excess (one at a time: this venue kills each unmatched)
    const cut = fakSent(12_000_000);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((reduces) => reduces)).toBe(true);
  });

  test("a late reject for an order already accepted is ignored: no count, no cooldown, no warning", () => {
    const r = rig();
    const live = r.ex.find((i) => i.tokenId === r.market.yesTokenId && i.side === "BUY");
    if (!live) throw new Error("no bid");
    const n = r.events.length;
    r.ex.emit({
      kind: "reject",
      clientId: live.intent.clientId,
      orderId: live.orderId,
      code: "TIMEOUT_AMBIGUOUS",
      message: "late",
      atNs: 0,
    });
    r.step();
    expect(r.bot.totals.rejects).toBe(0);
    expect(r.events.slice(n).some((e) => e.event === "order_rejected")).toBe(false);
    expect(r.bot.orders.getOrder(live.intent.clientId)?.state).toBe("live");
  });

  test("stop() cancels everything and resolves run()", async () => {
    const r = rig();
    const done = r.bot.run();
    r.bot.stop("duration");
    expect(await done).toEqual({ reason: "duration" });
    expect(r.ex.count("cancelAll")).toBe(1);
    expect(await r.ex.fetchOpenOrders()).toEqual([]);
    expect(r.bot.ordersSettled).toBe(true); // the venue confirmed at once
  });

  test("after stop() the order manager hears the cancel-all's confirmations and a racing fill, then lets go", () => {
    const r = rig();
    const live = liveOf(r.ex);
    expect(live.length).toBe(2);
    r.ex.answering = false; // the cancel-all's confirmations are still on their way
    r.bot.stop("duration");
    expect(r.bot.ordersSettled).toBe(false);
    const [a, b] = live.map((i) => `oid-${i.clientId}`);
    // A fill that raced the cancel-all, then the closes.
    r.ex.emit({
      kind: "fill",
      tradeId: "late",
      orderId: a as string,
      tokenId: live[0]?.tokenId ?? "",
      side: "BUY",
      priceE4: live[0]?.priceE4 ?? 0,
      sizeE6: 5_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    expect(r.bot.orders.position(live[0]?.tokenId ?? "").netE6).toBe(5_000_000);
    r.ex.emit({ kind: "order_closed", orderId: a as string, reason: "cancelled", atNs: 0 });
    expect(r.bot.ordersSettled).toBe(false);
    r.ex.emit({ kind: "order_closed", orderId: b as string, reason: "cancelled", atNs: 0 });
    expect(r.bot.ordersSettled).toBe(true);
    expect(r.bot.orders.getActiveOrders()).toEqual([]);
    // Stopped listening: later events change nothing.
    r.ex.emit({
      kind: "fill",
      tradeId: "later",
      orderId: b as string,
      tokenId: live[1]?.tokenId ?? "",
      side: "BUY",
      priceE4: 100,
      sizeE6: 1_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    expect(r.bot.orders.stats.fills).toBe(1);
  });
});
