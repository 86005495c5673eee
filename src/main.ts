#!/usr/bin/env bun
/**
 * Market Maker Pro entry point: `bun run src/main.ts [command] [flags]`.
 * With no command it runs the default job for BOT_MODE (the market maker on the embedded
 * simulator unless configured otherwise).
 */
import { EXIT, type CliCommand } from "./cli/command.ts";

/** Every subcommand of the plan, in the order `--help` lists them. */
const COMMANDS: ReadonlyArray<readonly [name: string, summary: string]> = [
  ["mm", "run the market maker (sim by default; --venue polymarket --paper | --live)"],
  ["arb", "run the arbitrage bot (buy YES+NO below $1 after fees)"],
  ["sim", "start the embedded exchange simulator alone"],
  ["record", "record raw market-channel and underlying frames to compressed JSONL"],
  ["backtest", "replay recorded data through a bot with queue position and latency"],
  ["analyze", "report on the trade/event logs of past runs"],
  ["calibrate", "score the fair-value model against real resolved markets"],
  ["order", "sign orders by hand (order sign < orders.jsonl)"],
  ["doctor", "check config, key file, clock skew, connectivity, balances"],
  ["status", "positions, open orders and P&L from the exchange and the journal"],
  ["cancel-all", "cancel every open order of the key and confirm none remain"],
  ["healthcheck", "exit 0 when the running bot's /healthz answers 200 (Docker HEALTHCHECK)"],
];

function usage(): string {
  const width = Math.max(...COMMANDS.map(([n]) => n.length));
  const lines = COMMANDS.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`);
  return [
    "Market Maker Pro: a low-latency market maker and arbitrage engine for Polymarket CLOB V2",
    "",
    "usage: bun run src/main.ts [command] [flags]",
    "       bun run src/main.ts <command> --help",
    "",
    "With no command: runs BOT_MODE (market_maker → mm, arbitrage → arb) on the embedded simulator.",
    "",
    "commands:",
    ...lines,
  ].join("\n");
}

export async function loadCommand(name: string): Promise<CliCommand | undefined> {
  // From source the file is cli/<name>.ts; in the `bun build --compile` executable (built with
  // src/cli/*.ts as extra entry points, see Dockerfile) it is embedded as cli/<name>.js.
  for (const ext of [".ts", ".js"]) {
    const file = new URL(`./cli/${name}${ext}`, import.meta.url);
    if (!(await Bun.file(file).exists())) continue;
    const mod = (await import(file.href)) as { command?: CliCommand };
    return mod.command;
  }
  return undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return EXIT.OK;
  }
  if (name === undefined || name.startsWith("-")) {
    // Default job: the bot BOT_MODE names, with any flags passed through.
    const mode = process.env.BOT_MODE ?? "market_maker";
    rest = name === undefined ? [] : [name, ...rest];
    name = mode === "arbitrage" ? "arb" : "mm";
  }
  if (!COMMANDS.some(([n]) => n === name)) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return EXIT.USAGE;
  }
  const cmd = await loadCommand(name);
  if (!cmd) {
    console.error(`"${name}" is part of the plan but is not built yet in this version.`);
    return EXIT.NOT_BUILT;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(cmd.help);
    return EXIT.OK;
  }
  return cmd.run(rest);
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
