/**
 * `doctor`: checks everything a run depends on and says plainly what is wrong — the
 * configuration, the key file's permissions, the clock against the exchange's `GET /time`,
 * every endpoint (CLOB REST, market / user / RTDS WebSockets, Gamma), the API credentials,
 * balance and allowances, and the tick size of the markets the bot would trade. Exit 0 when
 * nothing failed (warnings allowed), 1 otherwise.
 *
 * Each check is a small async function returning `{name, level, detail}`; they run in order
 * and a check that needs an earlier one's result (a session, discovered markets) is skipped
 * with a reason when that one failed. Latencies are printed: they are the round trips that
 * decide where to host the bot (docs/operator-commands.md).
 */
import { statSync } from "node:fs";
import { type Config, ConfigError, loadConfigFromProcess } from "../config.ts";
import type { MarketInfo } from "../core/ports.ts";
import { formatFixed } from "../core/units.ts";
import { GammaClient, type UpDownAsset, type UpDownWindow } from "../polymarket/gamma.ts";
import { userSubscribeFrame } from "../polymarket/user-channel.ts";
import { EXIT, type CliCommand } from "./command.ts";
import { OPERATOR_FLAGS_HELP, type OperatorFlags, type OperatorSession, openSession, parseOperatorFlags } from "./operator-session.ts";

const HELP = `usage: bun run src/main.ts doctor [--max-skew-ms 2000] [flags]

Checks, in order, and prints one line per check (ok / WARN / FAIL) with what to do:
  config        every key parses (docs/config.md); notices
  key file      PRIVATE_KEY_FILE is mode 0600/0400 and owned by this user (refuses group/world access)
  clock         skew against the exchange's GET /time (FAIL above 30 s, WARN above --max-skew-ms)
  clob rest     GET /ok and /time answer; round-trip time
  credentials   API key from POLY_API_* or derived over L1
  balance       collateral, and allowances for the exchange contracts
  market ws     the market channel answers PING
  user ws       the user channel accepts the credentials and answers PING
  rtds ws       the price socket delivers a price
  gamma         the configured markets (MM_MARKETS × MM_WINDOWS) are listed
  tick sizes    each market's CLOB tick size (and whether Gamma agrees)
Exit 0 when nothing failed, 1 when something did, 2 on bad flags.

  --max-skew-ms N  clock skew that is worth a warning (default 2000)
${OPERATOR_FLAGS_HELP}`;

export type Level = "ok" | "warn" | "fail" | "skip";
export interface CheckResult {
  readonly name: string;
  readonly level: Level;
  readonly detail: string;
}

const res = (name: string, level: Level, detail: string): CheckResult => ({ name, level, detail });

