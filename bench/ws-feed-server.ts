/**
 * Local market-channel feed for bench/ws.bench.ts, run as its own process so the clients
 * (Bun's WebSocket in the bench process, `ws` on Node in a child) never share its event loop.
 * Prints its port on stdout. A client sends `GO <n>`: the server answers with one `book`
 * snapshot frame for two tokens, then `n` V2 `price_change` frames as fast as the socket
 * drains, then the text `DONE`. Frames are built up front, so sending costs no JSON work.
 */
import type { ServerWebSocket } from "bun";
import { benchFrames } from "./ws-frames.ts";

interface Job {
  frames: string[];
  next: number;
}

const jobs = new Map<ServerWebSocket<unknown>, Job>();

function pump(ws: ServerWebSocket<unknown>): void {
  const job = jobs.get(ws);
  if (!job) return;
  while (job.next < job.frames.length) {
    const status = ws.send(job.frames[job.next] as string);
    job.next++;
    if (status === -1) return; // backpressure: resume on drain
  }
  jobs.delete(ws);
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (req, s) => (s.upgrade(req) ? undefined : new Response("ws only", { status: 400 })),
  websocket: {
    backpressureLimit: 4 * 1024 * 1024,
    message(ws, msg) {
      const text = String(msg);
      if (text === "PING") {
        ws.send("PONG");
        return;
      }
      const m = /^GO (\d+)$/.exec(text);
      if (!m) return;
      const { snapshot, deltas } = benchFrames(Number(m[1]));
      jobs.set(ws, { frames: [snapshot, ...deltas, "DONE"], next: 0 });
      pump(ws);
    },
    drain(ws) {
      pump(ws);
    },
    close(ws) {
      jobs.delete(ws);
    },
  },
});
console.log(String(server.port));
process.stdin.on("data", () => {}); // keeps the process alive until the parent closes stdin
process.stdin.on("end", () => {
  server.stop(true);
  process.exit(0);
});
