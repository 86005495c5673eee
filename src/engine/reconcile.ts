/**
 * Recovery reconcile: what the journal believes versus what the exchange reports, turned
 * into actions. Pure (no I/O, time comes in as `nowMs`); the shell that runs it on startup
 * and after every reconnect fetches the inputs, applies the actions (journal writes,
 * cancels) and prints `summary` — "startup prints what it found and did".
 *
 * Rules, in the order a reader will ask about them:
 * - An open intent whose order is live on the exchange is **adopted** (or cancelled if the
 *   policy no longer wants it). Its submit may have "timed out": it is never resent.
 * - An open intent whose order is not on the exchange is **closed**: `filled` when its
 *   fills cover its size, `partially_filled_then_gone` when some filled, `not_found` when
 *   none did. An intent with an unknown submit outcome younger than `settleMs` is
 *   `recheck`ed instead: its request may still be in flight.
 * - An intent journaled before its order hash was known is matched to a live order by
 *   token, side, price and size (the oldest unclaimed one created after the intent).
 * - A live order the journal does not know is cancelled (default) or adopted.
 * - Exchange trades the journal lacks, or holds at an older status, become `record_fill`
 *   actions; a repeat or older status is ignored, so nothing is counted twice.
 * - Positions (journal fills + the fills above) are compared with the exchange's balances:
 *   the journal's confirmed position and confirmed-plus-pending bound where the on-chain
 *   balance may legitimately be; outside that band is a `position` mismatch with the
 *   smallest correction. The exchange's matched size above our known fills is a `fill_gap`.
 *
 * The planner decides; it does not halt. The bot decides what a mismatch means (alert,
 * halt, or adopt the exchange's balance with `adjustE6`).
 */
import type { BalanceSnapshot, ExchangeEvent, OpenOrderSnapshot, OrderIntent, OrderType, Side, TradeStatus } from "../core/ports.ts";
import { formatPriceE4, formatSizeE6, type PriceE4, type SizeE6 } from "../core/units.ts";

const TERMINAL: Readonly<Record<TradeStatus, boolean>> = {
  MATCHED: false,
  MINED: false,
  RETRYING: false,
  CONFIRMED: true,
  FAILED: true,
};

/**
 * Whether a trade may move from `from` to `to`. Forward only: MATCHED → MINED | RETRYING →
 * CONFIRMED | FAILED (RETRYING ↔ MINED allowed, a retried tx gets mined); terminal never moves.
 */
export function isStatusAdvance(from: TradeStatus, to: TradeStatus): boolean {
  if (from === to || TERMINAL[from]) return false;
  return to !== "MATCHED";
}

export const fillKeyOf = (tradeId: string, orderId: string): string => `${tradeId}|${orderId}`;

/** The journal's open intent, as `store/journal.ts` returns it. */
export interface OpenIntentView {
  readonly clientId: string;
  /** The exchange order id; "" when the process died before learning it. */
  readonly orderHash: string;
  readonly conditionId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly orderType: OrderType;
  readonly state: "pending" | "ambiguous" | "live" | "rejected" | "closed";
  readonly createdAtMs: number;
  /** Journaled non-failed fills of this order. */
  readonly filledE6: SizeE6;
}

/**
 * One of our fills as the exchange's trade history reports it (one per our order in a trade):
 * the venue's `fill` event without its kind and receive time.
 */
export type TradeView = Omit<Extract<ExchangeEvent, { kind: "fill" }>, "kind" | "atNs">;

export interface PositionView {
  readonly tokenId: string;
  readonly confirmedE6: SizeE6;
  readonly pendingE6: SizeE6;
}

export interface ReconcileInput {
  readonly nowMs: number;
  /** Journal intents without a terminal state. */
  readonly intents: readonly OpenIntentView[];
  readonly openOrders: readonly OpenOrderSnapshot[];
  /** Exchange trades at or after the journal's last trade time (overlap is expected). */
  readonly trades: readonly TradeView[];
  /** Journaled status per `fillKeyOf(tradeId, orderId)` for the same window. */
  readonly journaledFills: ReadonlyMap<string, TradeStatus>;
  readonly journalPositions: ReadonlyMap<string, PositionView>;
  /** null when balances were not fetched: positions are then not compared. */
  readonly balances: BalanceSnapshot | null;
  /** Orders the journal knows in any state (closed ones included), for labelling trades. */
  readonly isJournaledOrder?: (orderId: string) => boolean;
}

