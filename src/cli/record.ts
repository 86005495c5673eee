/**
 * `record`: writes every raw market-channel and underlying (RTDS) frame with its receive time
 * to gzip JSONL segments that roll with the markets (format: docs/market-data.md). No keys are
 * needed: both sockets are public.
 */
import { SystemClock } from "../core/clock.ts";
import { FastWebSocket } from "../net/fast-ws.ts";
import { AutoRoller } from "../polymarket/auto-roll.ts";
import {
  GAMMA_URL,
  GammaClient,
  isUpDownAsset,
  isUpDownWindow,
  type UpDownAsset,
  type UpDownWindow,
  WINDOW_SEC,
} from "../polymarket/gamma.ts";
import { marketAddAssetsFrame, marketRemoveAssetsFrame, marketSubscribeFrame } from "../polymarket/market-channel.ts";
import { RTDS_URL, RtdsFeed } from "../polymarket/rtds-feed.ts";
import { Recorder } from "../store/recorder.ts";
import { loadConfigFromProcess } from "../config.ts";
import { type CliCommand, EXIT } from "./command.ts";
import { type StartedSim, startEmbeddedSim } from "./embedded-sim.ts";

export const MARKET_WS_URL = "wss://ws-subscriptions-clob.polymarket.com/ws/market";

const HELP = `usage: bun run src/main.ts record [--venue sim|polymarket] --out DIR [flags]

Records every raw market-channel frame (books, price changes, trades) and every underlying
price frame (Polymarket RTDS Chainlink / TWAP-60) with its receive time in epoch nanoseconds,
as gzip-compressed JSONL, one file per market window. Replay with src/store/replay.ts.

flags:
  --venue sim|polymarket   where to record from (default sim: the embedded simulator)
  --markets BTC,ETH,SOL    Up/Down assets (default BTC,ETH,SOL)
  --windows 5m,15m,1h      Up/Down windows (default 5m,15m,1h)
  --market SLUG|TOKEN      also record this market (repeatable)
  --out DIR                output directory (required)
  --duration 1h            stop after this long (ms, s, m, h); default: until Ctrl-C
  --lead 60s               subscribe a window this long before it starts (default 60s)
  --no-rtds                skip the underlying price feed
  --gamma-url URL          Gamma base URL (default ${GAMMA_URL})
  --market-ws-url URL      market channel URL (default ${MARKET_WS_URL})
  --rtds-url URL           RTDS URL (default ${RTDS_URL})

examples:
  bun run src/main.ts record --venue polymarket --markets BTC --windows 5m --out data/rec --duration 1h
  bun run src/main.ts record --venue sim --duration 15s --out /tmp/rec`;

