import { expect, test } from "bun:test";
import { Secret } from "../../../src/core/secret.ts";

test("Secret never prints its value", () => {
  const s = new Secret("0xdeadbeefcafe", "privateKey");
  const texts = [String(s), `${s}`, JSON.stringify({ s }), Bun.inspect(s), Bun.inspect({ nested: { s } })];
  for (const t of texts) expect(t).not.toContain("deadbeef");
  expect(s.reveal()).toBe("0xdeadbeefcafe");
});
