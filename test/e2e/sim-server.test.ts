/**
 * The sim server's own behaviour over loopback: Gamma discovery parsed by the project's
 * Gamma parser, the heartbeat dead-man's switch over REST, RTDS subscription, the /test API
 * (off by default) and its faults: HTTP 429/500 with Retry-After, lost replies, dropped
 * sockets and a PING left unanswered. Time comes from a ManualClock.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/core/clock.ts";
import { Secret } from "../../src/core/secret.ts";
import { l1Headers, l2Headers } from "../../src/polymarket/auth.ts";
import { parseGammaMarket } from "../../src/polymarket/gamma.ts";
import { OrderSigner, orderPostBody } from "../../src/polymarket/signing.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { SimServer } from "../../src/sim/server.ts";

const START = 1_780_876_860_000;
const PK = new Secret("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "test key");

let clock: ManualClock;
let ex: SimExchange;
let server: SimServer;
let base: string;

beforeAll(() => {
  clock = new ManualClock(START);
  ex = new SimExchange({ seed: 2, startMs: START, flow: null, schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300] } });
  server = new SimServer({ exchange: ex, clock, testApi: true });
  base = server.start().rest;
});
afterAll(async () => {
  await server.stop();
});

async function apiKey(signer: OrderSigner) {
  const res = await fetch(`${base}/auth/derive-api-key`, { headers: { ...l1Headers(signer, 1_780_876_860) } });
  expect(res.status).toBe(200);
  const j = (await res.json()) as { apiKey: string; secret: string; passphrase: string };
  return { key: j.apiKey, secret: new Secret(j.secret), passphrase: new Secret(j.passphrase) };
}

async function l2(
  creds: Awaited<ReturnType<typeof apiKey>>,
  address: string,
  method: string,
  path: string,
  body?: string,
  query = "",
): Promise<Response> {
  const h = l2Headers(creds, address, 1_780_876_860, method, path, body);
  return fetch(`${base}${path}${query}`, {
    method,
    headers: { ...h, "content-type": "application/json" },
    ...(body === undefined ? {} : { body }),
  });
}

describe("sim server", () => {
  test("Gamma discovery parses with the project's Gamma parser", async () => {
    const m = ex.allMarkets()[0];
    if (!m) throw new Error("no market");
    const res = await fetch(`${base}/gamma/markets?slug=${m.sched.info.slug}`);
    const arr = (await res.json()) as unknown[];
    expect(arr.length).toBe(1);
    const parsed = parseGammaMarket(arr[0]);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(parsed.value).toMatchObject({
      conditionId: m.sched.info.conditionId,
      yesTokenId: m.sched.info.yesTokenId,
      noTokenId: m.sched.info.noTokenId,
      startMs: m.sched.info.startMs,
      endMs: m.sched.info.endMs,
      tickE4: 100,
      minSizeE6: 5_000_000,
      feeRate: 0.07,
      rebateRate: 0.2,
      windowSec: 300,
      underlying: "btc/usd",
      resolution: "twap60",
    });
    const byToken = await fetch(`${base}/gamma/markets?clob_token_ids=${m.sched.info.noTokenId}`);
    expect(((await byToken.json()) as unknown[]).length).toBe(1);
  });

  test("heartbeats: a chain keeps orders, a gap cancels them, a stale id is refused", async () => {
    const signer = new OrderSigner({ privateKey: PK, signatureType: 0, chainId: 137 });
    const creds = await apiKey(signer);
    const m = ex.allMarkets().find((x) => x.state === "open" && x.strike !== undefined);
    if (!m) throw new Error("no live market");
    const order = signer.sign({
      tokenId: m.sched.info.yesTokenId,
      side: "BUY",
      priceE4: 3000,
      sizeE6: 10_000_000,
      tickE4: 100,
      negRisk: false,
      exchangeVersion: 2,
      salt: 12345,
      timestampMs: START,
    });
    const post = await l2(creds, signer.address, "POST", "/order", orderPostBody(order, creds.key, "GTC", false));
    expect(await post.json()).toMatchObject({ success: true, status: "live", orderID: order.orderId });

    const first = await l2(creds, signer.address, "POST", "/v1/heartbeats", JSON.stringify({ heartbeat_id: "" }));
    const id = ((await first.json()) as { heartbeat_id: string }).heartbeat_id;
    const stale = await l2(creds, signer.address, "POST", "/v1/heartbeats", JSON.stringify({ heartbeat_id: "nope" }));
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ error: "Invalid Heartbeat ID", heartbeat_id: id });
    clock.advanceBy(9_000);
    const next = await l2(creds, signer.address, "POST", "/v1/heartbeats", JSON.stringify({ heartbeat_id: id }));
    expect(next.status).toBe(200);
    clock.advanceBy(10_500);
    server.sync();
    const open = await l2(creds, signer.address, "GET", "/data/orders");
    expect(((await open.json()) as { data: unknown[] }).data).toEqual([]);
    expect(ex.order(order.orderId)?.status).toBe("CANCELED");
  });

  test("HTTP faults: 429 with Retry-After, 500, then normal service", async () => {
    await fetch(`${base}/test/fault`, {
      method: "POST",
      body: JSON.stringify({ http_status: 429, count: 1, path: "/book", retry_after: 2 }),
    });
    await fetch(`${base}/test/fault`, { method: "POST", body: JSON.stringify({ http_status: 500, count: 1, path: "/book" }) });
    const tok = ex.allMarkets()[0]?.sched.info.yesTokenId ?? "";
    const a = await fetch(`${base}/book?token_id=${tok}`);
    expect(a.status).toBe(429);
    expect(a.headers.get("retry-after")).toBe("2");
    expect(await a.json()).toEqual({ error: "Too Many Requests" });
    const b = await fetch(`${base}/book?token_id=${tok}`);
    expect(b.status).toBe(500);
    const c = await fetch(`${base}/book?token_id=${tok}`);
    expect(c.status).toBe(200);
  });

  test("a lost reply: the order is placed, the client times out", async () => {
    const signer = new OrderSigner({ privateKey: PK, signatureType: 0, chainId: 137 });
    const creds = await apiKey(signer);
    const m = ex.allMarkets().find((x) => x.state === "open");
    if (!m) throw new Error("no market");
    await fetch(`${base}/test/fault`, { method: "POST", body: JSON.stringify({ lose_replies: 1, path: "/order" }) });
    const order = signer.sign({
      tokenId: m.sched.info.noTokenId,
      side: "BUY",
      priceE4: 2000,
      sizeE6: 10_000_000,
      tickE4: 100,
      negRisk: false,
      exchangeVersion: 2,
      salt: 777,
      timestampMs: START,
    });
    const body = orderPostBody(order, creds.key, "GTC", false);
    const h = l2Headers(creds, signer.address, 1_780_876_860, "POST", "/order", body);
    const lost = fetch(`${base}/order`, { method: "POST", headers: h, body, signal: AbortSignal.timeout(200) });
    await expect(lost).rejects.toThrow();
    expect(ex.order(order.orderId)?.status).toBe("LIVE");
    const again = await l2(creds, signer.address, "POST", "/order", body);
    expect(await again.json()).toMatchObject({ success: false, errorMsg: `order ${order.orderId} is invalid. Duplicated.` });
  });

  test("dropped sockets and an unanswered PING", async () => {
    const ws = new WebSocket(server.urls().wsMarket);
    await new Promise<void>((r) => {
      ws.onopen = () => r();
    });
    const closed = new Promise<number>((r) => {
      ws.onclose = (e) => r(e.code);
    });
    await fetch(`${base}/test/fault`, { method: "POST", body: JSON.stringify({ stop_pong: true }) });
    const got: string[] = [];
    ws.onmessage = (e) => got.push(String(e.data));
    ws.send("PING");
    const res = await fetch(`${base}/test/fault`, { method: "POST", body: JSON.stringify({ drop_sockets: "market" }) });
    expect(((await res.json()) as { dropped: number }).dropped).toBe(1);
    expect(await closed).toBe(1006);
    expect(got).toEqual([]);
    await fetch(`${base}/test/fault`, { method: "POST", body: JSON.stringify({ clear: true }) });
  });

  test("the test API is off unless enabled", async () => {
    const quiet = new SimServer({ exchange: ex, clock });
    const u = quiet.start();
    const r = await fetch(`${u.rest}/test/state`);
    expect(r.status).toBe(404);
    await quiet.stop();
  });
});
