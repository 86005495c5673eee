import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock, SystemClock } from "../../../src/core/clock.ts";
import { HttpClient } from "../../../src/net/http.ts";
import { RateLimiter } from "../../../src/net/rate-limiter.ts";
import { type L2Auth, PolymarketRest } from "../../../src/polymarket/rest.ts";
import { ClobStandIn, json } from "../../helpers/clob-stand-in.ts";

/** Records what it signed; headers name the inputs so the server can check them. */
class RecordingAuth implements L2Auth {
  readonly signed: { ts: number; method: string; path: string; body: string | undefined }[] = [];
  headers(ts: number, method: string, path: string, body?: string): Record<string, string> {
    this.signed.push({ ts, method, path, body });
    return {
      POLY_ADDRESS: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      POLY_SIGNATURE: `sig(${method} ${path} ${body?.length ?? 0})`,
      POLY_TIMESTAMP: String(ts),
      POLY_API_KEY: "key-uuid",
      POLY_PASSPHRASE: "pass",
    };
  }
}

const server = new ClobStandIn();
afterAll(() => server.stop());

function client(opts: { clock?: ManualClock | SystemClock; auth?: L2Auth | null; limiter?: RateLimiter; orderTimeoutMs?: number } = {}) {
  const clock = opts.clock ?? new SystemClock();
  const auth = opts.auth === null ? undefined : (opts.auth ?? new RecordingAuth());
  const limiter = opts.limiter ?? new RateLimiter(clock);
  const http = new HttpClient({ clock, random: () => 0, timeoutMs: 2_000 });
  const rest = new PolymarketRest({
    baseUrl: server.url,
    http,
    limiter,
    clock,
    signatureType: 2,
    orderTimeoutMs: opts.orderTimeoutMs ?? 2_000,
    ...(auth ? { auth } : {}),
  });
  return { rest, auth: auth as RecordingAuth | undefined, limiter, http, clock };
}

const orderBody = (n: number) =>
  JSON.stringify({ deferExec: false, postOnly: true, order: { salt: n, tokenId: "1", side: "BUY" }, owner: "key-uuid", orderType: "GTC" });
const okReply = (id: string) => ({
  success: true,
  errorMsg: "",
  orderID: id,
  status: "live",
  makingAmount: "",
  takingAmount: "",
  transactionsHashes: [],
  tradeIDs: [],
});

beforeEach(() => {
  server.seen.length = 0;
  server.routes.clear();
});

