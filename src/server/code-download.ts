/**
 * The zips the short-lived download URLs name (dialects/shared/code-urls.ts):
 * - `GET /quiver/v1/code/{appId}/{region}/{namespace}/{function}/{qualifier}?sha256=…&expires=…&signature=…`,
 *   a function's code package (SCF GetFunctionAddress), while the account's function still runs it;
 * - `GET /quiver/v1/layers/{appId}/{region}/{layer}/{version}?sha256=…&expires=…&signature=…`,
 *   a layer version's zip (SCF GetLayerVersion `Location`, FunctionGraph `link` / `download_link`),
 *   while the account still has that version.
 * Each is served when its signature is the account's and it has not expired. Refusals are
 * Quiver's own API shape; a bad signature and an unknown account read the same, so the routes
 * tell nothing about which accounts exist.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Account, AccountRegistry } from "../accounts/accounts.js";
import { QuiverError } from "../core/errors.js";
import type { BlobStore } from "../core/ports.js";
import type { FunctionService } from "../core/service.js";
import { checkCodeUrl, checkLayerUrl, type CodeUrlCheck } from "../dialects/shared/code-urls.js";

interface Signature {
  sha256?: string;
  expires?: string;
  signature?: string;
}

interface CodeParams {
  appId: string;
  region: string;
  namespace: string;
  fn: string;
  qualifier: string;
}

interface LayerParams {
  appId: string;
  region: string;
  layer: string;
  version: string;
}

/**
 * The account that signed a URL, once its signature is checked and it has not expired. `check`
 * verifies the URL's own parts; `ask` names the action that gives a fresh one.
 */
function signer(accounts: AccountRegistry, appId: string, sha256: string, check: (account: Account) => CodeUrlCheck, ask: string): Account {
  const account = accounts.byAppId(appId);
  const verdict = account === undefined || !/^[0-9a-f]{64}$/.test(sha256) ? "bad-signature" : check(account);
  if (verdict === "expired") throw new QuiverError("AuthExpired", `This download URL has expired; ask ${ask} for a new one.`);
  if (account === undefined || verdict !== "ok") throw new QuiverError("AuthSignatureMismatch", "This download URL is not valid (its signature does not match).");
  return account;
}

async function sendZip(reply: FastifyReply, blobs: BlobStore, sha256: string): Promise<FastifyReply> {
  const zip = await blobs.read(sha256);
  return reply.header("content-type", "application/zip").header("cache-control", "private, no-store").send(zip);
}

export function registerCodeDownload(scope: FastifyInstance, accounts: AccountRegistry, service: FunctionService, blobs: BlobStore): void {
  scope.get<{ Params: CodeParams; Querystring: Signature }>("/v1/code/:appId/:region/:namespace/:fn/:qualifier", async (request, reply) => {
    const { appId, region, namespace, fn, qualifier } = request.params;
    const { sha256 = "", expires = "", signature = "" } = request.query;
    const target = { region, namespace, functionName: fn, qualifier, sha256 };
    const account = signer(accounts, appId, sha256, (a) => checkCodeUrl(a, target, expires, signature, Date.now() / 1000), "GetFunctionAddress");
    // Looked up in the signing account: its own URL can only ever name its own code.
    const code = await service.versions.packageOf({ scope: { accountId: account.name, region }, namespace, name: fn }, qualifier);
    if (code.sha256 !== sha256) throw new QuiverError("VersionNotFound", "The code this URL names has changed since it was issued; ask GetFunctionAddress again.", { subject: "qualifier" });
    return sendZip(reply, blobs, sha256);
  });

  scope.get<{ Params: LayerParams; Querystring: Signature }>("/v1/layers/:appId/:region/:layer/:version", async (request, reply) => {
    const { appId, region, layer, version } = request.params;
    const { sha256 = "", expires = "", signature = "" } = request.query;
    const number = /^[1-9]\d{0,14}$/.test(version) ? Number(version) : 0;
    const target = { region, layerName: layer, version: number, sha256 };
    const ask = "GetLayerVersion or showDependencyVersion";
    const account = signer(accounts, appId, sha256, (a) => (number === 0 ? "bad-signature" : checkLayerUrl(a, target, expires, signature, Date.now() / 1000)), ask);
    // Looked up in the signing account, as code is: a version deleted since (or another account's) is not found.
    const found = await service.layers.get({ accountId: account.name, region }, { name: layer, version: number });
    if (found.code.sha256 !== sha256) throw new QuiverError("LayerNotFound", `The layer version this URL names is not the one it was issued for; ask ${ask} again.`, { subject: "layerVersion" });
    return sendZip(reply, blobs, sha256);
  });
}
