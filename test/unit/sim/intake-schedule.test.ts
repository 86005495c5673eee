import { describe, expect, test } from "bun:test";
import { decodePostBody, termsOf } from "../../../src/sim/order-intake.ts";
import { DEFAULT_SCHEDULE, MarketSchedule, marketOf, questionOf, settle, slugOf } from "../../../src/sim/schedule.ts";
import { UnderlyingWalk } from "../../../src/sim/underlying.ts";

describe("signed amounts → price and size (SDK createOrder / createMarketOrder vectors)", () => {
  test("limit orders", () => {
    expect(termsOf("x", "BUY", "11782400", "21040000", "GTC", 100)).toEqual({ priceE4: 5600, sizeE6: 21_040_000, budgetE6: 0 });
    expect(termsOf("x", "SELL", "21040000", "11782400", "GTC", 100)).toEqual({ priceE4: 5600, sizeE6: 21_040_000, budgetE6: 0 });
    expect(termsOf("x", "BUY", "10520000", "21040000", "GTD", 1000)).toEqual({ priceE4: 5000, sizeE6: 21_040_000, budgetE6: 0 });
    expect(termsOf("x", "BUY", "117824", "21040000", "GTC", 1)).toEqual({ priceE4: 56, sizeE6: 21_040_000, budgetE6: 0 });
  });
  test("market orders: BUY spends pUSD, SELL sells shares, worst price back on the grid", () => {
    expect(termsOf("x", "BUY", "100000000", "178571400", "FOK", 100)).toEqual({
      priceE4: 5600,
      sizeE6: 178_570_000,
      budgetE6: 100_000_000,
    });
    expect(termsOf("x", "SELL", "100000000", "50000000", "FAK", 1000)).toEqual({ priceE4: 5000, sizeE6: 100_000_000, budgetE6: 0 });
  });
  test("off-grid limit prices get the real error", () => {
    expect(termsOf("0xabc", "BUY", "5550000", "10000000", "GTC", 100)).toBe(
      "order 0xabc is invalid. Price (0.555) breaks minimum tick size rule: 0.01",
    );
  });
  test("post bodies are type-checked", () => {
    expect(decodePostBody({})).toBe("order missing");
    const order = {
      salt: 1,
      maker: `0x${"1".repeat(40)}`,
      signer: `0x${"1".repeat(40)}`,
      tokenId: "123",
      makerAmount: "1",
      takerAmount: "2",
      side: "BUY",
      signatureType: 0,
      timestamp: "1",
      expiration: "0",
      metadata: `0x${"0".repeat(64)}`,
      builder: `0x${"0".repeat(64)}`,
      signature: "0x00",
    };
    const ok = decodePostBody({ order, owner: "k", orderType: "FOK", postOnly: false });
    expect(typeof ok === "string" ? ok : ok.orderType).toBe("FOK");
    expect(decodePostBody({ order: { ...order, salt: "1" }, owner: "k" })).toBe("order.salt must be a non-negative integer number");
    expect(decodePostBody({ order: { ...order, side: 0 }, owner: "k" })).toBe("order.side must be BUY or SELL");
  });
});

describe("schedule", () => {
  test("slugs and questions follow the real forms", () => {
    expect(slugOf("btc/usd", 300, 1_780_876_500)).toBe("btc-updown-5m-1780876500");
    expect(slugOf("eth/usd", 900, 1_777_431_600)).toBe("eth-updown-15m-1777431600");
    // 2025-07-03 03:00 UTC = July 2, 11PM ET: the one real hourly slug we have
    expect(slugOf("btc/usd", 3600, 1_751_511_600)).toBe("bitcoin-up-or-down-july-2-11pm-et");
    expect(questionOf("btc/usd", 1_780_876_500, 1_780_876_800)).toBe("Bitcoin Up or Down - June 7, 7:55PM-8:00PM ET");
    const a = marketOf(DEFAULT_SCHEDULE, "btc/usd", 300, 1_780_876_500);
    const b = marketOf(DEFAULT_SCHEDULE, "btc/usd", 300, 1_780_876_500);
    expect(a.info.conditionId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.info.yesTokenId).toMatch(/^\d{60,78}$/);
    expect(b).toEqual(a);
  });

  test("list → start → end → resolve, in time order", () => {
    const s = new MarketSchedule({ ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300], leadWindows: 1, resolveDelaySec: 30 });
    const t0 = 1_780_876_860; // a minute into the 1780876800 window
    const first = s.advance(t0).map((e) => `${e.kind}:${e.market.startSec}`);
    expect(first).toEqual(["list:1780876800", "list:1780877100", "start:1780876800"]);
    const later = s.advance(t0 + 300).map((e) => `${e.kind}:${e.market.startSec}`);
    expect(later).toEqual(["end:1780876800", "list:1780877400", "start:1780877100", "resolve:1780876800"]);
  });

  test("settlement: price at end vs TWAP, ties go Up", () => {
    const start = 1_780_876_800;
    const walk = new UnderlyingWalk(1, (start - 120) * 1000);
    walk.advanceTo((start + 300) * 1000);
    const m = marketOf({ ...DEFAULT_SCHEDULE, rule: "price_at_end" }, "btc/usd", 300, start);
    const r = settle(walk, m);
    expect(r.strike).toBe(walk.priceAt("btc/usd", start));
    expect(r.final).toBe(walk.priceAt("btc/usd", start + 300));
    expect(r.winner).toBe(r.final >= r.strike ? 0 : 1);
    const t = settle(walk, marketOf(DEFAULT_SCHEDULE, "btc/usd", 300, start));
    expect(t.strike).toBeCloseTo(walk.twap("btc/usd", start), 9);
    const flat = new UnderlyingWalk(1, (start - 120) * 1000);
    flat.setPrice("btc/usd", 100);
    const fm = marketOf({ ...DEFAULT_SCHEDULE, rule: "price_at_end" }, "btc/usd", 300, start);
    flat.advanceTo(start * 1000);
    flat.setPrice("btc/usd", 100);
    flat.advanceTo((start + 300) * 1000);
    flat.setPrice("btc/usd", 100);
    expect(settle(flat, fm).winner).toBe(0);
  });
});
