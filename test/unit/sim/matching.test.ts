import { describe, expect, test } from "bun:test";
import type { OrderType, Side } from "../../../src/core/ports.ts";
import { ERR, type Fill, MatchingEngine, type OrderSpec, type Outcome, type SubmitOk } from "../../../src/sim/matching.ts";

const M = "0xmarket";
let n = 0;
function spec(
  owner: string,
  outcome: Outcome,
  side: Side,
  price: number,
  shares: number,
  extra: Partial<{ type: OrderType; postOnly: boolean; expiresAtMs: number; budget: number; id: string }> = {},
): OrderSpec {
  return {
    id: extra.id ?? `o${++n}`,
    owner,
    marketId: M,
    outcome,
    side,
    priceE4: Math.round(price * 1e4),
    sizeE6: Math.round(shares * 1e6),
    orderType: extra.type ?? "GTC",
    postOnly: extra.postOnly ?? false,
    expiresAtMs: extra.expiresAtMs ?? 0,
    budgetE6: Math.round((extra.budget ?? 0) * 1e6),
  };
}
function engine(tick = 100, min = 5_000_000): MatchingEngine {
  const e = new MatchingEngine();
  e.addMarket(M, tick, min);
  return e;
}
function ok(r: ReturnType<MatchingEngine["submit"]>): SubmitOk {
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r;
}
const brief = (f: Fill) => [f.makerOrderId, f.kind, f.yesPriceE4, f.sizeE6];

describe("price-time priority", () => {
  test("better price first, then arrival within a level, across both outcomes", () => {
    const e = engine();
    ok(e.submit(spec("a", 0, "SELL", 0.52, 10, { id: "a52" })));
    ok(e.submit(spec("b", 1, "BUY", 0.49, 10, { id: "b51" }))); // ask at 0.51 (mirror)
    ok(e.submit(spec("c", 0, "SELL", 0.51, 10, { id: "c51" })));
    const r = ok(e.submit(spec("t", 0, "BUY", 0.52, 25, { id: "t" })));
    expect(r.fills.map(brief)).toEqual([
      ["b51", "mint", 5100, 10_000_000],
      ["c51", "transfer", 5100, 10_000_000],
      ["a52", "transfer", 5200, 5_000_000],
    ]);
    expect(r.takerCashE6).toBe(10 * 0.51e6 * 2 + 5 * 0.52e6);
    expect(e.book(M)?.sizeAt("ask", 5200)).toBe(5_000_000);
    expect(e.book(M)?.bestAsk).toBe(5200);
    expect(r.resting).toBeUndefined();
  });

  test("taker gets the maker's price; the rest of a GTC rests at its limit", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "BUY", 0.45, 10, { id: "m" })));
    const r = ok(e.submit(spec("t", 0, "SELL", 0.4, 15, { id: "t" })));
    expect(r.fills.map(brief)).toEqual([["m", "transfer", 4500, 10_000_000]]);
    expect(r.fills[0]?.takerPriceE4).toBe(4500);
    expect(r.resting?.remainingE6).toBe(5_000_000);
    expect(e.book(M)?.bestAsk).toBe(4000);
    expect(e.book(M)?.bestBid).toBe(0);
    expect(r.levels).toContainEqual({ marketId: M, side: "bid", priceE4: 4500, sizeE6: 0 });
    expect(r.levels).toContainEqual({ marketId: M, side: "ask", priceE4: 4000, sizeE6: 5_000_000 });
  });
});

