/**
 * Defects the hostile-input fuzzer found in other owners' files, each pinned with the
 * smallest input that shows it. They are `test.failing`: green while the defect is there, red
 * once it is fixed — then flip the flag in KNOWN_FINDINGS (parser-targets.ts), which re-arms
 * the fuzz oracle for that case, and turn the pin into a plain `test`.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { parseGammaMarket } from "../../src/polymarket/gamma.ts";
import { decodeMarketFrame } from "../../src/polymarket/market-channel.ts";
import { parseRtdsFrame } from "../../src/polymarket/rtds-feed.ts";
import { decodeUserFrame } from "../../src/polymarket/user-channel.ts";
import { parseRecordLine } from "../../src/store/replay.ts";
import { gammaRoute } from "../../src/sim/rest-routes.ts";
import { SimExchange } from "../../src/sim/exchange.ts";
import { SimKeys } from "../../src/sim/sim-auth.ts";
import { MAX_REASON_CHARS } from "./parser-targets.ts";

const big = "9".repeat(100_000);

describe("open findings (pinned; flip when fixed)", () => {
  test.failing("user-channel.ts: an order frame's bad `type` is named in a bounded reason", () => {
    const f = decodeUserFrame(JSON.stringify({ event_type: "order", status: "LIVE", type: big }));
    expect(f.errors[0]?.code).toBe("BAD_FIELD");
    expect(f.errors[0]?.reason.length ?? 0).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  test.failing("user-channel.ts (via REST parseTrades): a bad trader_side is named in a bounded reason", () => {
    const f = decodeUserFrame(
      JSON.stringify({
        event_type: "trade",
        id: "t",
        taker_order_id: "o",
        market: "m",
        asset_id: "1",
        side: "BUY",
        size: "1",
        price: "0.5",
        status: "MATCHED",
        trader_side: big,
      }),
    );
    expect(f.errors[0]?.code).toBe("BAD_FIELD");
    expect(f.errors[0]?.reason.length ?? 0).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  test.failing("market-channel.ts: a bad last_trade_price fee_rate_bps is named in a bounded reason", () => {
    const f = decodeMarketFrame(
      JSON.stringify({
        event_type: "last_trade_price",
        asset_id: "1",
        market: "m",
        price: "0.5",
        size: "1",
        side: "BUY",
        fee_rate_bps: `x${big}`,
        timestamp: "1",
      }),
    );
    expect(f.errors[0]?.code).toBe("BAD_FIELD");
    expect(f.errors[0]?.reason.length ?? 0).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  test.failing("gamma.ts: a market with a huge slug gets a bounded reason", () => {
    const r = parseGammaMarket({ conditionId: "0x1", slug: big, outcomes: "[]" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  test.failing("rtds-feed.ts: a frame with a huge topic gets a bounded reason", () => {
    const f = parseRtdsFrame(JSON.stringify({ topic: big, payload: {} }));
    expect(f.kind).toBe("error");
    if (f.kind === "error") expect(f.reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
  });

  test.failing("config.ts: JOURNAL_PATH with a NUL byte is a ConfigError naming the key", () => {
    let thrown: unknown;
    try {
      loadConfig({ JOURNAL_PATH: "data/j\u0000.sqlite" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues[0]?.key).toBe("JOURNAL_PATH");
  });

  test.failing("store/replay.ts: a record whose recvNs is not decimal digits is not passed on as a time", () => {
    const f = parseRecordLine(JSON.stringify({ seq: 1, src: "market", recvNs: "12:30", frame: "PONG" }), 1, "x.jsonl");
    expect(f === undefined || f.recvNs === "" || /^\d+$/.test(f.recvNs)).toBe(true);
  });
});

describe("fixed findings (regression tests)", () => {
  test("sim/rest-routes.ts: GET /gamma/markets/slug/<malformed %-escape> is a 404, not a throw (→ HTTP 500)", () => {
    const ex = new SimExchange({ seed: 1, startMs: 1_780_000_000_000, flow: null });
    const r = gammaRoute(
      { ex, keys: new SimKeys(1) },
      { method: "GET", path: "/gamma/markets/slug/%E0%A4%A", query: new URLSearchParams(), body: "", headers: new Headers() },
    );
    expect(r?.status).toBe(404);
  });
});
