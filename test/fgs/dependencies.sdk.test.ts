/**
 * FunctionGraph dependencies through the official Node SDK: the dependency version routes, their
 * fields and codes, `depend_version_list` on functions, `dependencies` in version metadata, the
 * same records seen as SCF layers, and account isolation.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { createBody, fg, fgClient, publishVersion, sdkFailure, showConfig, urnOf, wire, type Wire } from "../helpers/fgs-sdk.js";
import { scfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip, nodeHandlerZip } from "../helpers/zip.js";

async function dependencyZip(marker: string): Promise<Buffer> {
  return buildZip({ [`node_modules/${marker}/index.js`]: `module.exports = ${JSON.stringify(marker)};\n` });
}

function createRequest(zip: Buffer, name: string, extra: { runtime?: string; description?: string; type?: string } = {}): fg.CreateDependencyVersionRequest {
  const body = new fg.CreateDependencyRequestBody()
    .withDependType(extra.type ?? "zip")
    .withDependFile(zip.toString("base64"))
    .withRuntime(extra.runtime ?? "Node.js18.15")
    .withName(name);
  if (extra.description !== undefined) body.withDescription(extra.description);
  return new fg.CreateDependencyVersionRequest().withBody(body);
}

void describe("FunctionGraph dependencies (SDK)", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  let bob: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver();
    client = fgClient(server.url);
    bob = fgClient(server.url, BOB.huawei);
  });
  after(async () => server?.stop());

  async function create(name: string, marker = name, c = client): Promise<Wire> {
    return wire(await c.createDependencyVersion(createRequest(await dependencyZip(marker), name)));
  }

  void test("createDependencyVersion answers the documented Dependency fields; a name's next call adds its next version", async () => {
    const zip = await dependencyZip("fields");
    const first = wire(await client.createDependencyVersion(createRequest(zip, "fields.lib", { description: "shared" })));
    assert.equal(first["name"], "fields.lib");
    assert.equal(first["version"], 1);
    assert.equal(first["runtime"], "Node.js18.15");
    assert.equal(first["description"], "shared");
    assert.equal(first["etag"], createHash("md5").update(zip).digest("hex"));
    assert.equal(first["size"], zip.length);
    assert.equal(first["owner"], ALICE.huawei.domainId);
    assert.equal(typeof first["link"], "string");
    assert.equal(first["file_name"], "fields.lib.zip");
    assert.equal(typeof first["id"], "string");
    assert.equal(typeof first["dep_id"], "string");
    assert.ok(Math.abs(Number(first["last_modified"]) - Date.now() / 1000) < 120, "epoch seconds");
    const second = await create("fields.lib", "fields-2");
    assert.equal(second["version"], 2);
    assert.equal(second["dep_id"], first["dep_id"], "one package");
    assert.notEqual(second["id"], first["id"], "each version has its own id");
  });

  void test("listDependencies (one per package), listDependencyVersion, showDependencyVersion", async () => {
    const first = await create("listed");
    await create("listed", "listed-2");
    await create("other-listed");
    const list = wire(await client.listDependencies(new fg.ListDependenciesRequest().withName("listed")));
    const items = list["dependencies"] as Wire[];
    assert.deepEqual(items.map((d) => [d["name"], d["version"]]), [["listed", 2], ["other-listed", 1]]);
    assert.equal(items[0]?.["id"], first["dep_id"], "a list item's id is the package id");
    assert.equal(list["count"], 2);
    assert.equal(typeof list["next_marker"], "number");
    const publics = wire(await client.listDependencies(new fg.ListDependenciesRequest().withDependencyType("public")));
    assert.deepEqual(publics["dependencies"], []);
    const versions = wire(await client.listDependencyVersion(new fg.ListDependencyVersionRequest().withDependId(String(first["dep_id"]))));
    assert.deepEqual((versions["dependencies"] as Wire[]).map((d) => d["version"]), [2, 1]);
    assert.equal(versions["count"], 2);
    const shown = wire(await client.showDependencyVersion(new fg.ShowDependencyVersionRequest().withDependId(String(first["dep_id"])).withVersion("1")));
    assert.equal(shown["id"], first["id"]);
    assert.equal(shown["etag"], first["etag"]);
    assert.ok("download_link" in shown);
  });

  void test("depend_version_list on createFunction and updateFunctionCode; dependencies in config and version metadata; deleting one in use is refused", async () => {
    const a = await create("dep-a");
    const b = await create("dep-b");
    const body = createBody(await nodeHandlerZip(), "with-deps").withDependVersionList([String(a["id"]), String(b["id"])]);
    await client.createFunction(new fg.CreateFunctionRequest().withBody(body));
    const config = await showConfig(client, urnOf("with-deps"));
    assert.deepEqual(config["depend_version_list"], [a["id"], b["id"]]);
    assert.deepEqual(config["depend_list"], [a["dep_id"], b["dep_id"]]);
    assert.deepEqual((config["dependencies"] as Wire[]).map((d) => [d["name"], d["version"], d["etag"]]), [["dep-a", 1, a["etag"]], ["dep-b", 1, b["etag"]]]);
    const version = await publishVersion(client, urnOf("with-deps"), { version: "v1" });
    assert.deepEqual((version["dependencies"] as Wire[]).map((d) => d["id"]), [a["id"], b["id"]], "createFunctionVersion answers them");
    const a2 = await create("dep-a", "dep-a-2");
    const code = new fg.UpdateFunctionCodeRequestBody().withCodeType("zip").withFuncCode(new fg.FuncCode().withFile((await nodeHandlerZip()).toString("base64"))).withDependVersionList([String(a2["id"])]);
    const updated = wire(await client.updateFunctionCode(new fg.UpdateFunctionCodeRequest().withFunctionUrn(urnOf("with-deps")).withBody(code)));
    assert.deepEqual(updated["depend_version_list"], [a2["id"]]);
    assert.deepEqual((await showConfig(client, urnOf("with-deps", "v1")))["depend_version_list"], [a["id"], b["id"]], "the version keeps its dependencies");
    // b is bound only by version v1 now: still in use.
    const refused = await sdkFailure(client.deleteDependencyVersion(new fg.DeleteDependencyVersionRequest().withDependId(String(b["dep_id"])).withVersion("1")));
    assert.equal(refused.httpStatusCode, 412);
    assert.equal(refused.errorCode, "FSS.1033");
    const unused = await create("dep-unused");
    await client.deleteDependencyVersion(new fg.DeleteDependencyVersionRequest().withDependId(String(unused["dep_id"])).withVersion("1"));
    const gone = await sdkFailure(client.showDependencyVersion(new fg.ShowDependencyVersionRequest().withDependId(String(unused["dep_id"])).withVersion("1")));
    assert.equal(gone.httpStatusCode, 404);
    assert.equal(gone.errorCode, "FSS.1056");
  });

  void test("documented refusals: invalid dependency, type, runtime; unknown ids; too many on a function", async () => {
    const zip = await dependencyZip("bad");
    const expect = async (call: Promise<unknown>, status: number, code: string): Promise<void> => {
      const failure = await sdkFailure(call);
      assert.equal(failure.httpStatusCode, status, failure.errorMsg);
      assert.equal(failure.errorCode, code, failure.errorMsg);
    };
    await expect(client.createDependencyVersion(createRequest(zip, "9bad")), 400, "FSS.1024");
    await expect(client.createDependencyVersion(createRequest(zip, "bad", { runtime: "Java8" })), 400, "FSS.1024");
    await expect(client.createDependencyVersion(createRequest(zip, "bad", { type: "tarball" })), 400, "FSS.1032");
    await expect(client.createDependencyVersion(createRequest(zip, "bad", { type: "obs" })), 400, "FSS.1024");
    await expect(client.createDependencyVersion(createRequest(Buffer.from("not a zip"), "bad")), 400, "FSS.1011");
    await expect(client.listDependencyVersion(new fg.ListDependencyVersionRequest().withDependId("no-such-package")), 404, "FSS.1056");
    const body = createBody(await nodeHandlerZip(), "never-made").withDependVersionList(["no-such-version"]);
    await expect(client.createFunction(new fg.CreateFunctionRequest().withBody(body)), 404, "FSS.1056");
    const one = await create("one-of-many");
    const many = createBody(await nodeHandlerZip(), "never-made").withDependVersionList(Array.from({ length: 21 }, () => String(one["id"])));
    await expect(client.createFunction(new fg.CreateFunctionRequest().withBody(many)), 403, "FSS.1045");
  });

  void test("one model: a dependency is an SCF layer and an SCF layer is a dependency", async () => {
    const dep = await create("both-ways");
    const scf = scfClient(server, ALICE, { region: ALICE.huawei.region });
    const layer = await scf.GetLayerVersion({ LayerName: "both-ways", LayerVersion: 1 });
    assert.deepEqual(layer.CompatibleRuntimes, ["Nodejs18.15"]);
    const { LayerVersion } = await scf.PublishLayerVersion({ LayerName: "both-ways", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: (await dependencyZip("scf")).toString("base64") } });
    assert.equal(LayerVersion, 2);
    const versions = wire(await client.listDependencyVersion(new fg.ListDependencyVersionRequest().withDependId(String(dep["dep_id"]))));
    assert.deepEqual((versions["dependencies"] as Wire[]).map((d) => d["version"]), [2, 1]);
  });

  void test("another account's dependency is invisible: BOB cannot list, show, delete or use ALICE's", async () => {
    const dep = await create("alices-dep");
    const listed = wire(await bob.listDependencies(new fg.ListDependenciesRequest()));
    assert.ok(!(listed["dependencies"] as Wire[]).some((d) => d["name"] === "alices-dep"));
    const id = String(dep["dep_id"]);
    assert.equal((await sdkFailure(bob.listDependencyVersion(new fg.ListDependencyVersionRequest().withDependId(id)))).errorCode, "FSS.1056");
    assert.equal((await sdkFailure(bob.showDependencyVersion(new fg.ShowDependencyVersionRequest().withDependId(id).withVersion("1")))).errorCode, "FSS.1056");
    assert.equal((await sdkFailure(bob.deleteDependencyVersion(new fg.DeleteDependencyVersionRequest().withDependId(id).withVersion("1")))).errorCode, "FSS.1056");
    const body = createBody(await nodeHandlerZip(), "thief").withDependVersionList([String(dep["id"])]);
    assert.equal((await sdkFailure(bob.createFunction(new fg.CreateFunctionRequest().withBody(body)))).errorCode, "FSS.1056");
    assert.equal((await client.showDependencyVersion(new fg.ShowDependencyVersionRequest().withDependId(id).withVersion("1")))["id"] !== undefined, true, "still ALICE's");
  });
});
