/**
 * Which markets a recording holds, as `MarketInfo` (fees, tick, minimum size, window,
 * token pair), for the replay venue. In order of preference:
 *
 * 1. `--markets FILE`: Gamma market objects (one per line, or `{…, raw: <gamma object>}` lines
 *    as in ../shared/data/gamma), recorder-session market records, or `MarketInfo` JSON;
 * 2. our recorder's segment headers (`{"format":"mmp-frames",…,"markets":[MarketInfo…]}`);
 * 3. the recorder-session markets file beside a `*session_raw_<stamp>*` file
 *    (`*session_markets_<stamp>*.jsonl`: slug, condition id, Up/Down token ids, window,
 *    tick, minimum size, `fee_parameters.raw_fee_config`);
 * 4. inferred from the frames: every condition id with exactly two asset ids seen in book /
 *    price_change / trade events. The first token seen is taken as the first outcome; the fee
 *    is unknown (0); the window is unknown, so the market is treated as open from the first
 *    frame until an hour after the last (`INFERRED_TAIL_MS`). A report says which it was.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { MarketInfo, ResolutionRule } from "../core/ports.ts";
import { parseGammaMarket } from "../polymarket/gamma.ts";
import { MarketChannelCodec } from "../polymarket/market-channel.ts";
import { readHeader, readLines, type ReplayFrame } from "../store/replay.ts";

export type CatalogueSource = "markets_file" | "recorder_header" | "session_markets" | "inferred";

export interface Catalogue {
  readonly markets: readonly MarketInfo[];
  readonly source: CatalogueSource;
}

/** An inferred market stays open this long after the last frame. */
export const INFERRED_TAIL_MS = 3_600_000;
const DEFAULT_MIN_SIZE_E6 = 5_000_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

/** A recorder-session market record (../shared/data/ws/*session_markets*.jsonl) → MarketInfo. */
export function marketFromSessionRecord(o: unknown): MarketInfo | undefined {
  if (!isObj(o) || typeof o.condition_id !== "string" || !Array.isArray(o.outcomes) || o.outcomes.length !== 2) return undefined;
  const outs = o.outcomes as unknown[];
  const tok = (k: number): { id: string; label: string } | undefined => {
    const x = outs[k];
    return isObj(x) && typeof x.token_id === "string"
      ? { id: x.token_id, label: typeof x.outcome === "string" ? x.outcome : "" }
      : undefined;
  };
  let a = tok(0);
  let b = tok(1);
  if (!a || !b) return undefined;
  if (/^(down|no)$/i.test(a.label) && /^(up|yes)$/i.test(b.label)) [a, b] = [b, a];
  const startMs = num(o.start_ts) ?? 0;
  const endMs = num(o.end_ts) ?? 0;
  const tick = num(o.tick_size) ?? 0.01;
  const fee = isObj(o.fee_parameters) && isObj(o.fee_parameters.raw_fee_config) ? o.fee_parameters.raw_fee_config : {};
  const enabled = !isObj(o.fee_parameters) || o.fee_parameters.fees_enabled !== false;
  const asset = typeof o.asset === "string" ? o.asset.toLowerCase() : "";
  const resolution: ResolutionRule =
    typeof o.resolution_source === "string" && /twap/i.test(o.resolution_source) ? "twap60" : "price_at_end";
  return {
    conditionId: o.condition_id,
    slug: typeof o.slug === "string" ? o.slug : o.condition_id,
    question: typeof o.title === "string" ? o.title : "",
    underlying: asset === "" ? "" : `${asset}/usd`,
    windowSec: endMs > startMs ? Math.round((endMs - startMs) / 1000) : 0,
    yesTokenId: a.id,
    noTokenId: b.id,
    outcomes: [a.label || "Up", b.label || "Down"],
    tickE4: Math.round(tick * 10_000),
    minSizeE6: Math.round((num(o.min_order_size) ?? 5) * 1_000_000),
    negRisk: false,
    exchangeVersion: 2,
    startMs,
    endMs,
    feeRate: enabled ? (num(fee.rate) ?? 0) : 0,
    feeExponent: num(fee.exponent) ?? 1,
    rebateRate: enabled ? (num(fee.rebateRate) ?? 0) : 0,
    resolution,
  };
}

function isMarketInfo(o: unknown): o is MarketInfo {
  return (
    isObj(o) &&
    typeof o.conditionId === "string" &&
    typeof o.yesTokenId === "string" &&
    typeof o.noTokenId === "string" &&
    typeof o.tickE4 === "number" &&
    typeof o.endMs === "number"
  );
}

