/**
 * Field readers for parsed Polymarket JSON (WS events and REST bodies), shared by the
 * market-channel, user-channel and REST decoders. Inputs are validated once here, at the
 * boundary; the error names the field (noble style) and the decoders turn it into a typed
 * error value (`{ok:false, code, reason}`).
 *
 * The readers unwind a decoder with a `FieldError` (not an `Error`: no stack is captured).
 * Each public decoder catches exactly that class around one event and rethrows anything
 * else, so nothing escapes to the socket loop and bugs are not swallowed.
 */
import type { Side } from "../core/ports.ts";
import { ONE_E4, parseFixed, parsePriceE4, parseSizeE6, tickE4Of } from "../core/units.ts";

export type FieldErrorCode = "MISSING_FIELD" | "BAD_FIELD" | "BAD_PRICE" | "BAD_SIZE" | "BAD_SIDE" | "BAD_TICK" | "BAD_TIMESTAMP";

/** Why a WS frame or an event in it was not decoded: the same set on the market and user channels. */
export type FrameErrorCode = "EMPTY_FRAME" | "BAD_JSON" | "NOT_AN_OBJECT" | "UNKNOWN_EVENT" | FieldErrorCode;

export const FRAME_ERROR_CODES: readonly FrameErrorCode[] = [
  "EMPTY_FRAME",
  "BAD_JSON",
  "NOT_AN_OBJECT",
  "UNKNOWN_EVENT",
  "MISSING_FIELD",
  "BAD_FIELD",
  "BAD_PRICE",
  "BAD_SIZE",
  "BAD_SIDE",
  "BAD_TICK",
  "BAD_TIMESTAMP",
];

export class FieldError {
  constructor(
    readonly code: FieldErrorCode,
    readonly reason: string,
  ) {}
}

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 64) ?? String(v);

export function str(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== "string")
    throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected string, got ${show(v)}`);
  return v;
}

/** A string, or undefined when absent or null. */
export function optStr(o: Obj, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new FieldError("BAD_FIELD", `${key}: expected string, got ${show(v)}`);
  return v;
}

export function bool(o: Obj, key: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean")
    throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected boolean, got ${show(v)}`);
  return v;
}

export function obj(o: Obj, key: string): Obj {
  const v = o[key];
  if (!isObj(v)) throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected object`);
  return v;
}

export function arr(o: Obj, key: string): readonly unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected array`);
  return v;
}

/** A price string in $0..$1 on the 0.0001 grid → PriceE4. */
export function priceOfText(text: string, key: string): number {
  const p = parsePriceE4(text);
  if (p < 0 || p > ONE_E4) throw new FieldError("BAD_PRICE", `${key}: ${show(text)} is not a price in 0..1 with ≤ 4 decimals`);
  return p;
}

export const price = (o: Obj, key: string): number => priceOfText(str(o, key), key);

/** A decimal size with ≤ 6 decimals → SizeE6; `emptyIsZero` accepts "" (FOK kills send it). */
export function size(o: Obj, key: string, emptyIsZero = false): number {
  const s = str(o, key);
  if (emptyIsZero && s === "") return 0;
  const v = parseSizeE6(s);
  if (v < 0) throw new FieldError("BAD_SIZE", `${key}: ${show(s)} is not a size with ≤ 6 decimals`);
  return v;
}

export function side(o: Obj, key: string): Side {
  const s = str(o, key);
  if (s !== "BUY" && s !== "SELL") throw new FieldError("BAD_SIDE", `${key}: ${show(s)}`);
  return s;
}

/** A tick size given as a string ("0.01") or, as `/tick-size` does, a JSON number (0.01). */
export function tick(o: Obj, key: string): number {
  const v = o[key];
  // String(0.001) is "0.001": JS prints the shortest round-trip form, so every tick number maps exactly.
  const text = typeof v === "number" ? String(v) : typeof v === "string" ? v : undefined;
  if (text === undefined) throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected tick size`);
  const t = tickE4Of(text);
  if (t < 0) throw new FieldError("BAD_TICK", `${key}: ${show(v)} is not a Polymarket tick size`);
  return t;
}

/** A non-negative integer given as a decimal string or a JSON number. */
export function int(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string") {
    const n = parseFixed(v, 0);
    if (n >= 0) return n;
  }
  throw new FieldError(v === undefined ? "MISSING_FIELD" : "BAD_FIELD", `${key}: expected a non-negative integer, got ${show(v)}`);
}

export function timestampMs(o: Obj, key: string): number {
  const s = str(o, key);
  const t = parseFixed(s, 0);
  if (t < 0) throw new FieldError("BAD_TIMESTAMP", `${key}: ${show(s)}`);
  return t;
}

/**
 * Epoch ms from a time the venue sends in seconds or in milliseconds depending on the
 * message and era (user channel, `/data/trades`), or as ISO-8601 in some docs examples.
 * Values below 10^11 are seconds (10^11 s is the year 5138; 10^11 ms is 1973).
 * Returns -1 for "" or null (absent); throws BAD_TIMESTAMP on anything else.
 */
export function flexTimeMs(o: Obj, key: string): number {
  const v = o[key];
  if (v === undefined || v === null || v === "") return -1;
  let n = -1;
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) n = v;
  else if (typeof v === "string") {
    n = parseFixed(v, 0);
    if (n < 0 && v.includes("T")) {
      const iso = Date.parse(v);
      if (Number.isFinite(iso) && iso >= 0) return iso;
    }
  }
  if (n < 0) throw new FieldError("BAD_TIMESTAMP", `${key}: ${show(v)}`);
  return n < 1e11 ? n * 1000 : n;
}

export function strArray(o: Obj, key: string, required: boolean): string[] {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new FieldError("MISSING_FIELD", `${key}: expected string[]`);
    return [];
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new FieldError("BAD_FIELD", `${key}: expected string[]`);
  return v as string[];
}
