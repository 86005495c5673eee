/**
 * Rewrites the configuration table in README.md (between the config-table markers) from
 * `CONFIG_KEYS`, the one list the loader reads. `bun run scripts/readme-config.ts`;
 * `test/unit/readme.test.ts` fails when the README drifts from it.
 */
import path from "node:path";
import { CONFIG_KEYS } from "../src/config-keys.ts";

export const START = "<!-- config-table:start -->";
export const END = "<!-- config-table:end -->";

export function configTable(): string {
  const rows = CONFIG_KEYS.map((k) => {
    const def = k.default === "" ? "*(unset)*" : `\`${k.default}\``;
    return `| \`${k.key}\` | ${def} | ${k.doc.replaceAll("|", "\\|")} |`;
  });
  return ["| key | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

if (import.meta.main) {
  const file = path.resolve(import.meta.dir, "../README.md");
  const text = await Bun.file(file).text();
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error("README.md has no config-table markers");
  await Bun.write(file, `${text.slice(0, a + START.length)}\n${configTable()}\n${text.slice(b)}`);
  console.log(`README.md: ${CONFIG_KEYS.length} keys`);
}
