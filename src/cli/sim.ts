/**
 * `sim`: the embedded exchange simulator alone, on 127.0.0.1, until SIGINT / SIGTERM.
 * Prints its REST, Gamma and WebSocket URLs (one per line, `key=value`) so scripts and
 * other processes can point at it.
 */
import { AcceleratedClock, SystemClock } from "../core/clock.ts";
import { DEFAULT_FLOW } from "../sim/flow.ts";
import { SimExchange } from "../sim/exchange.ts";
import { DEFAULT_SCHEDULE } from "../sim/schedule.ts";
import { SimServer } from "../sim/server.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: bun run src/main.ts sim [--port 0] [--seed 1] [--speed 1] [--start <ISO time|epoch ms>]
                                [--balance 10000] [--no-flow] [--test-api] [--rule twap60|price_at_end]

Starts the embedded Polymarket simulator (CLOB REST, Gamma under /gamma, market/user/RTDS
WebSockets) on 127.0.0.1 and serves until SIGINT or SIGTERM.

  --port N        TCP port, 0 = any free port (default 0)
  --seed N        seed of the underlying, the markets' flow and every id (default 1)
  --speed X       simulated seconds per real second (default 1; 60 runs a 15-minute window in 15 s)
  --start T       simulated start time (default: now)
  --balance USD   pUSD a new API key starts with (default 10000)
  --no-flow       no synthetic participants: empty books, only what clients (or /test/book) place
  --test-api      serve /test/* (book placement, underlying moves, fault injection)
  --rule R        settlement rule of the Up/Down markets (default twap60)

Prints:
  rest=http://127.0.0.1:PORT
  gamma=http://127.0.0.1:PORT/gamma
  ws_market=ws://127.0.0.1:PORT/ws/market
  ws_user=ws://127.0.0.1:PORT/ws/user
  ws_rtds=ws://127.0.0.1:PORT/ws/rtds
See docs/simulator.md for what is modelled.`;

interface SimArgs {
  port: number;
  seed: number;
  speed: number;
  startMs: number;
  balanceE6: number;
  flow: boolean;
  testApi: boolean;
  rule: "twap60" | "price_at_end";
}

export function parseSimArgs(argv: readonly string[], nowMs: number): SimArgs | string {
  const a: SimArgs = { port: 0, seed: 1, speed: 1, startMs: nowMs, balanceE6: 10_000_000_000, flow: true, testApi: false, rule: "twap60" };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    const num = (name: string, min: number): number | string => {
      const v = Number(value());
      return Number.isFinite(v) && v >= min ? v : `${name} must be a number ≥ ${min}`;
    };
    let r: number | string;
    switch (flag) {
      case "--port":
        r = num("--port", 0);
        if (typeof r === "string" || !Number.isInteger(r) || r > 65535) return "--port must be an integer in 0..65535";
        a.port = r;
        break;
      case "--seed":
        r = num("--seed", 0);
        if (typeof r === "string") return r;
        a.seed = Math.floor(r);
        break;
      case "--speed":
        r = num("--speed", 0.001);
        if (typeof r === "string") return r;
        a.speed = r;
        break;
      case "--balance":
        r = num("--balance", 0);
        if (typeof r === "string") return r;
        a.balanceE6 = Math.round(r * 1e6);
        break;
      case "--start": {
        const v = value() ?? "";
        const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
        if (!Number.isFinite(t)) return `--start: not a time: ${JSON.stringify(v)}`;
        a.startMs = t;
        break;
      }
      case "--rule": {
        const v = value();
        if (v !== "twap60" && v !== "price_at_end") return "--rule must be twap60 or price_at_end";
        a.rule = v;
        break;
      }
      case "--no-flow":
        a.flow = false;
        break;
      case "--test-api":
        a.testApi = true;
        break;
      default:
        return `unknown flag ${JSON.stringify(flag)}`;
    }
  }
  return a;
}

export const command: CliCommand = {
  name: "sim",
  summary: "start the embedded exchange simulator alone",
  help: HELP,
  async run(argv) {
    const args = parseSimArgs(argv, Date.now());
    if (typeof args === "string") {
      console.error(`sim: ${args}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    const clock =
      args.speed === 1 && args.startMs >= Date.now() - 1000 ? new SystemClock() : new AcceleratedClock(args.speed, args.startMs);
    const exchange = new SimExchange({
      seed: args.seed,
      startMs: clock.wallMs(),
      flow: args.flow ? DEFAULT_FLOW : null,
      initialBalanceE6: args.balanceE6,
      schedule: { ...DEFAULT_SCHEDULE, rule: args.rule },
    });
    const server = new SimServer({ exchange, clock, port: args.port, testApi: args.testApi });
    let urls: ReturnType<SimServer["start"]>;
    try {
      urls = server.start();
    } catch (e) {
      console.error(`sim: cannot listen on 127.0.0.1:${args.port}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.FAILURE;
    }
    console.log(`rest=${urls.rest}\ngamma=${urls.gamma}\nws_market=${urls.wsMarket}\nws_user=${urls.wsUser}\nws_rtds=${urls.wsRtds}`);
    console.log(
      JSON.stringify({
        event: "sim_started",
        seed: args.seed,
        speed: args.speed,
        start_ms: exchange.nowMs,
        flow: args.flow,
        test_api: args.testApi,
      }),
    );
    const signal = await new Promise<string>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    await server.stop();
    console.log(JSON.stringify({ event: "sim_stopped", signal, sim_time_ms: exchange.nowMs }));
    return EXIT.OK;
  },
};
