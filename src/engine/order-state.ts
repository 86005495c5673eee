/**
 * The order state machine and fill accounting, pure: exchange events in, state changes
 * out, no I/O and no clock (times come in as arguments).
 *
 * ```
 *            ack(live|delayed|matched)            fill (MATCHED)               fill (rest)
 *  pending ───────────────────────────▶ live ─────────────────▶ partially_filled ─────────▶ filled
 *   │  │ reject(TIMEOUT_AMBIGUOUS)        │ order_closed(cancelled|expired)  │                 │
 *   │  └──────────▶ unknown ──lookup──▶ live | rejected      ▼                  ▼                 │
 *   └─ reject ─▶ rejected         cancelled / expired ◀──────┘      trade FAILED ◀─┘ (back to
 *                                                                        partially_filled / live)
 * ```
 * - A fill may arrive before the ack (the user socket is faster than the REST reply): it
 *   counts, and the order is taken as accepted.
 * - Trade status `MATCHED → MINED → CONFIRMED` (or `RETRYING`) only updates the status of a
 *   fill; **`FAILED` reverses it**: size, notional and fee come back out of the order and the
 *   position. A filled order whose trade failed is active again (its remainder may rest).
 * - Late acks and rejects for a terminal order are ignored (counted by the caller).
 * - Fills are keyed by (trade id, order id): one match can touch several of our orders,
 *   and each status of a trade is reported separately.
 *
 * Units: PriceE4, SizeE6, UsdE6. Notional per fill is `sizeE6 × priceE4 / 1e4`, rounded
 * once per fill, so a reversal subtracts exactly what was added.
 */
import type { ExchangeEvent, OrderIntent, RejectCode, Side, TradeStatus } from "../core/ports.ts";
import { notionalE6, type PriceE4, type SizeE6, type UsdE6 } from "../core/units.ts";

export type OrderState = "pending" | "unknown" | "live" | "partially_filled" | "filled" | "cancelled" | "rejected" | "expired";

export const TERMINAL_STATES: ReadonlySet<OrderState> = new Set(["filled", "cancelled", "rejected", "expired"]);
export const isTerminal = (s: OrderState): boolean => TERMINAL_STATES.has(s);

export type FillEvent = Extract<ExchangeEvent, { kind: "fill" }>;
export type AckEvent = Extract<ExchangeEvent, { kind: "ack" }>;
export type RejectEvent = Extract<ExchangeEvent, { kind: "reject" }>;
export type ClosedEvent = Extract<ExchangeEvent, { kind: "order_closed" }>;

/** One of our fills. `counted` turns false when its trade FAILED. */
export interface FillRecord {
  readonly key: string;
  readonly tradeId: string;
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly notionalE6: UsdE6;
  readonly feeE6: UsdE6;
  readonly liquidity: "maker" | "taker";
  status: TradeStatus;
  counted: boolean;
  readonly exchTsMs: number;
  readonly firstSeenNs: number;
}

/** Everything we know about one intent. Mutated only by the functions in this file. */
export interface TrackedOrder {
  readonly intent: OrderIntent;
  /** The exchange id (EIP-712 hash); "" until known. */
  orderId: string;
  state: OrderState;
  filledE6: SizeE6;
  notionalE6: UsdE6;
  feesE6: UsdE6;
  /** Size in fills whose trade reached CONFIRMED. */
  confirmedE6: SizeE6;
  readonly fills: FillRecord[];
  rejectCode: RejectCode | "";
  message: string;
  closeReason: ClosedEvent["reason"] | "";
  /**
   * Shares the exchange will ever fill, when it closed the order saying so (a FOK/FAK's
   * remainder is killed at once); −1 when not known. Until the fills reach it the order
   * stays open, so a strategy waiting on it never acts on a position missing those fills.
   */
  finalE6: SizeE6;
  /** A cancel was sent and no answer yet. */
  cancelRequested: boolean;
  /** Cancel as soon as the exchange id is known (cancel asked while pending). */
  cancelOnAck: boolean;
  readonly submittedNs: number;
  ackNs: number;
  updatedNs: number;
  lookupAttempts: number;
  /** When the next orphan / lookup check is due (0 = none). */
  deadlineNs: number;
}

/** The read-only view handed to callers. */
export type OrderView = Readonly<Omit<TrackedOrder, "fills">> & { readonly fills: readonly Readonly<FillRecord>[] };

export function newTrackedOrder(intent: OrderIntent, nowNs: number): TrackedOrder {
  return {
    intent,
    orderId: "",
    state: "pending",
    filledE6: 0,
    notionalE6: 0,
    feesE6: 0,
    confirmedE6: 0,
    fills: [],
    rejectCode: "",
    message: "",
    closeReason: "",
    finalE6: -1,
    cancelRequested: false,
    cancelOnAck: false,
    submittedNs: nowNs,
    ackNs: 0,
    updatedNs: nowNs,
    lookupAttempts: 0,
    deadlineNs: 0,
  };
}

