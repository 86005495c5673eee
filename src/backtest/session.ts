/**
 * One backtest session as the CLI, the sweep workers and the tests run it: load the data
 * once (frames in memory, markets from the catalogue), build each bot through its public
 * constructor from the user's configuration plus overrides, replay, and report. Our bot and
 * the naive baseline run on the same frames with the same venue settings.
 */
import { statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { ArbBot } from "../bots/arb-bot.ts";
import { arbParamsFromConfig } from "../bots/arb-params.ts";
import { MarketMakerBot } from "../bots/market-maker-bot.ts";
import { marketMakerParamsFromConfig } from "../bots/market-maker-params.ts";
import { NaiveBot, naiveParamsFromConfig } from "../bots/naive-bot.ts";
import { type Config, type ConfigKey, loadConfig } from "../config.ts";
import type { MarketInfo } from "../core/ports.ts";
import { type ReplayFrame, replayFile } from "../store/replay.ts";
import { type DecodedFrame, decodeFrames } from "../venue/replay.ts";
import { type Catalogue, headerMarkets, inferMarkets, loadMarketsFile, sessionMarketsFileFor } from "./catalogue.ts";
import { type BacktestOutcome, type BacktestSettings, type BotFactory, runBacktestSync } from "./engine.ts";

export type BotKind = "mm" | "naive" | "arb";
export const BOT_KINDS: readonly BotKind[] = ["mm", "naive", "arb"];

export interface LoadedData {
  readonly label: string;
  readonly files: readonly string[];
  readonly frames: readonly ReplayFrame[];
  /** The frames through the codecs, once for every run. */
  readonly decoded: readonly DecodedFrame[];
  readonly catalogue: Catalogue;
}

const RECORD_FILE_RE = /\.(jsonl|jsonl\.gz|json)$/;

/** Recording files of a path: the file itself, or a directory's in name order (market files excluded). */
export async function dataFiles(target: string): Promise<string[]> {
  if (!statSync(target).isDirectory()) return [target];
  const names = (await readdir(target)).filter((n) => RECORD_FILE_RE.test(n) && !n.includes("session_markets")).sort();
  return names.map((n) => path.join(target, n));
}

/** Reads every frame of `target` and works out its markets (catalogue.ts). */
export async function loadData(target: string, marketsFile?: string): Promise<LoadedData> {
  const files = await dataFiles(target);
  const frames: ReplayFrame[] = [];
  for (const f of files) for await (const fr of replayFile(f)) frames.push(fr);
  let catalogue: Catalogue;
  if (marketsFile !== undefined) catalogue = { markets: await loadMarketsFile(marketsFile), source: "markets_file" };
  else {
    const fromHeaders = await headerMarkets(files);
    const session = files.length === 1 && files[0] !== undefined ? await sessionMarketsFileFor(files[0]) : undefined;
    if (fromHeaders.length > 0) catalogue = { markets: fromHeaders, source: "recorder_header" };
    else if (session !== undefined) catalogue = { markets: await loadMarketsFile(session), source: "session_markets" };
    else catalogue = { markets: inferMarkets(frames), source: "inferred" };
  }
  return { label: target, files, frames, decoded: decodeFrames(frames), catalogue };
}

/** Configuration for a backtest: the user's settings plus `overrides`, never credentials. */
export function backtestConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Partial<Record<ConfigKey, string>>>,
): Config {
  return loadConfig(env, { overrides: { ...overrides, VENUE: "sim", TRADING_MODE: "paper" } });
}

/** The bot of `kind` with the parameters `config` gives, as the engine builds it. */
export function botFactory(kind: BotKind, config: Config): BotFactory {
  switch (kind) {
    case "mm": {
      const params = marketMakerParamsFromConfig(config);
      return (d) => new MarketMakerBot({ ...d, params });
    }
    case "arb": {
      const params = arbParamsFromConfig(config);
      return (d) => new ArbBot({ ...d, params });
    }
    case "naive": {
      const params = naiveParamsFromConfig(config);
      return (d) => new NaiveBot({ ...d, params });
    }
  }
}

/** The configuration keys each bot reads, shown in the report when overridden. */
export function overrideRows(overrides: Readonly<Partial<Record<ConfigKey, string>>>): [string, string][] {
  return Object.entries(overrides)
    .filter((e): e is [string, string] => typeof e[1] === "string")
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

export interface SessionRun {
  readonly kind: BotKind;
  readonly outcome: BacktestOutcome;
}

/** Runs `kinds` (ours first, then the baseline) over the same loaded data. */
export function runSession(
  data: LoadedData,
  kinds: readonly BotKind[],
  settings: Omit<BacktestSettings, "bot" | "marketsSource">,
  config: Config,
): SessionRun[] {
  const markets: readonly MarketInfo[] = data.catalogue.markets;
  return kinds.map((kind) => ({
    kind,
    outcome: runBacktestSync(
      data.decoded,
      markets,
      { ...settings, bot: kind, marketsSource: data.catalogue.source },
      botFactory(kind, config),
    ),
  }));
}
