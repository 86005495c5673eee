/**
 * CLOB V2 order signing on @noble/secp256k1 + @noble/hashes keccak: order hash (= the
 * exchange's order id), EIP-712 signature for all four signature types, and the JSON body
 * exactly as `@polymarket/clob-client-v2` 1.1.0 posts it.
 *
 * References (SDK dist, read line by line): `order-utils/exchangeOrderBuilderV2.ts`
 * (struct, domain, POLY_1271 wrapper), `order-builder/helpers/createOrder.ts` (maker/signer per
 * signature type, exchange per market), `types/ordersV2.ts orderToJsonV2` (body key order).
 * Parity is proved byte for byte by `test/golden/order-signing.parity.test.ts`.
 *
 * Contract:
 * - Salt and timestamp are inputs (no hidden clock or RNG); the same params sign to the same
 *   bytes (RFC 6979 deterministic nonces, low-s, v = 27/28 like ethers).
 * - `sign()` validates its inputs once and throws `RangeError` naming the field on a programming
 *   error (an off-range price is a strategy bug, not a market event). No message ever contains
 *   the private key, and the key never leaves this module except through `Secret.reveal()`.
 * - `orderId` is the EIP-712 digest of the Order struct for every signature type, including
 *   POLY_1271 (whose signature is over a different, wrapping digest).
 *
 * Design rationale: see eip712.ts. The signer keeps one 384-byte struct buffer with the
 * constant words pre-filled, a token-id word cache and three precomputed domain separators
 * (V2, V2 neg-risk, V3), so a signature costs two keccaks plus one secp256k1 signing.
 */
import * as secp from "@noble/secp256k1";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { OrderType, Side } from "../core/ports.ts";
import type { Secret } from "../core/secret.ts";
import type { PriceE4, SizeE6, TickE4 } from "../core/units.ts";
import { type AmountMode, computeAmounts, newAmountsOut } from "./amounts.ts";
import {
  CONTRACTS,
  ORDER_ENCODED_BYTES,
  ORDER_TYPE_BYTES,
  ORDER_TYPE_HASH,
  ORDER_WORDS as W,
  WRAPPED_SIGNATURE_BYTES,
  addressOfPublicKey,
  checksumAddress,
  exchangeAddress,
  exchangeDomainSeparator,
  keccak256,
  parseAddress,
  parseHex,
  toHex,
  typedDataDigest,
  typedDataSignStructHash,
  writeAddressWord,
  writeDecimalWord,
  writeUintWord,
} from "./eip712.ts";

// Sync signing needs these (noble-secp256k1 v3 README, "Enabling synchronous methods").
// The RFC 6979 nonce stream calls hmacSha256 ~6 times per signature; Bun's native HMAC is
// several times faster than the pure-JS one and gives the same bytes (a test compares them).
if (secp.hashes.sha256 === undefined) secp.hashes.sha256 = sha256;
if (secp.hashes.hmacSha256 === undefined) secp.hashes.hmacSha256 = nativeHmacSha256;

type HmacSha256 = NonNullable<typeof secp.hashes.hmacSha256>;

function nativeHmacSha256(key: Uint8Array, msg: Uint8Array): ReturnType<HmacSha256> {
  const h = new Bun.CryptoHasher("sha256", key);
  h.update(msg);
  // digest() returns a Buffer that may view a shared pool: copy into a plain Uint8Array.
  return new Uint8Array(h.digest() as Uint8Array);
}

/** The pure-JS HMAC the noble docs suggest; exported so a test can compare it with the native one. */
export function nobleHmacSha256(key: Uint8Array, msg: Uint8Array): ReturnType<HmacSha256> {
  return hmac(sha256, key, msg);
}
export { nativeHmacSha256 };

/** EOA, POLY_PROXY, POLY_GNOSIS_SAFE, POLY_1271 (deposit wallet). */
export type SignatureType = 0 | 1 | 2 | 3;
export const SIGNATURE_TYPE = { EOA: 0, POLY_PROXY: 1, POLY_GNOSIS_SAFE: 2, POLY_1271: 3 } as const;

export const BYTES32_ZERO = "0x0000000000000000000000000000000000000000000000000000000000000000";

