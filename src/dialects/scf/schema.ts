import { z } from "zod";
import { QuiverError } from "../../core/errors.js";
import type { Json } from "./params.js";

/**
 * Zod helpers for SCF parameters. GET and v1 requests carry every value as a string, so numbers
 * and booleans also accept their string forms.
 */
export const str = z.string();
export const int = z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v), z.number().int());
export const num = z.preprocess((v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v), z.number());
export const bool = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
/** Fields the SCF API documents that Quiver accepts and keeps, but does not act on. */
export const ignored = z.unknown();

/** Parses an action's parameters, turning zod's findings into SCF's error vocabulary. */
export function parseParams<T extends z.ZodType>(schema: T, params: Record<string, Json>): z.output<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new QuiverError("InvalidParameter", "The parameters are invalid.");
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const name = [path, issue.keys[0]].filter(Boolean).join(".");
    throw new QuiverError("UnknownParameter", `The parameter ${name} is not recognized.`, { field: name });
  }
  if (issue.code === "invalid_type" && valueAt(params, issue.path) === undefined) {
    throw new QuiverError("MissingParameter", `The parameter ${path} is required.`, { field: path });
  }
  if (issue.code === "invalid_type") {
    throw new QuiverError("InvalidParameterType", `The parameter ${path} must be of type ${issue.expected}.`, { field: path });
  }
  throw new QuiverError("InvalidParameter", `The parameter ${path} is invalid: ${issue.message}.`, { field: String(issue.path[0] ?? "") });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
