import { describe, expect, test } from "bun:test";
import {
  errorMessageOf,
  parseCancelResponse,
  parseNegRisk,
  parseOpenOrders,
  parseOrderResponse,
  parseOrderResponses,
  parseRestBook,
  parseRestBooks,
  parseTickSize,
  parseTrades,
} from "../../../src/polymarket/rest-types.ts";
import { readJson } from "../../helpers/polymarket-recordings.ts";

const value = <T>(r: { ok: true; value: T } | { ok: false; code: string; reason: string }): T => {
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.value;
};

describe("REST /book", () => {
  test("V2 capture (ccxt): tick, min size, neg risk, last trade", async () => {
    const b = value(parseRestBook(await readJson("rest/ccxt_clob_book_2026-06-12.json")));
    expect(b).toMatchObject({ tickE4: 10, minOrderSizeE6: 5_000_000, negRisk: true, lastTradeE4: 1520, timestampMs: 1781289337944 });
    expect(b.bids.pricesE4).toEqual([10, 20, 30, 40, 50]);
    expect(b.asks.sizesE6[0]).toBe(45_521_440_000);
  });

  test("docs-style book without V2 extras parses with NOT_REPORTED / null", async () => {
    const b = value(parseRestBook(await readJson("fixtures-handwritten/nautilus/clob_book_response.json")));
    expect(b).toMatchObject({ tickE4: -1, minOrderSizeE6: -1, negRisk: null, lastTradeE4: -1 });
    expect(b.bids.sizesE6).toEqual([100_000_000, 200_000_000, 150_000_000]);
  });

  test("POST /books: an array; a bad element fails the batch with its index", async () => {
    const one = await readJson("rest/ccxt_clob_book_2026-06-12.json");
    expect(value(parseRestBooks([one, one])).length).toBe(2);
    const bad = parseRestBooks([one, 7]);
    expect(bad.ok ? "" : bad.reason).toContain("books[1]");
    expect(parseRestBooks({}).ok).toBe(false);
  });
});

describe("tick size, neg risk", () => {
  test("/tick-size sends a number; every Polymarket tick maps exactly", () => {
    const ticks: [number, number][] = [
      [0.1, 1000],
      [0.01, 100],
      [0.005, 50],
      [0.0025, 25],
      [0.001, 10],
      [0.0001, 1],
    ];
    for (const [n, e4] of ticks) expect(value(parseTickSize({ minimum_tick_size: n }))).toBe(e4);
    expect(value(parseTickSize({ minimum_tick_size: "0.01" }))).toBe(100);
    const bad = parseTickSize({ minimum_tick_size: 0.02 });
    expect(bad.ok ? "" : bad.code).toBe("BAD_TICK");
    expect(value(parseNegRisk({ neg_risk: false }))).toBe(false);
    expect(parseNegRisk({ neg_risk: "no" }).ok).toBe(false);
  });
});

describe("order post responses", () => {
  test("live capture (ccxt)", async () => {
    expect(value(parseOrderResponse(await readJson("rest/ccxt_clob_post_order_response_live.json")))).toEqual({
      success: true,
      errorMsg: "",
      orderId: "0x94f351bb28cfe3d4507a24ffafa528409d6de50235f33e81e8fad12929c1cd16",
      status: "live",
      makingAmountE6: 0,
      takingAmountE6: 0,
      tradeIds: [],
      transactionHashes: [],
    });
  });

  test("failure with nulls; matched with trade ids; batch", async () => {
    expect(value(parseOrderResponse(await readJson("fixtures-handwritten/nautilus/http_order_response_failed.json")))).toMatchObject({
      success: false,
      errorMsg: "Insufficient balance",
      orderId: "",
    });
    const matched = {
      success: true,
      errorMsg: "",
      orderID: "0x1",
      status: "matched",
      makingAmount: "5.6",
      takingAmount: "10",
      tradeIDs: ["t1"],
    };
    expect(value(parseOrderResponse(matched))).toMatchObject({
      status: "matched",
      makingAmountE6: 5_600_000,
      takingAmountE6: 10_000_000,
      tradeIds: ["t1"],
    });
    expect(value(parseOrderResponses([matched, { success: false, errorMsg: "x", orderID: null }])).map((r) => r.success)).toEqual([
      true,
      false,
    ]);
    expect(value(parseOrderResponse({ ...matched, status: "weird" })).status).toBe("unknown");
  });
});

describe("open orders, trades, cancels, errors", () => {
  test("open orders page → OpenOrderSnapshot fields", async () => {
    const p = value(parseOpenOrders(await readJson("fixtures-handwritten/nautilus/http_open_orders_page.json")));
    expect(p.nextCursor).toBe("LTE=");
    expect(p.items[1]).toMatchObject({
      side: "SELL",
      priceE4: 4000,
      originalSizeE6: 150_000_000,
      matchedSizeE6: 50_000_000,
      createdAtSec: 1703875201,
      orderType: "GTD",
      status: "LIVE",
    });
    const bare = value(
      parseOpenOrders([
        {
          id: "1",
          status: "ORDER_STATUS_LIVE",
          owner: "o",
          maker_address: "0x",
          market: "m",
          asset_id: "a",
          side: "BUY",
          original_size: "10",
          size_matched: "0",
          price: "0.45",
          associate_trades: [],
          outcome: "Up",
          created_at: 1767225600,
          expiration: "0",
          order_type: "GTC",
        },
      ]),
    );
    expect(bare.items[0]).toMatchObject({ status: "LIVE", createdAtSec: 1767225600, expirationSec: 0 });
  });

  test("trades: V1 CLOB record and a page", async () => {
    const rec = await readJson("rest/nautilus_v1_clob_trade_record.json");
    const p = value(parseTrades([rec]));
    expect(p.items[0]).toMatchObject({ status: "CONFIRMED", priceE4: 4890, sizeE6: 5_000_000, matchTimeMs: 1726043102000 });
    const page = value(parseTrades(await readJson("fixtures-handwritten/nautilus/http_trades_page.json")));
    expect(page.items[0]).toMatchObject({ status: "MINED", traderSide: "TAKER" });
  });

  test("cancel responses", async () => {
    const c = value(parseCancelResponse(await readJson("rest/ccxt_clob_delete_order_response.json")));
    expect(c.canceled).toEqual(["0x94f351bb28cfe3d4507a24ffafa528409d6de50235f33e81e8fad12929c1cd16"]);
    const b = value(parseCancelResponse(await readJson("fixtures-handwritten/nautilus/http_batch_cancel_response.json")));
    expect(b.canceled.length).toBe(2);
    expect([...b.notCanceled.values()]).toEqual(["already canceled or matched"]);
    expect(parseCancelResponse({ canceled: [1] }).ok).toBe(false);
  });

  test("error bodies", async () => {
    expect(errorMessageOf(await readJson("fixtures-handwritten/nautilus/http_order_response_error_500.json"))).toBe(
      "Internal server error",
    );
    expect(errorMessageOf("x")).toBe("");
  });
});
