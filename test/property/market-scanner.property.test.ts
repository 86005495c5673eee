/**
 * The scanner against the JSON.parse path on generated frames: valid V2 price_change and
 * book frames with shuffled keys, extra keys, whitespace and edge values, plus random
 * corruptions of real frames. Whenever the scanner answers, its answer must equal the JSON
 * path's; on malformed input it must hand the frame back (and the JSON path must error).
 */
import { expect, test } from "bun:test";
import fc from "fast-check";
import { parseFixed } from "../../src/core/units.ts";
import { type MarketEvent, decodeMarketFrameJson, parseFixedRange } from "../../src/polymarket/market-channel.ts";
import { scanMarketFrame } from "../../src/polymarket/market-scanner.ts";
import { loadWsRecordings } from "../helpers/polymarket-recordings.ts";

test("parseFixedRange == parseFixed on any text and any sub-range", () => {
  const chars = fc.constantFrom("0", "1", "5", "9", ".", "-", "e", " ", "a");
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 14 }).map((a) => a.join("")), fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 6 }), (core, pad, dp) => {
      const text = `${pad}${core}${pad}`;
      expect(parseFixedRange(text, pad.length, pad.length + core.length, dp)).toBe(parseFixed(core, dp));
    }),
    { numRuns: 3000, seed: 1 },
  );
});

const decimal = fc.oneof(
  fc.constantFrom("0", "1", "0.5", ".48", "0.001", "0.0025", "0.9999", "1.5", "0.12345", "", "1e-2", "-0.1", "00.10", "12."),
  fc.integer({ min: 0, max: 10_000 }).map((n) => (n / 10_000).toString()),
  fc.integer({ min: 0, max: 1e9 }).map((n) => (n / 100).toString()),
);
const id = fc.oneof(fc.constantFrom("7667", "0x2857", ""), fc.stringMatching(/^[0-9a-fx]{1,80}$/));
const ws = fc.constantFrom("", " ", "\n", "\t ", "\r\n");
const sideText = fc.constantFrom("BUY", "SELL", "buy", "HOLD");

/** Builds an object's JSON with shuffled members, random whitespace and optional extras. */
function objectText(members: [string, string][], gaps: string[]): string {
  return `{${members.map(([k, v], i) => `${gaps[i % gaps.length]}"${k}"${gaps[(i + 1) % gaps.length]}:${v}`).join(",")}}`;
}

const jsonStr = (s: string): string => JSON.stringify(s);
const extra = fc.constantFrom<[string, string]>(["x", "1"], ["y", "null"], ["z", '{"a":[1,2,{"b":true}]}'], ["w", "-0.5e3"], ["v", '"\\u00e9"'], ["u", "[]"]);

const entry = fc
  .record({ asset: id, price: decimal, size: decimal, side: sideText, hash: id, bb: fc.option(decimal), ba: fc.option(decimal), extras: fc.array(extra, { maxLength: 2 }), gaps: fc.array(ws, { minLength: 1, maxLength: 3 }) })
  .chain((e) => {
    const m: [string, string][] = [
      ["asset_id", jsonStr(e.asset)],
      ["price", jsonStr(e.price)],
      ["size", jsonStr(e.size)],
      ["side", jsonStr(e.side)],
      ["hash", jsonStr(e.hash)],
      ...(e.bb === null ? [] : [["best_bid", jsonStr(e.bb)] as [string, string]]),
      ...(e.ba === null ? [] : [["best_ask", jsonStr(e.ba)] as [string, string]]),
      ...e.extras,
    ];
    return fc.shuffledSubarray(m, { minLength: m.length, maxLength: m.length }).map((s) => objectText(s, e.gaps));
  });

const levels = fc.array(fc.tuple(decimal, decimal), { maxLength: 5 }).map((l) => `[${l.map(([p, s]) => `{"price":${jsonStr(p)},"size":${jsonStr(s)}}`).join(",")}]`);

const priceChange = fc
  .record({ market: id, ts: fc.constantFrom("1790658674035", "0", "x"), entries: fc.array(entry, { maxLength: 4 }), extras: fc.array(extra, { maxLength: 2 }), gaps: fc.array(ws, { minLength: 1, maxLength: 3 }) })
  .chain((f) => {
    const m: [string, string][] = [
      ["event_type", '"price_change"'],
      ["market", jsonStr(f.market)],
      ["timestamp", jsonStr(f.ts)],
      ["price_changes", `[${f.entries.join(",")}]`],
      ...f.extras,
    ];
    return fc.shuffledSubarray(m, { minLength: m.length, maxLength: m.length }).map((s) => objectText(s, f.gaps));
  });

const book = fc
  .record({ asset: id, market: id, hash: id, bids: levels, asks: levels, tick: fc.option(fc.constantFrom("0.01", "0.001", "0.02", "")), ltp: fc.option(decimal), extras: fc.array(extra, { maxLength: 2 }) })
  .chain((b) => {
    const m: [string, string][] = [
      ["event_type", '"book"'],
      ["asset_id", jsonStr(b.asset)],
      ["market", jsonStr(b.market)],
      ["timestamp", '"1777428639102"'],
      ["hash", jsonStr(b.hash)],
      ["bids", b.bids],
      ["asks", b.asks],
      ...(b.tick === null ? [] : [["tick_size", jsonStr(b.tick)] as [string, string]]),
      ...(b.ltp === null ? [] : [["last_trade_price", jsonStr(b.ltp)] as [string, string]]),
      ...b.extras,
    ];
    return fc.shuffledSubarray(m, { minLength: m.length, maxLength: m.length }).map((s) => objectText(s, [""]));
  });

const frame = fc.oneof(priceChange, book, fc.array(fc.oneof(priceChange, book), { maxLength: 3 }).map((a) => `[${a.join(",")}]`));

function agree(text: string): boolean {
  const out: MarketEvent[] = [];
  const handled = scanMarketFrame(text, out);
  const ref = decodeMarketFrameJson(text);
  if (handled) {
    expect(ref.errors).toEqual([]);
    expect(out).toEqual(ref.events);
  } else expect(out).toEqual([]);
  return handled;
}

test("scanner == JSON path on generated frames", () => {
  let handled = 0;
  fc.assert(
    fc.property(frame, (text) => {
      if (agree(text)) handled++;
    }),
    { numRuns: 2000, seed: 42 },
  );
  expect(handled).toBeGreaterThan(200); // the generator does reach the fast path
});

test("scanner never accepts a corrupted real frame the JSON path rejects", async () => {
  const hot = (await loadWsRecordings()).filter((r) => r.channel === "market" && (r.text.includes('"price_changes"') || r.text.includes('"book"'))).map((r) => r.text);
  const junk = fc.constantFrom("", "}", "]", ",", '"', ":", "\\", "\n", "\u0001", "x", "0", "{", "[", "null", '"a":1');
  fc.assert(
    fc.property(fc.constantFrom(...hot.slice(0, 60)), fc.nat(), fc.nat({ max: 3 }), junk, (text, at, cut, ins) => {
      const k = at % text.length;
      agree(text.slice(0, k) + ins + text.slice(k + cut));
    }),
    { numRuns: 3000, seed: 9 },
  );
});
