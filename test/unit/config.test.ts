import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONFIG_KEYS, type Config, ConfigError, type ConfigKey, describeConfig, loadConfig } from "../../src/config.ts";

// Hardhat's well-known test account #0: public, holds nothing.
const TEST_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const API = {
  POLY_API_KEY: "11111111-2222-3333-4444-555555555555",
  POLY_API_SECRET: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
  POLY_PASSPHRASE: "pass-phrase-marker",
};

const tmp = mkdtempSync(path.join(os.tmpdir(), "config-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function configError(env: Record<string, string>, envFile?: string): ConfigError {
  try {
    loadConfig(env, envFile !== undefined ? { envFile } : {});
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${Object.keys(env).join(",")}`);
}

test("every key has its documented default", () => {
  const c = loadConfig({});
  const expected: Omit<Config, "notices" | "entries" | "credentials"> = {
    botMode: "market_maker",
    venue: "sim",
    tradingMode: "paper",
    mm: {
      baseSpreadE4: 200,
      minSpreadE4: 100,
      maxSpreadE4: 1000,
      maxPositionUsdE6: 100_000_000,
      requoteThresholdE4: 50,
      volatilityLookback: 100,
      markets: ["BTC", "ETH", "SOL"],
      windows: ["5m", "15m", "1h"],
      orderSizeE6: 10_000_000,
      stopBeforeEndMs: 30_000,
    },
    execution: { preSignPoolSize: 10, useWss: true, restPollMs: 1000, heartbeatMs: 5000 },
    arb: { minEdgeE4: 100, maxCapitalUsdE6: 50_000_000, legRule: "unwind", maxLegLossUsdE6: 2_000_000, orderType: "FOK" },
    risk: {
      dailyLossLimitUsdE6: 50_000_000,
      maxTotalExposureUsdE6: 500_000_000,
      maxCorrelatedExposureUsdE6: 250_000_000,
      staleFeedMs: 5000,
      circuitBreakerVolScore: 3,
    },
    polymarket: {
      clobUrl: "https://clob.polymarket.com",
      marketWsUrl: "wss://ws-subscriptions-clob.polymarket.com/ws/market",
      userWsUrl: "wss://ws-subscriptions-clob.polymarket.com/ws/user",
      rtdsUrl: "wss://ws-live-data.polymarket.com",
      gammaUrl: "https://gamma-api.polymarket.com",
      chainId: 137,
      signatureType: 0,
      funderAddress: undefined,
    },
    sim: { seed: 1, speed: 1, startBalanceUsdE6: 1_000_000_000, host: "127.0.0.1", port: 0 },
    ops: {
      logDir: "logs",
      logLevel: "info",
      journalPath: "data/journal-sim.sqlite",
      metricsPort: 0,
      metricsHost: "127.0.0.1",
      alerts: { webhookUrl: undefined, slackWebhookUrl: undefined, telegramBotToken: undefined, telegramChatId: undefined },
    },
  };
  const { notices, entries, credentials, ...rest } = c;
  expect(rest).toEqual(expected);
  expect(credentials).toEqual({
    privateKey: undefined,
    privateKeySource: "none",
    privateKeyFile: undefined,
    apiKey: undefined,
    apiSecret: undefined,
    passphrase: undefined,
  });
  expect(notices).toEqual([]);
  expect(entries.map((e) => e.key)).toEqual(CONFIG_KEYS.map((k) => k.key));
  expect(entries.every((e) => e.origin === "default")).toBe(true);
});

test("values convert to integer units without floating point", () => {
  const c = loadConfig({
    MM_BASE_SPREAD: "0.03",
    MM_MIN_SPREAD: ".0025",
    MM_MAX_POSITION: "12.345678",
    MM_REQUOTE_THRESHOLD: "0.0001",
    MM_ORDER_SIZE: "5.55",
    MM_STOP_BEFORE_END_SECONDS: "1.5",
    RISK_STALE_FEED_SECONDS: "0.25",
    MM_MARKETS: " sol , btc,SOL",
    MM_WINDOWS: "15m",
    USE_WSS: "no",
    SIM_SPEED: "60",
    SIGNATURE_TYPE: "3",
    FUNDER_ADDRESS: "0xABCDEF0123456789abcdef0123456789ABCDEF01",
  });
  expect(c.mm.baseSpreadE4).toBe(300);
  expect(c.mm.minSpreadE4).toBe(25);
  expect(c.mm.maxPositionUsdE6).toBe(12_345_678);
  expect(c.mm.requoteThresholdE4).toBe(1);
  expect(c.mm.orderSizeE6).toBe(5_550_000);
  expect(c.mm.stopBeforeEndMs).toBe(1500);
  expect(c.risk.staleFeedMs).toBe(250);
  expect(c.mm.markets).toEqual(["SOL", "BTC"]);
  expect(c.mm.windows).toEqual(["15m"]);
  expect(c.execution.useWss).toBe(false);
  expect(c.sim.speed).toBe(60);
  expect(c.polymarket.signatureType).toBe(3);
  expect(c.polymarket.funderAddress).toBe("0xabcdef0123456789abcdef0123456789abcdef01");
});

/** One bad value per key; the message must name the key, show the value (unless secret) and what is allowed. */
const BAD: ReadonlyArray<readonly [ConfigKey, string]> = [
  ["BOT_MODE", "maker"],
  ["VENUE", "binance"],
  ["TRADING_MODE", "real"],
  ["MM_BASE_SPREAD", "0.025001"],
  ["MM_MIN_SPREAD", "0"],
  ["MM_MAX_SPREAD", "0.95"],
  ["MM_MAX_POSITION", "-5"],
  ["MM_REQUOTE_THRESHOLD", "abc"],
  ["MM_VOLATILITY_LOOKBACK", "1"],
  ["MM_MARKETS", "BTC,DOGE"],
  ["MM_WINDOWS", "5m,30m"],
  ["MM_ORDER_SIZE", "1.005"],
  ["MM_STOP_BEFORE_END_SECONDS", "3601"],
  ["PRE_SIGN_POOL_SIZE", "1001"],
  ["USE_WSS", "maybe"],
  ["REST_POLL_INTERVAL_MS", "50"],
  ["HEARTBEAT_INTERVAL_MS", "10000"],
  ["ARB_MIN_EDGE", "1e-3"],
  ["ARB_MAX_CAPITAL", "0"],
  ["ARB_LEG_RULE", "hedge"],
  ["ARB_MAX_LEG_LOSS", "two"],
  ["ARB_ORDER_TYPE", "GTC"],
  ["RISK_DAILY_LOSS_LIMIT", "1,000"],
  ["RISK_MAX_TOTAL_EXPOSURE", "0.0000001"],
  ["RISK_MAX_CORRELATED_EXPOSURE", "-1"],
  ["RISK_STALE_FEED_SECONDS", "0.05"],
  ["RISK_CIRCUIT_BREAKER_VOL", "0.5"],
  ["CLOB_HOST", "http://clob.polymarket.com"],
  ["CLOB_WS_MARKET_URL", "https://ws-subscriptions-clob.polymarket.com/ws/market"],
  ["CLOB_WS_USER_URL", "not a url"],
  ["RTDS_URL", "ws://ws-live-data.polymarket.com"],
  ["GAMMA_HOST", "ftp://gamma"],
  ["CHAIN_ID", "1"],
  ["SIGNATURE_TYPE", "4"],
  ["FUNDER_ADDRESS", "0x1234"],
  ["PRIVATE_KEY", "0xdeadbeef-secret-marker"],
  ["POLY_API_KEY", "bad key with spaces marker"],
  ["SIM_SEED", "-1"],
  ["SIM_SPEED", "0"],
  ["SIM_START_BALANCE", "lots"],
  ["SIM_HOST", "bad host!"],
  ["SIM_PORT", "70000"],
  ["LOG_LEVEL", "verbose"],
  ["METRICS_PORT", "http"],
  ["METRICS_HOST", "a b"],
  ["ALERT_WEBHOOK_URL", "http://hooks.example.com/secret-marker"],
  ["ALERT_SLACK_WEBHOOK_URL", "hooks.slack.com/secret-marker"],
];

describe("a bad value is rejected naming key, value and what is allowed", () => {
  for (const [key, value] of BAD) {
    test(key, () => {
      const spec = CONFIG_KEYS.find((k) => k.key === key)!;
      const env: Record<string, string> = { [key]: value };
      if (key === "POLY_API_KEY") Object.assign(env, { POLY_API_SECRET: API.POLY_API_SECRET, POLY_PASSPHRASE: API.POLY_PASSPHRASE });
      const e = configError(env);
      expect(e.issues.map((i) => i.key)).toEqual([key]);
      expect(e.message).toContain(key);
      expect(e.message).toContain(spec.allowed);
      if ("secret" in spec && spec.secret) {
        expect(e.message).toContain("<redacted>");
        expect(e.message).not.toContain(value);
        expect(e.message).not.toContain("marker");
      } else {
        expect(e.message).toContain(JSON.stringify(value));
      }
    });
  }
});

test("every key with a validated value is covered by the bad-value table", () => {
  const unchecked = new Set([
    "USE_UVLOOP",
    "USE_ORJSON",
    "LOG_DIR",
    "JOURNAL_PATH",
    "PRIVATE_KEY_FILE",
    "POLY_API_SECRET",
    "POLY_PASSPHRASE",
    "ALERT_TELEGRAM_BOT_TOKEN",
    "ALERT_TELEGRAM_CHAT_ID",
  ]);
  const covered = new Set(BAD.map(([k]) => k));
  for (const { key } of CONFIG_KEYS) if (!unchecked.has(key)) expect(covered.has(key) ? key : `missing ${key}`).toBe(key);
});

test("all problems are reported at once", () => {
  const e = configError({ BOT_MODE: "x", VENUE: "y", SIM_PORT: "-1" });
  expect(e.issues.map((i) => i.key)).toEqual(["BOT_MODE", "VENUE", "SIM_PORT"]);
  expect(e.message).toStartWith("3 configuration problems:");
});

test("cross-key rules", () => {
  expect(configError({ MM_MIN_SPREAD: "0.03" }).message).toContain("above MM_BASE_SPREAD=0.02");
  expect(configError({ MM_MAX_SPREAD: "0.015" }).message).toContain("below MM_BASE_SPREAD=0.02");
  expect(configError({ RISK_MAX_CORRELATED_EXPOSURE: "600" }).message).toContain("above RISK_MAX_TOTAL_EXPOSURE=500");
  expect(configError({ TRADING_MODE: "live" }).message).toContain("needs VENUE=polymarket");
  expect(configError({ VENUE: "polymarket", TRADING_MODE: "live" }).message).toContain("needs a signing key");
  expect(configError({ VENUE: "polymarket", TRADING_MODE: "live", PRIVATE_KEY: TEST_KEY, SIGNATURE_TYPE: "2" }).message).toContain(
    "needs FUNDER_ADDRESS",
  );
  expect(configError({ POLY_API_KEY: API.POLY_API_KEY }).message).toContain("must be set together");
  expect(configError({ ALERT_TELEGRAM_CHAT_ID: "12345" }).message).toContain("must be set together");
  // paper trading on Polymarket needs no key
  expect(loadConfig({ VENUE: "polymarket" }).ops.journalPath).toBe("data/journal-polymarket-paper.sqlite");
});

test("precedence: overrides > environment > .env file > default; empty means unset", () => {
  const file = "MM_BASE_SPREAD=0.03\nMM_MAX_POSITION=200\nSIM_SEED=7\n";
  const c = loadConfig({ MM_MAX_POSITION: "300", SIM_SEED: "", MM_MARKETS: "ETH" }, { envFile: file, overrides: { MM_MARKETS: "SOL" } });
  expect(c.mm.baseSpreadE4).toBe(300);
  expect(c.mm.maxPositionUsdE6).toBe(300_000_000);
  expect(c.sim.seed).toBe(7);
  expect(c.mm.markets).toEqual(["SOL"]);
  const origin = (k: ConfigKey) => c.entries.find((e) => e.key === k)?.origin;
  expect([origin("MM_BASE_SPREAD"), origin("MM_MAX_POSITION"), origin("SIM_SEED"), origin("MM_MARKETS"), origin("VENUE")]).toEqual([
    "file",
    "env",
    "file",
    "override",
    "default",
  ]);
});

test("a malformed .env names the line, never its content", () => {
  const e = configError({}, "# ok\nPRIVATE_KEY 0xsecretvalue\n");
  expect(e.message).toContain("line 2");
  expect(e.message).not.toContain("secretvalue");
});

test("USE_UVLOOP and USE_ORJSON are accepted with exactly one notice", () => {
  const both = loadConfig({ USE_UVLOOP: "true" }, { envFile: "USE_ORJSON=1\n" });
  expect(both.notices).toHaveLength(1);
  expect(both.notices[0]).toContain("USE_UVLOOP and USE_ORJSON are ignored on Bun");
  expect(loadConfig({ USE_ORJSON: "whatever" }).notices).toHaveLength(1);
  expect(loadConfig({}).notices).toEqual([]);
});

test("unknown keys in .env or with our prefixes get a notice with a suggestion", () => {
  const c = loadConfig({ MM_BASE_SPRED: "0.03", HOME: "/root", PATH: "/bin" }, { envFile: "RISK_DAILY_LOS_LIMIT=5\nFOO=1\n" });
  expect(c.notices).toEqual([
    "unknown configuration key FOO ignored",
    "unknown configuration key MM_BASE_SPRED ignored (did you mean MM_BASE_SPREAD?)",
    "unknown configuration key RISK_DAILY_LOS_LIMIT ignored (did you mean RISK_DAILY_LOSS_LIMIT?)",
  ]);
});

test("the config is deeply frozen", () => {
  const c = loadConfig({});
  expect(() => {
    (c.mm as { baseSpreadE4: number }).baseSpreadE4 = 1;
  }).toThrow(TypeError);
  expect(() => (c.mm.markets as string[]).push("XRP")).toThrow(TypeError);
  expect(Object.isFrozen(c.ops.alerts)).toBe(true);
});

describe("secrets", () => {
  const secrets = {
    PRIVATE_KEY: TEST_KEY,
    ...API,
    ALERT_WEBHOOK_URL: "https://hooks.example.com/T000/B000/webhooksecret",
    ALERT_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T1/B1/slacksecret",
    ALERT_TELEGRAM_BOT_TOKEN: "123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ",
    ALERT_TELEGRAM_CHAT_ID: "-100123",
  };
  const values = [
    TEST_KEY,
    TEST_KEY.slice(2),
    API.POLY_API_KEY,
    API.POLY_API_SECRET,
    API.POLY_PASSPHRASE,
    "webhooksecret",
    "slacksecret",
    "AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ",
  ];

  test("are loaded as Secret and reveal the value", () => {
    const c = loadConfig(secrets);
    expect(c.credentials.privateKey?.reveal()).toBe(TEST_KEY);
    expect(c.credentials.privateKeySource).toBe("env");
    expect(c.credentials.apiSecret?.reveal()).toBe(API.POLY_API_SECRET);
    expect(c.ops.alerts.telegramBotToken?.reveal()).toBe(secrets.ALERT_TELEGRAM_BOT_TOKEN);
    expect(c.ops.alerts.telegramChatId).toBe("-100123");
  });

  test("never appear in describeConfig, JSON, inspect, or another key's error", () => {
    const c = loadConfig(secrets);
    const texts = [
      describeConfig(c).join("\n"),
      JSON.stringify(c),
      Bun.inspect(c),
      String(c.credentials.privateKey),
      configError({ ...secrets, BOT_MODE: "x" }).message,
    ];
    for (const t of texts) for (const v of values) expect(t.includes(v) ? `leaked ${v.slice(0, 6)}…` : "clean").toBe("clean");
    expect(describeConfig(c).join("\n")).toContain("PRIVATE_KEY                  = (set, redacted)  (env)");
  });

  test("a private key out of range is refused without echo", () => {
    const n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    for (const bad of [n, "0".repeat(64), TEST_KEY.slice(0, 64)]) {
      const e = configError({ PRIVATE_KEY: bad });
      expect(e.message).toBe("PRIVATE_KEY=<redacted> is not allowed; expected 32-byte hex key (0x optional)");
    }
  });
});

describe("PRIVATE_KEY_FILE", () => {
  const keyFile = (name: string, mode: number, content = `${TEST_KEY}\n`): string => {
    const p = path.join(tmp, name);
    writeFileSync(p, content);
    chmodSync(p, mode);
    return p;
  };

  test("a 0600 file is read", () => {
    const p = keyFile("ok.key", 0o600);
    const c = loadConfig({ PRIVATE_KEY_FILE: p, VENUE: "polymarket", TRADING_MODE: "live" });
    expect(c.credentials.privateKey?.reveal()).toBe(TEST_KEY);
    expect(c.credentials.privateKeySource).toBe("file");
    expect(c.credentials.privateKeyFile).toBe(p);
    expect(describeConfig(c).join("\n")).not.toContain(TEST_KEY.slice(2));
  });

  test("a 0400 file is read too", () => {
    expect(loadConfig({ PRIVATE_KEY_FILE: keyFile("ro.key", 0o400) }).credentials.privateKeySource).toBe("file");
  });

  test("a group/world readable file is refused with a clear message", () => {
    const p = keyFile("open.key", 0o644);
    const e = configError({ PRIVATE_KEY_FILE: p });
    expect(e.message).toBe(
      `PRIVATE_KEY_FILE=${JSON.stringify(p)} has mode 0644: group or others may access it; refusing to use it. Run: chmod 600 ${p}`,
    );
    expect(configError({ PRIVATE_KEY_FILE: keyFile("group.key", 0o640) }).message).toContain("mode 0640");
  });

  test("missing file, bad content and both sources are errors; content is never shown", () => {
    expect(configError({ PRIVATE_KEY_FILE: path.join(tmp, "nope.key") }).message).toContain("cannot be read (ENOENT)");
    const bad = configError({ PRIVATE_KEY_FILE: keyFile("bad.key", 0o600, "not-a-key-secretish\n") }).message;
    expect(bad).toContain("does not hold a 32-byte hex private key");
    expect(bad).not.toContain("secretish");
    const both = configError({ PRIVATE_KEY_FILE: keyFile("both.key", 0o600), PRIVATE_KEY: TEST_KEY }).message;
    expect(both).toContain("both set");
    expect(both).not.toContain(TEST_KEY.slice(2));
  });
});

test("the preload keeps real credentials out of the test process", () => {
  expect(process.env.PRIVATE_KEY).toBeUndefined();
  expect(process.env.POLY_API_SECRET).toBeUndefined();
});