/** One line/object of a markets file in any of the supported shapes. */
export function marketFromAny(o: unknown): MarketInfo | undefined {
  if (isMarketInfo(o)) return o;
  if (!isObj(o)) return undefined;
  if (isObj(o.raw)) {
    const r = parseGammaMarket(o.raw);
    if (r.ok) return r.value;
  }
  if (typeof o.conditionId === "string") {
    const r = parseGammaMarket(o);
    if (r.ok) return r.value;
  }
  return marketFromSessionRecord(o);
}

/** Markets of a file: JSONL (gzip or not) or one JSON array/object. */
export async function loadMarketsFile(file: string): Promise<MarketInfo[]> {
  const out: MarketInfo[] = [];
  const lines: string[] = [];
  for await (const line of readLines(file)) if (line.trim() !== "") lines.push(line);
  const whole = lines.length > 0 && !lines.every((l) => l.trimStart().startsWith("{") && l.trimEnd().endsWith("}"));
  const items: unknown[] = [];
  if (whole) {
    const v: unknown = JSON.parse(lines.join("\n"));
    if (Array.isArray(v)) items.push(...v);
    else items.push(v);
  } else for (const l of lines) items.push(JSON.parse(l));
  for (const it of items) {
    const m = marketFromAny(it);
    if (m) out.push(m);
  }
  return out;
}

/** The `*session_markets_<stamp>*` file beside a `*session_raw_<stamp>*` file, if any. */
export async function sessionMarketsFileFor(dataFile: string): Promise<string | undefined> {
  const stamp = /session_raw_([0-9T-]+Z)/.exec(path.basename(dataFile))?.[1];
  if (stamp === undefined) return undefined;
  const dir = path.dirname(dataFile);
  const names = (await readdir(dir)).filter((n) => n.includes(`session_markets_${stamp}`)).sort();
  return names[0] === undefined ? undefined : path.join(dir, names[0]);
}

/** Markets named in our recorder's segment headers (every file of a directory). */
export async function headerMarkets(files: readonly string[]): Promise<MarketInfo[]> {
  const seen = new Map<string, MarketInfo>();
  for (const f of files) {
    const h = await readHeader(f);
    if (!h) continue;
    for (const m of h.markets) if (isMarketInfo(m) && !seen.has(m.conditionId)) seen.set(m.conditionId, m);
  }
  return [...seen.values()];
}

/** Infers markets from decoded frames (see header, rule 4). */
export function inferMarkets(frames: Iterable<ReplayFrame>): MarketInfo[] {
  const codec = new MarketChannelCodec();
  const assets = new Map<string, string[]>();
  const ticks = new Map<string, number>();
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  const note = (market: string, asset: string): void => {
    let l = assets.get(market);
    if (!l) {
      l = [];
      assets.set(market, l);
    }
    if (!l.includes(asset)) l.push(asset);
  };
  for (const f of frames) {
    if (f.src !== "market") continue;
    const ms = f.recvNs.length > 6 ? Number(f.recvNs.slice(0, -6)) : Number.NaN;
    if (Number.isFinite(ms)) {
      firstMs = Math.min(firstMs, ms);
      lastMs = Math.max(lastMs, ms);
    }
    for (const ev of codec.decode(f.frame).events) {
      switch (ev.type) {
        case "book":
          note(ev.market, ev.assetId);
          if (ev.tickE4 > 0) ticks.set(ev.market, ev.tickE4);
          break;
        case "price_change":
          for (const c of ev.changes) note(ev.market, c.assetId);
          break;
        case "last_trade_price":
          note(ev.market, ev.assetId);
          break;
        default:
          break;
      }
    }
  }
  const out: MarketInfo[] = [];
  for (const [market, ids] of [...assets.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
    if (ids.length !== 2) continue;
    out.push({
      conditionId: market,
      slug: `market-${market.slice(2, 10)}`,
      question: "",
      underlying: "",
      windowSec: 0,
      yesTokenId: ids[0] as string,
      noTokenId: ids[1] as string,
      outcomes: ["Yes", "No"],
      tickE4: ticks.get(market) ?? 100,
      minSizeE6: DEFAULT_MIN_SIZE_E6,
      negRisk: false,
      exchangeVersion: 2,
      startMs: Number.isFinite(firstMs) ? firstMs : 0,
      endMs: lastMs + INFERRED_TAIL_MS,
      feeRate: 0,
      feeExponent: 1,
      rebateRate: 0,
      resolution: "price_at_end",
    });
  }
  return out;
}
