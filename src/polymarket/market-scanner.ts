/**
 * Hand-written scanner for the two hottest market-channel shapes: V2 `price_change` and
 * `book`. It reads the frame text once and builds the final events directly (no JSON tree,
 * no substrings for prices or sizes), through the same factories as the JSON path.
 *
 * Contract: `scanMarketFrame(text, out)` either handles the whole frame — pushes its events
 * onto `out` and returns true — or returns false and leaves `out` as it was, and the caller
 * decodes the frame with `decodeMarketFrameJson`. It hands back anything it is not sure
 * about: other event types, V1 shapes, escapes or control characters anywhere in the frame,
 * non-string values where strings belong, invalid numbers, missing required fields, and
 * every malformed frame (the JSON path then names the error). So when it answers, the answer
 * equals the JSON path's — the golden test checks this on every recorded frame and a
 * property test on mutated frames.
 *
 * Why a scanner at all: see docs/parsers-and-book.md ("Hot path") for the measured gain.
 * State lives in module variables because the scan is synchronous and never re-entered.
 */
import type { Side } from "../core/ports.ts";
import { ONE_E4, tickE4Of } from "../core/units.ts";
import {
  type LevelChange,
  type MarketEvent,
  NOT_REPORTED,
  bookEvent,
  levelChange,
  parseFixedRange,
  priceChangeEvent,
} from "./market-events.ts";

let s = "";
let n = 0;
let i = 0;
/** Bounds of the last string read by `str()`: s[sa, sb). */
let sa = 0;
let sb = 0;

// Character codes.
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const MINUS = 45;

/**
 * Escapes and control characters other than JSON whitespace: we hand such frames back.
 * Tab/LF/CR are legal between tokens but not inside strings; frames that contain them get
 * a per-character check of every string (`checkStrings`).
 */
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\\]/;
const RAW_WS = /[\t\n\r]/;
let checkStrings = false;

/**
 * The char code at k, or -1 past the end. Every read goes through here: an out-of-range
 * `charCodeAt` returns NaN, which turns the JIT's int32 speculation into slow doubles.
 */
const at = (k: number): number => (k < n ? s.charCodeAt(k) : -1);

function ws(): void {
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return;
  }
}

/** Reads a short string token at `i` (no escapes: checked up front); sets sa/sb. */
function str(): boolean {
  if (at(i) !== QUOTE) return false;
  let j = i + 1;
  for (; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) break;
    if (c < 32) return false;
  }
  if (j >= n) return false;
  sa = i + 1;
  sb = j;
  i = j + 1;
  return true;
}

