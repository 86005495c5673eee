/**
 * `.env` file parsing (the subset of dotenv syntax people actually write), kept apart so it is
 * pure and testable: text in, key → value out. Values are never put in error messages (a
 * `.env` holds secrets); errors name the line number.
 *
 *   # comment
 *   KEY=value            # inline comment after an unquoted value (needs a space before #)
 *   export KEY=value
 *   KEY="double quoted, \n \t \" \\ escapes"
 *   KEY='single quoted, literal'
 *   KEY=                 (empty = not set)
 */
import { readFileSync } from "node:fs";

export class EnvFileError extends Error {
  override readonly name = "EnvFileError";
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`.env line ${line}: ${reason}`);
  }
}

const KEY_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `.env` text; later lines win over earlier ones. Throws EnvFileError on bad syntax. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("export ")) line = line.slice(7).trimStart();
    const eq = line.indexOf("=");
    if (eq <= 0) throw new EnvFileError(lineNo, "expected KEY=value");
    const key = line.slice(0, eq).trim();
    if (!KEY_RE.test(key)) throw new EnvFileError(lineNo, `"${key.slice(0, 40)}" is not a valid key name`);
    out.set(key, parseValue(line.slice(eq + 1).trim(), lineNo));
  }
  return out;
}

function parseValue(rest: string, lineNo: number): string {
  const q = rest[0];
  if (q === '"' || q === "'") {
    let value = "";
    let i = 1;
    for (; i < rest.length; i++) {
      const c = rest[i]!; // i < length
      if (c === q) break;
      if (c === "\\" && q === '"' && i + 1 < rest.length) {
        const n = rest[++i]!; // checked i + 1 < length
        value += n === "n" ? "\n" : n === "t" ? "\t" : n === "r" ? "\r" : n;
      } else value += c;
    }
    if (i >= rest.length) throw new EnvFileError(lineNo, "unterminated quoted value");
    const after = rest.slice(i + 1).trim();
    if (after !== "" && !after.startsWith("#")) throw new EnvFileError(lineNo, "unexpected text after the closing quote");
    return value;
  }
  const hash = rest.search(/\s#/);
  return (hash >= 0 ? rest.slice(0, hash) : rest).trim();
}

/** Reads a `.env` file; undefined when it does not exist (other read errors propagate). */
export function readEnvFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
