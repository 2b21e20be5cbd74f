import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { createFunction, fg, fgClient, listVersions, publishVersion, sdkFailure, showConfig, versionNames, wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip, sha512Hex } from "../helpers/zip.js";

const { projectId, region } = ALICE.huawei;
const urnOf = (name: string, qualifier?: string): string =>
  `urn:fss:${region}:${projectId}:function:default:${name}${qualifier === undefined ? "" : `:${qualifier}`}`;

void describe("FunctionGraph versions through the official Node SDK", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
  });
  after(async () => server.stop());

  void it("creates a function from a zip and renders the documented metadata", async () => {
    const zip = await nodeHandlerZip();
    const created = await createFunction(client, zip, "create-me", { userData: '{"GREETING":"hi"}', description: "first" });
    assert.equal(created["func_urn"], urnOf("create-me", "latest"));
    assert.equal(created["digest"], sha512Hex(zip));
    assert.equal(created["code_size"], zip.length);
    assert.equal(created["memory_size"], 256);
    assert.equal(created["cpu"], 400);
    assert.equal(created["runtime"], "Node.js18.15");
    assert.equal(created["user_data"], '{"GREETING":"hi"}');
    assert.equal(created["version"], "latest");
    assert.match(String(created["last_modified"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    const duplicate = await sdkFailure(createFunction(client, zip, "create-me"));
    assert.equal(duplicate.httpStatusCode, 409);
    assert.equal(duplicate.errorCode, "FSS.1061");
    assert.ok(duplicate.requestId, "X-Request-Id reaches the SDK");
  });

  void it("publishes without a name (v + local time) and twice in one second with distinct names", async () => {
    await createFunction(client, await nodeHandlerZip(), "unnamed");
    const [a, b] = await Promise.all([publishVersion(client, urnOf("unnamed", "latest")), publishVersion(client, urnOf("unnamed", "latest"))]);
    const names = [String(a?.["version"]), String(b?.["version"])].sort();
    assert.notEqual(names[0], names[1]);
    for (const name of names) assert.match(name, /^v\d{8}-\d{6}(-\d+)?$/);
    const [first = "", second = ""] = names;
    // In the same second the later one is de-duplicated with "-2" (checked when the second did not tick).
    if (first.slice(0, 16) === second.slice(0, 16)) assert.equal(second, `${first}-2`);
    assert.equal(a?.["func_urn"], urnOf("unnamed", String(a?.["version"])));
  });

  void it("publishes with a name, description and matching digest, and refuses a mismatching digest", async () => {
    const zip = await nodeHandlerZip("named");
    await createFunction(client, zip, "named");
    const v1 = await publishVersion(client, urnOf("named"), { version: "v1.0-beta_1", description: "release one", digest: sha512Hex(zip) });
    assert.equal(v1["version"], "v1.0-beta_1");
    assert.equal(v1["version_description"], "release one");
    assert.equal(v1["image_name"], "v1.0-beta_1");
    assert.equal(v1["func_urn"], urnOf("named", "v1.0-beta_1"));
    const mismatch = await sdkFailure(publishVersion(client, urnOf("named", "latest"), { version: "v2", digest: "0".repeat(128) }));
    assert.equal(mismatch.httpStatusCode, 400);
    const empty = await publishVersion(client, urnOf("named"), { version: "v3", digest: "" });
    assert.equal(empty["version"], "v3", "an empty digest means no digest");
    const duplicate = await sdkFailure(publishVersion(client, urnOf("named"), { version: "v1.0-beta_1" }));
    assert.equal(duplicate.httpStatusCode, 409);
    assert.equal(duplicate.errorCode, "FSS.1062");
    for (const bad of ["-v", "v-", "a".repeat(43), "latest", "v 1"]) {
      const refused = await sdkFailure(publishVersion(client, urnOf("named"), { version: bad }));
      assert.equal(refused.httpStatusCode, 400, bad);
    }
  });

  void it("accepts every documented URN form for publish and list", async () => {
    await createFunction(client, await nodeHandlerZip(), "forms");
    const forms = ["forms", "default:forms", `${projectId}:default:forms`, `${projectId}:default:forms:latest`, urnOf("forms"), urnOf("forms", "whatever")];
    for (const [i, form] of forms.entries()) {
      const published = await publishVersion(client, form, { version: `f${i}` });
      assert.equal(published["version"], `f${i}`);
    }
    assert.equal(versionNames(await listVersions(client, "forms")).length, forms.length + 1);
  });

  void it("stops at the version limit with 403", async () => {
    await createFunction(client, await nodeHandlerZip(), "limited");
    for (let i = 1; i <= 10; i += 1) await publishVersion(client, urnOf("limited"), { version: `v${i}` });
    const refused = await sdkFailure(publishVersion(client, urnOf("limited"), { version: "v11" }));
    assert.equal(refused.httpStatusCode, 403);
    assert.equal(refused.errorCode, "FSS.0403");
  });

  void it("lists versions with latest first, next_marker and count, and pages with marker/maxitems", async () => {
    await createFunction(client, await nodeHandlerZip(), "listed");
    for (const v of ["a1", "a2", "a3"]) await publishVersion(client, urnOf("listed"), { version: v });
    const all = await listVersions(client, urnOf("listed", "latest"));
    assert.deepEqual(versionNames(all), ["latest", "a3", "a2", "a1"]);
    assert.equal(all["count"], 4);
    assert.equal(all["next_marker"], 4);
    const page = await listVersions(client, urnOf("listed"), "1", "2");
    assert.deepEqual(versionNames(page), ["a3", "a2"]);
    assert.equal(page["next_marker"], 3);
    const items = all["versions"] as Record<string, unknown>[];
    assert.equal(items[1]?.["func_urn"], urnOf("listed", "a3"));
    assert.equal(typeof items[1]?.["code_size"], "number");
  });

  void it("keeps a version's code and digest when latest's code changes", async () => {
    const oldZip = await nodeHandlerZip("old");
    const newZip = await nodeHandlerZip("new");
    await createFunction(client, oldZip, "frozen");
    await publishVersion(client, urnOf("frozen"), { version: "v1" });
    const updated = wire(
      await client.updateFunctionCode(
        new fg.UpdateFunctionCodeRequest()
          .withFunctionUrn(urnOf("frozen", "latest"))
          .withBody(new fg.UpdateFunctionCodeRequestBody().withCodeType("zip").withFuncCode(new fg.FuncCode().withFile(newZip.toString("base64")))),
      ),
    );
    assert.equal(updated["digest"], sha512Hex(newZip));
    const v1 = await showConfig(client, urnOf("frozen", "v1"));
    assert.equal(v1["digest"], sha512Hex(oldZip));
    assert.equal(v1["version"], "v1");
    assert.equal((await showConfig(client, urnOf("frozen", "latest")))["digest"], sha512Hex(newZip));
    const code = wire(await client.showFunctionCode(new fg.ShowFunctionCodeRequest().withFunctionUrn(urnOf("frozen", "v1"))));
    assert.deepEqual(Buffer.from(String((code["func_code"] as Record<string, unknown>)["file"]), "base64"), oldZip);
    const stale = await sdkFailure(publishVersion(client, urnOf("frozen"), { version: "v2", digest: sha512Hex(oldZip) }));
    assert.equal(stale.httpStatusCode, 400, "the old digest no longer matches latest");
  });

  void it("deletes a version, refuses to delete latest, and 404s on unknown versions", async () => {
    await createFunction(client, await nodeHandlerZip(), "deleting");
    await publishVersion(client, urnOf("deleting"), { version: "gone" });
    await client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("deleting", "gone")));
    assert.deepEqual(versionNames(await listVersions(client, urnOf("deleting"))), ["latest"]);
    const latest = await sdkFailure(client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("deleting", "latest"))));
    assert.equal(latest.httpStatusCode, 400);
    const missing = await sdkFailure(showConfig(client, urnOf("deleting", "gone")));
    assert.equal(missing.httpStatusCode, 404);
    assert.equal(missing.errorCode, "FSS.1052");
    await client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("deleting")));
    const fn = await sdkFailure(showConfig(client, urnOf("deleting")));
    assert.equal(fn.errorCode, "FSS.1051");
    assert.equal(fn.errorMsg, "Not found the function");
  });

  void it("updates the configuration and lists functions by package and name", async () => {
    await createFunction(client, await nodeHandlerZip(), "configured", { package: "pkg-a" });
    const body = new fg.UpdateFunctionConfigRequestBody().withFuncName("configured").withRuntime("Node.js18.15").withHandler("index.handler").withMemorySize(512).withTimeout(60).withUserData('{"A":"1"}');
    const updated = wire(await client.updateFunctionConfig(new fg.UpdateFunctionConfigRequest().withFunctionUrn(`pkg-a:configured`).withBody(body)));
    assert.equal(updated["memory_size"], 512);
    assert.equal(updated["user_data"], '{"A":"1"}');
    const listed = wire(await client.listFunctions(new fg.ListFunctionsRequest().withPackageName("pkg-a")));
    const functions = listed["functions"] as Record<string, unknown>[];
    assert.deepEqual(functions.map((f) => f["func_name"]), ["configured"]);
    assert.equal(functions[0]?.["func_urn"], `urn:fss:${region}:${projectId}:function:pkg-a:configured`);
    assert.equal(listed["count"], 1);
  });
});
