/**
 * Parameter values for the fuzz and the mutations applied to them. Objects are kept as entry
 * lists (not JS objects) so that keys like `__proto__` and duplicate keys survive to the wire,
 * and 10,000-level nesting is a marker expanded only when serialised (no deep recursion here).
 */
import type { Prng } from "./prng.js";

export type Val = null | boolean | number | string | Val[] | Obj | Deep | RawText;

export class Obj {
  constructor(readonly entries: [string, Val][]) {}
}

/** `depth` levels of `[[[...]]]` or `{"a":{"a":...}}`. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly shape: "array" | "object",
  ) {}
}

/** Text placed in the JSON as it is (not valid JSON on purpose, sometimes). */
export class RawText {
  constructor(readonly text: string) {}
}

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Builds a Val from a plain template literal. */
export function val(plain: Plain): Val {
  if (Array.isArray(plain)) return plain.map(val);
  if (plain !== null && typeof plain === "object") return new Obj(Object.entries(plain).map(([k, v]) => [k, val(v)]));
  return plain;
}

/** Every property name of Object.prototype (`__proto__`, `constructor`, `toString`, ...). */
export const PROTO_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);

const ODD_STRINGS = [
  "", " ", "\u0000", "a\u0000b", "\u0000".repeat(64), "😀", "😀".repeat(300), "\u202eevil", "ｆｕｌｌｗｉｄｔｈ", "函数名", "\ud800", "\udfff\ud800",
  "e\u0301", "../../etc/passwd", "..", "/", "%00", "%zz", "%", "${jndi:x}", "<script>alert(1)</script>", "' OR 1=1 --", "\r\n", "\t", "null",
  "undefined", "NaN", "Infinity", "-1", "0", "1e999", "0x1f", "true", "[]", "{}", "$LATEST", "$DEFAULT", "latest", "default", "prototype",
  "\\", "\"", "'", ":", "!", "urn:fss:x", "a".repeat(61), "Nodejs18.15", "Python3.9", "index.main_handler",
];

