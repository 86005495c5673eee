/**
 * The official SDK (`@polymarket/clob-client-v2` 1.1.0, a devDependency) as the reference
 * for order and header parity tests and the signing bench. Never imported by `src/`.
 *
 * The SDK has no parameter for an order's salt or timestamp on its public path: the salt is
 * `Math.round(Math.random() * Date.now())` and the timestamp `Date.now()`. We run its public
 * `OrderBuilder.buildOrder` / `buildMarketOrder` with both pinned: `setSystemTime(ts)` and
 * `Math.random = () => salt / ts` (|salt/ts·ts − salt| < 1e-3 for salt < 2^53, so
 * Math.round gives back exactly `salt`; the helper asserts it).
 */
import { setSystemTime } from "bun:test";
import path from "node:path";
import { Wallet } from "@ethersproject/wallet";
import { OrderBuilder, OrderType, Side, orderToJsonV2 } from "@polymarket/clob-client-v2";

/** The SDK's SignedOrderV2 (not exported by name from the package). */
export type SignedOrderV2 = Parameters<typeof orderToJsonV2>[0];

type TickSize = "0.1" | "0.01" | "0.005" | "0.0025" | "0.001" | "0.0001";

export interface SdkOrderInput {
  readonly wallet: Wallet;
  readonly chainId: number;
  readonly signatureType: 0 | 1 | 2 | 3;
  readonly funder?: string;
  readonly tokenId: string;
  readonly side: "BUY" | "SELL";
  /** Float price/size exactly as a user of the SDK passes them. */
  readonly price: number;
  readonly size: number;
  readonly tickSize: TickSize;
  readonly negRisk: boolean;
  readonly version: 2 | 3;
  readonly salt: number;
  readonly timestampMs: number;
  readonly market?: boolean;
  readonly expirationSec?: number;
  readonly builderCode?: string;
  readonly metadata?: string;
}

const builders = new Map<string, OrderBuilder>();

function builderFor(i: SdkOrderInput): OrderBuilder {
  const k = `${i.wallet.address}|${i.chainId}|${i.signatureType}|${i.funder ?? ""}`;
  let b = builders.get(k);
  if (!b) {
    b = new OrderBuilder(i.wallet, i.chainId, i.signatureType, i.funder);
    builders.set(k, b);
  }
  return b;
}

/** Builds and signs with the SDK, salt and timestamp pinned. */
export async function sdkSignOrder(i: SdkOrderInput): Promise<SignedOrderV2> {
  const side = i.side === "BUY" ? Side.BUY : Side.SELL;
  const realRandom = Math.random;
  setSystemTime(new Date(i.timestampMs));
  Math.random = () => i.salt / i.timestampMs;
  try {
    const opts = { tickSize: i.tickSize, negRisk: i.negRisk };
    const extra = {
      ...(i.builderCode !== undefined && { builderCode: i.builderCode }),
      ...(i.metadata !== undefined && { metadata: i.metadata }),
    };
    const order = i.market
      ? await builderFor(i).buildMarketOrder({ tokenID: i.tokenId, price: i.price, amount: i.size, side, ...extra }, opts, i.version)
      : await builderFor(i).buildOrder(
          {
            tokenID: i.tokenId,
            price: i.price,
            size: i.size,
            side,
            ...extra,
            ...(i.expirationSec !== undefined && { expiration: i.expirationSec }),
          },
          opts,
          i.version,
        );
    const o = order as SignedOrderV2;
    if (o.salt !== String(i.salt) || o.timestamp !== String(i.timestampMs)) {
      throw new Error(`could not pin the SDK's salt/timestamp: ${o.salt}/${o.timestamp}`);
    }
    return o;
  } finally {
    Math.random = realRandom;
    setSystemTime();
  }
}

const ORDER_TYPES = { GTC: OrderType.GTC, GTD: OrderType.GTD, FOK: OrderType.FOK, FAK: OrderType.FAK } as const;

/** `JSON.stringify(orderToJsonV2(...))`: the exact bytes the SDK's postOrder signs and sends. */
export function sdkPostBody(
  o: SignedOrderV2,
  owner: string,
  orderType: keyof typeof ORDER_TYPES,
  postOnly: boolean,
  deferExec: boolean,
): string {
  return JSON.stringify(orderToJsonV2(o, owner, ORDER_TYPES[orderType], postOnly, deferExec));
}

export function sdkBatchBody(
  items: ReadonlyArray<{ order: SignedOrderV2; orderType: keyof typeof ORDER_TYPES }>,
  owner: string,
  postOnly: boolean,
  deferExec: boolean,
): string {
  return JSON.stringify(items.map((it) => orderToJsonV2(it.order, owner, ORDER_TYPES[it.orderType], postOnly, deferExec)));
}

// The SDK's EIP-712 order hash (its order id) lives in a module the package does not export;
// load it from the installed dist by path.
interface TypedDataBuilder {
  buildOrderTypedData(order: SignedOrderV2): unknown;
  buildOrderHash(typedData: unknown): string;
}
type BuilderCtor = new (contract: string, chainId: number, signer: Wallet) => TypedDataBuilder;
const SDK_DIST = path.resolve(import.meta.dir, "../../node_modules/@polymarket/clob-client-v2/dist");
const mod = (await import(path.join(SDK_DIST, "order-utils/exchangeOrderBuilderV2.js"))) as {
  ExchangeOrderBuilderV2: BuilderCtor;
  ExchangeOrderBuilderV3: BuilderCtor;
};
const cfg = (await import(path.join(SDK_DIST, "config.js"))) as {
  getContractConfig(chainId: number): { exchangeV2: string; negRiskExchangeV2: string; exchangeV3: string };
};

/** The SDK's order hash for an order it built. */
export function sdkOrderHash(o: SignedOrderV2, wallet: Wallet, chainId: number, negRisk: boolean, version: 2 | 3): string {
  const c = cfg.getContractConfig(chainId);
  const b =
    version === 3
      ? new mod.ExchangeOrderBuilderV3(c.exchangeV3, chainId, wallet)
      : new mod.ExchangeOrderBuilderV2(negRisk ? c.negRiskExchangeV2 : c.exchangeV2, chainId, wallet);
  return b.buildOrderHash(b.buildOrderTypedData(o));
}

/** The SDK's float amount helpers, for the exhaustive amounts test. */
export interface RawAmounts {
  rawMakerAmt: number;
  rawTakerAmt: number;
}
type RoundConfig = { price: number; size: number; amount: number };
export const sdkAmounts = {
  limit: (await import(path.join(SDK_DIST, "order-builder/helpers/getOrderRawAmounts.js"))).getOrderRawAmounts as (
    side: string,
    size: number,
    price: number,
    rc: RoundConfig,
  ) => RawAmounts,
  market: (await import(path.join(SDK_DIST, "order-builder/helpers/getMarketOrderRawAmounts.js"))).getMarketOrderRawAmounts as (
    side: string,
    amount: number,
    price: number,
    rc: RoundConfig,
  ) => RawAmounts,
  roundingConfig: (await import(path.join(SDK_DIST, "order-builder/helpers/roundingConfig.js"))).ROUNDING_CONFIG as Record<
    TickSize,
    RoundConfig
  >,
};

export { Wallet };