export interface SignerConfig {
  readonly privateKey: Secret;
  readonly signatureType: SignatureType;
  /** Proxy / Safe / deposit wallet holding the funds; the order's `maker` (default: the EOA). */
  readonly funder?: string;
  readonly chainId: number;
}

export interface OrderParams {
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  /** Shares (limit, market SELL) or pUSD (market BUY). Floored to the 0.01 grid like the SDK. */
  readonly sizeE6: SizeE6;
  readonly tickE4: TickE4;
  readonly negRisk: boolean;
  /** 2 = CTFExchangeV2 / NegRiskCTFExchangeV2 (domain "2"); 3 = ExchangeV3 (domain "3"). */
  readonly exchangeVersion: 2 | 3;
  /** Unique integer < 2^53, sent as a JSON number. */
  readonly salt: number;
  /** Order creation time, epoch ms (signed). */
  readonly timestampMs: number;
  /** GTD expiry, epoch seconds (body only, not signed); 0 / absent = none. */
  readonly expirationSec?: number;
  /** bytes32 builder code (0x + 64 hex); default zero. */
  readonly builder?: string;
  /** bytes32 metadata; default zero. */
  readonly metadata?: string;
  /** "market": size is pUSD for BUY, shares for SELL; price floored (SDK createMarketOrder). */
  readonly amountMode?: AmountMode;
}

/** A signed order; field types follow the SDK's `SignedOrderV2`, plus the order id. */
export interface SignedOrder {
  /** EIP-712 hash of the order, 0x-hex: the exchange's order id, known before posting. */
  readonly orderId: string;
  readonly salt: number;
  readonly maker: string;
  readonly signer: string;
  readonly tokenId: string;
  readonly makerAmount: string;
  readonly takerAmount: string;
  readonly side: Side;
  readonly signatureType: number;
  readonly timestamp: string;
  readonly expiration: string;
  readonly metadata: string;
  readonly builder: string;
  readonly signature: string;
}

/**
 * A fresh random salt in [1, 2^48): unique enough per (order, millisecond) and far inside the
 * JSON-number-safe range (the SDK's own salts are < Date.now() ≈ 2^41). For shells (CLI,
 * composition); tests and the simulator inject seeded salts instead.
 */
export function randomSalt(): number {
  const w = crypto.getRandomValues(new Uint32Array(2));
  return (w[0]! & 0xffff) * 0x1_0000_0000 + w[1]! || 1; // two words exist
}

const MAX_TOKEN_CACHE = 4096;
const SIG_V_OFFSET = 27;
// The POLY_1271 suffix after the inner signature's hex: type string + its length (u16 BE).
const TYPE_STRING_HEX = toHex(ORDER_TYPE_BYTES).slice(2) + ORDER_TYPE_BYTES.length.toString(16).padStart(4, "0");

function parsePrivateKey(key: Secret): Uint8Array {
  const bytes = parseHex(key.reveal().trim(), 32);
  if (!bytes || !secp.utils.isValidSecretKey(bytes)) {
    throw new RangeError("privateKey: must be a valid secp256k1 key, 32 bytes of hex (64 digits, 0x optional)");
  }
  return bytes;
}

/** Address (EIP-55) of a private key; for the CLI and tests. */
export function addressOfPrivateKey(key: Secret): string {
  return checksumAddress(addressOfPublicKey(secp.getPublicKey(parsePrivateKey(key), false)));
}

function parseBytes32(text: string, field: string): Uint8Array {
  const b = /^0x[0-9a-fA-F]{64}$/.test(text) ? parseHex(text, 32) : null;
  if (!b) throw new RangeError(`${field}: must be bytes32 hex (0x + 64 hex digits)`);
  return b;
}

/** A value for an error message: numbers only (a string could be a mis-passed key). */
export function shownValue(v: unknown): string {
  return typeof v === "number" ? String(v) : `a ${typeof v}`;
}

