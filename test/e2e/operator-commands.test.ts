/**
 * The operator commands against the simulator server on 127.0.0.1:0 (issue #10 item 8):
 * `doctor` passes on a healthy setup and fails, saying why, on a world-readable key file, an
 * unreachable venue and refused credentials; `cancel-all` cancels every order of the key and
 * confirms none remain (and reports the ones a venue refuses to cancel); `status` shows the
 * exchange and the journal side by side and flags a disagreement; `healthcheck` follows
 * /healthz. The commands run in process through their exported `command.run`, reading the
 * configuration from the environment as in production.
 */
import { afterAll, afterEach, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { command as cancelAll } from "../../src/cli/cancel-all.ts";
import { clockCheck, command as doctor, runDoctor } from "../../src/cli/doctor.ts";
import { command as healthcheck, healthzUrl } from "../../src/cli/healthcheck.ts";
import { parseOperatorFlags } from "../../src/cli/operator-session.ts";
import { command as status } from "../../src/cli/status.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { HealthRegistry, startMetricsServer } from "../../src/monitor/metrics-server.ts";
import { Registry } from "../../src/monitor/metrics.ts";
import { OrderSigner, orderPostBody } from "../../src/polymarket/signing.ts";
import { Journal } from "../../src/store/journal.ts";
import { ClobStandIn, json } from "../helpers/clob-stand-in.ts";
import { FUZZ_PK, type SimFixture, startSimFixture } from "../fuzz/sim-fixture.ts";

let fx: SimFixture;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  fx = await startSimFixture();
  dir = mkdtempSync(path.join(tmpdir(), "mmp-operator-"));
});
afterAll(async () => {
  await fx.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** Environment of a bot on the simulator with the fixture's key, no .env file. */
function useEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    ENV_FILE: path.join(dir, "absent.env"),
    VENUE: "sim",
    JOURNAL_PATH: path.join(dir, "journal-sim.sqlite"),
    MM_MARKETS: "BTC",
    MM_WINDOWS: "5m",
    ...extra,
  });
  if (!("PRIVATE_KEY_FILE" in extra)) process.env.PRIVATE_KEY = FUZZ_PK.reveal();
  // ENV_FILE naming a missing file is an error: point it at an empty one instead.
  writeFileSync(path.join(dir, "absent.env"), "");
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  const errs = spyOn(console, "error").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
  try {
    const code = await fn();
    return { code, out: lines.join("\n") };
  } finally {
    log.mockRestore();
    errs.mockRestore();
  }
}

async function placeOrders(n: number, priceE4 = 3000): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { orderId, body } = priceE4 === 3000 ? fx.validOrderBody() : signed(priceE4);
    const r = await fetch(`${fx.urls.rest}/order`, { method: "POST", headers: fx.l2("POST", "/order", body), body });
    expect(((await r.json()) as { success: boolean }).success).toBe(true);
    ids.push(orderId);
  }
  return ids;
}

let salt = 900_000;
function signed(priceE4: number, sizeE6 = 10_000_000): { orderId: string; body: string } {
  const signer = new OrderSigner({ privateKey: FUZZ_PK, signatureType: 0, chainId: 137 });
  const o = signer.sign({
    tokenId: fx.tokenId,
    side: "BUY",
    priceE4,
    sizeE6,
    tickE4: 100,
    negRisk: false,
    exchangeVersion: 2,
    salt: salt++,
    timestampMs: fx.clock.wallMs(),
  });
  return { orderId: o.orderId, body: orderPostBody(o, fx.creds.key, "GTC", false) };
}

const openOf = () => fx.ex.openOrders(fx.creds.key);

