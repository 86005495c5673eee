/**
 * `order sign`: signs orders by hand, for checking against the SDK or another client.
 * Reads one JSON object per stdin line and prints, per line and in order, the signed `order`
 * object exactly as `POST /order` would carry it (SDK key order and value types).
 *
 * Errors name the line and the field, never echo a value that could be a key (a JSON syntax
 * error is reported without the parser's excerpt of the line), and the run goes on: the exit
 * code is non-zero at the end if any line failed.
 */
import { Secret } from "../core/secret.ts";
import { parsePriceE4, parseSizeE6, tickE4Of, formatPriceE4 } from "../core/units.ts";
import { orderAmounts, type AmountMode } from "../polymarket/amounts.ts";
import { OrderSigner, type SignatureType, orderJson, randomSalt } from "../polymarket/signing.ts";
import { EXIT, type CliCommand } from "./command.ts";

const HELP = `usage: bun run src/main.ts order sign [--with-id] < orders.jsonl

Signs one CLOB V2 order per stdin line and prints the signed "order" object of its
POST /order body, one per line, in input order. Use throwaway keys only.

Input fields (JSON object per line):
  privateKey     hex, 32 bytes (0x optional)                        required
  tokenId        uint256 as a decimal string                         required
  price          decimal in [tick, 1 - tick], e.g. "0.56" or 0.56     required
  size           shares (limit orders), ≤ 6 decimals, floored to 0.01 required
  side           "BUY" | "SELL"                                      required
  tickSize       "0.1" | "0.01" | "0.005" | "0.0025" | "0.001" | "0.0001" required
  negRisk        true | false (picks the neg-risk exchange)          required
  signatureType  0 EOA | 1 POLY_PROXY | 2 POLY_GNOSIS_SAFE | 3 POLY_1271 required
  funder         maker address (proxy / safe / deposit wallet)       optional (default: the key's address)
  salt           integer < 2^53                                      optional (default: random)
  timestamp      order time, epoch ms                                optional (default: now)
  chainId        137 | 80002                                         optional (default 137)
  exchangeVersion 2 | 3 (3 = ExchangeV3, domain "3")                 optional (default 2)
  expiration     GTD expiry, epoch seconds                           optional (default 0)
  builder, metadata  bytes32 hex                                     optional (default zero)
  amountMode     "limit" | "market" (market: BUY size is pUSD)       optional (default "limit")

Flags:
  --with-id      print {"orderId": <EIP-712 order hash>, "order": {...}} instead

Exit code: 0 if every line signed, 2 if any line was rejected (errors on stderr, by line).
`;

const KNOWN = new Set([
  "privateKey",
  "tokenId",
  "price",
  "size",
  "side",
  "tickSize",
  "negRisk",
  "signatureType",
  "funder",
  "salt",
  "timestamp",
  "chainId",
  "exchangeVersion",
  "expiration",
  "builder",
  "metadata",
  "amountMode",
]);

class FieldError extends Error {}

/** An unknown field's name, unless it could be (part of) a key: then it is not echoed. */
function displayName(k: string): string {
  return k.length <= 24 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !/[0-9a-fA-F]{12}/.test(k) ? k : "(unnamed field)";
}
const fail = (field: string, what: string): never => {
  throw new FieldError(`${field}: ${what}`);
};

function decimalText(v: unknown, field: string): string {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return String(v);
  return fail(field, "must be a decimal string or number");
}

function uintField(v: unknown, field: string): number {
  const n = typeof v === "string" && /^[0-9]{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) return fail(field, "must be a non-negative integer below 2^53");
  return n;
}

export interface SignLinesOptions {
  readonly withId?: boolean;
  /** Shell defaults for missing salt / timestamp (tests inject fixed ones). */
  readonly nextSalt?: () => number;
  readonly nowMs?: () => number;
}