/** Same for long strings (ids, hashes): a native search beats a JS loop past ~16 chars. */
function strLong(): boolean {
  if (at(i) !== QUOTE) return false;
  const end = s.indexOf('"', i + 1);
  if (end < 0) return false;
  if (checkStrings) for (let k = i + 1; k < end; k++) if (s.charCodeAt(k) < 32) return false;
  sa = i + 1;
  sb = end;
  i = end + 1;
  return true;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A JSON number, strictly: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
function skipNumber(): boolean {
  if (at(i) === MINUS) i++;
  let c = at(i);
  if (c === 48) i++;
  else if (c >= 49 && c <= 57) while (isDigit(at(i))) i++;
  else return false;
  if (at(i) === 46) {
    i++;
    if (!isDigit(at(i))) return false;
    while (isDigit(at(i))) i++;
  }
  c = at(i);
  if (c === 101 || c === 69) {
    i++;
    c = at(i);
    if (c === 43 || c === MINUS) i++;
    if (!isDigit(at(i))) return false;
    while (isDigit(at(i))) i++;
  }
  return true;
}

function skipWord(w: string): boolean {
  if (!s.startsWith(w, i)) return false;
  i += w.length;
  return true;
}

/** Skips any JSON value (for keys we do not read). */
function skipValue(depth: number): boolean {
  if (depth > 64) return false;
  const c = at(i);
  if (c === QUOTE) return str();
  if (c === LBRACE) {
    i++;
    ws();
    if (at(i) === RBRACE) {
      i++;
      return true;
    }
    for (;;) {
      ws();
      if (!str()) return false;
      ws();
      if (at(i) !== COLON) return false;
      i++;
      ws();
      if (!skipValue(depth + 1)) return false;
      ws();
      const d = at(i++);
      if (d === RBRACE) return true;
      if (d !== COMMA) return false;
    }
  }
  if (c === LBRACKET) {
    i++;
    ws();
    if (at(i) === RBRACKET) {
      i++;
      return true;
    }
    for (;;) {
      ws();
      if (!skipValue(depth + 1)) return false;
      ws();
      const d = at(i++);
      if (d === RBRACKET) return true;
      if (d !== COMMA) return false;
    }
  }
  if (c === 116) return skipWord("true");
  if (c === 102) return skipWord("false");
  if (c === 110) return skipWord("null");
  return skipNumber();
}

function keyIs(len: number, lit: string): boolean {
  if (len !== lit.length) return false;
  for (let k = 0; k < len; k++) if (s.charCodeAt(sa + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Reads `"key" :` and leaves `i` at the value; the key is s[sa, sb). */
function key(): boolean {
  ws();
  if (!str()) return false;
  ws();
  if (at(i) !== COLON) return false;
  i++;
  ws();
  return true;
}

/** After a member: ',' → more (true), '}' → done (sets closed), else malformed. */
let closed = false;
function next(close: number): boolean {
  ws();
  const d = at(i++);
  closed = d === close;
  return closed || d === COMMA;
}

function priceStr(allowEmpty: boolean): number {
  if (!str()) return -2;
  if (allowEmpty && sa === sb) return NOT_REPORTED;
  const p = parseFixedRange(s, sa, sb, 4);
  return p < 0 || p > ONE_E4 ? -2 : p;
}

function sizeStr(): number {
  if (!str()) return -1;
  return parseFixedRange(s, sa, sb, 6);
}

function sideStr(): Side | "" {
  if (!str()) return "";
  const n = sb - sa;
  if (n === 3 && s.startsWith("BUY", sa)) return "BUY";
  if (n === 4 && s.startsWith("SELL", sa)) return "SELL";
  return "";
}

function entry(changes: LevelChange[]): boolean {
  if (at(i) !== LBRACE) return false;
  i++;
  let assetId: string | undefined;
  let hash: string | undefined;
  let side: Side | "" = "";
  let p = -2;
  let z = -1;
  let bb = NOT_REPORTED;
  let ba = NOT_REPORTED;
  ws();
  if (at(i) === RBRACE) return false;
  do {
    if (!key()) return false;
    const len = sb - sa;
    if (keyIs(len, "asset_id")) {
      if (!strLong()) return false;
      assetId = s.slice(sa, sb);
    } else if (keyIs(len, "price")) {
      if ((p = priceStr(false)) < 0) return false;
    } else if (keyIs(len, "size")) {
      if ((z = sizeStr()) < 0) return false;
    } else if (keyIs(len, "side")) {
      if ((side = sideStr()) === "") return false;
    } else if (keyIs(len, "hash")) {
      if (!strLong()) return false;
      hash = s.slice(sa, sb);
    } else if (keyIs(len, "best_bid")) {
      if ((bb = priceStr(true)) === -2) return false;
    } else if (keyIs(len, "best_ask")) {
      if ((ba = priceStr(true)) === -2) return false;
    } else if (!skipValue(0)) return false;
    if (!next(RBRACE)) return false;
  } while (!closed);
  if (assetId === undefined || hash === undefined || side === "" || p < 0 || z < 0) return false;
  changes.push(levelChange(assetId, side, p, z, hash, bb, ba));
  return true;
}

function entries(): LevelChange[] | null {
  if (at(i) !== LBRACKET) return null;
  i++;
  const changes: LevelChange[] = [];
  ws();
  if (at(i) === RBRACKET) {
    i++;
    return changes;
  }
  do {
    ws();
    if (!entry(changes)) return null;
    if (!next(RBRACKET)) return null;
  } while (!closed);
  return changes;
}

function levels(prices: number[], sizes: number[]): boolean {
  if (at(i) !== LBRACKET) return false;
  i++;
  ws();
  if (at(i) === RBRACKET) {
    i++;
    return true;
  }
  do {
    ws();
    if (at(i) !== LBRACE) return false;
    i++;
    let p = -2;
    let z = -1;
    ws();
    if (at(i) === RBRACE) return false;
    do {
      if (!key()) return false;
      const len = sb - sa;
      if (keyIs(len, "price")) {
        if ((p = priceStr(false)) < 0) return false;
      } else if (keyIs(len, "size")) {
        if ((z = sizeStr()) < 0) return false;
      } else if (!skipValue(0)) return false;
      if (!next(RBRACE)) return false;
    } while (!closed);
    if (p < 0 || z < 0) return false;
    prices.push(p);
    sizes.push(z);
    if (!next(RBRACKET)) return false;
  } while (!closed);
  return true;
}

const T_OTHER = 0;
const T_PRICE_CHANGE = 1;
const T_BOOK = 2;

/** One event object at `i`; pushes its event or returns false. */
function event(out: MarketEvent[]): boolean {
  if (at(i) !== LBRACE) return false;
  i++;
  let type = T_OTHER;
  let market: string | undefined;
  let assetId: string | undefined;
  let hash: string | undefined;
  let ts = -1;
  let changes: LevelChange[] | null = null;
  let bids: { pricesE4: number[]; sizesE6: number[] } | null = null;
  let asks: { pricesE4: number[]; sizesE6: number[] } | null = null;
  let tick = NOT_REPORTED;
  let ltp = NOT_REPORTED;
  ws();
  if (at(i) === RBRACE) return false;
  do {
    if (!key()) return false;
    const len = sb - sa;
    if (keyIs(len, "event_type")) {
      if (!str()) return false;
      const n = sb - sa;
      if (n === 12 && s.startsWith("price_change", sa)) type = T_PRICE_CHANGE;
      else if (n === 4 && s.startsWith("book", sa)) type = T_BOOK;
      else return false;
    } else if (keyIs(len, "market")) {
      if (!strLong()) return false;
      market = s.slice(sa, sb);
    } else if (keyIs(len, "asset_id")) {
      if (!str()) return false;
      assetId = s.slice(sa, sb);
    } else if (keyIs(len, "timestamp")) {
      if (!str() || (ts = parseFixedRange(s, sa, sb, 0)) < 0) return false;
    } else if (keyIs(len, "hash")) {
      if (!strLong()) return false;
      hash = s.slice(sa, sb);
    } else if (keyIs(len, "price_changes")) {
      if ((changes = entries()) === null) return false;
    } else if (keyIs(len, "bids")) {
      bids = { pricesE4: [], sizesE6: [] };
      if (!levels(bids.pricesE4, bids.sizesE6)) return false;
    } else if (keyIs(len, "asks")) {
      asks = { pricesE4: [], sizesE6: [] };
      if (!levels(asks.pricesE4, asks.sizesE6)) return false;
    } else if (keyIs(len, "tick_size")) {
      if (!str() || (tick = tickE4Of(s.slice(sa, sb))) < 0) return false;
    } else if (keyIs(len, "last_trade_price")) {
      if ((ltp = priceStr(true)) === -2) return false;
    } else if (keyIs(len, "changes")) {
      return false; // V1 shape: the JSON path reports its era
    } else if (!skipValue(0)) return false;
    if (!next(RBRACE)) return false;
  } while (!closed);
  if (market === undefined || ts < 0) return false;
  if (type === T_PRICE_CHANGE) {
    if (changes === null) return false;
    out.push(priceChangeEvent("v2", market, ts, changes));
    return true;
  }
  if (type === T_BOOK) {
    if (assetId === undefined || hash === undefined || bids === null || asks === null) return false;
    out.push(bookEvent(assetId, market, ts, hash, bids, asks, tick, ltp));
    return true;
  }
  return false;
}

function frame(out: MarketEvent[]): boolean {
  ws();
  const c = at(i);
  if (c === LBRACE) {
    if (!event(out)) return false;
  } else if (c === LBRACKET) {
    i++;
    ws();
    if (at(i) === RBRACKET) i++;
    else {
      do {
        ws();
        if (!event(out)) return false;
        if (!next(RBRACKET)) return false;
      } while (!closed);
    }
  } else return false;
  ws();
  return i === s.length;
}

/** See the module header. Returns true iff it handled the whole frame. */
export function scanMarketFrame(text: string, out: MarketEvent[]): boolean {
  if (text.length < 2 || UNSAFE.test(text)) return false;
  const mark = out.length;
  s = text;
  n = text.length;
  checkStrings = RAW_WS.test(text);
  i = 0;
  const done = frame(out);
  s = "";
  if (!done) out.length = mark;
  return done;
}
