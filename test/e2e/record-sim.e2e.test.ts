import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { replay } from "../../src/store/replay.ts";

const MAIN = path.resolve(import.meta.dir, "../../src/main.ts");

test("record --venue sim writes non-empty segments that replay, and exits 0", async () => {
  const out = mkdtempSync(path.join(tmpdir(), "mmp-rec-"));
  try {
    const proc = Bun.spawn([process.execPath, "run", MAIN, "record", "--venue", "sim", "--duration", "3s", "--out", out], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, SIM_SEED: "7" },
    });
    expect(await proc.exited).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith(".jsonl.gz"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(statSync(path.join(out, f)).size).toBeGreaterThan(0);
    const srcs = new Map<string, number>();
    for await (const fr of replay(out)) srcs.set(fr.src, (srcs.get(fr.src) ?? 0) + 1);
    expect(srcs.get("market") ?? 0).toBeGreaterThan(0);
    expect(srcs.get("rtds") ?? 0).toBeGreaterThan(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 30_000);
