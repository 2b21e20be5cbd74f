/** The checks project files go through: every value of the expected type, every key known. */
import { CliError, EXIT } from "./failure.js";

export type Node = Record<string, unknown>;

export function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function node(path: string, value: unknown, where: string): Node {
  if (!isNode(value)) throw refuse(path, `${where} must be a mapping`);
  return value;
}

export function onlyKeys(path: string, value: Node, allowed: readonly string[], prefix: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw refuse(path, `${unknown.map((key) => `${prefix}${key}`).join(", ")} ${unknown.length === 1 ? "is" : "are"} not supported by quiver deploy (supported here: ${allowed.join(", ")})`);
  }
}

export function optString(path: string, value: Node, key: string, prefix: string): string | undefined {
  const v = value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" && typeof v !== "number") throw refuse(path, `${prefix}${key} must be a string`);
  return String(v);
}

export function optNumber(path: string, value: Node, key: string, prefix: string): number | undefined {
  const v = value[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw refuse(path, `${prefix}${key} must be a whole number`);
  return v;
}

export function stringMap(path: string, value: unknown, where: string): Record<string, string> {
  const map = node(path, value, where);
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function refuse(path: string, problem: string): CliError {
  return new CliError(`${path}: ${problem}`, EXIT.usage);
}
