/**
 * The frozen, typed configuration of a run, from (highest precedence first) CLI overrides,
 * the process environment, the `.env` file, and the defaults in `config-keys.ts`. An empty
 * value counts as not set at that layer.
 *
 * Contract: `loadConfig` validates every key up front and throws one `ConfigError` listing
 * every bad key with its value and what is allowed; secret values are shown as
 * `<redacted>`. Prices become `PriceE4`, dollars `UsdE6`, shares `SizeE6`, durations
 * integer ms: nothing downstream parses strings or handles floats for money.
 *
 * The only I/O is reading `PRIVATE_KEY_FILE` (and `readEnvFile` / `loadConfigFromProcess`
 * for the CLI); everything else is a pure function of the strings given.
 */
import { readFileSync, statSync } from "node:fs";
import { type PriceE4, type SizeE6, type UsdE6, formatFixed } from "./core/units.ts";
import { Secret } from "./core/secret.ts";
import { CONFIG_KEYS, type ConfigKey, type KeySpec, isConfigKey } from "./config-keys.ts";
import { EnvFileError, parseEnvFile, readEnvFile } from "./config-env-file.ts";
import { type ConfigIssue, LOOPBACK, Reader, type Resolved, type ValueOrigin, isHttpsUrl, isPrivateKeyHex } from "./config-reader.ts";

export { CONFIG_KEYS, type ConfigKey, POLYMARKET_HOSTS } from "./config-keys.ts";
export { readEnvFile, parseEnvFile } from "./config-env-file.ts";
export type { ConfigIssue, ValueOrigin } from "./config-reader.ts";

export type BotMode = "market_maker" | "arbitrage";
export type Venue = "sim" | "polymarket";
export type TradingMode = "paper" | "live";
export type Asset = "BTC" | "ETH" | "SOL" | "XRP";
export type MarketWindow = "5m" | "15m" | "1h" | "4h";
export type ArbLegRule = "retry" | "unwind";
export type ArbOrderType = "FOK" | "FAK";
export type LogLevel = "debug" | "info" | "warn" | "error";
/** 0 EOA, 1 POLY_PROXY, 2 POLY_GNOSIS_SAFE, 3 POLY_1271 (protocol notes §2.4). */
export type SignatureType = 0 | 1 | 2 | 3;

export const ASSETS: readonly Asset[] = ["BTC", "ETH", "SOL", "XRP"];
export const MARKET_WINDOWS: readonly MarketWindow[] = ["5m", "15m", "1h", "4h"];

export interface MarketMakerConfig {
  readonly baseSpreadE4: PriceE4;
  readonly minSpreadE4: PriceE4;
  readonly maxSpreadE4: PriceE4;
  readonly maxPositionUsdE6: UsdE6;
  readonly requoteThresholdE4: PriceE4;
  readonly volatilityLookback: number;
  readonly markets: readonly Asset[];
  readonly windows: readonly MarketWindow[];
  readonly orderSizeE6: SizeE6;
  readonly stopBeforeEndMs: number;
}

export interface ExecutionConfig {
  readonly preSignPoolSize: number;
  readonly useWss: boolean;
  readonly restPollMs: number;
  readonly heartbeatMs: number;
}

export interface ArbitrageConfig {
  readonly minEdgeE4: PriceE4;
  readonly maxCapitalUsdE6: UsdE6;
  readonly legRule: ArbLegRule;
  readonly maxLegLossUsdE6: UsdE6;
  readonly orderType: ArbOrderType;
}

export interface RiskConfig {
  readonly dailyLossLimitUsdE6: UsdE6;
  readonly maxTotalExposureUsdE6: UsdE6;
  readonly maxCorrelatedExposureUsdE6: UsdE6;
  readonly staleFeedMs: number;
  readonly circuitBreakerVolScore: number;
}

export interface PolymarketConfig {
  readonly clobUrl: string;
  readonly marketWsUrl: string;
  readonly userWsUrl: string;
  readonly rtdsUrl: string;
  readonly gammaUrl: string;
  readonly chainId: 137 | 80002;
  readonly signatureType: SignatureType;
  /** Lower-case 0x address, or undefined (the key's own address funds, type 0). */
  readonly funderAddress: string | undefined;
}

export interface CredentialsConfig {
  readonly privateKey: Secret | undefined;
  readonly privateKeySource: "env" | "file" | "none";
  /** Path of PRIVATE_KEY_FILE when that is the source (a path is not a secret). */
  readonly privateKeyFile: string | undefined;
  /** All three set, or all undefined (then derived from the key via L1 auth). */
  readonly apiKey: Secret | undefined;
  readonly apiSecret: Secret | undefined;
  readonly passphrase: Secret | undefined;
}

