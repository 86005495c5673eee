/**
 * Loads every recorded Polymarket WebSocket frame and REST body under ../shared/data/ in
 * place (never copied): plain `.json` frames, one-frame-per-line `.jsonl`, and the
 * recorder sessions (`*session_raw*.jsonl[.gz]`) whose envelope `payload` holds the raw
 * text received. Sessions mix sources; only `polymarket_clob` lines are CLOB traffic, and
 * among those a payload without `event_type` is a REST `GET /book` response.
 */
import path from "node:path";
import { readdirSync } from "node:fs";

export const SHARED = path.resolve(import.meta.dir, "../../../shared");
export const DATA = path.join(SHARED, "data");

export type Channel = "market" | "user" | "rest_book";

export interface RecordedText {
  /** File name relative to data/, plus ":line" for multi-frame files. */
  readonly where: string;
  readonly file: string;
  readonly channel: Channel;
  readonly text: string;
  /** Hand-written fixture (shape coverage only), not a capture. */
  readonly handwritten: boolean;
}

const decoder = new TextDecoder();

async function readText(file: string): Promise<string> {
  if (file.endsWith(".gz")) return decoder.decode(Bun.gunzipSync(new Uint8Array(await Bun.file(file).arrayBuffer())));
  return Bun.file(file).text();
}

function classify(name: string, text: string): Channel {
  if (name.includes("user")) return "user";
  return text.trimStart().startsWith("{") && !text.includes('"event_type"') ? "rest_book" : "market";
}

/** Every CLOB text under ws/ (captures), in file order. */
export async function loadWsRecordings(): Promise<RecordedText[]> {
  const dir = path.join(DATA, "ws");
  const out: RecordedText[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (name.includes("session_markets")) continue; // recorder market records, not frames
    const rel = `ws/${name}`;
    const body = await readText(file);
    if (name.includes("session_raw")) {
      body
        .trim()
        .split("\n")
        .forEach((line, k) => {
          const env = JSON.parse(line) as { source: string; payload: string };
          if (env.source !== "polymarket_clob") return;
          out.push({ where: `${rel}:${k + 1}`, file: rel, channel: classify(name, env.payload), text: env.payload, handwritten: false });
        });
    } else if (name.endsWith(".jsonl")) {
      body
        .trim()
        .split("\n")
        .forEach((line, k) => {
          out.push({ where: `${rel}:${k + 1}`, file: rel, channel: classify(name, line), text: line, handwritten: false });
        });
    } else {
      out.push({ where: rel, file: rel, channel: classify(name, body), text: body, handwritten: false });
    }
  }
  return out;
}

/** Hand-written fixtures that look like WS frames (file names start with ws_ / py_). */
export async function loadHandwrittenWsFixtures(): Promise<RecordedText[]> {
  const dir = path.join(DATA, "fixtures-handwritten", "nautilus");
  const out: RecordedText[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!(name.startsWith("ws_") || name.startsWith("py_"))) continue;
    const rel = `fixtures-handwritten/nautilus/${name}`;
    const text = await Bun.file(path.join(dir, name)).text();
    out.push({ where: rel, file: rel, channel: name.startsWith("ws_user") ? "user" : "market", text, handwritten: true });
  }
  return out;
}

export async function readJson(rel: string): Promise<unknown> {
  return JSON.parse(await Bun.file(path.join(DATA, rel)).text()) as unknown;
}
