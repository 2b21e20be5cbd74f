import type { AliasRouting } from "./aliases.js";
import { QuiverError } from "./errors.js";
import type { FunctionConfig } from "./model.js";

/**
 * Limits on what Quiver stores that no vendor documents, kept in one place (docs/limits.md).
 * The dialects enforce each vendor's per-field limits; these bound the totals, so that no
 * combination of fields (or of two dialects' settings on one function) grows a row without end.
 */

/**
 * The most a function's configuration may take, serialized as stored: runtime, handler,
 * description, environment and every kept vendor setting. Each version copies it, and list
 * answers carry parts of it, so it is bounded as a whole.
 */
export const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * Triggers of one kind (HTTP, timer) a function may have, over all its qualifiers: SCF documents
 * 10 of one type per function; FunctionGraph's own quota is not stated per type, and one
 * function is managed through both APIs, so one limit serves both.
 */
export const MAX_TRIGGERS_PER_KIND = 10;

/** Alias header rules: how many, and how long each rule's expression may be. */
export const MAX_ROUTING_RULES = 50;
export const MAX_ROUTING_EXPRESSION_CHARS = 256;

function serializedBytes(config: FunctionConfig): number {
  try {
    return Buffer.byteLength(JSON.stringify(config));
  } catch (cause) {
    // Only a value nested beyond any dialect's limit can fail to serialize; it cannot be stored.
    throw new QuiverError("InvalidParameter", "The function configuration cannot be stored: it is nested too deeply.", { subject: "configuration", cause });
  }
}

/**
 * Refuses a configuration over MAX_CONFIG_BYTES. A change that does not grow a configuration
 * already over the limit (stored before the limit existed) is let through, so it can be trimmed.
 */
export function checkConfigSize(config: FunctionConfig, previous: FunctionConfig | null = null): void {
  const bytes = serializedBytes(config);
  if (bytes <= MAX_CONFIG_BYTES) return;
  if (previous !== null && bytes <= serializedBytes(previous)) return;
  throw new QuiverError(
    "InvalidParameter",
    `The function's configuration (description, environment and all other settings together) would take ${bytes} bytes; at most ${MAX_CONFIG_BYTES} bytes (64 KB) are allowed.`,
    { subject: "configuration" },
  );
}

/** Why an alias's routing is over Quiver's limits, or null when it is within them. */
export function routingProblem(routing: AliasRouting): string | null {
  if (routing.kind !== "rules") return null;
  if (routing.rules.length > MAX_ROUTING_RULES) return `The alias has ${routing.rules.length} routing rules; at most ${MAX_ROUTING_RULES} are allowed.`;
  const long = routing.rules.find((rule) => rule.expression.length > MAX_ROUTING_EXPRESSION_CHARS);
  if (long) return `A routing rule's expression on "${long.key}" is ${long.expression.length} characters long; at most ${MAX_ROUTING_EXPRESSION_CHARS} are allowed.`;
  return null;
}