export const remainingE6 = (o: Pick<TrackedOrder, "intent" | "filledE6">): SizeE6 => Math.max(0, o.intent.sizeE6 - o.filledE6);

/** Average fill price as a float in PriceE4 units (NaN when nothing filled); display and P&L only. */
export const avgPriceE4 = (o: Pick<TrackedOrder, "filledE6" | "notionalE6">): number =>
  o.filledE6 > 0 ? (o.notionalE6 * 10_000) / o.filledE6 : Number.NaN;

/**
 * The state of an accepted order is a function of its fills and of how the exchange
 * closed it, never of the order events arrived in: filled when counted fills cover the
 * size; else cancelled/expired if the exchange closed it; else partially filled or live.
 * (A close "filled" whose fills have not all arrived, or whose trade FAILED, stays open:
 * the remainder may rest, and the open-orders sync closes it if it does not.)
 */
function settle(o: TrackedOrder): void {
  if (o.filledE6 >= o.intent.sizeE6) o.state = "filled";
  else if (o.finalE6 >= 0 && o.filledE6 < o.finalE6) o.state = o.filledE6 > 0 ? "partially_filled" : "live";
  else if (o.closeReason === "cancelled" || o.closeReason === "market_closed") o.state = "cancelled";
  else if (o.closeReason === "expired") o.state = "expired";
  else o.state = o.filledE6 > 0 ? "partially_filled" : "live";
}

/** Rejected because a submit timed out and lookups did not find it: it may still surface. */
const isGivenUp = (o: TrackedOrder): boolean => o.state === "rejected" && o.rejectCode === "TIMEOUT_AMBIGUOUS";

export type Transition = "applied" | "ignored";

export function applyAck(o: TrackedOrder, ev: AckEvent): Transition {
  if (o.orderId === "") o.orderId = ev.orderId;
  if (o.ackNs === 0) o.ackNs = ev.atNs;
  // Late acks (after a fill-before-ack or a lookup) change nothing; one for an order we had
  // given up on means the exchange has it after all.
  if (o.state !== "pending" && o.state !== "unknown" && !isGivenUp(o)) return "ignored";
  o.updatedNs = ev.atNs;
  // An FOK/FAK whose taker delay ended unmatched is killed.
  if (ev.status === "unmatched" && (o.intent.orderType === "FOK" || o.intent.orderType === "FAK") && o.closeReason === "") {
    o.closeReason = "cancelled";
  }
  settle(o);
  return "applied";
}

export function applyReject(o: TrackedOrder, ev: RejectEvent): Transition {
  if (o.state !== "pending" && o.state !== "unknown") return "ignored";
  if (ev.orderId !== "" && o.orderId === "") o.orderId = ev.orderId;
  o.updatedNs = ev.atNs;
  o.rejectCode = ev.code;
  o.message = ev.message;
  o.state = ev.code === "TIMEOUT_AMBIGUOUS" ? "unknown" : "rejected";
  return "applied";
}

export function applyClosed(o: TrackedOrder, ev: ClosedEvent): Transition {
  if (o.state === "rejected" && !isGivenUp(o)) return "ignored";
  o.updatedNs = ev.atNs;
  o.cancelRequested = false;
  // The first close is the exchange's word; a repeat changes nothing.
  if (o.closeReason !== "" && o.closeReason !== "filled") return "ignored";
  o.closeReason = ev.reason;
  if (ev.matchedE6 !== undefined) o.finalE6 = ev.matchedE6;
  settle(o);
  return "applied";
}

/** FOK and FAK orders take liquidity and never rest: their remainder dies on the spot. */
export const isTakerOnly = (o: Pick<TrackedOrder, "intent">): boolean => o.intent.orderType === "FOK" || o.intent.orderType === "FAK";

/** An accepted FOK/FAK the exchange has not finished with (its fills or its close still due). */
export const awaitsTakerOutcome = (o: Pick<TrackedOrder, "intent" | "state">): boolean =>
  isTakerOnly(o) && (o.state === "live" || o.state === "partially_filled");

/**
 * A FOK/FAK order accepted long enough ago with no word that it closed: its remainder is
 * dead on the exchange, whatever news was lost (a reply without amounts, a venue that does
 * not say). Closes it as cancelled (filled when its fills cover it); a fill that arrives
 * later still counts. Returns whether it changed anything.
 */
export function closeTakerRemainder(o: TrackedOrder, atNs: number): Transition {
  if (!awaitsTakerOutcome(o)) return "ignored";
  o.closeReason = "cancelled";
  o.finalE6 = -1;
  o.updatedNs = atNs;
  settle(o);
  return "applied";
}

