/**
 * `cancel-all`: cancels every open order of the key and confirms none remain by reading the
 * open orders back from the exchange. With `--stop PID` it first stops a running bot
 * (SIGTERM, which makes it cancel and exit; waits for it to be gone), so one command stops
 * everything: quoting, orders, process.
 *
 * Order of work: read open orders → cancel by id in chunks when there are more than one
 * cancel-all may carry, then `DELETE /cancel-all` (it also catches orders placed meanwhile) →
 * read back → cancel the stragglers by id → read back, up to `--attempts` rounds. Exit 0 only
 * when the exchange lists no open order of the key.
 */
import { ConfigError, loadConfigFromProcess } from "../config.ts";
import type { OpenOrderRecord } from "../polymarket/rest-types.ts";
import { EXIT, type CliCommand } from "./command.ts";
import { OPERATOR_FLAGS_HELP, type OperatorSession, openSession, parseOperatorFlags } from "./operator-session.ts";

const HELP = `usage: bun run src/main.ts cancel-all [--stop PID] [--attempts 3] [flags]

Cancels every open order of the configured key and confirms none remain (re-reads
GET /data/orders). Exit 0: none remain. Exit 1: some remain (listed). Exit 4: the venue
could not be reached or refused the credentials. Exit 2: bad flags or configuration.

  --stop PID       first send SIGTERM to the bot with this process id and wait until it exits
                   (the bot cancels its own orders on SIGTERM; this command then makes sure)
  --attempts N     rounds of cancel + read-back before giving up (default 3)
${OPERATOR_FLAGS_HELP}

Examples:
  bun run src/main.ts cancel-all --venue polymarket
  bun run src/main.ts cancel-all --stop "$(cat data/mm.pid)"
  bun run src/main.ts cancel-all --venue sim --url http://127.0.0.1:8080`;

export interface CancelAllReport {
  readonly before: number;
  readonly cancelled: number;
  readonly rounds: number;
  readonly remaining: readonly OpenOrderRecord[];
  readonly notCancelled: ReadonlyArray<readonly [string, string]>;
  readonly stoppedPid: number | null;
}

/** The cancel-and-confirm loop over an open session (exported for tests). */
export async function cancelEverything(
  s: OperatorSession,
  attempts: number,
): Promise<{ ok: true; report: Omit<CancelAllReport, "stoppedPid"> } | { ok: false; reason: string }> {
  const first = await s.rest.getOpenOrders();
  if (!first.ok) return { ok: false, reason: `GET /data/orders: ${first.code}: ${first.reason}` };
  const before = first.value.length;
  let open = first.value;
  let cancelled = 0;
  const notCancelled = new Map<string, string>();
  let rounds = 0;
  for (; rounds < attempts; rounds++) {
    if (rounds > 0 && open.length === 0) break;
    const burst = s.rest.maxCancelAllItems();
    if (rounds > 0 || open.length > burst) {
      // Known ids first (chunked under the cancel burst); the sweep below catches the rest.
      const r = await s.rest.cancelOrders(open.map((o) => o.orderId));
      if (r.ok) {
        cancelled += r.value.canceled.length;
        for (const [id, why] of r.value.notCanceled) notCancelled.set(id, why);
      } else for (const o of open) notCancelled.set(o.orderId, `${r.code}: ${r.reason}`);
    }
    const all = await s.rest.cancelAll(Math.min(open.length, burst));
    if (all.ok) {
      cancelled += all.value.canceled.length;
      for (const [id, why] of all.value.notCanceled) notCancelled.set(id, why);
    }
    const again = await s.rest.getOpenOrders();
    if (!again.ok) return { ok: false, reason: `GET /data/orders (confirm): ${again.code}: ${again.reason}` };
    open = again.value;
    if (open.length === 0) {
      rounds++;
      break;
    }
  }
  for (const o of open) if (!notCancelled.has(o.orderId)) notCancelled.set(o.orderId, "still open after cancel");
  const stillOpen = new Set(open.map((o) => o.orderId));
  return {
    ok: true,
    report: { before, cancelled, rounds, remaining: open, notCancelled: [...notCancelled].filter(([id]) => stillOpen.has(id)) },
  };
}