/** Key-file rules: refuse group/world access (like ssh), warn on another owner. */
export function checkKeyFile(path: string | undefined, source: string, venue: string, live: boolean): CheckResult {
  const name = "key file";
  if (path === undefined) {
    if (source === "env")
      return res(
        name,
        live ? "warn" : "ok",
        live
          ? "PRIVATE_KEY is set in the environment; prefer PRIVATE_KEY_FILE (a 0600 file) so the key is not in the process environment"
          : "key from PRIVATE_KEY",
      );
    if (venue === "polymarket" && live)
      return res(name, "fail", "no signing key: set PRIVATE_KEY_FILE to a file holding the hex key (chmod 600)");
    return res(
      name,
      "ok",
      venue === "sim" ? "none configured: the simulator gets a throwaway key" : "none configured (paper trading needs none)",
    );
  }
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    return res(name, "fail", `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const mode = st.mode & 0o777;
  const octal = mode.toString(8).padStart(4, "0");
  if (mode & 0o004) return res(name, "fail", `${path} is world-readable (mode ${octal}); the bot refuses it. Run: chmod 600 ${path}`);
  if (mode & 0o077)
    return res(name, "fail", `${path} is accessible to group or others (mode ${octal}); the bot refuses it. Run: chmod 600 ${path}`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    return res(name, "warn", `${path} (mode ${octal}) is owned by uid ${st.uid}, not by this user (uid ${uid})`);
  return res(name, "ok", `${path} mode ${octal}, owned by this user`);
}

/** Skew of the local clock against the exchange (`serverSec` from GET /time, sampled between t0 and t1). */
export function clockCheck(serverSec: number, t0Ms: number, t1Ms: number, maxSkewMs: number, venueIsSim: boolean): CheckResult {
  // /time has 1-s resolution: the server's instant lies in [serverSec, serverSec + 1) s.
  const localMidMs = (t0Ms + t1Ms) / 2;
  const skewMs = serverSec * 1000 + 500 - localMidMs;
  const secs = (x: number) => (x / 1000).toFixed(2); // display only
  const text = `local clock ${skewMs >= 0 ? "behind" : "ahead of"} the exchange by ≈${secs(Math.abs(skewMs))} s (±${secs(500 + (t1Ms - t0Ms) / 2)} s)`;
  if (venueIsSim) return res("clock", "ok", `${text}; the simulator's clock may run accelerated, not checked`);
  if (Math.abs(skewMs) > 30_000)
    return res("clock", "fail", `${text}: signed requests carry our timestamp and will be refused. Sync the clock (chrony/ntp)`);
  if (Math.abs(skewMs) > maxSkewMs + 500)
    return res("clock", "warn", `${text}: sync the clock (chrony/ntp); the REST client corrects its timestamps from /time meanwhile`);
  return res("clock", "ok", text);
}

interface WsProbe {
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

/** Opens a socket, sends `frames`, waits for a frame `done` accepts; never throws. */
export function probeWs(url: string, frames: readonly string[], done: (text: string) => boolean, timeoutMs: number): Promise<WsProbe> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    let ws: WebSocket;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ok, ms: performance.now() - t0, detail });
      try {
        ws.close();
      } catch (e) {
        if (!(e instanceof Error)) throw e; // closing a socket that never opened
      }
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    try {
      ws = new WebSocket(url);
    } catch (e) {
      finish(false, `cannot open: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    ws.onopen = () => {
      for (const f of frames) ws.send(f);
    };
    ws.onmessage = (ev) => {
      if (done(typeof ev.data === "string" ? ev.data : String(ev.data))) finish(true, "");
    };
    ws.onerror = () => finish(false, "connection failed");
    ws.onclose = (ev) => finish(false, `closed by the server (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
  });
}

const ms = (x: number): string => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;

interface Ctx {
  readonly flags: OperatorFlags;
  readonly maxSkewMs: number;
  cfg?: Config;
  session?: OperatorSession;
  serverNowMs?: number;
  markets?: MarketInfo[];
}

