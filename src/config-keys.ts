/**
 * Every configuration key: its default (as it would be written in `.env`), what values are
 * allowed, and what it means. `.env.example` and `docs/config.md` list exactly these keys
 * (a test checks), and `loadConfig` reads nothing else. Order is the order of the docs.
 *
 * An empty default means "not set". Prices and dollar amounts are decimal strings; the
 * loader turns them into integers (PriceE4, UsdE6) without floating point.
 */

export type KeyGroup =
  | "bot"
  | "market maker"
  | "execution"
  | "arbitrage"
  | "risk"
  | "polymarket"
  | "credentials"
  | "simulator"
  | "operations"
  | "python plan";

export interface KeySpec {
  readonly key: string;
  readonly group: KeyGroup;
  /** As written in `.env`; "" = not set. */
  readonly default: string;
  /** What values are accepted (also used in error messages). */
  readonly allowed: string;
  readonly doc: string;
  /** Value is never echoed: not in errors, not in describeConfig. */
  readonly secret?: true;
}

export const POLYMARKET_HOSTS = {
  clob: "https://clob.polymarket.com",
  marketWs: "wss://ws-subscriptions-clob.polymarket.com/ws/market",
  userWs: "wss://ws-subscriptions-clob.polymarket.com/ws/user",
  rtds: "wss://ws-live-data.polymarket.com",
  gamma: "https://gamma-api.polymarket.com",
} as const;