function assertSafeUint(v: number, field: string, min = 0): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${field}: must be an integer in [${min}, 2^53), got ${shownValue(v)}`);
}

/** The wire form of a 65-byte ECDSA signature: r ‖ s ‖ v (v = 27 + recovery parity). */
function ethSignatureHex(recovered: Uint8Array /* rec ‖ r ‖ s */): string {
  const v = SIG_V_OFFSET + (recovered[0]! & 1); // byte 0 exists: 65-byte recovered format
  return toHex(recovered, 1, 65) + (v === 27 ? "1b" : "1c");
}

export class OrderSigner {
  /** EOA address (EIP-55): POLY_ADDRESS in auth headers, and `signer` for types 0–2. */
  readonly address: string;
  /** The order's `maker`: the funder as configured (kept byte for byte, like the SDK), else the EOA. */
  readonly maker: string;
  /** The order's `signer`: the maker for POLY_1271, the EOA otherwise. */
  readonly orderSigner: string;
  readonly chainId: number;
  readonly signatureType: SignatureType;

  readonly #key: Uint8Array;
  readonly #struct = new Uint8Array(ORDER_ENCODED_BYTES);
  readonly #wrapScratch = new Uint8Array(224);
  readonly #digestIn = new Uint8Array(66);
  readonly #domains: { v2: Uint8Array; v2NegRisk: Uint8Array; v3: Uint8Array };
  readonly #orderSigner20: Uint8Array;
  readonly #tokenWords = new Map<string, Uint8Array>();
  readonly #amounts = newAmountsOut();
  #metadataText = BYTES32_ZERO;
  #builderText = BYTES32_ZERO;

  constructor(cfg: SignerConfig) {
    const sigType = cfg.signatureType as number;
    if (sigType !== 0 && sigType !== 1 && sigType !== 2 && sigType !== 3) {
      throw new RangeError(
        `signatureType: must be 0 (EOA), 1 (POLY_PROXY), 2 (POLY_GNOSIS_SAFE) or 3 (POLY_1271), got ${shownValue(sigType)}`,
      );
    }
    if (!CONTRACTS[cfg.chainId]) throw new RangeError(`chainId: must be 137 or 80002, got ${shownValue(cfg.chainId)}`);
    this.#key = parsePrivateKey(cfg.privateKey);
    const eoa20 = addressOfPublicKey(secp.getPublicKey(this.#key, false)); // also builds noble's G table
    this.address = checksumAddress(eoa20);
    let maker20 = eoa20;
    if (cfg.funder !== undefined) {
      const f = parseAddress(cfg.funder);
      if (!f) throw new RangeError("funder: must be an address (0x + 40 hex digits, valid EIP-55 checksum if mixed case)");
      maker20 = f;
    }
    this.maker = cfg.funder ?? this.address;
    const isWallet = cfg.signatureType === SIGNATURE_TYPE.POLY_1271;
    this.orderSigner = isWallet ? this.maker : this.address;
    this.#orderSigner20 = isWallet ? maker20 : eoa20;
    this.chainId = cfg.chainId;
    this.signatureType = cfg.signatureType;

    const dom = (negRisk: boolean, v: 2 | 3) =>
      exchangeDomainSeparator(String(v), cfg.chainId, parseHex(exchangeAddress(cfg.chainId, negRisk, v), 20)!); // our constants
    this.#domains = { v2: dom(false, 2), v2NegRisk: dom(true, 2), v3: dom(false, 3) };

    const s = this.#struct;
    s.set(ORDER_TYPE_HASH, W.typeHash);
    writeAddressWord(s, W.maker, maker20);
    writeAddressWord(s, W.signer, this.#orderSigner20);
    writeUintWord(s, W.signatureType, cfg.signatureType);
    this.#digestIn[0] = 0x19;
    this.#digestIn[1] = 0x01;
  }

  /**
   * Runs a few signatures so the JIT compiles the path and noble's tables exist: the first
   * signature in a process is ~10× slower than the rest. Call once at boot.
   */
  warm(iterations = 64): void {
    for (let i = 0; i < iterations; i++) {
      this.sign({
        tokenId: "1",
        side: i % 2 === 0 ? "BUY" : "SELL",
        priceE4: 100 + (i % 50) * 100,
        sizeE6: 5_000_000 + i * 10_000,
        tickE4: 100,
        negRisk: i % 3 === 0,
        exchangeVersion: 2,
        salt: i + 1,
        timestampMs: 1,
      });
    }
    this.#tokenWords.delete("1");
  }

  /** Signs one order. Throws RangeError (naming the field) on invalid params. */
  sign(p: OrderParams): SignedOrder {
    assertSafeUint(p.salt, "salt");
    assertSafeUint(p.timestampMs, "timestampMs", 1);
    const expirationSec = p.expirationSec ?? 0;
    assertSafeUint(expirationSec, "expirationSec");
    if (p.side !== "BUY" && p.side !== "SELL") throw new RangeError('side: must be "BUY" or "SELL"');
    const a = this.#amounts;
    const err = computeAmounts(p.side, p.priceE4, p.sizeE6, p.tickE4, p.amountMode ?? "limit", a);
    if (err !== null) throw new RangeError(amountsMessage(err, p));

    const s = this.#struct;
    writeUintWord(s, W.salt, p.salt);
    s.set(this.#tokenWord(p.tokenId), W.tokenId);
    writeUintWord(s, W.makerAmount, a.makerAmount);
    writeUintWord(s, W.takerAmount, a.takerAmount);
    writeUintWord(s, W.side, p.side === "BUY" ? 0 : 1);
    writeUintWord(s, W.timestamp, p.timestampMs);
    const metadata = p.metadata ?? BYTES32_ZERO;
    if (metadata !== this.#metadataText) {
      s.set(parseBytes32(metadata, "metadata"), W.metadata);
      this.#metadataText = metadata;
    }
    const builder = p.builder ?? BYTES32_ZERO;
    if (builder !== this.#builderText) {
      s.set(parseBytes32(builder, "builder"), W.builder);
      this.#builderText = builder;
    }

    const domain = this.#domainFor(p.negRisk, p.exchangeVersion);
    const structHash = keccak256(s);
    const d = this.#digestIn;
    d.set(domain, 2);
    d.set(structHash, 34);
    const orderHash = keccak256(d);

    let signature: string;
    if (this.signatureType !== SIGNATURE_TYPE.POLY_1271) {
      signature = ethSignatureHex(secp.sign(orderHash, this.#key, { prehash: false, format: "recovered" }));
    } else {
      // ERC-7739: the EOA signs TypedDataSign{contents: order, DepositWallet domain fields}
      // under the exchange's domain; the wallet gets enough to rebuild and check it.
      const wrapHash = typedDataSignStructHash(this.#wrapScratch, structHash, this.chainId, this.#orderSigner20);
      const inner = secp.sign(typedDataDigest(domain, wrapHash), this.#key, { prehash: false, format: "recovered" });
      signature = ethSignatureHex(inner) + toHex(domain).slice(2) + toHex(structHash).slice(2) + TYPE_STRING_HEX;
    }

    return {
      orderId: toHex(orderHash),
      salt: p.salt,
      maker: this.maker,
      signer: this.orderSigner,
      tokenId: p.tokenId,
      makerAmount: String(a.makerAmount),
      takerAmount: String(a.takerAmount),
      side: p.side,
      signatureType: this.signatureType,
      timestamp: String(p.timestampMs),
      expiration: String(expirationSec),
      metadata,
      builder,
      signature,
    };
  }

  #domainFor(negRisk: boolean, version: 2 | 3): Uint8Array {
    if (version === 3) return this.#domains.v3;
    if (version === 2) return negRisk ? this.#domains.v2NegRisk : this.#domains.v2;
    throw new RangeError(`exchangeVersion: must be 2 or 3, got ${shownValue(version)}`);
  }

  #tokenWord(tokenId: string): Uint8Array {
    let w = this.#tokenWords.get(tokenId);
    if (w) return w;
    w = new Uint8Array(32);
    if (!writeDecimalWord(w, 0, tokenId)) throw new RangeError("tokenId: must be a uint256 decimal string"); // not echoed: could be a pasted key
    if (this.#tokenWords.size >= MAX_TOKEN_CACHE) this.#tokenWords.clear();
    this.#tokenWords.set(tokenId, w);
    return w;
  }

  /**
   * Signs a 32-byte EIP-712 digest with the EOA key (r ‖ s ‖ v hex). For auth.ts (ClobAuth);
   * not for general use: anything this signs, the EOA has signed.
   */
  signDigest(digest: Uint8Array): string {
    if (digest.length !== 32) throw new RangeError("digest: must be 32 bytes");
    return ethSignatureHex(secp.sign(digest, this.#key, { prehash: false, format: "recovered" }));
  }

  // Never print the key: Secret already redacts, but the signer holds raw bytes.
  toString(): string {
    return `OrderSigner(${this.address}, type ${this.signatureType}, chain ${this.chainId})`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
  [Bun.inspect.custom](): string {
    return this.toString();
  }
}

function amountsMessage(err: string, p: OrderParams): string {
  switch (err) {
    case "BAD_TICK":
      return `tickE4: ${shownValue(p.tickE4)} is not a Polymarket tick size (1000, 100, 50, 25, 10, 1)`;
    case "PRICE_OUT_OF_RANGE":
      return `priceE4: ${shownValue(p.priceE4)} must be an integer in [tick, 1 − tick] = [${p.tickE4}, ${10_000 - p.tickE4}]`;
    case "ZERO_AMOUNT":
      return `sizeE6: ${shownValue(p.sizeE6)} rounds to a zero amount (sizes are floored to 0.01)`;
    default:
      return `sizeE6: ${shownValue(p.sizeE6)} at priceE4 ${shownValue(p.priceE4)} gives an amount beyond 2^53 base units`;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON bodies (SDK orderToJsonV2 + JSON.stringify key order)

/** The `order` object of a post body, as JSON: exactly the SDK's key order and value types. */
export function orderJson(o: SignedOrder): string {
  return (
    `{"salt":${o.salt},"maker":"${o.maker}","signer":"${o.signer}","tokenId":"${o.tokenId}",` +
    `"makerAmount":"${o.makerAmount}","takerAmount":"${o.takerAmount}","side":"${o.side}",` +
    `"signatureType":${o.signatureType},"timestamp":"${o.timestamp}","expiration":"${o.expiration}",` +
    `"metadata":"${o.metadata}","builder":"${o.builder}","signature":"${o.signature}"}`
  );
}

function assertPostOnly(orderType: OrderType, postOnly: boolean): void {
  if (postOnly && (orderType === "FOK" || orderType === "FAK")) throw new RangeError("postOnly: not supported for FOK/FAK orders");
}

/** `POST /order` body bytes, identical to `JSON.stringify(orderToJsonV2(...))` in the SDK. */
export function orderPostBody(o: SignedOrder, owner: string, orderType: OrderType, postOnly: boolean, deferExec = false): string {
  assertPostOnly(orderType, postOnly);
  return `{"deferExec":${deferExec},"postOnly":${postOnly},"order":${orderJson(o)},"owner":${JSON.stringify(owner)},"orderType":"${orderType}"}`;
}

export interface BatchItem {
  readonly order: SignedOrder;
  readonly orderType: OrderType;
}

/** `POST /orders` body: a JSON array of post bodies; postOnly/deferExec per call like the SDK. */
export function batchPostBody(items: readonly BatchItem[], owner: string, postOnly = false, deferExec = false): string {
  let s = "[";
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!; // i < length
    if (i > 0) s += ",";
    s += orderPostBody(it.order, owner, it.orderType, postOnly, deferExec);
  }
  return `${s}]`;
}

// ---------------------------------------------------------------------------------------------
// Verification (for the simulator and tests; not on the trading hot path)

const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** Struct hash of an order as posted; null if a field is malformed. */
function structHashOf(o: SignedOrder): Uint8Array | null {
  const b = new Uint8Array(ORDER_ENCODED_BYTES);
  b.set(ORDER_TYPE_HASH, W.typeHash);
  const maker = parseAddress(o.maker);
  const signer = parseAddress(o.signer);
  const metadata = parseHex(o.metadata, 32);
  const builder = parseHex(o.builder, 32);
  if (!maker || !signer || !metadata || !builder) return null;
  if (!Number.isSafeInteger(o.salt) || o.salt < 0) return null;
  if (o.side !== "BUY" && o.side !== "SELL") return null;
  if (!Number.isInteger(o.signatureType) || o.signatureType < 0 || o.signatureType > 3) return null;
  writeDecimalWord(b, W.salt, String(o.salt));
  writeAddressWord(b, W.maker, maker);
  writeAddressWord(b, W.signer, signer);
  if (!writeDecimalWord(b, W.tokenId, o.tokenId)) return null;
  if (!writeDecimalWord(b, W.makerAmount, o.makerAmount)) return null;
  if (!writeDecimalWord(b, W.takerAmount, o.takerAmount)) return null;
  writeUintWord(b, W.side, o.side === "BUY" ? 0 : 1);
  writeUintWord(b, W.signatureType, o.signatureType);
  if (!writeDecimalWord(b, W.timestamp, o.timestamp)) return null;
  b.set(metadata, W.metadata);
  b.set(builder, W.builder);
  return keccak256(b);
}

function domainOf(negRisk: boolean, exchangeVersion: 2 | 3, chainId: number): Uint8Array | null {
  if (!CONTRACTS[chainId] || (exchangeVersion !== 2 && exchangeVersion !== 3)) return null;
  return exchangeDomainSeparator(String(exchangeVersion), chainId, parseHex(exchangeAddress(chainId, negRisk, exchangeVersion), 20)!); // our constants
}

/** The order id (EIP-712 order hash) of a posted order, or null if malformed. */
export function computeOrderId(o: SignedOrder, negRisk: boolean, exchangeVersion: 2 | 3, chainId: number): string | null {
  const sh = structHashOf(o);
  const dom = domainOf(negRisk, exchangeVersion, chainId);
  return sh && dom ? toHex(typedDataDigest(dom, sh)) : null;
}

/** Address that produced a 65-byte r‖s‖v signature over `digest`; null if invalid or high-s. */
export function recoverAddress(digest: Uint8Array, sig65: Uint8Array): string | null {
  if (sig65.length !== 65) return null;
  const v = sig65[64]!; // length checked
  const rec = v >= 27 ? v - 27 : v;
  if (rec !== 0 && rec !== 1) return null;
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(sig65[i]!); // i < 64
  if (s === 0n || s > HALF_N) return null; // the exchange (OpenZeppelin ECDSA) rejects high-s
  const compact = new Uint8Array(65);
  compact[0] = rec;
  compact.set(sig65.subarray(0, 64), 1);
  try {
    const pub = secp.recoverPublicKey(compact, digest, { prehash: false, isCompressed: false });
    return checksumAddress(addressOfPublicKey(pub));
  } catch (e) {
    if (e instanceof Error) return null; // not a point / r out of range: an invalid signature
    throw e;
  }
}

/**
 * Who signed a posted order, as the exchange would check it: the EOA that produced the
 * signature (EIP-55), or null if the signature is malformed or not for this order/domain.
 * - Types 0–2: plain EIP-712 recovery over the order hash; the caller compares with `o.signer`.
 * - Type 3 (POLY_1271): the wrapper must carry this exchange's domain separator, this order's
 *   struct hash and the Order type string; returns the EOA that signed the TypedDataSign for
 *   wallet `o.signer` (the caller checks that EOA owns the deposit wallet).
 */
export function recoverOrderSigner(o: SignedOrder, negRisk: boolean, exchangeVersion: 2 | 3, chainId: number): string | null {
  const sh = structHashOf(o);
  const dom = domainOf(negRisk, exchangeVersion, chainId);
  if (!sh || !dom) return null;
  if (o.signatureType !== SIGNATURE_TYPE.POLY_1271) {
    const sig = parseHex(o.signature, 65);
    return sig ? recoverAddress(typedDataDigest(dom, sh), sig) : null;
  }
  const sig = parseHex(o.signature, WRAPPED_SIGNATURE_BYTES);
  const wallet = parseAddress(o.signer);
  if (!sig || !wallet) return null;
  if (!bytesEqual(sig.subarray(65, 97), dom) || !bytesEqual(sig.subarray(97, 129), sh)) return null;
  const typeEnd = 129 + ORDER_TYPE_BYTES.length;
  if (!bytesEqual(sig.subarray(129, typeEnd), ORDER_TYPE_BYTES)) return null;
  if (((sig[typeEnd]! << 8) | sig[typeEnd + 1]!) !== ORDER_TYPE_BYTES.length) return null; // typeEnd + 2 = length
  const wrapHash = typedDataSignStructHash(new Uint8Array(224), sh, chainId, wallet);
  return recoverAddress(typedDataDigest(dom, wrapHash), sig.subarray(0, 65));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
