import { expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import { type HeartbeatEvent, HeartbeatSender } from "../../../src/polymarket/heartbeat.ts";
import type { HeartbeatOutcome } from "../../../src/polymarket/rest.ts";
import { settleMicrotasks } from "../../helpers/fake-exchange.ts";

/** A scripted exchange side: answers each heartbeat from `reply`, records the ids sent. */
function transport(reply: (id: string, n: number) => HeartbeatOutcome | Promise<HeartbeatOutcome>) {
  const sent: string[] = [];
  return {
    sent,
    rest: {
      postHeartbeat: async (id: string) => {
        sent.push(id);
        return reply(id, sent.length);
      },
    },
  };
}
const okHb = (id: string): HeartbeatOutcome => ({ ok: true, value: { heartbeatId: id, errorMsg: "" } });
const fail = (expectedId = ""): HeartbeatOutcome => ({
  ok: false,
  code: "SERVER_ERROR",
  reason: "503",
  status: 503,
  retryAfterMs: 0,
  expectedId,
});

test("sends at start and every interval, chaining the returned id", async () => {
  const clock = new ManualClock();
  const t = transport((_id, n) => okHb(`hb-${n}`));
  const hb = new HeartbeatSender({ rest: t.rest, clock, intervalMs: 5_000 });
  hb.start();
  await settleMicrotasks();
  clock.advanceBy(5_000);
  await settleMicrotasks();
  clock.advanceBy(5_000);
  await settleMicrotasks();
  expect(t.sent).toEqual(["", "hb-1", "hb-2"]);
  hb.stop();
  clock.advanceBy(20_000);
  await settleMicrotasks();
  expect(t.sent).toHaveLength(3);
  expect(clock.pendingTimers()).toBe(0);
});

test("Invalid Heartbeat ID: adopts the expected id and resends at once", async () => {
  const clock = new ManualClock();
  const t = transport((id) => (id === "hb-x" ? okHb("hb-y") : fail("hb-x")));
  const hb = new HeartbeatSender({ rest: t.rest, clock });
  const events: HeartbeatEvent["kind"][] = [];
  hb.onEvent((e) => events.push(e.kind));
  hb.start();
  await settleMicrotasks(10);
  expect(t.sent).toEqual(["", "hb-x"]);
  expect(events).toEqual(["resynced", "ok"]);
  expect(hb.currentId).toBe("hb-y");
});

test("failures are events; one lapse after 10 s without success; ok again clears it", async () => {
  const clock = new ManualClock();
  let healthy = true;
  const t = transport((_id, n) => (healthy ? okHb(`hb-${n}`) : fail()));
  const hb = new HeartbeatSender({ rest: t.rest, clock, intervalMs: 5_000, lapseMs: 10_000 });
  const events: HeartbeatEvent[] = [];
  hb.onEvent((e) => events.push(e));
  hb.start();
  await settleMicrotasks();
  healthy = false;
  for (let i = 0; i < 4; i++) {
    clock.advanceBy(5_000);
    await settleMicrotasks();
  }
  const kinds = events.map((e) => e.kind);
  expect(kinds).toEqual(["ok", "failed", "failed", "lapsed", "failed", "failed"]);
  expect(events.find((e) => e.kind === "lapsed")).toMatchObject({ sinceLastOkMs: 10_000 });
  expect(events.filter((e) => e.kind === "failed").at(-1)).toMatchObject({ consecutive: 4 });
  healthy = true;
  clock.advanceBy(5_000);
  await settleMicrotasks();
  expect(events.at(-1)?.kind).toBe("ok");
  expect(hb.stats.lapses).toBe(1);
  hb.stop();
});

test("never two in flight: a slow reply makes the next tick skip", async () => {
  const clock = new ManualClock();
  let release: (o: HeartbeatOutcome) => void = () => {};
  const t = transport(() => new Promise<HeartbeatOutcome>((res) => (release = res)));
  const hb = new HeartbeatSender({ rest: t.rest, clock, intervalMs: 5_000 });
  hb.start();
  clock.advanceBy(5_000);
  clock.advanceBy(5_000);
  expect(t.sent).toHaveLength(1);
  expect(hb.stats.skippedInFlight).toBe(2);
  release(okHb("hb-1"));
  await settleMicrotasks();
  clock.advanceBy(5_000);
  expect(t.sent).toEqual(["", "hb-1"]);
  hb.stop();
});
