/**
 * Order intents for engine, venue and journal tests: a resting post-only GTC BUY of 10 shares
 * at 0.45 unless the test says otherwise. `intentFactory` binds the market a file uses.
 */
import type { OrderIntent } from "../../src/core/ports.ts";

export type IntentOf = (clientId: string, over?: Partial<OrderIntent>) => OrderIntent;

/** `intentFactory({ conditionId, tokenId })("c1", { side: "SELL" })`. */
export function intentFactory(market: Pick<OrderIntent, "conditionId" | "tokenId">): IntentOf {
  return (clientId, over = {}) => ({
    clientId,
    conditionId: market.conditionId,
    tokenId: market.tokenId,
    side: "BUY",
    priceE4: 4_500,
    sizeE6: 10_000_000,
    orderType: "GTC",
    postOnly: true,
    expirationSec: 0,
    ...over,
  });
}
