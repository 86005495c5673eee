/**
 * Replay reader: yields recorded raw frames in the order they were received, exactly as they
 * arrived (the `frame` text is byte-for-byte what the socket delivered).
 *
 * Reads three layouts, gzip or plain, detected per line (format in docs/market-data.md):
 * 1. ours (`src/store/recorder.ts`): a header line `{"format":"mmp-frames",…}` then
 *    `{"seq":N,"src":"market","recvNs":"<epoch ns>","frame":"<raw text>"}` lines;
 * 2. recorder-session envelopes as in ../shared/data/ws/jonahgrigoryan_*:
 *    `{source, recv_wall_ts, recv_mono_ns, payload}`; `recv_mono_ns` there is epoch ns
 *    (≥ 1e18), read from the line's digits so no precision is lost; otherwise
 *    `recv_wall_ts` ms is used;
 * 3. plain JSONL frames (one raw frame per line, e.g. the nautilus and el-capturo captures),
 *    timed by the frame's own exchange `timestamp` when it has one; a `.json` file is one frame.
 *
 * Epoch nanoseconds exceed 2^53, so `recvNs` is a decimal string (`BigInt(recvNs)` for maths).
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export type FrameSource = "market" | "user" | "rtds" | "spot" | "rest";

export interface ReplayFrame {
  /** Order within the recording (ours), or line number for foreign files. */
  readonly seq: number;
  readonly src: FrameSource;
  /** Receive time, epoch ns as a decimal string; "" when the file has no time for it. */
  readonly recvNs: string;
  /** Where `recvNs` came from. */
  readonly timeFrom: "recv" | "exchange" | "none";
  readonly frame: string;
  /** File the frame came from. */
  readonly file: string;
}

export interface SegmentHeader {
  readonly format: "mmp-frames";
  readonly version: number;
  readonly venue: string;
  readonly segmentStartMs: number;
  readonly segmentEndMs: number;
  readonly markets: readonly unknown[];
}

const ENVELOPE_SOURCE: Readonly<Record<string, FrameSource>> = {
  polymarket_clob: "market",
  polymarket_user: "user",
  polymarket_rtds_chainlink: "rtds",
  polymarket_rtds: "rtds",
  binance: "spot",
  coinbase: "spot",
};

const SOURCES = new Set<string>(["market", "user", "rtds", "spot", "rest"]);

/** Lines of a file, gunzipped when it starts with the gzip magic, streamed. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const f = Bun.file(file);
  const head = new Uint8Array(await f.slice(0, 2).arrayBuffer());
  const raw = f.stream();
  // Bun's lib types disagree with DOM's on the Uint8Array buffer type of DecompressionStream; same object at run time.
  const stream: ReadableStream<Uint8Array> =
    head[0] === 0x1f && head[1] === 0x8b
      ? raw.pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>)
      : raw;
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = rest.indexOf("\n", start);
    while (nl >= 0) {
      yield rest.slice(start, nl);
      start = nl + 1;
      nl = rest.indexOf("\n", start);
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

const MONO_RE = /"recv_mono_ns":(\d+)/;
const EXCH_TS_RE = /"timestamp":"?(\d{13})\b/;

function envelopeTime(line: string, o: Record<string, unknown>): { recvNs: string; timeFrom: ReplayFrame["timeFrom"] } {
  const mono = MONO_RE.exec(line)?.[1];
  if (mono !== undefined && mono.length >= 19) return { recvNs: mono, timeFrom: "recv" };
  const wall = o.recv_wall_ts;
  if (typeof wall === "number" && Number.isSafeInteger(wall)) return { recvNs: `${wall}000000`, timeFrom: "recv" };
  return { recvNs: "", timeFrom: "none" };
}

/** Parses one line of any supported layout; undefined for header and blank lines. */
export function parseRecordLine(line: string, lineNo: number, file: string): ReplayFrame | undefined {
  if (line.length === 0 || line === "\r") return undefined;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // Not JSON at all: a raw text frame (PONG, garbage) recorded verbatim.
    return { seq: lineNo, src: "market", recvNs: "", timeFrom: "none", frame: line, file };
  }
  if (typeof o === "object" && o !== null && !Array.isArray(o)) {
    const r = o as Record<string, unknown>;
    if (r.format === "mmp-frames") return undefined;
    if (typeof r.frame === "string" && typeof r.recvNs === "string" && typeof r.src === "string" && SOURCES.has(r.src)) {
      return {
        seq: typeof r.seq === "number" ? r.seq : lineNo,
        src: r.src as FrameSource,
        recvNs: r.recvNs,
        timeFrom: "recv",
        frame: r.frame,
        file,
      };
    }
    if (typeof r.payload === "string" && typeof r.source === "string") {
      const t = envelopeTime(line, r);
      return { seq: lineNo, src: ENVELOPE_SOURCE[r.source] ?? "market", ...t, frame: r.payload, file };
    }
  }
  const ts = EXCH_TS_RE.exec(line)?.[1];
  return ts === undefined
    ? { seq: lineNo, src: "market", recvNs: "", timeFrom: "none", frame: line, file }
    : { seq: lineNo, src: "market", recvNs: `${ts}000000`, timeFrom: "exchange", frame: line, file };
}

/** Frames of one file, in file order. */
export async function* replayFile(file: string): AsyncGenerator<ReplayFrame> {
  if (file.endsWith(".json")) {
    // A single (possibly pretty-printed) JSON frame per file.
    const text = await Bun.file(file).text();
    const ts = EXCH_TS_RE.exec(text.replace(/\s+/g, ""))?.[1];
    yield {
      seq: 0,
      src: "market",
      recvNs: ts === undefined ? "" : `${ts}000000`,
      timeFrom: ts === undefined ? "none" : "exchange",
      frame: text,
      file,
    };
    return;
  }
  let n = 0;
  for await (const line of readLines(file)) {
    const f = parseRecordLine(line, n++, file);
    if (f !== undefined) yield f;
  }
}

/** The header of one of our segment files, or undefined for foreign files. */
export async function readHeader(file: string): Promise<SegmentHeader | undefined> {
  for await (const line of readLines(file)) {
    try {
      const o = JSON.parse(line) as Partial<SegmentHeader>;
      return o.format === "mmp-frames" ? (o as SegmentHeader) : undefined;
    } catch (e) {
      if (e instanceof SyntaxError) return undefined;
      throw e;
    }
  }
  return undefined;
}

const RECORD_FILE_RE = /\.(jsonl|jsonl\.gz|json)$/;

/**
 * Frames of a file, or of every recording file in a directory in name order (our segment
 * names sort chronologically: `<venue>-<segmentStartUnix>-<windowSec>s.jsonl.gz`).
 */
export async function* replay(target: string): AsyncGenerator<ReplayFrame> {
  const st = await stat(target);
  if (!st.isDirectory()) {
    yield* replayFile(target);
    return;
  }
  const names = (await readdir(target)).filter((n) => RECORD_FILE_RE.test(n)).sort();
  for (const n of names) yield* replayFile(path.join(target, n));
}
