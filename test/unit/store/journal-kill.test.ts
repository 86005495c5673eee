/**
 * Durability claim of the journal: with WAL + synchronous=NORMAL, an intent whose `intent()`
 * call returned survives `kill -9` of the process. A child process writes intents and reports
 * each one on stdout after the call returns; the test kills it with SIGKILL mid-stream,
 * reopens the file and finds every reported intent, open and pending.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ManualClock } from "../../../src/core/clock.ts";
import { Journal } from "../../../src/store/journal.ts";

const dir = mkdtempSync(join(tmpdir(), "mmp-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("every intent reported written survives kill -9; the crashed run is listed as unclean", async () => {
  const path = join(dir, "journal-sim.sqlite");
  const journalTs = resolve(import.meta.dir, "../../../src/store/journal.ts");
  const clockTs = resolve(import.meta.dir, "../../../src/core/clock.ts");
  const script = join(dir, "writer.ts");
  writeFileSync(
    script,
    `import { Journal } from ${JSON.stringify(journalTs)};
import { SystemClock } from ${JSON.stringify(clockTs)};
const r = Journal.open({ path: ${JSON.stringify(path)}, mode: "sim", clock: new SystemClock() });
if (!r.ok) throw new Error(r.reason);
const j = r.value;
j.startRun("mm", "kill-test");
for (let i = 0; ; i++) {
  j.intent({ clientId: "c" + String(i).padStart(8, "0"), conditionId: "0xc", tokenId: "t", side: "BUY", priceE4: 4500, sizeE6: 10_000_000, orderType: "GTC", postOnly: true, expirationSec: 0 });
  process.stdout.write(i + "\\n");
  if (i % 50 === 0) await Bun.sleep(0);
}
`,
  );
  const child = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let text = "";
  let lastReported = -1;
  while (lastReported < 2_000) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const lines = text.split("\n");
    text = lines.pop() ?? "";
    if (lines.length > 0) lastReported = Number(lines.at(-1));
  }
  child.kill("SIGKILL");
  await child.exited;
  expect(child.signalCode).toBe("SIGKILL");
  expect(lastReported).toBeGreaterThanOrEqual(2_000);

  const r = Journal.open({ path, mode: "sim", clock: new ManualClock() });
  if (!r.ok) throw new Error(r.reason);
  const j = r.value;
  const open = j.openIntents();
  expect(open.length).toBeGreaterThan(lastReported); // 0..lastReported at least
  expect(open.slice(0, lastReported + 1).map((i) => i.clientId)).toEqual(
    Array.from({ length: lastReported + 1 }, (_, i) => `c${String(i).padStart(8, "0")}`),
  );
  expect(open.every((i) => i.state === "pending")).toBe(true);
  j.startRun("mm", "restart");
  expect(j.uncleanRuns().map((u) => u.version)).toEqual(["kill-test"]);
  expect(j.unknownIntents().length).toBe(open.length);
  j.close();
});
