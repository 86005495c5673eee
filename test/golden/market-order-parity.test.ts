/**
 * FOK/FAK orders are market orders on Polymarket. Parity with `@polymarket/clob-client-v2`
 * 1.1.0's market-order builder (`OrderBuilder.buildMarketOrder` → `createMarketOrder` →
 * `getMarketOrderRawAmounts`):
 * - our market amounts equal the SDK's for random pUSD / share amounts, prices and ticks;
 * - every order the SDK builds is accepted by the simulator's intake (`decodePostBody` +
 *   `termsOf`), at the SDK's (floored) price and with its pUSD budget / share size;
 * - the live client (`SignerOrderSource`) signs a share-sized FOK/FAK intent into exactly
 *   the SDK's order for `amount = marketAmountE6(...)`, byte for byte;
 * - a BUY whose maker amount is finer than a cent (what a limit-signed FOK used to send) is
 *   refused with the server's message, mapped to INVALID_ORDER.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../src/core/clock.ts";
import type { OrderIntent } from "../../src/core/ports.ts";
import { Rng } from "../../src/core/rng.ts";
import { Secret } from "../../src/core/secret.ts";
import { TICK_E4, TICK_SIZES, type TickSize } from "../../src/core/units.ts";
import { computeAmounts, marketAmountE6, newAmountsOut, priceDecimalsOf } from "../../src/polymarket/amounts.ts";
import { SignerOrderSource } from "../../src/polymarket/exchange-client.ts";
import { codeOfMessage } from "../../src/polymarket/rest-errors.ts";
import { OrderSigner } from "../../src/polymarket/signing.ts";
import { decodePostBody, ERR_MARKET_BUY_AMOUNTS, ERR_MARKET_SELL_AMOUNTS, termsOf } from "../../src/sim/order-intake.ts";
import { sdkAmounts, sdkPostBody, sdkSignOrder, Wallet } from "../helpers/sdk-order-reference.ts";

const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const wallet = new Wallet(KEY);
const TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
const OWNER = "5f0c2a8e-1b2c-4d3e-8f90-123456789abc";
type Side = "BUY" | "SELL";

/** A random price on the SDK's price-decimal grid, inside [tick, 1 − tick] (createMarketOrder's priceValid). */
function randomPriceE4(rng: Rng, tick: TickSize): number {
  const t = TICK_E4[tick];
  const unit = 10 ** (4 - priceDecimalsOf(t));
  return rng.chance(0.7) ? rng.int(1, 10_000 / t - 1) * t : rng.int(Math.ceil(t / unit), Math.floor((10_000 - t) / unit)) * unit;
}

/**
 * A random amount (E6): whole cents, or any 6-decimal value (the SDK floors to 2 decimals).
 * Up to $5,000: far beyond a bot's order, and where the SDK's doubles are still exact (above
 * ~$10,000 at the finest prices its division drifts by a base unit; we stay exact, see
 * test/golden/amounts.parity.test.ts).
 */
function randomAmountE6(rng: Rng): number {
  const big = rng.chance(0.2);
  const cents = big ? rng.int(100, 500_000) : rng.int(1, 20_000);
  return rng.chance(0.6) ? cents * 10_000 : cents * 10_000 + rng.int(1, 9_999);
}

function sdkMarketAmounts(side: Side, amountE6: number, priceE4: number, tick: TickSize): [string, string] {
  const r = sdkAmounts.market(side, amountE6 / 1e6, priceE4 / 1e4, sdkAmounts.roundingConfig[tick]);
  // parseUnits(x.toString(), 6), as buildMarketOrderCreationArgs does
  const units = (x: number): string => {
    const [i = "0", f = ""] = x.toString().split(".");
    return (BigInt(i) * 1_000_000n + BigInt(`${f}000000`.slice(0, 6))).toString();
  };
  return [units(r.rawMakerAmt), units(r.rawTakerAmt)];
}

