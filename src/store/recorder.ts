/**
 * Raw-frame recorder: every frame a feed socket delivers, with its receive time in epoch
 * nanoseconds, as gzip-compressed JSONL, one file per market window (segment), rolling with
 * the markets. `replay.ts` reads the files back; docs/market-data.md documents the format.
 *
 *   {"format":"mmp-frames","version":1,"venue":"polymarket","segmentStartMs":…,"segmentEndMs":…,"markets":[…]}
 *   {"seq":0,"src":"market","recvNs":"1786856400123456789","frame":"[{\"event_type\":\"book\",…}]"}
 *
 * Design decisions:
 * - The frame is stored as a JSON string, not re-parsed: JSON string escaping is lossless for
 *   any text, so replay returns the exact characters received (tested byte for byte).
 * - `recvNs` is a decimal string: epoch ns exceed 2^53. It is `epochBaseNs + clock.nowNs()`,
 *   the base fixed once from `wallMs` at start, so receive times keep the monotonic clock's
 *   resolution and never jump with NTP.
 * - A segment is the shortest recorded window (300 s when 5-minute markets are recorded): the
 *   initial snapshot frame covers every subscribed token at once, so frames cannot be split
 *   per market without rewriting them; each segment header lists every market live in it, so
 *   a 5-minute market is exactly one file and a 15-minute one is three.
 * - `seq` is global across segments, so a directory replays in one total order.
 * - gzip runs on a Node zlib stream off the socket callback; `flush()` (called each second by
 *   the CLI) makes a crashed recording readable up to the last flush.
 */
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import { constants, createGzip, type Gzip } from "node:zlib";
import type { Clock } from "../core/clock.ts";
import type { FrameSource } from "./replay.ts";

export interface RecorderOptions {
  readonly dir: string;
  readonly clock: Clock;
  readonly venue: string;
  /** gzip level 1..9 (default 6). */
  readonly level?: number;
}

export interface SegmentInfo {
  readonly segmentStartMs: number;
  readonly segmentEndMs: number;
  /** Anything JSON-serialisable that describes the markets of the segment. */
  readonly markets: readonly unknown[];
}

export class Recorder {
  frames = 0;
  chars = 0;
  readonly files: string[] = [];
  private seq = 0;
  private readonly epochBaseNs: bigint;
  private gzip: Gzip | undefined;
  private out: WriteStream | undefined;
  private closing: Array<Promise<void>> = [];

  constructor(private readonly opts: RecorderOptions) {
    mkdirSync(opts.dir, { recursive: true });
    const c = opts.clock;
    this.epochBaseNs = BigInt(c.wallMs()) * 1_000_000n - BigInt(Math.round(c.nowNs()));
  }

  /** Epoch ns of a clock reading, as a decimal string. */
  epochNs(recvNs: number): string {
    return (this.epochBaseNs + BigInt(Math.round(recvNs))).toString();
  }

  /** Closes the current file (if any) and opens the segment's file with its header. */
  roll(seg: SegmentInfo): string {
    this.finishCurrent();
    const windowSec = Math.round((seg.segmentEndMs - seg.segmentStartMs) / 1000);
    const name = `${this.opts.venue}-${Math.floor(seg.segmentStartMs / 1000)}-${windowSec}s.jsonl.gz`;
    const file = path.join(this.opts.dir, name);
    const gzip = createGzip({ level: this.opts.level ?? 6 });
    const out = createWriteStream(file, { flags: "a" });
    gzip.pipe(out);
    this.gzip = gzip;
    this.out = out;
    this.files.push(file);
    gzip.write(
      `${JSON.stringify({ format: "mmp-frames", version: 1, venue: this.opts.venue, segmentStartMs: seg.segmentStartMs, segmentEndMs: seg.segmentEndMs, markets: seg.markets })}\n`,
    );
    return file;
  }

  /** Records one raw frame; `recvNs` is the clock reading taken when the frame arrived. */
  record(src: FrameSource, frame: string, recvNs: number): void {
    const g = this.gzip;
    if (g === undefined) return;
    this.frames++;
    this.chars += frame.length;
    g.write(`{"seq":${this.seq++},"src":"${src}","recvNs":"${this.epochNs(recvNs)}","frame":${JSON.stringify(frame)}}\n`);
  }

  /** Pushes buffered data to disk as a complete gzip block (readable after a crash). */
  flush(): void {
    this.gzip?.flush(constants.Z_SYNC_FLUSH);
  }

  /** Finishes the current file; resolves when every file is fully written. */
  async close(): Promise<void> {
    this.finishCurrent();
    await Promise.all(this.closing);
  }

  private finishCurrent(): void {
    const g = this.gzip;
    const out = this.out;
    this.gzip = undefined;
    this.out = undefined;
    if (g === undefined || out === undefined) return;
    this.closing.push(
      new Promise<void>((resolve, reject) => {
        out.on("finish", resolve);
        out.on("error", reject);
        g.end();
      }),
    );
  }
}
