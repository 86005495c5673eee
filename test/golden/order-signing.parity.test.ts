/**
 * Byte parity with `@polymarket/clob-client-v2` 1.1.0: for 1,024 random orders (fixed seed) —
 * both sides, every tick size, neg-risk and not, exchange V2 and V3, all four signature types,
 * limit and market orders, random prices (on and off the tick grid) and sizes, GTD expirations,
 * builder codes and metadata — our `POST /order` body (which carries the signature) is
 * byte-identical to `JSON.stringify(orderToJsonV2(sdkOrder))`, our order id equals the SDK's
 * EIP-712 order hash, `recoverOrderSigner` finds the EOA, and batch bodies match too.
 */
import { describe, expect, test } from "bun:test";
import { Rng } from "../../src/core/rng.ts";
import { Secret } from "../../src/core/secret.ts";
import { TICK_E4, TICK_SIZES, type TickSize } from "../../src/core/units.ts";
import { priceDecimalsOf } from "../../src/polymarket/amounts.ts";
import {
  type BatchItem,
  OrderSigner,
  type SignedOrder,
  batchPostBody,
  orderPostBody,
  recoverOrderSigner,
} from "../../src/polymarket/signing.ts";
import { type SignedOrderV2, Wallet, sdkBatchBody, sdkOrderHash, sdkPostBody, sdkSignOrder } from "../helpers/sdk-order-reference.ts";
import { getAddress } from "@ethersproject/address";

const N_ORDERS = 1_024;
const rng = new Rng(0x5eed_0004);

function hexBytes(n: number): string {
  let s = "0x";
  for (let i = 0; i < n; i++) s += rng.int(0, 255).toString(16).padStart(2, "0");
  return s;
}

// Three throwaway keys (Hardhat account 0 plus two random ones).
const KEYS = ["0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", hexBytes(32), hexBytes(32)];
const wallets = KEYS.map((k) => new Wallet(k));

type OrderType = "GTC" | "GTD" | "FOK" | "FAK";

interface Case {
  keyIdx: number;
  chainId: number;
  signatureType: 0 | 1 | 2 | 3;
  funder?: string;
  tokenId: string;
  side: "BUY" | "SELL";
  tick: TickSize;
  priceE4: number;
  sizeE6: number;
  negRisk: boolean;
  version: 2 | 3;
  salt: number;
  timestampMs: number;
  market: boolean;
  expirationSec?: number;
  builder?: string;
  metadata?: string;
  orderType: OrderType;
  postOnly: boolean;
  deferExec: boolean;
  owner: string;
}

function funderText(): string {
  const raw = hexBytes(20);
  // Lower case or EIP-55 (by ethers, not by the code under test); the body keeps it as given.
  // (All-upper-case passes ethers, which signs, but not viem, which the SDK hashes with.)
  return rng.chance(0.5) ? raw : getAddress(raw);
}

function randomSize(): number {
  // log-uniform from 0.01 to 100,000 shares; a third on the 0.01 grid, the rest with up to 6 decimals
  const shares = 10 ** (rng.next() * 7 - 2);
  const e6 = Math.max(10_000, Math.floor(shares * 1e6));
  return rng.chance(1 / 3) ? Math.floor(e6 / 10_000) * 10_000 : e6;
}

function randomCase(i: number): Case {
  const tick = TICK_SIZES[i % TICK_SIZES.length]!; // every tick equally often
  const t = TICK_E4[tick];
  // 80% on the tick grid; else any PriceE4 in range, which the SDK rounds to its price
  // decimals (half-up for limit orders, down for market orders) — half of those exactly at .5.
  const unit = 10 ** (4 - priceDecimalsOf(t));
  const r = rng.next();
  const priceE4 =
    r < 0.8 || unit === 1
      ? t * rng.int(1, 10_000 / t - 1)
      : r < 0.9
        ? rng.int(t, 10_000 - t)
        : Math.min(10_000 - t, unit * rng.int(Math.ceil(t / unit), Math.floor((10_000 - t) / unit) - 1) + unit / 2);
  const signatureType = ((i >> 2) % 4) as 0 | 1 | 2 | 3;
  const market = rng.chance(0.2);
  const orderType: OrderType = market ? (rng.chance(0.5) ? "FOK" : "FAK") : rng.chance(0.2) ? "GTD" : "GTC";
  const c: Case = {
    keyIdx: rng.int(0, KEYS.length - 1),
    chainId: rng.chance(0.9) ? 137 : 80002,
    signatureType,
    tokenId: rng.chance(0.5) ? BigInt(hexBytes(32)).toString() : String(rng.int(1, 2 ** 31)),
    side: rng.chance(0.5) ? "BUY" : "SELL",
    tick,
    priceE4,
    sizeE6: randomSize(),
    negRisk: rng.chance(0.5),
    version: rng.chance(0.8) ? 2 : 3,
    salt: rng.int(1, 2 ** 31) * rng.int(1, 800),
    timestampMs: 1_780_000_000_000 + rng.int(0, 2 ** 30),
    market,
    orderType,
    postOnly: !market && rng.chance(0.3),
    deferExec: rng.chance(0.1),
    owner: `${hexBytes(4).slice(2)}-${hexBytes(2).slice(2)}-${hexBytes(2).slice(2)}-${hexBytes(2).slice(2)}-${hexBytes(6).slice(2)}`,
  };
  if (signatureType !== 0 || rng.chance(0.1)) c.funder = funderText();
  if (orderType === "GTD") c.expirationSec = 1_780_000_000 + rng.int(60, 86_400);
  if (rng.chance(0.15)) c.builder = hexBytes(32);
  if (rng.chance(0.1)) c.metadata = hexBytes(32);
  return c;
}

