/**
 * `mm --venue sim --paper`: the simulator's public feed in, paper fills, no order sent to the
 * simulator (the library-level proof that nothing is sent is test/e2e/paper-no-orders; this
 * checks the command wires that venue and exits cleanly).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const MAIN = path.resolve(import.meta.dir, "../../src/main.ts");

test("mm --venue sim --paper runs the paper venue on the simulator's public feed and exits 0", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mmp-paper-"));
  try {
    const summary = path.join(dir, "s.json");
    const proc = Bun.spawn(
      [
        process.execPath,
        "run",
        MAIN,
        "mm",
        "--venue",
        "sim",
        "--paper",
        "--speed",
        "20",
        "--duration",
        "4s",
        "--no-status",
        "--summary-json",
        summary,
      ],
      {
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, LOG_DIR: path.join(dir, "logs"), JOURNAL_PATH: path.join(dir, "j.sqlite"), MM_WINDOWS: "5m" },
      },
    );
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code, err.slice(-1500)).toBe(0);
    expect(err).toContain("paper fills: no order is sent to the simulator");
    const s = JSON.parse(readFileSync(summary, "utf8")) as { markets: number; openOrdersAtExit: number };
    expect(s.markets).toBeGreaterThan(0);
    expect(s.openOrdersAtExit).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
