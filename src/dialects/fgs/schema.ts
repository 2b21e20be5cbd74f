import type { z } from "zod";
import { QuiverError } from "../../core/errors.js";

/**
 * Body parsing for FunctionGraph requests. Unknown keys are dropped rather than refused: the
 * legacy Java client posts whole metadata objects, and newer SDKs add fields Quiver has no use for.
 */

/** Parses a JSON object body; an empty body is `{}`. */
export function jsonBody(body: Buffer): Record<string, unknown> {
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
  return parsed as Record<string, unknown>;
}

/** Validates a parsed body, turning zod's first finding into the error of the field at fault. */
export function parseBody<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new QuiverError("InvalidParameter", "The request body is invalid.");
  const path = issue.path.map(String).join(".");
  const field = String(issue.path[0] ?? "");
  if (issue.code === "invalid_type" && valueAt(body, issue.path) === undefined) {
    throw new QuiverError("MissingParameter", `${path} is required.`, { field });
  }
  if (issue.code === "invalid_type") {
    throw new QuiverError("InvalidParameterType", `${path} must be of type ${issue.expected}.`, { field });
  }
  throw new QuiverError("InvalidParameter", `${path} is invalid: ${issue.message}.`, { field });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A string field where `""` means "not given" (the v1.0 docs' own example sends `"Digest": ""`). */
export function given(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : value;
}