export interface ReconcilePolicy {
  /** What to do with a live order the journal does not know. */
  readonly unknownOrders: "cancel" | "adopt";
  /** Whether a known live order is still wanted (false → cancel). */
  readonly keep: (order: OpenOrderSnapshot, intent: OpenIntentView) => boolean;
  /** Unknown-outcome submits younger than this may still land: recheck rather than close. */
  readonly settleMs: number;
  /** Position differences up to this are not mismatches. */
  readonly positionToleranceE6: SizeE6;
}

export const DEFAULT_RECONCILE_POLICY: ReconcilePolicy = {
  unknownOrders: "cancel",
  keep: () => true,
  settleMs: 10_000,
  positionToleranceE6: 0,
};

export type IntentCloseReason = "filled" | "partially_filled_then_gone" | "not_found";

export type ReconcileAction =
  | {
      readonly kind: "adopt";
      readonly clientId: string;
      readonly orderId: string;
      readonly remainingE6: SizeE6;
      readonly matchedE6: SizeE6;
    }
  | { readonly kind: "adopt_unknown"; readonly order: OpenOrderSnapshot; readonly intent: OrderIntent }
  | { readonly kind: "cancel"; readonly orderId: string; readonly clientId: string | null; readonly reason: "unknown_order" | "unwanted" }
  | {
      readonly kind: "close_intent";
      readonly clientId: string;
      readonly orderId: string;
      readonly reason: IntentCloseReason;
      readonly filledE6: SizeE6;
    }
  | { readonly kind: "recheck"; readonly clientId: string; readonly orderId: string; readonly ageMs: number }
  | { readonly kind: "record_fill"; readonly fill: TradeView; readonly previous: TradeStatus | null; readonly knownOrder: boolean };

export type Mismatch =
  | {
      readonly kind: "position";
      readonly tokenId: string;
      readonly journalConfirmedE6: SizeE6;
      readonly journalPendingE6: SizeE6;
      readonly exchangeE6: SizeE6;
      /** Smallest signed change to the journal's position that brings it in line with the exchange. */
      readonly adjustE6: SizeE6;
    }
  | {
      readonly kind: "fill_gap";
      readonly orderId: string;
      readonly clientId: string;
      readonly exchangeMatchedE6: SizeE6;
      readonly journalFilledE6: SizeE6;
    };

export interface ReconcilePlan {
  readonly actions: readonly ReconcileAction[];
  readonly mismatches: readonly Mismatch[];
  /** Human-readable lines: what was found, what will be done. */
  readonly summary: readonly string[];
  /** True when nothing needs doing and nothing disagrees. */
  readonly clean: boolean;
}

/** How far an order's exchange creation time may precede the journal's intent time (clock skew). */
const FINGERPRINT_SKEW_MS = 60_000;

