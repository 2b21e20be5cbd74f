/**
 * Layer download URLs through the official SDKs: SCF GetLayerVersion `Location` and FunctionGraph
 * dependency `link` / `download_link` download the exact zip, by the same short-lived signed URLs
 * as GetFunctionAddress (test/scf/function-address.sdk.test.ts). The URL is refused once expired,
 * when any part of it is changed, when the version is gone, and when another account signs one
 * for itself naming the first account's layer.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB, type TestAccount } from "../helpers/accounts.js";
import { createBody, fg, fgClient, showConfig, urnOf, wire, type Wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { buildZip, nodeHandlerZip } from "../helpers/zip.js";
import { checkLayerUrl, signedLayerUrl } from "../../src/dialects/shared/code-urls.js";
import type { Account } from "../../src/accounts/accounts.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
const md5 = (bytes: Buffer): string => createHash("md5").update(bytes).digest("hex");
const account = (a: TestAccount): Account => ({ name: a.name, appId: a.appId, uin: a.uin, tencent: a.tencent });

async function download(url: string): Promise<{ status: number; body: Buffer; type: string | null; json?: { error: { code: string; message: string } } }> {
  const response = await fetch(url);
  const body = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get("content-type");
  return response.ok ? { status: response.status, body, type } : { status: response.status, body, type, json: JSON.parse(body.toString()) as { error: { code: string; message: string } } };
}

function layerZip(marker: string): Promise<Buffer> {
  return buildZip({ [`nodejs/node_modules/${marker}/index.js`]: `module.exports = ${JSON.stringify(marker)};\n` });
}

async function publish(scf: ScfClient, name: string, zip: Buffer): Promise<number> {
  const { LayerVersion } = await scf.PublishLayerVersion({ LayerName: name, CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: zip.toString("base64") } });
  assert.ok(LayerVersion !== undefined);
  return LayerVersion;
}

void describe("layer download URLs", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let fgs: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
    fgs = fgClient(server.url);
  });
  after(async () => server?.stop());

  void test("SCF GetLayerVersion: Location downloads the exact zip, whose SHA-256 is CodeSha256; each version its own", async () => {
    const one = await layerZip("one");
    const two = await layerZip("two");
    await publish(scf, "located", one);
    await publish(scf, "located", two);
    const v1 = await scf.GetLayerVersion({ LayerName: "located", LayerVersion: 1 });
    assert.ok(v1.Location?.startsWith(`${server.url}/quiver/v1/layers/${ALICE.appId}/`), v1.Location);
    const got = await download(v1.Location ?? "");
    assert.equal(got.status, 200);
    assert.equal(got.type, "application/zip");
    assert.ok(got.body.equals(one), "the bytes published");
    assert.equal(sha256(got.body), v1.CodeSha256);
    const v2 = await scf.GetLayerVersion({ LayerName: "located", LayerVersion: 2 });
    assert.ok((await download(v2.Location ?? "")).body.equals(two));

    // A deleted version's URL stops working (SCF lets it be deleted; its number is never reused).
    await scf.DeleteLayerVersion({ LayerName: "located", LayerVersion: 1 });
    const gone = await download(v1.Location ?? "");
    assert.equal(gone.status, 404);
    assert.equal(gone.json?.error.code, "LayerNotFound");
    await expectScfError(scf.GetLayerVersion({ LayerName: "located", LayerVersion: 1 }), "ResourceNotFound.LayerVersion");
  });

  void test("FunctionGraph: link (dependency answers and function metadata) and download_link download the exact zip; etag is its MD5", async () => {
    const zip = await buildZip({ "node_modules/linked/index.js": "module.exports = 'linked';\n" });
    const body = new fg.CreateDependencyRequestBody().withDependType("zip").withDependFile(zip.toString("base64")).withRuntime("Node.js18.15").withName("linked");
    const created = wire(await fgs.createDependencyVersion(new fg.CreateDependencyVersionRequest().withBody(body)));
    const fromCreate = await download(String(created["link"]));
    assert.equal(fromCreate.status, 200);
    assert.ok(fromCreate.body.equals(zip));
    assert.equal(md5(fromCreate.body), created["etag"]);
    assert.equal(fromCreate.body.length, created["size"]);

    const shown = wire(await fgs.showDependencyVersion(new fg.ShowDependencyVersionRequest().withDependId(String(created["dep_id"])).withVersion("1")));
    assert.ok(String(shown["download_link"]).startsWith(`${server.url}/quiver/v1/layers/${ALICE.appId}/${ALICE.huawei.region}/linked/1?`), String(shown["download_link"]));
    assert.ok((await download(String(shown["download_link"]))).body.equals(zip));

    await fgs.createFunction(new fg.CreateFunctionRequest().withBody(createBody(await nodeHandlerZip(), "links").withDependVersionList([String(created["id"])])));
    const config = await showConfig(fgs, urnOf("links"));
    const [dependency] = config["dependencies"] as Wire[];
    assert.ok((await download(String(dependency?.["link"]))).body.equals(zip), "a function's dependency links to its zip too");
  });

  void test("expired, tampered or another account's layer URLs are refused", async () => {
    await publish(scf, "guarded", await layerZip("guarded"));
    await publish(scf, "guarded", await layerZip("guarded-2"));
    const got = await scf.GetLayerVersion({ LayerName: "guarded", LayerVersion: 1 });
    const url = new URL(got.Location ?? "");
    const region = decodeURIComponent(url.pathname.split("/")[5] ?? "");
    const target = { region, layerName: "guarded", version: 1, sha256: got.CodeSha256 ?? "" };
    assert.equal((await download(url.href)).status, 200, "the URL as issued works");

    const expired = await download(signedLayerUrl(server.url, account(ALICE), target, Date.now() / 1000 - 601));
    assert.equal(expired.status, 401);
    assert.equal(expired.json?.error.code, "AuthExpired");

    const withParam = (name: string, value: string): string => {
      const u = new URL(url);
      u.searchParams.set(name, value);
      return u.href;
    };
    const tampered = [
      withParam("expires", String(Number(url.searchParams.get("expires")) + 3600)),
      withParam("sha256", "0".repeat(64)),
      withParam("signature", "f".repeat(64)),
      withParam("expires", "soon"),
      url.href.replace(`/${ALICE.appId}/`, `/${BOB.appId}/`),
      url.href.replace("/guarded/1?", "/guarded/2?"),
      url.href.replace("/guarded/1?", "/guarded/01?"),
      url.href.replace("/guarded/1?", "/guarded/0?"),
      url.href.replace("/guarded/1?", "/guarde/1?"),
      `${server.url}/quiver/v1/layers/9999999999/${region}/guarded/1${url.search}`,
    ];
    for (const bad of tampered) {
      const answer = await download(bad);
      assert.equal(answer.status, 401, bad);
      assert.equal(answer.json?.error.code, "AuthSignatureMismatch", bad);
    }

    // BOB signs, with his own key, a URL naming ALICE's layer and digest under his appId: the
    // signature is valid, but the lookup happens in BOB's account, where there is no such layer.
    const bobs = await download(signedLayerUrl(server.url, account(BOB), target, Date.now() / 1000));
    assert.equal(bobs.status, 404);
    assert.doesNotMatch(bobs.body.toString(), /PK/);
  });

  void test("an account with only FunctionGraph keys signs with its SK", () => {
    const huaweiOnly: Account = { name: "hw", appId: "1250000009", uin: "100000000009", huawei: ALICE.huawei };
    const target = { region: ALICE.huawei.region, layerName: "dep", version: 3, sha256: "a".repeat(64) };
    const url = new URL(signedLayerUrl("http://127.0.0.1:1", huaweiOnly, target, Date.now() / 1000));
    const [expires, signature] = [url.searchParams.get("expires") ?? "", url.searchParams.get("signature") ?? ""];
    assert.equal(checkLayerUrl(huaweiOnly, target, expires, signature, Date.now() / 1000), "ok");
    assert.equal(checkLayerUrl({ ...huaweiOnly, huawei: { ...ALICE.huawei, secretKey: "another-secret-key-000000000000000000000" } }, target, expires, signature, Date.now() / 1000), "bad-signature");
  });
});
