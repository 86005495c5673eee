import { expect, test } from "bun:test";
import path from "node:path";
import { CONFIG_KEYS } from "../../src/config-keys.ts";
import { END, START, configTable } from "../../scripts/readme-config.ts";

const README = await Bun.file(path.resolve(import.meta.dir, "../../README.md")).text();
const MAIN = await Bun.file(path.resolve(import.meta.dir, "../../src/main.ts")).text();

test("README lists every config key with its default (run scripts/readme-config.ts)", () => {
  const section = README.slice(README.indexOf(START) + START.length, README.indexOf(END)).trim();
  expect(section).toBe(configTable());
  for (const k of CONFIG_KEYS) expect(section).toContain(`\`${k.key}\``);
});

test("README documents every CLI command main.ts knows", () => {
  const names = [...MAIN.matchAll(/^\s+\["([a-z-]+)", "/gm)].map((m) => m[1]);
  expect(names.length).toBeGreaterThan(5);
  for (const n of names) expect(README).toContain(`| \`${n}`);
});
