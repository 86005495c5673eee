import { expect, test } from "bun:test";
import { ManualClock } from "../../../src/core/clock.ts";
import {
  backoffDelayMs,
  classifyFetchError,
  DEFAULT_RETRY,
  decideRetry,
  HttpClient,
  type HttpOutcome,
  NO_RETRY,
  parseRetryAfterMs,
} from "../../../src/net/http.ts";
import { ClobStandIn, json } from "../../helpers/clob-stand-in.ts";

const response = (status: number): HttpOutcome => ({ kind: "response", status, headers: new Headers(), body: "", attempts: 1 });
const failure = (f: "timeout" | "reset" | "refused" | "aborted", mayHaveReached: boolean): HttpOutcome => ({
  kind: "failure",
  failure: f,
  mayHaveReached,
  message: f,
  attempts: 1,
});

test("retry policy: idempotent requests retry 5xx/429 and transport failures with backoff", () => {
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, response(503), 1, 0, 0.5)).toEqual({ retry: true, delayMs: 25 });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, response(503), 3, 0, 0.5)).toEqual({ retry: false });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, response(400), 1, 0, 0.5)).toEqual({ retry: false });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, response(429), 1, 1_500, 0.5)).toEqual({ retry: true, delayMs: 1_500 });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, response(429), 1, 60_000, 0.5)).toEqual({ retry: false });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, failure("timeout", true), 1, 0, 1)).toEqual({ retry: true, delayMs: 50 });
});

test("retry policy: a POST that may have reached the server is never resent", () => {
  for (const o of [response(500), response(502), response(429), failure("timeout", true), failure("reset", true)]) {
    expect(decideRetry(DEFAULT_RETRY, { idempotent: false }, o, 1, 0, 0.5)).toEqual({ retry: false });
  }
  // Nothing left the host: one immediate resend even with NO_RETRY.
  expect(decideRetry(NO_RETRY, { idempotent: false }, failure("refused", false), 1, 0, 0.5)).toEqual({ retry: true, delayMs: 0 });
  expect(decideRetry(NO_RETRY, { idempotent: false }, failure("refused", false), 2, 0, 0.5)).toEqual({ retry: false });
  expect(decideRetry(DEFAULT_RETRY, { idempotent: true }, failure("aborted", true), 1, 0, 0.5)).toEqual({ retry: false });
});

test("full-jitter backoff is capped", () => {
  expect(backoffDelayMs(DEFAULT_RETRY, 0, 0.999)).toBe(49);
  expect(backoffDelayMs(DEFAULT_RETRY, 10, 1)).toBe(2_000);
  expect(backoffDelayMs(DEFAULT_RETRY, 3, 0)).toBe(0);
});

test("Retry-After: seconds, fractions, HTTP-date, garbage", () => {
  expect(parseRetryAfterMs("2", 0)).toBe(2_000);
  expect(parseRetryAfterMs("0.25", 0)).toBe(250);
  expect(parseRetryAfterMs(null, 0)).toBe(0);
  expect(parseRetryAfterMs("soon", 0)).toBe(0);
  const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT");
  expect(parseRetryAfterMs("Wed, 21 Oct 2026 07:28:03 GMT", now)).toBe(3_000);
});

test("fetch errors are classified by whether the request may have left", () => {
  const refused = Object.assign(new TypeError("Unable to connect"), { code: "ECONNREFUSED" });
  const reset = Object.assign(new TypeError("closed"), { code: "ECONNRESET" });
  expect(classifyFetchError(refused, false)).toMatchObject({ failure: "refused", mayHaveReached: false });
  expect(classifyFetchError(reset, false)).toMatchObject({ failure: "reset", mayHaveReached: true });
  expect(classifyFetchError(new DOMException("x", "AbortError"), true)).toMatchObject({ failure: "timeout", mayHaveReached: true });
  expect(classifyFetchError(new DOMException("x", "AbortError"), false)).toMatchObject({ failure: "aborted" });
});

test("HttpClient: the timeout runs on the injected clock; a reset connection is reported, not thrown", async () => {
  const server = new ClobStandIn();
  server.on("/hang", () => new Promise<Response>(() => {}));
  server.on("/ok", () => json({ ok: 1 }));
  const raw = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: (s) => void s.end(), open() {} } });
  try {
    const clock = new ManualClock();
    const http = new HttpClient({ clock, timeoutMs: 100, random: () => 0 });
    const arrived = server.nextArrival();
    const p = http.request({ method: "POST", url: `${server.url}/hang`, body: "{}", idempotent: false });
    await arrived;
    clock.advanceBy(100);
    expect(await p).toMatchObject({ kind: "failure", failure: "timeout", mayHaveReached: true, attempts: 1 });
    expect(http.stats.timeouts).toBe(1);
    expect(await http.request({ method: "GET", url: `${server.url}/ok`, idempotent: true })).toMatchObject({
      kind: "response",
      status: 200,
      body: '{"ok":1}',
    });
    const r = await http.request({ method: "POST", url: `http://127.0.0.1:${raw.port}/x`, body: "{}", idempotent: false });
    expect(r).toMatchObject({ kind: "failure", failure: "reset", mayHaveReached: true, attempts: 1 });
  } finally {
    server.stop();
    raw.stop(true);
  }
});

test("HttpClient: a 429 it retries by itself is counted with the wait it honoured", async () => {
  const server = new ClobStandIn();
  let calls = 0;
  server.on("/busy", () => (++calls === 1 ? new Response("{}", { status: 429, headers: { "retry-after": "2" } }) : json({ ok: 1 })));
  try {
    const clock = new ManualClock();
    const http = new HttpClient({ clock, random: () => 0 });
    const p = http.request({ method: "GET", url: `${server.url}/busy`, idempotent: true });
    // the 429 crosses loopback, then the retry sleeps 2 s on the injected clock
    for (let i = 0; i < 5_000 && http.stats.throttledRetries === 0; i++) await Bun.sleep(1);
    clock.advanceBy(2_000);
    expect(await p).toMatchObject({ kind: "response", status: 200 });
    expect(http.stats).toMatchObject({ retries: 1, throttledRetries: 1, throttledWaitMs: 2_000 });
  } finally {
    server.stop();
  }
});
