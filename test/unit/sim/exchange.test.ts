import { describe, expect, test } from "bun:test";
import type { WireMarketEvent, WireUserEvent } from "../../../src/polymarket/wire.ts";
import { COLLATERAL } from "../../../src/sim/accounts.ts";
import { type PlaceRequest, SimExchange } from "../../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../../src/sim/schedule.ts";

const START = 1_780_876_800_000; // 2026-06-08 00:00 UTC, a 5-minute boundary
const ONE_COIN = { ...DEFAULT_SCHEDULE, coins: ["btc/usd"] as const, windows: [300] as const, leadWindows: 1, resolveDelaySec: 30 };

function quiet(extra: Partial<ConstructorParameters<typeof SimExchange>[0]> = {}): SimExchange {
  const ex = new SimExchange({ seed: 3, startMs: START, flow: null, schedule: ONE_COIN, ...extra });
  for (const k of ["alice", "bob"]) ex.openAccount(k, `0x${k}`);
  return ex;
}
let n = 0;
function req(
  ex: SimExchange,
  owner: string,
  outcome: 0 | 1,
  side: "BUY" | "SELL",
  price: number,
  shares: number,
  extra: Partial<PlaceRequest> = {},
): PlaceRequest {
  const m = ex.allMarkets().find((x) => x.state === "open" && x.sched.startSec * 1000 <= ex.nowMs) ?? ex.allMarkets()[0];
  if (!m) throw new Error("no market");
  return {
    orderId: `0x${(++n).toString(16).padStart(64, "0")}`,
    owner,
    makerAddress: `0x${owner}`,
    tokenId: outcome === 0 ? m.sched.info.yesTokenId : m.sched.info.noTokenId,
    side,
    priceE4: Math.round(price * 1e4),
    sizeE6: Math.round(shares * 1e6),
    budgetE6: 0,
    orderType: "GTC",
    postOnly: false,
    expirationSec: 0,
    ...extra,
  };
}

describe("lifecycle", () => {
  test("markets list ahead, start with a strike, end, resolve and pay out", () => {
    const ex = quiet();
    const slugs = ex.allMarkets().map((m) => m.sched.info.slug);
    expect(slugs).toEqual(["btc-updown-5m-1780876800", "btc-updown-5m-1780877100"]);
    const m = ex.allMarkets()[0];
    if (!m) throw new Error("unreachable");
    expect(m.strike).toBeCloseTo(ex.walk.twap("btc/usd", START / 1000), 6);
    // alice buys Up from bob's Down bid: a mint
    expect(ex.place(req(ex, "bob", 1, "BUY", 0.45, 100)).success).toBe(true);
    const r = ex.place(req(ex, "alice", 0, "BUY", 0.55, 100, { orderType: "FOK" }));
    expect(r).toMatchObject({ success: true, status: "matched", makingAmount: "55", takingAmount: "100" });
    expect(r.tradeIDs.length).toBe(1);
    expect(ex.balanceOf("alice", m.sched.info.yesTokenId)).toBe(100_000_000);
    // taker fee: 100 × 0.07 × 0.55 × 0.45 = 1.7325
    expect(ex.collateral("alice")).toBe(10_000_000_000 - 55_000_000 - 1_732_500);
    ex.shockUnderlying("btc/usd", 0.05); // Up is all but certain
    ex.advanceTo(START + 300_000 + 30_000);
    expect(m.state).toBe("resolved");
    expect(m.winner).toBe(0);
    expect(ex.balanceOf("alice", m.sched.info.yesTokenId)).toBe(0);
    expect(ex.collateral("alice")).toBe(10_000_000_000 - 55_000_000 - 1_732_500 + 100_000_000);
    // bob made the market: 20 % of the fee comes back as a rebate
    expect(ex.collateral("bob")).toBe(10_000_000_000 - 45_000_000 + 346_500);
    const a = ex.accounts.audit();
    expect(a.collateralE6 + a.feesKeptE6 + a.pairsE6).toBe(a.depositedE6);
    expect(a.feesKeptE6).toBe(1_732_500 - 346_500);
  });

  test("orders are cancelled when the window ends", () => {
    const ex = quiet();
    const users: WireUserEvent[] = [];
    ex.onUser((o, ev) => o === "alice" && users.push(ev));
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.3, 10)).success).toBe(true);
    expect(ex.accounts.held("alice", COLLATERAL)).toBe(3_000_000);
    ex.advanceTo(START + 300_000);
    expect(ex.openOrderIds("alice")).toEqual([]);
    expect(ex.accounts.held("alice", COLLATERAL)).toBe(0);
    expect(users.map((e) => (e.event_type === "order" ? `${e.type}/${e.status}` : e.event_type))).toEqual([
      "PLACEMENT/LIVE",
      "CANCELLATION/CANCELED",
    ]);
    const late = ex.place(req(ex, "alice", 0, "BUY", 0.3, 10));
    expect(late.success).toBe(true); // the next window is already listed and accepting
  });
});

