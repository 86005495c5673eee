/**
 * From a `POST /order` body (protocol notes §3.3) to what the matching engine needs:
 * decode and type-check the JSON, then turn the signed amounts into a price and a size.
 *
 * Amounts (§3.5): a BUY gives `makerAmount` pUSD for `takerAmount` shares, a SELL gives
 * `makerAmount` shares for `takerAmount` pUSD. For GTC/GTD the price is the exact ratio and
 * must sit on the tick grid (else the real "breaks minimum tick size rule" error). FOK/FAK
 * orders come from the SDK's market-order builder, whose amounts are rounded: a BUY is an
 * amount of pUSD to spend (`makerAmount`, the real API reports it as `original_size`) with
 * worst price ⌊maker/taker⌋ on the grid, a SELL sells `makerAmount` shares no lower than
 * ⌈taker/maker⌉. Sizes are taken on the 0.01-share grid (the SDK floors to 2 dp).
 *
 * Market-order amounts are checked like the real server (its message, as SDK users report
 * it: rs-clob-client #114 / #261, rs-clob-client-v2 #59, py-clob-client-v2 #99): the maker
 * amount (BUY pUSD, SELL shares) must be whole cents / 0.01 shares, and the taker amount at
 * most 4 decimals — widened to what `@polymarket/clob-client-v2` 1.1.0's `createMarketOrder`
 * signs on fine ticks (ROUNDING_CONFIG amount = price decimals + 2: 5 decimals at tick
 * 0.001/0.005, 6 at 0.0001/0.0025), so every SDK market order is accepted here (parity test
 * `test/golden/market-order-parity.test.ts`). py-clob-client-v2 #99 reports the live server
 * refusing such 5-decimal takers; the engine never sends them (its FOK/FAK legs are clean
 * lots: exact 2-decimal takers).
 * Pure: no I/O.
 */
import type { OrderType, Side } from "../core/ports.ts";
import { formatFixed, ONE_E4, type PriceE4, type SizeE6, snapAskUp, snapBidDown, type TickE4, type UsdE6 } from "../core/units.ts";
import { marketTakerDecimalsOf } from "../polymarket/amounts.ts";
import type { SignedOrder } from "../polymarket/signing.ts";
import { ERR, SIZE_GRID_E6 } from "./matching.ts";

export interface PostBody {
  readonly order: SignedOrder;
  readonly owner: string;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  readonly deferExec: boolean;
}

