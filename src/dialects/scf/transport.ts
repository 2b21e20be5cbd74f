import type { RawHttpRequest } from "../shared/raw-request.js";
import type { Account, AccountRegistry } from "../../accounts/accounts.js";
import { constantTimeEqual } from "../../core/constant-time.js";
import { QuiverError } from "../../core/errors.js";
import { parseJsonObject } from "../shared/json-body.js";
import { unflatten, type Json } from "./params.js";
import { sha256Hex } from "../shared/digest.js";
import { tc3Signature, v1Signature } from "./signature.js";

export const API_VERSION = "2018-04-16";
/** Tencent refuses requests whose timestamp is more than five minutes off. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** The common parameters of v1 requests; everything else is a business parameter. */
const V1_COMMON = new Set(["Action", "Version", "Region", "Timestamp", "Nonce", "SecretId", "Signature", "SignatureMethod", "Token", "Language", "RequestClient"]);

/** SCF signs the query but not the path (always `/`). */
export type RawRequest = Omit<RawHttpRequest, "rawPath">;

/** An authenticated SCF API call. */
export interface ScfCall {
  readonly action: string;
  readonly region: string | undefined;
  readonly account: Account;
  readonly params: Record<string, Json>;
}

function header(req: RawRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses and authenticates a request in any of the forms the official SDKs send. */
export function authenticate(req: RawRequest, accounts: AccountRegistry, nowSeconds: number): ScfCall {
  const authorization = header(req, "authorization");
  if (authorization !== undefined) return authenticateTc3(req, authorization, accounts, nowSeconds);
  const flat = formParams(req);
  if (flat.has("Signature")) return authenticateV1(req, flat, accounts, nowSeconds);
  refuseBodyNotJson(req);
  throw new QuiverError("AuthMissing", "The request is not signed: send a TC3-HMAC-SHA256 Authorization header or v1 Signature parameters.");
}

/**
 * A POST declared JSON whose body is not JSON: most often a v1-signed form sent under the wrong
 * Content-Type. Its signature is in a body Quiver does not read as a form, so saying "not signed"
 * would send the caller looking in the wrong place; the answer says what is wrong with the body.
 */
function refuseBodyNotJson(req: RawRequest): void {
  if (req.method.toUpperCase() !== "POST" || !isJson(req) || req.body.length === 0) return;
  try {
    parseJsonObject(req.body);
  } catch (error) {
    const asForm = new URLSearchParams(req.body.toString("utf8"));
    if (!asForm.has("Signature")) return;
    throw new QuiverError(
      "MalformedRequest",
      "The request body is not JSON although its Content-Type is application/json: it is a v1-signed form body. Send v1 requests with Content-Type application/x-www-form-urlencoded.",
      { cause: error },
    );
  }
}

// ---- TC3-HMAC-SHA256 ---------------------------------------------------------------------------

const TC3_AUTH = /^TC3-HMAC-SHA256\s+Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function authenticateTc3(req: RawRequest, authorization: string, accounts: AccountRegistry, nowSeconds: number): ScfCall {
  const account = verifyTc3(req, authorization, accounts, nowSeconds);
  const method = req.method.toUpperCase();
  checkApiVersion(header(req, "x-tc-version"));
  const action = header(req, "x-tc-action") ?? "";
  const flat = method === "GET" || isForm(req) ? formParams(req) : null;
  return { action, region: header(req, "x-tc-region") || undefined, account, params: flat ? unflatten(flat) : jsonParams(req.body) };
}

/**
 * Checks a TC3-HMAC-SHA256 signature and returns the account whose key made it. The API signs
 * `/` and, for GET, its query; an HTTP trigger's signed request (`canonicalUri` its path) signs
 * its query whatever the method.
 */
export function verifyTc3(req: RawRequest, authorization: string, accounts: AccountRegistry, nowSeconds: number, canonicalUri?: string): Account {
  const match = TC3_AUTH.exec(authorization.trim());
  if (!match) throw new QuiverError("AuthMalformed", "The Authorization header is not a valid TC3-HMAC-SHA256 authorization.");
  const [, secretId = "", date = "", service = "", signedNames = "", signature = ""] = match;
  const account = accounts.byTencentSecretId(secretId);
  if (!account?.tencent) throw new QuiverError("AuthUnknownKey", `The SecretId ${secretId} is not known.`);
  const timestamp = header(req, "x-tc-timestamp") ?? "";
  checkTimestamp(timestamp, nowSeconds);
  if (utcDate(Number(timestamp)) !== date) {
    throw new QuiverError("AuthSignatureMismatch", `The credential date ${date} does not match X-TC-Timestamp ${timestamp}.`);
  }
  const secretKey = account.tencent.secretKey;
  const method = req.method.toUpperCase();
  const payloadHash = header(req, "x-tc-content-sha256") === "UNSIGNED-PAYLOAD" ? sha256Hex("UNSIGNED-PAYLOAD") : sha256Hex(method === "GET" ? "" : req.body);
  const canonicalQuery = method === "GET" || canonicalUri !== undefined ? req.rawQuery : "";
  const names = signedNames.split(";");
  // The Node SDK signs the host without its port; Python, Go and tccli sign the Host header as sent.
  const valid = hostVariants(header(req, "host") ?? "").some((host) => {
    const signedHeaders = names.map((name) => [name, name === "host" ? host : (header(req, name) ?? "").trim()] as const);
    return constantTimeEqual(tc3Signature({ method, canonicalUri, canonicalQuery, signedHeaders, payloadHash, timestamp, date, service, secretKey }), signature);
  });
  if (!valid) throw new QuiverError("AuthSignatureMismatch", "The request signature does not match; check the SecretKey and the signing steps.");
  return account;
}

function hostVariants(host: string): string[] {
  const withoutPort = host.replace(/:\d+$/, "");
  return withoutPort === host ? [host] : [host, withoutPort];
}

// ---- v1 (HmacSHA1 / HmacSHA256) -------------------------------------------------------------------

function authenticateV1(req: RawRequest, flat: Map<string, string>, accounts: AccountRegistry, nowSeconds: number): ScfCall {
  const secretId = flat.get("SecretId") ?? "";
  const account = accounts.byTencentSecretId(secretId);
  if (!account?.tencent) throw new QuiverError("AuthUnknownKey", `The SecretId ${secretId} is not known.`);
  checkTimestamp(flat.get("Timestamp") ?? "", nowSeconds);
  const method = flat.get("SignatureMethod") ?? "HmacSHA1";
  if (method !== "HmacSHA1" && method !== "HmacSHA256") {
    throw new QuiverError("AuthMalformed", `SignatureMethod ${method} is not supported; use HmacSHA1 or HmacSHA256.`);
  }
  const algorithm = method === "HmacSHA1" ? "sha1" : "sha256";
  const host = header(req, "host") ?? "";
  const expected = v1Signature(req.method.toUpperCase(), host, flat, algorithm, account.tencent.secretKey);
  if (!constantTimeEqual(expected, flat.get("Signature") ?? "")) {
    throw new QuiverError("AuthSignatureMismatch", "The request signature does not match; check the SecretKey and the signing steps.");
  }
  checkApiVersion(flat.get("Version"));
  const business = new Map([...flat].filter(([key]) => !V1_COMMON.has(key)));
  return { action: flat.get("Action") ?? "", region: flat.get("Region") || undefined, account, params: unflatten(business) };
}

// ---- shared ---------------------------------------------------------------------------------------

function checkTimestamp(timestamp: string, nowSeconds: number): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw new QuiverError("AuthMalformed", "The request timestamp is missing or not a number of seconds.");
  const skew = Math.abs(nowSeconds - Number(timestamp));
  if (skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new QuiverError("AuthExpired", `The request timestamp ${timestamp} is ${Math.round(skew)} s away from the server time ${Math.round(nowSeconds)}; at most ${MAX_CLOCK_SKEW_SECONDS} s are allowed.`);
  }
}

function checkApiVersion(version: string | undefined): void {
  if (version !== API_VERSION) {
    throw new QuiverError("UnsupportedApiVersion", `API version ${version ?? "(none)"} is not supported; Quiver speaks SCF ${API_VERSION}.`);
  }
}

function utcDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

function isJson(req: RawRequest): boolean {
  return (header(req, "content-type") ?? "").toLowerCase().startsWith("application/json");
}

function isForm(req: RawRequest): boolean {
  return (header(req, "content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}

/** Query parameters for GET, form fields for a form POST (the raw values, URL-decoded). */
function formParams(req: RawRequest): Map<string, string> {
  const source = req.method.toUpperCase() === "GET" ? req.rawQuery : isForm(req) ? req.body.toString("utf8") : "";
  return new Map(new URLSearchParams(source));
}

function jsonParams(body: Buffer): Record<string, Json> {
  return parseJsonObject(body) as Record<string, Json>;
}
