/**
 * `GET /quiver/v1/code/{appId}/{region}/{namespace}/{function}/{qualifier}?sha256=…&expires=…&signature=…`:
 * the code package a GetFunctionAddress URL names (dialects/shared/code-urls.ts), when its
 * signature is the account's, it has not expired, and the account's function still runs that
 * package. Refusals are Quiver's own API shape; a bad signature and an unknown account read the
 * same, so the route tells nothing about which accounts exist.
 */
import type { FastifyInstance } from "fastify";
import type { AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { BlobStore } from "../core/ports.js";
import type { FunctionService } from "../core/service.js";
import { checkCodeUrl, type CodeUrlTarget } from "../dialects/shared/code-urls.js";

interface Params {
  appId: string;
  region: string;
  namespace: string;
  fn: string;
  qualifier: string;
}

export function registerCodeDownload(scope: FastifyInstance, accounts: AccountRegistry, service: FunctionService, blobs: BlobStore): void {
  scope.get<{ Params: Params; Querystring: { sha256?: string; expires?: string; signature?: string } }>("/v1/code/:appId/:region/:namespace/:fn/:qualifier", async (request, reply) => {
    const { appId, region, namespace, fn, qualifier } = request.params;
    const { sha256 = "", expires = "", signature = "" } = request.query;
    const account = accounts.byAppId(appId);
    const target: CodeUrlTarget = { region, namespace, functionName: fn, qualifier, sha256 };
    const check = account === undefined || !/^[0-9a-f]{64}$/.test(sha256) ? "bad-signature" : checkCodeUrl(account, target, expires, signature, Date.now() / 1000);
    if (check === "expired") throw new QuiverError("AuthExpired", "This code download URL has expired; ask GetFunctionAddress for a new one.");
    if (account === undefined || check !== "ok") throw new QuiverError("AuthSignatureMismatch", "This code download URL is not valid (its signature does not match).");
    // Looked up in the signing account: its own URL can only ever name its own code.
    const code = await service.versions.packageOf({ scope: { accountId: account.name, region }, namespace, name: fn }, qualifier);
    if (code.sha256 !== sha256) throw new QuiverError("VersionNotFound", "The code this URL names has changed since it was issued; ask GetFunctionAddress again.", { subject: "qualifier" });
    const zip = await blobs.read(sha256);
    return reply.header("content-type", "application/zip").header("cache-control", "private, no-store").send(zip);
  });
}
