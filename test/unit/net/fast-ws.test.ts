import { afterEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import { Rng } from "../../../src/core/rng.ts";
import { FastWebSocket, HB_DEAD, HB_PING, HB_STALE, Heartbeat, type WsConnectionEvent } from "../../../src/net/fast-ws.ts";
import { backoff, classifyClose } from "../../../src/net/reconnect-policy.ts";
import { MarketWsServer, Waiter } from "../../helpers/market-ws-server.ts";

const MS = 1e6;

describe("Heartbeat (pure)", () => {
  test("pings every interval, goes stale, then dead, when nothing arrives", () => {
    const hb = new Heartbeat(10_000 * MS, 15_000 * MS, 25_000 * MS);
    hb.onOpen(0);
    expect(hb.nextDeadlineNs()).toBe(10_000 * MS);
    expect(hb.onTimer(10_000 * MS)).toBe(HB_PING);
    expect(hb.nextDeadlineNs()).toBe(15_000 * MS);
    expect(hb.onTimer(15_000 * MS)).toBe(HB_STALE);
    expect(hb.isStale).toBe(true);
    expect(hb.nextDeadlineNs()).toBe(20_000 * MS);
    expect(hb.onTimer(20_000 * MS)).toBe(HB_PING);
    expect(hb.onTimer(25_000 * MS)).toBe(HB_DEAD);
  });

  test("a PONG or any frame resets the silence and ends a stale period", () => {
    const hb = new Heartbeat(10_000 * MS, 15_000 * MS, 25_000 * MS);
    hb.onOpen(0);
    hb.onTimer(10_000 * MS);
    expect(hb.onData(10_001 * MS)).toBe(false);
    expect(hb.onTimer(24_000 * MS)).toBe(HB_PING); // silence 14 s: not stale yet
    expect(hb.onTimer(26_000 * MS)).toBe(HB_STALE);
    expect(hb.onData(26_500 * MS)).toBe(true);
    expect(hb.isStale).toBe(false);
  });

  test("a late timer does not send a burst of PINGs", () => {
    const hb = new Heartbeat(10_000 * MS, 50_000 * MS, 60_000 * MS);
    hb.onOpen(0);
    hb.onData(35_000 * MS);
    expect(hb.onTimer(35_000 * MS)).toBe(HB_PING);
    expect(hb.onTimer(35_001 * MS)).toBe(0);
    expect(hb.nextDeadlineNs()).toBe(40_000 * MS);
  });
});

describe("reconnect policy", () => {
  test("backoff grows by factor, is capped, and jitter stays within [(1-j)·d, d]", () => {
    const it = backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, rng: new Rng(7) });
    const bases = [100, 200, 400, 800, 1000, 1000, 1000];
    for (const base of bases) {
      const d = it.next().value;
      expect(d).toBeGreaterThanOrEqual(base * 0.5 - 1);
      expect(d).toBeLessThanOrEqual(base);
    }
  });

  test("the same seed gives the same schedule; no jitter gives exact delays", () => {
    const take = (seed: number) => {
      const it = backoff({ rng: new Rng(seed) });
      return Array.from({ length: 8 }, () => it.next().value);
    };
    expect(take(3)).toEqual(take(3));
    const exact = backoff({ initialMs: 10, maxMs: 50, jitter: 0 });
    expect(Array.from({ length: 5 }, () => exact.next().value)).toEqual([10, 20, 40, 50, 50]);
  });

  test("classifier: policy/auth closes are fatal, restarts and watchdog kills are retried", () => {
    expect(classifyClose({ code: 1008, reason: "", byWatchdog: false })).toBe("fatal");
    expect(classifyClose({ code: 4001, reason: "", byWatchdog: false })).toBe("fatal");
    for (const code of [0, 1000, 1001, 1006, 1011, 1012, 1013]) {
      expect(classifyClose({ code, reason: "", byWatchdog: false })).toBe("retryable");
    }
    expect(classifyClose({ code: 1008, reason: "", byWatchdog: true })).toBe("retryable");
  });
});

