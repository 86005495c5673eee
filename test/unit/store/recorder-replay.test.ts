import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { ManualClock } from "../../../src/core/clock.ts";
import { Recorder } from "../../../src/store/recorder.ts";
import { type FrameSource, type ReplayFrame, readHeader, replay } from "../../../src/store/replay.ts";

const SHARED = path.resolve(import.meta.dir, "../../../../shared");
const WS = path.join(SHARED, "data/ws");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "mmp-rec-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function collect(target: string): Promise<ReplayFrame[]> {
  const out: ReplayFrame[] = [];
  for await (const f of replay(target)) out.push(f);
  return out;
}

describe("recorder → replay round trip", () => {
  test("every frame comes back byte for byte, in order, with exact epoch-ns receive times, across segments", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(
            fc.constantFrom<FrameSource>("market", "rtds", "user"),
            fc.string({ unit: "binary", maxLength: 200 }),
            fc.integer({ min: 0, max: 5_000 }),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (frames, segments) => {
          const dir = tempDir();
          const clock = new ManualClock(1_786_856_400_000);
          const rec = new Recorder({ dir, clock, venue: "test", level: 1 });
          const expected: Array<{ src: FrameSource; frame: string; recvNs: string }> = [];
          const perSeg = Math.ceil(frames.length / segments);
          for (const [i, [src, frame, gapUs]] of frames.entries()) {
            if (i % perSeg === 0) {
              const seg = Math.floor(i / perSeg);
              rec.roll({
                segmentStartMs: 1_786_856_400_000 + seg * 300_000,
                segmentEndMs: 1_786_856_700_000 + seg * 300_000,
                markets: [{ seg }],
              });
            }
            clock.advanceTo(clock.nowNs() + gapUs * 1000 + 1);
            const recvNs = clock.nowNs();
            rec.record(src, frame, recvNs);
            expected.push({ src, frame, recvNs: (1_786_856_400_000n * 1_000_000n + BigInt(recvNs)).toString() });
          }
          await rec.close();
          const got = await collect(dir);
          expect(got.length).toBe(expected.length);
          for (const [i, g] of got.entries()) {
            const e = expected[i];
            if (!e) throw new Error("length checked above");
            expect(g.seq).toBe(i);
            expect(g.src).toBe(e.src);
            expect(g.recvNs).toBe(e.recvNs);
            expect(Buffer.from(g.frame, "utf8").equals(Buffer.from(e.frame, "utf8"))).toBe(true);
          }
          expect(rec.files.length).toBe(Math.ceil(frames.length / perSeg));
          const header = await readHeader(rec.files[0] ?? "");
          expect(header).toMatchObject({ format: "mmp-frames", version: 1, venue: "test", segmentStartMs: 1_786_856_400_000 });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("replay reads the shared recordings (../shared/data/ws)", () => {
  test("recorder-session envelopes: sources, order and exact epoch-ns receive times", async () => {
    const frames = await collect(path.join(WS, "jonahgrigoryan_v2_session_raw_2026-04-28T1404Z_btc-eth-sol-15m_prewindow.jsonl.gz"));
    expect(frames.length).toBe(126);
    const bySrc: Record<string, number> = {};
    for (const f of frames) bySrc[f.src] = (bySrc[f.src] ?? 0) + 1;
    expect(bySrc).toEqual({ market: 51, rtds: 45, spot: 30 });
    // The first envelope's recv_mono_ns is 1777385040882742000 (> 2^53): kept exactly as text.
    expect(frames[0]?.recvNs).toBe("1777385040882742000");
    expect(frames[0]?.frame.startsWith('{"market":"0x62be8eeaad2a4a0f')).toBe(true);
    for (let i = 1; i < frames.length; i++) {
      expect(BigInt(frames[i]?.recvNs ?? "0") >= BigInt(frames[i - 1]?.recvNs ?? "0")).toBe(true);
    }
  });

  test("plain JSONL frames and single-frame .json files", async () => {
    const burst = await collect(path.join(WS, "nautilus_v2_ws_market_burst_0x285746de_2026-09-29.jsonl"));
    expect(burst.length).toBe(51);
    expect(burst[0]?.timeFrom).toBe("exchange");
    expect(burst[0]?.recvNs).toBe("1790658661234000000");
    const lines = (await Bun.file(path.join(WS, "nautilus_v2_ws_market_burst_0x285746de_2026-09-29.jsonl")).text())
      .split("\n")
      .filter((l) => l);
    expect(burst.map((f) => f.frame)).toEqual(lines);
    const capturo = await collect(path.join(WS, "elcapturo_v1_ws_market_bitcoin-up-or-down-july-2-11pm-et_2025-07-03.jsonl"));
    expect(capturo.length).toBe(154);
    const single = await collect(path.join(WS, "nautilus_v1_ws_tick_size_change_2025-02-09.json"));
    expect(single.length).toBe(1);
    expect(single[0]?.frame).toBe(await Bun.file(path.join(WS, "nautilus_v1_ws_tick_size_change_2025-02-09.json")).text());
  });
});
