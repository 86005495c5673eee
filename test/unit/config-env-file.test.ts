import { expect, test } from "bun:test";
import path from "node:path";
import { EnvFileError, parseEnvFile, readEnvFile } from "../../src/config-env-file.ts";

test("parses the dotenv subset people write", () => {
  const text = [
    "\uFEFF# comment",
    "",
    "A=1",
    "export B = two words ",
    "C=value # inline comment",
    "D=hash#inside",
    'E="quoted # not a comment"',
    'F="esc \\n \\t \\" \\\\ end"  # after',
    "G='single $literal \\n'",
    "H=",
    "A=override",
    "I=a=b=c",
  ].join("\r\n");
  expect(Object.fromEntries(parseEnvFile(text))).toEqual({
    A: "override",
    B: "two words",
    C: "value",
    D: "hash#inside",
    E: "quoted # not a comment",
    F: 'esc \n \t " \\ end',
    G: "single $literal \\n",
    H: "",
    I: "a=b=c",
  });
});

test("syntax errors name the line and never the value", () => {
  const cases: ReadonlyArray<readonly [string, number, RegExp]> = [
    ["OK=1\nnot a pair", 2, /expected KEY=value/],
    ["=value", 1, /expected KEY=value/],
    ["1BAD=x", 1, /not a valid key name/],
    ['K="unterminated secretvalue', 1, /unterminated/],
    ['K="a" secretvalue', 1, /after the closing quote/],
  ];
  for (const [text, line, re] of cases) {
    let caught: unknown;
    try {
      parseEnvFile(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(EnvFileError);
    const e = caught as EnvFileError;
    expect(e.line).toBe(line);
    expect(e.message).toMatch(re);
    expect(e.message).not.toContain("secretvalue");
  }
});

test("readEnvFile returns undefined for a missing file", () => {
  expect(readEnvFile(path.join(import.meta.dir, "does-not-exist.env"))).toBeUndefined();
});
