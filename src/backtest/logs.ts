/**
 * Trade/event logs → `RunRecord`, so `analyze` gives the same report for a live, paper or
 * simulator run as `backtest` gives for a replay. Input: the JSON-lines logs the bots write
 * through monitor/logger.ts (`{"tsMs":…,"level":…,"event":…,…fields}`), any number of files.
 *
 * Events read (others are ignored, malformed lines counted):
 *   fill             market (slug), side, priceE4, sizeE6, feeE6, liquidity, and which token:
 *                    tokenId, or outcome/quoteSide (BUY on the bid side is YES), tsMs = time
 *   market_started   market, conditionId, endMs           (slug ↔ condition id, window end)
 *   market_resolved  market, winner "YES" | "NO"           (resolution P&L at $1/$0)
 *   merged           market, sizeE6 | pairsE6
 *   order_rejected   code                                  (rejects by code)
 *   any line with `markets: [{conditionId|slug, bookBidE4, bookAskE4, bidE4, askE4, fairValue?}]`
 *                    — the market maker's `status` event, one a second of its clock
 *                    (bots/market-maker-views.ts `statusFieldsOf`): the YES top of book and our
 *                    quotes over time, and its fair value (the fallback mids between fills)
 *   any line with `latencyMs` / `latencyNs` and an event naming an ack: place → ack latency
 * Mids for spread and mark-outs come from, in order: a recording of the same run
 * (`analyze --data`, replayed through the same codecs), the status snapshots, or the fair
 * value logged with each fill and each status line (a proxy: the report says which was used).
 * So a market maker's log alone (`analyze logs/`, no `--data`) has mids and quote timelines.
 */
import type { RunFill, RunMarket, RunRecord } from "./report.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export type MidSource = "recording" | "status" | "fair_value" | "none";

/** YES top of book over time for one market (from a recording), keyed by condition id. */
export type SeriesByMarket = ReadonlyMap<string, RunMarket["series"]>;

export interface LogParse {
  readonly records: RunRecord[];
  readonly lines: number;
  readonly malformed: number;
  readonly midSource: MidSource;
}

interface MarketAcc {
  conditionId: string;
  slug: string;
  endMs: number;
  startMs: number;
  series: { tMs: number[]; midE4: number[]; bidE4: number[]; askE4: number[] };
  quotes: { tMs: number[]; bidE4: number[]; askE4: number[] };
  resolution: { tMs: number; yesWon: boolean } | null;
  merges: { tMs: number; sizeE6: number }[];
  fvT: number[];
  fvE4: number[];
}

interface RunAcc {
  readonly label: string;
  startMs: number;
  endMs: number;
  readonly markets: Map<string, MarketAcc>;
  readonly slugToId: Map<string, string>;
  readonly fills: RunFill[];
  readonly rejects: Record<string, number>;
  readonly latencies: number[];
}

function runOf(runs: Map<string, RunAcc>, label: string): RunAcc {
  let r = runs.get(label);
  if (!r) {
    r = {
      label,
      startMs: Number.POSITIVE_INFINITY,
      endMs: 0,
      markets: new Map(),
      slugToId: new Map(),
      fills: [],
      rejects: {},
      latencies: [],
    };
    runs.set(label, r);
  }
  return r;
}

function marketOf(r: RunAcc, key: string): MarketAcc {
  const id = r.slugToId.get(key) ?? key;
  let m = r.markets.get(id);
  if (!m) {
    m = {
      conditionId: id,
      slug: key,
      endMs: Number.POSITIVE_INFINITY,
      startMs: 0,
      series: { tMs: [], midE4: [], bidE4: [], askE4: [] },
      quotes: { tMs: [], bidE4: [], askE4: [] },
      resolution: null,
      merges: [],
      fvT: [],
      fvE4: [],
    };
    r.markets.set(id, m);
  }
  return m;
}

/** Which token a fill was on: tokenId when given, else the quote side (BUY on the bid is YES), else the outcome label. */
function isYesOf(o: Obj): boolean {
  const q = str(o.quoteSide);
  const side = str(o.side);
  if (q !== undefined && side !== undefined) return (side === "BUY") === (q === "bid");
  const outcome = (str(o.outcome) ?? "").toLowerCase();
  return outcome !== "down" && outcome !== "no";
}

