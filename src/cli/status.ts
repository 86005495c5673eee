/**
 * `status`: positions, open orders and P&L as the exchange sees them and as the journal
 * recorded them, side by side, with the same comparison the startup reconcile makes
 * (a token's exchange balance must lie between the journal's confirmed and
 * confirmed + pending position). Read-only: it cancels and writes nothing (the journal is
 * opened for SELECTs; its checkpoints stay with the bot).
 *
 * P&L: cash flow of our fills plus the position marked at the book's mid. From the
 * exchange it is computed over `--since` (default 24 h) from `GET /data/trades`, before
 * fees; from the journal over every fill it holds, fees included.
 */
import { existsSync } from "node:fs";
import { Database } from "bun:sqlite";
import { ConfigError, loadConfigFromProcess } from "../config.ts";
import { formatFixed, notionalE6, type SizeE6, type UsdE6 } from "../core/units.ts";
import type { OpenOrderRecord } from "../polymarket/rest-types.ts";
import type { UserTradeEvent } from "../polymarket/user-channel.ts";
import { type JournaledIntent, Journal, type PositionRow, type RunInfo } from "../store/journal.ts";
import { forEachOurLeg, type OurTradeLeg } from "../store/recovery.ts";
import { EXIT, type CliCommand } from "./command.ts";
import { OPERATOR_FLAGS_HELP, type OperatorSession, openSession, parseOperatorFlags } from "./operator-session.ts";

const HELP = `usage: bun run src/main.ts status [--since 24h] [flags]

Prints, from the exchange: collateral, open orders, token balances, our fills since --since
and their P&L at the mid; from the journal (JOURNAL_PATH or --journal): runs (and crashed
ones), open intents, positions and P&L; then where the two disagree. Read-only.

  --since D        how far back to read trades from the exchange (30m, 24h, 7d; default 24h)
${OPERATOR_FLAGS_HELP}

Exit 0 (also when they disagree: the lines say MISMATCH), 4 when the venue cannot be read,
2 on bad flags or configuration.`;

/** One of our fills read from a trade record (taker side, or one of our maker entries). */
export interface OurFill extends OurTradeLeg {
  readonly status: string;
}

/** Our fills in exchange trade records (`forEachOurLeg`), FAILED trades left out. */
export function ourFillsOf(trades: readonly UserTradeEvent[], apiKey: string, makerAddress: string): OurFill[] {
  const out: OurFill[] = [];
  forEachOurLeg(trades, apiKey, makerAddress, (t, leg) => {
    if (t.status !== "FAILED") out.push({ ...leg, status: t.status });
  });
  return out;
}

/** Net shares and cash flow per token from fills (cash negative when buying). */
export function flowsOf(fills: readonly OurFill[]): Map<string, { sharesE6: SizeE6; cashE6: UsdE6 }> {
  const m = new Map<string, { sharesE6: SizeE6; cashE6: UsdE6 }>();
  for (const f of fills) {
    const e = m.get(f.tokenId) ?? { sharesE6: 0, cashE6: 0 };
    const sign = f.side === "BUY" ? 1 : -1;
    e.sharesE6 += sign * f.sizeE6;
    e.cashE6 -= sign * notionalE6(f.sizeE6, f.priceE4);
    m.set(f.tokenId, e);
  }
  return m;
}

/** Whether an exchange balance agrees with the journal (the reconcile rule). */
export function positionAgrees(exchangeE6: SizeE6, j: PositionRow | undefined, toleranceE6 = 0): boolean {
  const confirmed = j?.confirmedE6 ?? 0;
  const pending = j?.pendingE6 ?? 0;
  const lo = Math.min(confirmed, confirmed + pending) - toleranceE6;
  const hi = Math.max(confirmed, confirmed + pending) + toleranceE6;
  return exchangeE6 >= lo && exchangeE6 <= hi;
}

export function parseDurationMs(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86_400e3 }[(m[2] ?? "ms") as "ms" | "s" | "m" | "h" | "d"];
  const v = Number(m[1]) * unit;
  return Number.isFinite(v) && v > 0 ? Math.round(v) : undefined;
}

