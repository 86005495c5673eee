/**
 * No private key, API secret or passphrase in anything the order path prints, throws,
 * emits or returns: the whole path (signer → pool/fresh → REST with L2 auth → exchange
 * client → order manager, heartbeat) is driven through every failure class against a
 * loopback stand-in, and all of it is searched for the secrets.
 */
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { SystemClock } from "../../../src/core/clock.ts";
import type { ExchangeEvent } from "../../../src/core/ports.ts";
import { Secret } from "../../../src/core/secret.ts";
import { OrderManager } from "../../../src/engine/order-manager.ts";
import { HttpClient } from "../../../src/net/http.ts";
import { RateLimiter } from "../../../src/net/rate-limiter.ts";
import { l2AuthFrom, PolymarketExchangeClient, SignerOrderSource } from "../../../src/polymarket/exchange-client.ts";
import { HeartbeatSender } from "../../../src/polymarket/heartbeat.ts";
import { PolymarketRest } from "../../../src/polymarket/rest.ts";
import { OrderSigner } from "../../../src/polymarket/signing.ts";
import { ClobStandIn, json } from "../../helpers/clob-stand-in.ts";
import { intentFactory } from "../../helpers/order-intents.ts";

const PRIVATE_KEY = randomBytes(32).toString("hex");
const API_SECRET = randomBytes(32).toString("base64url");
const PASSPHRASE = randomBytes(24).toString("hex");
const API_KEY = "0b0e6f5c-7f1e-4c2a-9d1b-6a1f0e2d3c4b";
const TOKEN = "21742633143463906290569050155826241533067272736897614950488156847949938836455";

const server = new ClobStandIn();
afterAll(() => server.stop());

/** Every error class the exchange can answer with, cycled per request. */
const replies: (() => Response | Promise<Response>)[] = [
  () => json({ success: true, errorMsg: "", orderID: "", status: "live" }),
  () => json({ error: "not enough balance / allowance" }, 400),
  () => json({ error: "Unauthorized/Invalid api key" }, 401),
  () => json({ error: "Too Many Requests" }, 429, { "Retry-After": "0.05" }),
  () => json({ error: "internal" }, 500),
  () => json({ error: "Trading is currently disabled. Check polymarket.com for updates" }, 503),
  () => new Response("<html>bad gateway</html>", { status: 502 }),
  () => json({ success: false, errorMsg: "invalid post-only order: order crosses book" }),
];
let n = 0;
const cycle = () => (replies[n++ % replies.length] as () => Response | Promise<Response>)();

