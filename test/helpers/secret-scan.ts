/**
 * Scans texts, files and SQLite databases for known secret values, in the forms a leak
 * usually takes: as is, without `0x`, URL-encoded, JSON-escaped, and a 16-character core
 * slice (a truncated or embedded copy), all matched case-insensitively (hex keys get
 * re-cased). A finding names the secret's
 * label and where it was found — never the value — so a failing test does not itself leak.
 *
 *   const scan = new SecretScan([{ label: "privateKey", value: KEY }]);
 *   scan.text("log", logText).file(logPath).sqlite(journalPath);
 *   scan.assertClean();   // throws listing every finding
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";

export interface KnownSecret {
  readonly label: string;
  readonly value: string;
}

export interface SecretFinding {
  readonly source: string;
  readonly label: string;
  readonly form: string;
  readonly index: number;
}

const CORE_CHARS = 16;

/** The forms of one secret to look for, lower-cased (each at least 8 characters). */
export function secretForms(value: string): Array<{ form: string; needle: string }> {
  const out = new Map<string, string>();
  const add = (form: string, needle: string) => {
    if (needle.length >= 8 && ![...out.values()].includes(needle)) out.set(form, needle);
  };
  add("raw", value);
  add("url-encoded", encodeURIComponent(value));
  add("json-escaped", JSON.stringify(value).slice(1, -1));
  const body = /^0x/i.test(value) ? value.slice(2) : value;
  add("no-0x", body);
  if (body.length >= CORE_CHARS + 8) {
    const start = Math.floor((body.length - CORE_CHARS) / 2);
    add("core-slice", body.slice(start, start + CORE_CHARS));
  }
  return [...out.entries()].map(([form, needle]) => ({ form, needle: needle.toLowerCase() }));
}

export class SecretScan {
  readonly findings: SecretFinding[] = [];
  readonly sources: string[] = [];
  readonly #forms: Array<{ label: string; form: string; needle: string }>;

  constructor(secrets: readonly KnownSecret[]) {
    this.#forms = secrets.flatMap((s) => secretForms(s.value).map((f) => ({ label: s.label, ...f })));
  }

  text(source: string, text: string): this {
    this.sources.push(source);
    const lower = text.toLowerCase();
    for (const f of this.#forms) {
      const index = lower.indexOf(f.needle);
      if (index >= 0) this.findings.push({ source, label: f.label, form: f.form, index });
    }
    return this;
  }

  texts(source: string, texts: readonly string[]): this {
    texts.forEach((t, i) => {
      this.text(`${source}[${i}]`, t);
    });
    return this;
  }

  /** A file's bytes read as latin1, so binary files (sqlite pages, WAL) are scanned too. */
  file(path: string): this {
    if (existsSync(path)) this.text(`file ${path}`, readFileSync(path).toString("latin1"));
    return this;
  }

  /** Every column of every row of every table, plus the raw database and WAL files. */
  sqlite(path: string): this {
    const db = new Database(path, { readonly: true });
    try {
      const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      for (const { name } of tables) {
        const rows = db.query(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>;
        rows.forEach((row, i) => {
          for (const [col, v] of Object.entries(row)) {
            if (v === null || v === undefined) continue;
            const text = v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : String(v);
            this.text(`sqlite ${name}.${col} row ${i}`, text);
          }
        });
      }
    } finally {
      db.close();
    }
    this.file(path).file(`${path}-wal`);
    return this;
  }

  /** Number of sqlite tables/rows/columns and texts scanned so far. */
  get scanned(): number {
    return this.sources.length;
  }

  assertClean(): void {
    if (this.findings.length === 0) return;
    const lines = this.findings.map((f) => `  ${f.label} (${f.form}) in ${f.source} at ${f.index}`);
    throw new Error(`secret values found:\n${lines.join("\n")}`);
  }
}

/**
 * Realistic-looking fake credentials for leak tests: feed them to the code under test (as
 * `Secret`s or raw strings, as the code would see them) and scan its outputs for them.
 */
export const TEST_SECRETS: readonly KnownSecret[] = [
  { label: "privateKey", value: "0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d" },
  { label: "apiSecret", value: "dGhpcy1pcy1hLXRlc3QtYXBpLXNlY3JldC0wMTIzNDU2Nzg5PT0=" },
  { label: "passphrase", value: "e3c4b0a1f9d8c7b6a5e4d3c2b1a09f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a" },
  { label: "slackWebhook", value: "xoxb-T0000000-B0000000-abcdefghijklmnopqrstuvwx" },
  { label: "telegramToken", value: "7012345678:AAHk-test-bot-token-zyxwvutsrqponmlk" },
  { label: "metricsToken", value: "metrics-bearer-token-5d1c0ffee" },
];
