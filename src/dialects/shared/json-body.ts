import { QuiverError } from "../../core/errors.js";

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
  return parsed as Record<string, unknown>;
}
