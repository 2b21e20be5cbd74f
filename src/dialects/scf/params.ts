import { QuiverError } from "../../core/errors.js";
import { MAX_JSON_DEPTH, nestedTooDeep } from "../shared/json-body.js";

const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Turns flattened form/query parameters (`A.B.0.C=v`, as the SDKs send with GET or v1
 * signatures) into the nested object the JSON body would have carried. Values stay strings;
 * the action schemas coerce them.
 */
export function unflatten(flat: ReadonlyMap<string, string>): Record<string, Json> {
  const root: Record<string, Json> = {};
  for (const [key, value] of flat) {
    const path = key.split(".");
    // Each segment is a level of nesting: refuse deep paths before building them (densify recurses).
    if (path.length > MAX_JSON_DEPTH) throw nestedTooDeep(path);
    if (path.some((part) => part === "")) {
      throw new QuiverError("InvalidParameterType", `The parameter name "${key}" is malformed.`, { parameter: key });
    }
    // `__proto__.x=1` would otherwise walk into Object.prototype and pollute every object.
    if (path.some((part) => FORBIDDEN_SEGMENTS.has(part))) {
      throw new QuiverError("UnknownParameter", `The parameter ${key} is not recognized.`, { parameter: key });
    }
    assign(root, path, value, key);
  }
  return densify(root) as Record<string, Json>;
}

function assign(target: Record<string, Json>, path: string[], value: string, key: string): void {
  let node: Record<string, Json> = target;
  path.forEach((part, i) => {
    if (i === path.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (next === undefined) {
      const child: Record<string, Json> = {};
      node[part] = child;
      node = child;
    } else if (typeof next === "object" && next !== null && !Array.isArray(next)) {
      node = next;
    } else {
      throw new QuiverError("InvalidParameterType", `The parameter "${key}" conflicts with "${path.slice(0, i + 1).join(".")}".`, { parameter: key });
    }
  });
}

/** Objects whose keys are all 0..n-1 become arrays. */
function densify(value: Json): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((k) => [k, densify(value[k] as Json)] as const);
  const isArray = keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) && keys.map(Number).sort((a, b) => a - b).every((n, i) => n === i);
  if (isArray) return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
  return Object.fromEntries(entries);
}

export type { Json };