export interface SimConfig {
  readonly seed: number;
  readonly speed: number;
  readonly startBalanceUsdE6: UsdE6;
  readonly host: string;
  readonly port: number;
}

export interface AlertsConfig {
  readonly webhookUrl: Secret | undefined;
  readonly slackWebhookUrl: Secret | undefined;
  readonly telegramBotToken: Secret | undefined;
  readonly telegramChatId: string | undefined;
}

export interface OpsConfig {
  readonly logDir: string;
  readonly logLevel: LogLevel;
  readonly journalPath: string;
  /** 0 = metrics server off. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly alerts: AlertsConfig;
}

/** One key as resolved, for the startup summary; secret values are already redacted. */
export interface ConfigEntry {
  readonly key: ConfigKey;
  readonly shown: string;
  readonly origin: ValueOrigin;
}

export interface Config {
  readonly botMode: BotMode;
  readonly venue: Venue;
  readonly tradingMode: TradingMode;
  readonly mm: MarketMakerConfig;
  readonly execution: ExecutionConfig;
  readonly arb: ArbitrageConfig;
  readonly risk: RiskConfig;
  readonly polymarket: PolymarketConfig;
  readonly credentials: CredentialsConfig;
  readonly sim: SimConfig;
  readonly ops: OpsConfig;
  /** Things the CLI prints once at start (ignored Python-plan keys, unknown keys). */
  readonly notices: readonly string[];
  readonly entries: readonly ConfigEntry[];
}

/** Bad configuration: one line per problem, each naming key, value (unless secret) and what is allowed. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      issues.length === 1
        ? issues[0]!.message
        : `${issues.length} configuration problems:\n${issues.map((i) => `  - ${i.message}`).join("\n")}`,
    );
  }
}

export interface LoadOptions {
  /** Text of the `.env` file (see `readEnvFile`). */
  readonly envFile?: string;
  /** Highest precedence, e.g. CLI flags: `{ TRADING_MODE: "live" }`. */
  readonly overrides?: Readonly<Partial<Record<ConfigKey, string>>>;
}

/** Prefixes we own: an unknown key with one of them is most likely a typo. */
const OWN_PREFIXES = ["MM_", "ARB_", "RISK_", "SIM_", "POLY_", "ALERT_", "CLOB_"];
/** Reads PRIVATE_KEY_FILE, refusing a file group or others may access (like ssh does). */
function readKeyFile(r: Reader, path: string): Secret | undefined {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "read error";
    r.issues.push({ key: "PRIVATE_KEY_FILE", message: `PRIVATE_KEY_FILE=${JSON.stringify(path)} cannot be read (${code})` });
    return undefined;
  }
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, "0");
    r.issues.push({
      key: "PRIVATE_KEY_FILE",
      message: `PRIVATE_KEY_FILE=${JSON.stringify(path)} has mode ${octal}: group or others may access it; refusing to use it. Run: chmod 600 ${path}`,
    });
    return undefined;
  }
  const key = text.trim();
  if (!isPrivateKeyHex(key)) {
    r.issues.push({
      key: "PRIVATE_KEY_FILE",
      message: `PRIVATE_KEY_FILE=${JSON.stringify(path)} does not hold a 32-byte hex private key (content not shown)`,
    });
    return undefined;
  }
  return new Secret(key, "PRIVATE_KEY");
}

function resolveValues(
  env: Readonly<Record<string, string | undefined>>,
  file: ReadonlyMap<string, string>,
  overrides: LoadOptions["overrides"],
): Map<ConfigKey, Resolved> {
  const out = new Map<ConfigKey, Resolved>();
  for (const spec of CONFIG_KEYS) {
    const key = spec.key;
    const o = overrides?.[key];
    const e = env[key];
    const f = file.get(key);
    const v: Resolved =
      o !== undefined && o !== ""
        ? { value: o.trim(), origin: "override" }
        : e !== undefined && e !== ""
          ? { value: e.trim(), origin: "env" }
          : f !== undefined && f !== ""
            ? { value: f.trim(), origin: "file" }
            : { value: spec.default, origin: "default" };
    out.set(key, v);
  }
  return out;
}

function closestKey(unknown: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const { key } of CONFIG_KEYS) {
    const d = editDistance(unknown, key);
    if (d < bestD) {
      bestD = d;
      best = key;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)); // j ≤ b.length
    }
    prev = cur;
  }
  return prev[b.length]!; // length b.length + 1
}

