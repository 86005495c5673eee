/**
 * `healthcheck`: the Docker HEALTHCHECK (the image has no shell or curl). GETs
 * `http://127.0.0.1:$METRICS_PORT/healthz` of the bot running in the same container and
 * exits 0 when it answers 200, 1 otherwise (503 = a check failed: stale feed, journal not
 * writable; or nothing listening). Prints the reply's one line either way.
 */
import { DEFAULT_METRICS_PORT } from "../monitor/metrics-server.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: /app/mmpro healthcheck [--url http://127.0.0.1:9464/healthz] [--timeout-ms 2000]

Exit 0 when the bot's /healthz answers 200, 1 otherwise. Default URL from METRICS_PORT
(default ${DEFAULT_METRICS_PORT}) on 127.0.0.1 (METRICS_HOST when it is a specific address).`;

/** The URL to probe for this environment. */
export function healthzUrl(env: Readonly<Record<string, string | undefined>>): string {
  const port = Number(env.METRICS_PORT ?? DEFAULT_METRICS_PORT) || DEFAULT_METRICS_PORT;
  const h = env.METRICS_HOST;
  const host =
    h === undefined || h === "" || h === "0.0.0.0" || h === "::" ? "127.0.0.1" : h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
  return `http://${host}:${port}/healthz`;
}

export const command: CliCommand = {
  name: "healthcheck",
  summary: "exit 0 when the running bot's /healthz answers 200 (Docker HEALTHCHECK)",
  help: HELP,
  async run(argv) {
    let url = healthzUrl(process.env);
    let timeoutMs = 2_000;
    for (let i = 0; i < argv.length; i += 2) {
      const v = argv[i + 1] ?? "";
      if (argv[i] === "--url" && /^https?:\/\//.test(v)) url = v;
      else if (argv[i] === "--timeout-ms" && Number.isInteger(Number(v)) && Number(v) > 0) timeoutMs = Number(v);
      else {
        console.error(`healthcheck: bad flag ${JSON.stringify(argv[i])}\n\n${HELP}`);
        return EXIT.USAGE;
      }
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.text()).trim().slice(0, 500);
      console.log(`${res.status} ${body}`);
      return res.status === 200 ? EXIT.OK : EXIT.FAILURE;
    } catch (e) {
      console.log(`unhealthy: ${url}: ${e instanceof Error ? e.message : String(e)}`);
      return EXIT.FAILURE;
    }
  },
};