describe("orders", () => {
  test("postOrder sends the exact body with L2 headers signed over path and body", async () => {
    server.on("POST /order", () => json(okReply("0xabc")));
    const { rest, auth } = client();
    const body = orderBody(1);
    const r = await rest.postOrder(body);
    expect(r).toMatchObject({ ok: true, value: { orderId: "0xabc", status: "live", success: true } });
    const seen = server.seen[0];
    expect(seen?.body).toBe(body);
    for (const h of ["POLY_ADDRESS", "POLY_SIGNATURE", "POLY_TIMESTAMP", "POLY_API_KEY", "POLY_PASSPHRASE"])
      expect(seen?.headers.get(h)).toBeTruthy();
    expect(auth?.signed[0]).toMatchObject({ method: "POST", path: "/order", body });
    expect(seen?.headers.get("POLY_TIMESTAMP")).toBe(String(auth?.signed[0]?.ts));
  });

  test("postOrders splits at 15 per request and returns outcomes in input order", async () => {
    server.on("POST /orders", (req) => {
      const arr = JSON.parse(req.body) as { order: { salt: number } }[];
      return json(
        arr.map((o) =>
          o.order.salt % 7 === 3
            ? { success: false, errorMsg: "not enough balance / allowance", orderID: "" }
            : okReply(`0x${o.order.salt}`),
        ),
      );
    });
    const { rest } = client();
    const bodies = Array.from({ length: 32 }, (_, i) => orderBody(i));
    const out = await rest.postOrders(bodies);
    const sizes = server.seen.map((s) => (JSON.parse(s.body) as unknown[]).length).sort((a, b) => b - a);
    expect(sizes).toEqual([15, 15, 2]);
    expect(out).toHaveLength(32);
    out.forEach((o, i) => {
      if (i % 7 === 3) expect(o).toMatchObject({ ok: false, code: "INSUFFICIENT_BALANCE", reason: "not enough balance / allowance" });
      else expect(o).toMatchObject({ ok: true, value: { orderId: `0x${i}` } });
    });
    // Each batch body is the bodies joined, byte for byte.
    expect(
      server.seen.some((s) => s.body === `[${bodies.slice(0, 15).join(",")}]` || s.body === `[${bodies.slice(15, 30).join(",")}]`),
    ).toBe(true);
  });

  test("a batch never exceeds the signer burst either", async () => {
    server.on("POST /orders", (req) => json((JSON.parse(req.body) as unknown[]).map((_, i) => okReply(`0x${i}`))));
    const clock = new SystemClock();
    const limiter = new RateLimiter(clock, { buckets: { signer_orders: { capacity: 10, refillPerSec: 1_000 } } });
    const { rest } = client({ clock, limiter });
    await rest.postOrders(Array.from({ length: 25 }, (_, i) => orderBody(i)));
    expect(server.seen.map((s) => (JSON.parse(s.body) as unknown[]).length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
  });
});

describe("typed errors keep the exchange's message", () => {
  const cases: [string, number, unknown, string][] = [
    ["insufficient balance", 400, { error: "not enough balance / allowance" }, "INSUFFICIENT_BALANCE"],
    ["invalid tick", 400, { error: "order 0x1 is invalid. Price (0.455) breaks minimum tick size rule: 0.01" }, "INVALID_TICK"],
    ["post-only cross", 400, { error: "invalid post-only order: order crosses book" }, "POST_ONLY_CROSS"],
    ["order too small", 400, { error: "order 0x1 is invalid. Size (1) lower than the minimum: 5" }, "ORDER_TOO_SMALL"],
    ["duplicate", 400, { error: "order 0x1 is invalid. Duplicated." }, "DUPLICATE"],
    ["FOK miss", 400, { error: "order couldn't be fully filled. FOK orders are fully filled or killed." }, "FOK_NOT_FILLED"],
    ["auth", 401, { error: "Unauthorized/Invalid api key" }, "AUTH"],
    ["market not ready", 400, { error: "the market is not yet ready to process new orders" }, "MARKET_CLOSED"],
    ["trading disabled", 503, { error: "Trading is currently disabled. Check polymarket.com for updates" }, "SERVER_ERROR"],
    ["engine restart", 425, "Too Early", "SERVER_ERROR"],
    ["batch too big", 400, { error: "Too many orders in payload: 16, max allowed: 15" }, "INVALID_ORDER"],
  ];
  for (const [name, status, body, code] of cases) {
    test(`${name} → ${code}`, async () => {
      server.on("POST /order", () => (typeof body === "string" ? new Response(body, { status }) : json(body, status)));
      const { rest } = client();
      const r = await rest.postOrder(orderBody(1));
      const msg = typeof body === "string" ? body : (body as { error: string }).error;
      expect(r).toMatchObject({ ok: false, code, status, reason: msg });
      expect(server.count("POST /order")).toBe(1);
    });
  }

  test("success:false in a 200 reply is a reject with errorMsg", async () => {
    server.on("POST /order", () => json({ success: false, errorMsg: "invalid post-only order: order crosses book", orderID: "" }));
    const { rest } = client();
    expect(await rest.postOrder(orderBody(1))).toMatchObject({ ok: false, code: "POST_ONLY_CROSS", status: 200 });
  });

  test("429 with Retry-After: RATE_LIMITED with the delay, and the class is held back", async () => {
    server.on("POST /order", () => json({ error: "Too Many Requests" }, 429, { "Retry-After": "2" }));
    const clock = new ManualClock();
    const { rest, limiter } = client({ clock });
    const r = await rest.postOrder(orderBody(1));
    expect(r).toMatchObject({ ok: false, code: "RATE_LIMITED", status: 429, retryAfterMs: 2_000 });
    expect(limiter.penalties).toBe(1);
    expect(limiter.reserve("post_order").waitMs).toBe(2_000);
  });

  test("post-only mode's retry_after_seconds is read from the body", async () => {
    server.on("POST /order", () =>
      json(
        { error: "post-only mode: only post-only orders and cancels are allowed", code: "post_only_mode", retry_after_seconds: 90 },
        400,
      ),
    );
    const { rest } = client();
    expect(await rest.postOrder(orderBody(1))).toMatchObject({ ok: false, code: "SERVER_ERROR", retryAfterMs: 90_000 });
  });

  test("a 5xx on an order post is ambiguous and never resent", async () => {
    server.on("POST /order", () => json({ error: "internal" }, 502));
    const { rest } = client();
    expect(await rest.postOrder(orderBody(1))).toMatchObject({ ok: false, code: "TIMEOUT_AMBIGUOUS", status: 502 });
    expect(server.count("POST /order")).toBe(1);
  });

  test("a 5xx on a read is retried with backoff, then SERVER_ERROR", async () => {
    server.on("GET /book", () => json({ error: "busy" }, 503));
    const { rest } = client();
    expect(await rest.getBook("1")).toMatchObject({ ok: false, code: "SERVER_ERROR", status: 503, reason: "busy" });
    expect(server.count("GET /book")).toBe(3);
  });

  test("an order post that times out is TIMEOUT_AMBIGUOUS after exactly one send", async () => {
    let release: () => void = () => {};
    server.on("POST /order", () => new Promise<Response>((res) => (release = () => res(json(okReply("0xlate"))))));
    const clock = new ManualClock();
    const { rest } = client({ clock, orderTimeoutMs: 500 });
    const arrived = server.nextArrival();
    const p = rest.postOrder(orderBody(1));
    await arrived;
    clock.advanceBy(500);
    const r = await p;
    release();
    expect(r).toMatchObject({ ok: false, code: "TIMEOUT_AMBIGUOUS", status: 0 });
    expect(r.ok ? "" : r.reason).toContain("timeout");
    expect(server.count("POST /order")).toBe(1);
  });

  test("a refused connection is not ambiguous: nothing was sent, it is retried once", async () => {
    const dead = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = dead.port;
    dead.stop(true);
    const clock = new SystemClock();
    let attempts = 0;
    const counting = ((input: string | URL | Request, init?: RequestInit) => {
      attempts++;
      return fetch(input, init);
    }) as typeof fetch;
    const http = new HttpClient({ clock, fetch: counting });
    const rest = new PolymarketRest({
      baseUrl: `http://127.0.0.1:${port}`,
      http,
      limiter: new RateLimiter(clock),
      clock,
      auth: new RecordingAuth(),
    });
    const r = await rest.postOrder(orderBody(1));
    expect(r).toMatchObject({ ok: false, code: "SERVER_ERROR", status: 0 });
    expect(attempts).toBe(2);
  });

  test("no credentials: trading calls fail with AUTH before anything is sent", async () => {
    const { rest } = client({ auth: null });
    expect(await rest.postOrder(orderBody(1))).toMatchObject({ ok: false, code: "AUTH" });
    expect(server.seen).toHaveLength(0);
  });

  test("a locally refused order (queue full) is RATE_LIMITED without a request", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, { maxQueueMs: { post_order: 0 }, buckets: { signer_orders: { capacity: 1, refillPerSec: 1 } } });
    server.on("POST /order", () => json(okReply("0x1")));
    const { rest } = client({ clock, limiter });
    expect((await rest.postOrder(orderBody(1))).ok).toBe(true);
    expect(await rest.postOrder(orderBody(2))).toMatchObject({ ok: false, code: "RATE_LIMITED", status: 0 });
    expect(server.count("POST /order")).toBe(1);
  });
});