export interface OrderTerms {
  readonly priceE4: PriceE4;
  readonly sizeE6: SizeE6;
  readonly budgetE6: UsdE6;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const ORDER_TYPES: readonly string[] = ["GTC", "GTD", "FOK", "FAK"];
const DECIMAL = /^[0-9]{1,78}$/;
const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Decodes one post body; an error string says what is wrong (the server answers 400 "Invalid order payload"). */
export function decodePostBody(v: unknown): PostBody | string {
  if (!isObj(v)) return "body is not an object";
  const o = v.order;
  if (!isObj(o)) return "order missing";
  const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const salt = o.salt;
  const sigType = o.signatureType;
  if (typeof salt !== "number" || !Number.isSafeInteger(salt) || salt < 0) return "order.salt must be a non-negative integer number";
  if (typeof sigType !== "number" || !Number.isInteger(sigType) || sigType < 0 || sigType > 3) return "order.signatureType must be 0..3";
  for (const k of ["tokenId", "makerAmount", "takerAmount", "timestamp"])
    if (!DECIMAL.test(str(k) ?? "")) return `order.${k} must be a decimal string`;
  for (const k of ["maker", "signer"]) if (!ADDRESS.test(str(k) ?? "")) return `order.${k} must be an address`;
  for (const k of ["metadata", "builder"]) if (!HEX32.test(str(k) ?? "")) return `order.${k} must be bytes32 hex`;
  const side = str("side");
  if (side !== "BUY" && side !== "SELL") return "order.side must be BUY or SELL";
  const expiration = str("expiration") ?? "0";
  if (!DECIMAL.test(expiration)) return "order.expiration must be a decimal string";
  const signature = str("signature");
  if (signature === undefined || !/^0x[0-9a-fA-F]+$/.test(signature)) return "order.signature must be hex";
  const orderType = typeof v.orderType === "string" ? v.orderType : "GTC";
  if (!ORDER_TYPES.includes(orderType)) return `unknown orderType ${JSON.stringify(orderType).slice(0, 20)}`;
  if (typeof v.owner !== "string") return "owner missing";
  return {
    order: {
      orderId: "",
      salt,
      maker: str("maker") as string,
      signer: str("signer") as string,
      tokenId: str("tokenId") as string,
      makerAmount: str("makerAmount") as string,
      takerAmount: str("takerAmount") as string,
      side,
      signatureType: sigType,
      timestamp: str("timestamp") as string,
      expiration,
      metadata: str("metadata") as string,
      builder: str("builder") as string,
      signature,
    },
    owner: v.owner,
    orderType: orderType as OrderType,
    postOnly: v.postOnly === true,
    deferExec: v.deferExec === true,
  };
}

/** The server's reply to market-order amounts finer than it takes (BUY and SELL wording). */
export const ERR_MARKET_BUY_AMOUNTS =
  "invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals";
export const ERR_MARKET_SELL_AMOUNTS =
  "invalid amounts, the market sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals";

/**
 * Base-unit step a market order's taker amount must sit on at this tick: 4 decimals (the
 * server's rule), or the SDK's price decimals + 2 when finer (see the header).
 */
export function marketTakerStepE6(tickE4: TickE4): number {
  return 10 ** (6 - Math.max(4, marketTakerDecimalsOf(tickE4)));
}

/** Price and size of a signed order on a market with tick `tickE4`, or Polymarket's error string. */
export function termsOf(
  orderId: string,
  side: Side,
  makerAmount: string,
  takerAmount: string,
  orderType: OrderType,
  tickE4: TickE4,
): OrderTerms | string {
  const maker = Number(makerAmount);
  const taker = Number(takerAmount);
  if (!Number.isSafeInteger(maker) || !Number.isSafeInteger(taker) || maker <= 0 || taker <= 0)
    return `order ${orderId} is invalid. Size (0) lower than the minimum: 0`;
  const market = orderType === "FOK" || orderType === "FAK";
  const cash = side === "BUY" ? maker : taker;
  const shares = side === "BUY" ? taker : maker;
  const sizeE6 = Math.floor(shares / SIZE_GRID_E6) * SIZE_GRID_E6;
  const ratioE4 = (cash * ONE_E4) / shares;
  if (market) {
    if (maker % SIZE_GRID_E6 !== 0 || taker % marketTakerStepE6(tickE4) !== 0)
      return side === "BUY" ? ERR_MARKET_BUY_AMOUNTS : ERR_MARKET_SELL_AMOUNTS;
    const priceE4 = side === "BUY" ? snapBidDown(Math.floor(ratioE4 + 1e-9), tickE4) : snapAskUp(Math.ceil(ratioE4 - 1e-9), tickE4);
    if (priceE4 < tickE4 || priceE4 > ONE_E4 - tickE4) return ERR.tick(orderId, Math.max(0, Math.min(ONE_E4, priceE4)), tickE4);
    return { priceE4, sizeE6, budgetE6: side === "BUY" ? Math.floor(maker / SIZE_GRID_E6) * SIZE_GRID_E6 : 0 };
  }
  // limit: the ratio must be an exact PriceE4 on the grid
  if ((cash * ONE_E4) % shares !== 0 || ratioE4 % tickE4 !== 0) {
    return `order ${orderId} is invalid. Price (${formatFixed(Math.round(ratioE4 * 100), 6)}) breaks minimum tick size rule: ${formatFixed(tickE4, 4)}`;
  }
  return { priceE4: ratioE4, sizeE6: shares, budgetE6: 0 };
}
