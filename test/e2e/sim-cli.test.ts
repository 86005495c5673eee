/**
 * `bun run src/main.ts sim --port 0 --seed 1 --speed 60` prints its URLs, serves, and stops
 * cleanly (exit 0) on SIGTERM.
 */
import { expect, test } from "bun:test";
import path from "node:path";

const ROOT = path.resolve(import.meta.dir, "../..");

test("the sim command serves until SIGTERM", async () => {
  const proc = Bun.spawn([process.execPath, "run", "src/main.ts", "sim", "--port", "0", "--seed", "1", "--speed", "60", "--no-flow"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("ws_rtds=")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  const rest = /rest=(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
  expect(rest).toBeDefined();
  expect(text).toMatch(/ws_market=ws:\/\/127\.0\.0\.1:\d+\/ws\/market/);
  const ok = await fetch(`${rest}/ok`);
  expect(await ok.text()).toBe("OK");
  const markets = (await (await fetch(`${rest}/gamma/markets?closed=false`)).json()) as unknown[];
  expect(markets.length).toBeGreaterThan(0);
  proc.kill("SIGTERM");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  expect(await proc.exited).toBe(0);
  expect(text).toContain('"event":"sim_stopped"');
});
