/**
 * A local webhook receiver for alert tests: Bun.serve on 127.0.0.1:0 that records every
 * request and answers with what the test's responder says. `next()` awaits the next request.
 */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly json: unknown;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  next(): Promise<ReceivedRequest>;
  respondWith(fn: (r: ReceivedRequest) => Response): void;
  close(): Promise<void>;
}

export function startWebhookReceiver(): WebhookReceiver {
  const received: ReceivedRequest[] = [];
  const waiters: Array<(r: ReceivedRequest) => void> = [];
  let cursor = 0;
  let responder: (r: ReceivedRequest) => Response = () => new Response("ok");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.text();
      let json: unknown = null;
      if (body !== "") json = JSON.parse(body);
      const r: ReceivedRequest = { method: req.method, path: new URL(req.url).pathname, body, json };
      received.push(r);
      const w = waiters.shift();
      if (w) {
        cursor++;
        w(r);
      }
      return responder(r);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    received,
    next() {
      if (cursor < received.length) return Promise.resolve(received[cursor++] as ReceivedRequest);
      return new Promise((resolve) => waiters.push(resolve));
    },
    respondWith(fn) {
      responder = fn;
    },
    close: () => server.stop(true),
  };
}
