/**
 * Short-lived download URLs for a function's code package (SCF GetFunctionAddress), served by
 * Quiver at `GET /quiver/v1/code/{appId}/{region}/{namespace}/{function}/{qualifier}?sha256=…&expires=…&signature=…`.
 *
 * The signature is an HMAC-SHA256 keyed with the account's own SCF SecretKey over everything
 * the URL names: nobody without that key can make one, and any changed part (account, function,
 * qualifier, digest, expiry) no longer matches; every node sharing the accounts file can check
 * it. The server then looks the function up *in the signing account* and serves the package only
 * if it is still the one named, so a URL an account signs for itself can never reach another
 * account's code, even by its digest. Like a COS pre-signed URL, the URL is the permission
 * until it expires.
 */
import { createHmac } from "node:crypto";
import type { Account } from "../../accounts/accounts.js";
import { constantTimeEqual } from "../../core/constant-time.js";

/** How long a download URL is good for (Tencent documents none; COS pre-signs for minutes). */
export const CODE_URL_TTL_SECONDS = 600;

export const CODE_URL_PATH = "/quiver/v1/code";

/** What a code URL names. */
export interface CodeUrlTarget {
  readonly region: string;
  readonly namespace: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly sha256: string;
}

function signature(secretKey: string, appId: string, t: CodeUrlTarget, expires: number): string {
  return createHmac("sha256", secretKey).update(["quiver-code", appId, t.region, t.namespace, t.functionName, t.qualifier, t.sha256, String(expires)].join("\n")).digest("hex");
}

/** The URL under `base` (`http://host:port`) that downloads the target's package until `nowSec + ttl`. */
export function signedCodeUrl(base: string, account: Account, target: CodeUrlTarget, nowSec: number): string {
  const key = account.tencent?.secretKey;
  if (key === undefined) throw new Error("an account without SCF keys cannot sign a code URL");
  const expires = Math.floor(nowSec) + CODE_URL_TTL_SECONDS;
  const path = [account.appId, target.region, target.namespace, target.functionName, target.qualifier].map(encodeURIComponent).join("/");
  return `${base}${CODE_URL_PATH}/${path}?sha256=${target.sha256}&expires=${expires}&signature=${signature(key, account.appId, target, expires)}`;
}

export type CodeUrlCheck = "ok" | "expired" | "bad-signature";

/** Whether a presented URL's parts were signed by the account and are still good at `nowSec`. */
export function checkCodeUrl(account: Account, target: CodeUrlTarget, expires: string, presented: string, nowSec: number): CodeUrlCheck {
  const key = account.tencent?.secretKey;
  if (key === undefined || !/^\d{1,12}$/.test(expires)) return "bad-signature";
  if (!constantTimeEqual(signature(key, account.appId, target, Number(expires)), presented)) return "bad-signature";
  return Number(expires) < nowSec ? "expired" : "ok";
}
