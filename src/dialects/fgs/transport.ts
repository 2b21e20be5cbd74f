import type { RawHttpRequest } from "../shared/raw-request.js";
import type { Account, AccountRegistry } from "../../accounts/accounts.js";
import { sha256Hex } from "../shared/digest.js";
import { constantTimeEqual } from "../../core/constant-time.js";
import { QuiverError } from "../../core/errors.js";
import {
  EMPTY_BODY_SHA256,
  UNSIGNED_PAYLOAD,
  canonicalQuery,
  canonicalUri,
  parseAuthorization,
  parseSdkDate,
  signature,
  type ParsedAuthorization,
} from "./signature.js";

/** API Gateway refuses signatures whose `X-Sdk-Date` is more than 15 minutes off. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export type RawRequest = RawHttpRequest;

/** Huawei settings of an account that has them. */
export type HuaweiAccount = Account & { readonly huawei: NonNullable<Account["huawei"]> };

export function header(req: RawRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Authenticates a FunctionGraph request: an `SDK-HMAC-SHA256` signature, or a static
 * `X-Auth-Token` configured for the account. Then checks that the project in the path (and in
 * `X-Project-Id`, when sent) is the caller's.
 */
export function authenticate(req: RawRequest, projectId: string, accounts: AccountRegistry, nowMs: number): HuaweiAccount {
  const account = identify(req, accounts, nowMs);
  if (account.huawei.projectId !== projectId) {
    throw new QuiverError("AuthForbidden", `Project ${projectId} does not belong to the caller; its project is ${account.huawei.projectId}.`);
  }
  const headerProject = header(req, "x-project-id");
  if (headerProject !== undefined && headerProject !== projectId) {
    throw new QuiverError("AuthForbidden", `X-Project-Id ${headerProject} does not match the project ${projectId} in the path.`);
  }
  return account;
}

/** Who signed the request (or which token it carries), with no project to check. */
export function identify(req: RawRequest, accounts: AccountRegistry, nowMs: number): HuaweiAccount {
  const authorization = header(req, "authorization");
  if (authorization !== undefined) return verifySignature(req, authorization, accounts, nowMs);
  const token = header(req, "x-auth-token");
  if (token !== undefined) {
    const account = accounts.byHuaweiToken(token);
    if (!account?.huawei) throw new QuiverError("AuthUnknownKey", "The X-Auth-Token is not valid.");
    return account as HuaweiAccount;
  }
  throw new QuiverError("AuthMissing", "The request carries neither an SDK-HMAC-SHA256 Authorization header nor an X-Auth-Token.");
}

function verifySignature(req: RawRequest, authorization: string, accounts: AccountRegistry, nowMs: number): HuaweiAccount {
  const auth = parseAuthorization(authorization);
  if (!auth) throw new QuiverError("AuthMalformed", "The Authorization header is not a valid SDK-HMAC-SHA256 authorization.");
  const account = accounts.byHuaweiAccessKey(auth.accessKey);
  if (!account?.huawei) throw new QuiverError("AuthUnknownKey", `The access key ${auth.accessKey} is not known.`);
  const sdkDate = header(req, "x-sdk-date") ?? "";
  checkDate(sdkDate, nowMs);
  if (!auth.signedHeaders.includes("x-sdk-date")) throw new QuiverError("AuthMalformed", "X-Sdk-Date must be among the signed headers.");
  // Hashed once: a 70 MB upload is checked against up to three canonical URIs.
  const payloadHash = payloadHashOf(req);
  const valid = candidateUris(req.rawPath).some((uri) => constantTimeEqual(expectedSignature(req, auth, { uri, sdkDate, payloadHash }, account.huawei?.secretKey ?? ""), auth.signature));
  if (!valid) throw new QuiverError("AuthSignatureMismatch", "verify aksk signature fail; check the secret key and the signing steps.");
  return account as HuaweiAccount;
}

function checkDate(sdkDate: string, nowMs: number): void {
  const signedAt = parseSdkDate(sdkDate);
  if (signedAt === null) throw new QuiverError("AuthMalformed", "X-Sdk-Date is missing or not in the form YYYYMMDDTHHMMSSZ.");
  const skew = Math.abs(nowMs - signedAt);
  if (skew > MAX_CLOCK_SKEW_MS) {
    throw new QuiverError("AuthExpired", `X-Sdk-Date ${sdkDate} is ${Math.round(skew / 1000)} s away from the server time; at most 15 minutes are allowed.`);
  }
}

/**
 * The canonical URIs a genuine client may have signed: the decoded-and-re-encoded path (Node
 * with raw `:`, Go, Python), the path encoded as sent (a client that percent-encoded the path
 * itself), and `//` + path (Node SDK configured with a trailing `/` on the endpoint).
 */
function candidateUris(rawPath: string): string[] {
  const decoded = canonicalUri(rawPath, true);
  const variants = [decoded, `/${decoded}`];
  if (rawPath.includes("%")) variants.push(canonicalUri(rawPath, false));
  return variants;
}

function expectedSignature(req: RawRequest, auth: ParsedAuthorization, signed: { uri: string; sdkDate: string; payloadHash: string }, secretKey: string): string {
  const { uri, sdkDate, payloadHash } = signed;
  const signedHeaders = [...auth.signedHeaders].sort().map((name) => [name, signedValue(req, name)] as const);
  return signature({
    method: req.method.toUpperCase(),
    canonicalUri: uri,
    canonicalQuery: canonicalQuery(req.rawQuery),
    signedHeaders,
    payloadHash,
    sdkDate,
    secretKey,
  });
}

/**
 * The body hash the signature covers. `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` is the SDKs'
 * documented way to leave a body unsigned, and is signed literally. Any other value must be the
 * hash of the body actually received: a header that names another body is how a swapped body
 * would slip past the signature.
 */
function payloadHashOf(req: RawRequest): string {
  const actual = req.body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(req.body);
  const declared = header(req, "x-sdk-content-sha256");
  if (declared === undefined) return actual;
  if (declared === UNSIGNED_PAYLOAD) return declared;
  if (declared.toLowerCase() !== actual) {
    throw new QuiverError("AuthSignatureMismatch", "verify aksk signature fail: X-Sdk-Content-Sha256 is not the SHA-256 of the request body.");
  }
  return declared;
}

/** Go and Python trim header values; Node sends none with surrounding spaces, so trimming is safe. */
function signedValue(req: RawRequest, name: string): string {
  return (header(req, name) ?? "").trim();
}
