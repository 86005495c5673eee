import { describe, expect, test } from "bun:test";
import { BookSet } from "../../../src/book/apply.ts";
import { decodeMarketFrame, type MarketEvent } from "../../../src/polymarket/market-channel.ts";

const ev = (text: string): MarketEvent => {
  const f = decodeMarketFrame(text);
  expect(f.errors).toEqual([]);
  return f.events[0]!;
};

const BOOK_UP = `{"event_type":"book","asset_id":"UP","market":"m","timestamp":"1","hash":"h","tick_size":"0.01","last_trade_price":"0.5","bids":[{"price":"0.49","size":"10"}],"asks":[{"price":"0.51","size":"10"}]}`;
const BOOK_DOWN = `{"event_type":"book","asset_id":"DOWN","market":"m","timestamp":"1","hash":"h","bids":[{"price":"0.49","size":"10"}],"asks":[{"price":"0.51","size":"10"}]}`;
const pc = (entries: string) => `{"event_type":"price_change","market":"m","timestamp":"2","price_changes":[${entries}]}`;
const entry = (asset: string, price: string, size: string, side: string, bb: string, ba: string) =>
  `{"asset_id":"${asset}","price":"${price}","size":"${size}","side":"${side}","hash":"x","best_bid":"${bb}","best_ask":"${ba}"}`;

describe("BookSet: the book epoch", () => {
  test("deltas before the first snapshot are dropped and counted", () => {
    const s = new BookSet();
    s.track("UP");
    expect(s.apply(ev(pc(entry("UP", "0.5", "5", "BUY", "0.5", "1"))))).toBe(0);
    expect(s.counters.staleDrops).toBe(1);
    expect(s.get("UP")!.bestBidE4()).toBe(0);
    expect(s.apply(ev(BOOK_UP))).toBe(1);
    expect(s.changed).toEqual(["UP"]);
    expect(s.get("UP")).toMatchObject({ stale: false, tickE4: 100 });
    expect(s.get("UP")!.lastTradeE4()).toBe(5000);
  });

  test("a V2 price_change updates both tokens and checks the reported best bid/ask", () => {
    const s = new BookSet();
    s.track("UP");
    s.track("DOWN");
    s.apply(ev(BOOK_UP));
    s.apply(ev(BOOK_DOWN));
    expect(s.apply(ev(pc(`${entry("UP", "0.5", "5", "BUY", "0.5", "0.51")},${entry("DOWN", "0.5", "5", "SELL", "0.49", "0.5")}`)))).toBe(2);
    expect(s.changed).toEqual(["UP", "DOWN"]);
    expect(s.get("UP")!.bestBidE4()).toBe(5000);
    expect(s.get("DOWN")!.bestAskE4()).toBe(5000);
    expect(s.counters).toMatchObject({ deltas: 2, bboMismatches: 0 });
    s.apply(ev(pc(entry("UP", "0.5", "0", "BUY", "0.5", "0.51")))); // venue says 0.5 is still best
    expect(s.counters.bboMismatches).toBe(1);
  });

  test("unknown tokens are counted, not created (unless autoTrack)", () => {
    const s = new BookSet();
    s.apply(ev(BOOK_UP));
    s.apply(ev(pc(entry("UP", "0.5", "5", "BUY", "0.5", "1"))));
    expect(s.counters.unknownAssets).toBe(2);
    expect(s.size).toBe(0);
    const auto = new BookSet({ autoTrack: true });
    auto.apply(ev(BOOK_UP));
    expect(auto.get("UP")?.stale).toBe(false);
  });

  test("reconnect: markAllStale drops deltas until the next snapshot", () => {
    const s = new BookSet();
    s.track("UP");
    s.apply(ev(BOOK_UP));
    s.markAllStale();
    s.apply(ev(pc(entry("UP", "0.5", "5", "BUY", "0.5", "1"))));
    expect(s.counters.staleDrops).toBe(1);
    s.apply(ev(BOOK_UP));
    s.apply(ev(pc(entry("UP", "0.5", "5", "BUY", "0.5", "0.51"))));
    expect(s.counters.deltas).toBe(1);
  });

  test("tick_size_change re-indexes (finer) or goes stale (coarser, off-grid)", () => {
    const s = new BookSet();
    s.track("UP");
    s.apply(ev(BOOK_UP));
    const finer = `{"event_type":"tick_size_change","asset_id":"UP","market":"m","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"3"}`;
    expect(s.apply(ev(finer))).toBe(1);
    expect(s.get("UP")).toMatchObject({ tickE4: 10, stale: false });
    s.apply(ev(pc(entry("UP", "0.495", "3", "BUY", "0.495", "0.51"))));
    expect(s.counters.problems.OFF_TICK).toBe(0);
    const coarser = `{"event_type":"tick_size_change","asset_id":"UP","market":"m","old_tick_size":"0.001","new_tick_size":"0.01","timestamp":"4"}`;
    s.apply(ev(coarser));
    expect(s.get("UP")!.stale).toBe(true);
    expect(s.counters.problems.OFF_TICK).toBe(1);
    expect(s.counters.tickChanges).toBe(2);
  });

  test("last trade, best_bid_ask check, resolution", () => {
    const s = new BookSet();
    s.track("UP");
    s.track("DOWN");
    s.apply(ev(BOOK_UP));
    s.apply(ev(`{"event_type":"last_trade_price","asset_id":"UP","market":"m","price":"0.51","side":"BUY","size":"3","timestamp":"5"}`));
    expect(s.get("UP")!.lastTradeE4()).toBe(5100);
    s.apply(
      ev(`{"event_type":"best_bid_ask","market":"m","asset_id":"UP","best_bid":"0.49","best_ask":"0.51","spread":"0.02","timestamp":"6"}`),
    );
    expect(s.counters.bboMismatches).toBe(0);
    s.apply(
      ev(`{"event_type":"best_bid_ask","market":"m","asset_id":"UP","best_bid":"0.48","best_ask":"0.51","spread":"0.03","timestamp":"7"}`),
    );
    expect(s.counters.bboMismatches).toBe(1);
    const resolved = `{"event_type":"market_resolved","id":"1","market":"m","assets_ids":["UP","DOWN"],"winning_asset_id":"UP","winning_outcome":"Up","timestamp":"8"}`;
    expect(s.apply(ev(resolved))).toBe(2);
    expect(s.get("UP")!.stale).toBe(true);
  });
});