async function runChecks(ctx: Ctx, emit: (r: CheckResult) => void): Promise<void> {
  const t = ctx.flags.timeoutMs;
  // config
  try {
    ctx.cfg = loadConfigFromProcess();
    emit(
      res(
        "config",
        ctx.cfg.notices.length > 0 ? "warn" : "ok",
        ctx.cfg.notices.length > 0
          ? ctx.cfg.notices.join("; ")
          : `mode ${ctx.cfg.botMode} on ${ctx.cfg.venue}${ctx.cfg.venue === "polymarket" ? ` (${ctx.cfg.tradingMode})` : ""}`,
      ),
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const i of e.issues) emit(res("config", "fail", i.message));
    const keyFile = process.env.PRIVATE_KEY_FILE;
    if (keyFile) emit(checkKeyFile(keyFile, "file", process.env.VENUE ?? "sim", true));
    emit(res("venue checks", "skip", "skipped until the configuration is fixed"));
    return;
  }
  const cfg = ctx.cfg;
  const venue = ctx.flags.venue ?? cfg.venue;
  const live = venue === "polymarket" && cfg.tradingMode === "live";
  emit(checkKeyFile(cfg.credentials.privateKeyFile, cfg.credentials.privateKeySource, venue, live));
  if (venue === "polymarket" && !live && !cfg.credentials.privateKey) {
    emit(res("credentials", "skip", "paper mode without a key: account checks skipped (public endpoints still checked)"));
  }

  // session: REST reachability, credentials
  const s = await openSession(cfg, ctx.flags);
  if (!s.ok) {
    emit(res(s.code === "AUTH" ? "credentials" : "clob rest", "fail", s.reason));
    return;
  }
  ctx.session = s.value;
  const sess = s.value;
  const base = sess.endpoints.rest;
  // GET /ok read raw: its body is plain `OK` on some servers, so any 200 counts as alive.
  const okT0 = performance.now();
  const okR = await sess.http.request({ method: "GET", url: `${base}/ok`, idempotent: true });
  const okMs = performance.now() - okT0;
  const okFail = okR.kind === "failure" ? `GET /ok ${okR.failure}: ${okR.message}` : okR.status !== 200 ? `GET /ok HTTP ${okR.status}` : "";
  const t0 = Date.now();
  const time = await sess.rest.getServerTime();
  const t1 = Date.now();
  if (okFail !== "" || !time.ok)
    emit(res("clob rest", "fail", `${base}: ${okFail} ${!time.ok ? `GET /time ${time.code} ${time.reason}` : ""}`.trim()));
  else {
    emit(res("clob rest", "ok", `${base} GET /ok ${ms(okMs)}`));
    ctx.serverNowMs = time.value * 1000;
    emit(clockCheck(time.value, t0, t1, ctx.maxSkewMs, venue === "sim"));
  }
  emit(
    res(
      "credentials",
      "ok",
      `key ${sess.signer.address} (${sess.keySource}); API key ${sess.creds.key.slice(0, 8)}… ${sess.credsFrom === "config" ? "from POLY_API_KEY" : sess.credsFrom === "created" ? "created over L1" : "derived over L1"}`,
    ),
  );

  // balance and allowances
  const bal = await sess.rest.getBalanceAllowance("COLLATERAL");
  if (!bal.ok)
    emit(
      res(
        "balance",
        "fail",
        `GET /balance-allowance: ${bal.code}: ${bal.reason}${bal.code === "AUTH" ? " (the API credentials were refused)" : ""}`,
      ),
    );
  else {
    const b = bal.value.balanceE6;
    const allowances = [...bal.value.allowances];
    const short = allowances.filter(([, a]) => !/^\d+$/.test(a) || BigInt(a) < BigInt(b));
    const need = cfg.mm.orderSizeE6 * 2; // two sides of one quote at up to $1 a share
    const text = `collateral $${formatFixed(b, 6)}; ${allowances.length} allowance(s)`;
    if (allowances.length === 0 && venue === "polymarket")
      emit(res("balance", "fail", `${text}: none set. Approve the exchange contracts for pUSD (Polymarket UI or set allowances on-chain)`));
    else if (short.length > 0)
      emit(
        res(
          "balance",
          "fail",
          `${text}: allowance below the balance for ${short.map(([k]) => k || "?").join(", ")}: approve the exchange contracts`,
        ),
      );
    else if (b === 0) emit(res("balance", live ? "fail" : "warn", `${text}: no collateral to trade with`));
    else if (b < need) emit(res("balance", "warn", `${text}: less than two orders of MM_ORDER_SIZE need ($${formatFixed(need, 6)})`));
    else emit(res("balance", "ok", text));
  }

  // sockets
  const market = await probeWs(
    sess.endpoints.wsMarket,
    [JSON.stringify({ assets_ids: [], type: "market" }), "PING"],
    (x) => x === "PONG",
    t,
  );
  emit(
    res(
      "market ws",
      market.ok ? "ok" : "fail",
      market.ok ? `${sess.endpoints.wsMarket} PONG in ${ms(market.ms)}` : `${sess.endpoints.wsMarket}: ${market.detail}`,
    ),
  );
  const user = await probeWs(
    sess.endpoints.wsUser,
    [userSubscribeFrame({ apiKey: sess.creds.key, secret: sess.creds.secret, passphrase: sess.creds.passphrase }, []), "PING"],
    (x) => x === "PONG",
    t,
  );
  emit(
    res(
      "user ws",
      user.ok ? "ok" : "fail",
      user.ok
        ? `${sess.endpoints.wsUser} authenticated, PONG in ${ms(user.ms)}`
        : `${sess.endpoints.wsUser}: ${user.detail}${/1008|auth/i.test(user.detail) ? " (credentials refused)" : ""}`,
    ),
  );
  const sub = JSON.stringify({
    action: "subscribe",
    subscriptions: [{ topic: "crypto_prices_chainlink", type: "*", filters: JSON.stringify({ symbol: "btc/usd" }) }],
  });
  const rtds = await probeWs(sess.endpoints.wsRtds, [sub], (x) => x.includes('"topic"') && x.includes("btc/usd"), Math.max(t, 5_000));
  emit(
    res(
      "rtds ws",
      rtds.ok ? "ok" : "fail",
      rtds.ok ? `${sess.endpoints.wsRtds} btc/usd price in ${ms(rtds.ms)}` : `${sess.endpoints.wsRtds}: ${rtds.detail}`,
    ),
  );

  // gamma and tick sizes
  const assets: UpDownAsset[] = [...cfg.mm.markets];
  const windows = cfg.mm.windows.filter((w): w is UpDownWindow => w === "5m" || w === "15m" || w === "1h");
  const gamma = new GammaClient({ baseUrl: sess.endpoints.gamma, timeoutMs: t });
  const g0 = performance.now();
  const found = await gamma.discover(assets, windows, ctx.serverNowMs ?? Date.now(), 0);
  const gMs = performance.now() - g0;
  ctx.markets = found.markets;
  const missing = assets.flatMap((a) =>
    windows
      .filter(
        (w) =>
          !found.markets.some((m) => m.underlying === `${a.toLowerCase()}/usd` && m.windowSec === { "5m": 300, "15m": 900, "1h": 3600 }[w]),
      )
      .map((w) => `${a} ${w}`),
  );
  if (found.errors.length > 0) emit(res("gamma", "fail", `${sess.endpoints.gamma}: ${found.errors.slice(0, 3).join("; ")}`));
  else if (found.markets.length === 0)
    emit(res("gamma", "fail", `${sess.endpoints.gamma}: no current market for ${assets.join(",")} × ${windows.join(",")}`));
  else
    emit(
      res(
        "gamma",
        missing.length > 0 ? "warn" : "ok",
        `${found.markets.length} current market(s) in ${ms(gMs)}${missing.length > 0 ? `; none listed now for ${missing.join(", ")}` : ""}`,
      ),
    );
  const ticks = await Promise.all(found.markets.slice(0, 24).map(async (m) => ({ m, r: await sess.rest.getTickSize(m.yesTokenId) })));
  const failed = ticks.filter((x) => !x.r.ok);
  const differ = ticks.filter((x) => x.r.ok && x.r.value !== x.m.tickE4);
  if (ticks.length === 0) emit(res("tick sizes", "skip", "no market to check"));
  else if (failed.length > 0)
    emit(res("tick sizes", "fail", failed.map((x) => `${x.m.slug}: ${x.r.ok ? "" : `${x.r.code} ${x.r.reason}`}`).join("; ")));
  else {
    const list = ticks.map((x) => `${x.m.slug} ${x.r.ok ? formatFixed(x.r.value, 4) : "?"}`).join(", ");
    emit(
      res(
        "tick sizes",
        differ.length > 0 ? "warn" : "ok",
        differ.length > 0
          ? `${list}; CLOB and Gamma differ for ${differ.map((x) => x.m.slug).join(", ")} (the tick changed; the bot follows the CLOB)`
          : list,
      ),
    );
  }
}

