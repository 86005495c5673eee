import { describe, expect, test } from "bun:test";
import { _TypedDataEncoder } from "@ethersproject/hash";
import fc from "fast-check";
import { Secret } from "../../../src/core/secret.ts";
import {
  ORDER_TYPE_BYTES,
  WRAPPED_SIGNATURE_BYTES,
  checksumAddress,
  clobAuthDomainSeparator,
  exchangeDomainSeparator,
  parseAddress,
  parseHex,
  toHex,
  writeDecimalWord,
  writeUintWord,
} from "../../../src/polymarket/eip712.ts";
import {
  BYTES32_ZERO,
  OrderSigner,
  type OrderParams,
  type SignedOrder,
  addressOfPrivateKey,
  computeOrderId,
  nativeHmacSha256,
  nobleHmacSha256,
  orderJson,
  orderPostBody,
  randomSalt,
  recoverAddress,
  recoverOrderSigner,
} from "../../../src/polymarket/signing.ts";

const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const EOA = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const signer = (signatureType: 0 | 1 | 2 | 3 = 0, funder?: string, chainId = 137) =>
  new OrderSigner({ privateKey: new Secret(KEY), signatureType, chainId, ...(funder !== undefined && { funder }) });

const base: OrderParams = {
  tokenId: "71321045679252212594626385532706912750332728571942532289631379312455583992563",
  side: "BUY",
  priceE4: 4_500,
  sizeE6: 10_000_000,
  tickE4: 100,
  negRisk: false,
  exchangeVersion: 2,
  salt: 123_456_789,
  timestampMs: 1_780_000_000_000,
};

describe("eip712 primitives", () => {
  test("EIP-55 vectors from the EIP", () => {
    for (const a of [
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
      "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
      "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
      "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]) {
      expect(checksumAddress(parseHex(a, 20)!)).toBe(a);
      expect(parseAddress(a)).not.toBeNull();
      expect(parseAddress(a.toLowerCase())).not.toBeNull();
    }
    expect(parseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")).toBeNull(); // one case flipped
    expect(parseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA")).toBeNull();
    expect(parseAddress("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")).toBeNull();
  });

  test("the POLY_1271 suffix length is the SDK's hard-coded 186 (0x00ba)", () => {
    expect(ORDER_TYPE_BYTES.length).toBe(186);
    expect(WRAPPED_SIGNATURE_BYTES).toBe(65 + 32 + 32 + 186 + 2);
  });

  test("writeUintWord / writeDecimalWord equal BigInt big-endian encoding", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const a = new Uint8Array(40).fill(0xee);
        writeUintWord(a, 4, n);
        const b = new Uint8Array(32);
        expect(writeDecimalWord(b, 0, String(n))).toBe(true);
        const want = BigInt(n).toString(16).padStart(64, "0");
        return toHex(a, 4, 36) === `0x${want}` && toHex(b) === `0x${want}` && a[0] === 0xee && a[36] === 0xee;
      }),
      { numRuns: 2_000, seed: 7 },
    );
    const w = new Uint8Array(32);
    expect(writeDecimalWord(w, 0, (2n ** 256n - 1n).toString())).toBe(true);
    expect(writeDecimalWord(w, 0, (2n ** 256n).toString())).toBe(false);
    expect(writeDecimalWord(w, 0, "12a")).toBe(false);
    expect(writeDecimalWord(w, 0, "")).toBe(false);
  });

  test("domain separators equal ethers' TypedDataEncoder", () => {
    const c = "0xE111180000d2663C0091e4f400237545B87B996B";
    for (const v of ["2", "3"]) {
      const ours = toHex(exchangeDomainSeparator(v, 137, parseHex(c, 20)!));
      expect(ours).toBe(_TypedDataEncoder.hashDomain({ name: "Polymarket CTF Exchange", version: v, chainId: 137, verifyingContract: c }));
    }
    expect(toHex(clobAuthDomainSeparator(80002))).toBe(
      _TypedDataEncoder.hashDomain({ name: "ClobAuthDomain", version: "1", chainId: 80002 }),
    );
  });

  test("Bun's native HMAC-SHA256 (used for RFC 6979 nonces) equals noble's", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 100 }), fc.uint8Array({ minLength: 0, maxLength: 300 }), (k, m) => {
        return toHex(nativeHmacSha256(k, m)) === toHex(nobleHmacSha256(k, m));
      }),
      { numRuns: 500, seed: 11 },
    );
  });
});

