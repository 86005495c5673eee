import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock, SystemClock } from "../../../src/core/clock.ts";
import type { ExchangeEvent, OrderIntent } from "../../../src/core/ports.ts";
import { OrderManager } from "../../../src/engine/order-manager.ts";
import { HttpClient } from "../../../src/net/http.ts";
import { RateLimiter } from "../../../src/net/rate-limiter.ts";
import { type OrderSource, PolymarketExchangeClient, type SignOutcome } from "../../../src/polymarket/exchange-client.ts";
import { HeartbeatSender } from "../../../src/polymarket/heartbeat.ts";
import { PolymarketRest } from "../../../src/polymarket/rest.ts";
import { decodeUserFrame } from "../../../src/polymarket/user-channel.ts";
import { ClobStandIn, json } from "../../helpers/clob-stand-in.ts";
import { settleMicrotasks } from "../../helpers/fake-exchange.ts";
import { intentFactory } from "../../helpers/order-intents.ts";

const API_KEY = "key-uuid";
const MAKER = "0xA3D82ED56F4C68D2328FB8C29E568BA2CAF7D7C8";
const TOKEN = "21742633143463906290569050155826241533067272736897614950488156847949938836455";
const CID = "0xdd22";

/** Deterministic "signer": hash = 0x + clientId, body = the order as JSON. */
class FakeOrders implements OrderSource {
  prepared = 0;
  fail = new Set<string>();
  signed(i: OrderIntent): SignOutcome {
    if (this.fail.has(i.clientId)) return { ok: false, code: "INVALID_TICK", reason: `price ${i.priceE4} is off the 0.01 grid` };
    return {
      ok: true,
      order: {
        orderId: `0x${i.clientId}`,
        body: JSON.stringify({ order: { salt: i.clientId }, owner: API_KEY, orderType: i.orderType, postOnly: i.postOnly }),
        pooled: i.clientId.startsWith("p"),
      },
    };
  }
  prepare(intents: readonly OrderIntent[]): void {
    this.prepared += intents.length;
  }
}

const auth = { headers: () => ({ POLY_API_KEY: API_KEY }) };
const server = new ClobStandIn();
afterAll(() => server.stop());
beforeEach(() => {
  server.seen.length = 0;
  server.routes.clear();
});

function setup(clock: ManualClock | SystemClock = new SystemClock(), heartbeat?: (rest: PolymarketRest) => HeartbeatSender) {
  const rest = new PolymarketRest({
    baseUrl: server.url,
    http: new HttpClient({ clock, random: () => 0 }),
    limiter: new RateLimiter(clock),
    clock,
    auth,
  });
  const orders = new FakeOrders();
  const hb = heartbeat?.(rest);
  const ex = new PolymarketExchangeClient({
    rest,
    orders,
    clock,
    identity: { apiKey: API_KEY, makerAddress: MAKER },
    feeOf: () => ({ rate: 0.07, exponent: 1 }),
    ...(hb ? { heartbeat: hb } : {}),
  });
  const events: ExchangeEvent[] = [];
  ex.onEvent((e) => events.push(e));
  return { rest, orders, ex, events, clock };
}

const intent = intentFactory({ conditionId: CID, tokenId: TOKEN });
const okReply = (id: string, status = "live") => ({ success: true, errorMsg: "", orderID: id, status });
/** Resolves once `pred` holds, re-checked after every event of `subscribe` (no polling, no sleeps). */
function until(subscribe: (fn: () => void) => () => void, pred: () => boolean): Promise<void> {
  if (pred()) return Promise.resolve();
  return new Promise((resolve) => {
    const off = subscribe(() => {
      if (!pred()) return;
      off();
      resolve();
    });
  });
}
const onEx = (ex: PolymarketExchangeClient) => (fn: () => void) => ex.onEvent(fn);

const trade = (over: Record<string, unknown>) =>
  JSON.stringify({
    event_type: "trade",
    type: "TRADE",
    id: "t-1",
    taker_order_id: "0xother",
    market: CID,
    asset_id: TOKEN,
    side: "SELL",
    size: "4",
    price: "0.45",
    fee_rate_bps: "0",
    status: "MATCHED",
    match_time: "1672290701",
    last_update: "1672290701",
    outcome: "Up",
    owner: "someone-else",
    maker_address: "0xtaker",
    transaction_hash: "",
    bucket_index: 0,
    trader_side: "TAKER",
    maker_orders: [
      {
        order_id: "0xa",
        owner: API_KEY,
        maker_address: MAKER,
        matched_amount: "4",
        price: "0.45",
        fee_rate_bps: "0",
        asset_id: TOKEN,
        outcome: "Up",
        side: "BUY",
      },
    ],
    ...over,
  });