describe("order entry", () => {
  test("insufficient balance is rejected with the real string and changes nothing", () => {
    const ex = quiet({ initialBalanceE6: 10_000_000 });
    ex.openAccount("carol", "0xcarol");
    const r = ex.place(req(ex, "carol", 0, "BUY", 0.5, 21));
    expect(r).toMatchObject({ success: false, errorMsg: "not enough balance / allowance" });
    expect(ex.place(req(ex, "carol", 0, "BUY", 0.5, 20)).success).toBe(true);
    expect(ex.place(req(ex, "carol", 1, "BUY", 0.4, 5)).errorMsg).toBe("not enough balance / allowance");
    expect(ex.place(req(ex, "carol", 0, "SELL", 0.6, 5)).errorMsg).toBe("not enough balance / allowance");
  });

  test("duplicates, GTD expiry with the one-minute threshold", () => {
    const ex = quiet();
    const first = req(ex, "alice", 0, "BUY", 0.3, 10);
    expect(ex.place(first).success).toBe(true);
    expect(ex.place(first).errorMsg).toBe(`order ${first.orderId} is invalid. Duplicated.`);
    const nowSec = Math.floor(ex.nowMs / 1000);
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.3, 10, { orderType: "GTD", expirationSec: nowSec + 59 })).errorMsg).toBe(
      "invalid expiration",
    );
    const gtd = req(ex, "alice", 0, "BUY", 0.31, 10, { orderType: "GTD", expirationSec: nowSec + 90 });
    expect(ex.place(gtd).success).toBe(true);
    ex.advanceTo(ex.nowMs + 29_000);
    expect(ex.order(gtd.orderId)?.status).toBe("LIVE");
    ex.advanceTo(ex.nowMs + 1_100);
    expect(ex.order(gtd.orderId)?.status).toBe("CANCELED");
  });

  test("a stopped heartbeat cancels the key's orders", () => {
    const ex = quiet();
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.3, 10)).success).toBe(true);
    ex.advanceTo(ex.nowMs + 60_000); // no heartbeat chain yet: orders stay
    expect(ex.openOrderIds("alice").length).toBe(1);
    const hb = ex.heartbeat("alice", "");
    if (!hb.ok) throw new Error("heartbeat refused");
    expect(ex.heartbeat("alice", "wrong")).toEqual({ ok: false, expected: hb.heartbeatId });
    ex.advanceTo(ex.nowMs + 8_000);
    expect(ex.heartbeat("alice", hb.heartbeatId).ok).toBe(true);
    ex.advanceTo(ex.nowMs + 9_900);
    expect(ex.openOrderIds("alice").length).toBe(1);
    ex.advanceTo(ex.nowMs + 200);
    expect(ex.openOrderIds("alice")).toEqual([]);
  });

  test("trades go MATCHED → MINED → CONFIRMED on the user channel", () => {
    const ex = quiet();
    const statuses: string[] = [];
    ex.onUser((o, ev) => o === "alice" && ev.event_type === "trade" && statuses.push(ev.status));
    ex.place(req(ex, "bob", 0, "SELL", 0.5, 0, { sizeE6: 0 })); // ignored: size 0 rejected
    ex.split("bob", ex.allMarkets()[0]?.sched.info.conditionId ?? "", 50_000_000);
    expect(ex.place(req(ex, "bob", 0, "SELL", 0.5, 50)).success).toBe(true);
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.5, 20, { orderType: "FAK" })).success).toBe(true);
    ex.advanceTo(ex.nowMs + 6_000);
    expect(statuses).toEqual(["MATCHED", "MINED", "CONFIRMED"]);
  });

  test("the tick moves to 0.001 when the book reaches the extremes", () => {
    const ex = quiet();
    const events: WireMarketEvent[] = [];
    ex.onMarket((ev) => events.push(ev));
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.97, 10)).success).toBe(true);
    const ticks = events.filter((e) => e.event_type === "tick_size_change");
    expect(ticks.map((e) => (e.event_type === "tick_size_change" ? [e.old_tick_size, e.new_tick_size] : []))).toEqual([
      ["0.01", "0.001"],
      ["0.01", "0.001"],
    ]);
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.975, 10)).success).toBe(true);
  });
});