describe("doctor", () => {
  test("a healthy setup on the simulator: every check ok, exit 0", async () => {
    useEnv();
    const flags = parseOperatorFlags(["--venue", "sim", "--url", fx.urls.rest, "--timeout-ms", "3000"]);
    if (typeof flags === "string") throw new Error(flags);
    const results = await runDoctor(flags, 2000);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    for (const n of [
      "config",
      "key file",
      "clob rest",
      "clock",
      "credentials",
      "balance",
      "market ws",
      "user ws",
      "rtds ws",
      "gamma",
      "tick sizes",
    ]) {
      expect(byName[n]?.level, `${n}: ${byName[n]?.detail}`).toBe("ok");
    }
    expect(byName["tick sizes"]?.detail).toContain("0.01");
    const { code, out } = await capture(() => doctor.run(["--venue", "sim", "--url", fx.urls.rest]));
    expect(code).toBe(0);
    expect(out).toContain("all checks passed");
  });

  test("a world-readable key file: FAIL with the fix, exit 1", async () => {
    const keyFile = path.join(dir, "key.hex");
    writeFileSync(keyFile, FUZZ_PK.reveal());
    chmodSync(keyFile, 0o644);
    useEnv({ PRIVATE_KEY_FILE: keyFile });
    const { code, out } = await capture(() => doctor.run(["--venue", "sim", "--url", fx.urls.rest]));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL\s+key file\s+.*world-readable \(mode 0644\).*chmod 600/);
    expect(out).not.toContain(FUZZ_PK.reveal().slice(2, 20));
    chmodSync(keyFile, 0o600);
    const fixed = await capture(() => doctor.run(["--venue", "sim", "--url", fx.urls.rest]));
    expect(fixed.out).toMatch(/ok\s+key file\s+.*mode 0600/);
    expect(fixed.code).toBe(0);
  });

  test("an unreachable venue: FAIL clob rest, exit 1", async () => {
    useEnv();
    const port = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const url = `http://127.0.0.1:${port.port}`;
    port.stop(true);
    const { code, out } = await capture(() => doctor.run(["--venue", "sim", "--url", url, "--timeout-ms", "500"]));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL\s+clob rest\s+.*refused|FAIL\s+clob rest/);
  });

  test("refused API credentials: balance and user socket FAIL", async () => {
    useEnv({
      POLY_API_KEY: "00000000-0000-4000-8000-000000000000",
      POLY_API_SECRET: "c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
      POLY_PASSPHRASE: "wrong-passphrase",
    });
    const { code, out } = await capture(() => doctor.run(["--venue", "sim", "--url", fx.urls.rest, "--timeout-ms", "1000"]));
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL\s+balance\s+.*AUTH/);
    expect(out).toMatch(/FAIL\s+user ws\s+.*1008/);
    expect(out).not.toContain("wrong-passphrase");
  });

  test("clock skew: plain verdicts", () => {
    expect(clockCheck(1_000, 1_000_400, 1_000_600, 2000, false).level).toBe("ok");
    const ahead = clockCheck(1_000, 1_010_000, 1_010_020, 2000, false);
    expect(ahead.level).toBe("warn");
    expect(ahead.detail).toContain("ahead of the exchange by ≈9.51 s");
    expect(clockCheck(1_000, 1_100_000, 1_100_010, 2000, false).level).toBe("fail");
    expect(clockCheck(1_000, 1_100_000, 1_100_010, 2000, true).level).toBe("ok");
  });
});

describe("cancel-all", () => {
  test("cancels every open order of the key and confirms none remain", async () => {
    useEnv();
    await placeOrders(7);
    expect(openOf().length).toBeGreaterThanOrEqual(7);
    const { code, out } = await capture(() => cancelAll.run(["--venue", "sim", "--url", fx.urls.rest]));
    expect(code).toBe(0);
    expect(out).toContain("confirmed: the exchange lists no open order for this key");
    expect(openOf()).toEqual([]);
    // The fixture's own resting book (another account) is untouched.
    expect((await (await fetch(`${fx.urls.rest}/book?token_id=${fx.tokenId}`)).json()) as { bids: unknown[] }).toMatchObject({
      bids: [{ price: "0.4" }],
    });
  });

  test("orders the venue will not cancel: listed, exit 1", async () => {
    useEnv();
    const stuck = {
      id: "0xstuck",
      status: "LIVE",
      owner: fx.creds.key,
      maker_address: "0x0",
      market: "0xm",
      asset_id: "123",
      side: "BUY",
      original_size: "5",
      size_matched: "0",
      price: "0.3",
      associate_trades: [],
      outcome: "Up",
      created_at: 1,
      expiration: "0",
      order_type: "GTC",
    };
    const standIn = new ClobStandIn();
    standIn.routes.set("GET /time", () => json(1_780_000_000));
    standIn.routes.set("GET /auth/derive-api-key", () =>
      json({ apiKey: fx.creds.key, secret: fx.creds.secret.reveal(), passphrase: fx.creds.passphrase.reveal() }),
    );
    standIn.routes.set("GET /data/orders", () => json({ data: [stuck], next_cursor: "LTE=" }));
    standIn.routes.set("DELETE /cancel-all", () => json({ canceled: [], not_canceled: { "0xstuck": "order is being matched" } }));
    standIn.routes.set("DELETE /order", () => json({ canceled: [], not_canceled: { "0xstuck": "order is being matched" } }));
    try {
      const { code, out } = await capture(() => cancelAll.run(["--venue", "sim", "--url", standIn.url, "--attempts", "2"]));
      expect(code).toBe(1);
      expect(out).toContain("NOT CONFIRMED: 1 order(s) still open");
      expect(out).toContain("0xstuck");
      expect(out).toContain("order is being matched");
    } finally {
      standIn.stop();
    }
  });
});

