/**
 * Recorded frames through the live codecs, once: `MarketChannelCodec` for the market channel,
 * `parseRestBook` for REST `/book` snapshots, `parseRtdsFrame` for underlying prices. The
 * replay driver (replay.ts), sessions and sweeps replay the decoded frames many times.
 */
import { bookEvent, MarketChannelCodec, type MarketEvent } from "../polymarket/market-channel.ts";
import { parseRestBook } from "../polymarket/rest-types.ts";
import { parseRtdsFrame, type RtdsFrame } from "../polymarket/rtds-feed.ts";
import type { FrameSource, ReplayFrame } from "../store/replay.ts";

/** `recvNs` (epoch ns as a decimal string) → ns since `baseMs`, exact (no BigInt, no 2^53 loss). */
export function relativeNs(recvNs: string, baseMs: number): number {
  const n = recvNs.length;
  if (n <= 6) return Number.NaN;
  return (Number(recvNs.slice(0, n - 6)) - baseMs) * 1e6 + Number(recvNs.slice(n - 6));
}

/** A recorded frame after the codecs: market events, underlying ticks, or nothing usable. */
export interface DecodedFrame {
  readonly recvNs: string;
  /** `recvNs` split into epoch ms and the ns within it (NaN when the frame has no time). */
  readonly recvMs: number;
  readonly recvSubNs: number;
  readonly src: FrameSource;
  /** Market-channel events (a REST `/book` body becomes one `book` event); null otherwise. */
  readonly market: readonly MarketEvent[] | null;
  /** True when `market` came from a REST `/book` body. */
  readonly rest: boolean;
  readonly rtds: Extract<RtdsFrame, { kind: "ticks" }> | null;
  /** Decode errors in the frame (counted, never thrown). */
  readonly errors: number;
}

const NO_EVENTS: readonly MarketEvent[] = [];

/**
 * Runs one recorded frame through the live codecs: `MarketChannelCodec` for the market
 * channel, `parseRestBook` for REST `/book` bodies (the session recorder re-snapshots with
 * them; they have no `event_type`), `parseRtdsFrame` for RTDS. Other sources are skipped.
 */
export function decodeFrame(f: ReplayFrame, codec: MarketChannelCodec): DecodedFrame {
  if (f.src === "market") {
    const text = f.frame;
    if (text.charCodeAt(0) === 123 /* { */ && !text.includes('"event_type"')) return restBookFrame(f, text);
    const frame = codec.decode(text);
    return decoded(f, frame.events, false, null, frame.errors.length);
  }
  if (f.src === "rtds") {
    const r = parseRtdsFrame(f.frame);
    return decoded(f, null, false, r.kind === "ticks" ? r : null, r.kind === "error" ? 1 : 0);
  }
  return decoded(f, null, false, null, 0);
}

function decoded(
  f: ReplayFrame,
  market: readonly MarketEvent[] | null,
  rest: boolean,
  rtds: DecodedFrame["rtds"],
  errors: number,
): DecodedFrame {
  const n = f.recvNs.length;
  const timed = n > 6;
  return {
    recvNs: f.recvNs,
    recvMs: timed ? Number(f.recvNs.slice(0, n - 6)) : Number.NaN,
    recvSubNs: timed ? Number(f.recvNs.slice(n - 6)) : 0,
    src: f.src,
    market,
    rest,
    rtds,
    errors,
  };
}

function restBookFrame(f: ReplayFrame, text: string): DecodedFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    return decoded(f, NO_EVENTS, false, null, 1);
  }
  const r = parseRestBook(v);
  if (!r.ok) return decoded(f, NO_EVENTS, false, null, 1);
  const b = r.value;
  return decoded(f, [bookEvent(b.assetId, b.market, b.timestampMs, b.hash, b.bids, b.asks, b.tickE4, b.lastTradeE4)], true, null, 0);
}

/** Decodes a whole recording once (sessions and sweeps replay it many times). */
export function decodeFrames(frames: readonly ReplayFrame[]): DecodedFrame[] {
  const codec = new MarketChannelCodec();
  return frames.map((f) => decodeFrame(f, codec));
}