describe("long runs", () => {
  test("records of the synthetic flow are pruned: memory stays bounded", () => {
    const ex = new SimExchange({ seed: 5, startMs: START, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"] } });
    ex.advanceTo(START + 10 * 60_000);
    const a = ex.recordCounts();
    ex.advanceTo(START + 25 * 60_000);
    const b = ex.recordCounts();
    expect(b.seenIds).toBe(0);
    expect(b.trades).toBe(0);
    expect(b.orders).toBeLessThan(a.orders * 2 + 200);
    expect(b.orders).toBeLessThan(2_000);
  });
});

describe("determinism", () => {
  function stream(seed: number, minutes: number): string[] {
    const ex = new SimExchange({ seed, startMs: START + 120_000 });
    const out: string[] = [];
    ex.onMarket((ev) => out.push(JSON.stringify(ev)));
    ex.onUser((o, ev) => out.push(`${o}:${JSON.stringify(ev)}`));
    ex.onPrice((t) => out.push(JSON.stringify(t)));
    ex.advanceTo(START + 120_000 + minutes * 60_000);
    const a = ex.accounts.audit();
    expect(a.negative).toEqual([]);
    expect(a.collateralE6 + a.feesKeptE6 + a.pairsE6).toBe(a.depositedE6);
    return out;
  }
  test("same seed, same event stream; another seed, another stream", () => {
    const a = stream(11, 3);
    const b = stream(11, 3);
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(stream(12, 3)).not.toEqual(a);
  });
});

describe("retention (retainClosedMs)", () => {
  test("closed orders and final trades are forgotten after the window; fill legs are still counted; live orders stay", () => {
    const ex = quiet({ retainClosedMs: 60_000 });
    expect(ex.place(req(ex, "bob", 1, "BUY", 0.45, 100)).success).toBe(true);
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.55, 100, { orderType: "FOK" })).success).toBe(true);
    const resting = req(ex, "alice", 0, "BUY", 0.2, 10);
    expect(ex.place(resting).success).toBe(true);
    expect(ex.fillLegsOf("alice")).toBe(1);
    expect(ex.fillLegsOf("bob")).toBe(1);
    const before = ex.recordCounts();
    expect(before.trades).toBe(1);
    ex.advanceTo(START + 180_000); // confirmed, then past the minute kept
    const after = ex.recordCounts();
    expect(after.trades).toBe(0);
    expect(after.orders).toBe(before.orders - 2);
    expect(ex.tradesOf("alice")).toEqual([]);
    expect(ex.fillLegsOf("alice")).toBe(1);
    expect(ex.fillLegsOf("bob")).toBe(1);
    expect(ex.openOrderIds("alice")).toEqual([resting.orderId]);
    expect(ex.order(resting.orderId)?.status).toBe("LIVE");
  });

  test("without retainClosedMs every order and trade of a key is kept", () => {
    const ex = quiet();
    expect(ex.place(req(ex, "bob", 1, "BUY", 0.45, 100)).success).toBe(true);
    expect(ex.place(req(ex, "alice", 0, "BUY", 0.55, 100, { orderType: "FOK" })).success).toBe(true);
    ex.advanceTo(START + 180_000);
    expect(ex.recordCounts().trades).toBe(1);
    expect(ex.tradesOf("alice")).toHaveLength(1);
  });
});
