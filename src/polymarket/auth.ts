/**
 * CLOB authentication headers, identical to `@polymarket/clob-client-v2` 1.1.0 for the same
 * inputs (`headers/index.ts createL1Headers/createL2Headers`, `signing/eip712.ts`,
 * `signing/hmac.ts`); parity is proved by `test/golden/auth.parity.test.ts`.
 *
 * - L1 (`POST /auth/api-key`, `GET /auth/derive-api-key`): EIP-712 `ClobAuth{address,
 *   timestamp (string, unix seconds), nonce, message}` under domain `ClobAuthDomain`/"1"/chainId
 *   (no verifyingContract), signed by the EOA.
 * - L2 (every trading call): base64url(HMAC-SHA256(base64url-decoded secret,
 *   `${timestampSec}${METHOD}${requestPath}${body ?? ""}`)), keeping '=' padding.
 *   `requestPath` excludes the query string; `body` must be the exact bytes sent.
 *
 * Time is an argument (seconds), never read here. The API secret and passphrase are `Secret`s,
 * revealed only to compute or fill a header; no error message carries them.
 *
 * The `verify*` / `recover*` functions are for the simulator: they check headers the way the
 * exchange does (comparisons of secrets in constant time).
 */
import type { Secret } from "../core/secret.ts";
import {
  CLOB_AUTH_MESSAGE,
  CLOB_AUTH_TYPE_HASH,
  clobAuthDomainSeparator,
  keccakUtf8,
  parseAddress,
  parseHex,
  typedDataDigest,
  writeAddressWord,
  writeDecimalWord,
  keccak256,
} from "./eip712.ts";
import { type OrderSigner, recoverAddress, shownValue } from "./signing.ts";

export interface ApiCreds {
  readonly key: string;
  readonly secret: Secret;
  readonly passphrase: Secret;
}

// Type aliases (not interfaces) so they are assignable to Record<string, string> / HeadersInit.
export type L1Headers = {
  POLY_ADDRESS: string;
  POLY_SIGNATURE: string;
  POLY_TIMESTAMP: string;
  POLY_NONCE: string;
};

export type L2Headers = {
  POLY_ADDRESS: string;
  POLY_SIGNATURE: string;
  POLY_TIMESTAMP: string;
  POLY_API_KEY: string;
  POLY_PASSPHRASE: string;
};

/** Request headers as a `Headers` object (names case-insensitive) or a plain record. */
export type HeaderSource = Headers | Readonly<Record<string, string | undefined>>;

function header(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  return h[name] ?? h[name.toLowerCase()];
}

const MESSAGE_HASH = keccakUtf8(CLOB_AUTH_MESSAGE);
const domainCache = new Map<number, Uint8Array>();

function authDomain(chainId: number): Uint8Array {
  let d = domainCache.get(chainId);
  if (!d) {
    d = clobAuthDomainSeparator(chainId);
    domainCache.set(chainId, d);
  }
  return d;
}

/** EIP-712 digest of ClobAuth; null if the address or nonce is malformed. */
function clobAuthDigest(chainId: number, address: string, timestamp: string, nonce: string): Uint8Array | null {
  const addr = parseAddress(address);
  if (!addr) return null;
  const b = new Uint8Array(160);
  b.set(CLOB_AUTH_TYPE_HASH, 0);
  writeAddressWord(b, 32, addr);
  b.set(keccakUtf8(timestamp), 64);
  if (!writeDecimalWord(b, 96, nonce)) return null;
  b.set(MESSAGE_HASH, 128);
  return typedDataDigest(authDomain(chainId), keccak256(b));
}

/**
 * L1 headers for creating or deriving an API key. `address` overrides POLY_ADDRESS and the
 * signed address (the SDK's optional 5th argument); the signature is always the EOA's.
 */
export function l1Headers(signer: OrderSigner, timestampSec: number, nonce = 0, address?: string): L1Headers {
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0)
    throw new RangeError(`timestampSec: must be a non-negative integer, got ${shownValue(timestampSec)}`);
  if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError(`nonce: must be a non-negative integer, got ${shownValue(nonce)}`);
  const addr = address ?? signer.address;
  const ts = String(timestampSec);
  const digest = clobAuthDigest(signer.chainId, addr, ts, String(nonce));
  if (!digest) throw new RangeError("address: must be an address (0x + 40 hex digits, valid EIP-55 checksum if mixed case)");
  return { POLY_ADDRESS: addr, POLY_SIGNATURE: signer.signDigest(digest), POLY_TIMESTAMP: ts, POLY_NONCE: String(nonce) };
}

/** The address that signed L1 headers (EIP-55), or null if they are malformed or the signature is invalid. */
export function recoverClobAuthAddress(headers: HeaderSource, chainId: number): string | null {
  const address = header(headers, "POLY_ADDRESS");
  const sig = header(headers, "POLY_SIGNATURE");
  const ts = header(headers, "POLY_TIMESTAMP");
  const nonce = header(headers, "POLY_NONCE") ?? "0";
  if (address === undefined || sig === undefined || ts === undefined) return null;
  const digest = clobAuthDigest(chainId, address, ts, nonce);
  const sigBytes = parseHex(sig, 65);
  if (!digest || !sigBytes) return null;
  return recoverAddress(digest, sigBytes);
}