export const CONFIG_KEYS = [
  // ── bot ──
  {
    key: "BOT_MODE",
    group: "bot",
    default: "market_maker",
    allowed: "market_maker | arbitrage",
    doc: "Which bot runs when no subcommand is given.",
  },
  {
    key: "VENUE",
    group: "bot",
    default: "sim",
    allowed: "sim | polymarket",
    doc: "Where orders go: the embedded simulator (no keys needed) or Polymarket.",
  },
  {
    key: "TRADING_MODE",
    group: "bot",
    default: "paper",
    allowed: "paper | live",
    doc: "With VENUE=polymarket: paper = live book with simulated fills, live = real orders (needs a key). The CLI's --paper / --live override it.",
  },

  // ── market maker (the user's plan) ──
  {
    key: "MM_BASE_SPREAD",
    group: "market maker",
    default: "0.02",
    allowed: "price in $ per share, 0.0001 … 0.5, ≤ 4 decimals",
    doc: "Quoted width (ask − bid) before volatility scaling.",
  },
  {
    key: "MM_MIN_SPREAD",
    group: "market maker",
    default: "0.01",
    allowed: "price 0.0001 … 0.5, ≤ MM_BASE_SPREAD",
    doc: "Narrowest width the volatility scaling may quote.",
  },
  {
    key: "MM_MAX_SPREAD",
    group: "market maker",
    default: "0.1",
    allowed: "price 0.0001 … 0.9, ≥ MM_BASE_SPREAD",
    doc: "Widest width before the bot stops quoting a market instead.",
  },
  {
    key: "MM_MAX_POSITION",
    group: "market maker",
    default: "100",
    allowed: "dollars > 0, ≤ 6 decimals",
    doc: "Largest inventory per market, in $ at cost; beyond it only reducing quotes are placed.",
  },
  {
    key: "MM_REQUOTE_THRESHOLD",
    group: "market maker",
    default: "0.005",
    allowed: "price 0.0001 … 0.5",
    doc: "Fair-value move (in $) that triggers cancel-and-replace of the quotes.",
  },
  {
    key: "MM_VOLATILITY_LOOKBACK",
    group: "market maker",
    default: "100",
    allowed: "integer 2 … 100000",
    doc: "Samples in the rolling volatility window (ring buffer capacity).",
  },
  {
    key: "MM_MARKETS",
    group: "market maker",
    default: "BTC,ETH,SOL",
    allowed: "comma list of BTC, ETH, SOL, XRP",
    doc: "Underlyings whose Up/Down markets are quoted.",
  },
  {
    key: "MM_WINDOWS",
    group: "market maker",
    default: "5m,15m,1h",
    allowed: "comma list of 5m, 15m, 1h, 4h",
    doc: "Market windows quoted per underlying.",
  },
  {
    key: "MM_ORDER_SIZE",
    group: "market maker",
    default: "10",
    allowed: "shares > 0 on the 0.01 grid",
    doc: "Shares per quote (the venue's min size, usually 5, still applies).",
  },
  {
    key: "MM_STOP_BEFORE_END_SECONDS",
    group: "market maker",
    default: "30",
    allowed: "seconds 0 … 3600, ≤ 3 decimals",
    doc: "Cancel quotes and stop quoting this long before a window ends.",
  },

  // ── execution ──
  {
    key: "PRE_SIGN_POOL_SIZE",
    group: "execution",
    default: "10",
    allowed: "integer 0 … 1000",
    doc: "Signed orders kept ready per market side (0 = sign on demand).",
  },
  {
    key: "USE_WSS",
    group: "execution",
    default: "true",
    allowed: "true | false",
    doc: "Market data over WebSocket; false polls REST every REST_POLL_INTERVAL_MS.",
  },
  {
    key: "REST_POLL_INTERVAL_MS",
    group: "execution",
    default: "1000",
    allowed: "integer 100 … 60000",
    doc: "Book polling period when USE_WSS=false (mind the REST rate limits).",
  },
  {
    key: "HEARTBEAT_INTERVAL_MS",
    group: "execution",
    default: "5000",
    allowed: "integer 1000 … 9000",
    doc: "Dead-man's-switch heartbeat period; the venue cancels all orders ~10 s after the last one.",
  },

  // ── arbitrage ──
  {
    key: "ARB_MIN_EDGE",
    group: "arbitrage",
    default: "0.01",
    allowed: "price 0.0001 … 0.5",
    doc: "Least profit per YES+NO pair after taker fees, in $.",
  },
  {
    key: "ARB_MAX_CAPITAL",
    group: "arbitrage",
    default: "50",
    allowed: "dollars > 0",
    doc: "Most pUSD the arbitrage bot has committed at once.",
  },
  {
    key: "ARB_LEG_RULE",
    group: "arbitrage",
    default: "unwind",
    allowed: "retry | unwind",
    doc: "When only one leg fills: retry the other leg, or sell the filled leg back.",
  },
  {
    key: "ARB_MAX_LEG_LOSS",
    group: "arbitrage",
    default: "2",
    allowed: "dollars > 0",
    doc: "Loss accepted to repair a broken pair; beyond it the leg is held and an alert is raised.",
  },
  {
    key: "ARB_ORDER_TYPE",
    group: "arbitrage",
    default: "FOK",
    allowed: "FOK | FAK",
    doc: "Order type of the legs: fill-or-kill, or fill-and-kill (partial fills allowed).",
  },

  // ── risk ──
  {
    key: "RISK_DAILY_LOSS_LIMIT",
    group: "risk",
    default: "50",
    allowed: "dollars > 0",
    doc: "Halt (cancel all, stop) when today's P&L (UTC day) falls below minus this.",
  },
  {
    key: "RISK_MAX_TOTAL_EXPOSURE",
    group: "risk",
    default: "500",
    allowed: "dollars > 0",
    doc: "Most $ at risk across all markets (inventory at cost plus open bids).",
  },
  {
    key: "RISK_MAX_CORRELATED_EXPOSURE",
    group: "risk",
    default: "250",
    allowed: "dollars > 0, ≤ RISK_MAX_TOTAL_EXPOSURE",
    doc: "Most $ at risk on one underlying across its windows (BTC 5m + 15m + 1h move together).",
  },
  {
    key: "RISK_STALE_FEED_SECONDS",
    group: "risk",
    default: "5",
    allowed: "seconds 0.1 … 600, ≤ 3 decimals",
    doc: "A market whose book or underlying is older than this is not quoted.",
  },
  {
    key: "RISK_CIRCUIT_BREAKER_VOL",
    group: "risk",
    default: "3",
    allowed: "number 1 … 100",
    doc: "Halt quoting when short-term volatility exceeds this multiple of its rolling norm.",
  },

  // ── polymarket ──
  {
    key: "CLOB_HOST",
    group: "polymarket",
    default: POLYMARKET_HOSTS.clob,
    allowed: "https URL (http only on loopback)",
    doc: "CLOB REST API.",
  },
  {
    key: "CLOB_WS_MARKET_URL",
    group: "polymarket",
    default: POLYMARKET_HOSTS.marketWs,
    allowed: "wss URL (ws only on loopback)",
    doc: "Market channel WebSocket.",
  },
  {
    key: "CLOB_WS_USER_URL",
    group: "polymarket",
    default: POLYMARKET_HOSTS.userWs,
    allowed: "wss URL (ws only on loopback)",
    doc: "User channel WebSocket (orders, trades).",
  },
  {
    key: "RTDS_URL",
    group: "polymarket",
    default: POLYMARKET_HOSTS.rtds,
    allowed: "wss URL (ws only on loopback)",
    doc: "Real-time data socket (Chainlink prices, settlement reference).",
  },
  {
    key: "GAMMA_HOST",
    group: "polymarket",
    default: POLYMARKET_HOSTS.gamma,
    allowed: "https URL (http only on loopback)",
    doc: "Gamma API for market discovery.",
  },
  {
    key: "CHAIN_ID",
    group: "polymarket",
    default: "137",
    allowed: "137 (Polygon) | 80002 (Amoy)",
    doc: "Chain of the exchange contracts the orders are signed for.",
  },
  {
    key: "SIGNATURE_TYPE",
    group: "polymarket",
    default: "0",
    allowed: "0 EOA | 1 POLY_PROXY | 2 POLY_GNOSIS_SAFE | 3 POLY_1271",
    doc: "Who holds the funds: the key itself (0), or a proxy / safe / deposit wallet (needs FUNDER_ADDRESS).",
  },
  {
    key: "FUNDER_ADDRESS",
    group: "polymarket",
    default: "",
    allowed: "0x + 40 hex digits",
    doc: "Funding wallet (the order's maker) for SIGNATURE_TYPE 1–3.",
  },

  // ── credentials (never echoed) ──
  {
    key: "PRIVATE_KEY",
    group: "credentials",
    default: "",
    allowed: "32-byte hex key (0x optional)",
    doc: "Signing key. Prefer PRIVATE_KEY_FILE.",
    secret: true,
  },
  {
    key: "PRIVATE_KEY_FILE",
    group: "credentials",
    default: "",
    allowed: "path to a file holding the hex key, mode 0600 or 0400",
    doc: "File with the signing key; refused if group or others may read it. Not with PRIVATE_KEY.",
  },
  {
    key: "POLY_API_KEY",
    group: "credentials",
    default: "",
    allowed: "API key (set all three or none)",
    doc: "L2 API key; derived from the signing key when unset.",
    secret: true,
  },
  {
    key: "POLY_API_SECRET",
    group: "credentials",
    default: "",
    allowed: "base64 API secret (set all three or none)",
    doc: "L2 HMAC secret.",
    secret: true,
  },
  {
    key: "POLY_PASSPHRASE",
    group: "credentials",
    default: "",
    allowed: "passphrase (set all three or none)",
    doc: "L2 passphrase.",
    secret: true,
  },

  // ── simulator ──
  {
    key: "SIM_SEED",
    group: "simulator",
    default: "1",
    allowed: "integer 0 … 2^32−1",
    doc: "Seed of every random choice in the simulator: same seed, same run.",
  },
  {
    key: "SIM_SPEED",
    group: "simulator",
    default: "1",
    allowed: "number 0.01 … 100000",
    doc: "Simulated seconds per wall-clock second (accelerated clock).",
  },
  { key: "SIM_START_BALANCE", group: "simulator", default: "1000", allowed: "dollars > 0", doc: "pUSD the simulated account starts with." },
  { key: "SIM_HOST", group: "simulator", default: "127.0.0.1", allowed: "host name or IP", doc: "Interface the simulator server binds." },
  {
    key: "SIM_PORT",
    group: "simulator",
    default: "0",
    allowed: "integer 0 … 65535 (0 = any free port)",
    doc: "Port the simulator server binds.",
  },

  // ── operations ──
  {
    key: "LOG_DIR",
    group: "operations",
    default: "logs",
    allowed: "directory path",
    doc: "Where JSON-lines logs and trade/event logs go.",
  },
  {
    key: "LOG_LEVEL",
    group: "operations",
    default: "info",
    allowed: "debug | info | warn | error",
    doc: "Least severe log level written.",
  },
  {
    key: "JOURNAL_PATH",
    group: "operations",
    default: "",
    allowed: "file path",
    doc: "SQLite journal; unset = data/journal-<venue>[-<trading mode>].sqlite, one per mode. A run on a new embedded simulator first moves the last run's file to <file>.prev.",
  },
  { key: "METRICS_PORT", group: "operations", default: "0", allowed: "integer 0 … 65535 (0 = off)", doc: "Port of /metrics and /healthz." },
  {
    key: "METRICS_HOST",
    group: "operations",
    default: "127.0.0.1",
    allowed: "host name or IP",
    doc: "Interface of the metrics server (keep it private).",
  },
  { key: "ALERT_WEBHOOK_URL", group: "operations", default: "", allowed: "https URL", doc: "Generic JSON POST alerts.", secret: true },
  {
    key: "ALERT_SLACK_WEBHOOK_URL",
    group: "operations",
    default: "",
    allowed: "https URL",
    doc: 'Slack- or Discord-compatible webhook ({"text": …}).',
    secret: true,
  },
  {
    key: "ALERT_TELEGRAM_BOT_TOKEN",
    group: "operations",
    default: "",
    allowed: "bot token (with ALERT_TELEGRAM_CHAT_ID)",
    doc: "Telegram bot API alerts.",
    secret: true,
  },
  {
    key: "ALERT_TELEGRAM_CHAT_ID",
    group: "operations",
    default: "",
    allowed: "chat id or @channel (with the token)",
    doc: "Telegram chat that receives alerts.",
  },

  // ── accepted from the Python plan, ignored ──
  {
    key: "USE_UVLOOP",
    group: "python plan",
    default: "",
    allowed: "any (ignored)",
    doc: "Python asyncio event-loop switch; Bun's loop is already native. Ignored with a notice.",
  },
  {
    key: "USE_ORJSON",
    group: "python plan",
    default: "",
    allowed: "any (ignored)",
    doc: "Python JSON library switch; Bun's JSON.parse is native. Ignored with a notice.",
  },
] as const satisfies readonly KeySpec[];

export type ConfigKey = (typeof CONFIG_KEYS)[number]["key"];

export const KEY_SPECS: ReadonlyMap<string, KeySpec> = new Map(CONFIG_KEYS.map((s) => [s.key, s]));

export function isConfigKey(key: string): key is ConfigKey {
  return KEY_SPECS.has(key);
}
