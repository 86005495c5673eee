/**
 * Exposure checks (issue #10 item 3): the simulator and the metrics server listen on
 * 127.0.0.1 unless told otherwise — a non-loopback address of this machine is refused —
 * and both reject requests without valid credentials wherever the real exchange (or a sane
 * Prometheus endpoint) would: every authenticated CLOB route without or with broken L2
 * headers is 401, the L1 key routes without an L1 signature are 401, the user socket closes
 * on bad credentials, /test/* is off by default, and a metrics server on a public interface
 * needs a bearer token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { networkInterfaces } from "node:os";
import { Secret } from "../../src/core/secret.ts";
import { ERR_L1, ERR_L2 } from "../../src/sim/sim-auth.ts";
import { HealthRegistry, startMetricsServer } from "../../src/monitor/metrics-server.ts";
import { Registry } from "../../src/monitor/metrics.ts";
import { openSock } from "./endpoint-targets.ts";
import { type SimFixture, startSimFixture } from "./sim-fixture.ts";

let fx: SimFixture;
beforeAll(async () => {
  fx = await startSimFixture();
});
afterAll(async () => {
  await fx.stop();
});

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

/** True when a TCP connection to host:port is accepted. */
function accepts(hostname: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    Bun.connect({
      hostname,
      port,
      socket: {
        open: (s) => {
          s.end();
          resolve(true);
        },
        data: () => {},
        connectError: () => resolve(false),
        error: () => resolve(false),
      },
    }).catch(() => resolve(false));
  });
}

