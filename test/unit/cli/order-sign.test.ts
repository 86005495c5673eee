/**
 * `order sign`: the in-process line signer (exact SDK bodies, per-line errors naming the field,
 * order kept) and one real run of `bun run src/main.ts order sign` through stdin.
 */
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { Wallet } from "@ethersproject/wallet";
import { signLines } from "../../../src/cli/order.ts";
import { sdkSignOrder } from "../../helpers/sdk-order-reference.ts";
import { orderToJsonV2, OrderType } from "@polymarket/clob-client-v2";

const ROOT = path.resolve(import.meta.dir, "../../..");
const KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const FUNDER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const line = (o: Record<string, unknown>) =>
  JSON.stringify({
    privateKey: KEY,
    tokenId: "123456789",
    price: "0.56",
    size: "21.04",
    side: "BUY",
    tickSize: "0.01",
    negRisk: false,
    signatureType: 0,
    salt: 42,
    timestamp: 1_780_000_000_000,
    ...o,
  });

async function run(lines: string[], withId = false) {
  const out: string[] = [];
  const err: string[] = [];
  const failed = await signLines(
    lines,
    (l) => out.push(l),
    (l) => err.push(l),
    { withId, nextSalt: () => 7, nowMs: () => 1_790_000_000_000 },
  );
  return { out, err, failed };
}

/** The SDK's `order` object for the same input, as JSON. */
async function sdkOrderJson(o: {
  signatureType: 0 | 1 | 2 | 3;
  funder?: string;
  negRisk: boolean;
  side: "BUY" | "SELL";
  price: number;
  size: number;
  tickSize: "0.01" | "0.001";
  version?: 2 | 3;
}): Promise<string> {
  const s = await sdkSignOrder({
    wallet: new Wallet(KEY),
    chainId: 137,
    signatureType: o.signatureType,
    ...(o.funder !== undefined && { funder: o.funder }),
    tokenId: "123456789",
    side: o.side,
    price: o.price,
    size: o.size,
    tickSize: o.tickSize,
    negRisk: o.negRisk,
    version: o.version ?? 2,
    salt: 42,
    timestampMs: 1_780_000_000_000,
  });
  return JSON.stringify(orderToJsonV2(s, "", OrderType.GTC).order);
}

describe("order sign", () => {
  test("prints the SDK's exact order object per line, in order", async () => {
    const r = await run([
      line({}),
      line({ side: "SELL", negRisk: true, signatureType: 3, funder: FUNDER, price: 0.123, tickSize: "0.001", size: 7 }),
      line({ signatureType: 2, funder: FUNDER, exchangeVersion: 3 }),
    ]);
    expect(r.err).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.out).toEqual([
      await sdkOrderJson({ signatureType: 0, negRisk: false, side: "BUY", price: 0.56, size: 21.04, tickSize: "0.01" }),
      await sdkOrderJson({ signatureType: 3, funder: FUNDER, negRisk: true, side: "SELL", price: 0.123, size: 7, tickSize: "0.001" }),
      await sdkOrderJson({
        signatureType: 2,
        funder: FUNDER,
        negRisk: false,
        side: "BUY",
        price: 0.56,
        size: 21.04,
        tickSize: "0.01",
        version: 3,
      }),
    ]);
  });

  test("missing salt/timestamp are generated; --with-id adds the order id", async () => {
    const { salt: _s, timestamp: _t, ...rest } = JSON.parse(line({})) as Record<string, unknown>;
    const r = await run([JSON.stringify(rest)], true);
    const o = JSON.parse(r.out[0]!) as { orderId: string; order: { salt: number; timestamp: string } };
    expect(o.order.salt).toBe(7);
    expect(o.order.timestamp).toBe("1790000000000");
    expect(o.orderId).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test("bad lines: error names line and field, other lines still signed in order, count returned", async () => {
    const cases: Array<[string, RegExp]> = [
      [line({ price: "0.005" }), /^line 1: price: must be in \[0\.01, 0\.99\]/],
      [line({ price: "abc" }), /^line 2: price: /],
      [line({ size: "0.001" }), /^line 3: size: rounds to zero/],
      [line({ side: "buy" }), /^line 4: side: /],
      [line({ tickSize: "0.02" }), /^line 5: tickSize: /],
      [line({ negRisk: "no" }), /^line 6: negRisk: /],
      [line({ signatureType: 9 }), /^line 7: signatureType: /],
      [line({ funder: "0x12" }), /^line 8: funder: /],
      [line({ tokenId: 1.5 }), /^line 9: tokenId: /],
      [line({ salt: -1 }), /^line 10: salt: /],
      [line({ timestamp: "soon" }), /^line 11: timestamp: /],
      [line({ privateKey: "0x1234" }), /^line 12: privateKey: /],
      [line({ tickSIze: "0.01" }), /^line 13: tickSIze: unknown field/],
      ["{not json", /^line 14: line: not a valid JSON object$/],
      ["[1,2]", /^line 15: line: must be a JSON object$/],
      [line({ builder: "0xzz" }), /^line 16: builder: /],
      [line({ chainId: 1 }), /^line 17: chainId: /],
    ];
    const r = await run([...cases.map(([l]) => l), "", line({ salt: 2 })]); // a blank line is skipped
    expect(r.failed).toBe(cases.length);
    expect(r.err.length).toBe(cases.length);
    cases.forEach(([, re], i) => {
      expect(r.err[i]).toMatch(re);
    });
    expect(r.out.length).toBe(1);
    expect((JSON.parse(r.out[0]!) as { salt: number }).salt).toBe(2);
  });

  test("the real command: stdout lines, stderr errors, exit code 2 on any bad line", async () => {
    const input = `${line({})}\n{"privateKey":"${KEY}"}\n${line({ salt: 43 })}\n`;
    const p = Bun.spawn([process.execPath, "run", "src/main.ts", "order", "sign"], {
      cwd: ROOT,
      stdin: new Blob([input]),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    const outLines = stdout.trim().split("\n");
    expect(outLines.length).toBe(2);
    expect((JSON.parse(outLines[0]!) as { salt: number }).salt).toBe(42);
    expect((JSON.parse(outLines[1]!) as { salt: number }).salt).toBe(43);
    expect(stderr).toContain("line 2: tokenId: required");
    expect(code).toBe(2);
    const ok = Bun.spawn([process.execPath, "run", "src/main.ts", "order", "sign"], {
      cwd: ROOT,
      stdin: new Blob([`${line({})}\n`]),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await ok.exited).toBe(0);
  }, 15_000);
});