/** "15s", "10m", "1h", "250ms", "1.5h" → ms; NaN when malformed. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return Number.NaN;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}

export interface RecordArgs {
  venue: "sim" | "polymarket";
  assets: UpDownAsset[];
  windows: UpDownWindow[];
  extra: string[];
  out: string;
  durationMs: number;
  leadMs: number;
  rtds: boolean;
  gammaUrl: string;
  marketWsUrl: string;
  rtdsUrl: string;
}

export function parseRecordArgs(argv: readonly string[]): RecordArgs | string {
  const a: RecordArgs = {
    venue: "sim",
    assets: ["BTC", "ETH", "SOL"],
    windows: ["5m", "15m", "1h"],
    extra: [],
    out: "",
    durationMs: Number.POSITIVE_INFINITY,
    leadMs: 60_000,
    rtds: true,
    gammaUrl: GAMMA_URL,
    marketWsUrl: MARKET_WS_URL,
    rtdsUrl: RTDS_URL,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? "";
    if (flag === "--no-rtds") {
      a.rtds = false;
      continue;
    }
    const v = argv[i + 1];
    if (v === undefined) return `${flag} needs a value`;
    i++;
    switch (flag) {
      case "--venue":
        if (v !== "sim" && v !== "polymarket") return `--venue must be sim or polymarket, got ${JSON.stringify(v)}`;
        a.venue = v;
        break;
      case "--markets": {
        const xs = v.split(",").map((s) => s.trim().toUpperCase());
        const bad = xs.filter((x) => !isUpDownAsset(x));
        if (bad.length > 0 || xs.length === 0) return `--markets: unknown asset(s) ${bad.join(",")}; allowed BTC,ETH,SOL,XRP,DOGE,BNB,HYPE`;
        a.assets = xs as UpDownAsset[];
        break;
      }
      case "--windows": {
        const xs = v.split(",").map((s) => s.trim());
        const bad = xs.filter((x) => !isUpDownWindow(x));
        if (bad.length > 0 || xs.length === 0) return `--windows: unknown window(s) ${bad.join(",")}; allowed 5m,15m,1h`;
        a.windows = xs as UpDownWindow[];
        break;
      }
      case "--market":
        a.extra.push(v);
        break;
      case "--out":
        a.out = v;
        break;
      case "--duration":
      case "--lead": {
        const ms = parseDurationMs(v);
        if (!(ms > 0)) return `${flag}: expected a duration like 15s, 10m or 1h, got ${JSON.stringify(v)}`;
        if (flag === "--duration") a.durationMs = ms;
        else a.leadMs = ms;
        break;
      }
      case "--gamma-url":
        a.gammaUrl = v;
        break;
      case "--market-ws-url":
        a.marketWsUrl = v;
        break;
      case "--rtds-url":
        a.rtdsUrl = v;
        break;
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  if (a.out === "") return "--out DIR is required";
  return a;
}

/** Records until `durationMs` passes or `stop` resolves; returns the exit code. */
export async function runRecorder(
  a: RecordArgs,
  stop: Promise<void>,
  onRecorded?: (src: "market" | "rtds", frame: string) => void,
): Promise<number> {
  const clock = new SystemClock();
  const recorder = new Recorder({ dir: a.out, clock, venue: a.venue });
  const segmentMs = Math.min(...a.windows.map((w) => WINDOW_SEC[w])) * 1000;
  const tokens = new Set<string>();
  const byCondition = new Map<string, readonly string[]>();
  const log = (event: string, fields: Record<string, unknown> = {}) => console.log(JSON.stringify({ event, ...fields }));

  const market = new FastWebSocket({
    url: a.marketWsUrl,
    clock,
    name: "market",
    handshake: () => (tokens.size > 0 ? [marketSubscribeFrame([...tokens])] : []),
    onFrame: (text, recvNs) => {
      recorder.record("market", text, recvNs);
      onRecorded?.("market", text);
    },
    onConnection: (ev) => log(`market_${ev.state}`, { reason: ev.reason }),
  });
  const rtds = a.rtds
    ? new RtdsFeed({
        clock,
        url: a.rtdsUrl,
        symbols: a.assets.map((x) => `${x.toLowerCase()}/usd`),
        onRawFrame: (text, recvNs) => {
          recorder.record("rtds", text, recvNs);
          onRecorded?.("rtds", text);
        },
      })
    : undefined;
  rtds?.onEvent((ev) => {
    if (ev.kind === "connection") log(`rtds_${ev.state}`, { reason: ev.reason });
  });

  const openSegment = () => {
    const now = clock.wallMs();
    const start = Math.floor(now / segmentMs) * segmentMs;
    const file = recorder.roll({ segmentStartMs: start, segmentEndMs: start + segmentMs, markets: roller.planner.subscribed() });
    log("segment", { file });
    cancelSegment = clock.setTimer(start + segmentMs - now, openSegment);
  };
  let cancelSegment: () => void = () => {};
  const roller = new AutoRoller({
    clock,
    gamma: new GammaClient({ baseUrl: a.gammaUrl }),
    assets: a.assets,
    windows: a.windows,
    extra: a.extra,
    roll: { leadMs: a.leadMs },
    onError: (m) => log("discovery_error", { message: m }),
    onPlan: (plan) => {
      const add: string[] = [];
      for (const m of plan.subscribe) {
        byCondition.set(m.conditionId, [m.yesTokenId, m.noTokenId]);
        add.push(m.yesTokenId, m.noTokenId);
      }
      for (const t of add) tokens.add(t);
      if (add.length > 0 && market.isOpen) market.send(marketAddAssetsFrame(add));
      const removed: string[] = [];
      for (const id of plan.unsubscribe) {
        for (const t of byCondition.get(id) ?? []) {
          tokens.delete(t);
          removed.push(t);
        }
        byCondition.delete(id);
      }
      if (removed.length > 0 && market.isOpen) market.send(marketRemoveAssetsFrame(removed));
      for (const m of plan.subscribe) log("subscribe", { slug: m.slug, startMs: m.startMs, endMs: m.endMs });
      for (const e of plan.events) log(e.kind, { slug: e.market.slug });
    },
  });

  await roller.start();
  openSegment();
  market.start();
  rtds?.start();
  const flushTimer = setInterval(() => recorder.flush(), 1000);
  const timeout = Number.isFinite(a.durationMs) ? Bun.sleep(a.durationMs) : new Promise<void>(() => {});
  await Promise.race([stop, timeout]);
  clearInterval(flushTimer);
  cancelSegment();
  roller.stop();
  market.close();
  rtds?.close();
  await recorder.close();
  log("record_done", { frames: recorder.frames, files: recorder.files.length, marketWs: market.counters, rtds: rtds?.counters });
  return EXIT.OK;
}

export const command: CliCommand = {
  name: "record",
  summary: "record raw market-channel and underlying frames to compressed JSONL",
  help: HELP,
  async run(argv) {
    const a = parseRecordArgs(argv);
    if (typeof a === "string") {
      console.error(`record: ${a}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let sim: StartedSim | undefined;
    if (a.venue === "sim") {
      // The embedded simulator in real time, so recorded receive times are true wall times.
      const cfg = loadConfigFromProcess();
      try {
        sim = startEmbeddedSim({
          clock: new SystemClock(),
          seed: cfg.sim.seed,
          assets: a.assets,
          windows: a.windows,
          startBalanceUsdE6: cfg.sim.startBalanceUsdE6,
        });
      } catch (e) {
        console.error(`record --venue sim: cannot start the simulator: ${e instanceof Error ? e.message : String(e)}`);
        return EXIT.VENUE;
      }
      a.gammaUrl = sim.urls.gamma;
      a.marketWsUrl = sim.urls.wsMarket;
      a.rtdsUrl = sim.urls.wsRtds;
      console.error(`record: embedded simulator at ${sim.urls.rest}`);
    }
    const stop = new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    try {
      return await runRecorder(a, stop);
    } finally {
      await sim?.server.stop();
    }
  },
};
