/**
 * No private key, API secret or passphrase appears in anything the signer, the auth code or
 * the `order sign` CLI prints, inspects to, serializes to or throws — including on bad input
 * that contains the secret itself (a malformed key, a key in the wrong field, a JSON line that
 * does not parse around the key).
 */
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { Secret } from "../../../src/core/secret.ts";
import { signLines } from "../../../src/cli/order.ts";
import { l1Headers, l2Headers, checkL2, verifyL2 } from "../../../src/polymarket/auth.ts";
import { PreSignPool } from "../../../src/polymarket/presign-pool.ts";
import { ManualClock } from "../../../src/core/clock.ts";
import { OrderSigner, orderPostBody } from "../../../src/polymarket/signing.ts";

const ROOT = path.resolve(import.meta.dir, "../../..");
const KEY_HEX = "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const KEY = `0x${KEY_HEX}`;
const API_SECRET = "dGhpcy1pcy1hLXZlcnktc2VjcmV0LWFwaS1zZWNyZXQtdmFsdWU=";
const PASSPHRASE = "passphrase-7f3e9a1b2c4d";

/** Every form a leaked secret could take in text. */
const NEEDLES = [
  KEY_HEX,
  KEY_HEX.toUpperCase(),
  KEY_HEX.slice(0, 24), // a prefix is already a leak
  KEY_HEX.slice(-24),
  API_SECRET,
  API_SECRET.replace(/=+$/, ""),
  Buffer.from(API_SECRET, "base64").toString("hex"),
  Buffer.from(API_SECRET, "base64").toString("utf8"),
  PASSPHRASE,
];

const captured: string[] = [];
function capture(fn: () => unknown): void {
  try {
    const v = fn();
    captured.push(Bun.inspect(v), String(v), safeJson(v));
  } catch (e) {
    captured.push(Bun.inspect(e), String(e), e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : "");
  }
}
function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch (e) {
    return e instanceof Error ? e.message : "";
  }
}

describe("no secret in output", () => {
  test("signer, pool and auth objects, results and errors", () => {
    const signer = new OrderSigner({
      privateKey: new Secret(KEY, "privateKey"),
      signatureType: 3,
      chainId: 137,
      funder: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    });
    const creds = { key: "api-key", secret: new Secret(API_SECRET, "apiSecret"), passphrase: new Secret(PASSPHRASE, "passphrase") };
    capture(() => signer);
    capture(() => ({ signer, creds }));
    capture(() => creds);
    const order = signer.sign({
      tokenId: "1",
      side: "BUY",
      priceE4: 5_000,
      sizeE6: 5_000_000,
      tickE4: 100,
      negRisk: false,
      exchangeVersion: 2,
      salt: 1,
      timestampMs: 1,
    });
    capture(() => order);
    capture(() => orderPostBody(order, creds.key, "GTC", false));
    capture(() => new PreSignPool(signer, { size: 2, clock: new ManualClock(), nextSalt: () => 1 }));
    capture(() => l1Headers(signer, 1_780_000_000, 0));
    capture(() => checkL2({}, creds, "GET", "/x"));
    capture(() => verifyL2({ POLY_PASSPHRASE: "wrong" }, creds, "GET", "/x"));
    // Malformed keys that contain most of the real key.
    for (const bad of [`${KEY}ff`, KEY.slice(0, -2), `${KEY.slice(0, -1)}g`, ` ${KEY_HEX} x`, `0x${"ff".repeat(32)}`]) {
      capture(() => new OrderSigner({ privateKey: new Secret(bad), signatureType: 0, chainId: 137 }));
    }
    // A key passed where a value belongs, in every field (the types would not allow it; JS would).
    const params = {
      tokenId: "1",
      side: "BUY",
      priceE4: 5_000,
      sizeE6: 5_000_000,
      tickE4: 100,
      negRisk: false,
      exchangeVersion: 2,
      salt: 1,
      timestampMs: 1,
    } as const;
    for (const field of Object.keys(params)) capture(() => signer.sign({ ...params, [field]: KEY }));
    capture(() => new OrderSigner({ privateKey: new Secret(KEY), signatureType: KEY as unknown as 0, chainId: 137 }));
    capture(() => new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: KEY as unknown as number }));
    capture(() => l1Headers(signer, KEY as unknown as number, 0));
    capture(() => l1Headers(signer, 1, KEY as unknown as number));
    capture(() => new PreSignPool(signer, { size: KEY as unknown as number, clock: new ManualClock(), nextSalt: () => 1 }));
    // Bad API secrets that contain the real one.
    for (const bad of [`${API_SECRET}!`, `${API_SECRET} ${PASSPHRASE}`]) {
      capture(() => l2Headers({ ...creds, secret: new Secret(bad) }, "0x0", 1, "GET", "/x"));
    }
    const text = captured.join("\n");
    expect(text.length).toBeGreaterThan(1_000); // we did capture things
    for (const n of NEEDLES) expect(text.includes(n)).toBe(false);
  });

  test("order sign: stdout and stderr, in process and as a real process", async () => {
    const good = JSON.stringify({
      privateKey: KEY,
      tokenId: "1",
      price: "0.5",
      size: "5",
      side: "BUY",
      tickSize: "0.01",
      negRisk: false,
      signatureType: 0,
      salt: 1,
      timestamp: 1,
    });
    const lines = [
      good,
      `{"privateKey": "${KEY}", "tokenId": "1", oops}`, // JSON syntax error around the key
      `{"privateKey": ${KEY}}`, // unquoted key: the parser would quote it
      JSON.stringify({
        privateKey: `${KEY}00`,
        tokenId: "1",
        price: "0.5",
        size: "5",
        side: "BUY",
        tickSize: "0.01",
        negRisk: false,
        signatureType: 0,
      }),
      JSON.stringify({
        privateKey: KEY,
        tokenId: KEY,
        price: KEY,
        size: KEY,
        side: KEY,
        tickSize: KEY,
        negRisk: KEY,
        signatureType: KEY,
        funder: KEY,
        salt: KEY,
        timestamp: KEY,
      }),
      JSON.stringify({ [KEY]: 1, privateKey: KEY }), // the key as a field name
      JSON.stringify({ [KEY_HEX.slice(0, 30)]: 1 }), // a short field name that is part of the key
      KEY, // a bare key on its own line
    ];
    const out: string[] = [];
    await signLines(
      lines,
      (l) => out.push(l),
      (l) => out.push(l),
    );
    const p = Bun.spawn([process.execPath, "run", "src/main.ts", "order", "sign", "--with-id"], {
      cwd: ROOT,
      stdin: new Blob([`${lines.join("\n")}\n`]),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const text = `${out.join("\n")}\n${stdout}\n${stderr}`;
    expect(stdout.split("\n").filter((l) => l.startsWith('{"orderId"')).length).toBe(1);
    expect(stderr.split("\n").filter((l) => l.startsWith("line ")).length).toBe(lines.length - 1);
    for (const n of NEEDLES) expect(text.includes(n)).toBe(false);
  }, 15_000);
});
