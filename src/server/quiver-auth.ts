/**
 * Who signed a request to Quiver's own API (`/quiver/v1/…`: the live tail, the console's
 * statistics), checked exactly as a signed HTTP trigger URL is: TC3-HMAC-SHA256 with Tencent
 * keys, SDK-HMAC-SHA256 or the static token with Huawei keys, over the request's own path and
 * query. See docs/observability.md, "Live tail".
 */
import type { Account, AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { Scope } from "../core/model.js";
import { APIG_VENDOR, SCF_VENDOR } from "../dialects/http-door/vendors.js";
import type { RawHttpRequest } from "../dialects/shared/raw-request.js";

/**
 * The account that signed a request and the scope it reads: Tencent keys read the region the
 * request names in X-TC-Region (else the server's default), as the SCF API does; Huawei keys
 * read their project's region, as the FunctionGraph API does.
 */
export function signerOf(raw: RawHttpRequest, accounts: AccountRegistry, defaultRegion: string): { account: Account; scope: Scope } {
  const authorization = headerOf(raw, "authorization");
  const nowMs = Date.now();
  if (authorization === undefined && headerOf(raw, "x-auth-token") === undefined) {
    throw new QuiverError("AuthMissing", "Sign the request with the account's keys: TC3-HMAC-SHA256 (Tencent) or SDK-HMAC-SHA256 (Huawei) over this GET, its path and query.");
  }
  if (authorization?.trim().startsWith("TC3-HMAC-SHA256")) {
    const { account } = SCF_VENDOR.signer(raw, accounts, nowMs);
    const region = headerOf(raw, "x-tc-region") || defaultRegion;
    if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new QuiverError("InvalidParameter", `Region "${region}" is not a valid region name.`);
    return { account, scope: { accountId: account.name, region } };
  }
  const { account } = APIG_VENDOR.signer(raw, accounts, nowMs);
  return { account, scope: { accountId: account.name, region: account.huawei?.region ?? defaultRegion } };
}

function headerOf(raw: RawHttpRequest, name: string): string | undefined {
  const value = raw.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
