/**
 * Rules for web functions (SCF `Type: HTTP`, FunctionGraph HTTP functions), which run the
 * package's own HTTP server instead of a handler: what their package must hold, and how the
 * invoke APIs treat them. See docs/triggers.md, "Web functions".
 */
import { QuiverError } from "./errors.js";
import type { HandlerConvention, HttpExchange, HttpReply } from "./invoke.js";
import type { FunctionConfig } from "./model.js";
import type { ZipFacts } from "./ports.js";

/** The file in a web function's package that starts its server, per vendor. */
export const WEB_BOOTSTRAP: Readonly<Record<HandlerConvention, string>> = { scf: "scf_bootstrap", fgs: "bootstrap" };

/** A web function's package must hold its bootstrap at the archive's root. */
export function requireWebBootstrap(config: FunctionConfig, facts: ZipFacts, bootstrap: string | undefined): void {
  if (config.type !== "HTTP" || bootstrap === undefined || facts.rootFiles.includes(bootstrap)) return;
  throw new QuiverError(
    "InvalidParameter",
    `A web function's package must hold an executable ${bootstrap} file at its root that starts the function's HTTP server; the zip has none.`,
    { subject: "package" },
  );
}

/**
 * Whether an invoke API call may run a web function. SCF documents that a web function
 * "cannot be triggered through the function API"; FunctionGraph runs an HTTP function invoked
 * this way with the request described by an APIG-shaped event. Neither runs them asynchronously.
 */
export function refuseWebInvoke(convention: HandlerConvention, mode: "sync" | "async"): void {
  if (convention === "fgs" && mode === "sync") return;
  const how = mode === "async" ? "asynchronously" : "through the function API";
  throw new QuiverError("InvalidParameter", `This is a web function (type HTTP): it cannot be invoked ${how}; send HTTP requests to its trigger's URL instead.`, {
    subject: "function",
    operation: "invoke",
  });
}

/** The HTTP request an APIG-shaped event describes (FunctionGraph's invoke of an HTTP function). */
export function exchangeFromApigEvent(event: string): HttpExchange {
  const e = asObject(JSON.parse(event));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(asObject(e.queryStringParameters))) query.append(k, text(v));
  const path = typeof e.path === "string" && e.path.startsWith("/") ? e.path : "/";
  const search = query.toString();
  const body = text(e.body);
  return {
    method: typeof e.httpMethod === "string" && e.httpMethod !== "" ? e.httpMethod.toUpperCase() : "GET",
    path: search === "" ? path : `${path}?${search}`,
    headers: Object.entries(asObject(e.headers)).map(([k, v]) => [k, text(v)] as const),
    body: e.isBase64Encoded === true ? Buffer.from(body, "base64") : Buffer.from(body),
  };
}

/**
 * The server's answer as FunctionGraph returns an HTTP function's invoke result: the body in
 * base64, each header's values in an array.
 */
export function apigResultFromReply(reply: HttpReply): string {
  // No prototype: header names are the function's.
  const headers = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of reply.headers) (headers[name] ??= []).push(value);
  return JSON.stringify({ body: reply.body.toString("base64"), headers, statusCode: reply.status, isBase64Encoded: true });
}

function asObject(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function text(v: unknown): string {
  if (typeof v === "string") return v;
  return v === undefined || v === null ? "" : JSON.stringify(v);
}
