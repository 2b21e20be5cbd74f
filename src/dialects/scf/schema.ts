import { z } from "zod";
import { firstIssueError, type ParameterNaming } from "../shared/zod-errors.js";
import type { Json } from "./params.js";

/**
 * Zod helpers for SCF parameters. GET and v1 requests carry every value as a string, so numbers
 * and booleans also accept their string forms.
 */
export const str = z.string();
const fromIntText = (v: unknown): unknown => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v);
export const int = z.preprocess(fromIntText, z.number().int());
/** A whole number in [min, max]; `range` says so in the error message. */
export const intIn = (min: number, max: number, range: string) => z.preprocess(fromIntText, z.number().int().min(min, range).max(max, range));
/** A string of at most `max` characters. */
export const boundedText = (max: number) => z.string().max(max, `at most ${max} characters`);
export const num = z.preprocess((v) => (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v), z.number());
export const bool = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
/** Fields the SCF API documents that Quiver accepts and keeps, but does not act on. */
export const ignored = z.unknown();

/** Parses an action's parameters, turning zod's findings into SCF's error vocabulary. */
export function parseParams<T extends z.ZodType>(schema: T, params: Record<string, Json>): z.output<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw firstIssueError(result.error, params, NAMING);
}

/** SCF errors name the parameter by its full dotted path (`Environment.Variables.0.Key`). */
const NAMING: ParameterNaming = { parameter: (path) => path.map(String).join("."), label: (path) => `The parameter ${path}` };
