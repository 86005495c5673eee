import { describe, expect, test } from "bun:test";
import {
  KeepAlive,
  MarketChannelCodec,
  NOT_REPORTED,
  PING_TEXT,
  decodeMarketFrame,
  marketAddAssetsFrame,
  marketRemoveAssetsFrame,
  marketSubscribeFrame,
} from "../../../src/polymarket/market-channel.ts";

// Docs examples (protocol notes §5.1), literal bytes.
const BOOK = `{"event_type":"book","asset_id":"T1","market":"0xc","bids":[{"price":".48","size":"30"},{"price":".49","size":"20"}],"asks":[{"price":".52","size":"25"},{"price":".53","size":"60"}],"timestamp":"123456789000","hash":"0xh"}`;
const PRICE_CHANGE = `{"event_type":"price_change","market":"0xc","timestamp":"1757908892351","price_changes":[{"asset_id":"UP","price":"0.5","size":"200","side":"BUY","hash":"56621a12","best_bid":"0.5","best_ask":"1"},{"asset_id":"DOWN","price":"0.5","size":"200","side":"SELL","hash":"h2","best_bid":"0","best_ask":"0.5"}]}`;

describe("market channel events", () => {
  test("book: integer ticks and sizes, '.48' without leading zero, raw ids kept", () => {
    const f = decodeMarketFrame(BOOK);
    expect(f.errors).toEqual([]);
    expect(f.events).toEqual([
      {
        type: "book",
        assetId: "T1",
        market: "0xc",
        timestampMs: 123456789000,
        hash: "0xh",
        bids: { pricesE4: [4800, 4900], sizesE6: [30_000_000, 20_000_000] },
        asks: { pricesE4: [5200, 5300], sizesE6: [25_000_000, 60_000_000] },
        tickE4: NOT_REPORTED,
        lastTradeE4: NOT_REPORTED,
      },
    ]);
  });

  test("V2 price_change: entries with best bid/ask; best_ask '1' is the empty-ask sentinel", () => {
    const f = decodeMarketFrame(PRICE_CHANGE);
    expect(f.events).toEqual([
      {
        type: "price_change",
        era: "v2",
        market: "0xc",
        timestampMs: 1757908892351,
        changes: [
          { assetId: "UP", side: "BUY", priceE4: 5000, sizeE6: 200_000_000, hash: "56621a12", bestBidE4: 5000, bestAskE4: 10_000 },
          { assetId: "DOWN", side: "SELL", priceE4: 5000, sizeE6: 200_000_000, hash: "h2", bestBidE4: 0, bestAskE4: 5000 },
        ],
      },
    ]);
  });

  test("V1 price_change shapes are parsed and report their era", () => {
    const flat = decodeMarketFrame(
      `{"asset_id":"A","event_type":"price_change","hash":"h","market":"m","price":"0.514","side":"SELL","size":"21574.08","timestamp":"1723967931411"}`,
    );
    expect(flat.events).toEqual([
      {
        type: "price_change",
        era: "v1_flat",
        market: "m",
        timestampMs: 1723967931411,
        changes: [{ assetId: "A", side: "SELL", priceE4: 5140, sizeE6: 21_574_080_000, hash: "h", bestBidE4: -1, bestAskE4: -1 }],
      },
    ]);
    const listed = decodeMarketFrame(
      `[{"asset_id":"A","changes":[{"price":"0.34","side":"BUY","size":"478.26"},{"price":"0.67","side":"SELL","size":"0"}],"event_type":"price_change","hash":"h","market":"m","timestamp":"1"}]`,
    );
    expect(listed.events[0]).toMatchObject({
      era: "v1_changes",
      changes: [
        { priceE4: 3400, sizeE6: 478_260_000 },
        { priceE4: 6700, sizeE6: 0, side: "SELL" },
      ],
    });
  });

  test("tick_size_change, last_trade_price, best_bid_ask, new_market, market_resolved", () => {
    const f = decodeMarketFrame(
      `[{"event_type":"tick_size_change","asset_id":"A","market":"m","old_tick_size":"0.01","new_tick_size":"0.001","timestamp":"100000000"},` +
        `{"event_type":"last_trade_price","asset_id":"A","market":"m","price":"0.456","side":"BUY","size":"219.217767","fee_rate_bps":"0","timestamp":"1750428146322","transaction_hash":"0xt"},` +
        `{"event_type":"best_bid_ask","market":"m","asset_id":"A","best_bid":"0.73","best_ask":"0.77","spread":"0.04","timestamp":"1766789469958"},` +
        `{"event_type":"new_market","id":"1","question":"Q?","market":"m","slug":"btc-updown-5m-1","assets_ids":["A","B"],"outcomes":["Up","Down"],"event_message":{"id":"9","ticker":"t","slug":"ev","title":"T","description":"d"},"timestamp":"5","tags":["crypto"],"order_price_min_tick_size":"0.01"},` +
        `{"event_type":"market_resolved","id":"1","market":"m","assets_ids":["A","B"],"winning_asset_id":"A","winning_outcome":"Up","timestamp":"6"}]`,
    );
    expect(f.errors).toEqual([]);
    expect(f.events.map((e) => e.type)).toEqual(["tick_size_change", "last_trade_price", "best_bid_ask", "new_market", "market_resolved"]);
    expect(f.events[0]).toMatchObject({ oldTickE4: 100, newTickE4: 10 });
    expect(f.events[1]).toMatchObject({ priceE4: 4560, sizeE6: 219_217_767, side: "BUY", feeRateBps: 0, transactionHash: "0xt" });
    expect(f.events[2]).toMatchObject({ bestBidE4: 7300, bestAskE4: 7700, spreadE4: 400 });
    expect(f.events[3]).toMatchObject({ assetIds: ["A", "B"], outcomes: ["Up", "Down"], tickE4: 100, eventSlug: "ev", tags: ["crypto"] });
    expect(f.events[4]).toMatchObject({ winningAssetId: "A", winningOutcome: "Up", timestampMs: 6 });
  });
});

