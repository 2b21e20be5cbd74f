import { decodeStrictBase64 } from "../../code/base64.js";
import { QuiverError, invalid } from "../../core/errors.js";

/**
 * SCF's documented value rules (CreateFunction's and the runtime reference's limits). Each
 * throws naming the parameter whose `InvalidParameterValue.<Parameter>` code the vendor documents.
 */

export function functionName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/.test(name)) {
    throw invalid("FunctionName", `FunctionName "${name}" is invalid: 2-60 letters, digits, '-' or '_', starting with a letter and not ending with '-' or '_'.`);
  }
  return name;
}

/**
 * A function name that refers to an existing function. Looser than `functionName` (which
 * creation checks): functions created through FunctionGraph may have 1-character names.
 */
export function functionRef(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(name)) {
    throw invalid("FunctionName", `FunctionName "${name}" is invalid: 1-60 letters, digits, '-' or '_'.`);
  }
  return name;
}

export function namespaceName(name: string, field: "Namespace" | "NamespaceInvalid" = "Namespace"): string {
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(name)) {
    throw invalid(field, `Namespace "${name}" is invalid: 1-30 letters, digits, '-' or '_'.`);
  }
  return name;
}

export function handler(value: string): string {
  const dot = value.lastIndexOf(".");
  const file = value.slice(0, dot);
  const method = value.slice(dot + 1);
  const part = /^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/;
  const fileOk = dot > 0 && file.split("/").every((segment) => /^[A-Za-z0-9_.-]{1,60}$/.test(segment) && segment !== "..") && /[A-Za-z0-9]/.test(file);
  if (!fileOk || !part.test(method)) {
    throw invalid("Handler", `Handler "${value}" is invalid: use file.function, e.g. index.main_handler (the function part is 2-60 letters, digits, '_' or '-', starting with a letter).`);
  }
  return value;
}

export function memorySize(mb: number): number {
  if (mb !== 64 && !(mb >= 128 && mb <= 3072 && mb % 128 === 0)) {
    throw invalid("MemorySize", `MemorySize ${mb} is invalid: 64, or 128 to 3072 MB in steps of 128.`);
  }
  return mb;
}

export function timeout(seconds: number): number {
  if (seconds < 1 || seconds > 900) throw invalid("Timeout", `Timeout ${seconds} is invalid: 1 to 900 seconds.`);
  return seconds;
}

export function description(text: string): string {
  if (text.length > 1000) throw invalid("Description", `Description is ${text.length} characters long; at most 1000 are allowed.`);
  return text;
}

const RESERVED_ENV_PREFIXES = ["SCF_", "QCLOUD_", "TENCENTCLOUD_"];
const MAX_ENV_BYTES = 4 * 1024;

/**
 * `Environment.Variables` as a name → value map. An entry with an empty Key and an empty Value
 * names no variable and is skipped: `[{"Key":"","Value":""}]` is how Serverless Inc's Tencent
 * clients clear every variable, which the real service accepts.
 */
export function environment(variables: readonly { Key?: string | undefined; Value?: string | undefined }[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { Key: key = "", Value: value = "" } of variables) {
    if (key === "" && value === "") continue;
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) {
      throw invalid("Environment", `Environment variable name "${key}" is invalid: letters, digits and '_', starting with a letter.`);
    }
    if (RESERVED_ENV_PREFIXES.some((prefix) => key.toUpperCase().startsWith(prefix))) {
      throw invalid("EnvironmentSystemProtect", `Environment variable "${key}" uses a reserved prefix (${RESERVED_ENV_PREFIXES.join(", ")}).`);
    }
    if (Object.hasOwn(env, key)) throw invalid("Environment", `Environment variable "${key}" is given twice.`);
    env[key] = value;
  }
  const bytes = Object.entries(env).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > MAX_ENV_BYTES) {
    throw invalid("EnvironmentExceededLimit", `Environment variables take ${bytes} bytes; at most ${MAX_ENV_BYTES} are allowed.`);
  }
  return env;
}

export function order(value: string | undefined, fallback: "ASC" | "DESC"): "ASC" | "DESC" {
  if (value === undefined || value === "") return fallback;
  const upper = value.toUpperCase();
  if (upper !== "ASC" && upper !== "DESC") throw invalid("Order", `Order "${value}" is invalid: ASC or DESC.`);
  return upper;
}

export function paging(offset: number | undefined, limit: number | undefined, maxLimit = 100): { offset: number; limit: number } {
  const o = offset ?? 0;
  const l = limit ?? 20;
  if (o < 0) throw invalid("Offset", `Offset ${o} is invalid: it must be 0 or more.`);
  if (l < 1 || l > maxLimit) throw invalid("Limit", `Limit ${l} is invalid: 1 to ${maxLimit}.`);
  return { offset: o, limit: l };
}

/** Decodes the base64 zip the way SCF does: strict base64, else the documented binascii error. */
export function zipFromBase64(text: string): Buffer {
  if (text.trim().length === 0) throw new QuiverError("CodeMissing", "Code.ZipFile is empty.", { parameter: "Code" });
  const bytes = decodeStrictBase64(text);
  if (!bytes) throw new QuiverError("CodeBadBase64", "ZipFile is not valid base64 (Incorrect padding or characters).", { parameter: "ZipFile" });
  return bytes;
}
