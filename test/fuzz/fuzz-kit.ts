/**
 * Shared machinery of the hostile-input suite (test/fuzz/*.fuzz.test.ts) and of the full run
 * (bench/fuzz-full.ts): a seed corpus of real recorded frames and bodies, fast-check
 * arbitraries that turn seeds into malformed, truncated, huge and wrong-typed inputs, and a
 * runner that counts inputs and failures per target.
 *
 * A *target* is one parser or one endpoint with its own oracle: `check(input)` throws (an
 * `expect` failure) when the target crashed, answered without a clear coded error, failed to
 * count the error, or lost a valid message that followed the garbage. Targets never sleep;
 * endpoint targets talk to servers on 127.0.0.1:0.
 *
 * Input counts: CI runs `FUZZ_RUNS` inputs per target (default 500, a few seconds for the
 * whole directory); `bun run bench/fuzz-full.ts` runs ≥ 100,000 per target.
 */
import fc from "fast-check";
import path from "node:path";
import { readdirSync } from "node:fs";
import { DATA, loadHandwrittenWsFixtures, loadWsRecordings } from "../helpers/polymarket-recordings.ts";

/** Inputs per target in CI (env FUZZ_RUNS, default 500). */
export function fuzzRuns(fallback = 500): number {
  const v = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

/** A fixed seed unless FUZZ_SEED is set (CI failures reproduce; long runs can vary it). */
export function fuzzSeed(): number {
  const v = Number(process.env.FUZZ_SEED);
  return Number.isInteger(v) ? v : 20_260_510;
}

// ---- seed corpus -------------------------------------------------------------------------

export interface Corpus {
  /** Market-channel frames (recorded + hand-written fixtures). */
  readonly market: readonly string[];
  /** User-channel frames. */
  readonly user: readonly string[];
  /** REST bodies: recorded `/book` replies and every REST fixture (parsed JSON). */
  readonly rest: readonly unknown[];
  /** Gamma market objects. */
  readonly gamma: readonly unknown[];
  /** RTDS frames. */
  readonly rtds: readonly string[];
}

const gunzipText = async (file: string): Promise<string> =>
  new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await Bun.file(file).arrayBuffer())));

let cached: Promise<Corpus> | undefined;

/** Loads the corpus once per process from ../shared/data (read in place, never copied). */
export function loadCorpus(): Promise<Corpus> {
  cached ??= buildCorpus();
  return cached;
}

async function buildCorpus(): Promise<Corpus> {
  const ws = [...(await loadWsRecordings()), ...(await loadHandwrittenWsFixtures())];
  const market = ws.filter((r) => r.channel === "market").map((r) => r.text);
  const user = ws.filter((r) => r.channel === "user").map((r) => r.text);
  const rest: unknown[] = ws
    .filter((r) => r.channel === "rest_book")
    .slice(0, 40)
    .map((r) => JSON.parse(r.text) as unknown);
  for (const dir of ["rest", "fixtures-handwritten/nautilus"]) {
    for (const name of readdirSync(path.join(DATA, dir)).sort()) {
      if (!name.endsWith(".json") || name.startsWith("ws_") || name.startsWith("py_")) continue;
      const v = JSON.parse(await Bun.file(path.join(DATA, dir, name)).text()) as unknown;
      if (name.startsWith("rtds_")) continue;
      rest.push(v);
      // Paged bodies: their items are bodies of the single-item endpoints too.
      if (typeof v === "object" && v !== null && Array.isArray((v as { data?: unknown }).data))
        rest.push(...(v as { data: unknown[] }).data.slice(0, 5));
    }
  }
  const gamma: unknown[] = [];
  for (const name of readdirSync(path.join(DATA, "gamma")).sort()) {
    const file = path.join(DATA, "gamma", name);
    if (name.endsWith(".jsonl.gz")) {
      const lines = (await gunzipText(file)).trim().split("\n");
      for (const line of lines.slice(0, 60)) gamma.push((JSON.parse(line) as { raw: unknown }).raw);
    } else if (name.endsWith(".json")) {
      const v = JSON.parse(await Bun.file(file).text()) as unknown;
      if (Array.isArray(v)) {
        for (const ev of v) for (const m of (ev as { markets?: unknown[] }).markets ?? []) gamma.push(m);
      } else gamma.push(v);
    }
  }
  const rtds: string[] = [];
  for (const name of readdirSync(path.join(DATA, "rtds")))
    if (name.endsWith(".json")) rtds.push(await Bun.file(path.join(DATA, "rtds", name)).text());
  rtds.push(await Bun.file(path.join(DATA, "fixtures-handwritten/nautilus/rtds_crypto_prices_subscribe.json")).text());
  const session = (
    await gunzipText(path.join(DATA, "ws/jonahgrigoryan_v2_session_raw_2026-04-28T1404Z_btc-eth-sol-15m_prewindow.jsonl.gz"))
  )
    .trim()
    .split("\n");
  for (const line of session) {
    const env = JSON.parse(line) as { source: string; payload: string };
    if (env.source.startsWith("polymarket_rtds")) rtds.push(env.payload);
  }
  return { market, user, rest, gamma, rtds };
}

