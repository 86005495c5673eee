/**
 * Submit latency over loopback: intent → signed order → `POST /order` → reply parsed → `ack`
 * event, against a stand-in CLOB on 127.0.0.1 (HTTPS with a self-signed certificate made by
 * openssl at bench time; plain HTTP, said in the result name, when openssl is missing).
 *
 * - "order.submit pooled": our path taking a pre-signed order from the real `PreSignPool`
 *   (filled before the run, every take a hit; checked). Reference: the SDK's
 *   `ClobClient.postOrder` with an order the SDK signed beforehand, same server, same TLS.
 *   Both paths post an already-signed order, build L2 headers (HMAC) and parse the reply.
 * - "order.submit fresh": our path with a fresh signature per order (a pool miss).
 *
 * The server answers a fixed `live` reply without `tradeIDs`, so the SDK does not enter its
 * 30 s trade polling: this is the SDK's best case.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { ClobClient, OrderType, Side as SdkSide } from "@polymarket/clob-client-v2";
import { Wallet } from "@ethersproject/wallet";
import axios from "axios";
import { SystemClock } from "../src/core/clock.ts";
import type { ExchangeEvent, OrderIntent } from "../src/core/ports.ts";
import { Secret } from "../src/core/secret.ts";
import { HttpClient } from "../src/net/http.ts";
import { RateLimiter } from "../src/net/rate-limiter.ts";
import { l2AuthFrom, PolymarketExchangeClient, SignerOrderSource } from "../src/polymarket/exchange-client.ts";
import { PreSignPool } from "../src/polymarket/presign-pool.ts";
import { PolymarketRest } from "../src/polymarket/rest.ts";
import { OrderSigner } from "../src/polymarket/signing.ts";
import type { BenchContext } from "./harness.ts";

// Throwaway key (Hardhat account 1) and made-up API credentials: loopback only.
const PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const CREDS = {
  key: "00000000-0000-4000-8000-000000000000",
  secret: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
  passphrase: "bench-passphrase",
};
const TOKEN = "21742633143463906290569050155826241533067272736897614950488156847949938836455";
const REPLY = JSON.stringify({
  success: true,
  errorMsg: "",
  orderID: "0x00",
  status: "live",
  makingAmount: "",
  takingAmount: "",
  transactionsHashes: [],
  tradeIDs: [],
});

function selfSignedCert(): { cert: string; key: string } | undefined {
  const dir = path.join(os.tmpdir(), `submit-bench-${process.pid}`);
  const r = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${dir}-key.pem`,
      "-out",
      `${dir}-cert.pem`,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stderr: "pipe", stdout: "pipe" },
  );
  if (r.exitCode !== 0) return undefined;
  return { cert: readFileSync(`${dir}-cert.pem`, "utf8"), key: readFileSync(`${dir}-key.pem`, "utf8") };
}

export default async function (b: BenchContext): Promise<void> {
  const tls = selfSignedCert();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    ...(tls ? { tls } : {}),
    fetch: async (req) => {
      await req.text();
      const p = new URL(req.url).pathname;
      // The SDK's createOrder asks for the tick size even when told it (it caches per token).
      const body =
        p === "/tick-size"
          ? '{"minimum_tick_size":0.01}'
          : p === "/neg-risk"
            ? '{"neg_risk":false}'
            : p === "/version"
              ? '{"version":2}'
              : REPLY;
      return new Response(body, { headers: { "Content-Type": "application/json" } });
    },
  });
  const scheme = tls ? "https" : "http";
  const base = `${scheme}://127.0.0.1:${server.port}`;
  const label = tls ? "https loopback" : "HTTP loopback (openssl unavailable)";
  const iterations = b.quick ? 300 : 3_000;
  const warmup = b.quick ? 100 : 500;
  const total = 2 * (iterations + warmup) + 100;

  try {
    // ── ours ──
    const clock = new SystemClock();
    const signer = new OrderSigner({ privateKey: new Secret(PRIVATE_KEY, "privateKey"), signatureType: 0, chainId: 137 });
    signer.warm();
    const creds = { key: CREDS.key, secret: new Secret(CREDS.secret, "apiSecret"), passphrase: new Secret(CREDS.passphrase, "passphrase") };
    const rest = new PolymarketRest({
      baseUrl: base,
      http: new HttpClient({ clock, ...(tls ? { tls: { ca: tls.cert } } : {}) }),
      // The bench sends far above the exchange's per-signer rate: lift the buckets, keep the code path.
      limiter: new RateLimiter(clock, {
        buckets: {
          signer_orders: { capacity: 1e9, refillPerSec: 1e9 },
          ip_post_order: { capacity: 1e9, refillPerSec: 1e9 },
          ip_post_order_10m: { capacity: 1e9, refillPerSec: 1e9 },
          ip_general: { capacity: 1e9, refillPerSec: 1e9 },
        },
      }),
      clock,
      auth: l2AuthFrom(creds, signer.address),
    });
    let salt = 1;
    // The real pool, planned on a 0.0001-tick market so one ladder holds an order for every
    // price the bench will send (BUY at 0.45 ± k ticks): every take is a hit.
    const pool = new PreSignPool(signer, { size: 2 * total, clock, nextSalt: () => salt++, maxAgeMs: 600_000 });
    pool.plan(TOKEN, { bidE4: 4_500, askE4: 0, sizeE6: 10_000_000, tickE4: 1, negRisk: false, exchangeVersion: 2 });
    pool.refill();
    const pooledSource = new SignerOrderSource({
      signer,
      owner: CREDS.key,
      clock,
      marketOf: () => ({ tickE4: 1, negRisk: false, exchangeVersion: 2 }),
      nextSalt: () => salt++,
      pool,
    });
    const freshSource = new SignerOrderSource({
      signer,
      owner: CREDS.key,
      clock,
      marketOf: () => ({ tickE4: 1, negRisk: false, exchangeVersion: 2 }),
      nextSalt: () => salt++,
    });
    const identity = { apiKey: CREDS.key, makerAddress: signer.maker };
    const pooledEx = new PolymarketExchangeClient({ rest, orders: pooledSource, clock, identity });
    const freshEx = new PolymarketExchangeClient({ rest, orders: freshSource, clock, identity });
    let done: ((e: ExchangeEvent) => void) | undefined;
    const settle = (e: ExchangeEvent) => {
      if (e.kind === "ack" || e.kind === "reject") done?.(e);
    };
    pooledEx.onEvent(settle);
    freshEx.onEvent(settle);
    let cid = 0;
    // Prices 0.45, 0.4499, 0.4501, 0.4498, … : each one's pooled order is taken once.
    const intent = (): OrderIntent => {
      const i = cid++;
      const off = i === 0 ? 0 : i % 2 === 1 ? -((i + 1) >> 1) : i >> 1;
      return {
        clientId: `b${i}`,
        conditionId: "0xc",
        tokenId: TOKEN,
        side: "BUY",
        priceE4: 4_500 + off,
        sizeE6: 10_000_000,
        orderType: "GTC",
        postOnly: true,
        expirationSec: 0,
      };
    };
    const submit = (ex: PolymarketExchangeClient) => () =>
      new Promise<ExchangeEvent>((resolve) => {
        done = resolve;
        ex.place([intent()]);
      }).then((e) => {
        if (e.kind !== "ack") throw new Error(`submit failed: ${JSON.stringify(e)}`);
      });

    // ── the SDK ──
    if (tls) axios.defaults.httpsAgent = new https.Agent({ ca: tls.cert, keepAlive: true });
    const wallet = new Wallet(PRIVATE_KEY);
    const sdk = new ClobClient({ host: base, chain: 137, signer: wallet, creds: CREDS });
    const sdkOrders: Awaited<ReturnType<ClobClient["createOrder"]>>[] = [];
    for (let i = 0; i < iterations + warmup + 50; i++) {
      sdkOrders.push(
        await sdk.createOrder(
          { tokenID: TOKEN, price: 0.45, size: 10, side: SdkSide.BUY },
          { tickSize: "0.01", negRisk: false, version: 2 },
        ),
      );
    }
    let sdkNext = 0;
    const sdkSubmit = async () => {
      const r = (await sdk.postOrder(sdkOrders[sdkNext++ % sdkOrders.length] as (typeof sdkOrders)[number], OrderType.GTC, true)) as {
        success?: boolean;
      };
      if (!r.success) throw new Error(`SDK submit failed: ${JSON.stringify(r)}`);
    };

    await b.latency(`order.submit pooled (${label})`, submit(pooledEx), {
      iterations,
      warmup,
      budget: "order.submit",
      reference: { name: "SDK postOrder (pre-signed)", fn: sdkSubmit },
    });
    const ps = pool.stats();
    if (ps.misses > 0) throw new Error(`the pooled path missed the pool ${ps.misses} times: the numbers would include fresh signatures`);
    await b.latency(`order.submit fresh signature (${label})`, submit(freshEx), {
      iterations: Math.floor(iterations / 2),
      warmup,
      budget: "order.submit-fresh",
    });
  } finally {
    server.stop(true);
  }
}
