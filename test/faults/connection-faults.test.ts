/**
 * Connection faults against the simulator server (docs/faults.md rows 1–3): the market socket
 * dropped mid-stream, every socket silent (no data, no PONG), a stale book. Each test starts
 * a fresh bot on a fresh simulator (test/faults/harness.ts), lets it quote, injects the
 * fault, and checks what the bot did and the common invariants.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { expectInvariants, type Harness, settle, startHarness, untilQuoting } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("connection faults", () => {
  test("WebSocket drop mid-stream: zero orders within 1 s, reconnect, quoting resumes", async () => {
    h = await startHarness();
    await untilQuoting(h);
    const dropped = await h.fault({ drop_sockets: "market" });
    expect(dropped.dropped).toBeGreaterThan(0);
    const tookMs = await h.until(() => h?.open().length === 0, 1, "zero open orders after the drop");
    expect(tookMs).toBeLessThanOrEqual(1_000);
    expect(h.events.some((e) => e.event === "risk_trip" && e.fields.reason === "disconnect")).toBe(true);
    // The socket reconnects by itself; the breaker clears after 10 s up; quotes come back.
    await h.until(() => h?.bot.breaker.state() === "ACTIVE" && (h?.open().length ?? 0) > 0, 40, "quotes after the reconnect");
    await settle(h);
    expectInvariants(h);
  }, 60_000);

  test("silent socket (no data, no PONG): stale within the limit, zero orders, recovers", async () => {
    h = await startHarness();
    await untilQuoting(h);
    await h.fault({ silence: true, stop_pong: true });
    // RISK_STALE_FEED_SECONDS = 5: trip and pull everything within 5 s + one 1-s risk check.
    const tookMs = await h.until(() => h?.bot.breaker.state() === "HALTED" && h?.open().length === 0, 7, "halt and zero orders");
    expect(tookMs).toBeLessThanOrEqual(7_000);
    await h.fault({ silence: false, stop_pong: false });
    await h.until(() => h?.bot.breaker.state() === "ACTIVE" && (h?.open().length ?? 0) > 0, 60, "quotes after the silence");
    await settle(h);
    expectInvariants(h);
  }, 60_000);

  test("stale book (sockets alive and answering PING, no data): quotes pulled within the stale limit", async () => {
    h = await startHarness();
    await untilQuoting(h);
    // Every data frame is dropped but PONGs still come: the connections look healthy, the book
    // (and the price) just stop. The socket watchdog cannot see this; the book-age check must.
    await h.fault({ silence: true, stop_pong: false });
    const tookMs = await h.until(() => h?.open().length === 0, 7, "quotes pulled on a stale book");
    expect(tookMs).toBeLessThanOrEqual(7_000); // RISK_STALE_FEED_SECONDS = 5, checked every second
    await h.fault({ silence: false });
    await h.until(() => (h?.open().length ?? 0) > 0, 60, "quotes on a fresh book");
    await settle(h);
    expectInvariants(h);
  }, 60_000);
});
