import type { z } from "zod";
import { firstIssueError, type ParameterNaming } from "../shared/zod-errors.js";
import { parseJsonObject } from "../shared/json-body.js";

/**
 * Body parsing for FunctionGraph requests. Unknown keys are dropped rather than refused: the
 * legacy Java client posts whole metadata objects, and newer SDKs add fields Quiver has no use for.
 */

/** Parses a JSON object body; an empty body is `{}`. */
export const jsonBody = parseJsonObject;

/** FunctionGraph errors name the body field as sent and key on its first path segment. */
const NAMING: ParameterNaming = { parameter: (path) => String(path[0] ?? ""), label: (path) => path };

/** Validates a parsed body, turning zod's first finding into the error of the field at fault. */
export function parseBody<T extends z.ZodType>(schema: T, body: Record<string, unknown>): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw firstIssueError(result.error, body, NAMING);
}

/** A string field where `""` means "not given" (the v1.0 docs' own example sends `"Digest": ""`). */
export function given(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : value;
}