describe("FastWebSocket on a real local socket (ManualClock drives PING, watchdog and backoff)", () => {
  let server: MarketWsServer;
  let client: FastWebSocket | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.stop();
  });

  function setup(extra: { onFrame?: (t: string) => void } = {}) {
    server = new MarketWsServer();
    const clock = new ManualClock();
    const w = new Waiter();
    server.onActivity(w.poke);
    const events: WsConnectionEvent[] = [];
    const frames: string[] = [];
    const c = new FastWebSocket({
      url: server.url,
      clock,
      name: "market",
      handshake: () => [JSON.stringify({ assets_ids: ["A"], type: "market" })],
      onFrame: (t) => {
        frames.push(t);
        extra.onFrame?.(t);
        w.poke();
      },
      onConnection: (e) => {
        events.push(e);
        w.poke();
      },
      backoff: () => backoff({ initialMs: 100, maxMs: 1000, jitter: 0 }),
    });
    client = c;
    return { clock, w, events, frames, c };
  }
  const states = (evs: WsConnectionEvent[]) => evs.map((e) => e.state);

  test("connects, sends the handshake, PINGs on the clock and swallows PONG", async () => {
    const { clock, w, events, c } = setup();
    c.start();
    await w.until(() => server.received.length >= 1, "subscription");
    expect(JSON.parse(server.received[0] ?? "")).toEqual({ assets_ids: ["A"], type: "market" });
    expect(states(events)).toEqual(["connected"]);
    clock.advanceBy(10_000);
    await w.until(() => c.counters.pongsIn === 1, "PONG");
    expect(server.received.at(-1)).toBe("PING");
    expect(c.counters.pingsSent).toBe(1);
    expect(c.counters.framesIn).toBe(1);
  });

  test("server drops the socket mid-stream: disconnected, backoff on the clock, reconnect, resubscribe", async () => {
    const { clock, w, events, c } = setup();
    c.start();
    await w.until(() => server.received.length === 1, "first subscription");
    server.dropAll();
    await w.until(() => states(events).includes("disconnected"), "disconnect");
    expect(c.isOpen).toBe(false);
    clock.advanceBy(99);
    expect(c.counters.connectAttempts).toBe(1); // still waiting out the 100 ms backoff
    clock.advanceBy(1);
    await w.until(() => server.received.length === 2, "resubscription");
    expect(states(events)).toEqual(["connected", "disconnected", "connected"]);
    expect(c.counters.reconnects).toBe(1);
    expect(c.counters.disconnects).toBe(1);
    expect(events[1]?.atNs).toBe(0);
    expect(events[2]?.atNs).toBe(100 * MS);
  });

  test("server stops answering PING: stale at 15 s, dead at 25 s, then reconnects", async () => {
    const { clock, w, events, c } = setup();
    c.start();
    await w.until(() => server.received.length === 1, "subscription");
    server.answerPing = false;
    clock.advanceBy(15_000);
    expect(states(events)).toEqual(["connected", "stale"]);
    expect(c.isStale).toBe(true);
    clock.advanceBy(10_000);
    expect(states(events)).toEqual(["connected", "stale", "disconnected"]);
    expect(events[2]?.reason).toContain("watchdog");
    expect(c.counters.watchdogKills).toBe(1);
    server.answerPing = true;
    clock.advanceBy(100);
    await w.until(() => states(events).length === 4, "reconnect");
    expect(events[3]?.state).toBe("connected");
    expect(c.isStale).toBe(false);
  });

  test("a throwing frame handler is counted and the connection stays up", async () => {
    const { w, c } = setup({
      onFrame: (t) => {
        if (t === "boom") throw new Error("consumer bug");
      },
    });
    c.start();
    await w.until(() => server.clientCount === 1 && server.received.length === 1, "connect");
    server.sendRaw("boom");
    server.sendRaw("fine");
    await w.until(() => c.counters.framesIn === 2, "two frames");
    expect(c.counters.handlerErrors).toBe(1);
    expect(String(c.lastHandlerError)).toContain("consumer bug");
    expect(c.isOpen).toBe(true);
  });

  test("a fatal close (1008 policy violation) stops reconnecting", async () => {
    const { clock, w, events, c } = setup();
    c.start();
    await w.until(() => server.received.length === 1, "connect");
    server.closeAll(1008, "bad auth");
    await w.until(() => c.isStopped, "fatal stop");
    clock.advanceBy(60_000);
    expect(c.counters.connectAttempts).toBe(1);
    expect(c.counters.fatalCloses).toBe(1);
    expect(c.fatalReason).toContain("1008");
    expect(events.at(-1)?.reason).toContain("fatal");
  });

  test("refused connects are retried with backoff until the server is back", async () => {
    const { clock, w, events, c } = setup();
    const port = server.port;
    await server.stop();
    c.start();
    await w.until(() => c.counters.connectFailures === 1, "first refusal");
    clock.advanceBy(100);
    await w.until(() => c.counters.connectFailures === 2, "second refusal");
    server = new MarketWsServer({ port });
    server.onActivity(w.poke);
    clock.advanceBy(200);
    await w.until(() => states(events).includes("connected"), "connected after outage");
    expect(c.counters.connectAttempts).toBe(3);
  });

  test("send while disconnected fails and is counted; close() stops for good", async () => {
    const { clock, w, c } = setup();
    expect(c.send("x")).toBe(false);
    expect(c.counters.sendFailures).toBe(1);
    c.start();
    await w.until(() => server.received.length === 1, "connect");
    c.close();
    clock.advanceBy(60_000);
    expect(c.counters.connectAttempts).toBe(1);
    await w.until(() => server.clientCount === 0, "server saw the close");
  });
});