/** Signs every line; writes results to `out` and errors to `err`; returns how many lines failed. */
export async function signLines(
  lines: AsyncIterable<string> | Iterable<string>,
  out: (line: string) => void,
  err: (line: string) => void,
  opts: SignLinesOptions = {},
): Promise<number> {
  const signers = new Map<string, OrderSigner>();
  const nextSalt = opts.nextSalt ?? randomSalt;
  const nowMs = opts.nowMs ?? Date.now;
  let lineNo = 0;
  let failed = 0;
  for await (const raw of lines) {
    lineNo++;
    const text = raw.trim();
    if (text === "") continue;
    try {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        // The parser's message quotes the line, which may hold a key: say only what is wrong.
        if (e instanceof SyntaxError) fail("line", "not a valid JSON object");
        throw e;
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) fail("line", "must be a JSON object");
      const o = obj as Record<string, unknown>;
      for (const k of Object.keys(o)) if (!KNOWN.has(k)) fail(displayName(k), "unknown field");

      if (typeof o.privateKey !== "string") fail("privateKey", "required, a hex string");
      const keyText = o.privateKey as string;
      const tokenId = typeof o.tokenId === "number" && Number.isSafeInteger(o.tokenId) ? String(o.tokenId) : o.tokenId;
      if (typeof tokenId !== "string" || !/^[0-9]{1,78}$/.test(tokenId)) fail("tokenId", "required, a uint256 decimal string");
      if (o.side !== "BUY" && o.side !== "SELL") fail("side", 'required, "BUY" or "SELL"');
      const side = o.side as "BUY" | "SELL";
      if (o.tickSize === undefined) fail("tickSize", "required");
      const tickE4 = tickE4Of(decimalText(o.tickSize, "tickSize"));
      if (tickE4 < 0) fail("tickSize", 'must be one of "0.1", "0.01", "0.005", "0.0025", "0.001", "0.0001"');
      if (o.price === undefined) fail("price", "required");
      const priceE4 = parsePriceE4(decimalText(o.price, "price"));
      if (priceE4 < 0) fail("price", "must be a decimal with at most 4 decimals");
      if (priceE4 < tickE4 || priceE4 > 10_000 - tickE4) {
        fail("price", `must be in [${formatPriceE4(tickE4)}, ${formatPriceE4(10_000 - tickE4)}] for tick ${formatPriceE4(tickE4)}`);
      }
      if (o.size === undefined) fail("size", "required");
      const sizeE6 = parseSizeE6(decimalText(o.size, "size"));
      if (sizeE6 < 0) fail("size", "must be a decimal with at most 6 decimals");
      if (typeof o.negRisk !== "boolean") fail("negRisk", "required, true or false");
      const st = o.signatureType;
      if (st !== 0 && st !== 1 && st !== 2 && st !== 3) fail("signatureType", "required, 0, 1, 2 or 3");
      const chainId = o.chainId === undefined ? 137 : uintField(o.chainId, "chainId");
      if (chainId !== 137 && chainId !== 80002) fail("chainId", "must be 137 or 80002");
      const version = (o.exchangeVersion === undefined ? 2 : o.exchangeVersion) as 2 | 3;
      if (version !== 2 && version !== 3) fail("exchangeVersion", "must be 2 or 3");
      const amountMode = (o.amountMode ?? "limit") as AmountMode;
      if (amountMode !== "limit" && amountMode !== "market") fail("amountMode", 'must be "limit" or "market"');
      if (o.funder !== undefined && typeof o.funder !== "string") fail("funder", "must be an address string");
      for (const f of ["builder", "metadata"] as const) {
        if (o[f] !== undefined && (typeof o[f] !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(o[f] as string)))
          fail(f, "must be bytes32 hex (0x + 64 hex digits)");
      }
      const amounts = orderAmounts(side, priceE4, sizeE6, tickE4, amountMode);
      if (amounts === "ZERO_AMOUNT") fail("size", "rounds to zero (sizes are floored to 0.01)");
      if (typeof amounts === "string") fail("size", "too large");
      const salt = o.salt === undefined ? nextSalt() : uintField(o.salt, "salt");
      const timestampMs = o.timestamp === undefined ? nowMs() : uintField(o.timestamp, "timestamp");
      if (timestampMs === 0) fail("timestamp", "must be > 0");
      const expirationSec = o.expiration === undefined ? 0 : uintField(o.expiration, "expiration");

      const funder = o.funder as string | undefined;
      const cacheKey = `${keyText}|${String(st)}|${funder ?? ""}|${chainId}`;
      let signer = signers.get(cacheKey);
      if (!signer) {
        try {
          signer = new OrderSigner({
            privateKey: new Secret(keyText, "privateKey"),
            signatureType: st as SignatureType,
            chainId,
            ...(funder !== undefined && { funder }),
          });
        } catch (e) {
          if (e instanceof RangeError) throw new FieldError(e.message);
          throw e;
        }
        signers.set(cacheKey, signer);
      }
      const signed = signer.sign({
        tokenId: tokenId as string,
        side,
        priceE4,
        sizeE6,
        tickE4,
        negRisk: o.negRisk as boolean,
        exchangeVersion: version,
        salt,
        timestampMs,
        expirationSec,
        amountMode,
        ...(typeof o.builder === "string" && { builder: o.builder }),
        ...(typeof o.metadata === "string" && { metadata: o.metadata }),
      });
      out(opts.withId ? `{"orderId":"${signed.orderId}","order":${orderJson(signed)}}` : orderJson(signed));
    } catch (e) {
      if (!(e instanceof FieldError) && !(e instanceof RangeError)) throw e;
      failed++;
      err(`line ${lineNo}: ${e.message}`);
    }
  }
  return failed;
}

async function* stdinLines(): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of Bun.stdin.stream()) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  }
  buf += decoder.decode();
  if (buf.length > 0) yield buf;
}

export const command: CliCommand = {
  name: "order",
  summary: "sign orders by hand (order sign < orders.jsonl)",
  help: HELP,
  async run(argv) {
    const [sub, ...flags] = argv;
    if (sub !== "sign") {
      console.error(`order: unknown subcommand ${sub === undefined ? "(none)" : JSON.stringify(sub)}\n\n${HELP}`);
      return EXIT.USAGE;
    }
    let withId = false;
    for (const f of flags) {
      if (f === "--with-id") withId = true;
      else {
        console.error(`order sign: unknown flag ${JSON.stringify(f)}\n\n${HELP}`);
        return EXIT.USAGE;
      }
    }
    const failed = await signLines(
      stdinLines(),
      (l) => process.stdout.write(`${l}\n`),
      (l) => process.stderr.write(`${l}\n`),
      { withId },
    );
    if (failed > 0) process.stderr.write(`${failed} line(s) failed\n`);
    return failed > 0 ? EXIT.USAGE : EXIT.OK;
  },
};
