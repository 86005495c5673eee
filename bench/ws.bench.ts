/**
 * Market-data hot path end to end on loopback: frames/s and frame arrival → book updated
 * (p50/p99) for Bun's native WebSocket (our FastWebSocket + PolymarketMarketFeed: decode,
 * books in place, tick ring, callbacks) against the `ws` package on Node running the same
 * decode + book code (bundled from bench/ws-client-core.ts), fed by the same local feed
 * process (bench/ws-feed-server.ts) in the same run.
 *
 * What "arrival → book updated" measures: from the first instruction of the message handler
 * to the book being updated. On Node that includes `Buffer → string` (ws hands us a Buffer);
 * Bun hands the handler a string already. Frames/s is from the first to the last frame.
 */
import path from "node:path";
import type { Subprocess } from "bun";
import { SystemClock } from "../src/core/clock.ts";
import type { MarketInfo } from "../src/core/ports.ts";
import { FastWebSocket } from "../src/net/fast-ws.ts";
import { PolymarketMarketFeed } from "../src/polymarket/market-feed.ts";
import type { BenchContext } from "./harness.ts";
import { BENCH_NO, BENCH_YES } from "./ws-frames.ts";

interface SideResult {
  frames: number;
  perSec: number;
  p50Ns: number;
  p99Ns: number;
}

const MARKET: MarketInfo = {
  conditionId: "0x285746de0e4f751fd4dc8f9dc2cecd0101ba9ad0096a43145ed9643b09514f01",
  slug: "bench",
  question: "bench",
  underlying: "",
  windowSec: 0,
  yesTokenId: BENCH_YES,
  noTokenId: BENCH_NO,
  outcomes: ["Yes", "No"],
  tickE4: 100,
  minSizeE6: 5_000_000,
  negRisk: false,
  exchangeVersion: 2,
  startMs: 0,
  endMs: 0,
  feeRate: 0,
  feeExponent: 1,
  rebateRate: 0,
  resolution: "price_at_end",
};

function percentile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] ?? 0;
}

async function startFeed(): Promise<{ port: number; proc: Subprocess<"pipe", "pipe", "inherit"> }> {
  const proc = Bun.spawn(["bun", path.join(import.meta.dir, "ws-feed-server.ts")], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("feed server exited before printing its port");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { port: Number(text.trim()), proc };
}

function runBun(port: number, n: number): Promise<SideResult> {
  const clock = new SystemClock();
  const feed = new PolymarketMarketFeed({ clock, url: "ws://unused" });
  feed.subscribe([MARKET]);
  let updates = 0;
  feed.onPriceUpdate(() => {
    updates++;
  });
  const samples = new Float64Array(n + 2);
  let count = 0;
  let firstNs = 0;
  return new Promise<SideResult>((resolve, reject) => {
    const ws = new FastWebSocket({
      url: `ws://127.0.0.1:${port}`,
      clock,
      name: "bench",
      handshake: () => [`GO ${n}`],
      onConnection: (ev) => {
        if (ev.state === "disconnected" && count < n) reject(new Error(`bench socket lost: ${ev.reason}`));
      },
      onFrame: (text, recvNs) => {
        const t0 = Bun.nanoseconds();
        if (text === "DONE") {
          const seconds = (t0 - firstNs) / 1e9;
          ws.close();
          const sorted = samples.subarray(0, count).sort();
          if (updates === 0) reject(new Error("no book updates"));
          resolve({ frames: count, perSec: (count - 1) / seconds, p50Ns: percentile(sorted, 0.5), p99Ns: percentile(sorted, 0.99) });
          return;
        }
        if (count === 0) firstNs = t0;
        feed.onFrame(text, recvNs);
        samples[count++] = Bun.nanoseconds() - t0;
      },
    });
    ws.start();
  });
}

async function runNode(port: number, n: number, bundle: string): Promise<SideResult> {
  const proc = Bun.spawn(["node", path.join(import.meta.dir, "ws-node-client.mjs"), String(port), String(n), bundle, BENCH_YES, BENCH_NO], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, errText, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`node client exited ${code}: ${errText.trim()}`);
  return JSON.parse(out.trim()) as SideResult;
}

export default async function (b: BenchContext): Promise<void> {
  const n = b.quick ? 20_000 : 100_000;
  const outDir = path.join(import.meta.dir, ".last");
  const built = await Bun.build({
    entrypoints: [path.join(import.meta.dir, "ws-client-core.ts")],
    target: "node",
    format: "esm",
    outdir: outDir,
    naming: "ws-client-core.node.mjs",
  });
  if (!built.success) throw new Error(`bundling the Node consumer failed: ${built.logs.map(String).join("; ")}`);
  const bundle = path.join(outDir, "ws-client-core.node.mjs");
  const { port, proc } = await startFeed();
  try {
    // Warm both sides once (JIT, TCP), then measure.
    await runBun(port, 5_000);
    await runNode(port, 5_000, bundle);
    const bun = await runBun(port, n);
    const node = await runNode(port, n, bundle);
    const ref = { name: "ws on Node (same decode+book)", ...node };
    b.report(
      "frame→book, Bun WebSocket",
      { p50Ns: bun.p50Ns, p99Ns: bun.p99Ns, perSec: bun.perSec },
      { budget: "ws.frame-to-book", reference: ref, unit: "frame" },
    );
    b.report(
      "frames per second, Bun WebSocket",
      { perSec: bun.perSec },
      { budget: "ws.frames-per-sec", reference: { name: ref.name, perSec: node.perSec }, unit: "frame" },
    );
    console.log(
      JSON.stringify({
        bench: "ws",
        frames: n,
        bun: { perSec: Math.round(bun.perSec), p50Ns: bun.p50Ns, p99Ns: bun.p99Ns },
        node: { perSec: Math.round(node.perSec), p50Ns: node.p50Ns, p99Ns: node.p99Ns },
        bunOverNodeFramesPerSec: Number((bun.perSec / node.perSec).toFixed(2)),
      }),
    );
  } finally {
    proc.stdin.end();
    await proc.exited;
  }
}