const signed = (side: Side, sizeE6: SizeE6): SizeE6 => (side === "BUY" ? sizeE6 : -sizeE6);
const short = (id: string): string => (id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
const orderText = (side: Side, sizeE6: SizeE6, priceE4: PriceE4): string => `${side} ${formatSizeE6(sizeE6)} @ ${formatPriceE4(priceE4)}`;

/** The synthetic intent under which an adopted unknown order is journaled. */
export function intentForUnknownOrder(o: OpenOrderSnapshot): OrderIntent {
  return {
    clientId: `adopted:${o.orderId}`,
    conditionId: o.conditionId,
    tokenId: o.tokenId,
    side: o.side,
    priceE4: o.priceE4,
    sizeE6: o.originalSizeE6,
    orderType: "GTC",
    postOnly: false,
    expirationSec: 0,
  };
}

export function planReconcile(input: ReconcileInput, policy: ReconcilePolicy = DEFAULT_RECONCILE_POLICY): ReconcilePlan {
  const actions: ReconcileAction[] = [];
  const mismatches: Mismatch[] = [];
  const summary: string[] = [];
  const liveById = new Map(input.openOrders.map((o) => [o.orderId, o]));

  // 0. Which exchange order each intent is. Known hashes first; an intent journaled before
  //    its hash was known (crash between write and ack) is matched by fingerprint.
  const orderIdOf = new Map<string, string>();
  const claimed = new Set<string>();
  for (const i of input.intents) {
    if (i.orderHash === "") continue;
    orderIdOf.set(i.clientId, i.orderHash);
    claimed.add(i.orderHash);
  }
  const byAge = [...input.openOrders].sort((a, b) => a.createdAtSec - b.createdAtSec);
  for (const i of input.intents) {
    if (i.orderHash !== "") continue;
    const match = byAge.find(
      (o) =>
        !claimed.has(o.orderId) &&
        o.tokenId === i.tokenId &&
        o.side === i.side &&
        o.priceE4 === i.priceE4 &&
        o.originalSizeE6 === i.sizeE6 &&
        o.createdAtSec * 1000 >= i.createdAtMs - FINGERPRINT_SKEW_MS,
    );
    if (match) {
      orderIdOf.set(i.clientId, match.orderId);
      claimed.add(match.orderId);
    }
  }
  const isKnown = (orderId: string) => claimed.has(orderId) || (input.isJournaledOrder?.(orderId) ?? false);
  const ambiguous = input.intents.filter((i) => i.state === "ambiguous" || i.state === "pending").length;

  summary.push(
    `reconcile: journal has ${input.intents.length} open intent(s) (${ambiguous} with unknown submit outcome); ` +
      `exchange has ${input.openOrders.length} open order(s) and ${input.trades.length} trade(s) in the window`,
  );

  // 1. Trades: new fills and status moves, deduplicated against the journal and within the input.
  const status = new Map(input.journaledFills);
  const fillDeltaByOrder = new Map<string, SizeE6>();
  const positionDelta = new Map<string, { confirmed: SizeE6; pending: SizeE6 }>();
  const contribution = (s: TradeStatus | null, amount: SizeE6) =>
    s === null || s === "FAILED"
      ? { c: 0, p: 0, f: 0 }
      : s === "CONFIRMED"
        ? { c: amount, p: 0, f: Math.abs(amount) }
        : { c: 0, p: amount, f: Math.abs(amount) };
  const sortedTrades = [...input.trades].sort(
    (a, b) => a.exchTsMs - b.exchTsMs || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0),
  );
  for (const t of sortedTrades) {
    const key = fillKeyOf(t.tradeId, t.orderId);
    const prev = status.get(key) ?? null;
    if (prev !== null && !isStatusAdvance(prev, t.status)) continue;
    status.set(key, t.status);
    const knownOrder = isKnown(t.orderId);
    actions.push({ kind: "record_fill", fill: t, previous: prev, knownOrder });
    const amount = signed(t.side, t.sizeE6);
    const before = contribution(prev, amount);
    const after = contribution(t.status, amount);
    const d = positionDelta.get(t.tokenId) ?? { confirmed: 0, pending: 0 };
    d.confirmed += after.c - before.c;
    d.pending += after.p - before.p;
    positionDelta.set(t.tokenId, d);
    fillDeltaByOrder.set(t.orderId, (fillDeltaByOrder.get(t.orderId) ?? 0) + after.f - before.f);
    const what = prev === null ? `recorded missed fill (${t.status})` : `updated fill ${prev} → ${t.status}`;
    summary.push(
      `${what}: trade ${short(t.tradeId)} order ${short(t.orderId)}${knownOrder ? "" : " (order not in journal)"}, ` +
        orderText(t.side, t.sizeE6, t.priceE4),
    );
  }

  // 2. Journal intents against the exchange's open orders.
  for (const intent of input.intents) {
    const orderId = orderIdOf.get(intent.clientId) ?? "";
    const filledE6 = intent.filledE6 + (orderId === "" ? 0 : (fillDeltaByOrder.get(orderId) ?? 0));
    const order = orderId === "" ? undefined : liveById.get(orderId);
    const label = `intent ${intent.clientId} (${orderText(intent.side, intent.sizeE6, intent.priceE4)}, ${intent.state})`;
    if (order) {
      if (order.matchedSizeE6 > filledE6) {
        mismatches.push({
          kind: "fill_gap",
          orderId: order.orderId,
          clientId: intent.clientId,
          exchangeMatchedE6: order.matchedSizeE6,
          journalFilledE6: filledE6,
        });
        summary.push(
          `MISMATCH ${label}: exchange reports ${formatSizeE6(order.matchedSizeE6)} matched, journal knows ${formatSizeE6(filledE6)}`,
        );
      }
      const how = intent.orderHash === "" ? " (matched by token/side/price/size)" : "";
      if (policy.keep(order, intent)) {
        const remainingE6 = Math.max(0, order.originalSizeE6 - order.matchedSizeE6);
        actions.push({ kind: "adopt", clientId: intent.clientId, orderId: order.orderId, remainingE6, matchedE6: order.matchedSizeE6 });
        summary.push(`adopted live order ${short(order.orderId)}${how} for ${label}, ${formatSizeE6(remainingE6)} remaining`);
      } else {
        actions.push({ kind: "cancel", orderId: order.orderId, clientId: intent.clientId, reason: "unwanted" });
        summary.push(`cancelling unwanted live order ${short(order.orderId)}${how} for ${label}`);
      }
      continue;
    }
    const ageMs = input.nowMs - intent.createdAtMs;
    const outcomeUnknown = intent.state === "pending" || intent.state === "ambiguous";
    if (outcomeUnknown && filledE6 === 0 && ageMs < policy.settleMs) {
      actions.push({ kind: "recheck", clientId: intent.clientId, orderId, ageMs });
      summary.push(`${label} not on the exchange yet (${ageMs} ms old): will look again, never resend`);
      continue;
    }
    const reason: IntentCloseReason = filledE6 >= intent.sizeE6 ? "filled" : filledE6 > 0 ? "partially_filled_then_gone" : "not_found";
    actions.push({ kind: "close_intent", clientId: intent.clientId, orderId, reason, filledE6 });
    summary.push(
      reason === "not_found"
        ? `closed ${label}: not on the exchange and no fill`
        : `closed ${label}: not on the exchange, ${formatSizeE6(filledE6)} filled (${reason})`,
    );
  }

  // 3. Live orders the journal does not know.
  for (const o of input.openOrders) {
    if (claimed.has(o.orderId)) continue;
    const text = `unknown live order ${short(o.orderId)} (${orderText(o.side, o.originalSizeE6, o.priceE4)}, token ${short(o.tokenId)})`;
    if (policy.unknownOrders === "adopt") {
      actions.push({ kind: "adopt_unknown", order: o, intent: intentForUnknownOrder(o) });
      summary.push(`adopted ${text}`);
    } else {
      actions.push({ kind: "cancel", orderId: o.orderId, clientId: null, reason: "unknown_order" });
      summary.push(`cancelling ${text}`);
    }
  }

  // 4. Positions: journal (with the fills above) against the exchange's balances.
  if (input.balances) {
    const tokens = new Set<string>([...input.balances.positionsE6.keys()]);
    for (const [tokenId, p] of input.journalPositions) {
      if (p.confirmedE6 !== 0 || p.pendingE6 !== 0) tokens.add(tokenId);
    }
    for (const t of positionDelta.keys()) tokens.add(t);
    for (const tokenId of [...tokens].sort()) {
      const exchangeE6 = input.balances.positionsE6.get(tokenId);
      if (exchangeE6 === undefined) {
        summary.push(`position of token ${short(tokenId)} not checked: no exchange balance fetched`);
        continue;
      }
      const j = input.journalPositions.get(tokenId);
      const d = positionDelta.get(tokenId);
      const confirmed = (j?.confirmedE6 ?? 0) + (d?.confirmed ?? 0);
      const pending = (j?.pendingE6 ?? 0) + (d?.pending ?? 0);
      const lo = Math.min(confirmed, confirmed + pending) - policy.positionToleranceE6;
      const hi = Math.max(confirmed, confirmed + pending) + policy.positionToleranceE6;
      if (exchangeE6 >= lo && exchangeE6 <= hi) continue;
      const adjustE6 = exchangeE6 < lo ? exchangeE6 - lo : exchangeE6 - hi;
      mismatches.push({ kind: "position", tokenId, journalConfirmedE6: confirmed, journalPendingE6: pending, exchangeE6, adjustE6 });
      summary.push(
        `MISMATCH position token ${short(tokenId)}: journal ${formatSizeE6(confirmed)} confirmed + ${formatSizeE6(pending)} pending, ` +
          `exchange ${formatSizeE6(exchangeE6)} (off by ${formatSizeE6(adjustE6)})`,
      );
    }
  } else {
    summary.push("positions not checked: no balances fetched");
  }

  const clean = actions.every((a) => a.kind === "adopt") && mismatches.length === 0;
  const count = (k: ReconcileAction["kind"]) => actions.filter((a) => a.kind === k).length;
  summary.push(
    `reconcile ${clean ? "clean" : "done"}: adopt ${count("adopt") + count("adopt_unknown")}, cancel ${count("cancel")}, ` +
      `close ${count("close_intent")}, recheck ${count("recheck")}, fills ${count("record_fill")}, mismatches ${mismatches.length}`,
  );
  return { actions, mismatches, summary, clean };
}
