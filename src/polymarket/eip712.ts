/**
 * The EIP-712 pieces CLOB V2 needs, computed once and written into preallocated buffers.
 *
 * References: EIP-712 (https://eips.ethereum.org/EIPS/eip-712); EIP-55 checksummed addresses;
 * ERC-7739 nested typed data (the POLY_1271 wrapper); `@polymarket/clob-client-v2` 1.1.0
 * `order-utils/exchangeOrderBuilderV2.ts`, `order-utils/model/ctfExchangeV2TypedData.ts`,
 * `signing/eip712.ts`.
 *
 * Design rationale: an order's struct hash is keccak256 over 12 words (type hash + 11 fields).
 * Seven of those words never change for a given signer (type hash, maker, signer, signature
 * type, metadata, builder) or for a given token (token id), so the hot path writes only salt,
 * amounts, side and timestamp into a reused 384-byte buffer, without BigInt. Domain
 * separators and type hashes are module constants or computed per signer at construction.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

const TEXT = new TextEncoder();

export function keccak256(bytes: Uint8Array): Uint8Array {
  return keccak_256(bytes);
}

export function keccakUtf8(text: string): Uint8Array {
  return keccak_256(TEXT.encode(text));
}

// ---------------------------------------------------------------------------------------------
// Type strings and hashes (EIP-712 encodeType)

export const EIP712_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
/** ClobAuth has no verifyingContract in its domain. */
export const EIP712_DOMAIN_NO_CONTRACT_TYPE = "EIP712Domain(string name,string version,uint256 chainId)";
export const ORDER_TYPE_STRING =
  "Order(uint256 salt,address maker,address signer,uint256 tokenId,uint256 makerAmount,uint256 takerAmount,uint8 side,uint8 signatureType,uint256 timestamp,bytes32 metadata,bytes32 builder)";
/** ERC-7739 wrapper the deposit wallet (POLY_1271) checks; `Order` is appended as a referenced type. */
export const TYPED_DATA_SIGN_TYPE_STRING = `TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)${ORDER_TYPE_STRING}`;
export const CLOB_AUTH_TYPE_STRING = "ClobAuth(address address,string timestamp,uint256 nonce,string message)";

export const DOMAIN_TYPE_HASH = keccakUtf8(EIP712_DOMAIN_TYPE);
export const DOMAIN_NO_CONTRACT_TYPE_HASH = keccakUtf8(EIP712_DOMAIN_NO_CONTRACT_TYPE);
export const ORDER_TYPE_HASH = keccakUtf8(ORDER_TYPE_STRING);
export const TYPED_DATA_SIGN_TYPE_HASH = keccakUtf8(TYPED_DATA_SIGN_TYPE_STRING);
export const CLOB_AUTH_TYPE_HASH = keccakUtf8(CLOB_AUTH_TYPE_STRING);

export const EXCHANGE_DOMAIN_NAME = "Polymarket CTF Exchange";
export const DEPOSIT_WALLET_DOMAIN_NAME = "DepositWallet";
export const CLOB_AUTH_DOMAIN_NAME = "ClobAuthDomain";
export const CLOB_AUTH_MESSAGE = "This message attests that I control the given wallet";

// ---------------------------------------------------------------------------------------------
// Contracts (SDK src/config.ts)

export interface ExchangeContracts {
  readonly exchangeV2: string;
  readonly negRiskExchangeV2: string;
  readonly exchangeV3: string;
}

export const CONTRACTS: Readonly<Record<number, ExchangeContracts>> = {
  137: {
    exchangeV2: "0xE111180000d2663C0091e4f400237545B87B996B",
    negRiskExchangeV2: "0xe2222d279d744050d28e00520010520000310F59",
    exchangeV3: "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa",
  },
  80002: {
    exchangeV2: "0xE111180000d2663C0091e4f400237545B87B996B",
    negRiskExchangeV2: "0xe2222d279d744050d28e00520010520000310F59",
    exchangeV3: "0x9fE6e61422AdB6F610d8597F9684b16912D50C3D",
  },
};

/** The verifying contract for a market: V3 for every ExchangeV3 market, else by neg-risk. */
export function exchangeAddress(chainId: number, negRisk: boolean, exchangeVersion: 2 | 3): string {
  const c = CONTRACTS[chainId];
  if (!c) throw new RangeError(`chainId: ${chainId} is not supported (137 or 80002)`);
  if (exchangeVersion === 3) return c.exchangeV3;
  return negRisk ? c.negRiskExchangeV2 : c.exchangeV2;
}

// ---------------------------------------------------------------------------------------------
// Hex

const HEX_CHARS = "0123456789abcdef";
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => HEX_CHARS[i >> 4]! + HEX_CHARS[i & 15]!); // i < 256

/** Lower-case hex with 0x prefix. */
export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "0x";
  for (let i = start; i < end; i++) s += BYTE_HEX[bytes[i]!]!; // i < end ≤ length; byte < 256
  return s;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses 0x-hex (prefix optional) of exactly `byteLength` bytes, or returns null. */