/** True when the L1 headers were signed by POLY_ADDRESS (and, given `nowSec`, are within `maxSkewSec`). */
export function verifyL1(headers: HeaderSource, chainId: number, opts: { nowSec?: number; maxSkewSec?: number } = {}): boolean {
  const claimed = header(headers, "POLY_ADDRESS");
  const signer = recoverClobAuthAddress(headers, chainId);
  if (claimed === undefined || signer === null || claimed.toLowerCase() !== signer.toLowerCase()) return false;
  return isFresh(header(headers, "POLY_TIMESTAMP"), opts);
}

// ---------------------------------------------------------------------------------------------
// L2

const BASE64URL = /^[A-Za-z0-9+/_-]*={0,2}$/;
const keyCache = new WeakMap<Secret, Uint8Array>();

/** base64url (or base64) secret → key bytes, like the SDK's decodeBase64Secret. */
function hmacKey(secret: Secret): Uint8Array {
  let k = keyCache.get(secret);
  if (k) return k;
  const raw = secret.reveal();
  if (raw.length === 0 || !BASE64URL.test(raw)) throw new RangeError("secret: must be a non-empty base64url string");
  const normalized = raw.replace(/-/g, "+").replace(/_/g, "/");
  const padded = normalized + "=".repeat((4 - (normalized.length % 4)) % 4);
  k = new Uint8Array(Buffer.from(padded, "base64"));
  keyCache.set(secret, k);
  return k;
}

/** POLY_SIGNATURE for an L2 request. */
export function l2Signature(secret: Secret, timestampSec: number, method: string, requestPath: string, body?: string): string {
  const h = new Bun.CryptoHasher("sha256", hmacKey(secret));
  h.update(`${timestampSec}${method}${requestPath}${body ?? ""}`);
  return h.digest("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * L2 headers. `address` is the EOA (`OrderSigner.address`) for every signature type, like the SDK;
 * `body` must be the exact string sent (omit it for GET / bodiless requests).
 */
export function l2Headers(
  creds: ApiCreds,
  address: string,
  timestampSec: number,
  method: string,
  requestPath: string,
  body?: string,
): L2Headers {
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0)
    throw new RangeError(`timestampSec: must be a non-negative integer, got ${shownValue(timestampSec)}`);
  return {
    POLY_ADDRESS: address,
    POLY_SIGNATURE: l2Signature(creds.secret, timestampSec, method, requestPath, body),
    POLY_TIMESTAMP: String(timestampSec),
    POLY_API_KEY: creds.key,
    POLY_PASSPHRASE: creds.passphrase.reveal(),
  };
}

export type L2Check = "ok" | "missing_header" | "bad_api_key" | "bad_passphrase" | "bad_timestamp" | "stale_timestamp" | "bad_signature";

/**
 * Checks L2 headers against the credentials the server holds for POLY_API_KEY, as the exchange
 * would. Given `nowSec`, a POLY_TIMESTAMP more than `maxSkewSec` (default 30) away is stale.
 * The caller checks that POLY_ADDRESS owns the key.
 */
export function checkL2(
  headers: HeaderSource,
  creds: ApiCreds,
  method: string,
  requestPath: string,
  body?: string,
  opts: { nowSec?: number; maxSkewSec?: number } = {},
): L2Check {
  const address = header(headers, "POLY_ADDRESS");
  const sig = header(headers, "POLY_SIGNATURE");
  const ts = header(headers, "POLY_TIMESTAMP");
  const key = header(headers, "POLY_API_KEY");
  const pass = header(headers, "POLY_PASSPHRASE");
  if (address === undefined || sig === undefined || ts === undefined || key === undefined || pass === undefined) return "missing_header";
  if (key !== creds.key) return "bad_api_key";
  if (!constantTimeEqual(pass, creds.passphrase.reveal())) return "bad_passphrase";
  if (!/^[0-9]{1,15}$/.test(ts)) return "bad_timestamp";
  if (!isFresh(ts, opts)) return "stale_timestamp";
  const expected = l2Signature(creds.secret, Number(ts), method, requestPath, body);
  return constantTimeEqual(sig, expected) ? "ok" : "bad_signature";
}

export function verifyL2(
  headers: HeaderSource,
  creds: ApiCreds,
  method: string,
  requestPath: string,
  body?: string,
  opts: { nowSec?: number; maxSkewSec?: number } = {},
): boolean {
  return checkL2(headers, creds, method, requestPath, body, opts) === "ok";
}

function isFresh(ts: string | undefined, opts: { nowSec?: number; maxSkewSec?: number }): boolean {
  if (opts.nowSec === undefined) return true;
  if (ts === undefined || !/^[0-9]{1,15}$/.test(ts)) return false;
  return Math.abs(Number(ts) - opts.nowSec) <= (opts.maxSkewSec ?? 30);
}

function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