/** Parses log lines of one or more runs (grouped by the lines' `bot` field; "run" without one). */
export function parseLogs(lines: Iterable<string>, recording?: SeriesByMarket): LogParse {
  const runs = new Map<string, RunAcc>();
  let n = 0;
  let bad = 0;
  let sawStatus = false;
  // Two passes' worth in one: market_started may follow the first fill of a market in a merged log.
  const parsed: Obj[] = [];
  for (const line of lines) {
    if (line.trim() === "") continue;
    n++;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      bad++;
      continue;
    }
    if (!isObj(o) || num(o.tsMs) === undefined || str(o.event) === undefined) {
      bad++;
      continue;
    }
    parsed.push(o);
  }
  parsed.sort((a, b) => (a.tsMs as number) - (b.tsMs as number));
  // Slug → condition id from market_started lines and status snapshots, before any fill.
  for (const o of parsed) {
    const r = runOf(runs, str(o.bot) ?? "run");
    if (str(o.event) === "market_started") {
      const slug = str(o.market);
      const id = str(o.conditionId);
      if (slug !== undefined && id !== undefined) r.slugToId.set(slug, id);
    }
    if (Array.isArray(o.markets)) {
      for (const s of o.markets) {
        if (isObj(s) && str(s.slug) !== undefined && str(s.conditionId) !== undefined)
          r.slugToId.set(s.slug as string, s.conditionId as string);
      }
    }
  }
  for (const o of parsed) {
    const t = o.tsMs as number;
    const ev = o.event as string;
    const r = runOf(runs, str(o.bot) ?? "run");
    r.startMs = Math.min(r.startMs, t);
    r.endMs = Math.max(r.endMs, t);
    if (Array.isArray(o.markets)) {
      for (const s of o.markets) {
        if (!isObj(s)) continue;
        const key = str(s.conditionId) ?? str(s.slug);
        if (key === undefined) continue;
        const m = marketOf(r, key);
        if (str(s.slug) !== undefined) m.slug = s.slug as string;
        const bid = num(s.bookBidE4) ?? 0;
        const ask = num(s.bookAskE4) ?? 0;
        if (bid > 0 || ask > 0) {
          sawStatus = true;
          m.series.tMs.push(t);
          m.series.bidE4.push(bid);
          m.series.askE4.push(ask > 0 ? ask : 10_000);
          m.series.midE4.push(bid > 0 && ask > 0 && ask < 10_000 ? (bid + ask) / 2 : Number.NaN);
        }
        const fv = num(s.fairValue);
        if (fv !== undefined && fv > 0 && fv < 1) {
          m.fvT.push(t);
          m.fvE4.push(fv * 10_000);
        }
        const qb = num(s.bidE4) ?? 0;
        const qa = num(s.askE4) ?? 0;
        const qt = m.quotes;
        const k = qt.tMs.length;
        if (k === 0 || qt.bidE4[k - 1] !== qb || qt.askE4[k - 1] !== qa) {
          qt.tMs.push(t);
          qt.bidE4.push(qb);
          qt.askE4.push(qa);
        }
      }
    }
    switch (ev) {
      case "market_started": {
        const slug = str(o.market);
        if (slug === undefined) break;
        const m = marketOf(r, slug);
        m.slug = slug;
        m.startMs = t;
        const end = num(o.endMs);
        if (end !== undefined) m.endMs = end;
        break;
      }
      case "fill": {
        const slug = str(o.market);
        const price = num(o.priceE4);
        const size = num(o.sizeE6);
        const side = str(o.side);
        if (slug === undefined || price === undefined || size === undefined || (side !== "BUY" && side !== "SELL")) {
          bad++;
          break;
        }
        const m = marketOf(r, slug);
        const isYes = isYesOf(o);
        r.fills.push({
          tMs: t,
          conditionId: m.conditionId,
          isYes,
          side,
          priceE4: price,
          sizeE6: size,
          feeE6: num(o.feeE6) ?? 0,
          rebateE6: num(o.rebateE6) ?? 0,
          liquidity: str(o.liquidity) === "taker" ? "taker" : "maker",
          cause: str(o.cause) ?? "logged",
        });
        const fv = num(o.fairValue);
        if (fv !== undefined && fv > 0 && fv < 1) {
          m.fvT.push(t);
          m.fvE4.push(fv * 10_000);
        }
        break;
      }
      case "market_resolved": {
        const slug = str(o.market);
        const w = str(o.winner);
        if (slug !== undefined && (w === "YES" || w === "NO")) marketOf(r, slug).resolution = { tMs: t, yesWon: w === "YES" };
        break;
      }
      case "merged": {
        const slug = str(o.market);
        const s = num(o.sizeE6) ?? num(o.pairsE6);
        if (slug !== undefined && s !== undefined) marketOf(r, slug).merges.push({ tMs: t, sizeE6: s });
        break;
      }
      case "order_rejected": {
        const code = str(o.code) ?? "UNKNOWN";
        r.rejects[code] = (r.rejects[code] ?? 0) + 1;
        break;
      }
      default:
        break;
    }
    if (/ack/.test(ev)) {
      const ms = num(o.latencyMs) ?? (num(o.latencyNs) !== undefined ? (o.latencyNs as number) / 1e6 : undefined);
      if (ms !== undefined) r.latencies.push(ms);
    }
  }
  const midSource: MidSource =
    recording && recording.size > 0
      ? "recording"
      : sawStatus
        ? "status"
        : parsed.some((o) => o.event === "fill" && num(o.fairValue) !== undefined)
          ? "fair_value"
          : "none";
  const records: RunRecord[] = [];
  for (const r of [...runs.values()].sort((a, b) => (a.label < b.label ? -1 : 1))) {
    if (r.fills.length === 0 && r.markets.size === 0) continue;
    const markets: RunMarket[] = [...r.markets.values()].map((m) => {
      const fromRec = recording?.get(m.conditionId);
      const series =
        midSource === "recording" && fromRec
          ? fromRec
          : midSource === "fair_value"
            ? { tMs: m.fvT, midE4: m.fvE4, bidE4: m.fvE4.map(() => 0), askE4: m.fvE4.map(() => 10_000) }
            : m.series;
      return {
        conditionId: m.conditionId,
        slug: m.slug,
        startMs: m.startMs,
        endMs: m.endMs,
        series,
        quotes: m.quotes,
        resolution: m.resolution,
        merges: m.merges,
      };
    });
    records.push({
      label: r.label,
      source: "logs",
      settings: [
        ["source", "logs"],
        ["mids_from", midSource],
      ],
      startMs: Number.isFinite(r.startMs) ? r.startMs : 0,
      endMs: r.endMs,
      markets,
      fills: r.fills,
      orders: { byMarket: {}, rejectsByCode: r.rejects, cancels: 0, cancelsTooLate: 0, filledWhileCancellingE6: 0 },
      latencies: { placeAckMs: r.latencies, cancelMs: [] },
      counters: { logLines: n, malformedLines: bad },
    });
  }
  return { records, lines: n, malformed: bad, midSource };
}
