/**
 * SCF GetFunctionAddress through the official SDK: a URL Quiver serves the package at, with its
 * SHA-256, for $LATEST, a version and a hot-reloaded head; the URL is refused once expired, when
 * any part of it is changed, and when another account signs one for itself naming the first
 * account's code by its digest.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, BOB, tempDir, type TestAccount } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, errorCode, scfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";
import { signedCodeUrl } from "../../src/dialects/shared/code-urls.js";
import type { Account } from "../../src/accounts/accounts.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
const account = (a: TestAccount): Account => ({ name: a.name, appId: a.appId, uin: a.uin, tencent: a.tencent });

async function download(url: string): Promise<{ status: number; body: Buffer; json?: { error: { code: string; message: string } } }> {
  const response = await fetch(url);
  const body = Buffer.from(await response.arrayBuffer());
  return response.ok ? { status: response.status, body } : { status: response.status, body, json: JSON.parse(body.toString()) as { error: { code: string; message: string } } };
}

describe("GetFunctionAddress", () => {
  const root = tempDir("quiver-address-root-");
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ hotReloadRoot: root.path });
    await createFunction(scfClient(server), { name: "pkg", files: { "index.js": "exports.main_handler = async () => 'one';\n" } });
  });
  after(async () => {
    await server.stop();
    root.remove();
  });

  it("$LATEST and a version: the URL serves the exact package; CodeSha256 is its hex SHA-256", async () => {
    const scf = scfClient(server);
    const zip = Buffer.from(await zipBase64({ "index.js": "exports.main_handler = async () => 'one';\n" }), "base64");
    const head = await scf.GetFunctionAddress({ FunctionName: "pkg" });
    assert.equal(head.CodeSha256, sha256(zip));
    assert.ok(head.Url?.startsWith(`${server.url}/quiver/v1/code/`), head.Url);
    const got = await download(head.Url ?? "");
    assert.equal(got.status, 200);
    assert.ok(got.body.equals(zip), "the bytes uploaded");

    await scf.PublishVersion({ FunctionName: "pkg" });
    await scf.UpdateFunctionCode({ FunctionName: "pkg", ZipFile: await zipBase64({ "index.js": "exports.main_handler = async () => 'two';\n" }) });
    const v1 = await scf.GetFunctionAddress({ FunctionName: "pkg", Qualifier: "1" });
    assert.equal(v1.CodeSha256, sha256(zip), "version 1 keeps the first package");
    assert.ok((await download(v1.Url ?? "")).body.equals(zip));
    assert.notEqual((await scf.GetFunctionAddress({ FunctionName: "pkg" })).CodeSha256, v1.CodeSha256);
    assert.equal((await download(head.Url ?? "")).status, 404, "a $LATEST URL stops once $LATEST runs other code");
    assert.equal(await errorCode(scf.GetFunctionAddress({ FunctionName: "pkg", Qualifier: "9" })), "ResourceNotFound.Version");
    assert.equal(await errorCode(scf.GetFunctionAddress({ FunctionName: "absent" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(scfClient(server, BOB).GetFunctionAddress({ FunctionName: "pkg" })), "ResourceNotFound.Function");
  });

  it("a hot-reloaded head: the directory's files, zipped now", async () => {
    const scf = scfClient(server);
    const dir = join(root.path, "app");
    mkdirSync(dir);
    writeFileSync(join(dir, "index.js"), "exports.main_handler = async () => 'hot';\n");
    await scf.CreateFunction({ FunctionName: "hotpkg", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: dir } });
    const address = await scf.GetFunctionAddress({ FunctionName: "hotpkg" });
    const got = await download(address.Url ?? "");
    assert.equal(got.status, 200);
    assert.equal(sha256(got.body), address.CodeSha256);
  });

  it("expired, tampered or another account's URLs are refused", async () => {
    const scf = scfClient(server);
    const version = await scf.GetFunctionAddress({ FunctionName: "pkg", Qualifier: "1" });
    const url = new URL(version.Url ?? "");
    const sha = url.searchParams.get("sha256") ?? "";
    const target = { region: "ap-guangzhou", namespace: "default", functionName: "pkg", qualifier: "1", sha256: sha };

    const expired = signedCodeUrl(server.url, account(ALICE), target, Date.now() / 1000 - 601);
    const refusedExpired = await download(expired);
    assert.equal(refusedExpired.status, 401);
    assert.equal(refusedExpired.json?.error.code, "AuthExpired");

    const tampered: string[] = [];
    const withParam = (name: string, value: string): string => {
      const u = new URL(url);
      u.searchParams.set(name, value);
      return u.href;
    };
    tampered.push(withParam("expires", String(Number(url.searchParams.get("expires")) + 3600)));
    tampered.push(withParam("sha256", "0".repeat(64)));
    tampered.push(withParam("signature", "f".repeat(64)));
    tampered.push(url.href.replace(`/${ALICE.appId}/`, `/${BOB.appId}/`));
    tampered.push(url.href.replace("/pkg/1?", "/pkg/$LATEST?"));
    for (const bad of tampered) {
      const answer = await download(bad);
      assert.equal(answer.status, 401, bad);
      assert.equal(answer.json?.error.code, "AuthSignatureMismatch", bad);
    }

    // BOB signs, with his own key, a URL naming ALICE's function and digest under his appId:
    // the signature is valid, but the lookup happens in BOB's account, where there is no such code.
    const bobs = await download(signedCodeUrl(server.url, account(BOB), target, Date.now() / 1000));
    assert.equal(bobs.status, 404);
    assert.doesNotMatch(bobs.body.toString(), /PK/);
  });
});