describe("errors are typed values, counted, never thrown", () => {
  const cases: [string, string][] = [
    ["", "EMPTY_FRAME"],
    ["INVALID OPERATION", "BAD_JSON"],
    ["{", "BAD_JSON"],
    ["42", "NOT_AN_OBJECT"],
    [`{"event_type":"mystery"}`, "UNKNOWN_EVENT"],
    [`{"market":"m"}`, "UNKNOWN_EVENT"],
    [`{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","bids":[],"asks":[]}`, "MISSING_FIELD"],
    [`{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":{},"asks":[]}`, "BAD_FIELD"],
    [
      `{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":[{"price":"1.5","size":"1"}],"asks":[]}`,
      "BAD_PRICE",
    ],
    [
      `{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":[{"price":"0.12345","size":"1"}],"asks":[]}`,
      "BAD_PRICE",
    ],
    [
      `{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":[{"price":0.5,"size":"1"}],"asks":[]}`,
      "BAD_FIELD",
    ],
    [
      `{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":[{"price":"0.5","size":"-1"}],"asks":[]}`,
      "BAD_SIZE",
    ],
    [`{"event_type":"book","asset_id":"A","market":"m","timestamp":"1","hash":"h","bids":[],"asks":[],"tick_size":"0.02"}`, "BAD_TICK"],
    [`{"event_type":"book","asset_id":"A","market":"m","timestamp":"soon","hash":"h","bids":[],"asks":[]}`, "BAD_TIMESTAMP"],
    [
      `{"event_type":"price_change","market":"m","timestamp":"1","price_changes":[{"asset_id":"A","price":"0.5","size":"1","side":"HOLD","hash":"h"}]}`,
      "BAD_SIDE",
    ],
  ];
  for (const [text, code] of cases) {
    test(`${code}: ${text.slice(0, 60)}`, () => {
      const codec = new MarketChannelCodec();
      const f = codec.decode(text);
      expect(f.events).toEqual([]);
      expect(f.errors.map((e) => e.code)).toEqual([code as never]);
      expect(f.errors[0]!.ok).toBe(false);
      expect(f.errors[0]!.reason.length).toBeGreaterThan(0);
      expect(codec.counters.errors[code as keyof typeof codec.counters.errors]).toBe(1);
      expect(codec.counters.totalErrors()).toBe(1);
    });
  }

  test("one bad event in an array does not sink the others", () => {
    const codec = new MarketChannelCodec();
    const f = codec.decode(`[${BOOK},{"event_type":"nope"},${PRICE_CHANGE}]`);
    expect(f.events.map((e) => e.type)).toEqual(["book", "price_change"]);
    expect(f.errors.map((e) => e.code)).toEqual(["UNKNOWN_EVENT"]);
    expect(f.errors[0]!.eventType).toBe("nope");
    expect(codec.counters.events.book).toBe(1);
    expect(codec.counters.events.price_change).toBe(1);
    expect(codec.counters.levelChanges).toBe(2);
    expect(codec.counters.priceChangeEras.v2).toBe(1);
  });

  test("PONG is recognised before JSON; an empty array is zero events", () => {
    const codec = new MarketChannelCodec();
    expect(codec.decode("PONG")).toEqual({ pong: true, events: [], errors: [] });
    expect(codec.decode("[]")).toEqual({ pong: false, events: [], errors: [] });
    expect(codec.counters.pongs).toBe(1);
    expect(codec.counters.frames).toBe(2);
  });
});

describe("frames we send", () => {
  test("subscribe / add / remove, exact bytes", () => {
    expect(marketSubscribeFrame(["UP", "DOWN"])).toBe(`{"assets_ids":["UP","DOWN"],"type":"market","custom_feature_enabled":true}`);
    expect(marketAddAssetsFrame(["X"])).toBe(`{"operation":"subscribe","assets_ids":["X"],"custom_feature_enabled":true}`);
    expect(marketRemoveAssetsFrame(["X"])).toBe(`{"operation":"unsubscribe","assets_ids":["X"]}`);
    expect(PING_TEXT).toBe("PING");
  });

  test("keep-alive: PING every 10 s, silent after 30 s without a frame", () => {
    const k = new KeepAlive(10e9, 30e9);
    k.opened(0);
    expect(k.nextDeadlineNs()).toBe(10e9);
    expect(k.onTimer(9e9)).toBe("none");
    expect(k.onTimer(10e9)).toBe("send_ping");
    k.pinged(10e9);
    k.received(11e9); // PONG
    expect(k.nextDeadlineNs()).toBe(20e9);
    k.pinged(20e9);
    k.pinged(30e9);
    expect(k.nextDeadlineNs()).toBe(40e9);
    expect(k.onTimer(40e9)).toBe("send_ping");
    k.pinged(40e9);
    expect(k.nextDeadlineNs()).toBe(41e9); // 30 s after the last frame (11 s)
    expect(k.onTimer(41e9)).toBe("silent");
  });
});