export function oddString(rng: Prng): string {
  return rng.weighted<() => string>([
    [6, () => rng.pick(ODD_STRINGS)],
    [2, () => rng.pick(PROTO_NAMES)],
    [2, () => rng.string(rng.int(1, 64), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")],
    [1, () => rng.string(rng.int(1, 40), "aé中😀\u0000\u0007\n\u2028\uffff ")],
    [1, () => rng.string(rng.int(1_000, 100_000), "abc😀")],
  ])();
}

/** A 1-8 MB string: rare, to prove large values cost the server nothing lasting. */
export function hugeString(rng: Prng): string {
  return "x".repeat(rng.int(1, 8) * 1024 * 1024);
}

export function evil(rng: Prng, budget = 2): Val {
  const choices: (readonly [number, () => Val])[] = [
    [10, () => rng.pick([0, -1, 1, 1.5, -0.0001, 1e308, -1e308, 2 ** 53 + 1, 4294967296, 999999999999])],
    [4, () => rng.chance(0.5)],
    [4, () => null],
    [20, () => oddString(rng)],
    [2, () => new Deep(10_000, rng.chance(0.5) ? "array" : "object")],
    [2, () => Array.from({ length: rng.int(1_000, 10_000) }, () => rng.int(0, 9))],
    [2, () => new RawText(rng.pick(["1e999999", "-0", "[1,]", "{\"a\":1,}", "\"\\ud800\"", "1".repeat(500), "tru", "nul", "\"unterminated"]))],
  ];
  if (budget > 0) {
    choices.push([5, () => Array.from({ length: rng.int(0, 3) }, () => evil(rng, budget - 1))]);
    choices.push([5, () => new Obj(Array.from({ length: rng.int(0, 3) }, () => [rng.chance(0.4) ? rng.pick(PROTO_NAMES) : oddString(rng).slice(0, 80), evil(rng, budget - 1)] as [string, Val]))]);
  }
  return rng.weighted(choices)();
}

/** Containers inside `v` with the path of keys/indexes to reach them. */
function containers(v: Val, out: (Obj | Val[])[] = [], depth = 0): (Obj | Val[])[] {
  if (depth > 6) return out;
  if (v instanceof Obj) {
    out.push(v);
    for (const [, child] of v.entries) containers(child, out, depth + 1);
  } else if (Array.isArray(v)) {
    out.push(v);
    for (const child of v) containers(child, out, depth + 1);
  }
  return out;
}

/**
 * Applies 0-3 mutations to a copy of `params`: a value replaced by a wrong one, a key removed,
 * an unknown or prototype key added, a value wrapped (array ↔ object), or the whole thing
 * replaced. Zero mutations keeps some requests valid, so they reach the deep code paths.
 */
export function mutate(rng: Prng, params: Val, huge: boolean): Val {
  let root = clone(params);
  const n = rng.weighted([[25, 0], [40, 1], [25, 2], [10, 3]] as const);
  for (let i = 0; i < n; i += 1) {
    const targets = containers(root);
    const target = targets.length > 0 ? rng.pick(targets) : null;
    const op = rng.weighted([[35, "replace"], [15, "delete"], [20, "add"], [15, "wrap"], [5, "whole"]] as const);
    if (op === "whole" || target === null) {
      root = evil(rng);
      continue;
    }
    const entries: [string | number, Val][] = target instanceof Obj ? target.entries : target.map((v, j) => [j, v]);
    const pickIndex = entries.length > 0 ? rng.int(0, entries.length - 1) : -1;
    const set = (j: number, v: Val): void => {
      if (target instanceof Obj) (target.entries[j] as [string, Val])[1] = v;
      else target[j] = v;
    };
    if (op === "replace" && pickIndex >= 0) set(pickIndex, evil(rng));
    else if (op === "delete" && pickIndex >= 0) {
      if (target instanceof Obj) target.entries.splice(pickIndex, 1);
      else target.splice(pickIndex, 1);
    } else if (op === "wrap" && pickIndex >= 0) {
      const old = (entries[pickIndex] as [string | number, Val])[1];
      set(pickIndex, rng.chance(0.5) ? [old] : new Obj([["0", old]]));
    } else if (target instanceof Obj) {
      target.entries.push([rng.chance(0.5) ? rng.pick(PROTO_NAMES) : oddString(rng).slice(0, 100), evil(rng)]);
    } else {
      target.push(evil(rng));
    }
  }
  if (huge) {
    const targets = containers(root).filter((t): t is Obj => t instanceof Obj);
    if (targets.length > 0) rng.pick(targets).entries.push([rng.chance(0.5) ? "Description" : oddString(rng).slice(0, 20), hugeString(rng)]);
    else root = hugeString(rng);
  }
  return root;
}

function clone(v: Val): Val {
  if (v instanceof Obj) return new Obj(v.entries.map(([k, c]) => [k, clone(c)]));
  if (Array.isArray(v)) return v.map(clone);
  return v;
}

function deepText(d: Deep): string {
  return d.shape === "array" ? `${"[".repeat(d.depth)}${"]".repeat(d.depth)}` : `${'{"a":'.repeat(d.depth)}1${"}".repeat(d.depth)}`;
}

/** JSON text of a value (duplicate and prototype keys kept, deep markers expanded). */
export function toJson(v: Val): string {
  if (v instanceof Deep) return deepText(v);
  if (v instanceof RawText) return v.text;
  if (v instanceof Obj) return `{${v.entries.map(([k, c]) => `${JSON.stringify(k)}:${toJson(c)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  return JSON.stringify(v);
}

/** Header values must be printable ASCII here; anything else is percent-encoded. */
export function headerSafe(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(wellFormed(s));
}

/** Lone surrogates replaced by U+FFFD, as URL encoding would do. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/**
 * Flattens to `A.B.0.C=value` pairs, as the SDKs send GET and v1 parameters. A deep marker
 * becomes a 10,000-segment key. Strings are made well-formed (URL encoding would otherwise
 * turn a lone surrogate into U+FFFD and break the signature).
 */
export function flatten(v: Val, prefix = ""): [string, string][] {
  const key = (k: string | number): string => (prefix === "" ? String(k) : `${prefix}.${k}`);
  if (v instanceof Obj) return v.entries.flatMap(([k, c]) => flatten(c, key(wellFormed(k))));
  if (Array.isArray(v)) return v.flatMap((c, i) => flatten(c, key(i)));
  if (v instanceof Deep) return [[`${prefix}${`.${v.shape === "array" ? "0" : "a"}`.repeat(v.depth)}`, "x"]];
  if (v instanceof RawText) return [[prefix, wellFormed(v.text)]];
  return [[prefix, v === null ? "" : wellFormed(String(v))]];
}