describe("status", () => {
  test("exchange and journal side by side; agreement, then a MISMATCH", async () => {
    useEnv();
    // A resting order and a fill: BUY 10 @ 0.60 takes the fixture's ask.
    const [resting] = await placeOrders(1);
    const taker = signed(6000);
    const r = await fetch(`${fx.urls.rest}/order`, { method: "POST", headers: fx.l2("POST", "/order", taker.body), body: taker.body });
    expect(((await r.json()) as { status: string }).status).toBe("matched");
    // The journal the bot would have written.
    const jpath = path.join(dir, "journal-sim.sqlite");
    const j = Journal.open({ path: jpath, mode: "sim", clock: new ManualClock(fx.clock.wallMs()), checkpoints: "manual" });
    if (!j.ok) throw new Error(j.reason);
    j.value.startRun("mm", "test");
    const intent = (clientId: string, priceE4: number, sizeE6: number) => ({
      clientId,
      conditionId: fx.conditionId,
      tokenId: fx.tokenId,
      side: "BUY" as const,
      priceE4,
      sizeE6,
      orderType: "GTC" as const,
      postOnly: false,
      expirationSec: 0,
    });
    j.value.intent(intent("c1", 3000, 5_000_000), 0, resting as string);
    j.value.ack("c1", resting as string, "live");
    j.value.intent(intent("c2", 6000, 10_000_000), 0, taker.orderId);
    j.value.ack("c2", taker.orderId, "matched");
    const trade = fx.ex.tradesOf(fx.creds.key, {})[0];
    if (!trade) throw new Error("no trade");
    j.value.fill({
      tradeId: trade.id,
      orderId: taker.orderId,
      tokenId: fx.tokenId,
      side: "BUY",
      priceE4: 6000,
      sizeE6: 10_000_000,
      feeE6: 0,
      liquidity: "taker",
      status: "MATCHED",
      exchTsMs: fx.clock.wallMs(),
    });
    j.value.closed("c2", taker.orderId, "filled");
    j.value.close();

    const ok = await capture(() => status.run(["--venue", "sim", "--url", fx.urls.rest, "--journal", jpath]));
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("open orders: 1");
    expect(ok.out).toMatch(/10\.00 shares/);
    expect(ok.out).toContain("fills since");
    expect(ok.out).toMatch(/1 \(1 buys, 0 sells\)/);
    expect(ok.out).toContain("agree: balances within the journal's confirmed..confirmed+pending, open orders match");

    const asJson = await capture(() => status.run(["--venue", "sim", "--url", fx.urls.rest, "--journal", jpath, "--json"]));
    const parsed = JSON.parse(asJson.out) as {
      exchange: { openOrders: unknown[]; balancesE6: Record<string, number> };
      mismatches: string[];
    };
    expect(parsed.exchange.openOrders).toHaveLength(1);
    expect(parsed.exchange.balancesE6[fx.tokenId]).toBe(10_000_000);
    expect(parsed.mismatches).toEqual([]);

    // The journal missed a fill of 5 more shares: status says so.
    const j2 = Journal.open({ path: jpath, mode: "sim", clock: new ManualClock(fx.clock.wallMs()), checkpoints: "manual" });
    if (!j2.ok) throw new Error(j2.reason);
    j2.value.adjustPosition(fx.tokenId, -5_000_000, 0, "test");
    j2.value.close();
    const bad = await capture(() => status.run(["--venue", "sim", "--url", fx.urls.rest, "--journal", jpath]));
    expect(bad.out).toMatch(/MISMATCH token .*: exchange 10\.00 shares, journal -5\.00 confirmed \+ 10\.00 pending/);
    await capture(() => cancelAll.run(["--venue", "sim", "--url", fx.urls.rest]));
  });
});

describe("healthcheck", () => {
  test("exit 0 on 200, 1 on 503 and when nothing listens", async () => {
    let healthy = true;
    const health = new HealthRegistry();
    health.register("feed", () => (healthy ? { ok: true } : { ok: false, reason: "feed stale: last message 6.0 s ago (limit 5 s)" }));
    const s = startMetricsServer({ registry: new Registry(), health, port: 0 });
    if (!s.ok) throw new Error(s.reason);
    try {
      const url = `${s.value.url}/healthz`;
      expect((await capture(() => healthcheck.run(["--url", url]))).code).toBe(0);
      healthy = false;
      const sick = await capture(() => healthcheck.run(["--url", url]));
      expect(sick.code).toBe(1);
      expect(sick.out).toContain("feed stale");
    } finally {
      await s.value.stop();
    }
    expect(
      (await capture(() => healthcheck.run(["--url", `${s.value.url.replace(/:\d+$/, ":1")}/healthz`, "--timeout-ms", "500"]))).code,
    ).toBe(1);
    expect(healthzUrl({ METRICS_PORT: "9464" })).toBe("http://127.0.0.1:9464/healthz");
    expect(healthzUrl({ METRICS_PORT: "9100", METRICS_HOST: "0.0.0.0" })).toBe("http://127.0.0.1:9100/healthz");
  });
});
