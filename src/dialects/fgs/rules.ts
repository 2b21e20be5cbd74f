import { decodeStrictBase64 } from "../../code/base64.js";
import { QuiverError, invalid } from "../../core/errors.js";
import { LATEST } from "../../core/model.js";

/**
 * FunctionGraph's documented value rules (the API reference's request parameters; docs/functiongraph.md).
 * Each throws with the wire field whose FSS code the vendor documents (see errors.ts).
 */

export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_INLINE_BYTES = 10 * 1024;
export const FG_LATEST = "latest";

export function functionName(name: string): string {
  if (!/^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/.test(name)) {
    throw invalid("func_name", `func_name "${name}" is invalid: 1-60 letters, digits, '_' or '-', starting with a letter and ending with a letter or digit.`);
  }
  return name;
}

export function packageName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw invalid("package", `package "${name}" is invalid: 1-64 letters, digits, '_' or '-'.`);
  return name;
}

/** Handlers (and initializers, named the same way): 3-128 characters, `file.function`. */
export function isHandler(value: string): boolean {
  const dot = value.lastIndexOf(".");
  const fileOk = dot > 0 && value.slice(0, dot).split("/").every((segment) => segment !== "" && segment !== ".." && /^[A-Za-z0-9_.-]+$/.test(segment));
  return value.length >= 3 && value.length <= 128 && fileOk && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.slice(dot + 1));
}

export function handler(value: string): string {
  if (!isHandler(value)) throw invalid("handler", `handler "${value}" is invalid: 3-128 characters in the form file.function, e.g. index.handler.`);
  return value;
}

const MEMORY_SIZES = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096];

export function memorySize(mb: number): number {
  if (!MEMORY_SIZES.includes(mb)) throw invalid("memory_size", `memory_size ${mb} is invalid: one of ${MEMORY_SIZES.join(", ")} MB.`);
  return mb;
}

export function timeout(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 3 || seconds > 900) throw invalid("timeout", `timeout ${seconds} is invalid: 3 to 900 seconds.`);
  return seconds;
}

export function description(text: string): string {
  if (text.length > 512) throw invalid("description", `description is ${text.length} characters long; at most 512 are allowed.`);
  return text;
}

const MAX_USER_DATA_KEYS = 20;
const MAX_USER_DATA_BYTES = 4096;

/** `user_data` is a JSON object in a string: environment variable name → string value. */
export function userData(text: string): Record<string, string> {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("user_data", "user_data is not a JSON object string such as {\"KEY\":\"value\"}.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("user_data", "user_data must be a JSON object.");
  const entries = Object.entries(parsed);
  if (entries.length > MAX_USER_DATA_KEYS) throw invalid("user_data.count", `user_data has ${entries.length} variables; at most ${MAX_USER_DATA_KEYS} are allowed.`);
  if (Buffer.byteLength(text) > MAX_USER_DATA_BYTES) throw invalid("user_data.size", `user_data is ${Buffer.byteLength(text)} bytes; at most ${MAX_USER_DATA_BYTES} are allowed.`);
  for (const [key, value] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw invalid("user_data", `user_data key "${key}" is invalid: letters, digits and '_', starting with a letter.`);
    if (typeof value !== "string") throw invalid("user_data", `user_data value of "${key}" must be a string.`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Version names: ≤ 42 letters, digits, '-', '_', '.', starting and ending with a letter or digit. */
export function versionName(name: string): string {
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,40}[A-Za-z0-9])?$/.test(name)) {
    throw invalid("version", `version "${name}" is invalid: at most 42 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.`);
  }
  if (name.toLowerCase() === FG_LATEST) throw invalid("version", `version "${name}" is reserved for the head of the function.`);
  return name;
}

/** The default version name: `v` + the server's local time `yyyyMMdd-HHmmss`, as in every vendor example. */
export function defaultVersionName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `v${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** FunctionGraph's `latest` is the core's head; any other qualifier is passed on as it is. */
export function coreQualifier(qualifier: string | null): string {
  return qualifier === null || qualifier === FG_LATEST ? LATEST : qualifier;
}

/** The core's head reads as `latest` on the FunctionGraph wire. */
export function fgVersionName(version: string): string {
  return version === LATEST ? FG_LATEST : version;
}

/** `marker` (offset) and `maxitems`: 0, absent or over 400 mean 400; negatives are errors. */
export function paging(marker: string | undefined, maxitems: string | undefined): { offset: number; limit: number } {
  const offset = nonNegative("marker", marker) ?? 0;
  const max = nonNegative("maxitems", maxitems);
  return { offset, limit: max === undefined || max === 0 || max > 400 ? 400 : max };
}

function nonNegative(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(field, `${field} "${value}" is invalid: a whole number, 0 or more.`);
  return Number(value);
}

/** Decodes `func_code.file`: strict base64 of a zip. */
export function codeFromBase64(text: string | undefined, inline: boolean): Buffer {
  if ((text ?? "").trim().length === 0) throw new QuiverError("CodeMissing", "func_code.file is required: the base64 of a zip package.", { parameter: "func_code" });
  const bytes = decodeStrictBase64(text ?? "");
  if (!bytes) throw new QuiverError("CodeBadBase64", "func_code.file is not valid base64.", { parameter: "func_code" });
  const max = inline ? MAX_INLINE_BYTES : MAX_ZIP_BYTES;
  if (bytes.length > max) {
    throw new QuiverError("CodeTooLarge", `The code package is ${bytes.length} bytes; at most ${max} are allowed for code_type ${inline ? "inline" : "zip"}.`, {
      subject: inline ? "inlineCode" : "package",
    });
  }
  return bytes;
}