/** Runs every check in order (config from the process environment and .env); `onResult` sees each as it completes. */
export async function runDoctor(
  flags: OperatorFlags,
  maxSkewMs: number,
  onResult: (r: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const ctx: Ctx = { flags, maxSkewMs };
  try {
    await runChecks(ctx, (r) => {
      results.push(r);
      onResult(r);
    });
  } finally {
    await ctx.session?.close();
  }
  return results;
}

function line(r: CheckResult): string {
  const tag = { ok: "ok  ", warn: "WARN", fail: "FAIL", skip: "skip" }[r.level];
  return `${tag}  ${r.name.padEnd(12)} ${r.detail}`;
}

export const command: CliCommand = {
  name: "doctor",
  summary: "check config, key file, clock skew, connectivity, balances",
  help: HELP,
  async run(argv) {
    const flags = parseOperatorFlags(argv);
    if (typeof flags === "string") {
      console.error(`doctor: ${flags}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let maxSkewMs = 2_000;
    for (let i = 0; i < flags.rest.length; i += 2) {
      const v = Number(flags.rest[i + 1]);
      if (flags.rest[i] !== "--max-skew-ms" || !Number.isInteger(v) || v < 0) {
        console.error(`doctor: bad flag ${JSON.stringify(flags.rest[i])}\n\n${HELP}`);
        return EXIT.USAGE;
      }
      maxSkewMs = v;
    }
    const results = await runDoctor(flags, maxSkewMs, (r) => {
      if (!flags.json) console.log(line(r));
    });
    const failed = results.filter((r) => r.level === "fail");
    const warned = results.filter((r) => r.level === "warn");
    if (flags.json) console.log(JSON.stringify({ ok: failed.length === 0, checks: results }));
    else
      console.log(
        failed.length === 0
          ? `\nall checks passed${warned.length > 0 ? ` (${warned.length} warning${warned.length > 1 ? "s" : ""})` : ""}`
          : `\n${failed.length} check(s) FAILED: ${failed.map((f) => f.name).join(", ")}`,
      );
    return failed.length === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
