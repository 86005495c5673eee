// Node side of bench/ws.bench.ts: the `ws` package against the same local feed, running the
// same decode + book code (bundled from bench/ws-client-core.ts by the bench).
// usage: node bench/ws-node-client.mjs <port> <frames> <bundle.mjs> <tokenA> <tokenB>
import { WebSocket } from "ws";

const [port, framesArg, bundle, tokA, tokB] = process.argv.slice(2);
const n = Number(framesArg);
const { makeConsumer } = await import(bundle);
const consumer = makeConsumer([tokA, tokB]);
const samples = new Float64Array(n + 2);
let count = 0;
let firstNs = 0n;
let lastNs = 0n;
const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
ws.on("open", () => ws.send(`GO ${n}`));
ws.on("message", (data) => {
  const t0 = process.hrtime.bigint();
  const text = data.toString();
  if (text === "DONE") {
    lastNs = t0;
    const sorted = samples.subarray(0, count).sort();
    const q = (p) => sorted[Math.min(count - 1, Math.max(0, Math.ceil(p * count) - 1))];
    const seconds = Number(lastNs - firstNs) / 1e9;
    process.stdout.write(
      `${JSON.stringify({ frames: count, seconds, perSec: (count - 1) / seconds, p50Ns: q(0.5), p99Ns: q(0.99), bestBid: consumer.bestBid(tokA) })}\n`,
    );
    ws.close();
    return;
  }
  if (count === 0) firstNs = t0;
  consumer.consume(text);
  samples[count++] = Number(process.hrtime.bigint() - t0);
});
ws.on("close", () => process.exit(0));
ws.on("error", (e) => {
  process.stderr.write(`ws error: ${e.message}\n`);
  process.exit(1);
});
