/**
 * SCF layers through the official Node SDK: every layer action and field, Layers on functions
 * and their versions, the documented codes, and account isolation. What a function sees of its
 * layers at run time is in test/invoke/layers.test.ts.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, BOB } from "../helpers/accounts.js";
import { createNodeFunction, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip } from "../helpers/zip.js";

const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

async function layerZip(marker: string): Promise<Buffer> {
  return buildZip({ [`nodejs/node_modules/${marker}/index.js`]: `module.exports = ${JSON.stringify(marker)};\n` });
}

void describe("SCF layers (SDK)", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let bob: ScfClient;

  before(async () => {
    server = await startQuiver();
    scf = scfClient(server);
    bob = scfClient(server, BOB);
  });
  after(async () => server?.stop());

  async function publish(client: ScfClient, name: string, marker = name, extra: Record<string, unknown> = {}): Promise<number> {
    const zip = await layerZip(marker);
    const { LayerVersion } = await client.PublishLayerVersion({ LayerName: name, CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: zip.toString("base64") }, ...extra });
    assert.ok(LayerVersion !== undefined);
    return LayerVersion;
  }

  void test("PublishLayerVersion numbers versions from 1; GetLayerVersion answers every documented field", async () => {
    const zip = await layerZip("fields");
    const first = await scf.PublishLayerVersion({
      LayerName: "fields",
      CompatibleRuntimes: ["Nodejs18.15", "Python3.9"],
      Content: { ZipFile: zip.toString("base64") },
      Description: "shared helpers",
      LicenseInfo: "MIT",
      Tags: [{ Key: "team", Value: "core" }],
    });
    assert.equal(first.LayerVersion, 1);
    assert.equal(await publish(scf, "fields", "fields-2"), 2);
    const got = await scf.GetLayerVersion({ LayerName: "fields", LayerVersion: 1 });
    assert.equal(got.LayerName, "fields");
    assert.equal(got.LayerVersion, 1);
    assert.deepEqual(got.CompatibleRuntimes, ["Nodejs18.15", "Python3.9"]);
    assert.equal(got.CodeSha256, createHash("sha256").update(zip).digest("hex"));
    assert.equal(got.Description, "shared helpers");
    assert.equal(got.LicenseInfo, "MIT");
    assert.equal(got.Status, "Active");
    assert.match(got.AddTime ?? "", TIME);
    assert.equal(typeof got.Location, "string");
  });

  void test("ListLayers: one entry per layer describing its latest version; SearchKey, CompatibleRuntime, paging, TotalCount", async () => {
    const client = scfClient(server, ALICE);
    await publish(client, "list-a");
    await publish(client, "list-a", "list-a-2", { CompatibleRuntimes: ["Python3.9"] });
    await publish(client, "list-b");
    const all = await client.ListLayers({ SearchKey: "list-" });
    assert.deepEqual(all.Layers?.map((l) => [l.LayerName, l.LayerVersion]), [["list-a", 2], ["list-b", 1]]);
    assert.equal(all.TotalCount, 2);
    const layer = all.Layers?.[0];
    assert.ok(layer);
    for (const field of ["CompatibleRuntimes", "AddTime", "Description", "LicenseInfo", "LayerVersion", "LayerName", "Status", "Stamp", "Tags"]) {
      assert.ok(field in layer, `LayerVersionInfo has ${field}`);
    }
    const python = await client.ListLayers({ SearchKey: "list-", CompatibleRuntime: "Python3.9" });
    assert.deepEqual(python.Layers?.map((l) => l.LayerName), ["list-a"]);
    const page = await client.ListLayers({ SearchKey: "list-", Offset: 1, Limit: 1 });
    assert.deepEqual(page.Layers?.map((l) => l.LayerName), ["list-b"]);
    assert.equal(page.TotalCount, 2);
    const versions = await client.ListLayerVersions({ LayerName: "list-a" });
    assert.deepEqual(versions.LayerVersions?.map((v) => v.LayerVersion), [2, 1]);
    const nodeOnly = await client.ListLayerVersions({ LayerName: "list-a", CompatibleRuntime: ["Nodejs18.15"] });
    assert.deepEqual(nodeOnly.LayerVersions?.map((v) => v.LayerVersion), [1]);
  });

  void test("Layers on CreateFunction, UpdateFunctionConfiguration and GetFunction; PublishVersion freezes them; unbinding", async () => {
    const a = await publish(scf, "bind-a");
    const b = await publish(scf, "bind-b");
    await scf.CreateFunction({
      FunctionName: "with-layers",
      Runtime: "Nodejs18.15",
      Handler: "index.main_handler",
      Code: { ZipFile: (await buildZip({ "index.js": "exports.main_handler = async () => 1;" })).toString("base64") },
      Layers: [{ LayerName: "bind-a", LayerVersion: a }, { LayerName: "bind-b", LayerVersion: b }],
    });
    const head = await scf.GetFunction({ FunctionName: "with-layers" });
    assert.deepEqual(head.Layers?.map((l) => [l.LayerName, l.LayerVersion, l.Status]), [["bind-a", 1, "Active"], ["bind-b", 1, "Active"]], "in the order given");
    assert.deepEqual(head.Layers?.[0]?.CompatibleRuntimes, ["Nodejs18.15"]);
    const { FunctionVersion } = await scf.PublishVersion({ FunctionName: "with-layers" });
    const a2 = await publish(scf, "bind-a", "bind-a-2");
    await scf.UpdateFunctionConfiguration({ FunctionName: "with-layers", Layers: [{ LayerName: "bind-a", LayerVersion: a2 }] });
    assert.deepEqual((await scf.GetFunction({ FunctionName: "with-layers" })).Layers?.map((l) => [l.LayerName, l.LayerVersion]), [["bind-a", 2]], "the whole list is replaced");
    const frozen = await scf.GetFunction({ FunctionName: "with-layers", Qualifier: FunctionVersion });
    assert.deepEqual(frozen.Layers?.map((l) => [l.LayerName, l.LayerVersion]), [["bind-a", 1], ["bind-b", 1]], "a version keeps the layers it was published with");
    await scf.UpdateFunctionConfiguration({ FunctionName: "with-layers", Description: "no layer change" });
    assert.equal((await scf.GetFunction({ FunctionName: "with-layers" })).Layers?.length, 1, "absent Layers keep the list");
    await scf.UpdateFunctionConfiguration({ FunctionName: "with-layers", Layers: [{ LayerName: "", LayerVersion: 0 }] });
    assert.deepEqual((await scf.GetFunction({ FunctionName: "with-layers" })).Layers, [], "the documented way to unbind the last layer");
    // SCF lets a version in use be deleted; the function version keeps it, shown as Deleted.
    await scf.DeleteLayerVersion({ LayerName: "bind-b", LayerVersion: b });
    const after = await scf.GetFunction({ FunctionName: "with-layers", Qualifier: FunctionVersion });
    assert.deepEqual(after.Layers?.map((l) => [l.LayerName, l.LayerVersion, l.Status]), [["bind-a", 1, "Active"], ["bind-b", 1, "Deleted"]]);
  });

  void test("DeleteLayerVersion: gone from Get and lists; numbers are not reused", async () => {
    await publish(scf, "doomed");
    await publish(scf, "doomed");
    await scf.DeleteLayerVersion({ LayerName: "doomed", LayerVersion: 2 });
    await expectScfError(scf.GetLayerVersion({ LayerName: "doomed", LayerVersion: 2 }), "ResourceNotFound.LayerVersion");
    await expectScfError(scf.DeleteLayerVersion({ LayerName: "doomed", LayerVersion: 2 }), "ResourceNotFound.LayerVersion");
    assert.deepEqual((await scf.ListLayerVersions({ LayerName: "doomed" })).LayerVersions?.map((v) => v.LayerVersion), [1]);
    assert.equal(await publish(scf, "doomed"), 3);
    await scf.DeleteLayerVersion({ LayerName: "doomed", LayerVersion: 1 });
    await scf.DeleteLayerVersion({ LayerName: "doomed", LayerVersion: 3 });
    await expectScfError(scf.ListLayerVersions({ LayerName: "doomed" }), "ResourceNotFound.Layer");
  });

  void test("documented refusals: names, runtimes, content, unknown layers, limits", async () => {
    const zip = (await layerZip("bad")).toString("base64");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "9bad", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: zip } }), "InvalidParameterValue.LayerName");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad-", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: zip } }), "InvalidParameterValue.LayerName");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad", CompatibleRuntimes: ["Cobol85"], Content: { ZipFile: zip } }), "InvalidParameterValue.CompatibleRuntimes");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad", CompatibleRuntimes: [], Content: { ZipFile: zip } }), "InvalidParameterValue.CompatibleRuntimes");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad", CompatibleRuntimes: ["Nodejs18.15"], Content: { CosBucketName: "b", CosObjectName: "o.zip" } }), "InvalidParameterValue.Content");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: "not base64!" } }), "InvalidParameterValue.ZipFileBase64BinasciiError");
    await expectScfError(scf.PublishLayerVersion({ LayerName: "bad", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: Buffer.from("not a zip").toString("base64") } }), "InvalidParameterValue.ZipFile");
    await expectScfError(scf.GetLayerVersion({ LayerName: "never", LayerVersion: 1 }), "ResourceNotFound.LayerVersion");
    await expectScfError(scf.ListLayerVersions({ LayerName: "never" }), "ResourceNotFound.Layer");
    await expectScfError(scf.ListLayers({ CompatibleRuntime: "Cobol85" }), "InvalidParameterValue.Runtime");
    await createNodeFunction(scf, "binds-nothing");
    await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "binds-nothing", Layers: [{ LayerName: "never", LayerVersion: 1 }] }), "ResourceNotFound.Layer");
    await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "binds-nothing", Layers: [{ LayerName: "never", LayerVersion: 0 }] }), "InvalidParameterValue.Layers");
    await expectScfError(
      scf.CreateFunction({ FunctionName: "never-made", Runtime: "Nodejs18.15", Code: { ZipFile: zip }, Layers: [{ LayerName: "never", LayerVersion: 1 }] }),
      "ResourceNotFound.Layer",
    );
    await expectScfError(scf.GetFunction({ FunctionName: "never-made" }), "ResourceNotFound.Function");
  });

  void test("limits: versions per layer (LimitExceeded.LayerVersions), layers per region (LimitExceeded.Layers)", async () => {
    const limited = await startQuiver({ limits: { maxLayerVersions: 2, maxLayers: 2 } });
    try {
      const client = scfClient(limited);
      await publish(client, "one");
      await publish(client, "one");
      await expectScfError(publish(client, "one"), "LimitExceeded.LayerVersions");
      await publish(client, "two");
      await expectScfError(publish(client, "three"), "LimitExceeded.Layers");
      assert.equal((await client.ListLayers({})).TotalCount, 2);
    } finally {
      await limited.stop();
    }
  });

  void test("another account's layer is invisible: BOB cannot list, get, delete or bind ALICE's", async () => {
    const version = await publish(scf, "alices");
    assert.ok(!(await bob.ListLayers({})).Layers?.some((l) => l.LayerName === "alices"));
    await expectScfError(bob.GetLayerVersion({ LayerName: "alices", LayerVersion: version }), "ResourceNotFound.LayerVersion");
    await expectScfError(bob.ListLayerVersions({ LayerName: "alices" }), "ResourceNotFound.Layer");
    await expectScfError(bob.DeleteLayerVersion({ LayerName: "alices", LayerVersion: version }), "ResourceNotFound.LayerVersion");
    await expectScfError(
      bob.CreateFunction({ FunctionName: "thief", Runtime: "Nodejs18.15", Code: { ZipFile: (await layerZip("x")).toString("base64") }, Layers: [{ LayerName: "alices", LayerVersion: version }] }),
      "ResourceNotFound.Layer",
    );
    assert.equal((await scf.GetLayerVersion({ LayerName: "alices", LayerVersion: version })).Status, "Active", "still ALICE's");
    assert.equal(await publish(bob, "alices"), 1, "BOB's own layer of that name is numbered on its own");
  });
});
