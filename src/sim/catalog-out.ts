/**
 * Discovery shapes of the simulated markets: the Gamma market and event objects (field
 * names as the real Gamma serves them for BTC 5-minute Up/Down markets, 2026-06-08:
 * `clobTokenIds`/`outcomes`/`outcomePrices` as JSON strings, `eventStartTime` as the window
 * start, `startDate` as the row creation time, `feeSchedule`, `cryptoMarketConfig`), the
 * CLOB `GET /markets` object and the compact `GET /clob-markets/{cid}` details the SDK
 * reads (`t`, `mts`, `fd`, `mos`, `ao`, …). Pure builders.
 */
import { formatPriceE4, formatSizeE6, ONE_E4 } from "../core/units.ts";
import type { SimMarket } from "./exchange-state.ts";
import { tokenBest } from "./wire-out.ts";
import { descriptionOf } from "./wire-out.ts";
import { seriesSlugOf, type WindowSec } from "./schedule.ts";

const iso = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");
const num = (e4: number): number => e4 / ONE_E4;

function outcomePrices(m: SimMarket): [string, string] {
  if (m.winner !== undefined) return m.winner === 0 ? ["1", "0"] : ["0", "1"];
  const b = tokenBest(m.book, 0);
  const mid = b.bid > 0 && b.ask < ONE_E4 ? Math.round((b.bid + b.ask) / 2) : m.lastTradeYesE4 > 0 ? m.lastTradeYesE4 : 5000;
  return [formatPriceE4(mid), formatPriceE4(ONE_E4 - mid)];
}

/** One Gamma market object. */
export function gammaMarket(m: SimMarket, nowMs: number): Record<string, unknown> {
  const s = m.sched;
  const i = s.info;
  const asset = s.coin.slice(0, 3);
  const duration = i.windowSec === 3600 ? "1h" : i.windowSec === 900 ? "15m" : "5m";
  const b = tokenBest(m.book, 0);
  const accepting = m.state === "open";
  return {
    id: s.gammaId,
    question: i.question,
    conditionId: i.conditionId,
    slug: i.slug,
    resolutionSource:
      i.resolution === "twap60"
        ? `https://data.chain.link/streams/${asset}-usd-twap-60s-streams`
        : `https://data.chain.link/streams/${asset}-usd`,
    startDate: iso(s.listSec * 1000),
    createdAt: iso(s.listSec * 1000),
    eventStartTime: iso(s.startSec * 1000),
    endDate: iso(s.endSec * 1000),
    endDateIso: iso(s.endSec * 1000).slice(0, 10),
    description: descriptionOf(s),
    outcomes: JSON.stringify(i.outcomes),
    outcomePrices: JSON.stringify(outcomePrices(m)),
    clobTokenIds: JSON.stringify([i.yesTokenId, i.noTokenId]),
    questionID: s.questionId,
    active: true,
    closed: m.state !== "open",
    archived: false,
    acceptingOrders: accepting,
    acceptingOrdersTimestamp: iso(s.listSec * 1000),
    enableOrderBook: true,
    orderPriceMinTickSize: num(m.book.tickE4),
    orderMinSize: Number(formatSizeE6(m.book.minSizeE6)),
    negRisk: false,
    version: "v1",
    makerBaseFee: 1000,
    takerBaseFee: 1000,
    feesEnabled: true,
    feeType: "crypto_fees_v2",
    feeSchedule: { exponent: i.feeExponent, rate: i.feeRate, takerOnly: true, rebateRate: i.rebateRate },
    cryptoMarketConfig: {
      id: `${asset}-${duration}${i.resolution === "twap60" ? "-twap-60" : ""}`,
      asset,
      duration,
      twapEnabled: i.resolution === "twap60",
      twapLookbackSeconds: i.resolution === "twap60" ? 60 : 0,
    },
    bestBid: num(b.bid),
    bestAsk: num(b.ask),
    spread: num(Math.max(0, b.ask - b.bid)),
    lastTradePrice: num(m.lastTradeYesE4),
    volume: formatSizeE6(m.volumeE6),
    volumeNum: m.volumeE6 / 1e6,
    liquidity: "0",
    rewardsMinSize: 50,
    rewardsMaxSpread: 4.5,
    umaResolutionStatus: m.state === "resolved" ? "resolved" : "",
    updatedAt: iso(nowMs),
    events: [gammaEventHead(m)],
  };
}

