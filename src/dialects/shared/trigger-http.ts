import { isUtf8 } from "node:buffer";
import type { QuiverError } from "../../core/errors.js";

/**
 * What both vendors' HTTP-trigger events and answers are built from: the request as it arrived
 * at the front door, the function's integration response read back into an HTTP answer, and the
 * refusals the door itself makes. Each dialect's `http-trigger.ts` shapes these into its vendor's
 * event, error body and headers.
 */

/** A request at the front door, as an event needs it. */
export interface TriggerHttpRequest {
  readonly method: string;
  /** Lower-case names, one value each (see {@link singleHeaders}). */
  readonly headers: Readonly<Record<string, string>>;
  /** The path as the function sees it (below the trigger's URL for SCF; the API path for APIG), starting with `/`. */
  readonly path: string;
  /** The query exactly as sent, without the leading `?`. */
  readonly rawQuery: string;
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** An HTTP answer the door sends. Header names may repeat (multi-value headers, `set-cookie`). */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** What the door refuses before or after a function runs, in neutral terms; each vendor picks its status and body. */
export type DoorRefusal =
  | "no-route" // no trigger at this URL (or its function or account is gone)
  | "disabled" // the trigger exists but is switched off
  | "method-not-allowed" // the trigger does not serve this method
  | "unauthenticated" // signed trigger: no signature, a bad one, or an unknown key
  | "forbidden" // signed by another account than the trigger's
  | "too-large" // the request body is over the door's limit
  | "bad-request" // malformed request
  | "busy" // every instance busy, or too many bodies being received
  | "unavailable" // the function cannot run now (no code yet, being updated)
  | "invalid-response" // the function's integration response cannot be sent as HTTP
  | "gateway-timeout" // the trigger's own timeout passed before the function answered
  | "internal";

/** A refusal the door decided, with a message for the caller. */
export class DoorError extends Error {
  constructor(
    readonly refusal: DoorRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** The refusal a core error amounts to at the door. */
export function refusalOf(error: QuiverError): DoorRefusal {
  switch (error.code) {
    case "FunctionNotFound":
    case "NamespaceNotFound":
    case "VersionNotFound":
    case "AliasNotFound":
    case "TriggerNotFound":
    case "UnknownAction":
      return "no-route";
    case "AuthMissing":
    case "AuthMalformed":
    case "AuthUnknownKey":
    case "AuthSignatureMismatch":
    case "AuthExpired":
      return "unauthenticated";
    case "AuthForbidden":
      return "forbidden";
    case "RequestTooLarge":
    case "EventTooLarge":
      return "too-large";
    case "RateLimited":
      return "busy";
    case "FunctionStateConflict":
      return "unavailable";
    case "Internal":
      return "internal";
    default:
      return error.isUserError ? "bad-request" : "internal";
  }
}

/** The query as an object: a key sent once maps to its value, a repeated key to every value in order. */
export function queryParameters(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (rawQuery === "") return out;
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/**
 * Headers as one string each, as events and alias header rules read them. Node lower-cases the
 * names and joins a repeated header itself, except `set-cookie` (an array), joined here with `,`.
 */
export function singleHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return out;
}

/** Content types whose bodies are text: sent to the function as a string when they are valid UTF-8. */
const TEXT_TYPE = /^\s*(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql|yaml|x-yaml)\b|[^;]*\+(json|xml)\b)/i;

/**
 * The body as the event carries it: text as a string, anything else (a binary type, or bytes
 * that are not UTF-8) base64 with `isBase64Encoded` true. `alwaysBase64` is APIG's default.
 */
export function eventBody(body: Buffer, contentType: string | undefined, alwaysBase64: boolean): { body: string; isBase64Encoded: boolean } {
  if (alwaysBase64) return { body: body.toString("base64"), isBase64Encoded: true };
  if (body.length === 0) return { body: "", isBase64Encoded: false };
  const textual = contentType === undefined || contentType === "" ? true : TEXT_TYPE.test(contentType);
  if (textual && isUtf8(body)) return { body: body.toString("utf8"), isBase64Encoded: false };
  return { body: body.toString("base64"), isBase64Encoded: true };
}

/** Names an answer never takes from the function: Node frames the answer itself. */
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer"]);
/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** No control characters but tab. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The function's return value (JSON text) as an HTTP answer. An object with a numeric
 * `statusCode` is an integration response: `statusCode`, `headers` (a value may be an array:
 * one header line each), `multiValueHeaders`, `body` (base64 when `isBase64Encoded`; a
 * non-string body is sent as its JSON). Any other value is sent as JSON with 200.
 * Throws a `DoorError("invalid-response")` for a response that cannot go on the wire.
 */
export function integrationAnswer(resultJson: string): HttpAnswer {
  const value = parseResult(resultJson);
  if (!isIntegrationResponse(value)) {
    return { status: 200, headers: [["content-type", "application/json"]], body: Buffer.from(resultJson === "" ? "null" : resultJson) };
  }
  const status = value["statusCode"];
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new DoorError("invalid-response", `The function returned statusCode ${JSON.stringify(status)}; it must be an integer from 100 to 599.`);
  }
  const headers: Array<readonly [string, string]> = [];
  addHeaders(headers, value["headers"]);
  addHeaders(headers, value["multiValueHeaders"]);
  // Without a type of its own the answer is JSON, as a plain value is (and not Node's octet-stream).
  if (!headers.some(([name]) => name.toLowerCase() === "content-type")) headers.push(["content-type", "application/json"]);
  return { status, headers, body: answerBody(value["body"], value["isBase64Encoded"] === true) };
}

function parseResult(resultJson: string): unknown {
  if (resultJson === "") return null;
  try {
    return JSON.parse(resultJson) as unknown;
  } catch {
    throw new DoorError("invalid-response", "The function's return value is not JSON.");
  }
}

function isIntegrationResponse(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "statusCode" in value;
}

/** A web function's answer headers, without the framing headers the server sets itself. */
export function withoutFraming(headers: ReadonlyArray<readonly [string, string]>): Array<readonly [string, string]> {
  return headers.filter(([name]) => !FRAMING_HEADERS.has(name.toLowerCase()));
}

function addHeaders(into: Array<readonly [string, string]>, headers: unknown): void {
  if (headers === undefined || headers === null) return;
  if (typeof headers !== "object" || Array.isArray(headers)) throw new DoorError("invalid-response", "The function's response headers must be an object.");
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new DoorError("invalid-response", `The function returned an invalid header name ${JSON.stringify(name)}.`);
    if (FRAMING_HEADERS.has(name.toLowerCase())) continue;
    for (const one of Array.isArray(value) ? value : [value]) into.push([name, headerValue(name, one)]);
  }
}

function headerValue(name: string, value: unknown): string {
  const text = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : null;
  if (text === null || !HEADER_VALUE.test(text)) throw new DoorError("invalid-response", `The function returned an invalid value for header ${name}.`);
  return text;
}

function answerBody(body: unknown, base64: boolean): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== "string") return Buffer.from(JSON.stringify(body));
  return base64 ? Buffer.from(body, "base64") : Buffer.from(body);
}
