/**
 * Web functions (SCF `Type: HTTP`, FunctionGraph HTTP functions): what the vendors fix about
 * them, and the request and answer headers the engine passes between a client and the
 * function's own server. See docs/runtime.md, "Web functions".
 */
import type { HandlerConvention, HttpExchange, HttpForwardRequest } from "../core/invoke.js";

export { WEB_BOOTSTRAP } from "../core/web-functions.js";

/** Response headers of a web function, in bytes (names, values and separators): SCF's documented limit. */
export const WEB_MAX_HEADER_BYTES = 4 * 1024;

/** The bytes the headers take on the wire: `name: value\r\n` each. */
export function headerBytes(flat: readonly string[]): number {
  let n = 0;
  for (const s of flat) n += Buffer.byteLength(s) + 2;
  return n;
}

/** The port the vendors tell the server to listen on. */
export const WEB_PORT: Readonly<Record<HandlerConvention, number>> = { scf: 9000, fgs: 8000 };

/**
 * Headers the platform sets and a client may not: any client header with these prefixes is
 * dropped, then the platform's own are added.
 */
const PLATFORM_PREFIXES = ["x-scf-", "x-cff-"];

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the framing, which the engine's HTTP client sets itself. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "content-length"]);

/** The platform headers a web function's server receives with each request. */
export function platformHeaders(req: HttpForwardRequest): [string, string][] {
  const t = req.target;
  const cv = req.contextValues;
  if (req.convention === "scf") {
    return [
      ["X-Scf-Request-Id", req.requestId],
      ["X-Scf-Memory", String(t.config.memoryMb)],
      ["X-Scf-Timeout", String(t.config.timeoutSec)],
      ["X-Scf-Version", t.version],
      ["X-Scf-Name", t.functionName],
      ["X-Scf-Namespace", t.namespace],
      ["X-Scf-Region", t.scope.region],
      ["X-Scf-Appid", cv.appId ?? ""],
      ["X-Scf-Uin", cv.uin ?? ""],
    ];
  }
  return [
    ["X-CFF-Request-Id", req.requestId],
    ["X-CFF-Memory", String(t.config.memoryMb)],
    ["X-CFF-Timeout", String(t.config.timeoutSec)],
    ["X-CFF-Func-Version", t.version === "$LATEST" ? "latest" : t.version],
    ["X-CFF-Func-Name", t.functionName],
    ["X-CFF-Project-Id", cv.projectId ?? ""],
    ["X-CFF-Package", cv.package ?? t.namespace],
    ["X-CFF-Region", t.scope.region],
  ];
}

/**
 * The request headers the server sees, as name, value, name, value…: the client's, without
 * hop-by-hop headers, `Expect` (the front door met a `100-continue` already, and the engine
 * sends the whole body at once; its HTTP client refuses to send one) and any it sent in the
 * platform's name, then the platform's, a Host when the client sent none, and the body's length.
 */
export function serverRequestHeaders(req: HttpForwardRequest): string[] {
  const out: string[] = [];
  for (const [name, value] of req.exchange.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === "expect" || PLATFORM_PREFIXES.some((p) => lower.startsWith(p))) continue;
    out.push(name, value);
  }
  for (const [name, value] of platformHeaders(req)) out.push(name, value);
  // HTTP/1.1 requires Host, and Node's server refuses a request without one (400).
  if (!req.exchange.headers.some(([name]) => name.toLowerCase() === "host")) out.push("Host", "localhost");
  if (needsLength(req.exchange)) out.push("Content-Length", String(req.exchange.body.length));
  return out;
}

/** A body, or a method that normally has one, is sent with its length (0 for an empty POST). */
function needsLength(exchange: HttpExchange): boolean {
  return exchange.body.length > 0 || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].includes(exchange.method.toUpperCase());
}

/**
 * The server's answer headers as pairs, without the hop-by-hop ones (the front door frames the
 * answer). An answer to HEAD keeps its Content-Length: it is the size of the GET's body, which
 * the (empty) answer does not frame.
 */
export function replyHeaders(flat: readonly string[], method: string): [string, string][] {
  const keepLength = method.toUpperCase() === "HEAD";
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] ?? "").toLowerCase();
    if (!HOP_BY_HOP.has(name) || (keepLength && name === "content-length")) out.push([flat[i] ?? "", flat[i + 1] ?? ""]);
  }
  return out;
}

/**
 * Where the vendors' documentation says the interpreters are, so a bootstrap written for the
 * cloud runs unchanged in a sandbox: each path is a link to the host's interpreter (whatever
 * its version). SCF: `/var/lang/node<major>/bin/node`, `/var/lang/python<3X>/bin/python3[.X]`;
 * FunctionGraph: `/opt/function/runtime/nodejs<ver>/rtsp/nodejs/bin/node`,
 * `/opt/function/runtime/python<ver>/rtsp/python/bin/python3`.
 */
export function vendorInterpreterLinks(node: string, python: string | null): [target: string, path: string][] {
  const links: [string, string][] = [];
  for (const major of ["6", "8", "10", "12", "14", "16", "18", "20"]) links.push([node, `/var/lang/node${major}/bin/node`]);
  for (const v of ["6.10", "8.10", "10.16", "12.13", "14.18", "16.17", "18.15", "20.15"]) links.push([node, `/opt/function/runtime/nodejs${v}/rtsp/nodejs/bin/node`]);
  if (python === null) return links;
  for (const v of ["3.6", "3.7", "3.9", "3.10", "3.12"]) {
    const dir = `/var/lang/python${v.replace(".", "")}/bin`;
    links.push([python, `${dir}/python3`], [python, `${dir}/python${v}`]);
    links.push([python, `/opt/function/runtime/python${v}/rtsp/python/bin/python3`]);
  }
  return links;
}
