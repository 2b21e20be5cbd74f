import type { z } from "zod";
import { QuiverError } from "../../core/errors.js";

/** How a dialect names a parameter in its errors. */
export interface ParameterNaming {
  /** The wire `parameter` recorded on the error (what the dialect's error table keys on). */
  parameter(path: readonly PropertyKey[]): string;
  /** How the message names the parameter. */
  label(path: string): string;
}

/**
 * Turns zod's first finding into the neutral error vocabulary: unknown, missing and mistyped
 * parameters, and values that break a schema rule. Each dialect maps these to its own codes.
 */
export function firstIssueError(error: z.ZodError, input: unknown, naming: ParameterNaming): QuiverError {
  const issue = error.issues[0];
  if (!issue) return new QuiverError("InvalidParameter", "The parameters are invalid.");
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const name = [path, issue.keys[0]].filter(Boolean).join(".");
    return new QuiverError("UnknownParameter", `${naming.label(name)} is not recognized.`, { parameter: name });
  }
  if (issue.code === "invalid_type" && valueAt(input, issue.path) === undefined) {
    return new QuiverError("MissingParameter", `${naming.label(path)} is required.`, { parameter: naming.parameter(issue.path) });
  }
  if (issue.code === "invalid_type") {
    return new QuiverError("InvalidParameterType", `${naming.label(path)} must be of type ${issue.expected}.`, { parameter: naming.parameter(issue.path) });
  }
  return new QuiverError("InvalidParameter", `${naming.label(path)} is invalid: ${issue.message}.`, { parameter: String(issue.path[0] ?? "") });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
