/**
 * The simulator on 127.0.0.1:0 as the endpoint fuzz targets see it: a ManualClock (nothing
 * moves unless a test advances it), no synthetic flow, one resting book placed through the
 * exchange, an API key derived over L1 like a real client, and helpers to sign requests and
 * orders. Shared by test/fuzz/sim-endpoints.fuzz.test.ts and bench/fuzz-full.ts.
 */
import { ManualClock } from "../../src/core/clock.ts";
import { Secret } from "../../src/core/secret.ts";
import { type ApiCreds, l1Headers, l2Headers } from "../../src/polymarket/auth.ts";
import { OrderSigner, orderPostBody } from "../../src/polymarket/signing.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../../src/sim/schedule.ts";
import { SimServer, type SimUrls } from "../../src/sim/server.ts";

export const SIM_START_MS = 1_780_876_860_000;
/** A throwaway test key (never funded anywhere but the simulator). */
export const FUZZ_PK = new Secret("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "fuzz key");

export interface SimFixture {
  readonly server: SimServer;
  readonly ex: SimExchange;
  readonly clock: ManualClock;
  readonly urls: SimUrls;
  readonly signer: OrderSigner;
  readonly creds: ApiCreds;
  /** YES token of an open market with a resting book (bid 0.40, ask 0.60). */
  readonly tokenId: string;
  readonly conditionId: string;
  /** Signed L2 headers for (method, path, body), as a client would send them. */
  l2(method: string, path: string, body?: string): Record<string, string>;
  /** A fresh valid GTC BUY body (0.30 × 5, below the ask: rests). */
  validOrderBody(): { orderId: string; body: string };
  stop(): Promise<void>;
}

export async function startSimFixture(): Promise<SimFixture> {
  const clock = new ManualClock(SIM_START_MS);
  const ex = new SimExchange({
    seed: 3,
    startMs: SIM_START_MS,
    flow: null,
    initialBalanceE6: 1e15,
    schedule: { ...DEFAULT_SCHEDULE, coins: ["btc/usd"], windows: [300] },
  });
  const server = new SimServer({ exchange: ex, clock, testApi: false });
  const urls = server.start();
  const m = ex.allMarkets().find((x) => x.state === "open");
  if (!m) throw new Error("sim fixture: no open market");
  const tokenId = m.sched.info.yesTokenId;
  const placed = ex.placeBook(tokenId, [["0.40", "100"]], [["0.60", "100"]]);
  if (!placed.ok) throw new Error(`sim fixture: ${placed.error}`);
  const signer = new OrderSigner({ privateKey: FUZZ_PK, signatureType: 0, chainId: 137 });
  const res = await fetch(`${urls.rest}/auth/derive-api-key`, { headers: { ...l1Headers(signer, Math.floor(SIM_START_MS / 1000)) } });
  if (res.status !== 200) throw new Error(`sim fixture: derive-api-key ${res.status}`);
  const j = (await res.json()) as { apiKey: string; secret: string; passphrase: string };
  const creds: ApiCreds = {
    key: j.apiKey,
    secret: new Secret(j.secret, "api secret"),
    passphrase: new Secret(j.passphrase, "api passphrase"),
  };
  let salt = 1;
  const tsSec = Math.floor(SIM_START_MS / 1000);
  return {
    server,
    ex,
    clock,
    urls,
    signer,
    creds,
    tokenId,
    conditionId: m.sched.info.conditionId,
    l2: (method, path, body) => ({ ...l2Headers(creds, signer.address, tsSec, method, path, body), "content-type": "application/json" }),
    validOrderBody() {
      const order = signer.sign({
        tokenId,
        side: "BUY",
        priceE4: 3000,
        sizeE6: 5_000_000,
        tickE4: 100,
        negRisk: false,
        exchangeVersion: 2,
        salt: salt++,
        timestampMs: SIM_START_MS,
      });
      return { orderId: order.orderId, body: orderPostBody(order, creds.key, "GTC", false) };
    },
    stop: () => server.stop(),
  };
}