/** Sends SIGTERM and waits (polling `kill(pid, 0)`) until the process is gone. */
export async function stopProcess(pid: number, timeoutMs: number): Promise<boolean> {
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
      throw e;
    }
  };
  if (!alive()) return true;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) return true;
    await Bun.sleep(50);
  }
  return !alive();
}

function render(r: CancelAllReport, json: boolean, venue: string): string {
  if (json) return JSON.stringify({ venue, ...r, remaining: r.remaining.map((o) => o.orderId), ok: r.remaining.length === 0 });
  const lines = [
    ...(r.stoppedPid !== null ? [`stopped bot process ${r.stoppedPid}`] : []),
    `open orders before: ${r.before}`,
    `cancelled: ${r.cancelled} (in ${r.rounds} round${r.rounds === 1 ? "" : "s"})`,
  ];
  if (r.remaining.length === 0) lines.push("confirmed: the exchange lists no open order for this key");
  else {
    lines.push(`NOT CONFIRMED: ${r.remaining.length} order(s) still open:`);
    const why = new Map(r.notCancelled);
    for (const o of r.remaining)
      lines.push(`  ${o.orderId} ${o.side} ${o.tokenId.slice(0, 12)}… @ ${o.priceE4 / 1e4}: ${why.get(o.orderId) ?? "?"}`);
  }
  return lines.join("\n");
}

export const command: CliCommand = {
  name: "cancel-all",
  summary: "cancel every open order of the key and confirm none remain",
  help: HELP,
  async run(argv) {
    const flags = parseOperatorFlags(argv);
    if (typeof flags === "string") {
      console.error(`cancel-all: ${flags}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let attempts = 3;
    let stopPid: number | null = null;
    for (let i = 0; i < flags.rest.length; i++) {
      const a = flags.rest[i];
      const v = Number(flags.rest[i + 1]);
      if (a === "--attempts" && Number.isInteger(v) && v >= 1 && v <= 20) attempts = v;
      else if (a === "--stop" && Number.isInteger(v) && v > 1) stopPid = v;
      else {
        console.error(
          `cancel-all: bad flag ${JSON.stringify(a)}${a === "--attempts" || a === "--stop" ? ` ${JSON.stringify(flags.rest[i + 1])}` : ""}\n\n${HELP}`,
        );
        return EXIT.USAGE;
      }
      i++;
    }
    let cfg: ReturnType<typeof loadConfigFromProcess>;
    try {
      cfg = loadConfigFromProcess();
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`cancel-all: configuration: ${e.message}`);
        return EXIT.USAGE;
      }
      throw e;
    }
    if (stopPid !== null) {
      const gone = await stopProcess(stopPid, Math.max(10_000, flags.timeoutMs * 3));
      if (!gone)
        console.error(`cancel-all: process ${stopPid} did not exit after SIGTERM; cancelling anyway (it may quote again: kill it)`);
    }
    const s = await openSession(cfg, flags);
    if (!s.ok) {
      console.error(`cancel-all: ${s.reason}`);
      return s.code === "NO_KEY" ? EXIT.USAGE : EXIT.VENUE;
    }
    try {
      const out = await cancelEverything(s.value, attempts);
      if (!out.ok) {
        console.error(`cancel-all: ${out.reason}`);
        return EXIT.VENUE;
      }
      const report: CancelAllReport = { ...out.report, stoppedPid: stopPid };
      console.log(render(report, flags.json, s.value.endpoints.rest));
      return report.remaining.length === 0 ? EXIT.OK : EXIT.FAILURE;
    } finally {
      await s.value.close();
    }
  },
};
