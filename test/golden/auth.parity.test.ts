/**
 * L1 (ClobAuth EIP-712) and L2 (HMAC) header parity with the SDK's `createL1Headers` /
 * `createL2Headers`, on the SDK's own test vectors and on random inputs (fixed seed): same
 * header names, same order, same values. Plus the verifiers the simulator uses.
 */
import { describe, expect, test } from "bun:test";
import { Wallet } from "@ethersproject/wallet";
import { createL1Headers, createL2Headers } from "@polymarket/clob-client-v2";
import { Rng } from "../../src/core/rng.ts";
import { Secret } from "../../src/core/secret.ts";
import { checkL2, l1Headers, l2Headers, recoverClobAuthAddress, verifyL1, verifyL2 } from "../../src/polymarket/auth.ts";
import { OrderSigner } from "../../src/polymarket/signing.ts";

const HARDHAT0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const rng = new Rng(0xa07);
const hex = (n: number) => `0x${Array.from({ length: n }, () => rng.int(0, 255).toString(16).padStart(2, "0")).join("")}`;
const signerOf = (key: string, chainId = 137) => new OrderSigner({ privateKey: new Secret(key), signatureType: 0, chainId });

function b64url(bytes: number): string {
  const raw = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) raw[i] = rng.int(0, 255);
  const s = Buffer.from(raw).toString("base64");
  // The server hands out base64url; also try standard base64 and unpadded forms.
  const form = rng.int(0, 2);
  if (form === 0) return s.replace(/\+/g, "-").replace(/\//g, "_");
  if (form === 1) return s;
  return s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("L1 headers", () => {
  test("SDK test vector (tests/signing/eip712.test.ts)", () => {
    const h = l1Headers(signerOf(HARDHAT0, 80002), 10_000_000, 23);
    expect(h.POLY_SIGNATURE).toBe(
      "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b",
    );
    expect(h.POLY_ADDRESS).toBe("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  });

  test("80 random (key, chain, timestamp, nonce, address override) equal createL1Headers", async () => {
    const keys = [HARDHAT0, hex(32), hex(32), hex(32)];
    const wallets = keys.map((k) => new Wallet(k));
    const signers = keys.map((k) => [signerOf(k, 137), signerOf(k, 80002)] as const);
    for (let i = 0; i < 80; i++) {
      const k = i % keys.length;
      const chainId = rng.chance(0.5) ? 137 : 80002;
      const ts = rng.int(0, 2 ** 31);
      const nonce = rng.chance(0.5) ? 0 : rng.int(0, 2 ** 40);
      const address = rng.chance(0.2) ? wallets[(k + 1) % keys.length]!.address : undefined;
      const ours = l1Headers(signers[k]![chainId === 137 ? 0 : 1], ts, nonce, address);
      const sdk = await createL1Headers(wallets[k]!, chainId, nonce, ts, address);
      expect(JSON.stringify(ours)).toBe(JSON.stringify(sdk)); // values and key order
      expect(recoverClobAuthAddress(ours, chainId)).toBe(wallets[k]!.address);
      expect(verifyL1(ours, chainId)).toBe(address === undefined);
    }
  });

  test("verifyL1: tampering, other chain, lower-case header names, freshness", () => {
    const h = l1Headers(signerOf(HARDHAT0), 1_780_000_000, 0);
    expect(verifyL1(h, 137)).toBe(true);
    expect(verifyL1(h, 80002)).toBe(false);
    expect(verifyL1({ ...h, POLY_TIMESTAMP: "1780000001" }, 137)).toBe(false);
    expect(verifyL1({ ...h, POLY_NONCE: "1" }, 137)).toBe(false);
    expect(verifyL1({ ...h, POLY_SIGNATURE: `${h.POLY_SIGNATURE.slice(0, -2)}00` }, 137)).toBe(false);
    expect(verifyL1({ ...h, POLY_SIGNATURE: "0x1234" }, 137)).toBe(false);
    const lower = new Headers(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
    expect(verifyL1(lower, 137)).toBe(true);
    expect(verifyL1(h, 137, { nowSec: 1_780_000_020 })).toBe(true);
    expect(verifyL1(h, 137, { nowSec: 1_780_000_100 })).toBe(false);
    const { POLY_NONCE: _n, ...noNonce } = l1Headers(signerOf(HARDHAT0), 5, 0);
    expect(verifyL1(noNonce, 137)).toBe(true); // missing nonce = 0, like the server's default
  });
});

describe("L2 headers", () => {
  test("SDK test vector (tests/signing/hmac.test.ts)", () => {
    const creds = { key: "k", secret: new Secret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), passphrase: new Secret("p") };
    const h = l2Headers(creds, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 1_000_000, "test-sign", "/orders", '{"hash": "0x123"}');
    expect(h.POLY_SIGNATURE).toBe("ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc=");
  });

  test("300 random requests equal createL2Headers (with and without body, unicode bodies)", async () => {
    const wallet = new Wallet(HARDHAT0);
    const methods = ["GET", "POST", "DELETE", "PUT"];
    const paths = ["/order", "/orders", "/data/orders", "/cancel-all", "/auth/api-keys", "/v1/heartbeats", "/data/order/0xabc"];
    for (let i = 0; i < 300; i++) {
      const secret = b64url(rng.int(16, 48));
      const passphrase = hex(rng.int(8, 32)).slice(2);
      const key = crypto.randomUUID();
      const ts = rng.int(0, 2 ** 32);
      const method = methods[rng.int(0, methods.length - 1)]!;
      const requestPath = paths[rng.int(0, paths.length - 1)]!;
      const r = rng.next();
      const body =
        r < 0.3
          ? undefined
          : r < 0.6
            ? JSON.stringify({ orderID: hex(32), n: rng.int(0, 1e6) })
            : r < 0.8
              ? `{"x":"é—€ ✓ ${rng.int(0, 9)}"}`
              : "";
      const ours = l2Headers(
        { key, secret: new Secret(secret), passphrase: new Secret(passphrase) },
        wallet.address,
        ts,
        method,
        requestPath,
        body,
      );
      const sdk = await createL2Headers(
        wallet,
        { key, secret, passphrase },
        { method, requestPath, ...(body !== undefined && { body }) },
        ts,
      );
      expect(JSON.stringify(ours)).toBe(JSON.stringify(sdk));
    }
  });

  test("verifyL2 / checkL2 reasons", () => {
    const creds = {
      key: "api-key-1",
      secret: new Secret("c2VjcmV0LWJ5dGVzLWZvci10ZXN0aW5nLW9ubHkhIQ=="),
      passphrase: new Secret("pass-1"),
    };
    const body = '{"a":1}';
    const h = l2Headers(creds, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 1_780_000_000, "POST", "/order", body);
    expect(verifyL2(h, creds, "POST", "/order", body)).toBe(true);
    expect(checkL2(h, creds, "POST", "/order", '{"a":2}')).toBe("bad_signature");
    expect(checkL2(h, creds, "DELETE", "/order", body)).toBe("bad_signature");
    expect(checkL2(h, creds, "POST", "/orders", body)).toBe("bad_signature");
    expect(checkL2({ ...h, POLY_API_KEY: "other" }, creds, "POST", "/order", body)).toBe("bad_api_key");
    expect(checkL2({ ...h, POLY_PASSPHRASE: "pass-2" }, creds, "POST", "/order", body)).toBe("bad_passphrase");
    expect(checkL2({ ...h, POLY_TIMESTAMP: "x" }, creds, "POST", "/order", body)).toBe("bad_timestamp");
    const { POLY_SIGNATURE: _s, ...missing } = h;
    expect(checkL2(missing, creds, "POST", "/order", body)).toBe("missing_header");
    expect(checkL2(h, creds, "POST", "/order", body, { nowSec: 1_780_000_031 })).toBe("stale_timestamp");
    expect(checkL2(h, creds, "POST", "/order", body, { nowSec: 1_780_000_031, maxSkewSec: 60 })).toBe("ok");
    const lower = new Headers(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v] as [string, string]));
    expect(verifyL2(lower, creds, "POST", "/order", body)).toBe(true);
  });

  test("a bad secret is rejected without echoing it", () => {
    const creds = { key: "k", secret: new Secret("not base64 !!! super-secret-value"), passphrase: new Secret("p") };
    expect(() => l2Headers(creds, "0x0", 1, "GET", "/x")).toThrow(/^secret: must be a non-empty base64url string$/);
  });
});