// ---- hostile values ----------------------------------------------------------------------

const HUGE_CHARS = 1 << 18; // 256 KiB
/** Cap on the JSON a `grow` mutation adds (1 MiB): huge, but one input stays cheap to build. */
const MAX_GROWN_CHARS = 1 << 20;

/** A string of `n` characters: repeated digits, letters or a JSON-looking chunk. */
export const hugeString = fc
  .tuple(fc.integer({ min: 1 << 12, max: HUGE_CHARS }), fc.constantFrom("9", "a", "0.", "\\u0000", '{"a":', "[1,", " ", "é"))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** Values of the wrong type or outside every range a field may hold. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0,
      1,
      0.5,
      1e308,
      -1e308,
      2 ** 53,
      2 ** 64,
      "",
      " ",
      "0",
      "-1",
      "1e999",
      "NaN",
      "Infinity",
      "0x1f",
      "1,5",
      "0.00001",
      "10000000000000000000000",
      "１",
      "\u0000",
      "BUY",
      "SELL",
      "MATCHED",
      [],
      {},
      [[]],
      [{}],
      { price: "0.5" },
    ),
  },
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer(),
      fc.double(),
      fc.bigInt().map((b) => b.toString()),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => "9".repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`) as unknown) },
  { weight: 1, arbitrary: hugeString },
);

// ---- JSON tree surgery -------------------------------------------------------------------

type Container = Record<string, unknown> | unknown[];
const isContainer = (v: unknown): v is Container => typeof v === "object" && v !== null;

/** Every (parent, key) slot of a JSON tree, depth-first. */
function slots(root: unknown, out: [Container, string | number][] = [], depth = 0): [Container, string | number][] {
  if (!isContainer(root) || depth > 12 || out.length > 4000) return out;
  if (Array.isArray(root)) {
    root.forEach((v, i) => {
      out.push([root, i]);
      slots(v, out, depth + 1);
    });
  } else {
    for (const k of Object.keys(root)) {
      out.push([root, k]);
      slots(root[k], out, depth + 1);
    }
  }
  return out;
}

export type JsonMutation =
  | { readonly k: "replace"; readonly pick: number; readonly value: unknown }
  | { readonly k: "delete"; readonly pick: number }
  | { readonly k: "rename"; readonly pick: number; readonly name: string }
  | { readonly k: "grow"; readonly pick: number; readonly times: number }
  | { readonly k: "root"; readonly value: unknown };

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ k: fc.constant("replace" as const), pick: fc.nat(), value: wrongValue }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant("delete" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("rename" as const), pick: fc.nat(), name: fc.string({ maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("grow" as const), pick: fc.nat(), times: fc.integer({ min: 2, max: 5_000 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("root" as const), value: wrongValue }) },
);

/** Applies mutations to a deep copy of `value` (the seed is never modified). */
export function mutateJson(value: unknown, ms: readonly JsonMutation[]): unknown {
  let root: unknown = structuredClone(value);
  for (const m of ms) {
    if (m.k === "root") {
      root = structuredClone(m.value); // arbitraries may hand out one shared instance
      continue;
    }
    const all = slots(root);
    if (all.length === 0) continue;
    const [parent, key] = all[m.pick % all.length] as [Container, string | number];
    const p = parent as Record<string | number, unknown>;
    if (m.k === "replace") p[key] = structuredClone(m.value);
    else if (m.k === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete p[key];
    } else if (m.k === "rename") {
      if (!Array.isArray(parent)) {
        p[m.name] = p[key];
        delete p[key];
      }
    } else {
      // grow: repeat an array element (huge level lists) or the value into an array, up to
      // about MAX_GROWN_CHARS of JSON so one input stays a few megabytes at most
      const unit = (JSON.stringify(p[key]) ?? "null").length + 1;
      const times = Math.max(1, Math.min(m.times, Math.floor(MAX_GROWN_CHARS / unit)));
      // (copies, not shared references: a later mutation must not grow every copy at once)
      const v = p[key];
      const copies = Array.from({ length: times }, () => structuredClone(v));
      if (Array.isArray(parent)) parent.push(...copies);
      else p[key] = copies;
    }
  }
  return root;
}

export type TextMutation =
  | { readonly k: "truncate"; readonly at: number }
  | { readonly k: "flip"; readonly at: number; readonly ch: string }
  | { readonly k: "insert"; readonly at: number; readonly text: string }
  | { readonly k: "cut"; readonly at: number; readonly len: number };

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant("flip" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      ch: fc.constantFrom('"', "{", "}", "[", "]", ",", ":", "\\", "\u0000", "\ud800", "9", "-", " ", "e", "\n"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("insert" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      text: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('"price":"x",', ",,", '{"event_type":"book"}', "null", "]]]]")),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("cut" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.integer({ min: 1, max: 64 }),
    }),
  },
);

export function mutateText(text: string, ms: readonly TextMutation[]): string {
  let s = text;
  for (const m of ms) {
    const i = Math.floor(m.at * s.length);
    if (m.k === "truncate") s = s.slice(0, i);
    else if (m.k === "flip") s = s.slice(0, i) + m.ch + s.slice(i + 1);
    else if (m.k === "insert") s = s.slice(0, i) + m.text + s.slice(i);
    else s = s.slice(0, i) + s.slice(i + m.len);
  }
  return s;
}

const safeParse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
};

/**
 * Hostile text frames grown from `seeds`: tree mutations (wrong types, missing or renamed
 * fields, huge arrays), text mutations (truncation, flipped or inserted characters), frames
 * mixed into arrays, and unrelated text (random strings, random JSON, huge strings).
 */
export function hostileText(seeds: readonly string[]): fc.Arbitrary<string> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(seed, fc.array(jsonMutation, { minLength: 1, maxLength: 3 })).map(([s, ms]) => {
        const v = safeParse(s);
        return v === undefined ? s : (JSON.stringify(mutateJson(v, ms)) ?? "undefined");
      }),
    },
    { weight: 4, arbitrary: fc.tuple(seed, fc.array(textMutation, { minLength: 1, maxLength: 3 })).map(([s, ms]) => mutateText(s, ms)) },
    { weight: 1, arbitrary: fc.tuple(seed, seed, wrongValue).map(([a, b, w]) => `[${a},${JSON.stringify(w) ?? "null"},${b}]`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hugeString },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "PONG",
        "PING",
        "pong",
        "null",
        "[]",
        "{}",
        "[null]",
        '"x"',
        "1",
        "true",
        "[[]]",
        '{"event_type":null}',
        "\ufeff{}",
      ),
    },
  );
}

/** Hostile parsed JSON values grown from `seeds` (for parsers that take `unknown`). */
export function hostileJson(seeds: readonly unknown[]): fc.Arbitrary<unknown> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(seed, fc.array(jsonMutation, { minLength: 1, maxLength: 3 })).map(([s, ms]) => mutateJson(s, ms)) },
    { weight: 1, arbitrary: wrongValue },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
  );
}

// ---- running ----------------------------------------------------------------------------

export interface FuzzTarget<T> {
  readonly name: string;
  readonly input: fc.Arbitrary<T>;
  /** Throws when the target misbehaved on `input`; returns how many inputs it consumed (default 1). */
  check(input: T): number | undefined | Promise<number | undefined>;
}

export interface FuzzReport {
  readonly name: string;
  readonly inputs: number;
  readonly runs: number;
  readonly failures: number;
  readonly ms: number;
  readonly counterexample?: string;
}

/** Runs a target for `runs` fast-check runs; a failure is reported (with the shrunk input), not thrown. */
export async function runTarget<T>(t: FuzzTarget<T>, runs: number, seed = fuzzSeed()): Promise<FuzzReport> {
  let inputs = 0;
  const t0 = performance.now();
  const prop = fc.asyncProperty(t.input, async (x) => {
    inputs += (await t.check(x)) ?? 1;
  });
  const out = await fc.check(prop, { numRuns: runs, seed, endOnFailure: true });
  const ms = performance.now() - t0;
  if (!out.failed) return { name: t.name, inputs, runs: out.numRuns, failures: 0, ms };
  const ce = out.counterexample === null ? "" : fc.stringify(out.counterexample).slice(0, 600);
  const why = out.errorInstance instanceof Error ? out.errorInstance.message.slice(0, 600) : String(out.errorInstance).slice(0, 600);
  return { name: t.name, inputs, runs: out.numRuns, failures: 1, ms, counterexample: `${why}\n  input: ${ce}` };
}