const feed = (ex: PolymarketExchangeClient, frame: string) => {
  const f = decodeUserFrame(frame);
  expect(f.errors).toEqual([]);
  for (const e of f.events) ex.onUserMessage(e);
};

describe("PolymarketExchangeClient", () => {
  test("one intent → POST /order → ack with the precomputed hash", async () => {
    server.on("POST /order", () => json(okReply("0xa")));
    const { ex, events } = setup();
    ex.place([intent("a")]);
    await until(onEx(ex), () => events.length === 1);
    expect(events[0]).toMatchObject({ kind: "ack", clientId: "a", orderId: "0xa", status: "live" });
    expect(ex.stats.placed).toBe(1);
  });

  test("a FAK matched in part: ack, then closed with the reply's matched shares (the remainder is dead)", async () => {
    server.on("POST /order", () => json({ ...okReply("0xa", "matched"), makingAmount: "1.8", takingAmount: "4" }));
    const { ex, events } = setup();
    ex.place([intent("a", { orderType: "FAK", postOnly: false, side: "BUY", sizeE6: 10_000_000 })]);
    await until(onEx(ex), () => events.length === 2);
    expect(events[0]).toMatchObject({ kind: "ack", clientId: "a", status: "matched" });
    expect(events[1]).toMatchObject({ kind: "order_closed", orderId: "0xa", reason: "cancelled", matchedE6: 4_000_000 });
  });

  test("a GTC matched at once is not closed by its reply (its remainder rests)", async () => {
    server.on("POST /order", () => json({ ...okReply("0xa", "matched"), makingAmount: "1.8", takingAmount: "4" }));
    const { ex, events } = setup();
    ex.place([intent("a", { sizeE6: 10_000_000 })]);
    await until(onEx(ex), () => events.length === 1);
    expect(events.map((e) => e.kind)).toEqual(["ack"]);
  });

  test("many intents → batches of 15; per-order acks and typed rejects", async () => {
    server.on("POST /orders", (req) => {
      const arr = JSON.parse(req.body) as { order: { salt: string } }[];
      return json(
        arr.map((o) =>
          o.order.salt === "c7"
            ? { success: false, errorMsg: "invalid post-only order: order crosses book", orderID: "" }
            : okReply(`0x${o.order.salt}`),
        ),
      );
    });
    const { ex, events } = setup();
    ex.place(Array.from({ length: 20 }, (_, i) => intent(`c${i}`)));
    await until(onEx(ex), () => events.length === 20);
    expect(server.seen.map((s) => (JSON.parse(s.body) as unknown[]).length).sort((a, b) => b - a)).toEqual([15, 5]);
    expect(events.filter((e) => e.kind === "ack")).toHaveLength(19);
    expect(events.find((e) => e.kind === "reject")).toMatchObject({
      clientId: "c7",
      orderId: "0xc7",
      code: "POST_ONLY_CROSS",
      message: "invalid post-only order: order crosses book",
    });
  });

  test("a signing failure is a reject, delivered after place returns", async () => {
    const { ex, orders, events } = setup();
    orders.fail.add("bad");
    ex.place([intent("bad")]);
    expect(events).toHaveLength(0);
    await settleMicrotasks();
    expect(events[0]).toMatchObject({ kind: "reject", clientId: "bad", code: "INVALID_TICK" });
    expect(server.seen).toHaveLength(0);
  });

  test("a gateway 5xx is TIMEOUT_AMBIGUOUS carrying the order hash", async () => {
    server.on("POST /order", () => json({ error: "bad gateway" }, 504));
    const { ex, events } = setup();
    ex.place([intent("a")]);
    await until(onEx(ex), () => events.length === 1);
    expect(events[0]).toMatchObject({ kind: "reject", clientId: "a", orderId: "0xa", code: "TIMEOUT_AMBIGUOUS" });
  });

  test("fill before the REST reply: ack then fill from the user channel, no duplicate ack later", async () => {
    let release: () => void = () => {};
    server.on("POST /order", () => new Promise<Response>((res) => (release = () => res(json(okReply("0xa"))))));
    const { ex, events, rest } = setup();
    const posted: Promise<unknown>[] = [];
    const post = rest.postOrder.bind(rest);
    rest.postOrder = (body: string) => {
      const p = post(body);
      posted.push(p);
      return p;
    };
    const arrived = server.nextArrival();
    ex.place([intent("a")]);
    await arrived;
    feed(ex, trade({}));
    expect(events.map((e) => e.kind)).toEqual(["ack", "fill"]);
    expect(events[1]).toMatchObject({
      kind: "fill",
      tradeId: "t-1",
      orderId: "0xa",
      side: "BUY",
      priceE4: 4_500,
      sizeE6: 4_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
    });
    release();
    await posted[0];
    await settleMicrotasks();
    expect(events.filter((e) => e.kind === "ack")).toHaveLength(1);
  });

  test("taker fills carry the taker fee; trades of others are ignored", () => {
    const { ex, events } = setup();
    feed(ex, trade({ id: "t-2", owner: API_KEY, taker_order_id: "0xmine", side: "BUY", size: "10", price: "0.5", maker_orders: [] }));
    feed(
      ex,
      trade({
        id: "t-3",
        maker_orders: [
          {
            order_id: "0xz",
            owner: "x",
            maker_address: "0xnope",
            matched_amount: "1",
            price: "0.4",
            fee_rate_bps: "0",
            asset_id: TOKEN,
            outcome: "Up",
            side: "BUY",
          },
        ],
      }),
    );
    expect(events).toHaveLength(1);
    // 10 × 0.07 × 0.5 × 0.5 = 0.175 pUSD
    expect(events[0]).toMatchObject({
      kind: "fill",
      orderId: "0xmine",
      side: "BUY",
      sizeE6: 10_000_000,
      feeE6: 175_000,
      liquidity: "taker",
    });
  });

  test("user order events: placement acks our order, cancellation closes, expiry recognised", () => {
    const { ex, events } = setup();
    server.on("POST /order", () => new Promise<Response>(() => {}));
    ex.place([intent("a")]);
    const order = (o: Record<string, unknown>) =>
      JSON.stringify({
        event_type: "order",
        id: "0xa",
        owner: API_KEY,
        market: CID,
        asset_id: TOKEN,
        side: "BUY",
        original_size: "10",
        size_matched: "0",
        price: "0.45",
        outcome: "Up",
        type: "PLACEMENT",
        created_at: "1672290687",
        expiration: "0",
        order_type: "GTC",
        status: "LIVE",
        maker_address: MAKER,
        timestamp: "1672290687",
        ...o,
      });
    feed(ex, order({}));
    feed(ex, order({ id: "0xg", type: "CANCELLATION", status: "CANCELED", expiration: "1672290000", timestamp: "1672290700" }));
    feed(ex, order({ type: "CANCELLATION", status: "CANCELED" }));
    expect(events).toEqual([
      { kind: "ack", clientId: "a", orderId: "0xa", status: "live", atNs: expect.any(Number) },
      { kind: "order_closed", orderId: "0xg", reason: "expired", atNs: expect.any(Number) },
      { kind: "order_closed", orderId: "0xa", reason: "cancelled", atNs: expect.any(Number) },
    ]);
  });

  test("cancel: canceled ids close, not_canceled ones report cancel_failed", async () => {
    server.on("DELETE /orders", () =>
      json({ canceled: ["0x1"], not_canceled: { "0x2": "order can't be found - already canceled or matched" } }),
    );
    const { ex, events } = setup();
    ex.cancel(["0x1", "0x2"]);
    await until(onEx(ex), () => events.length === 2);
    expect(events).toMatchObject([
      { kind: "order_closed", orderId: "0x1", reason: "cancelled" },
      { kind: "cancel_failed", orderId: "0x2", message: "order can't be found - already canceled or matched" },
    ]);
  });

  test("cancelAll → DELETE /cancel-all; every canceled id closes", async () => {
    server.on("DELETE /cancel-all", () => json({ canceled: ["0x1", "0x2"], not_canceled: {} }));
    const { ex, events } = setup();
    ex.cancelAll();
    await until(onEx(ex), () => events.length === 2);
    expect(server.seen.map((s) => `${s.method} ${s.path}`)).toEqual(["DELETE /cancel-all"]);
  });

  test("fetchOpenOrders / fetchOrder / fetchBalances map replies and throw typed errors", async () => {
    server
      .on("GET /data/orders", () => json({ data: [], next_cursor: "LTE=" }))
      .on("GET /data/order/0xq", () => json({ error: "Unauthorized/Invalid api key" }, 401))
      .on("GET /balance-allowance", (req) =>
        json({ balance: req.search.get("asset_type") === "COLLATERAL" ? "100000000" : "5000000", allowances: {} }),
      );
    const { ex } = setup();
    expect(await ex.fetchOpenOrders()).toEqual([]);
    const b = await ex.fetchBalances([TOKEN]);
    expect(b.collateralE6).toBe(100_000_000);
    expect(b.positionsE6.get(TOKEN)).toBe(5_000_000);
    const e = await ex.fetchOrder("0xq").then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ name: "RestExchangeError", code: "AUTH", status: 401 });
  });

  test("a lapsed heartbeat becomes a stale connection event, and resynced when it recovers", async () => {
    let up = true;
    server.on("POST /v1/heartbeats", () => (up ? json({ heartbeat_id: "hb" }) : json({ error: "down" }, 400)));
    const clock = new ManualClock();
    const { ex, events } = setup(clock, (rest) => new HeartbeatSender({ rest, clock, intervalMs: 5_000, lapseMs: 10_000 }));
    const hb = (ex as unknown as { heartbeat: HeartbeatSender }).heartbeat;
    const onHb = (fn: () => void) => hb.onEvent(fn);
    hb.start();
    await until(onHb, () => hb.stats.ok === 1);
    up = false;
    for (let i = 1; i <= 2; i++) {
      clock.advanceBy(5_000);
      await until(onHb, () => hb.stats.failed === i);
    }
    expect(events.at(-1)).toMatchObject({ kind: "connection", state: "stale" });
    up = true;
    clock.advanceBy(5_000);
    await until(onHb, () => hb.stats.ok === 2);
    expect(events.at(-1)).toMatchObject({ kind: "connection", state: "resynced" });
    await ex.close();
  });
});