describe("market-order amounts: ours = the SDK's", () => {
  test("20 000 random (side, amount, price, tick): identical maker/taker amounts", () => {
    const rng = new Rng(20_260_701);
    const out = newAmountsOut();
    const bad: string[] = [];
    let n = 0;
    for (let k = 0; k < 20_000; k++) {
      const tick = rng.pick(TICK_SIZES);
      const side: Side = rng.chance(0.5) ? "BUY" : "SELL";
      const p = randomPriceE4(rng, tick);
      const a = randomAmountE6(rng);
      const e = computeAmounts(side, p, a, TICK_E4[tick], "market", out);
      const [m, t] = sdkMarketAmounts(side, a, p, tick);
      if (e !== null) {
        // We refuse only what the SDK turns into a zero amount.
        if (m !== "0" && t !== "0") bad.push(`${side} ${a} @${p} ${tick}: ours ${e}, sdk ${m}/${t}`);
        continue;
      }
      n++;
      if (String(out.makerAmount) !== m || String(out.takerAmount) !== t)
        bad.push(`${side} ${a} @${p} ${tick}: ours ${out.makerAmount}/${out.takerAmount}, sdk ${m}/${t}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(19_000);
  });
});

describe("SDK market orders → the simulator's intake", () => {
  const N = 400;
  test(`${N} orders from the SDK's buildMarketOrder (random amounts, prices, ticks, FOK/FAK) are all accepted`, async () => {
    const rng = new Rng(7);
    const refused: string[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < N; k++) {
      const tick = TICK_SIZES[k % TICK_SIZES.length] as TickSize;
      const side: Side = Math.floor(k / TICK_SIZES.length) % 2 === 0 ? "BUY" : "SELL";
      const p = randomPriceE4(rng, tick);
      const a = randomAmountE6(rng);
      const o = await sdkSignOrder({
        wallet,
        chainId: 137,
        signatureType: 0,
        tokenId: TOKEN,
        side,
        price: p / 1e4,
        size: a / 1e6,
        tickSize: tick,
        negRisk: rng.chance(0.3),
        version: 2,
        salt: 1 + k,
        timestampMs: 1_780_000_000_000 + k,
        market: true,
      });
      const orderType = rng.chance(0.5) ? "FOK" : "FAK";
      const body = decodePostBody(JSON.parse(sdkPostBody(o, OWNER, orderType, false, false)));
      if (typeof body === "string") {
        refused.push(`decode: ${body}`);
        continue;
      }
      const terms = termsOf("0x01", body.order.side, body.order.makerAmount, body.order.takerAmount, body.orderType, TICK_E4[tick]);
      if (typeof terms === "string") {
        refused.push(`${side} ${a} @${p} tick ${tick}: maker ${o.makerAmount} taker ${o.takerAmount}: ${terms}`);
        continue;
      }
      seen.add(`${tick}:${side}`);
      // The SDK's price is floored to its price decimals; on the tick grid the sim reads it back exactly.
      const unit = 10 ** (4 - priceDecimalsOf(TICK_E4[tick]));
      const sdkPrice = Math.floor(p / unit) * unit;
      if (sdkPrice % TICK_E4[tick] === 0) expect(terms.priceE4).toBe(sdkPrice);
      if (side === "BUY") expect(terms.budgetE6).toBe(Number(o.makerAmount));
      else expect(terms.sizeE6).toBe(Number(o.makerAmount));
    }
    expect(refused.slice(0, 5)).toEqual([]);
    expect(seen.size).toBe(TICK_SIZES.length * 2);
  }, 60_000);

  test("a market BUY's maker finer than a cent, or a taker finer than the tick allows, is refused with the server's words", () => {
    // 10.01 shares × 0.53 = 5.3053 pUSD: what a FOK BUY signed with limit amounts sent.
    expect(termsOf("0x01", "BUY", "5305300", "10010000", "FOK", 100)).toBe(ERR_MARKET_BUY_AMOUNTS);
    expect(termsOf("0x01", "BUY", "5300000", "10000001", "FAK", 100)).toBe(ERR_MARKET_BUY_AMOUNTS); // 7-decimal shares
    expect(termsOf("0x01", "BUY", "5300000", "10000010", "FAK", 100)).toBe(ERR_MARKET_BUY_AMOUNTS); // 5 decimals at tick 0.01
    expect(typeof termsOf("0x01", "BUY", "5300000", "10000010", "FAK", 10)).toBe("object"); // 5 decimals: the SDK's tick-0.001 taker
    expect(termsOf("0x01", "SELL", "10005000", "5302650", "FOK", 100)).toBe(ERR_MARKET_SELL_AMOUNTS); // 10.005 shares
    // Limit orders keep their own rule (amounts are an exact price × size).
    expect(typeof termsOf("0x01", "BUY", "5305300", "10010000", "GTC", 100)).toBe("object");
    expect(codeOfMessage(ERR_MARKET_BUY_AMOUNTS)).toBe("INVALID_ORDER");
    expect(codeOfMessage(ERR_MARKET_SELL_AMOUNTS)).toBe("INVALID_ORDER");
    expect(
      codeOfMessage(
        "invalid amounts, the sell orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals",
      ),
    ).toBe("INVALID_ORDER");
  });
});

describe("the live client signs FOK/FAK intents as the SDK's market orders", () => {
  const N = 200;
  test(`${N} random share-sized FOK/FAK intents: byte-identical to createMarketOrder(amount = marketAmountE6) and accepted by the sim`, async () => {
    const rng = new Rng(99);
    const clock = new ManualClock(1_780_000_000_000);
    const signer = new OrderSigner({ privateKey: new Secret(KEY), signatureType: 0, chainId: 137 });
    let tick: TickSize = "0.01";
    let salt = 0;
    const src = new SignerOrderSource({
      signer,
      owner: OWNER,
      clock,
      marketOf: () => ({ tickE4: TICK_E4[tick], negRisk: false, exchangeVersion: 2 }),
      nextSalt: () => ++salt,
    });
    const bad: string[] = [];
    let below = 0;
    for (let k = 0; k < N; k++) {
      tick = TICK_SIZES[k % TICK_SIZES.length] as TickSize;
      const t = TICK_E4[tick];
      const side: Side = rng.chance(0.5) ? "BUY" : "SELL";
      const p = rng.int(1, 10_000 / t - 1) * t;
      const sizeE6 = rng.int(100, 20_000) * 10_000 + (rng.chance(0.2) ? rng.int(1, 9_999) : 0);
      const orderType = rng.chance(0.5) ? "FOK" : "FAK";
      const intent: OrderIntent = {
        clientId: `c${k}`,
        conditionId: "0xc",
        tokenId: TOKEN,
        side,
        priceE4: p,
        sizeE6,
        orderType,
        postOnly: false,
        expirationSec: 0,
      };
      const amount = marketAmountE6(side, p, sizeE6);
      const s = src.signed(intent);
      if (amount < 10_000) {
        // Under a cent: nothing to sign (the SDK would sign a zero amount the server refuses).
        expect(s.ok).toBe(false);
        continue;
      }
      if (!s.ok) {
        bad.push(`${side} ${sizeE6} @${p}: ${s.reason}`);
        continue;
      }
      const o = await sdkSignOrder({
        wallet,
        chainId: 137,
        signatureType: 0,
        tokenId: TOKEN,
        side,
        price: p / 1e4,
        size: amount / 1e6,
        tickSize: tick,
        negRisk: false,
        version: 2,
        salt,
        timestampMs: clock.wallMs(),
        market: true,
      });
      const sdkBody = sdkPostBody(o, OWNER, orderType, false, false);
      if (s.order.body !== sdkBody) bad.push(`${side} ${sizeE6} @${p} tick ${tick}:\n ours ${s.order.body}\n sdk  ${sdkBody}`);
      const body = decodePostBody(JSON.parse(s.order.body));
      if (typeof body === "string") throw new Error(body);
      const terms = termsOf("0x01", side, body.order.makerAmount, body.order.takerAmount, orderType, t);
      if (typeof terms === "string") bad.push(`sim refused ${side} ${sizeE6} @${p}: ${terms}`);
      // A market BUY never buys more than the intent's shares at its limit.
      if (side === "BUY" && Number(body.order.takerAmount) > sizeE6) bad.push(`BUY ${sizeE6} @${p} signs ${body.order.takerAmount} shares`);
      if (side === "BUY" && Number(body.order.takerAmount) < Math.floor(sizeE6 / 10_000) * 10_000) below++;
    }
    expect(bad.slice(0, 3)).toEqual([]);
    expect(below).toBeGreaterThan(0); // the sample has BUYs that are not clean lots
    expect(src.stats.fresh).toBeGreaterThan(N / 2);
  }, 60_000);
});
