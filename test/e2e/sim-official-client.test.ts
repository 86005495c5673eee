/**
 * The official client, unchanged, against the simulator on 127.0.0.1: `@polymarket/clob-client-v2`
 * creates/derives an API key (L1), lists markets, reads a book and a tick size, posts a GTC
 * order (L2 HMAC + EIP-712 signature checked by the sim), sees it in its open orders,
 * cancels it, posts again and cancels all, posts a marketable order that fills and sees the
 * trade. An order with a forged signature is rejected with the real error.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Wallet } from "@ethersproject/wallet";
import { ClobClient, OrderType, Side } from "@polymarket/clob-client-v2";
import { ManualClock } from "../../src/core/clock.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { SimServer } from "../../src/sim/server.ts";

// Hardhat's well-known test keys (public; never funded anywhere real).
const KEY_A = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEY_B = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const START = 1_780_876_860_000; // one minute into a 5-minute window

let server: SimServer;
let ex: SimExchange;
let host: string;

beforeAll(() => {
  const clock = new ManualClock(START);
  ex = new SimExchange({ seed: 5, startMs: START, flow: null, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300] } });
  server = new SimServer({ exchange: ex, clock, testApi: true });
  host = server.start().rest;
});
afterAll(async () => {
  await server.stop();
});

function liveMarket() {
  const m = ex.allMarkets().find((x) => x.state === "open" && x.sched.startSec * 1000 <= ex.nowMs);
  if (!m) throw new Error("no live market");
  return m;
}

describe("@polymarket/clob-client-v2 against the simulator", () => {
  test("the whole trading round trip", async () => {
    const wallet = new Wallet(KEY_A);
    const l1 = new ClobClient({ host, chain: 137, signer: wallet });
    const creds = await l1.createOrDeriveApiKey();
    expect(creds.key).toMatch(/^[0-9a-f-]{36}$/);
    const again = await l1.deriveApiKey();
    expect(again).toEqual(creds);
    const client = new ClobClient({ host, chain: 137, signer: wallet, creds });

    const markets = await client.getMarkets();
    const m = liveMarket();
    const up = m.sched.info.yesTokenId;
    expect(markets.data.map((x: { condition_id: string }) => x.condition_id)).toContain(m.sched.info.conditionId);

    const placed = ex.placeBook(up, [["0.45", "200"]], [["0.55", "200"]]);
    expect(placed.ok).toBe(true);
    const book = await client.getOrderBook(up);
    expect(book.bids.at(-1)).toEqual({ price: "0.45", size: "200" });
    expect(book.asks.at(-1)).toEqual({ price: "0.55", size: "200" });
    expect(await client.getTickSize(up)).toBe("0.01");

    const gtc = await client.createOrder({ tokenID: up, price: 0.4, size: 10, side: Side.BUY });
    const posted = await client.postOrder(gtc, OrderType.GTC);
    expect(posted).toMatchObject({ success: true, status: "live", errorMsg: "" });
    const open = await client.getOpenOrders();
    expect(open.map((o: { id: string }) => o.id)).toEqual([posted.orderID]);
    expect(open[0]).toMatchObject({ price: "0.4", original_size: "10", side: "BUY", asset_id: up, status: "LIVE" });
    const canceled = await client.cancelOrder({ orderID: posted.orderID });
    expect(canceled).toEqual({ canceled: [posted.orderID], not_canceled: {} });
    expect(await client.getOpenOrders()).toEqual([]);

    const a = await client.postOrder(await client.createOrder({ tokenID: up, price: 0.41, size: 10, side: Side.BUY }), OrderType.GTC);
    const b = await client.postOrder(
      await client.createOrder({ tokenID: m.sched.info.noTokenId, price: 0.3, size: 12, side: Side.BUY }),
      OrderType.GTC,
    );
    expect((await client.getOpenOrders()).length).toBe(2);
    const all = await client.cancelAll();
    expect([...all.canceled].sort()).toEqual([a.orderID, b.orderID].sort());
    expect(await client.getOpenOrders()).toEqual([]);

    // marketable: buy $11 of Up with FOK; it lifts the 0.55 ask
    const mkt = await client.createMarketOrder({ tokenID: up, amount: 11, side: Side.BUY, orderType: OrderType.FOK });
    const filled = await client.postOrder(mkt, OrderType.FOK);
    expect(filled).toMatchObject({ success: true, status: "matched", makingAmount: "11", takingAmount: "20" });
    expect(filled.tradeIDs?.length).toBe(1);
    const trades = await client.getTrades();
    expect(trades.map((t) => t.id)).toEqual(filled.tradeIDs ?? []);
    expect(trades[0]).toMatchObject({ side: "BUY", size: "20", price: "0.55", trader_side: "TAKER", asset_id: up, status: "MATCHED" });
    const bal = await client.getBalanceAllowance({ asset_type: "CONDITIONAL" as never, token_id: up });
    expect(bal.balance).toBe("20000000");
  });

  test("a forged signature and a foreign signer are rejected", async () => {
    const wallet = new Wallet(KEY_A);
    const creds = await new ClobClient({ host, chain: 137, signer: wallet }).createOrDeriveApiKey();
    const client = new ClobClient({ host, chain: 137, signer: wallet, creds });
    const up = liveMarket().sched.info.yesTokenId;
    const order = await client.createOrder({ tokenID: up, price: 0.2, size: 10, side: Side.BUY });
    // flip one byte of s: still well-formed, no longer this order's signature
    const sig = order.signature;
    const forged = { ...order, signature: `${sig.slice(0, 100)}${sig[100] === "1" ? "2" : "1"}${sig.slice(101)}` };
    const r = await client.postOrder(forged, OrderType.GTC);
    expect(r).toMatchObject({ error: "invalid signature", status: 400 });

    // an order signed by another wallet, sent with A's API key
    const other = new ClobClient({ host, chain: 137, signer: new Wallet(KEY_B), creds });
    const foreign = await other.createOrder({ tokenID: up, price: 0.2, size: 10, side: Side.BUY });
    const r2 = await client.postOrder(foreign, OrderType.GTC);
    expect(r2).toMatchObject({ error: "the order signer address has to be the address of the API KEY", status: 400 });

    // wrong API secret: L2 refused
    const bad = new ClobClient({
      host,
      chain: 137,
      signer: wallet,
      creds: { ...creds, secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
    });
    expect((await bad.getApiKeys()) as unknown).toEqual({ error: "Unauthorized/Invalid api key", status: 401 });
    const raw = await fetch(`${host}/data/orders`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ error: "Unauthorized/Invalid api key" });
  });
});