/** A 6-decimal amount with exactly two decimals (cents / hundredths of a share), rounded half away from zero. */
export function fixed2(e6: number): string {
  const c = Math.round(Math.abs(e6) / 10_000);
  return `${e6 < 0 && c > 0 ? "-" : ""}${Math.floor(c / 100)}.${String(c % 100).padStart(2, "0")}`;
}
const usd = (e6: number): string => (fixed2(e6).startsWith("-") ? `-$${fixed2(e6).slice(1)}` : `$${fixed2(e6)}`);
const shares = fixed2;
const short = (id: string): string => (id.length > 14 ? `${id.slice(0, 10)}…${id.slice(-4)}` : id);

export interface JournalView {
  readonly path: string;
  readonly mode: string;
  readonly runs: readonly RunInfo[];
  readonly unclean: readonly RunInfo[];
  readonly openIntents: readonly JournaledIntent[];
  readonly positions: ReadonlyMap<string, PositionRow>;
  readonly riskEvents: ReadonlyArray<{ atMs: number; kind: string; market: string }>;
}

/** Reads the journal without writing to it; undefined when there is none at `path`. */
export function readJournal(path: string, clock: OperatorSession["clock"]): JournalView | string | undefined {
  if (!existsSync(path)) return undefined;
  let mode: string | undefined;
  const ro = new Database(path, { readonly: true });
  try {
    mode = ro.query<{ value: string }, []>("SELECT value FROM meta WHERE key = 'mode'").get()?.value;
  } catch (e) {
    return `journal ${path} cannot be read: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    ro.close();
  }
  if (mode === undefined) return `journal ${path} has no mode (not a journal?)`;
  const j = Journal.open({ path, mode, clock, checkpoints: "manual" });
  if (!j.ok) return j.reason;
  try {
    const runs = j.value
      .select<{
        run_id: number;
        started_at_ms: number;
        stopped_at_ms: number | null;
        stop_reason: string | null;
        bot: string;
        version: string;
      }>("SELECT run_id, started_at_ms, stopped_at_ms, stop_reason, bot, version FROM runs ORDER BY run_id DESC LIMIT 5")
      .map((r) => ({
        runId: r.run_id,
        startedAtMs: r.started_at_ms,
        stoppedAtMs: r.stopped_at_ms,
        stopReason: r.stop_reason,
        bot: r.bot,
        version: r.version,
      }));
    return {
      path,
      mode,
      runs,
      unclean: j.value.uncleanRuns(),
      openIntents: j.value.openIntents(),
      positions: j.value.positions(),
      riskEvents: j.value.riskEvents(10),
    };
  } finally {
    j.value.close();
  }
}

export interface StatusReport {
  readonly venue: string;
  readonly address: string;
  readonly collateralE6: UsdE6;
  readonly openOrders: readonly OpenOrderRecord[];
  readonly balancesE6: ReadonlyMap<string, SizeE6>;
  readonly midsE4: ReadonlyMap<string, number>;
  readonly fills: readonly OurFill[];
  readonly sinceMs: number;
  readonly journal: JournalView | string | undefined;
  readonly mismatches: readonly string[];
}

/** Gathers everything `status` prints (exported for tests). */
export async function gatherStatus(s: OperatorSession, journalPath: string, sinceMs: number): Promise<StatusReport | string> {
  const [orders, cash, trades] = await Promise.all([
    s.rest.getOpenOrders(),
    s.rest.getBalanceAllowance("COLLATERAL"),
    s.rest.getTrades({ after: Math.floor(sinceMs / 1000) }),
  ]);
  if (!orders.ok) return `GET /data/orders: ${orders.code}: ${orders.reason}`;
  if (!cash.ok) return `GET /balance-allowance: ${cash.code}: ${cash.reason}`;
  if (!trades.ok) return `GET /data/trades: ${trades.code}: ${trades.reason}`;
  const fills = ourFillsOf(trades.value, s.creds.key, s.makerAddress);
  const journal = readJournal(journalPath, s.clock);
  const tokens = new Set<string>([...orders.value.map((o) => o.tokenId), ...fills.map((f) => f.tokenId)]);
  if (typeof journal === "object") for (const t of journal.positions.keys()) tokens.add(t);
  const balancesE6 = new Map<string, SizeE6>();
  const midsE4 = new Map<string, number>();
  await Promise.all(
    [...tokens].map(async (t) => {
      const [b, book] = await Promise.all([s.rest.getBalanceAllowance("CONDITIONAL", t), s.rest.getBook(t)]);
      if (b.ok) balancesE6.set(t, b.value.balanceE6);
      if (book.ok) {
        const bid = Math.max(0, ...book.value.bids.pricesE4);
        const ask = Math.min(10_000, ...book.value.asks.pricesE4);
        midsE4.set(t, (bid + ask) / 2);
      }
    }),
  );
  const mismatches: string[] = [];
  if (typeof journal === "object") {
    for (const t of tokens) {
      const ex = balancesE6.get(t);
      if (ex === undefined) {
        mismatches.push(`token ${short(t)}: exchange balance unavailable`);
        continue;
      }
      const j = journal.positions.get(t);
      if (!positionAgrees(ex, j))
        mismatches.push(
          `MISMATCH token ${short(t)}: exchange ${shares(ex)} shares, journal ${shares(j?.confirmedE6 ?? 0)} confirmed + ${shares(j?.pendingE6 ?? 0)} pending`,
        );
    }
    const onExchange = new Set(orders.value.map((o) => o.orderId));
    const live = journal.openIntents.filter((i) => i.state === "live");
    for (const i of live)
      if (i.orderHash !== "" && !onExchange.has(i.orderHash))
        mismatches.push(`MISMATCH journal order ${short(i.orderHash)} is live in the journal but not open on the exchange`);
    const known = new Set(journal.openIntents.map((i) => i.orderHash));
    for (const o of orders.value)
      if (!known.has(o.orderId))
        mismatches.push(`MISMATCH exchange order ${short(o.orderId)} is open but not an open intent in the journal`);
  }
  return {
    venue: s.endpoints.rest,
    address: s.signer.address,
    collateralE6: cash.value.balanceE6,
    openOrders: orders.value,
    balancesE6,
    midsE4,
    fills,
    sinceMs,
    journal,
    mismatches,
  };
}

function pnlAtMid(flows: ReadonlyMap<string, { sharesE6: number; cashE6: number }>, mids: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const [t, f] of flows) total += f.cashE6 + (f.sharesE6 * (mids.get(t) ?? 0)) / 10_000;
  return total;
}

export function renderStatus(r: StatusReport, json: boolean): string {
  const flows = flowsOf(r.fills);
  const exPnl = pnlAtMid(flows, r.midsE4);
  const j = typeof r.journal === "object" ? r.journal : undefined;
  const jFlows = new Map<string, { sharesE6: number; cashE6: number }>();
  if (j) for (const [t, p] of j.positions) jFlows.set(t, { sharesE6: p.confirmedE6 + p.pendingE6, cashE6: p.cashE6 });
  const jPnl = pnlAtMid(jFlows, r.midsE4);
  if (json) {
    return JSON.stringify({
      venue: r.venue,
      address: r.address,
      exchange: {
        collateralE6: r.collateralE6,
        openOrders: r.openOrders,
        balancesE6: Object.fromEntries(r.balancesE6),
        midsE4: Object.fromEntries(r.midsE4),
        fillsSince: new Date(r.sinceMs).toISOString(),
        fills: r.fills.length,
        pnlAtMidBeforeFeesE6: Math.round(exPnl),
      },
      journal: j
        ? {
            path: j.path,
            mode: j.mode,
            runs: j.runs,
            uncleanRuns: j.unclean,
            openIntents: j.openIntents.length,
            positions: Object.fromEntries(j.positions),
            pnlAtMidE6: Math.round(jPnl),
            riskEvents: j.riskEvents,
          }
        : (r.journal ?? null),
      mismatches: r.mismatches,
    });
  }
  const L: string[] = [
    `venue ${r.venue}, key ${r.address}`,
    "",
    "EXCHANGE",
    `  collateral: ${usd(r.collateralE6)}`,
    `  open orders: ${r.openOrders.length}`,
  ];
  for (const o of r.openOrders)
    L.push(
      `    ${short(o.orderId)}  ${o.side.padEnd(4)} ${shares(o.originalSizeE6)} @ ${formatFixed(o.priceE4, 4)}  matched ${shares(o.matchedSizeE6)}  token ${short(o.tokenId)}`,
    );
  L.push(`  token balances:${r.balancesE6.size === 0 ? " none" : ""}`);
  for (const [t, b] of r.balancesE6)
    L.push(`    ${short(t)}  ${shares(b)} shares  mid ${r.midsE4.has(t) ? formatFixed(Math.round(r.midsE4.get(t) ?? 0), 4) : "?"}`);
  L.push(
    `  fills since ${new Date(r.sinceMs).toISOString()}: ${r.fills.length} (${r.fills.filter((f) => f.side === "BUY").length} buys, ${r.fills.filter((f) => f.side === "SELL").length} sells)`,
  );
  L.push(`  P&L at mid, before fees, over that period: ${usd(exPnl)}`);
  L.push("", "JOURNAL");
  if (r.journal === undefined) L.push("  none found (the bot has not run with this JOURNAL_PATH)");
  else if (typeof r.journal === "string") L.push(`  unreadable: ${r.journal}`);
  else if (j) {
    L.push(`  ${j.path} (mode ${j.mode})`);
    for (const run of j.runs)
      L.push(
        `  run #${run.runId} ${run.bot} started ${new Date(run.startedAtMs).toISOString()} ${run.stoppedAtMs === null ? "— no stop marker (running or crashed)" : `stopped ${new Date(run.stoppedAtMs).toISOString()} (${run.stopReason ?? ""})`}`,
      );
    if (j.unclean.length > 0)
      L.push(`  runs that ended without a stop marker (crash / kill -9): ${j.unclean.map((u) => `#${u.runId}`).join(", ")}`);
    const byState = new Map<string, number>();
    for (const i of j.openIntents) byState.set(i.state, (byState.get(i.state) ?? 0) + 1);
    L.push(
      `  open intents: ${j.openIntents.length}${byState.size > 0 ? ` (${[...byState].map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}`,
    );
    L.push(`  positions:${j.positions.size === 0 ? " none" : ""}`);
    for (const [t, p] of j.positions)
      L.push(`    ${short(t)}  ${shares(p.confirmedE6)} confirmed  ${shares(p.pendingE6)} pending  cash ${usd(p.cashE6)}`);
    L.push(`  P&L at mid, fees included: ${usd(jPnl)}`);
    for (const e of j.riskEvents) L.push(`  risk ${new Date(e.atMs).toISOString()} ${e.kind} ${e.market}`);
  }
  L.push("", "EXCHANGE vs JOURNAL");
  if (!j) L.push("  (no journal to compare)");
  else if (r.mismatches.length === 0) L.push("  agree: balances within the journal's confirmed..confirmed+pending, open orders match");
  else for (const m of r.mismatches) L.push(`  ${m}`);
  return L.join("\n");
}

export const command: CliCommand = {
  name: "status",
  summary: "positions, open orders and P&L from the exchange and the journal",
  help: HELP,
  async run(argv) {
    const flags = parseOperatorFlags(argv);
    if (typeof flags === "string") {
      console.error(`status: ${flags}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let sinceMsAgo = 86_400_000;
    for (let i = 0; i < flags.rest.length; i += 2) {
      const d = flags.rest[i] === "--since" ? parseDurationMs(flags.rest[i + 1] ?? "") : undefined;
      if (d === undefined) {
        console.error(`status: bad flag ${JSON.stringify(flags.rest[i])}\n\n${HELP}`);
        return EXIT.USAGE;
      }
      sinceMsAgo = d;
    }
    let cfg: ReturnType<typeof loadConfigFromProcess>;
    try {
      cfg = loadConfigFromProcess();
    } catch (e) {
      if (e instanceof ConfigError) {
        console.error(`status: configuration: ${e.message}`);
        return EXIT.USAGE;
      }
      throw e;
    }
    const s = await openSession(cfg, flags);
    if (!s.ok) {
      console.error(`status: ${s.reason}`);
      return s.code === "NO_KEY" ? EXIT.USAGE : EXIT.VENUE;
    }
    try {
      const t = await s.value.rest.getServerTime();
      const nowMs = t.ok ? t.value * 1000 : s.value.clock.wallMs();
      const r = await gatherStatus(s.value, flags.journal ?? cfg.ops.journalPath, nowMs - sinceMsAgo);
      if (typeof r === "string") {
        console.error(`status: ${r}`);
        return EXIT.VENUE;
      }
      console.log(renderStatus(r, flags.json));
      return EXIT.OK;
    } finally {
      await s.value.close();
    }
  },
};
