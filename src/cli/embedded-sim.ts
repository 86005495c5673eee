/**
 * Starts the embedded exchange simulator (matching, flow, REST + WebSocket server on
 * 127.0.0.1) for commands that need a venue but no keys: `mm`/`arb --venue sim` through
 * compose.ts, and `record --venue sim`.
 */
import type { Clock } from "../core/clock.ts";
import type { UpDownAsset, UpDownWindow } from "../polymarket/gamma.ts";
import { SimExchange } from "../sim/exchange.ts";
import { DEFAULT_FLOW } from "../sim/flow.ts";
import { DEFAULT_SCHEDULE } from "../sim/schedule.ts";
import { SimServer, type SimUrls } from "../sim/server.ts";

export interface EmbeddedSimOptions {
  readonly clock: Clock;
  readonly seed: number;
  readonly assets: readonly UpDownAsset[];
  readonly windows: readonly UpDownWindow[];
  readonly startBalanceUsdE6: number;
  readonly host?: string;
  readonly port?: number;
  readonly testApi?: boolean;
}

export interface StartedSim {
  readonly exchange: SimExchange;
  readonly server: SimServer;
  readonly urls: SimUrls;
}

const COIN_OF: Readonly<Record<string, string>> = { BTC: "btc/usd", ETH: "eth/usd", SOL: "sol/usd", XRP: "xrp/usd" };
const WINDOW_SEC_OF: Readonly<Record<string, number>> = { "5m": 300, "15m": 900, "1h": 3600, "4h": 14_400 };

/** Throws when the server cannot bind (the caller reports it as a venue error). */
export function startEmbeddedSim(o: EmbeddedSimOptions): StartedSim {
  const exchange = new SimExchange({
    seed: o.seed,
    startMs: o.clock.wallMs(),
    flow: DEFAULT_FLOW,
    initialBalanceE6: o.startBalanceUsdE6,
    // Only the coins and windows asked for: the simulator's flow costs CPU per listed market.
    schedule: {
      ...DEFAULT_SCHEDULE,
      coins: DEFAULT_SCHEDULE.coins.filter((c) => o.assets.some((a) => COIN_OF[a] === c)),
      windows: DEFAULT_SCHEDULE.windows.filter((w) => o.windows.some((x) => WINDOW_SEC_OF[x] === w)),
    },
  });
  const server = new SimServer({
    exchange,
    clock: o.clock,
    port: o.port ?? 0,
    hostname: o.host ?? "127.0.0.1",
    testApi: o.testApi ?? false,
  });
  const urls = server.start();
  return { exchange, server, urls };
}
