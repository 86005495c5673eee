/**
 * Journals on disk for store tests: one temp directory per test file, removed after its
 * tests, and `open()` for a fresh `sim` journal in it on a `ManualClock`.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.ts";
import { Journal } from "../../src/store/journal.ts";

export interface TempJournals {
  readonly dir: string;
  /** Opens (creating) a `sim` journal; a new file unless `path` is given. Throws if it cannot. */
  open(path?: string, clock?: ManualClock): { j: Journal; clock: ManualClock; path: string };
}

export function tempJournals(prefix: string): TempJournals {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return {
    dir,
    open(path = join(dir, `j${n++}.sqlite`), clock = new ManualClock()) {
      const r = Journal.open({ path, mode: "sim", clock });
      if (!r.ok) throw new Error(r.reason);
      return { j: r.value, clock, path };
    },
  };
}
