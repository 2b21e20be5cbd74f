import { QuiverError } from "../../core/errors.js";

/**
 * The deepest JSON nesting a request may carry (the body object is level 1). The deepest
 * documented request shape of either API needs 5 levels; anything deeper than this is refused
 * before it reaches code that walks values recursively (zod, JSON.stringify in the stores).
 */
export const MAX_JSON_DEPTH = 32;

/** Parses a request body that must be a JSON object; an empty body is `{}`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new QuiverError("MalformedRequest", `The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new QuiverError("MalformedRequest", "The request body must be a JSON object.");
  }
  const deep = tooDeepPath(parsed);
  if (deep) throw nestedTooDeep(deep);
  return parsed as Record<string, unknown>;
}

/**
 * The key path of a value nested deeper than `max` levels, or null. Iterative, so that hostile
 * nesting cannot overflow the stack here either; it stops at the first offender.
 */
export function tooDeepPath(root: unknown, max = MAX_JSON_DEPTH): string[] | null {
  const pending: Array<{ value: unknown; path: string[] }> = [{ value: root, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value !== "object" || value === null) continue;
    if (path.length >= max) return path;
    for (const [key, child] of Object.entries(value)) pending.push({ value: child, path: [...path, key] });
  }
  return null;
}

/**
 * The error for a parameter nested too deeply. It parsed, so it is not "not JSON"; `parameter`
 * names the top-level parameter, so dialects can report it as that parameter's error.
 */
export function nestedTooDeep(path: readonly string[]): QuiverError {
  const shown = path.length > 6 ? `${path.slice(0, 6).join(".")}…` : path.join(".");
  return new QuiverError("MalformedRequest", `The parameter ${path[0] ?? ""} nests more than ${MAX_JSON_DEPTH} levels deep (at ${shown}); at most ${MAX_JSON_DEPTH} levels of nesting are allowed.`, {
    parameter: path[0] ?? "",
  });
}
