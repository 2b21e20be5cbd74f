/**
 * Short-lived download URLs for a function's code package (SCF GetFunctionAddress), served by
 * Quiver at `GET /quiver/v1/code/{appId}/{sha256}?expires=…&signature=…`. The signature is an
 * HMAC-SHA256 keyed with the account's own SCF SecretKey over the appId, the package digest and
 * the expiry: nobody without that key can make one, a changed digest, account or expiry no
 * longer matches, and every Quiver node sharing the accounts file can check it. Like a COS
 * pre-signed URL, the URL itself is the permission until it expires.
 */
import { createHmac } from "node:crypto";
import type { Account } from "../../accounts/accounts.js";
import { constantTimeEqual } from "../../core/constant-time.js";

/** How long a download URL is good for (Tencent documents none; COS pre-signs for minutes). */
export const CODE_URL_TTL_SECONDS = 600;

export const CODE_URL_PATH = "/quiver/v1/code";

function signature(secretKey: string, appId: string, sha256: string, expires: number): string {
  return createHmac("sha256", secretKey).update(`quiver-code\n${appId}\n${sha256}\n${expires}`).digest("hex");
}

/** The URL under `base` (`http://host:port`) that downloads `sha256` for the account until `nowSec + ttl`. */
export function signedCodeUrl(base: string, account: Account, sha256: string, nowSec: number): string {
  const key = account.tencent?.secretKey;
  if (key === undefined) throw new Error("an account without SCF keys cannot sign a code URL");
  const expires = Math.floor(nowSec) + CODE_URL_TTL_SECONDS;
  return `${base}${CODE_URL_PATH}/${account.appId}/${sha256}?expires=${expires}&signature=${signature(key, account.appId, sha256, expires)}`;
}

export type CodeUrlCheck = "ok" | "expired" | "bad-signature";

/** Whether a presented URL's parts were signed by the account and are still good at `nowSec`. */
export function checkCodeUrl(account: Account, sha256: string, expires: string, presented: string, nowSec: number): CodeUrlCheck {
  const key = account.tencent?.secretKey;
  if (key === undefined || !/^\d{1,12}$/.test(expires)) return "bad-signature";
  if (!constantTimeEqual(signature(key, account.appId, sha256, Number(expires)), presented)) return "bad-signature";
  return Number(expires) < nowSec ? "expired" : "ok";
}
