/**
 * Startup recovery (issue #10 item 1, the wiring): before a bot quotes, the journal is made
 * to agree with the exchange and nothing is left resting that this process does not own.
 *
 *   read open orders, balances (and trades, when the venue can list them)
 *   → planReconcile (engine/reconcile.ts, pure) → journal.applyReconcile
 *   → cancel every open order of the key (a restarted market maker requotes from scratch:
 *     the orders of the dead process are orphans, known to the journal or not)
 *   → read back until none remain (or `confirmMs` passes), close their intents in the journal
 *   → correct each position mismatch in the journal so its positions equal the exchange's
 *   → hand back the positions, for the bot's inventory and risk limits.
 *
 * An unknown-outcome submit (crash between the journal write and the reply) is never resent:
 * the sweep cancels it if it landed, and its intent is closed as `not_found` otherwise.
 * Every step is printed (`log`): "startup prints what it found and did".
 *
 * A shell (awaits the exchange, waits on the clock); the decisions are planReconcile's.
 */
import type { Clock } from "../core/clock.ts";
import type { BalanceSnapshot, ExchangeClient, ExchangeEvent, OpenOrderSnapshot, Side } from "../core/ports.ts";
import { formatSizeE6, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";
import { DEFAULT_RECONCILE_POLICY, type ReconcilePlan, type ReconcilePolicy, type TradeView, planReconcile } from "../engine/reconcile.ts";
import { sleepOn } from "../net/http.ts";
import type { UserTradeEvent } from "../polymarket/user-channel.ts";
import type { Journal } from "./journal.ts";

export interface RecoveryDeps {
  readonly journal: Journal;
  readonly exchange: ExchangeClient;
  readonly clock: Clock;
  /** Our fills at or after `afterSec` (unix s), when the venue can list trades. */
  readonly fetchTrades?: (afterSec: number) => Promise<readonly TradeView[]>;
  readonly log?: (line: string) => void;
  /** How long to wait for the exchange to show no open order after the sweep (clock ms). */
  readonly confirmMs?: number;
  readonly policy?: Partial<ReconcilePolicy>;
}

export interface RecoveryReport {
  readonly plan: ReconcilePlan;
  /** Open orders found at start. */
  readonly foundOpen: number;
  /** Orders still open after the sweep (0 = no orphan left). */
  readonly remainingOpen: number;
  readonly remainingIds: readonly string[];
  /** Journal positions after the corrections: net shares (confirmed + pending) by token. */
  readonly positionsE6: ReadonlyMap<string, SizeE6>;
  /** Cash of those positions as the journal has it (for an average cost). */
  readonly cashE6: ReadonlyMap<string, UsdE6>;
  readonly adjustments: number;
  readonly lines: readonly string[];
}

export async function recoverAtStartup(d: RecoveryDeps): Promise<RecoveryReport> {
  const lines: string[] = [];
  const say = (l: string) => {
    lines.push(l);
    d.log?.(l);
  };
  const { journal, exchange, clock } = d;
  const policy: ReconcilePolicy = { ...DEFAULT_RECONCILE_POLICY, keep: () => false, unknownOrders: "cancel", ...d.policy };
  const unclean = journal.uncleanRuns();
  if (unclean.length > 0)
    say(`previous run(s) ended without a stop marker (crash or kill -9): ${unclean.map((r) => `#${r.runId}`).join(", ")}`);
  const intents = journal.openIntents();
  const openOrders = await exchange.fetchOpenOrders();
  const since = journal.lastTradeTimeMs();
  const trades = d.fetchTrades ? await d.fetchTrades(Math.floor(since / 1000)) : [];
  const journalPositions = journal.positions();
  const tokens = new Set<string>([
    ...journalPositions.keys(),
    ...openOrders.map((o) => o.tokenId),
    ...intents.map((i) => i.tokenId),
    ...trades.map((t) => t.tokenId),
  ]);
  const balances: BalanceSnapshot | null =
    tokens.size > 0 ? await exchange.fetchBalances([...tokens]) : { collateralE6: 0, positionsE6: new Map() };
  say(
    `found: ${intents.length} open intent(s) in the journal, ${openOrders.length} open order(s) and ${tokens.size} token(s) with balances or orders on the exchange${d.fetchTrades ? `, ${trades.length} trade(s) since ${new Date(since).toISOString()}` : ""}`,
  );

  const plan = planReconcile(
    {
      nowMs: clock.wallMs(),
      intents,
      openOrders,
      trades,
      journaledFills: journal.fillStatusesSince(since),
      journalPositions,
      balances,
      isJournaledOrder: (id) => journal.isJournaledOrder(id),
    },
    policy,
  );
  journal.applyReconcile(plan);
  for (const l of plan.summary) say(l);

  // Sweep: everything open goes (by id, then a cancel-all for anything placed meanwhile).
  const ids = openOrders.map((o) => o.orderId);
  if (ids.length > 0) exchange.cancel(ids);
  exchange.cancelAll();
  const remaining = await waitForNoOpenOrders(exchange, clock, d.confirmMs ?? 5_000);
  const gone = new Set(ids.filter((id) => !remaining.some((o) => o.orderId === id)));
  // Intents still open in the journal: cancelled now (they were on the exchange), or not found.
  // A live one is closed as cancelled; one whose submit outcome was never learnt and that is
  // not on the exchange (nor ever was, or the sweep took it) becomes `rejected`/NOT_FOUND: its
  // fills, if any, came in with the trades above.
  for (const i of journal.openIntents()) {
    if (remaining.some((o) => o.orderId === i.orderHash && i.orderHash !== "")) continue;
    if (i.state === "live" || (i.orderHash !== "" && gone.has(i.orderHash))) journal.closed(i.clientId, i.orderHash, "cancelled");
    else journal.reject(i.clientId, i.orderHash, "NOT_FOUND", "not open on the exchange after the startup sweep");
  }
  say(
    remaining.length === 0
      ? `swept ${ids.length} open order(s): none remain`
      : `WARNING: ${remaining.length} order(s) still open after the sweep: ${remaining.map((o) => o.orderId).join(", ")}`,
  );

  // Positions: the exchange is the source of truth.
  let adjustments = 0;
  for (const m of plan.mismatches) {
    if (m.kind !== "position" || m.adjustE6 === 0) continue;
    journal.adjustPosition(m.tokenId, m.adjustE6, 0, "reconcile");
    adjustments++;
    say(
      `corrected journal position of ${m.tokenId}: ${m.adjustE6 > 0 ? "+" : ""}${formatSizeE6(m.adjustE6)} shares (exchange holds ${formatSizeE6(m.exchangeE6)})`,
    );
  }
  const positionsE6 = new Map<string, SizeE6>();
  const cashE6 = new Map<string, UsdE6>();
  for (const [t, p] of journal.positions()) {
    const q = p.confirmedE6 + p.pendingE6;
    if (q !== 0) positionsE6.set(t, q);
    cashE6.set(t, p.cashE6);
  }
  say(
    `positions after reconcile: ${positionsE6.size === 0 ? "flat" : [...positionsE6].map(([t, q]) => `${t.slice(0, 10)}… ${formatSizeE6(q)}`).join(", ")}`,
  );
  return {
    plan,
    foundOpen: openOrders.length,
    remainingOpen: remaining.length,
    remainingIds: remaining.map((o) => o.orderId),
    positionsE6,
    cashE6,
    adjustments,
    lines,
  };
}

/** Reads open orders until none remain or `maxMs` of clock time passed; returns the last read. */
export async function waitForNoOpenOrders(exchange: ExchangeClient, clock: Clock, maxMs: number): Promise<readonly OpenOrderSnapshot[]> {
  const start = clock.wallMs();
  for (let attempt = 0; ; attempt++) {
    const open = await exchange.fetchOpenOrders();
    if (open.length === 0 || clock.wallMs() - start >= maxMs) return open;
    if (attempt > 0) exchange.cancelAll();
    await sleepOn(clock, Math.min(1_000, 100 * (attempt + 1)));
  }
}

/**
 * Fill events that give a fresh bot the positions recovery found, so its inventory, skew and
 * risk limits start from what the account holds. Trade ids are `startup-position:<token>`
 * (the bot logs them as fills of a market it may not know yet); the price is the journal's
 * average cost, clamped into (0, 1).
 */
export function startupPositionFills(r: Pick<RecoveryReport, "positionsE6" | "cashE6">, atNs: number, exchTsMs: number): ExchangeEvent[] {
  const out: ExchangeEvent[] = [];
  for (const [tokenId, q] of r.positionsE6) {
    const cash = r.cashE6.get(tokenId) ?? 0;
    // cash is negative when long (bought): average cost = -cash / qty, in PriceE4.
    const avg = q !== 0 ? Math.round((-cash * 10_000) / q) : 5_000;
    const priceE4 = Math.min(9_999, Math.max(1, Number.isFinite(avg) ? avg : 5_000));
    out.push({
      kind: "fill",
      tradeId: `startup-position:${tokenId}`,
      orderId: "",
      tokenId,
      side: q > 0 ? "BUY" : "SELL",
      priceE4,
      sizeE6: Math.abs(q),
      feeE6: 0,
      liquidity: "maker",
      status: "CONFIRMED",
      exchTsMs,
      atNs,
    });
  }
  return out;
}

/** One leg of a trade record that is ours, before any status filter. */
export interface OurTradeLeg {
  readonly tradeId: string;
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly liquidity: "maker" | "taker";
}

/**
 * Visits our legs of exchange trade records (REST `/data/trades`), attributed as the exchange
 * client does: the taker side when we were the taker, our `maker_orders[]` entries (by API key
 * or maker address). Used by startup recovery and by `status`, each with its status filter.
 */
export function forEachOurLeg(
  trades: readonly UserTradeEvent[],
  apiKey: string,
  makerAddress: string,
  visit: (trade: UserTradeEvent, leg: OurTradeLeg) => void,
): void {
  const maker = makerAddress.toLowerCase();
  for (const t of trades) {
    if (t.traderSide === "TAKER" && t.owner === apiKey) {
      visit(t, {
        tradeId: t.tradeId,
        orderId: t.takerOrderId,
        tokenId: t.assetId,
        side: t.side,
        priceE4: t.priceE4,
        sizeE6: t.sizeE6,
        liquidity: "taker",
      });
    }
    for (const m of t.makerOrders) {
      if (m.owner !== apiKey && m.makerAddress.toLowerCase() !== maker) continue;
      visit(t, {
        tradeId: t.tradeId,
        orderId: m.orderId,
        tokenId: m.assetId || t.assetId,
        side: m.side !== "" ? m.side : t.side === "BUY" ? "SELL" : "BUY",
        priceE4: m.priceE4,
        sizeE6: m.matchedSizeE6,
        liquidity: "maker",
      });
    }
  }
}

/**
 * Our fills in exchange trade records as the reconcile reads them (`forEachOurLeg`); trades of
 * unknown status are skipped. Taker fees are not in the record: 0 here (the journal's cash of a
 * recovered taker fill then misses its fee).
 */
export function tradeViewsOf(trades: readonly UserTradeEvent[], apiKey: string, makerAddress: string): TradeView[] {
  const out: TradeView[] = [];
  forEachOurLeg(trades, apiKey, makerAddress, (t, leg) => {
    if (t.status !== "UNKNOWN") out.push({ ...leg, feeE6: 0, status: t.status, exchTsMs: Math.max(0, t.matchTimeMs) });
  });
  return out;
}