describe("binary semantics", () => {
  test("BUY YES × BUY NO mints a pair at complementary prices", () => {
    const e = engine();
    ok(e.submit(spec("y", 0, "BUY", 0.4, 10, { id: "y" })));
    const r = ok(e.submit(spec("n", 1, "BUY", 0.6, 10, { id: "n" })));
    expect(r.fills.map(brief)).toEqual([["y", "mint", 4000, 10_000_000]]);
    expect(r.fills[0]?.takerPriceE4).toBe(6000);
    expect(r.takerCashE6).toBe(6_000_000);
  });
  test("SELL YES × SELL NO merges", () => {
    const e = engine();
    ok(e.submit(spec("y", 0, "SELL", 0.4, 10, { id: "y" })));
    const r = ok(e.submit(spec("n", 1, "SELL", 0.55, 10, { id: "n" }))); // bid at 0.45 ≥ ask 0.40
    expect(r.fills.map(brief)).toEqual([["y", "merge", 4000, 10_000_000]]);
    expect(r.fills[0]?.takerPriceE4).toBe(6000); // NO seller gets 1 − 0.40, better than 0.55
  });
  test("BUY NO × SELL NO is a plain transfer", () => {
    const e = engine();
    ok(e.submit(spec("s", 1, "SELL", 0.3, 10, { id: "s" })));
    const r = ok(e.submit(spec("b", 1, "BUY", 0.3, 10, { id: "b" })));
    expect(r.fills.map(brief)).toEqual([["s", "transfer", 7000, 10_000_000]]);
  });
});

describe("order types and checks", () => {
  test("post-only crossing is rejected, including at exactly the opposite best", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "SELL", 0.5, 10)));
    for (const p of [0.5, 0.55]) {
      const r = e.submit(spec("t", 0, "BUY", p, 10, { postOnly: true }));
      expect(r).toEqual({ ok: false, code: "POST_ONLY_CROSS", message: "invalid post-only order: order crosses book" });
    }
    // the NO mirror of that ask is a bid at 0.50 for NO: a post-only NO SELL at 0.50 crosses it too
    expect(e.submit(spec("t", 1, "SELL", 0.5, 10, { postOnly: true })).ok).toBe(false);
    expect(ok(e.submit(spec("t", 0, "BUY", 0.49, 10, { postOnly: true }))).resting).toBeDefined();
    expect(e.submit(spec("t", 0, "BUY", 0.49, 10, { postOnly: true, type: "FOK" }))).toMatchObject({
      ok: false,
      message: "invalid post-only order: only GTC and GTD order types are allowed",
    });
  });

  test("FOK fills fully or leaves the book untouched", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "SELL", 0.5, 10, { id: "m1" })));
    ok(e.submit(spec("m", 0, "SELL", 0.6, 10, { id: "m2" })));
    const miss = e.submit(spec("t", 0, "BUY", 0.55, 15, { type: "FOK" }));
    expect(miss).toEqual({ ok: false, code: "FOK_NOT_FILLED", message: ERR.fok });
    expect(e.book(M)?.sizeAt("ask", 5000)).toBe(10_000_000);
    const hit = ok(e.submit(spec("t", 0, "BUY", 0.6, 15, { type: "FOK" })));
    expect(hit.matchedE6).toBe(15_000_000);
    expect(hit.resting).toBeUndefined();
  });

  test("FAK takes what there is and drops the rest; nothing to take is an error", () => {
    const e = engine();
    ok(e.submit(spec("m", 1, "BUY", 0.5, 10))); // ask 0.50 in YES terms
    const r = ok(e.submit(spec("t", 0, "BUY", 0.5, 30, { type: "FAK" })));
    expect(r.matchedE6).toBe(10_000_000);
    expect(r.resting).toBeUndefined();
    expect(e.book(M)?.bestBid).toBe(0);
    expect(e.submit(spec("t", 0, "BUY", 0.5, 30, { type: "FAK" }))).toEqual({ ok: false, code: "FOK_NOT_FILLED", message: ERR.fak });
  });

  test("market BUY by amount spends the budget in 0.01-share lots", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "SELL", 0.4, 10)));
    ok(e.submit(spec("m", 0, "SELL", 0.5, 100)));
    const r = ok(e.submit(spec("t", 0, "BUY", 0.5, 10, { type: "FOK", budget: 9 })));
    // 10 @ 0.40 = $4, then $5 buys 10 @ 0.50
    expect(r.matchedE6).toBe(20_000_000);
    expect(r.takerCashE6).toBe(9_000_000);
    expect(e.submit(spec("t", 0, "BUY", 0.5, 10, { type: "FOK", budget: 100 })).ok).toBe(false);
    expect(e.submit(spec("t", 0, "BUY", 0.5, 1, { type: "FOK", budget: 0.5 }))).toMatchObject({
      message: "invalid amount for a marketable BUY order ($0.50), min size: 1",
    });
  });

  test("tick, bounds and min-size errors use Polymarket's strings", () => {
    const e = engine();
    expect(e.submit(spec("t", 0, "BUY", 0.555, 10, { id: "x1" }))).toEqual({
      ok: false,
      code: "INVALID_TICK",
      message: "order x1 is invalid. Price (0.555) breaks minimum tick size rule: 0.01",
    });
    expect(e.submit(spec("t", 0, "BUY", 0.999, 10)).ok).toBe(false);
    expect(e.submit(spec("t", 0, "BUY", 0.5, 4.99, { id: "x2" }))).toEqual({
      ok: false,
      code: "ORDER_TOO_SMALL",
      message: "order x2 is invalid. Size (4.99) lower than the minimum: 5",
    });
    // A marketable BUY under $1 is refused.
    ok(e.submit(spec("m", 0, "SELL", 0.1, 50)));
    expect(e.submit(spec("t", 0, "BUY", 0.1, 5))).toMatchObject({ message: ERR.minBuy(500_000) });
  });

  test("a tick-size change keeps resting orders and moves the grid", () => {
    const e = engine();
    const r = ok(e.submit(spec("m", 0, "BUY", 0.97, 10)));
    e.setTickSize(M, 10);
    expect(e.order(r.resting?.id ?? "")?.priceE4).toBe(9700);
    expect(ok(e.submit(spec("m", 0, "SELL", 0.975, 10))).resting?.priceE4).toBe(9750); // on the 0.001 grid now
    expect(e.submit(spec("m", 0, "SELL", 0.9755, 10)).ok).toBe(false);
    expect(ok(e.submit(spec("t", 0, "SELL", 0.965, 10))).fills.map(brief)).toEqual([[r.resting?.id ?? "", "transfer", 9700, 10_000_000]]);
  });

  test("duplicate ids are refused", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "BUY", 0.4, 10, { id: "dup" })));
    expect(e.submit(spec("m", 0, "BUY", 0.4, 10, { id: "dup" }))).toEqual({
      ok: false,
      code: "DUPLICATE",
      message: "order dup is invalid. Duplicated.",
    });
  });
});

