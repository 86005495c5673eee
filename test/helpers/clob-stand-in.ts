/**
 * A tiny Polymarket CLOB stand-in on 127.0.0.1:0 for REST client tests and the submit
 * bench: records every request and answers from a handler the test sets per path.
 * Not the simulator (issue #5): no matching, just scripted replies.
 */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly search: URLSearchParams;
  readonly headers: Headers;
  readonly body: string;
}

export type Handler = (req: SeenRequest) => Response | Promise<Response>;

export const json = (v: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(v), { status, headers: { "Content-Type": "application/json", ...headers } });

export class ClobStandIn {
  readonly seen: SeenRequest[] = [];
  readonly routes = new Map<string, Handler>();
  /** Resolves the next time a request arrives (before it is answered). */
  private arrivals: ((r: SeenRequest) => void)[] = [];
  private readonly server: ReturnType<typeof Bun.serve>;

  constructor(tls?: { cert: string; key: string }) {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      ...(tls ? { tls } : {}),
      fetch: async (req) => {
        const url = new URL(req.url);
        const seen: SeenRequest = {
          method: req.method,
          path: url.pathname,
          search: url.searchParams,
          headers: req.headers,
          body: await req.text(),
        };
        this.seen.push(seen);
        const waiters = this.arrivals;
        this.arrivals = [];
        for (const w of waiters) w(seen);
        const h = this.routes.get(`${req.method} ${url.pathname}`) ?? this.routes.get(url.pathname);
        return h ? h(seen) : json({ error: `no route ${req.method} ${url.pathname}` }, 404);
      },
    });
  }

  get url(): string {
    return `${this.server.url.protocol}//127.0.0.1:${this.server.port}`;
  }

  on(route: string, h: Handler): this {
    this.routes.set(route, h);
    return this;
  }

  nextArrival(): Promise<SeenRequest> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  count(route: string): number {
    const [m, p] = route.includes(" ") ? route.split(" ") : [undefined, route];
    return this.seen.filter((s) => s.path === p && (m === undefined || s.method === m)).length;
  }

  stop(): void {
    this.server.stop(true);
  }
}
