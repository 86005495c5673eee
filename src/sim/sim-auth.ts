/**
 * API keys of the simulator and the checks the real CLOB makes on each request
 * (protocol notes §2): L1 (`POLY_ADDRESS`/`POLY_SIGNATURE`/`POLY_TIMESTAMP`/`POLY_NONCE`,
 * an EIP-712 ClobAuth signature by the address) to create or derive a key; L2 (HMAC of
 * timestamp + method + path + body with the key's secret, plus key and passphrase) on every
 * trading call; and the order's EIP-712 signature against the key's address.
 *
 * Keys are deterministic per (seed, address, nonce), like the real derive endpoint, so
 * create and derive return the same credentials and a restarted bot finds its key again.
 * Verification uses the project's own auth/signing code (src/polymarket/auth.ts,
 * signing.ts), which is golden-tested against the SDK.
 * Timestamps are not checked for freshness: the simulator's clock may run accelerated.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { Secret } from "../core/secret.ts";
import { type ApiCreds, checkL2, type HeaderSource, recoverClobAuthAddress } from "../polymarket/auth.ts";
import { recoverOrderSigner, type SignedOrder } from "../polymarket/signing.ts";

export interface SimKey {
  readonly creds: ApiCreds;
  /** The address that created the key (EIP-55); POLY_ADDRESS must match it. */
  readonly address: string;
  readonly nonce: number;
}

export const ERR_L1 = "Invalid L1 Request headers";
export const ERR_L2 = "Unauthorized/Invalid api key";
export const ERR_SIGNATURE = "invalid signature";
export const ERR_SIGNER = "the order signer address has to be the address of the API KEY";

export type OrderAuth = { ok: true } | { ok: false; message: string };

export class SimKeys {
  private readonly byKey = new Map<string, SimKey>();

  constructor(
    private readonly seed: number,
    readonly chainId = 137,
  ) {}

  /** L1: the address that signed the headers, or undefined when they are invalid. */
  l1Address(headers: HeaderSource): string | undefined {
    const claimed = get(headers, "POLY_ADDRESS");
    const signer = recoverClobAuthAddress(headers, this.chainId);
    if (claimed === undefined || signer === null || claimed.toLowerCase() !== signer.toLowerCase()) return undefined;
    return signer;
  }

  /** The key of (address, nonce): the same on every call (create and derive). */
  keyFor(address: string, nonce: number): SimKey {
    const base = `${this.seed}:${address.toLowerCase()}:${nonce}`;
    const h = (tag: string) => sha256(utf8ToBytes(`${base}:${tag}`));
    const id = bytesToHex(h("key"));
    const key = `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-a${id.slice(17, 20)}-${id.slice(20, 32)}`;
    let k = this.byKey.get(key);
    if (!k) {
      const secret = Buffer.from(h("secret")).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
      k = {
        creds: { key, secret: new Secret(secret, "api secret"), passphrase: new Secret(bytesToHex(h("pass")), "api passphrase") },
        address,
        nonce,
      };
      this.byKey.set(key, k);
    }
    return k;
  }

  /** L2: the key that signed this request, or undefined (answer 401 `Unauthorized/Invalid api key`). */
  l2Key(headers: HeaderSource, method: string, path: string, body: string | undefined): SimKey | undefined {
    const apiKey = get(headers, "POLY_API_KEY");
    const k = apiKey === undefined ? undefined : this.byKey.get(apiKey);
    if (!k) return undefined;
    if ((get(headers, "POLY_ADDRESS") ?? "").toLowerCase() !== k.address.toLowerCase()) return undefined;
    return checkL2(headers, k.creds, method, path, body === "" ? undefined : body) === "ok" ? k : undefined;
  }

  /** Checks a posted order's signature (EIP-712, domain by `negRisk`) and that it belongs to the key. */
  checkOrder(o: SignedOrder, key: SimKey, negRisk: boolean): OrderAuth {
    const eoa = recoverOrderSigner(o, negRisk, 2, this.chainId);
    if (eoa === null) return { ok: false, message: ERR_SIGNATURE };
    // Types 0–2: the recovered EOA is the order's signer. Type 3: it signed for the deposit wallet.
    if (o.signatureType !== 3 && eoa.toLowerCase() !== o.signer.toLowerCase()) return { ok: false, message: ERR_SIGNATURE };
    if (eoa.toLowerCase() !== key.address.toLowerCase()) return { ok: false, message: ERR_SIGNER };
    return { ok: true };
  }

  keys(): IterableIterator<SimKey> {
    return this.byKey.values();
  }
  byId(apiKey: string): SimKey | undefined {
    return this.byKey.get(apiKey);
  }
}

function get(h: HeaderSource, name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  return h[name] ?? h[name.toLowerCase()];
}