export function parseHex(text: string, byteLength?: number): Uint8Array | null {
  const off = text.startsWith("0x") || text.startsWith("0X") ? 2 : 0;
  const n = text.length - off;
  if (n % 2 !== 0) return null;
  if (byteLength !== undefined && n !== byteLength * 2) return null;
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(text.charCodeAt(off + 2 * i));
    const lo = hexNibble(text.charCodeAt(off + 2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses (EIP-55)

/** EIP-55 mixed-case checksum form of a 20-byte address. */
export function checksumAddress(addr: Uint8Array): string {
  const lower = toHex(addr).slice(2);
  const hash = keccak_256(TEXT.encode(lower));
  let out = "0x";
  for (let i = 0; i < 40; i++) {
    const c = lower[i]!; // i < 40 = lower.length
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 15; // i>>1 < 20
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/**
 * Validates an address string the way ethers' `getAddress` does (the SDK signs through it):
 * 0x + 40 hex digits; all-lower or all-upper is accepted as is, mixed case must be a correct
 * EIP-55 checksum. Returns the 20 bytes, or null.
 */
export function parseAddress(text: string): Uint8Array | null {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) return null;
  const bytes = parseHex(text, 20);
  if (!bytes) return null;
  const body = text.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && checksumAddress(bytes) !== text) return null;
  return bytes;
}

/** Ethereum address of an uncompressed secp256k1 public key (65 bytes, 0x04 prefix). */
export function addressOfPublicKey(uncompressed: Uint8Array): Uint8Array {
  return keccak_256(uncompressed.subarray(1)).subarray(12);
}

// ---------------------------------------------------------------------------------------------
// ABI words

/** Writes a non-negative safe integer as a 32-byte big-endian word at `off`. */
export function writeUintWord(buf: Uint8Array, off: number, value: number): void {
  // Numbers below 2^53: the top 25 bytes are always zero, the rest is filled by division.
  buf.fill(0, off, off + 25);
  let v = value;
  for (let i = off + 31; i >= off + 25; i--) {
    const low = v % 256;
    buf[i] = low;
    v = (v - low) / 256;
  }
}

/** Writes a uint256 given as a decimal string; returns false if it is not one. */
export function writeDecimalWord(buf: Uint8Array, off: number, decimal: string): boolean {
  if (!/^[0-9]{1,78}$/.test(decimal)) return false;
  let v = BigInt(decimal);
  if (v >= 1n << 256n) return false;
  for (let i = off + 31; i >= off; i--) {
    buf[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return true;
}

/** Writes a 20-byte address right-aligned in a 32-byte word. */
export function writeAddressWord(buf: Uint8Array, off: number, addr20: Uint8Array): void {
  buf.fill(0, off, off + 12);
  buf.set(addr20, off + 12);
}

// ---------------------------------------------------------------------------------------------
// Domain separators

export function exchangeDomainSeparator(version: string, chainId: number, verifyingContract: Uint8Array): Uint8Array {
  const b = new Uint8Array(160);
  b.set(DOMAIN_TYPE_HASH, 0);
  b.set(keccakUtf8(EXCHANGE_DOMAIN_NAME), 32);
  b.set(keccakUtf8(version), 64);
  writeUintWord(b, 96, chainId);
  writeAddressWord(b, 128, verifyingContract);
  return keccak_256(b);
}

export function clobAuthDomainSeparator(chainId: number): Uint8Array {
  const b = new Uint8Array(128);
  b.set(DOMAIN_NO_CONTRACT_TYPE_HASH, 0);
  b.set(keccakUtf8(CLOB_AUTH_DOMAIN_NAME), 32);
  b.set(keccakUtf8("1"), 64);
  writeUintWord(b, 96, chainId);
  return keccak_256(b);
}

/** keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash): the digest that is signed. */
export function typedDataDigest(domainSeparator: Uint8Array, structHash: Uint8Array): Uint8Array {
  const b = new Uint8Array(66);
  b[0] = 0x19;
  b[1] = 0x01;
  b.set(domainSeparator, 2);
  b.set(structHash, 34);
  return keccak_256(b);
}

// ---------------------------------------------------------------------------------------------
// Order struct layout (word offsets in the 384-byte encoding)

export const ORDER_WORDS = {
  typeHash: 0,
  salt: 32,
  maker: 64,
  signer: 96,
  tokenId: 128,
  makerAmount: 160,
  takerAmount: 192,
  side: 224,
  signatureType: 256,
  timestamp: 288,
  metadata: 320,
  builder: 352,
} as const;
export const ORDER_ENCODED_BYTES = 384;

/** POLY_1271 wrapper layout: inner sig ‖ app domain separator ‖ contents hash ‖ type string ‖ u16 length. */
export const ORDER_TYPE_BYTES = TEXT.encode(ORDER_TYPE_STRING);
export const WRAPPED_SIGNATURE_BYTES = 65 + 32 + 32 + ORDER_TYPE_BYTES.length + 2;

/** Hash of the DepositWallet TypedDataSign struct around an order's struct hash. */
export function typedDataSignStructHash(
  scratch: Uint8Array /* ≥ 224 bytes */,
  contentsHash: Uint8Array,
  chainId: number,
  wallet20: Uint8Array,
): Uint8Array {
  scratch.set(TYPED_DATA_SIGN_TYPE_HASH, 0);
  scratch.set(contentsHash, 32);
  scratch.set(DEPOSIT_WALLET_NAME_HASH, 64);
  scratch.set(VERSION_1_HASH, 96);
  writeUintWord(scratch, 128, chainId);
  writeAddressWord(scratch, 160, wallet20);
  scratch.fill(0, 192, 224); // salt: bytes32(0)
  return keccak_256(scratch.subarray(0, 224));
}

const DEPOSIT_WALLET_NAME_HASH = keccakUtf8(DEPOSIT_WALLET_DOMAIN_NAME);
const VERSION_1_HASH = keccakUtf8("1");
