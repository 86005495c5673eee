/**
 * Structured JSON-lines logger (STYLE §4 "Logs"): one object per line,
 * `{"tsMs":…,"level":"info","event":"order_rejected","clientId":"c-1","priceE4":4500,…}`.
 * Field names carry their unit (`latencyNs`, `sizeE6`, `ageMs`); values are plain JSON.
 * Nothing logs per message on the hot path — counters live in `metrics.ts`.
 *
 * Defence in depth on top of the `Secret` type: every line goes through a `Redactor`
 * holding the raw values of every secret the process knows (private key, API secret,
 * passphrase, webhook URLs, bot tokens). Any occurrence of a registered value, in any
 * field or in an error's message or stack, becomes `[redacted]` before it is written.
 * A `Secret` object already prints itself redacted; the redactor catches the cases where
 * somebody called `reveal()` and the raw string escaped into text (a URL, an error).
 *
 * Sinks are synchronous appends (`fs.writeSync` on an `O_APPEND` descriptor): logs are
 * low-rate, and a crash log must be on disk before the process dies.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Clock } from "../core/clock.ts";
import { Secret } from "../core/secret.ts";

export const REDACTED = "[redacted]";

/** Shortest value the redactor accepts: shorter strings would redact ordinary text. */
export const MIN_SECRET_CHARS = 6;

/**
 * Replaces registered secret values wherever they appear. Each secret is registered with
 * the forms it commonly takes in text: as is, without a `0x` prefix, lower/upper case
 * (hex keys), URL-encoded and JSON-escaped.
 */
export class Redactor {
  readonly #needles: string[] = [];

  add(secret: string | Secret): this {
    const raw = secret instanceof Secret ? secret.reveal() : secret;
    if (raw.length < MIN_SECRET_CHARS) return this;
    const forms = new Set<string>([raw, raw.toLowerCase(), raw.toUpperCase(), encodeURIComponent(raw)]);
    const jsonEscaped = JSON.stringify(raw).slice(1, -1);
    forms.add(jsonEscaped);
    if (/^0x/i.test(raw) && raw.length - 2 >= MIN_SECRET_CHARS) {
      const bare = raw.slice(2);
      forms.add(bare).add(bare.toLowerCase()).add(bare.toUpperCase());
    }
    for (const f of forms) if (f.length >= MIN_SECRET_CHARS && !this.#needles.includes(f)) this.#needles.push(f);
    // Longest first, so a value that contains another is replaced whole.
    this.#needles.sort((a, b) => b.length - a.length);
    return this;
  }

  get size(): number {
    return this.#needles.length;
  }

  redact(text: string): string {
    let out = text;
    for (const n of this.#needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  }
}

/** Replaces the path and query of a URL (where webhook tokens live) for logs and errors. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return m ? `${m[1]}/${REDACTED}` : REDACTED;
}

/** Turns any thrown value into loggable fields with the secrets removed. */
export function describeError(e: unknown, redactor?: Redactor): { name: string; message: string; stack?: string } {
  const r = (s: string) => (redactor ? redactor.redact(s) : s);
  if (e instanceof Error) {
    const out: { name: string; message: string; stack?: string } = { name: e.name, message: r(e.message) };
    if (e.stack !== undefined) out.stack = r(e.stack);
    return out;
  }
  return { name: typeof e, message: r(String(e)) };
}

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | bigint
  | Secret
  | Error
  | readonly LogValue[]
  | { readonly [k: string]: LogValue };
export type LogFields = { readonly [k: string]: LogValue };

export interface LogSink {
  /** Receives one complete line ending in `\n`, already redacted. */
  write(line: string): void;
  close(): void;
}

/** Appends to a file, creating its directory (for example `logs/mm-sim.jsonl`). */
export class FileSink implements LogSink {
  readonly #fd: number;
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a", 0o600);
  }
  write(line: string): void {
    writeSync(this.#fd, line);
  }
  close(): void {
    closeSync(this.#fd);
  }
}

export class StderrSink implements LogSink {
  write(line: string): void {
    process.stderr.write(line);
  }
  close(): void {}
}

/** Keeps lines in memory: tests, and the `status` command's recent-events view. */
export class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  close(): void {}
}

export interface LoggerOptions {
  readonly clock: Clock;
  readonly sinks: readonly LogSink[];
  readonly redactor?: Redactor;
  readonly minLevel?: LogLevel;
  /** Fields added to every line (bot, mode, runId). */
  readonly base?: LogFields;
}

export class Logger {
  readonly redactor: Redactor;
  readonly #clock: Clock;
  readonly #sinks: readonly LogSink[];
  readonly #minRank: number;
  readonly #base: LogFields;

  constructor(opts: LoggerOptions) {
    this.#clock = opts.clock;
    this.#sinks = opts.sinks;
    this.redactor = opts.redactor ?? new Redactor();
    this.#minRank = LEVEL_RANK[opts.minLevel ?? "info"];
    this.#base = opts.base ?? {};
  }

  /** A logger writing to the same sinks with extra base fields. */
  child(fields: LogFields): Logger {
    const child = new Logger({
      clock: this.#clock,
      sinks: this.#sinks,
      redactor: this.redactor,
      minLevel: levelOfRank(this.#minRank),
      base: { ...this.#base, ...fields },
    });
    return child;
  }

  debug(event: string, fields?: LogFields): void {
    this.log("debug", event, fields);
  }
  info(event: string, fields?: LogFields): void {
    this.log("info", event, fields);
  }
  warn(event: string, fields?: LogFields): void {
    this.log("warn", event, fields);
  }
  error(event: string, fields?: LogFields): void {
    this.log("error", event, fields);
  }

  log(level: LogLevel, event: string, fields?: LogFields): void {
    if (LEVEL_RANK[level] < this.#minRank) return;
    const line = `${this.redactor.redact(this.format(level, event, fields))}\n`;
    for (const s of this.#sinks) s.write(line);
  }

  /** The JSON text of one line, before redaction. */
  format(level: LogLevel, event: string, fields?: LogFields): string {
    const obj: Record<string, unknown> = { tsMs: this.#clock.wallMs(), level, event };
    for (const [k, v] of Object.entries(this.#base)) obj[k] = toJson(v, this.redactor);
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) obj[k] = toJson(v, this.redactor);
    return JSON.stringify(obj);
  }

  close(): void {
    for (const s of this.#sinks) s.close();
  }
}

function levelOfRank(rank: number): LogLevel {
  for (const [k, v] of Object.entries(LEVEL_RANK)) if (v === rank) return k as LogLevel;
  return "info";
}

function toJson(v: LogValue, redactor: Redactor): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Secret) return v.toString();
  if (v instanceof Error) return describeError(v, redactor);
  if (Array.isArray(v)) return v.map((x: LogValue) => toJson(x, redactor));
  if (typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as { readonly [k: string]: LogValue })) o[k] = toJson(x, redactor);
    return o;
  }
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}
