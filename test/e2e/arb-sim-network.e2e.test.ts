/**
 * The arbitrage bot end to end over the network: the embedded simulator server on
 * 127.0.0.1:0 and the real client stack composed by cli/compose.ts (market/user/RTDS
 * WebSockets, REST with EIP-712 signing and L2 auth, the pre-signed pool fed by the bot's
 * `prepare`, heartbeat, Gamma auto-roll, CTF merges over POST /sim/ctf/merge). One BTC
 * 15-minute market, no synthetic flow: the books are engineered in the simulator
 * (`placeBook` for resting liquidity, `placeUnmatched` for the crossing order that opens a
 * YES ask + NO ask < $1 gap, which Polymarket's shared book never rests).
 *
 * Time: one ManualClock drives the simulator and the bot; the test advances it in small
 * steps and sleeps a few real ms between them, so socket and HTTP traffic flows in real time
 * while simulated time moves only when the test moves it. Money is checked to the
 * micro-dollar against the simulator's own ledger (fee 0.07·p(1−p) a share).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { ArbBot } from "../../src/bots/arb-bot.ts";
import { DEFAULT_ARB_PARAMS } from "../../src/bots/arb-params.ts";
import type { VenueHandle } from "../../src/cli/compose.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { MarketInfo } from "../../src/core/ports.ts";
import { composeQuietSim } from "../helpers/quiet-sim.ts";

const M = 1_000_000;
const WINDOW_MS = 900_000;
const FIRST_START = Math.floor(1_780_876_800_000 / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
const T0 = FIRST_START + 30_000; // 30 s into a 15-minute window
const MAKER = "7e57b00c-0000-4000-8000-000000000002";
const MAKER_ADDRESS = "0x7e57b00c00000000000000000000000000000002";

let venue: VenueHandle | undefined;
afterAll(async () => {
  await venue?.close();
});

describe("arbitrage bot on the simulator server, real client stack", () => {
  test("a gap taken from pooled orders and merged over REST; a failed leg unwound within the bound; nothing open at stop", async () => {
    const clock = new ManualClock(T0);
    const quiet = await composeQuietSim(clock, T0, { SIM_SEED: "11", RISK_DAILY_LOSS_LIMIT: "100000", PRE_SIGN_POOL_SIZE: "10" });
    venue = quiet.venue;
    const v = venue;
    const sim = quiet.sim;
    expect(sim).toBeDefined();
    const events: Array<{ event: string; fields: Readonly<Record<string, unknown>> }> = [];
    const bot = new ArbBot({
      feed: v.feed,
      exchange: v.exchange,
      clock,
      params: { ...DEFAULT_ARB_PARAMS, maxCapitalUsdE6: 1_000 * M },
      events: (_l, event, fields) => events.push({ event, fields }),
    });
    const done = bot.run();
    await v.start();

    const step = async (ms: number) => {
      clock.advanceBy(ms);
      sim.server.sync();
      await Bun.sleep(5);
    };
    const until = async (cond: () => boolean, maxSteps = 400, ms = 20) => {
      for (let i = 0; i < maxSteps && !cond(); i++) await step(ms);
      return cond();
    };
    const fault = async (body: Record<string, unknown>) => {
      const r = await fetch(`${sim.urls.rest}/test/fault`, { method: "POST", body: JSON.stringify(body) });
      expect(r.status).toBe(200);
    };

    // Sockets connect in real time; auto-roll announces the running window; snapshots arrive.
    let market: MarketInfo | undefined;
    expect(
      await until(
        () => {
          market = [...bot.markets.values()].find((m) => m.phase === "live")?.info;
          return market !== undefined && v.feed.book(market.yesTokenId) !== undefined && v.feed.book(market.noTokenId) !== undefined;
        },
        500,
        100,
      ),
    ).toBe(true);
    const mk = market as MarketInfo;
    sim.exchange.openAccount(MAKER, MAKER_ADDRESS);
    sim.exchange.fund(MAKER, 100_000 * M);
    let n = 0;
    /** A resting BUY of `outcome` at `priceE4` that is not matched: how a gap is engineered. */
    const unmatched = (outcome: "YES" | "NO", priceE4: number, sizeE6: number): string => {
      const orderId = `0x${(++n).toString(16).padStart(64, "d")}`;
      const res = sim.exchange.placeUnmatched({
        orderId,
        owner: MAKER,
        makerAddress: MAKER_ADDRESS,
        tokenId: outcome === "YES" ? mk.yesTokenId : mk.noTokenId,
        side: "BUY",
        priceE4,
        sizeE6,
        budgetE6: 0,
        orderType: "GTC",
        postOnly: false,
        expirationSec: 0,
      });
      if (!res.success) throw new Error(res.errorMsg);
      return orderId;
    };
    const book = (token: "YES" | "NO", bids: [string, string][], asks: [string, string][]) => {
      const r = sim.exchange.placeBook(token === "YES" ? mk.yesTokenId : mk.noTokenId, bids, asks);
      if (!r.ok) throw new Error(r.error);
    };
    const key = v.apiKey;
    const held = (token: "YES" | "NO") => sim.exchange.balanceOf(key, token === "YES" ? mk.yesTokenId : mk.noTokenId);
    const collateral = () => sim.exchange.collateral(key);

    // 1. Near a gap (YES 0.44 + NO 0.53 costs ~$1.005 a pair after fees): no trade, but the bot
    //    hands the legs it would send to the pre-signed pool, which signs them in idle time.
    book("YES", [], [["0.44", "20"]]);
    const near = unmatched("YES", 4700, 20 * M); // a YES bid at 0.47 = a NO ask at 0.53
    expect(await until(() => bot.totals.presigned >= 2)).toBe(true);
    expect(await until(() => (v.poolStats?.().pooled ?? 0) >= 10)).toBe(true);
    expect(bot.totals.tradesTaken).toBe(0);

    // 2. The NO ask drops to 0.51: YES 0.44 + NO 0.51 = 0.95, ~1.5 c a pair after fees. Both FOK
    //    legs come out of the pool (same token, side, price, size), in one batch.
    const before = collateral();
    unmatched("YES", 4900, 20 * M);
    expect(await until(() => bot.totals.mergedPairsE6 > 0)).toBe(true);
    let s = bot.summary();
    expect(s.tradesTaken).toBe(1);
    expect(s.tradesFilled).toBe(1);
    expect(s.pairsBought).toBe(20);
    expect(s.legIncidents).toBe(0);
    expect(v.poolStats?.().hits).toBeGreaterThanOrEqual(2);
    // 20 × (0.44 + 0.51) = 19.00; fees 20·0.07·0.2464 = 0.34496 and 20·0.07·0.2499 = 0.34986
    const costE6 = 8_800_000 + 344_960 + 10_200_000 + 349_860;
    expect(s.lockedProfit).toBeCloseTo((20 * M - costE6) / M, 6);
    expect(s.mergedPairs).toBe(20);
    expect(held("YES")).toBe(0);
    expect(held("NO")).toBe(0);
    expect(collateral() - before).toBe(20 * M - costE6);
    sim.exchange.cancel(MAKER, [near]);

    // 3. A gap whose NO liquidity is gone by the time the batch arrives (the server holds the
    //    request 400 ms of real time; the test pulls the NO ask meanwhile): YES fills, NO's FOK
    //    is killed, and the unwind sells the 20 YES into the 0.42 bid, within ARB_MAX_LEG_LOSS.
    for (let i = 0; i < 20; i++) await step(20); // past the market's cooldown after a trade
    const before2 = collateral();
    book("YES", [["0.42", "20"]], [["0.44", "20"]]);
    await fault({ delay_ms: 400 });
    const gap = unmatched("YES", 5000, 20 * M);
    for (let i = 0; i < 400 && bot.totals.tradesTaken < 2; i++) await Bun.sleep(2); // real time only: the bot reacts to the frame
    expect(bot.totals.tradesTaken).toBe(2);
    sim.exchange.cancel(MAKER, [gap]);
    await fault({ clear: true });
    expect(await until(() => bot.incidents.length > 0, 600)).toBe(true);
    s = bot.summary();
    expect(s.legIncidents).toBe(1);
    const inc = s.incidents[0];
    expect(inc?.outcome).toBe("unwound");
    // bought 20 @ 0.44 (+0.34496 fee), sold 20 @ 0.42 (−0.34104 fee): 9.14496 − 8.05896
    expect(inc?.loss).toBeCloseTo(1.086, 6);
    expect(inc?.loss ?? 99).toBeLessThanOrEqual(DEFAULT_ARB_PARAMS.maxLegLossUsdE6 / M);
    expect(collateral() - before2).toBe(-1_086_000);
    expect(held("YES")).toBe(0);
    expect(held("NO")).toBe(0);
    expect(events.some((e) => e.event === "leg_incident" && e.fields.shortCode === "FOK_NOT_FILLED")).toBe(true);

    // 4. Stop: cancel-all, and the exchange shows nothing of ours (read back over REST).
    bot.stop("duration");
    expect((await done).reason).toBe("duration");
    await step(50);
    expect(await v.exchange.fetchOpenOrders()).toEqual([]);
  }, 60_000);
});
