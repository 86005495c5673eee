/**
 * Order signing (issue #4): a fresh CLOB V2 signature on @noble vs the official SDK's own
 * build-and-sign (`OrderBuilder.buildOrder`: amounts + EIP-712 + ethers signing) for the same
 * orders, both on Bun in this process; a pooled take (the hot path when the pool hits); and
 * L2 auth headers vs the SDK's `createL2Headers`.
 */
import { Wallet } from "@ethersproject/wallet";
import { OrderBuilder, Side as SdkSide, createL2Headers } from "@polymarket/clob-client-v2";
import { ManualClock } from "../src/core/clock.ts";
import { Secret } from "../src/core/secret.ts";
import { l2Headers } from "../src/polymarket/auth.ts";
import { PreSignPool } from "../src/polymarket/presign-pool.ts";
import { type OrderParams, OrderSigner, orderPostBody } from "../src/polymarket/signing.ts";
import type { BenchContext } from "./harness.ts";

const KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // throwaway (Hardhat #3)
const TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563";

export default async function (b: BenchContext): Promise<void> {
  const signer = new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: 137 });
  const wallet = new Wallet(KEY);
  const sdk = new OrderBuilder(wallet, 137, 0);
  signer.warm();

  // The same 256 orders on both sides: prices around the middle, two sizes, both sides.
  const orders: OrderParams[] = Array.from({ length: 256 }, (_, i) => ({
    tokenId: TOKEN,
    side: i % 2 === 0 ? "BUY" : "SELL",
    priceE4: 3_000 + (i % 40) * 100,
    sizeE6: (5 + (i % 7)) * 1_000_000 + (i % 3) * 10_000,
    tickE4: 100,
    negRisk: i % 4 === 0,
    exchangeVersion: 2,
    salt: 1_000_000 + i,
    timestampMs: 1_780_000_000_000 + i,
  }));
  const sdkOrders = orders.map((o) => ({
    user: { tokenID: o.tokenId, price: o.priceE4 / 1e4, size: o.sizeE6 / 1e6, side: o.side === "BUY" ? SdkSide.BUY : SdkSide.SELL },
    options: { tickSize: "0.01" as const, negRisk: o.negRisk },
  }));
  let i = 0;
  let j = 0;
  let salt = 10_000_000;

  await b.latency(
    "sign.fresh-v2 (EOA, amounts + hash + signature)",
    () => {
      const o = orders[i++ & 255]!; // & 255 < length
      return signer.sign({ ...o, salt: salt++ });
    },
    {
      iterations: b.quick ? 300 : 2_000,
      warmup: 100,
      budget: "sign.fresh",
      reference: {
        name: "SDK OrderBuilder.buildOrder",
        fn: () => {
          const o = sdkOrders[j++ & 255]!; // & 255 < length
          return sdk.buildOrder(o.user, o.options, 2);
        },
      },
    },
  );

  const dw = new OrderSigner({
    privateKey: new Secret(KEY),
    signatureType: 3,
    chainId: 137,
    funder: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  });
  dw.warm();
  await b.latency(
    "sign.fresh-v2 POLY_1271 (deposit wallet wrapper)",
    () => {
      const o = orders[i++ & 255]!; // & 255 < length
      return dw.sign({ ...o, salt: salt++ });
    },
    { iterations: b.quick ? 300 : 2_000, warmup: 100 },
  );

  // Pool: one token at tick 0.0001 so thousands of distinct levels exist; each take is a
  // different (side, price), all hits. The clock is manual: no order ages during the bench.
  const clock = new ManualClock();
  const levels = b.quick ? 600 : 4_000;
  const pool = new PreSignPool(signer, { size: levels, clock, nextSalt: () => salt++, maxAgeMs: 3_600_000 });
  pool.plan(TOKEN, { bidE4: 4_000, askE4: 6_000, sizeE6: 10_000_000, tickE4: 1, negRisk: false, exchangeVersion: 2 });
  const t0 = Bun.nanoseconds();
  pool.refill();
  const fillMs = (Bun.nanoseconds() - t0) / 1e6;
  const keys: Array<["BUY" | "SELL", number]> = [];
  for (let k = 0; k < levels / 2; k++) {
    // ladder order: bid, ask, bid-1, ask+1, bid+1, ask-1, …
    const off = k === 0 ? 0 : k % 2 === 1 ? -((k + 1) >> 1) : k >> 1;
    keys.push(["BUY", 4_000 + off], ["SELL", 6_000 - off]);
  }
  // The harness makes 1 + warmup + iterations calls; each bench gets its own half of the keys.
  const half = Math.floor(keys.length / 2);
  const calls = half - 60; // ≤ half: a little slack under what each half holds
  let t = 0;
  await b.latency(
    "pool.take (hit, O(1))",
    () => {
      const k = keys[t++]; // within the first half (see calls)
      return k ? pool.take(TOKEN, k[0], k[1], 10_000_000) : undefined;
    },
    { iterations: calls - 51, warmup: 50, budget: "sign.pool-take" },
  );
  t = half;
  await b.latency(
    "pool.take + POST /order body",
    () => {
      const k = keys[t++]; // within the second half
      const o = k ? pool.take(TOKEN, k[0], k[1], 10_000_000) : undefined;
      return o ? orderPostBody(o, "00000000-0000-0000-0000-000000000000", "GTC", true) : undefined;
    },
    { iterations: calls - 51, warmup: 50 },
  );
  if (pool.stats().misses > 0) throw new Error(`pool bench: ${pool.stats().misses} takes missed; the bench must time hits only`);
  const st = pool.stats();
  b.report("pool.refill (per signed order)", { p50Ns: (fillMs * 1e6) / Math.max(1, st.refills) }, {});

  // L2 headers for a POST /order body.
  const creds = {
    key: "00000000-0000-0000-0000-000000000000",
    secret: new Secret("c2VjcmV0LWJ5dGVzLWZvci10ZXN0aW5nLW9ubHkhIQ=="),
    passphrase: new Secret("pp"),
  };
  const sdkCreds = { key: creds.key, secret: creds.secret.reveal(), passphrase: "pp" };
  const body = orderPostBody(signer.sign(orders[0]!), creds.key, "GTC", true);
  await b.latency("auth.l2-headers (HMAC-SHA256)", () => l2Headers(creds, signer.address, 1_780_000_000, "POST", "/order", body), {
    iterations: b.quick ? 2_000 : 20_000,
    budget: "auth.l2-headers",
    reference: {
      name: "SDK createL2Headers",
      fn: () => createL2Headers(wallet, sdkCreds, { method: "POST", requestPath: "/order", body }, 1_780_000_000),
    },
  });
}