function collectNotices(
  env: Readonly<Record<string, string | undefined>>,
  file: ReadonlyMap<string, string>,
  values: ReadonlyMap<ConfigKey, Resolved>,
): string[] {
  const notices: string[] = [];
  const python = (["USE_UVLOOP", "USE_ORJSON"] as const).filter((k) => values.get(k)?.origin !== "default");
  if (python.length > 0) {
    notices.push(
      `${python.join(" and ")} ${python.length > 1 ? "are" : "is"} ignored on Bun: in the Python plan they swap asyncio's event loop for uvloop and json for orjson; ` +
        "Bun's event loop and JSON.parse are already native code, so there is nothing to swap.",
    );
  }
  const unknown = new Set<string>();
  for (const k of file.keys()) if (!isConfigKey(k) && k !== "ENV_FILE") unknown.add(k);
  for (const k of Object.keys(env)) if (!isConfigKey(k) && OWN_PREFIXES.some((p) => k.startsWith(p))) unknown.add(k);
  for (const k of [...unknown].sort()) {
    const guess = closestKey(k);
    notices.push(`unknown configuration key ${k} ignored${guess ? ` (did you mean ${guess}?)` : ""}`);
  }
  return notices;
}

function deepFreeze<T>(o: T): T {
  if (typeof o === "object" && o !== null && !(o instanceof Secret) && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Builds the Config from environment variables, optional `.env` text and overrides.
 * Throws ConfigError (every problem at once) or, for a malformed `.env`, ConfigError naming the line.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, opts: LoadOptions = {}): Config {
  let file: Map<string, string>;
  try {
    file = opts.envFile !== undefined ? parseEnvFile(opts.envFile) : new Map();
  } catch (e) {
    if (e instanceof EnvFileError) throw new ConfigError([{ key: "ENV_FILE", message: e.message }]);
    throw e;
  }
  const values = resolveValues(env, file, opts.overrides);
  const r = new Reader(values);
  const usd = (key: ConfigKey, min = 1): UsdE6 => r.fixed(key, 6, min, 1e15);

  const botMode = r.oneOf<BotMode>("BOT_MODE", ["market_maker", "arbitrage"]);
  const venue = r.oneOf<Venue>("VENUE", ["sim", "polymarket"]);
  const tradingMode = r.oneOf<TradingMode>("TRADING_MODE", ["paper", "live"]);

  const mm: MarketMakerConfig = {
    baseSpreadE4: r.priceE4("MM_BASE_SPREAD", 1, 5000),
    minSpreadE4: r.priceE4("MM_MIN_SPREAD", 1, 5000),
    maxSpreadE4: r.priceE4("MM_MAX_SPREAD", 1, 9000),
    maxPositionUsdE6: usd("MM_MAX_POSITION"),
    requoteThresholdE4: r.priceE4("MM_REQUOTE_THRESHOLD", 1, 5000),
    volatilityLookback: r.int("MM_VOLATILITY_LOOKBACK", 2, 100_000),
    markets: r.list("MM_MARKETS", ASSETS),
    windows: r.list("MM_WINDOWS", MARKET_WINDOWS),
    orderSizeE6: r.fixed("MM_ORDER_SIZE", 2, 1, 1e12) * 10_000, // shares on the 0.01 grid → SizeE6
    stopBeforeEndMs: r.fixed("MM_STOP_BEFORE_END_SECONDS", 3, 0, 3_600_000),
  };
  if (mm.minSpreadE4 > mm.baseSpreadE4) r.bad("MM_MIN_SPREAD", `above MM_BASE_SPREAD=${formatFixed(mm.baseSpreadE4, 4)}`);
  if (mm.maxSpreadE4 < mm.baseSpreadE4) r.bad("MM_MAX_SPREAD", `below MM_BASE_SPREAD=${formatFixed(mm.baseSpreadE4, 4)}`);

  const execution: ExecutionConfig = {
    preSignPoolSize: r.int("PRE_SIGN_POOL_SIZE", 0, 1000),
    useWss: r.bool("USE_WSS"),
    restPollMs: r.int("REST_POLL_INTERVAL_MS", 100, 60_000),
    heartbeatMs: r.int("HEARTBEAT_INTERVAL_MS", 1000, 9000),
  };

  const arb: ArbitrageConfig = {
    minEdgeE4: r.priceE4("ARB_MIN_EDGE", 1, 5000),
    maxCapitalUsdE6: usd("ARB_MAX_CAPITAL"),
    legRule: r.oneOf<ArbLegRule>("ARB_LEG_RULE", ["retry", "unwind"]),
    maxLegLossUsdE6: usd("ARB_MAX_LEG_LOSS"),
    orderType: r.oneOf<ArbOrderType>("ARB_ORDER_TYPE", ["FOK", "FAK"]),
  };

  const risk: RiskConfig = {
    dailyLossLimitUsdE6: usd("RISK_DAILY_LOSS_LIMIT"),
    maxTotalExposureUsdE6: usd("RISK_MAX_TOTAL_EXPOSURE"),
    maxCorrelatedExposureUsdE6: usd("RISK_MAX_CORRELATED_EXPOSURE"),
    staleFeedMs: r.fixed("RISK_STALE_FEED_SECONDS", 3, 100, 600_000),
    circuitBreakerVolScore: r.decimal("RISK_CIRCUIT_BREAKER_VOL", 1, 100),
  };
  if (risk.maxCorrelatedExposureUsdE6 > risk.maxTotalExposureUsdE6)
    r.bad("RISK_MAX_CORRELATED_EXPOSURE", `above RISK_MAX_TOTAL_EXPOSURE=${formatFixed(risk.maxTotalExposureUsdE6, 6)}`);

  const polymarket: PolymarketConfig = {
    clobUrl: r.url("CLOB_HOST", "https:"),
    marketWsUrl: r.url("CLOB_WS_MARKET_URL", "wss:"),
    userWsUrl: r.url("CLOB_WS_USER_URL", "wss:"),
    rtdsUrl: r.url("RTDS_URL", "wss:"),
    gammaUrl: r.url("GAMMA_HOST", "https:"),
    chainId: r.oneOf("CHAIN_ID", ["137", "80002"]) === "137" ? 137 : 80002,
    signatureType: r.int("SIGNATURE_TYPE", 0, 3) as SignatureType,
    funderAddress: r.optional("FUNDER_ADDRESS", (s) => (/^0x[0-9a-fA-F]{40}$/.test(s) ? s.toLowerCase() : undefined)),
  };

  const credentials = readCredentials(r);
  if (venue === "sim" && tradingMode === "live") r.bad("TRADING_MODE", "live trading needs VENUE=polymarket");
  if (venue === "polymarket" && tradingMode === "live") {
    if (!credentials.privateKey && !r.issues.some((i) => i.key.startsWith("PRIVATE_KEY"))) {
      r.issues.push({
        key: "PRIVATE_KEY",
        message: "TRADING_MODE=live needs a signing key: set PRIVATE_KEY_FILE (preferred) or PRIVATE_KEY",
      });
    }
    if (polymarket.signatureType !== 0 && polymarket.funderAddress === undefined && !r.isSet("FUNDER_ADDRESS")) {
      r.issues.push({
        key: "FUNDER_ADDRESS",
        message: `SIGNATURE_TYPE=${polymarket.signatureType} needs FUNDER_ADDRESS (the proxy, safe or deposit wallet holding the funds)`,
      });
    }
  }

  const sim: SimConfig = {
    seed: r.int("SIM_SEED", 0, 0xffff_ffff),
    speed: r.decimal("SIM_SPEED", 0.01, 100_000),
    startBalanceUsdE6: usd("SIM_START_BALANCE"),
    host: r.host("SIM_HOST"),
    port: r.int("SIM_PORT", 0, 65_535),
  };

  const alerts: AlertsConfig = {
    webhookUrl: r.secret("ALERT_WEBHOOK_URL", isHttpsUrl),
    slackWebhookUrl: r.secret("ALERT_SLACK_WEBHOOK_URL", isHttpsUrl),
    telegramBotToken: r.secret("ALERT_TELEGRAM_BOT_TOKEN", (s) => /^\d+:[A-Za-z0-9_-]{20,}$/.test(s)),
    telegramChatId: r.optional("ALERT_TELEGRAM_CHAT_ID", (s) => (/^(-?\d{1,20}|@[A-Za-z0-9_]{4,64})$/.test(s) ? s : undefined)),
  };
  if (r.isSet("ALERT_TELEGRAM_BOT_TOKEN") !== r.isSet("ALERT_TELEGRAM_CHAT_ID")) {
    r.issues.push({ key: "ALERT_TELEGRAM_CHAT_ID", message: "ALERT_TELEGRAM_BOT_TOKEN and ALERT_TELEGRAM_CHAT_ID must be set together" });
  }

  const ops: OpsConfig = {
    logDir: r.path("LOG_DIR"),
    logLevel: r.oneOf<LogLevel>("LOG_LEVEL", ["debug", "info", "warn", "error"]),
    journalPath: r.isSet("JOURNAL_PATH")
      ? r.path("JOURNAL_PATH")
      : `data/journal-${venue}${venue === "polymarket" ? `-${tradingMode}` : ""}.sqlite`,
    metricsPort: r.int("METRICS_PORT", 0, 65_535),
    metricsHost: r.host("METRICS_HOST"),
    alerts,
  };

  if (r.issues.length > 0) throw new ConfigError(r.issues);

  const notices = collectNotices(env, file, values);
  if (ops.metricsPort !== 0 && !LOOPBACK.has(ops.metricsHost))
    notices.push(`METRICS_HOST=${ops.metricsHost}: /metrics is reachable from the network; put it behind a firewall`);
  const entries: ConfigEntry[] = CONFIG_KEYS.map((spec: KeySpec) => {
    const v = values.get(spec.key as ConfigKey)!; // resolveValues covers every key
    const shown = spec.secret ? (v.value === "" ? "(not set)" : "(set, redacted)") : v.value === "" ? "(not set)" : v.value;
    return { key: spec.key as ConfigKey, shown, origin: v.origin };
  });

  return deepFreeze({ botMode, venue, tradingMode, mm, execution, arb, risk, polymarket, credentials, sim, ops, notices, entries });
}

function readCredentials(r: Reader): CredentialsConfig {
  const fromEnv = r.secret("PRIVATE_KEY", isPrivateKeyHex);
  const keyFile = r.isSet("PRIVATE_KEY_FILE") ? r.raw("PRIVATE_KEY_FILE") : undefined;
  let privateKey = fromEnv;
  let privateKeySource: CredentialsConfig["privateKeySource"] = fromEnv ? "env" : "none";
  if (keyFile !== undefined) {
    if (r.isSet("PRIVATE_KEY")) {
      r.issues.push({
        key: "PRIVATE_KEY_FILE",
        message: "PRIVATE_KEY and PRIVATE_KEY_FILE are both set; set only one (PRIVATE_KEY_FILE is preferred)",
      });
    } else {
      privateKey = readKeyFile(r, keyFile);
      privateKeySource = privateKey ? "file" : "none";
    }
  }
  const apiKey = r.secret("POLY_API_KEY", (s) => /^[A-Za-z0-9-]{8,128}$/.test(s));
  const apiSecret = r.secret("POLY_API_SECRET", (s) => /^[A-Za-z0-9+/=_-]{16,256}$/.test(s));
  const passphrase = r.secret("POLY_PASSPHRASE");
  const setCount = [r.isSet("POLY_API_KEY"), r.isSet("POLY_API_SECRET"), r.isSet("POLY_PASSPHRASE")].filter(Boolean).length;
  if (setCount !== 0 && setCount !== 3) {
    r.issues.push({
      key: "POLY_API_KEY",
      message: "POLY_API_KEY, POLY_API_SECRET and POLY_PASSPHRASE must be set together (or none, to derive them from the key)",
    });
  }
  return { privateKey, privateKeySource, privateKeyFile: privateKeySource === "file" ? keyFile : undefined, apiKey, apiSecret, passphrase };
}

/** Redacted lines for the startup summary: a headline, then every key with its origin. */
export function describeConfig(config: Config): string[] {
  const head =
    `mode ${config.botMode} on ${config.venue}${config.venue === "polymarket" ? ` (${config.tradingMode})` : ""}, ` +
    `markets ${config.mm.markets.join(",")} × ${config.mm.windows.join(",")}, key ${config.credentials.privateKeySource}, journal ${config.ops.journalPath}`;
  const width = Math.max(...config.entries.map((e) => e.key.length));
  return [head, ...config.entries.map((e) => `  ${e.key.padEnd(width)} = ${e.shown}${e.origin === "default" ? "" : `  (${e.origin})`}`)];
}

/**
 * What the CLI calls: process.env plus the `.env` file named by ENV_FILE (default `./.env`).
 * A missing default `.env` is fine; a missing file named by ENV_FILE is an error.
 */
export function loadConfigFromProcess(overrides?: LoadOptions["overrides"]): Config {
  const named = process.env.ENV_FILE;
  const path = named !== undefined && named !== "" ? named : ".env";
  const text = readEnvFile(path);
  if (text === undefined && named !== undefined && named !== "") {
    throw new ConfigError([{ key: "ENV_FILE", message: `ENV_FILE=${JSON.stringify(named)} does not exist` }]);
  }
  return loadConfig(process.env, { ...(text !== undefined && { envFile: text }), ...(overrides !== undefined && { overrides }) });
}