describe("cancels and reads", () => {
  test("cancelOrders chunks to the cancel burst and merges the replies", async () => {
    server.on("DELETE /orders", (req) => {
      const ids = JSON.parse(req.body) as string[];
      return json({
        canceled: ids.filter((id) => id !== "0x5"),
        not_canceled: ids.includes("0x5") ? { "0x5": "order can't be found" } : {},
      });
    });
    const clock = new SystemClock();
    // Standard burst (120) with a fast refill so the test does not wait out the real rate.
    const limiter = new RateLimiter(clock, { buckets: { signer_cancels: { capacity: 120, refillPerSec: 1e6 } } });
    const { rest } = client({ clock, limiter });
    const ids = Array.from({ length: 250 }, (_, i) => `0x${i}`);
    const r = await rest.cancelOrders(ids);
    expect(server.seen.map((s) => (JSON.parse(s.body) as unknown[]).length).sort((a, b) => b - a)).toEqual([120, 120, 10]);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.canceled).toHaveLength(249);
    expect(r.value.notCanceled.get("0x5")).toBe("order can't be found");
  });

  test("cancel one, cancel all, cancel market: paths, bodies, auth", async () => {
    const reply = () => json({ canceled: ["0x1"], not_canceled: {} });
    server.on("DELETE /order", reply).on("DELETE /cancel-all", reply).on("DELETE /cancel-market-orders", reply);
    const { rest, auth } = client();
    expect((await rest.cancelOrder("0x1")).ok).toBe(true);
    expect((await rest.cancelAll(3)).ok).toBe(true);
    expect((await rest.cancelMarketOrders({ market: "0xc", assetId: "9" })).ok).toBe(true);
    expect(server.seen.map((s) => [s.method, s.path, s.body])).toEqual([
      ["DELETE", "/order", '{"orderID":"0x1"}'],
      ["DELETE", "/cancel-all", ""],
      ["DELETE", "/cancel-market-orders", '{"market":"0xc","asset_id":"9"}'],
    ]);
    expect(auth?.signed.map((s) => s.body)).toEqual(['{"orderID":"0x1"}', undefined, '{"market":"0xc","asset_id":"9"}']);
  });

  test("open orders follow next_cursor until LTE=, signing the path without the query", async () => {
    const order = (id: string) => ({
      id,
      status: "ORDER_STATUS_LIVE",
      owner: "k",
      maker_address: "0xm",
      market: "0xc",
      asset_id: "9",
      side: "BUY",
      original_size: "10",
      size_matched: "0",
      price: "0.45",
      associate_trades: [],
      outcome: "Up",
      created_at: 1767225600,
      expiration: "0",
      order_type: "GTC",
    });
    server.on("GET /data/orders", (req) => {
      const c = req.search.get("next_cursor");
      if (c === "MA==") return json({ data: [order("0x1"), order("0x2")], next_cursor: "Mg==" });
      if (c === "Mg==") return json({ data: [order("0x3")], next_cursor: "LTE=" });
      return json({ error: "bad cursor" }, 400);
    });
    const { rest, auth } = client();
    const r = await rest.getOpenOrders({ market: "0xc" });
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.map((o) => o.orderId)).toEqual(["0x1", "0x2", "0x3"]);
    expect(r.value[0]).toMatchObject({ priceE4: 4_500, originalSizeE6: 10_000_000, status: "LIVE" });
    expect(server.seen.every((s) => s.search.get("market") === "0xc")).toBe(true);
    expect(auth?.signed.every((s) => s.path === "/data/orders")).toBe(true);
  });

  test("getOrder: found, unknown (null body) and 404", async () => {
    server.on("GET /data/order/0xa", () =>
      json({
        id: "0xa",
        status: "MATCHED",
        owner: "k",
        maker_address: "0xm",
        market: "0xc",
        asset_id: "9",
        side: "SELL",
        original_size: "5",
        size_matched: "5",
        price: "0.5",
        associate_trades: [],
        outcome: "Up",
        created_at: 1,
        expiration: "0",
        order_type: "GTC",
      }),
    );
    server.on("GET /data/order/0xb", () => json(null));
    const { rest } = client();
    expect(await rest.getOrder("0xa")).toMatchObject({ ok: true, value: { orderId: "0xa", status: "matched", matchedSizeE6: 5_000_000 } });
    expect(await rest.getOrder("0xb")).toEqual({ ok: true, value: null });
    expect(await rest.getOrder("0xz")).toEqual({ ok: true, value: null });
  });

  test("public reads: book, tick size, neg risk, fee rate, time, version — no auth headers", async () => {
    server
      .on("GET /book", () =>
        json({
          market: "0xc",
          asset_id: "9",
          timestamp: "1767225600123",
          hash: "h",
          bids: [{ price: "0.44", size: "10" }],
          asks: [{ price: "0.46", size: "5" }],
          min_order_size: "5",
          tick_size: "0.01",
          neg_risk: false,
          last_trade_price: "0.45",
        }),
      )
      .on("GET /tick-size", () => json({ minimum_tick_size: 0.001 }))
      .on("GET /neg-risk", () => json({ neg_risk: true }))
      .on("GET /fee-rate", () => json({ base_fee: 1000 }))
      .on("GET /time", () => json(1767225600))
      .on("GET /version", () => json({ version: 2 }));
    const { rest, auth } = client();
    expect(await rest.getBook("9")).toMatchObject({ ok: true, value: { tickE4: 100, minOrderSizeE6: 5_000_000 } });
    expect(await rest.getTickSize("9")).toEqual({ ok: true, value: 10 });
    expect(await rest.getNegRisk("9")).toEqual({ ok: true, value: true });
    expect(await rest.getFeeRate("9")).toEqual({ ok: true, value: 1000 });
    expect(await rest.getServerTime()).toEqual({ ok: true, value: 1767225600 });
    expect(await rest.getVersion()).toEqual({ ok: true, value: 2 });
    expect(server.seen.every((s) => s.headers.get("POLY_API_KEY") === null)).toBe(true);
    expect(auth?.signed).toHaveLength(0);
    expect(server.seen[0]?.search.get("token_id")).toBe("9");
  });

  test("balance/allowance adds signature_type and parses the allowances", async () => {
    server.on("GET /balance-allowance", () =>
      json({
        balance: "12500000",
        allowances: { "0xE111": "115792089237316195423570985008687907853269984665640564039457584007913129639935" },
      }),
    );
    const { rest } = client();
    const r = await rest.getBalanceAllowance("CONDITIONAL", "9");
    expect(r).toMatchObject({ ok: true, value: { balanceE6: 12_500_000 } });
    const q = server.seen[0]?.search;
    expect([q?.get("asset_type"), q?.get("token_id"), q?.get("signature_type")]).toEqual(["CONDITIONAL", "9", "2"]);
  });

  test("heartbeat: chains the id; an invalid id reports the one expected", async () => {
    server.on("POST /v1/heartbeats", (req) => {
      const { heartbeat_id } = JSON.parse(req.body) as { heartbeat_id: string };
      return heartbeat_id === "" || heartbeat_id === "hb-1"
        ? json({ heartbeat_id: "hb-1" })
        : json({ error: "Invalid Heartbeat ID", heartbeat_id: "hb-1" }, 400);
    });
    const { rest } = client();
    expect(await rest.postHeartbeat("")).toMatchObject({ ok: true, value: { heartbeatId: "hb-1" } });
    expect(await rest.postHeartbeat("stale")).toMatchObject({ ok: false, status: 400, expectedId: "hb-1", reason: "Invalid Heartbeat ID" });
  });

  test("an unreadable 2xx body is a typed failure, not a throw", async () => {
    server.on("GET /book", () => new Response("<html>oops</html>", { status: 200 }));
    const { rest } = client();
    expect(await rest.getBook("9")).toMatchObject({ ok: false, code: "UNKNOWN", status: 200 });
  });
});
