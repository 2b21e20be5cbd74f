/**
 * `GET /quiver/v1/code/{appId}/{sha256}?expires=…&signature=…`: the code package a
 * GetFunctionAddress URL names (dialects/shared/code-urls.ts), when its signature is the
 * account's and it has not expired. Refusals are Quiver's own API shape; a bad signature and
 * an unknown account read the same, so the route tells nothing about which accounts exist.
 */
import type { FastifyInstance } from "fastify";
import type { AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { BlobStore } from "../core/ports.js";
import { checkCodeUrl } from "../dialects/shared/code-urls.js";

export function registerCodeDownload(scope: FastifyInstance, accounts: AccountRegistry, blobs: BlobStore): void {
  scope.get<{ Params: { appId: string; sha256: string }; Querystring: { expires?: string; signature?: string } }>("/v1/code/:appId/:sha256", async (request, reply) => {
    const { appId, sha256 } = request.params;
    const { expires = "", signature = "" } = request.query;
    const account = accounts.byAppId(appId);
    const check = account === undefined || !/^[0-9a-f]{64}$/.test(sha256) ? "bad-signature" : checkCodeUrl(account, sha256, expires, signature, Date.now() / 1000);
    if (check === "expired") throw new QuiverError("AuthExpired", "This code download URL has expired; ask GetFunctionAddress for a new one.");
    if (check !== "ok") throw new QuiverError("AuthSignatureMismatch", "This code download URL is not valid (its signature does not match).");
    const zip = await blobs.read(sha256);
    return reply.header("content-type", "application/zip").header("cache-control", "private, no-store").send(zip);
  });
}