describe("cancel and expiry", () => {
  test("cancel removes the order and reports the level", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "BUY", 0.4, 10, { id: "a" })));
    ok(e.submit(spec("m", 0, "BUY", 0.4, 7, { id: "b" })));
    expect(e.cancel("a")?.level).toEqual({ marketId: M, side: "bid", priceE4: 4000, sizeE6: 7_000_000 });
    expect(e.cancel("a")).toBeUndefined();
    expect(
      e
        .book(M)
        ?.ordersAt("bid", 4000)
        .map((o) => o.id),
    ).toEqual(["b"]);
    e.cancel("b");
    expect(e.book(M)?.bestBid).toBe(0);
  });
  test("GTD orders leave the book when due", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "BUY", 0.4, 10, { id: "g1", type: "GTD", expiresAtMs: 2000 })));
    ok(e.submit(spec("m", 0, "BUY", 0.41, 10, { id: "g2", type: "GTD", expiresAtMs: 1000 })));
    ok(e.submit(spec("m", 0, "BUY", 0.39, 10, { id: "c" })));
    expect(e.expireDue(999)).toEqual([]);
    expect(e.expireDue(1500).map((x) => x.order.id)).toEqual(["g2"]);
    expect(e.expireDue(5000).map((x) => x.order.id)).toEqual(["g1"]);
    expect(e.book(M)?.bestBid).toBe(3900);
  });
  test("removeMarket returns every resting order in arrival order", () => {
    const e = engine();
    ok(e.submit(spec("m", 0, "BUY", 0.4, 10, { id: "1" })));
    ok(e.submit(spec("m", 1, "BUY", 0.4, 10, { id: "2" })));
    expect(e.removeMarket(M).map((o) => o.id)).toEqual(["1", "2"]);
    expect(e.book(M)).toBeUndefined();
    expect(e.order("1")).toBeUndefined();
  });
});
