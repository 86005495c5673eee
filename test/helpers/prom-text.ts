/**
 * A strict parser for the Prometheus text exposition format 0.0.4, for tests: it throws on
 * anything a Prometheus server would reject or that the format's rules forbid.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details
 *
 * Checked: metric and label name syntax; label-value escapes (only `\\`, `\"`, `\n`);
 * Go float values (`NaN`, `+Inf`, `-Inf`); at most one HELP and one TYPE per family, TYPE
 * before the family's samples; a family's samples contiguous; no duplicate series; counter
 * values >= 0; histograms with `le` buckets ascending and cumulative, a `+Inf` bucket equal
 * to `_count`, and `_sum`; the text ends with a newline.
 */

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string | null;
  readonly samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parseFloatGo(s: string): number {
  if (s === "NaN") return Number.NaN;
  if (s === "+Inf" || s === "Inf") return Number.POSITIVE_INFINITY;
  if (s === "-Inf") return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`invalid float ${JSON.stringify(s)}`);
  return Number(s);
}

function familyOf(sampleName: string, families: Map<string, PromFamily>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (sampleName.endsWith(suffix)) {
      const base = sampleName.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === "histogram" || f.type === "summary")) return base;
    }
  }
  return sampleName;
}

function parseLabels(text: string, at: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1; // after "{"
  const fail = (why: string): never => {
    throw new Error(`line ${lineNo}: ${why}`);
  };
  for (;;) {
    if (text[i] === "}") return { labels, end: i + 1 };
    const m = LABEL_NAME.exec(text.slice(i));
    if (!m) fail("bad label name");
    const name = (m as RegExpExecArray)[0];
    if (name in labels) fail(`duplicate label ${name}`);
    i += name.length;
    if (text[i] !== "=" || text[i + 1] !== '"') fail(`expected ="… after ${name}`);
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail("unterminated label value");
      if (c === '"') break;
      if (c === "\n") fail("raw newline in label value");
      if (c === "\\") {
        const n = text[i + 1];
        if (n === "\\") value += "\\";
        else if (n === '"') value += '"';
        else if (n === "n") value += "\n";
        else fail(`bad escape \\${n}`);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++; // closing quote
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail("expected , or } after label value");
  }
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const families = new Map<string, PromFamily>();
  const seenSeries = new Set<string>();
  const closed = new Set<string>();
  let current = "";
  const enter = (fam: string, lineNo: number) => {
    if (fam === current) return;
    if (closed.has(fam)) throw new Error(`line ${lineNo}: samples of ${fam} are not contiguous`);
    if (current !== "") closed.add(current);
    current = fam;
  };
  const get = (name: string): PromFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split("\n");
  lines.pop();
  lines.forEach((line, idx) => {
    const lineNo = idx + 1;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // ordinary comment
      const [, kw, name = "", rest = ""] = m;
      if (!METRIC_NAME.test(name) || (METRIC_NAME.exec(name) as RegExpExecArray)[0] !== name) {
        throw new Error(`line ${lineNo}: bad metric name ${name}`);
      }
      enter(name, lineNo);
      const f = get(name);
      if (kw === "HELP") {
        if (f.help !== null) throw new Error(`line ${lineNo}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`line ${lineNo}: bad escape in HELP`);
        f.help = rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\");
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${lineNo}: bad type ${rest}`);
        if (f.samples.length > 0 || f.type !== "untyped") throw new Error(`line ${lineNo}: TYPE for ${name} too late or repeated`);
        f.type = rest as PromFamily["type"];
      }
      return;
    }
    const nm = METRIC_NAME.exec(line);
    if (!nm) throw new Error(`line ${lineNo}: bad sample ${JSON.stringify(line)}`);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (line[i] === "{") {
      const r = parseLabels(line, i, lineNo);
      labels = r.labels;
      i = r.end;
    }
    const rest = line.slice(i);
    const vm = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
    if (!vm) throw new Error(`line ${lineNo}: bad value part ${JSON.stringify(rest)}`);
    const value = parseFloatGo(vm[1] as string);
    const fam = familyOf(name, families);
    enter(fam, lineNo);
    const f = get(fam);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`line ${lineNo}: duplicate series ${key}`);
    seenSeries.add(key);
    if (f.type === "counter" && !(value >= 0)) throw new Error(`line ${lineNo}: counter ${name} negative or NaN`);
    if (f.type === "histogram" && name === `${fam}_bucket` && !("le" in labels)) throw new Error(`line ${lineNo}: bucket without le`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return families;
}

function checkHistogram(f: PromFamily): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) g.buckets.push([parseFloatGo(le as string), s.value]);
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else if (s.name === `${f.name}_count`) g.count = s.value;
    else throw new Error(`histogram ${f.name} has a stray sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    if (g.sum === undefined || g.count === undefined) throw new Error(`histogram ${f.name}${key} lacks _sum or _count`);
    let prevLe = Number.NEGATIVE_INFINITY;
    let prevCount = 0;
    for (const [le, c] of g.buckets) {
      if (!(le > prevLe)) throw new Error(`histogram ${f.name}${key}: le not ascending`);
      if (c < prevCount) throw new Error(`histogram ${f.name}${key}: buckets not cumulative`);
      prevLe = le;
      prevCount = c;
    }
    const last = g.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`histogram ${f.name}${key}: no +Inf bucket`);
    if (last[1] !== g.count) throw new Error(`histogram ${f.name}${key}: +Inf bucket ${last[1]} != count ${g.count}`);
  }
}

/** The value of one series, or undefined. */
export function sampleValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length !== Object.keys(labels).length) continue;
      if (keys.every((k) => s.labels[k] === labels[k])) return s.value;
    }
  }
  return undefined;
}