/** A fill, new or a status update, as the position book sees it. */
export type FillEffect =
  | { readonly kind: "new"; readonly fill: FillRecord }
  | { readonly kind: "status"; readonly fill: FillRecord; readonly from: TradeStatus }
  | { readonly kind: "reversed"; readonly fill: FillRecord }
  | { readonly kind: "duplicate"; readonly fill: FillRecord };

export const fillKey = (tradeId: string, orderId: string): string => `${tradeId}|${orderId}`;

/**
 * Applies a fill event to the global fill index (dedupe by trade and order) and returns
 * what changed. The first report of a trade (any status but FAILED) adds it; FAILED takes
 * it out once; every other status only moves the status forward.
 */
export function applyFillEvent(fills: Map<string, FillRecord>, ev: FillEvent): FillEffect {
  const key = fillKey(ev.tradeId, ev.orderId);
  const existing = fills.get(key);
  if (!existing) {
    const rec: FillRecord = {
      key,
      tradeId: ev.tradeId,
      orderId: ev.orderId,
      tokenId: ev.tokenId,
      side: ev.side,
      priceE4: ev.priceE4,
      sizeE6: ev.sizeE6,
      notionalE6: notionalE6(ev.sizeE6, ev.priceE4),
      feeE6: ev.feeE6,
      liquidity: ev.liquidity,
      status: ev.status,
      counted: ev.status !== "FAILED",
      exchTsMs: ev.exchTsMs,
      firstSeenNs: ev.atNs,
    };
    fills.set(key, rec);
    return rec.counted ? { kind: "new", fill: rec } : { kind: "duplicate", fill: rec };
  }
  // CONFIRMED and FAILED are final; a repeat or a stale earlier status changes nothing.
  if (existing.status === ev.status || existing.status === "CONFIRMED" || existing.status === "FAILED") {
    return { kind: "duplicate", fill: existing };
  }
  const from = existing.status;
  if (ev.status === "FAILED") {
    existing.status = "FAILED";
    if (existing.counted) {
      existing.counted = false;
      return { kind: "reversed", fill: existing };
    }
    return { kind: "duplicate", fill: existing };
  }
  // A stale MATCHED after MINED/RETRYING changes nothing.
  if (ev.status === "MATCHED") return { kind: "duplicate", fill: existing };
  existing.status = ev.status;
  return { kind: "status", fill: existing, from };
}

/** Folds a fill effect into its order's counters and state. */
export function applyFillToOrder(o: TrackedOrder, eff: FillEffect, atNs: number): Transition {
  const f = eff.fill;
  switch (eff.kind) {
    case "duplicate":
      return "ignored";
    case "new":
      o.fills.push(f);
      o.filledE6 += f.sizeE6;
      o.notionalE6 += f.notionalE6;
      o.feesE6 += f.feeE6;
      if (f.status === "CONFIRMED") o.confirmedE6 += f.sizeE6;
      break;
    case "status":
      if (f.status === "CONFIRMED") o.confirmedE6 += f.sizeE6;
      o.updatedNs = atNs;
      return "applied";
    case "reversed":
      o.filledE6 -= f.sizeE6;
      o.notionalE6 -= f.notionalE6;
      o.feesE6 -= f.feeE6;
      break;
  }
  o.updatedNs = atNs;
  // A fill proves the exchange took the order, whatever we believed (pending after a
  // timeout, given up on): settle it like an accepted one.
  if (!(o.state === "rejected" && !isGivenUp(o))) settle(o);
  return "applied";
}

/** Position in one token, derived from fills only. */
export interface Position {
  readonly tokenId: string;
  /** Shares held from our fills: buys minus sells (FAILED trades excluded). */
  netE6: SizeE6;
  /** Of which from trades that reached CONFIRMED. */
  confirmedNetE6: SizeE6;
  /** Cash paid for buys minus cash received for sells, before fees. */
  costE6: UsdE6;
  feesE6: UsdE6;
  fills: number;
}

export function newPosition(tokenId: string): Position {
  return { tokenId, netE6: 0, confirmedNetE6: 0, costE6: 0, feesE6: 0, fills: 0 };
}

export function applyFillToPosition(p: Position, eff: FillEffect): void {
  const f = eff.fill;
  const sign = f.side === "BUY" ? 1 : -1;
  switch (eff.kind) {
    case "duplicate":
      return;
    case "new":
      p.netE6 += sign * f.sizeE6;
      p.costE6 += sign * f.notionalE6;
      p.feesE6 += f.feeE6;
      p.fills++;
      if (f.status === "CONFIRMED") p.confirmedNetE6 += sign * f.sizeE6;
      return;
    case "status":
      if (f.status === "CONFIRMED") p.confirmedNetE6 += sign * f.sizeE6;
      return;
    case "reversed":
      p.netE6 -= sign * f.sizeE6;
      p.costE6 -= sign * f.notionalE6;
      p.feesE6 -= f.feeE6;
      p.fills--;
      return;
  }
}