const signers = new Map<string, OrderSigner>();
function ourSigner(c: Case): OrderSigner {
  const k = `${c.keyIdx}|${c.chainId}|${c.signatureType}|${c.funder ?? ""}`;
  let s = signers.get(k);
  if (!s) {
    s = new OrderSigner({
      privateKey: new Secret(KEYS[c.keyIdx]!),
      signatureType: c.signatureType,
      chainId: c.chainId,
      ...(c.funder !== undefined && { funder: c.funder }),
    });
    signers.set(k, s);
  }
  return s;
}

function ours(c: Case): SignedOrder {
  return ourSigner(c).sign({
    tokenId: c.tokenId,
    side: c.side,
    priceE4: c.priceE4,
    sizeE6: c.sizeE6,
    tickE4: TICK_E4[c.tick],
    negRisk: c.negRisk,
    exchangeVersion: c.version,
    salt: c.salt,
    timestampMs: c.timestampMs,
    amountMode: c.market ? "market" : "limit",
    ...(c.expirationSec !== undefined && { expirationSec: c.expirationSec }),
    ...(c.builder !== undefined && { builder: c.builder }),
    ...(c.metadata !== undefined && { metadata: c.metadata }),
  });
}

async function sdk(c: Case): Promise<SignedOrderV2> {
  return sdkSignOrder({
    wallet: wallets[c.keyIdx]!,
    chainId: c.chainId,
    signatureType: c.signatureType,
    ...(c.funder !== undefined && { funder: c.funder }),
    tokenId: c.tokenId,
    side: c.side,
    price: c.priceE4 / 1e4,
    size: c.sizeE6 / 1e6,
    tickSize: c.tick,
    negRisk: c.negRisk,
    version: c.version,
    salt: c.salt,
    timestampMs: c.timestampMs,
    market: c.market,
    ...(c.expirationSec !== undefined && { expirationSec: c.expirationSec }),
    ...(c.builder !== undefined && { builderCode: c.builder }),
    ...(c.metadata !== undefined && { metadata: c.metadata }),
  });
}

const cases = Array.from({ length: N_ORDERS }, (_, i) => randomCase(i));

describe("order signing parity with @polymarket/clob-client-v2", () => {
  const pairs: Array<{ c: Case; o: SignedOrder; s: SignedOrderV2 }> = [];

  test(`${N_ORDERS} random orders: post body and signature byte-identical, order id = SDK hash`, async () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const o = ours(c);
      const s = await sdk(c);
      pairs.push({ c, o, s });
      const a = orderPostBody(o, c.owner, c.orderType, c.postOnly, c.deferExec);
      const b = sdkPostBody(s, c.owner, c.orderType, c.postOnly, c.deferExec);
      if (a !== b && mismatches.length < 5) mismatches.push(`${JSON.stringify(c)}\n ours ${a}\n sdk  ${b}`);
      const id = sdkOrderHash(s, wallets[c.keyIdx]!, c.chainId, c.negRisk, c.version);
      if (o.orderId !== id && mismatches.length < 5) mismatches.push(`order id ${o.orderId} != sdk ${id} for ${JSON.stringify(c)}`);
    }
    expect(mismatches).toEqual([]);
    expect(pairs.length).toBe(N_ORDERS);
  }, 60_000);

  test("the sample covers every dimension", () => {
    const seen = new Set<string>();
    for (const { c } of pairs) {
      seen.add(`tick:${c.tick}`);
      seen.add(`side:${c.side}`);
      seen.add(`sig:${c.signatureType}`);
      seen.add(`neg:${c.negRisk}`);
      seen.add(`v:${c.version}`);
      seen.add(`mode:${c.market}`);
      seen.add(`sig×side×neg:${c.signatureType}${c.side}${c.negRisk}`);
    }
    for (const t of TICK_SIZES) expect(seen.has(`tick:${t}`)).toBe(true);
    for (const st of [0, 1, 2, 3])
      for (const side of ["BUY", "SELL"]) for (const neg of [true, false]) expect(seen.has(`sig×side×neg:${st}${side}${neg}`)).toBe(true);
    expect(seen.has("v:3") && seen.has("v:2") && seen.has("mode:true") && seen.has("mode:false")).toBe(true);
  });

  test("recoverOrderSigner finds the EOA (every 3rd order: all types, ticks, versions) and not under the wrong domain", () => {
    for (const { c, o } of pairs.filter((_, k) => k % 3 === 0)) {
      expect(recoverOrderSigner(o, c.negRisk, c.version, c.chainId)).toBe(wallets[c.keyIdx]!.address);
    }
    // Under another exchange's domain the signature recovers a different address (types 0–2)
    // or is rejected outright (type 3: the wrapper names its domain).
    for (const { c, o } of pairs.slice(0, 80)) {
      const wrong = recoverOrderSigner(o, !c.negRisk, 2, c.chainId);
      if (c.version === 2) expect(wrong === null || wrong !== wallets[c.keyIdx]!.address).toBe(true);
    }
  });

  test("batch bodies (≤ 15 per POST /orders) are byte-identical", () => {
    for (let i = 0; i + 15 <= pairs.length && i < 300; i += 15) {
      const slice = pairs.slice(i, i + 15);
      const postOnly = false;
      const ourItems: BatchItem[] = slice.map((p) => ({ order: p.o, orderType: p.c.orderType }));
      const sdkItems = slice.map((p) => ({ order: p.s, orderType: p.c.orderType }));
      expect(batchPostBody(ourItems, "owner-key", postOnly, i % 2 === 0)).toBe(sdkBatchBody(sdkItems, "owner-key", postOnly, i % 2 === 0));
    }
  });
});