/**
 * The parent event's `eventMetadata` (protocol notes §7.1, UNCONFIRMED): `priceToBeat` (the
 * strike) once the window has started, `finalPrice` once it is settled; `{}` before. It rides
 * on the event head so a market object (`events[0]`) carries it too: a bot that starts
 * mid-window reads the strike from discovery.
 */
function eventMetadataOf(m: SimMarket): Record<string, number> {
  if (m.strike === undefined) return {};
  return m.final === undefined ? { priceToBeat: m.strike } : { priceToBeat: m.strike, finalPrice: m.final };
}

function gammaEventHead(m: SimMarket): Record<string, unknown> {
  const s = m.sched;
  return {
    id: s.eventId,
    ticker: s.info.slug,
    slug: s.info.slug,
    title: s.info.question,
    startTime: iso(s.startSec * 1000),
    endDate: iso(s.endSec * 1000),
    seriesSlug: seriesSlugOf(s.coin, s.info.windowSec as WindowSec),
    active: true,
    closed: m.state !== "open",
    eventMetadata: eventMetadataOf(m),
  };
}

/** A Gamma event (`GET /events`): the head fields, metadata and its one market. */
export function gammaEvent(m: SimMarket, nowMs: number): Record<string, unknown> {
  return {
    ...gammaEventHead(m),
    description: descriptionOf(m.sched),
    markets: [gammaMarket(m, nowMs)],
  };
}

/** The CLOB `GET /markets` object (V1-era field names, still served). */
export function clobMarket(m: SimMarket): Record<string, unknown> {
  const s = m.sched;
  const i = s.info;
  const prices = outcomePrices(m);
  return {
    enable_order_book: true,
    active: true,
    closed: m.state !== "open",
    archived: false,
    accepting_orders: m.state === "open",
    accepting_order_timestamp: iso(s.listSec * 1000),
    minimum_order_size: Number(formatSizeE6(m.book.minSizeE6)),
    minimum_tick_size: num(m.book.tickE4),
    condition_id: i.conditionId,
    question_id: s.questionId,
    question: i.question,
    description: descriptionOf(s),
    market_slug: i.slug,
    end_date_iso: iso(s.endSec * 1000),
    game_start_time: null,
    seconds_delay: 0,
    fpmm: "",
    maker_base_fee: 1000,
    taker_base_fee: 1000,
    notifications_enabled: false,
    neg_risk: false,
    neg_risk_market_id: "",
    neg_risk_request_id: "",
    icon: "",
    image: "",
    rewards: { rates: null, min_size: 0, max_spread: 0 },
    is_50_50_outcome: false,
    tokens: [
      { token_id: i.yesTokenId, outcome: i.outcomes[0], price: Number(prices[0]), winner: m.winner === 0 },
      { token_id: i.noTokenId, outcome: i.outcomes[1], price: Number(prices[1]), winner: m.winner === 1 },
    ],
    tags: ["Crypto", "Up or Down"],
  };
}

/** `GET /clob-markets/{cid}`: the compact per-market parameters (SDK `MarketDetails`). */
export function clobMarketDetails(m: SimMarket): Record<string, unknown> {
  const i = m.sched.info;
  return {
    c: i.conditionId,
    t: [
      { t: i.yesTokenId, o: i.outcomes[0] },
      { t: i.noTokenId, o: i.outcomes[1] },
    ],
    mts: num(m.book.tickE4),
    fd: { r: i.feeRate, e: i.feeExponent, to: true },
    mbf: 1000,
    tbf: 1000,
    r: null,
    ao: m.state === "open",
    mos: Number(formatSizeE6(m.book.minSizeE6)),
    sd: 0,
    cbos: false,
    aot: iso(m.sched.listSec * 1000),
    rfqe: false,
    itode: false,
    ibce: false,
  };
}
