/**
 * Short-lived download URLs for stored zips, served by Quiver:
 * - a function's code package (SCF GetFunctionAddress) at
 *   `GET /quiver/v1/code/{appId}/{region}/{namespace}/{function}/{qualifier}?sha256=…&expires=…&signature=…`;
 * - a layer version's zip (SCF GetLayerVersion `Location`, FunctionGraph dependency `link` and
 *   `download_link`) at `GET /quiver/v1/layers/{appId}/{region}/{layer}/{version}?sha256=…&expires=…&signature=…`.
 *
 * The signature is an HMAC-SHA256 keyed with the account's own secret key (its SCF SecretKey,
 * or its FunctionGraph SK when it has no SCF keys) over what the URL is for and everything it
 * names: nobody without that key can make one, and any changed part (kind, account, names,
 * digest, expiry) no longer matches; every node sharing the accounts file can check it. The
 * server then looks the target up *in the signing account* and serves the zip only if it is
 * still the one named, so a URL an account signs for itself can never reach another account's
 * zip, even by its digest. Like a COS or OBS pre-signed URL, the URL is the permission until it
 * expires.
 */
import { createHmac } from "node:crypto";
import type { Account } from "../../accounts/accounts.js";
import { constantTimeEqual } from "../../core/constant-time.js";

/** How long a download URL is good for (neither vendor documents one; COS and OBS pre-sign for minutes). */
export const CODE_URL_TTL_SECONDS = 600;

export const CODE_URL_PATH = "/quiver/v1/code";
export const LAYER_URL_PATH = "/quiver/v1/layers";

/** What a code URL names. */
export interface CodeUrlTarget {
  readonly region: string;
  readonly namespace: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly sha256: string;
}

/** What a layer URL names: one version of a layer (a FunctionGraph dependency version), by name and number. */
export interface LayerUrlTarget {
  readonly region: string;
  readonly layerName: string;
  readonly version: number;
  readonly sha256: string;
}

/** A URL's route, what it is for (signed, so one kind of URL can never pass for another), and its path parts. */
interface Signed {
  readonly route: string;
  readonly purpose: string;
  readonly parts: readonly string[];
  readonly sha256: string;
}

const codeSigned = (t: CodeUrlTarget): Signed => ({ route: CODE_URL_PATH, purpose: "quiver-code", parts: [t.region, t.namespace, t.functionName, t.qualifier], sha256: t.sha256 });
const layerSigned = (t: LayerUrlTarget): Signed => ({ route: LAYER_URL_PATH, purpose: "quiver-layer", parts: [t.region, t.layerName, String(t.version)], sha256: t.sha256 });

/** The account's key that signs its URLs; accounts of either vendor have one. */
function signingKey(account: Account): string | undefined {
  return account.tencent?.secretKey ?? account.huawei?.secretKey;
}

function signature(key: string, appId: string, s: Signed, expires: number): string {
  return createHmac("sha256", key).update([s.purpose, appId, ...s.parts, s.sha256, String(expires)].join("\n")).digest("hex");
}

function signedUrl(base: string, account: Account, s: Signed, nowSec: number): string {
  const key = signingKey(account);
  if (key === undefined) throw new Error("an account without keys cannot sign a download URL");
  const expires = Math.floor(nowSec) + CODE_URL_TTL_SECONDS;
  const path = [account.appId, ...s.parts].map(encodeURIComponent).join("/");
  return `${base}${s.route}/${path}?sha256=${s.sha256}&expires=${expires}&signature=${signature(key, account.appId, s, expires)}`;
}

export type CodeUrlCheck = "ok" | "expired" | "bad-signature";

function checkSigned(account: Account, s: Signed, expires: string, presented: string, nowSec: number): CodeUrlCheck {
  const key = signingKey(account);
  if (key === undefined || !/^\d{1,12}$/.test(expires)) return "bad-signature";
  if (!constantTimeEqual(signature(key, account.appId, s, Number(expires)), presented)) return "bad-signature";
  return Number(expires) < nowSec ? "expired" : "ok";
}

/** The URL under `base` (`http://host:port`) that downloads the target's package until `nowSec + ttl`. */
export function signedCodeUrl(base: string, account: Account, target: CodeUrlTarget, nowSec: number): string {
  return signedUrl(base, account, codeSigned(target), nowSec);
}

/** The URL under `base` that downloads a layer version's zip until `nowSec + ttl`. */
export function signedLayerUrl(base: string, account: Account, target: LayerUrlTarget, nowSec: number): string {
  return signedUrl(base, account, layerSigned(target), nowSec);
}

/** Whether a presented code URL's parts were signed by the account and are still good at `nowSec`. */
export function checkCodeUrl(account: Account, target: CodeUrlTarget, expires: string, presented: string, nowSec: number): CodeUrlCheck {
  return checkSigned(account, codeSigned(target), expires, presented, nowSec);
}

/** Whether a presented layer URL's parts were signed by the account and are still good at `nowSec`. */
export function checkLayerUrl(account: Account, target: LayerUrlTarget, expires: string, presented: string, nowSec: number): CodeUrlCheck {
  return checkSigned(account, layerSigned(target), expires, presented, nowSec);
}

/** The base URL a client reached the API at: the public URL when one is configured, else the Host it sent. */
export function apiBaseOf(headers: Readonly<Record<string, string | string[] | undefined>>, publicUrl: string | undefined): string {
  if (publicUrl !== undefined) return publicUrl.replace(/\/+$/, "");
  const host = headers["host"];
  return `http://${typeof host === "string" && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? host : "127.0.0.1"}`;
}
