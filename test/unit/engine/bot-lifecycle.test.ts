/**
 * engine/bot-lifecycle.ts: one result per run, stop and halt cancel first and are idempotent,
 * the order manager keeps listening after a stop until every order is confirmed closed (a
 * racing fill still counts), `dispose` lets go at once; connectivity per channel.
 */
import { describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import type { MarketFeed } from "../../../src/core/ports.ts";
import { BotLifecycle, type BotEventFields, Connectivity } from "../../../src/engine/bot-lifecycle.ts";
import { EngineLoop } from "../../../src/engine/loop.ts";
import { OrderManager } from "../../../src/engine/order-manager.ts";
import { FakeExchange } from "../../helpers/fake-exchange.ts";

const feed: MarketFeed = {
  subscribe: () => {},
  unsubscribe: () => {},
  book: () => undefined,
  onEvent: () => () => {},
  close: () => {},
};

function rig() {
  const clock = new ManualClock(1_780_000_000_000);
  const ex = new FakeExchange();
  const orders = new OrderManager({ exchange: ex, clock });
  const loop = new EngineLoop({
    feed,
    exchange: ex,
    clock,
    handler: { onFeedEvent: () => {}, onExchangeEvent: () => {}, onTick: () => {} },
    onFatal: (e) => life.halt(e),
  });
  const log: Array<{ event: string; fields: BotEventFields }> = [];
  const cancels: string[] = [];
  const life = new BotLifecycle({
    bot: "test",
    loop,
    orders,
    log: (_l, event, fields) => log.push({ event, fields }),
    cancelAll: (why) => {
      cancels.push(why);
      orders.cancelAll();
    },
  });
  return { clock, ex, orders, loop, life, log, cancels };
}

const intent = (clientId: string) => ({
  clientId,
  conditionId: "c",
  tokenId: "t",
  side: "BUY" as const,
  priceE4: 4_000,
  sizeE6: 10_000_000,
  orderType: "GTC" as const,
  postOnly: true,
  expirationSec: 0,
});

describe("BotLifecycle", () => {
  test("run resolves once with the stop's reason; stop cancels first and is idempotent", async () => {
    const r = rig();
    const done = r.life.run({ extra: 1 });
    expect(r.loop.isRunning).toBe(true);
    expect(r.log[0]).toEqual({ event: "bot_started", fields: { bot: "test", extra: 1 } });
    r.life.stop("duration");
    r.life.stop("signal");
    r.life.halt(new Error("late"));
    expect(await done).toEqual({ reason: "duration" });
    expect(r.cancels).toEqual(["stop: duration"]);
    expect(r.loop.isRunning).toBe(false);
    expect(r.life.stopping).toBe(true);
    expect(r.log.map((l) => l.event)).toEqual(["bot_started", "bot_stopped"]);
    expect(await r.life.run()).toEqual({ reason: "duration" });
    expect(r.life.ordersSettled).toBe(true); // nothing was open
  });

  test("halt: cancel all, one bot_halted line naming the error, result fatal", async () => {
    const r = rig();
    const done = r.life.run();
    const boom = new RangeError("negative position");
    r.life.halt(boom);
    expect(await done).toEqual({ reason: "fatal", error: boom });
    expect(r.cancels).toEqual(["fatal"]);
    expect(r.log.at(-1)).toEqual({ event: "bot_halted", fields: { reason: "RangeError: negative position" } });
  });

  test("after stop the order manager hears the cancel-all's confirmations and a racing fill, then lets go", () => {
    const r = rig();
    void r.life.run();
    r.orders.submitOrders([intent("a"), intent("b")]);
    r.ex.emit({ kind: "ack", clientId: "a", orderId: "oa", status: "live", atNs: 0 });
    r.ex.emit({ kind: "ack", clientId: "b", orderId: "ob", status: "live", atNs: 0 });
    r.life.stop("signal");
    expect(r.ex.count("cancelAll")).toBe(1);
    expect(r.life.ordersSettled).toBe(false);
    const fill = {
      kind: "fill",
      tradeId: "t1",
      orderId: "oa",
      tokenId: "t",
      side: "BUY",
      priceE4: 4_000,
      sizeE6: 2_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    } as const;
    r.ex.emit(fill);
    expect(r.orders.position("t").netE6).toBe(2_000_000);
    r.ex.emit({ kind: "order_closed", orderId: "oa", reason: "cancelled", atNs: 0 });
    expect(r.life.ordersSettled).toBe(false);
    r.ex.emit({ kind: "order_closed", orderId: "ob", reason: "cancelled", atNs: 0 });
    expect(r.life.ordersSettled).toBe(true);
    // No longer listening: a later fill changes nothing.
    r.ex.emit({ ...fill, tradeId: "t2" });
    expect(r.orders.position("t").netE6).toBe(2_000_000);
  });

  test("dispose lets go at once when the confirmations never come", () => {
    const r = rig();
    void r.life.run();
    r.orders.submitOrders([intent("a")]);
    r.ex.emit({ kind: "ack", clientId: "a", orderId: "oa", status: "live", atNs: 0 });
    r.life.stop();
    expect(r.life.ordersSettled).toBe(false);
    r.life.dispose();
    r.life.dispose();
    expect(r.life.ordersSettled).toBe(true);
    r.ex.emit({
      kind: "fill",
      tradeId: "t3",
      orderId: "oa",
      tokenId: "t",
      side: "BUY",
      priceE4: 4_000,
      sizeE6: 1_000_000,
      feeE6: 0,
      liquidity: "maker",
      status: "MATCHED",
      exchTsMs: 0,
      atNs: 0,
    });
    expect(r.orders.position("t").netE6).toBe(0);
  });
});

describe("Connectivity", () => {
  test("reports changes per channel only, logs them, and is up only when both are", () => {
    const c = new Connectivity();
    const lines: string[] = [];
    const log = (level: string, event: string, f: BotEventFields) =>
      lines.push(`${level} ${event} ${String(f.channel)} ${String(f.state)}`);
    expect(c.allUp).toBe(true);
    expect(c.update("feed", "connected", "x", log)).toBeNull();
    expect(c.update("feed", "disconnected", "socket closed", log)).toBe("down");
    expect(c.update("feed", "stale", "still", log)).toBeNull();
    expect(c.allUp).toBe(false);
    expect(c.update("venue", "disconnected", "user channel", log)).toBe("down");
    expect(c.update("feed", "resynced", "snapshots", log)).toBe("up");
    expect(c.allUp).toBe(false);
    expect(c.update("venue", "connected", "back", log)).toBe("up");
    expect(c.allUp).toBe(true);
    expect(lines).toEqual([
      "warn connection feed disconnected",
      "warn connection venue disconnected",
      "info connection feed resynced",
      "info connection venue connected",
    ]);
  });
});
