import type { CorsSettings } from "../../core/triggers.js";

/**
 * Cross-origin answers of an HTTP trigger with CORS settings: the door answers a preflight itself
 * (the function never sees it) and adds the allow headers to the function's real answers. A
 * request without `Origin`, or from an origin the settings do not allow, gets no CORS headers, so
 * the browser refuses it; the request itself is still served, as the vendors' gateways do.
 */

/** True for a CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(method: string, headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return method === "OPTIONS" && headers["origin"] !== undefined && headers["access-control-request-method"] !== undefined;
}

/** The value of `Access-Control-Allow-Origin` for this origin, or null when it is not allowed. */
function allowedOrigin(cors: CorsSettings, origin: string | undefined): string | null {
  if (origin === undefined) return null;
  if (cors.origins.includes("*")) return cors.credentials ? origin : "*";
  return cors.origins.includes(origin) ? origin : null;
}

/** The headers of a preflight answer (204); empty when the origin is not allowed. */
export function preflightHeaders(cors: CorsSettings, origin: string | undefined, requestedHeaders: string | undefined): Array<readonly [string, string]> {
  const allow = allowedOrigin(cors, origin);
  if (allow === null) return [];
  const headers: Array<readonly [string, string]> = [["access-control-allow-origin", allow], ["vary", "Origin"]];
  const methods = cors.methods.length === 0 || cors.methods.includes("*") ? "*" : cors.methods.join(",");
  headers.push(["access-control-allow-methods", methods]);
  // No configured headers: whatever the browser asks for is allowed, as an open gateway would.
  const allowHeaders = cors.headers.length === 0 || cors.headers.includes("*") ? (requestedHeaders ?? "*") : cors.headers.join(",");
  if (allowHeaders !== "") headers.push(["access-control-allow-headers", allowHeaders]);
  if (cors.maxAgeSec > 0) headers.push(["access-control-max-age", String(cors.maxAgeSec)]);
  if (cors.credentials) headers.push(["access-control-allow-credentials", "true"]);
  return headers;
}

/** The CORS headers added to a real answer; empty when the origin is not allowed. */
export function responseCorsHeaders(cors: CorsSettings, origin: string | undefined): Array<readonly [string, string]> {
  const allow = allowedOrigin(cors, origin);
  if (allow === null) return [];
  const headers: Array<readonly [string, string]> = [["access-control-allow-origin", allow], ["vary", "Origin"]];
  if (cors.exposeHeaders.length > 0) headers.push(["access-control-expose-headers", cors.exposeHeaders.join(",")]);
  if (cors.credentials) headers.push(["access-control-allow-credentials", "true"]);
  return headers;
}
