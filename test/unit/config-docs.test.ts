import { expect, test } from "bun:test";
import path from "node:path";
import { CONFIG_KEYS, loadConfig, parseEnvFile } from "../../src/config.ts";

const ROOT = path.resolve(import.meta.dir, "../..");

test(".env.example lists every key with its default, and nothing else", async () => {
  const text = await Bun.file(path.join(ROOT, ".env.example")).text();
  const parsed = parseEnvFile(text);
  expect([...parsed.keys()]).toEqual(CONFIG_KEYS.map((k) => k.key));
  for (const k of CONFIG_KEYS) expect(`${k.key}=${parsed.get(k.key)}`).toBe(`${k.key}=${k.default}`);
  // Copying it to .env gives exactly the defaults, with no notice.
  const c = loadConfig({}, { envFile: text });
  expect(c.notices).toEqual([]);
  const { entries, ...typed } = c;
  const { entries: defaultEntries, ...defaults } = loadConfig({});
  expect(typed).toEqual(defaults);
  expect(entries.map((e) => e.shown)).toEqual(defaultEntries.map((e) => e.shown));
});

test("docs/config.md has a row for every key with its default", async () => {
  const md = await Bun.file(path.join(ROOT, "docs/config.md")).text();
  for (const k of CONFIG_KEYS) {
    const def = k.default === "" ? "*(not set)*" : `\`${k.default}\``;
    expect(md.includes(`| \`${k.key}\` | ${def} |`) ? k.key : `no row for ${k.key}`).toBe(k.key);
  }
});
