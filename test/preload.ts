import { setDefaultTimeout } from "bun:test";

/**
 * Loaded before every test file (bunfig.toml). Tests never touch the internet and never
 * see real credentials: every credential variable is blanked, and `fetch` / `WebSocket`
 * refuse any host that is not loopback.
 */
for (const key of Object.keys(process.env)) {
  if (/PRIVATE_KEY|SECRET|PASSPHRASE|API_KEY|KEY_FILE|TELEGRAM|WEBHOOK/i.test(key)) delete process.env[key];
}

// Every test's default timeout (bun's is 5 s; bunfig has no key for it). Time in tests comes
// from ManualClock, so this only matters on a loaded machine, where a heavy property or e2e
// test can take longer than 5 s of wall time without anything being wrong.
setDefaultTimeout(30_000);

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function assertLoopback(url: string | URL): void {
  const u = typeof url === "string" ? new URL(url) : url;
  if (!LOOPBACK.has(u.hostname)) throw new Error(`test tried to reach a non-loopback host: ${u.hostname}`);
}

const realFetch = globalThis.fetch;
const guardedFetch = ((input: string | URL | Request, init?: RequestInit) => {
  const url = input instanceof Request ? input.url : input;
  assertLoopback(url);
  return realFetch(input, init);
}) as typeof fetch;
guardedFetch.preconnect = realFetch.preconnect;
globalThis.fetch = guardedFetch;

const RealWebSocket = globalThis.WebSocket;
class GuardedWebSocket extends RealWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    assertLoopback(url);
    super(url, protocols);
  }
}
globalThis.WebSocket = GuardedWebSocket as typeof WebSocket;