describe("OrderManager over the Polymarket client (loopback)", () => {
  test("an ambiguous submit is resolved by GET /data/order/{hash}; the order is never posted twice", async () => {
    server.on("POST /order", () => json({ error: "gateway timeout" }, 504));
    server.on("GET /data/order/0xa", () =>
      json({
        id: "0xa",
        status: "LIVE",
        owner: API_KEY,
        maker_address: MAKER,
        market: CID,
        asset_id: TOKEN,
        side: "BUY",
        original_size: "10",
        size_matched: "0",
        price: "0.45",
        associate_trades: [],
        outcome: "Up",
        created_at: 1,
        expiration: "0",
        order_type: "GTC",
      }),
    );
    const clock = new SystemClock();
    const { ex } = setup(clock);
    const om = new OrderManager({ exchange: ex, clock });
    om.submitOrder(intent("a"));
    await until(
      (fn) => om.onUpdate(fn),
      () => om.getOrder("a")?.state === "live",
    );
    expect(om.getOrder("a")?.orderId).toBe("0xa");
    expect(server.count("POST /order")).toBe(1);
    expect(server.count("GET /data/order/0xa")).toBe(1);
    om.close();
  });

  test("submit, fill over the user channel, FAILED reverses it", async () => {
    server.on("POST /order", () => json(okReply("0xa")));
    const clock = new SystemClock();
    const { ex } = setup(clock);
    const om = new OrderManager({ exchange: ex, clock });
    om.submitOrder(intent("a"));
    await until(
      (fn) => om.onUpdate(fn),
      () => om.getOrder("a")?.state === "live",
    );
    feed(ex, trade({}));
    expect(om.getOrder("a")).toMatchObject({ state: "partially_filled", filledE6: 4_000_000 });
    feed(ex, trade({ status: "FAILED" }));
    expect(om.getOrder("a")).toMatchObject({ state: "live", filledE6: 0 });
    expect(om.position(TOKEN).netE6).toBe(0);
    om.close();
  });
});
