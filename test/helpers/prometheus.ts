/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written from its
 * specification: `# HELP` and `# TYPE` lines, and samples `name{label="value",…} value
 * [timestamp]` with label values escaped as `\\`, `\"` and `\n`. prom-client writes the format
 * but cannot read it; a line this reader cannot parse fails the test that scraped it.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** Metric family name → its declared type. */
  readonly types: ReadonlyMap<string, string>;
  /** Sum of the values of the samples named `name` whose labels include `labels`. */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
  /** The samples named `name` whose labels include `labels`. */
  find(name: string, labels?: Readonly<Record<string, string>>): Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`exposition line ${index + 1} ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (!meta) return; // any other comment
      if (meta[1] === "TYPE") {
        const [, , name = "", type = ""] = meta;
        if (!TYPES.has(type)) fail(`declares an unknown type`);
        if (types.has(name)) fail("declares a type twice");
        types.set(name, type);
      }
      return;
    }
    samples.push(parseSample(line, fail));
  });
  const includes = (sample: Sample, labels: Readonly<Record<string, string>>): boolean => Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
  const find = (name: string, labels: Readonly<Record<string, string>> = {}): Sample[] => samples.filter((s) => s.name === name && includes(s, labels));
  return { samples, types, find, sum: (name, labels) => find(name, labels).reduce((total, s) => total + s.value, 0) };
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const name = NAME.exec(line)?.[0] ?? fail("has no metric name");
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const labelName = LABEL_NAME.exec(rest)?.[0] ?? fail("has a bad label name");
      rest = rest.slice(labelName.length);
      if (!rest.startsWith('="')) fail("has a label without =\"");
      rest = rest.slice(2);
      let value = "";
      for (;;) {
        const c = rest[0] ?? fail("ends inside a label value");
        rest = rest.slice(1);
        if (c === '"') break;
        if (c !== "\\") {
          value += c;
          continue;
        }
        const escaped = rest[0] ?? fail("ends inside an escape");
        rest = rest.slice(1);
        if (escaped === "n") value += "\n";
        else if (escaped === "\\" || escaped === '"') value += escaped;
        else fail("has an unknown escape");
      }
      if (labelName in labels) fail("repeats a label");
      labels[labelName] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) fail("has labels not separated by commas");
    }
    rest = rest.slice(1);
  }
  const parts = rest.trim().split(" ");
  if (!rest.startsWith(" ") || parts.length < 1 || parts.length > 2) fail("has no value or extra fields");
  const value = parseValue(parts[0] ?? "", fail);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) fail("has a bad timestamp");
  return { name, labels, value };
}

/**
 * A value as Go's ParseFloat reads it, which the format refers to: special values in any case
 * (prom-client writes NaN as `Nan`).
 */
function parseValue(text: string, fail: (why: string) => never): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) return special[2]?.toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail("has a value that is not a float");
  return Number(text);
}