describe("OrderSigner", () => {
  test("addresses per signature type (SDK createOrder: maker = funder ?? EOA, signer = maker only for POLY_1271)", () => {
    expect(addressOfPrivateKey(new Secret(KEY))).toBe(EOA);
    const eoa = signer(0);
    expect([eoa.address, eoa.maker, eoa.orderSigner]).toEqual([EOA, EOA, EOA]);
    const proxy = signer(1, WALLET);
    expect([proxy.address, proxy.maker, proxy.orderSigner]).toEqual([EOA, WALLET, EOA]);
    const dw = signer(3, WALLET.toLowerCase());
    expect([dw.address, dw.maker, dw.orderSigner]).toEqual([EOA, WALLET.toLowerCase(), WALLET.toLowerCase()]);
  });

  test("deterministic; salt, timestamp and every field change the order id", () => {
    const s = signer();
    const a = s.sign(base);
    expect(s.sign(base)).toEqual(a);
    const ids = new Set<string>([a.orderId]);
    const variants: Partial<OrderParams>[] = [
      { salt: base.salt + 1 },
      { timestampMs: base.timestampMs + 1 },
      { side: "SELL" },
      { priceE4: 4_600 },
      { sizeE6: 11_000_000 },
      { tokenId: "1" },
      { negRisk: true },
      { exchangeVersion: 3 },
      { builder: `0x${"ab".repeat(32)}` },
      { metadata: `0x${"cd".repeat(32)}` },
    ];
    for (const v of variants) ids.add(s.sign({ ...base, ...v }).orderId);
    expect(ids.size).toBe(variants.length + 1);
    // expiration is not signed (body only)
    expect(s.sign({ ...base, expirationSec: 1_780_000_100 }).orderId).toBe(a.orderId);
  });

  test("builder/metadata are not sticky between orders", () => {
    const s = signer();
    const plain = s.sign(base);
    const withBuilder = s.sign({ ...base, builder: `0x${"11".repeat(32)}`, metadata: `0x${"22".repeat(32)}` });
    const plainAgain = s.sign(base);
    expect(plainAgain).toEqual(plain);
    expect(plainAgain.builder).toBe(BYTES32_ZERO);
    expect(computeOrderId(withBuilder, false, 2, 137)).toBe(withBuilder.orderId);
  });

  test("orderId = computeOrderId(body fields) for every type, version and neg-risk", () => {
    for (const st of [0, 1, 2, 3] as const) {
      const s = signer(st, st === 0 ? undefined : WALLET);
      for (const [negRisk, v] of [
        [false, 2],
        [true, 2],
        [false, 3],
      ] as const) {
        const o = s.sign({ ...base, negRisk, exchangeVersion: v });
        expect(computeOrderId(o, negRisk, v, 137)).toBe(o.orderId);
        expect(recoverOrderSigner(o, negRisk, v, 137)).toBe(EOA);
        expect(o.signature.length).toBe(st === 3 ? 2 + 2 * WRAPPED_SIGNATURE_BYTES : 132);
      }
    }
  });

  test("recoverOrderSigner rejects tampering", () => {
    for (const st of [0, 3] as const) {
      const o = signer(st, st === 3 ? WALLET : undefined).sign(base);
      const tampered: SignedOrder = { ...o, makerAmount: String(Number(o.makerAmount) + 1) };
      const r = recoverOrderSigner(tampered, false, 2, 137);
      expect(r === null || r !== EOA).toBe(true);
      if (st === 3) expect(r).toBeNull(); // the wrapper's contents hash no longer matches
      expect(recoverOrderSigner({ ...o, signature: o.signature.slice(0, -2) }, false, 2, 137)).toBeNull();
      expect(recoverOrderSigner({ ...o, maker: "0x123" }, false, 2, 137)).toBeNull();
      expect(recoverOrderSigner(o, false, 2, 1)).toBeNull();
    }
    const dw = signer(3, WALLET).sign(base);
    // Under the V3 domain the wrapper names the wrong domain separator.
    expect(recoverOrderSigner(dw, false, 3, 137)).toBeNull();
    // Another wallet in `signer` breaks the TypedDataSign hash → another address (or null).
    const other = recoverOrderSigner({ ...dw, signer: EOA, maker: EOA }, false, 2, 137);
    expect(other === null || other !== EOA).toBe(true);
  });

  test("high-s signatures are rejected (the exchange uses OpenZeppelin ECDSA)", () => {
    const o = signer().sign(base);
    const sig = parseHex(o.signature, 65)!;
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(toHex(sig, 32, 64));
    const hi = (n - s).toString(16).padStart(64, "0");
    const flipped = `${toHex(sig, 0, 32)}${hi}${sig[64] === 27 ? "1c" : "1b"}`;
    const digest = parseHex(o.orderId, 32)!;
    expect(recoverAddress(digest, sig)).toBe(EOA);
    expect(recoverAddress(digest, parseHex(flipped, 65)!)).toBeNull();
  });

  test("v is 27 or 28 and both occur", () => {
    const s = signer();
    const vs = new Set<string>();
    for (let i = 0; i < 40; i++) vs.add(s.sign({ ...base, salt: i + 1 }).signature.slice(-2));
    expect([...vs].sort()).toEqual(["1b", "1c"]);
  });

  test("invalid params throw RangeError naming the field", () => {
    const s = signer();
    const bad: Array<[Partial<OrderParams>, string]> = [
      [{ salt: -1 }, "salt"],
      [{ salt: 1.5 }, "salt"],
      [{ salt: 2 ** 53 }, "salt"],
      [{ timestampMs: 0 }, "timestampMs"],
      [{ expirationSec: -5 }, "expirationSec"],
      [{ side: "HOLD" as "BUY" }, "side"],
      [{ priceE4: 50 }, "priceE4"],
      [{ priceE4: 9_950 }, "priceE4"],
      [{ tickE4: 7 }, "tickE4"],
      [{ sizeE6: 9_999 }, "sizeE6"],
      [{ tokenId: "0x12" }, "tokenId"],
      [{ tokenId: (2n ** 256n).toString() }, "tokenId"],
      [{ builder: "0x12" }, "builder"],
      [{ metadata: "zz" }, "metadata"],
      [{ exchangeVersion: 4 as 2 }, "exchangeVersion"],
    ];
    for (const [p, field] of bad) {
      let thrown: unknown;
      try {
        s.sign({ ...base, ...p });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RangeError);
      expect((thrown as Error).message.startsWith(`${field}:`)).toBe(true);
    }
    const ctor = (cfg: Partial<ConstructorParameters<typeof OrderSigner>[0]>) => () =>
      new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: 137, ...cfg });
    expect(ctor({ signatureType: 4 as 0 })).toThrow(/^signatureType:/);
    expect(ctor({ chainId: 1 })).toThrow(/^chainId:/);
    expect(ctor({ funder: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD" })).toThrow(/^funder:/);
    expect(ctor({ privateKey: new Secret("0x00") })).toThrow(/^privateKey:/);
    expect(ctor({ privateKey: new Secret(`0x${"00".repeat(32)}`) })).toThrow(/^privateKey:/);
    expect(() => s.signDigest(new Uint8Array(31))).toThrow(/^digest:/);
  });

  test("post bodies: key order, types, escaping, postOnly rules", () => {
    const o = signer().sign({ ...base, expirationSec: 1_780_000_100 });
    const body = orderPostBody(o, 'own"er', "GTD", true);
    const parsed = JSON.parse(body) as {
      deferExec: boolean;
      postOnly: boolean;
      order: Record<string, unknown>;
      owner: string;
      orderType: string;
    };
    expect(Object.keys(parsed)).toEqual(["deferExec", "postOnly", "order", "owner", "orderType"]);
    expect(Object.keys(parsed.order)).toEqual([
      "salt",
      "maker",
      "signer",
      "tokenId",
      "makerAmount",
      "takerAmount",
      "side",
      "signatureType",
      "timestamp",
      "expiration",
      "metadata",
      "builder",
      "signature",
    ]);
    expect(parsed.owner).toBe('own"er');
    expect(parsed.order.salt).toBe(base.salt);
    expect(parsed.order.signatureType).toBe(0);
    expect(parsed.order.expiration).toBe("1780000100");
    expect(parsed.order.makerAmount).toBe("4500000"); // BUY 10 @ 0.45
    expect(JSON.stringify(parsed.order)).toBe(orderJson(o));
    expect(() => orderPostBody(o, "k", "FOK", true)).toThrow(/^postOnly:/);
    expect(() => orderPostBody(o, "k", "FAK", true)).toThrow(/^postOnly:/);
  });

  test("warm() leaves the signer producing the same bytes; randomSalt is a safe positive integer", () => {
    const s = signer();
    const before = s.sign(base);
    s.warm(8);
    expect(s.sign(base)).toEqual(before);
    for (let i = 0; i < 100; i++) {
      const x = randomSalt();
      expect(Number.isSafeInteger(x) && x > 0 && x < 2 ** 48).toBe(true);
    }
  });
});
