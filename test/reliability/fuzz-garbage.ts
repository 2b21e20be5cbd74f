/** Unsigned garbage: unknown routes, malformed URLs, oversized headers, bad content types and authorizations. */
import type { FuzzCase } from "./fuzz-scf.js";
import type { Prng } from "./prng.js";
import { oddString } from "./values.js";

const ROUTES = [
  "/foo", "/v2", "/v2/", "/v1.0", "/v3", "/v3/x", "/v3/projects/x", "/healthz/x", "/healthz", "/api", "/.env", "//", "///v2//fgs",
  "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/index.html", "/favicon.ico", "/v2/p/fgs", "/v2/p/fgs/functions/a/b/c/d/e",
  "/v1.0/p/fss/functions", "/v2/p/fgs/functions?marker=-1", "/?Action=ListFunctions", "/__proto__", "/constructor/prototype", "/toString",
  // The HTTP trigger door, the live tail, the virtual clock, metrics and readiness.
  "/scf", "/scf/", "/scf/1250000000", "/scf/1250000000/ap-guangzhou/default/f/t", "/scf/1250000000/ap-guangzhou/default/f/t/a/b?c=d",
  "/scf/x/y/z/w/v/u/t/s", "/scf/__proto__/constructor/prototype/x/y", "/apig", "/apig/", "/apig/p", "/apig/p/orders/1",
  "/apig/0123456789abcdef0123456789abcdef/x", "/quiver", "/quiver/v1", "/quiver/v1/logs/tail", "/quiver/v1/logs/tail?function=x&namespace=y",
  "/quiver/v1/clock", "/quiver/v1/clock/advance", "/metrics", "/metrics/x", "/readyz", "/readyz/x",
];
const MALFORMED = [
  "/%", "/%zz", "/%e0%a4%a", "/%ff%fe", "/v2/%zz/fgs/functions", "/v2/p/fgs/functions/%zz/config", "/v1.0/%/fss/functions/x/config",
  "/?%", "/?a=%zz", "/?%=%", "/v2/%00/fgs/functions", "/v2/p%2Ffgs/functions", "/%c0%ae%c0%ae/", "/v3/projects?name=%zz",
  "/scf/%zz/a/b/c/d", "/scf/1/r/%ff%fe/f/t", "/apig/%zz", "/apig/p/%2F..%2F", "/apig/p/%00", "/quiver/v1/logs/tail?function=%zz",
  "/quiver/%zz", "/metrics?%", "/readyz?%zz",
];
const CONTENT_TYPES = [
  "application/json", "application/json; charset=utf-16", "multipart/form-data; boundary=x", "multipart/form-data", "text/xml", "*/*",
  "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=bogus", "", "text/plain; charset=\"", "a".repeat(2_000),
];
const AUTHORIZATIONS = [
  "TC3-HMAC-SHA256", "TC3-HMAC-SHA256 Credential=AKIDx/2024-01-01/scf/tc3_request, SignedHeaders=content-type;host, Signature=00",
  "TC3-HMAC-SHA256 Credential=/2024-01-01//tc3_request, SignedHeaders=, Signature=", "SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=",
  "SDK-HMAC-SHA256 Access=ALICEAK0000000000000, SignedHeaders=host;x-sdk-date, Signature=zz", "Bearer x", "SKIP", "x".repeat(8_000),
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

export function garbageCase(rng: Prng, i: number): FuzzCase {
  const kind = rng.weighted([[30, "route"], [25, "malformed"], [10, "huge header"], [20, "content type"], [15, "authorization"]] as const);
  const method = rng.pick(METHODS);
  const headers: Record<string, string> = {};
  let path = rng.pick(["/", "/", "/v2/0123456789abcdef0123456789abcdef/fgs/functions", "/v1.0/0123456789abcdef0123456789abcdef/fss/functions/x/config"]);
  let body = Buffer.alloc(0);
  let parserMayRefuse = false;
  if (kind === "route") path = rng.chance(0.8) ? rng.pick(ROUTES) : `/${encodeURIComponent(oddString(rng).slice(0, 200).replace(/[\ud800-\udfff]/g, "?"))}`;
  if (kind === "malformed") path = rng.pick(MALFORMED);
  if (kind === "huge header") {
    const size = rng.pick([4_000, 12_000, 20_000, 100_000]);
    headers[rng.pick(["x-filler", "authorization", "x-tc-action", "content-type", "cookie"])] = "a".repeat(size);
    parserMayRefuse = size > 12_000;
  }
  if (kind === "content type" || method === "POST" || method === "PUT") {
    headers["content-type"] = rng.pick(CONTENT_TYPES);
    body = Buffer.from(rng.pick(["{}", "{\"a\":", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--", "a=%zz&b", "<x/>", "\u0000\u0001", ""]));
  }
  if (kind === "authorization") {
    headers["authorization"] = rng.pick(AUTHORIZATIONS);
    if (rng.chance(0.5)) headers["x-tc-action"] = rng.pick(["ListFunctions", "__proto__", "toString"]);
    if (rng.chance(0.5)) headers["x-tc-timestamp"] = rng.pick(["0", "-1", "99999999999999", "abc", String(Math.floor(Date.now() / 1000))]);
    if (rng.chance(0.3)) headers["x-auth-token"] = rng.pick(["x", "alice-static-token-012345678", ""]);
    if (rng.chance(0.3)) headers["x-sdk-date"] = rng.pick(["20240101T000000Z", "x", ""]);
  }
  return { label: `garbage#${i} ${kind} ${method} ${path.slice(0, 100)}`, wire: { method, path, headers, body }, parserMayRefuse };
}
