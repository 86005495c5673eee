/**
 * The validating reader behind `loadConfig`: raw strings in, typed values out, every problem
 * collected as a `ConfigIssue` (naming the key, the value unless secret, and what is allowed)
 * so one start-up error lists them all. A bad value yields the key's default so the
 * remaining checks still run; the loader throws before that value is ever used.
 */
import { type PriceE4, BAD_NUMBER, parseFixed, parsePriceE4 } from "./core/units.ts";
import { Secret } from "./core/secret.ts";
import { type ConfigKey, KEY_SPECS } from "./config-keys.ts";

export type ValueOrigin = "override" | "env" | "file" | "default";

export interface ConfigIssue {
  readonly key: string;
  readonly message: string;
}

export interface Resolved {
  readonly value: string;
  readonly origin: ValueOrigin;
}

/** secp256k1 group order: a private key must be in [1, n). */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Reads raw values and turns them into typed ones, collecting every problem. */
export class Reader {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly values: ReadonlyMap<ConfigKey, Resolved>) {}

  raw(key: ConfigKey): string {
    return this.values.get(key)?.value ?? "";
  }

  isSet(key: ConfigKey): boolean {
    return this.raw(key) !== "";
  }

  bad(key: ConfigKey, detail?: string): void {
    const spec = KEY_SPECS.get(key)!; // every ConfigKey has a spec
    const shown = spec.secret ? "<redacted>" : JSON.stringify(this.raw(key));
    this.issues.push({ key, message: `${key}=${shown} is not allowed${detail ? ` (${detail})` : ""}; expected ${spec.allowed}` });
  }

  /** Parses the value, or the default when the value is bad (so every key gets checked). */
  private parse<T>(key: ConfigKey, fn: (s: string) => T | undefined, detail?: (s: string) => string | undefined): T {
    const s = this.raw(key);
    const v = fn(s);
    if (v !== undefined) return v;
    this.bad(key, detail?.(s));
    const fallback = fn(KEY_SPECS.get(key)!.default); // defaults are valid (tested)
    if (fallback === undefined) throw new Error(`config default of ${key} does not parse`);
    return fallback;
  }

  oneOf<T extends string>(key: ConfigKey, options: readonly T[]): T {
    return this.parse(key, (s) => options.find((o) => o === s));
  }

  bool(key: ConfigKey): boolean {
    return this.parse(key, (s) => {
      const l = s.toLowerCase();
      if (["true", "1", "yes", "on"].includes(l)) return true;
      if (["false", "0", "no", "off"].includes(l)) return false;
      return undefined;
    });
  }

  int(key: ConfigKey, min: number, max: number): number {
    return this.parse(key, (s) => {
      if (!/^\d{1,16}$/.test(s)) return undefined;
      const n = Number(s);
      return n >= min && n <= max ? n : undefined;
    });
  }

  /** A plain decimal (no exponent, no sign) as a float, for ratios such as SIM_SPEED. */
  decimal(key: ConfigKey, min: number, max: number): number {
    return this.parse(key, (s) => {
      if (!/^(\d+\.?\d*|\.\d+)$/.test(s)) return undefined;
      const n = Number(s);
      return n >= min && n <= max ? n : undefined;
    });
  }

  /** A decimal scaled to an integer with `decimals` digits, e.g. dollars → UsdE6. */
  fixed(key: ConfigKey, decimals: number, min: number, max: number): number {
    return this.parse(
      key,
      (s) => {
        const n = parseFixed(s, decimals);
        return n !== BAD_NUMBER && n >= min && n <= max ? n : undefined;
      },
      (s) => (parseFixed(s, decimals) === BAD_NUMBER && /^\d*\.\d+$/.test(s) ? `at most ${decimals} decimals` : undefined),
    );
  }

  priceE4(key: ConfigKey, minE4: number, maxE4: number): PriceE4 {
    return this.parse(
      key,
      (s) => {
        const p = parsePriceE4(s);
        return p !== BAD_NUMBER && p >= minE4 && p <= maxE4 ? p : undefined;
      },
      (s) => (parsePriceE4(s) === BAD_NUMBER && /^\d*\.\d+$/.test(s) ? "at most 4 decimals: prices are on a $0.0001 grid" : undefined),
    );
  }

  list<T extends string>(key: ConfigKey, options: readonly T[]): readonly T[] {
    return this.parse(key, (s) => {
      const parts = s.split(",").map((p) => p.trim().toUpperCase());
      const out: T[] = [];
      for (const p of parts) {
        const hit = options.find((o) => o.toUpperCase() === p);
        if (hit === undefined) return undefined;
        if (!out.includes(hit)) out.push(hit);
      }
      return out.length > 0 ? out : undefined;
    });
  }

  url(key: ConfigKey, secure: "https:" | "wss:"): string {
    const plain = secure === "https:" ? "http:" : "ws:";
    return this.parse(
      key,
      (s) => {
        const u = URL.parse(s);
        if (!u) return undefined;
        if (u.protocol === secure || (u.protocol === plain && LOOPBACK.has(u.hostname))) return s.replace(/\/+$/, "");
        return undefined;
      },
      (s) => (URL.parse(s)?.protocol === plain ? "plain text is allowed only to a loopback host" : undefined),
    );
  }

  host(key: ConfigKey): string {
    return this.parse(key, (s) => (/^[A-Za-z0-9.:\-[\]]{1,253}$/.test(s) ? s : undefined));
  }

  path(key: ConfigKey): string {
    return this.parse(key, (s) => (s.length > 0 && !s.includes("\0") ? s : undefined));
  }

  /** Optional secret: undefined when unset; `check` validates without ever echoing. */
  secret(key: ConfigKey, check: (s: string) => boolean = (s) => s.trim().length > 0): Secret | undefined {
    const s = this.raw(key);
    if (s === "") return undefined;
    if (!check(s)) {
      this.bad(key);
      return undefined;
    }
    return new Secret(s, key);
  }

  optional(key: ConfigKey, check: (s: string) => string | undefined): string | undefined {
    const s = this.raw(key);
    if (s === "") return undefined;
    const v = check(s);
    if (v === undefined) this.bad(key);
    return v;
  }
}

export function isPrivateKeyHex(s: string): boolean {
  const hex = s.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const k = BigInt(`0x${hex}`);
  return k > 0n && k < SECP256K1_N;
}

export function isHttpsUrl(s: string): boolean {
  const u = URL.parse(s);
  return u !== null && (u.protocol === "https:" || (u.protocol === "http:" && LOOPBACK.has(u.hostname)));
}