test("no secret appears in output, errors, events, failures or inspected objects", async () => {
  const out: string[] = [];
  const orig = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const origOut = process.stdout.write.bind(process.stdout);
  const origErr = process.stderr.write.bind(process.stderr);
  const capture = (...args: unknown[]) => {
    out.push(args.map((a) => (typeof a === "string" ? a : Bun.inspect(a))).join(" "));
  };
  console.log = console.info = console.warn = console.error = console.debug = capture;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;

  try {
    server
      .on("POST /order", cycle)
      .on("POST /orders", (req) =>
        json(
          (JSON.parse(req.body) as unknown[]).map((_, i) =>
            i % 2
              ? { success: false, errorMsg: "order 0x1 is invalid. Size (1) lower than the minimum: 5" }
              : { success: true, orderID: "0x1", status: "live", errorMsg: "" },
          ),
        ),
      )
      .on("DELETE /orders", () => json({ error: "Unauthorized/Invalid api key" }, 401))
      .on("DELETE /cancel-all", () => json({ error: "internal" }, 500))
      .on("GET /data/orders", () => json({ error: "Unauthorized/Invalid api key" }, 401))
      .on("GET /balance-allowance", () => json({ error: "Unauthorized/Invalid api key" }, 401))
      .on("GET /data/order/0xnope", () => json({ error: "Unauthorized/Invalid api key" }, 401))
      .on("POST /v1/heartbeats", () => json({ error: "Invalid Heartbeat ID", heartbeat_id: "hb-expected" }, 400));

    const clock = new SystemClock();
    const signer = new OrderSigner({ privateKey: new Secret(PRIVATE_KEY, "privateKey"), signatureType: 0, chainId: 137 });
    const creds = { key: API_KEY, secret: new Secret(API_SECRET, "apiSecret"), passphrase: new Secret(PASSPHRASE, "passphrase") };
    const rest = new PolymarketRest({
      baseUrl: server.url,
      http: new HttpClient({ clock, random: () => 0 }),
      limiter: new RateLimiter(clock),
      clock,
      auth: l2AuthFrom(creds, signer.address),
    });
    let salt = 1;
    const orders = new SignerOrderSource({
      signer,
      owner: API_KEY,
      clock,
      marketOf: () => ({ tickE4: 100, negRisk: false, exchangeVersion: 2 }),
      nextSalt: () => salt++,
    });
    const heartbeat = new HeartbeatSender({ rest, clock, intervalMs: 60_000 });
    const ex = new PolymarketExchangeClient({ rest, orders, clock, identity: { apiKey: API_KEY, makerAddress: signer.maker }, heartbeat });
    const events: ExchangeEvent[] = [];
    ex.onEvent((e) => events.push(e));
    const om = new OrderManager({ exchange: ex, clock, lookupAttempts: 1 });
    const hbEvents: unknown[] = [];
    heartbeat.onEvent((e) => hbEvents.push(e));
    heartbeat.start();

    const intent = intentFactory({ conditionId: "0xc", tokenId: TOKEN });
    // Every error class once through the single-order path, a batch, and bad parameters.
    for (let i = 0; i < replies.length; i++) om.submitOrder(intent(`s${i}`));
    om.submitOrders([intent("b1"), intent("b2"), intent("b3")]);
    om.submitOrder(intent("bad-price", { priceE4: 0 }));
    om.submitOrder(intent("bad-size", { sizeE6: 1 }));
    om.submitOrder(intent("bad-type", { orderType: "FOK" }));
    const settled = new Promise<void>((resolve) => {
      const check = () => {
        if (events.filter((e) => e.kind === "ack" || e.kind === "reject").length >= replies.length + 3 + 3) resolve();
      };
      ex.onEvent(check);
      check();
    });
    await settled;
    ex.cancel(["0x1", "0x2"]);
    ex.cancelAll();
    const thrown: unknown[] = [];
    for (const f of [() => ex.fetchOpenOrders(), () => ex.fetchBalances([TOKEN]), () => ex.fetchOrder("0xnope")]) {
      await f().then(
        () => undefined,
        (e: unknown) => thrown.push(e),
      );
    }
    try {
      signer.sign({
        tokenId: TOKEN,
        side: "BUY",
        priceE4: 4_500,
        sizeE6: 1,
        tickE4: 7,
        negRisk: false,
        exchangeVersion: 2,
        salt: 1,
        timestampMs: 1,
      });
    } catch (e) {
      thrown.push(e);
    }
    const failures = [await rest.postOrder("{}"), await rest.getOpenOrders(), await rest.postHeartbeat("x"), await rest.cancelOrder("0x9")];
    const cancels = new Promise<void>((resolve) => {
      const check = () => {
        if (events.filter((e) => e.kind === "cancel_failed").length >= 2) resolve();
      };
      ex.onEvent(check);
      check();
    });
    await cancels;
    heartbeat.stop();
    await ex.close();
    om.close();

    expect(thrown.length).toBeGreaterThanOrEqual(4);
    expect(events.some((e) => e.kind === "reject" && e.code === "AUTH")).toBe(true);
    expect(events.some((e) => e.kind === "reject" && e.code === "TIMEOUT_AMBIGUOUS")).toBe(true);

    const texts: string[] = [...out];
    for (const e of thrown) {
      const err = e as Error;
      texts.push(String(e), err.message, err.stack ?? "", JSON.stringify(e), Bun.inspect(e));
    }
    for (const v of [events, hbEvents, failures, om.stats, ex.stats, orders.stats, om.getActiveOrders(), om.positions()])
      texts.push(JSON.stringify(v), Bun.inspect(v));
    for (const o of [signer, creds, rest, ex, om, orders, heartbeat]) texts.push(Bun.inspect(o), String(o), JSON.stringify(o) ?? "");
    console.log("order path done", { signer, creds });
    texts.push(...out);
    const haystack = texts.join("\n");
    expect(haystack.length).toBeGreaterThan(1_000);
    for (const secret of [PRIVATE_KEY, PRIVATE_KEY.toUpperCase(), API_SECRET, PASSPHRASE]) expect(haystack.includes(secret)).toBe(false);
    // The passphrase is sent to the exchange (that is its purpose) but nowhere else.
    expect(server.seen.some((s) => s.headers.get("POLY_PASSPHRASE") === PASSPHRASE)).toBe(true);
  } finally {
    Object.assign(console, orig);
    process.stdout.write = origOut;
    process.stderr.write = origErr;
  }
});