describe("loopback by default", () => {
  const ext = externalIPv4();

  test("the simulator server binds 127.0.0.1", async () => {
    const u = new URL(fx.urls.rest);
    expect(u.hostname).toBe("127.0.0.1");
    expect(await accepts("127.0.0.1", Number(u.port))).toBe(true);
    if (ext === undefined) return; // no other interface to probe on this machine
    expect(await accepts(ext, Number(u.port))).toBe(false);
  });

  test("the `sim` command prints loopback URLs", async () => {
    const proc = Bun.spawn(["bun", "run", "src/main.ts", "sim", "--port", "0", "--seed", "1"], {
      cwd: `${import.meta.dir}/../..`,
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("ws_rtds=")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    proc.kill("SIGTERM");
    await proc.exited;
    const rest = /rest=(\S+)/.exec(out)?.[1] ?? "";
    expect(new URL(rest).hostname).toBe("127.0.0.1");
    for (const k of ["gamma", "ws_market", "ws_user", "ws_rtds"])
      expect(new URL(/=(\S+)/.exec(out.split("\n").find((l) => l.startsWith(`${k}=`)) ?? "")?.[1] ?? "x:").hostname).toBe("127.0.0.1");
  });

  test("the metrics server binds 127.0.0.1 and refuses a public interface without a token", async () => {
    const registry = new Registry();
    const health = new HealthRegistry();
    const s = startMetricsServer({ registry, health, port: 0 });
    if (!s.ok) throw new Error(s.reason);
    expect(new URL(s.value.url).hostname).toBe("127.0.0.1");
    if (ext !== undefined) expect(await accepts(ext, s.value.port)).toBe(false);
    await s.value.stop();
    const open = startMetricsServer({ registry, health, port: 0, hostname: "0.0.0.0" });
    expect(open.ok).toBe(false);
    if (!open.ok) expect(open.code).toBe("INSECURE_BIND");
  });

  test("a metrics server given a token answers /metrics only with it; /healthz stays open for probes", async () => {
    const token = new Secret("metrics-token-0123456789", "metrics token");
    const s = startMetricsServer({
      registry: new Registry(),
      health: new HealthRegistry(),
      port: 0,
      hostname: "127.0.0.1",
      bearerToken: token,
    });
    if (!s.ok) throw new Error(s.reason);
    try {
      expect((await fetch(`${s.value.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${s.value.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`${s.value.url}/metrics`, { headers: { authorization: `Bearer ${token.reveal()}` } })).status).toBe(200);
      expect((await fetch(`${s.value.url}/healthz`)).status).toBe(200);
    } finally {
      await s.value.stop();
    }
  });
});

const PRIVATE: readonly (readonly [string, string])[] = [
  ["POST", "/order"],
  ["POST", "/orders"],
  ["DELETE", "/order"],
  ["DELETE", "/orders"],
  ["DELETE", "/cancel-all"],
  ["DELETE", "/cancel-market-orders"],
  ["GET", "/data/orders"],
  ["GET", "/data/trades"],
  ["GET", "/data/order/0x1"],
  ["POST", "/v1/heartbeats"],
  ["GET", "/balance-allowance"],
  ["GET", "/balance-allowance/update"],
  ["GET", "/auth/api-keys"],
  ["DELETE", "/auth/api-key"],
  ["GET", "/notifications"],
  ["POST", "/sim/ctf/split"],
  ["POST", "/sim/ctf/merge"],
];

describe("the simulator rejects requests without valid auth where the exchange would", () => {
  test("every authenticated route: no headers, another key's passphrase, a forged HMAC, a replayed signature → 401", async () => {
    for (const [method, path] of PRIVATE) {
      const body = method === "GET" ? undefined : "{}";
      const good = fx.l2(method, path, body);
      const variants: Record<string, Record<string, string>> = {
        none: {},
        passphrase: { ...good, POLY_PASSPHRASE: "not-the-passphrase" },
        hmac: { ...good, POLY_SIGNATURE: "Zm9yZ2Vk" },
        other_path: fx.l2(method, "/data/orders", body),
        other_address: { ...good, POLY_ADDRESS: "0x0000000000000000000000000000000000000001" },
      };
      for (const [name, headers] of Object.entries(variants)) {
        if (name === "other_path" && path === "/data/orders") continue;
        const res = await fetch(`${fx.urls.rest}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
        expect(`${method} ${path} ${name} → ${res.status}`).toBe(`${method} ${path} ${name} → 401`);
        expect(await res.json()).toEqual({ error: ERR_L2 });
      }
      // …and the valid signature is accepted (not a blanket 401).
      const ok = await fetch(`${fx.urls.rest}${path}`, { method, headers: good, ...(body !== undefined ? { body } : {}) });
      expect(ok.status, `${method} ${path} with valid L2`).not.toBe(401);
    }
  });

  test("the L1 key routes need an L1 signature", async () => {
    expect((await fetch(`${fx.urls.rest}/auth/derive-api-key`)).status).toBe(401);
    const res = await fetch(`${fx.urls.rest}/auth/api-key`, {
      method: "POST",
      headers: { POLY_ADDRESS: fx.signer.address, POLY_SIGNATURE: "0x00", POLY_TIMESTAMP: "1", POLY_NONCE: "0" },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: ERR_L1 });
  });

  test("public market data stays open, as on the real CLOB", async () => {
    expect((await fetch(`${fx.urls.rest}/book?token_id=${fx.tokenId}`)).status).toBe(200);
    expect((await fetch(`${fx.urls.rest}/time`)).status).toBe(200);
  });

  test("/test/* is off unless the server was started with it", async () => {
    for (const p of ["/test/state", "/test/fault", "/test/fund", "/test/book"]) {
      expect(
        (await fetch(`${fx.urls.rest}${p}`, { method: p === "/test/state" ? "GET" : "POST", body: p === "/test/state" ? undefined : "{}" }))
          .status,
      ).toBe(404);
    }
  });

  test("the user socket closes (1008) on bad credentials and serves good ones", async () => {
    const bad = await openSock(fx.urls.wsUser);
    const closed = new Promise<number>((resolve) => bad.ws.addEventListener("close", (ev) => resolve(ev.code)));
    bad.ws.send(
      JSON.stringify({
        auth: { apiKey: fx.creds.key, secret: "wrong", passphrase: fx.creds.passphrase.reveal() },
        type: "user",
        markets: [],
      }),
    );
    expect(await closed).toBe(1008);
    const good = await openSock(fx.urls.wsUser);
    good.ws.send(
      JSON.stringify({
        auth: { apiKey: fx.creds.key, secret: fx.creds.secret.reveal(), passphrase: fx.creds.passphrase.reveal() },
        type: "user",
        markets: [],
      }),
    );
    good.ws.send("PING");
    expect(await good.next((t) => t === "PONG", "PONG")).toBe("PONG");
    expect(good.closed).toBeUndefined();
    good.ws.close();
  });
});
