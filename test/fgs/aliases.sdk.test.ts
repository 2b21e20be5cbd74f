import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { scf } from "tencentcloud-sdk-nodejs-scf";
import { ALICE } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { createAlias, createFunction, deleteAlias, fg, fgClient, invoke, listAliases, publishVersion, resultOf, sdkFailure, showAlias, updateAlias, updateCode, urnOf, type Wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { buildZip } from "../helpers/zip.js";

const ScfClient = scf.v20180416.Client;

/** Runs under both conventions: SCF's context has no FunctionGraph getters. */
const tagged = (tag: string): Promise<Buffer> =>
  buildZip({ "index.js": `exports.handler = async (event, context) => ({ tag: '${tag}', fgs: typeof context.getVersion === 'function', alias: context.getAlias ? context.getAlias() : '', version: context.getVersion ? context.getVersion() : context.function_version });\n` });

/** A function with versions v1 (tag one) and v2 (tag two); latest is tag three. */
async function threeVersions(client: fg.FunctionGraphClient, name: string): Promise<void> {
  await createFunction(client, await tagged("one"), name);
  await publishVersion(client, urnOf(name), { version: "v1" });
  await updateCode(client, urnOf(name, "latest"), await tagged("two"));
  await publishVersion(client, urnOf(name), { version: "v2" });
  await updateCode(client, urnOf(name, "latest"), await tagged("three"));
}

async function tagOf(client: fg.FunctionGraphClient, urn: string): Promise<string> {
  return String(resultOf(await invoke(client, urn))["tag"]);
}

void describe("FunctionGraph version aliases through the official Node SDK", () => {
  let server: TestQuiver;
  let client: fg.FunctionGraphClient;
  let raw: Caller;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    client = fgClient(server.url);
    const { projectId, accessKey: ak, secretKey: sk } = ALICE.huawei;
    raw = { port: server.port, projectId, ak, sk };
    await threeVersions(client, "aliased");
  });
  after(async () => server.stop());

  void it("creates, shows, lists, updates and deletes an alias", async () => {
    const created = await createAlias(client, urnOf("aliased", "latest"), { name: "prod", version: "v1", description: "live", weights: { v2: 25 } });
    assert.equal(created["name"], "prod");
    assert.equal(created["version"], "v1");
    assert.equal(created["description"], "live");
    assert.equal(created["alias_urn"], urnOf("aliased", "!prod"));
    assert.deepEqual(created["additional_version_weights"], { v2: 25 });
    assert.deepEqual(created["additional_version_strategy"], {});
    assert.match(String(created["last_modified"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);

    assert.deepEqual(await showAlias(client, urnOf("aliased"), "prod"), { ...created, httpStatusCode: 200 });
    const listed = await listAliases(client, urnOf("aliased"));
    assert.deepEqual(listed.map((a) => a["name"]), ["prod"], "no $DEFAULT in FunctionGraph lists");

    const updated = await updateAlias(client, urnOf("aliased"), "prod", { version: "latest" });
    assert.equal(updated["version"], "latest");
    assert.equal(updated["description"], "live", "an absent description is kept");
    assert.deepEqual(updated["additional_version_weights"], {});

    const deleted = (await deleteAlias(client, urnOf("aliased"), "prod")) as Wire;
    assert.equal(deleted["httpStatusCode"], 204);
    const gone = await sdkFailure(showAlias(client, urnOf("aliased"), "prod"));
    assert.equal(gone.httpStatusCode, 404);
    assert.equal(gone.errorCode, "FSS.1053");
    assert.equal((await sdkFailure(deleteAlias(client, urnOf("aliased"), "prod"))).errorCode, "FSS.1053");
    assert.equal((await sdkFailure(updateAlias(client, urnOf("aliased"), "prod", { version: "v1" }))).errorCode, "FSS.1053");
  });

  void it("answers every documented alias error code", async () => {
    const urn = urnOf("aliased");
    const expectCode = async (promise: Promise<unknown>, status: number, code: string): Promise<void> => {
      const failure = await sdkFailure(promise);
      assert.equal(failure.httpStatusCode, status, failure.errorMsg);
      assert.equal(failure.errorCode, code, failure.errorMsg);
    };
    await createAlias(client, urn, { name: "dup", version: "v1" });
    await expectCode(createAlias(client, urn, { name: "dup", version: "v2" }), 409, "FSS.1063");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { v9: 10 } }), 400, "FSS.1091");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { latest: 10 } }), 400, "FSS.1091");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { v2: 10, latest: 5 } }), 400, "FSS.1091");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { v2: 150 } }), 400, "FSS.1092");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { v2: 10.5 } }), 400, "FSS.1092");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", weights: { v1: 10 } }), 400, "FSS.1093");
    await expectCode(createAlias(client, urn, { name: "a", version: "v404" }), 404, "FSS.1052");
    await expectCode(createAlias(client, urn, { name: "9lives", version: "v1" }), 400, "FSS.1014");
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", strategy: { v2: { rules: [{ rule_type: "cookie", param: "u", op: "=", value: "x" }] } } }), 400, "FSS.0400");
    const mixed = { combine_type: "and", rules: [{ param: "x-a", op: "in", value: "1,2" }, { param: "x-b", op: "=", value: "3" }] };
    await expectCode(createAlias(client, urn, { name: "a", version: "v1", strategy: { v2: mixed } }), 400, "FSS.0400");
    await expectCode(createAlias(client, urnOf("ghost"), { name: "a", version: "v1" }), 404, "FSS.1051");

    // Ten aliases per function (the one above included); the eleventh is refused.
    for (let i = 2; i <= 10; i += 1) await createAlias(client, urn, { name: `a${i}`, version: "v1" });
    await expectCode(createAlias(client, urn, { name: "eleventh", version: "v1" }), 403, "FSS.1043");
    for (const alias of await listAliases(client, urn)) await deleteAlias(client, urn, String(alias["name"]));
    assert.deepEqual(await listAliases(client, urn), []);
  });

  void it("splits traffic by weight: 9 to 11 of 100 calls on a 10 % version", async () => {
    await createAlias(client, urnOf("aliased"), { name: "canary", version: "v1", weights: { v2: 10 } });
    const tags: string[] = [];
    for (let i = 0; i < 100; i += 1) tags.push(await tagOf(client, urnOf("aliased", "!canary")));
    const onV2 = tags.filter((t) => t === "two").length;
    assert.ok(onV2 >= 9 && onV2 <= 11, `v2 served ${onV2} of 100`);
    assert.equal(tags.filter((t) => t === "one").length, 100 - onV2);
  });

  void it("rolls back on the very next invocation after an alias update", async () => {
    await createAlias(client, urnOf("aliased"), { name: "rollout", version: "v1", weights: { v2: 100 } });
    assert.equal(await tagOf(client, urnOf("aliased", "!rollout")), "two");
    await updateAlias(client, urnOf("aliased"), "rollout", { version: "v1" });
    assert.equal(await tagOf(client, urnOf("aliased", "!rollout")), "one");
    // The plain name reaches the alias too, since no version is called "rollout".
    assert.equal(await tagOf(client, urnOf("aliased", "rollout")), "one");
    const viaAlias = resultOf(await invoke(client, urnOf("aliased", "!rollout")));
    assert.equal(viaAlias["version"], "v1");
    assert.equal(viaAlias["alias"], "rollout", "context.getAlias() names the alias it was called through");
  });

  void it("calls through two aliases share the version's warm instance, each seeing its own alias", async () => {
    await createAlias(client, urnOf("aliased"), { name: "blue", version: "v2" });
    await createAlias(client, urnOf("aliased"), { name: "green", version: "v2" });
    const warmKeys = (): string[] => Object.entries(server.quiver.engine.stats().perKey).filter(([, s]) => s.instances > 0).map(([key]) => key);
    const before = warmKeys();
    const blue = resultOf(await invoke(client, urnOf("aliased", "!blue")));
    const green = resultOf(await invoke(client, urnOf("aliased", "!green")));
    const direct = resultOf(await invoke(client, urnOf("aliased", "v2")));
    assert.deepEqual([blue["alias"], green["alias"], direct["alias"]], ["blue", "green", ""]);
    // The alias travels with each call, not with the instance: the three calls share one key
    // (warm already, or started by the first of them).
    const added = warmKeys().filter((key) => !before.includes(key));
    assert.ok(added.length <= 1, `new instance keys: ${JSON.stringify(added)}`);
  });

  void it("routes by request headers with additional_version_strategy", async () => {
    const strategy = { v2: { combine_type: "or", rules: [{ rule_type: "Header", param: "X-User", op: "in", value: "alice,bob" }, { param: "X-Beta", op: "=", value: "yes" }] } };
    const created = await createAlias(client, urnOf("aliased"), { name: "rules", version: "v1", strategy });
    assert.deepEqual(created["additional_version_strategy"], {
      v2: { combine_type: "or", rules: [{ rule_type: "header", param: "X-User", op: "in", value: "alice,bob" }, { rule_type: "header", param: "X-Beta", op: "=", value: "yes" }] },
    });
    const path = `/v2/${raw.projectId}/fgs/functions/${urnOf("aliased", "!rules")}/invocations`;
    const tagWith = async (headers: Record<string, string>): Promise<unknown> => {
      const answer = await call(raw, "POST", path, {}, { headers });
      assert.equal(answer.status, 200, answer.text);
      return (JSON.parse(String(answer.json()["result"])) as Wire)["tag"];
    };
    assert.equal(await tagWith({ "x-user": "bob" }), "two");
    assert.equal(await tagWith({ "X-Beta": "yes" }), "two");
    assert.equal(await tagWith({ "x-user": "carol" }), "one");
    assert.equal(await tagWith({}), "one");

    const and = { v2: { combine_type: "and", rules: [{ param: "x-user", op: "=", value: "bob" }, { param: "x-beta", op: "=", value: "yes" }] } };
    await updateAlias(client, urnOf("aliased"), "rules", { version: "v1", strategy: and });
    assert.equal(await tagWith({ "x-user": "bob" }), "one");
    assert.equal(await tagWith({ "x-user": "bob", "x-beta": "yes" }), "two");
  });

  void it("refuses deleting a version an alias routes to (403 FSS.1094)", async () => {
    await threeVersions(client, "guarded");
    await createAlias(client, urnOf("guarded"), { name: "live", version: "v1", weights: { v2: 10 } });
    const del = (q: string): Promise<unknown> => client.deleteFunction(new fg.DeleteFunctionRequest().withFunctionUrn(urnOf("guarded", q)));
    for (const q of ["v2", "v1", "!live"]) {
      const refused = await sdkFailure(del(q));
      assert.equal(refused.httpStatusCode, 403, q);
      assert.equal(refused.errorCode, "FSS.1094", q);
    }
    await updateAlias(client, urnOf("guarded"), "live", { version: "v1" });
    assert.equal(((await del("v2")) as Wire)["httpStatusCode"], 204);
  });

  void it("shares aliases with SCF in both directions", async () => {
    const tencent = new ScfClient({
      credential: ALICE.tencent,
      region: ALICE.huawei.region,
      profile: { httpProfile: { endpoint: `127.0.0.1:${server.port}`, protocol: "http://" } },
    });
    await threeVersions(client, "shared-alias");
    await tencent.CreateAlias({ FunctionName: "shared-alias", Name: "from-scf", FunctionVersion: "v2", RoutingConfig: { AdditionalVersionWeights: [{ Version: "v1", Weight: 0.3 }] } });
    const seen = await showAlias(client, urnOf("shared-alias"), "from-scf");
    assert.equal(seen["version"], "v2");
    assert.deepEqual(seen["additional_version_weights"], { v1: 30 });
    await updateAlias(client, urnOf("shared-alias"), "from-scf", { version: "v2" });
    assert.equal(await tagOf(client, urnOf("shared-alias", "!from-scf")), "two");

    await createAlias(client, urnOf("shared-alias"), { name: "from-fg", version: "v1", strategy: { v2: { rules: [{ param: "User", op: "=", value: "zoe" }] } } });
    const inScf = await tencent.GetAlias({ FunctionName: "shared-alias", Name: "from-fg" });
    assert.equal(inScf.FunctionVersion, "v1");
    assert.deepEqual(inScf.RoutingConfig?.AddtionVersionMatchs, [{ Version: "v2", Key: "invoke.headers.User", Method: "exact", Expression: "zoe" }]);
    const run = async (routingKey?: string): Promise<unknown> => {
      const answer = await tencent.Invoke({ FunctionName: "shared-alias", Qualifier: "from-fg", ...(routingKey ? { RoutingKey: routingKey } : {}) });
      assert.equal(answer.Result?.InvokeResult, 0, JSON.stringify(answer.Result));
      return (JSON.parse(String(answer.Result?.RetMsg)) as Wire)["tag"];
    };
    assert.equal(await run(), "one");
    assert.equal(await run(JSON.stringify({ User: "zoe" })), "two");
    // An instance warmed by an SCF call is never handed an FunctionGraph call (or the reverse).
    const afterScf = resultOf(await invoke(client, urnOf("shared-alias", "v1")));
    assert.equal(afterScf["fgs"], true, "FunctionGraph calls get the FunctionGraph context");
    const names = (await listAliases(client, urnOf("shared-alias"))).map((a) => a["name"]).sort();
    assert.deepEqual(names, ["from-fg", "from-scf"]);
  });

  void it("serves the v1.0 /fss/ alias endpoints (PascalCase)", async () => {
    const base = `/v1.0/${raw.projectId}/fss/functions/${urnOf("aliased")}/aliases`;
    const created = await call(raw, "POST", base, { Name: "legacy", Version: "v1", Description: "old api" });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(Object.keys(created.json()).sort(), ["AliasUrn", "Description", "LastModified", "Name", "Version"]);
    assert.equal(created.json()["AliasUrn"], urnOf("aliased", "!legacy"));
    const updated = await call(raw, "PUT", `${base}/legacy`, { Version: "v2" });
    assert.equal(updated.json()["Version"], "v2");
    assert.equal(updated.json()["Description"], "old api");
    const listed = await call(raw, "GET", base);
    assert.ok((JSON.parse(listed.text) as Wire[]).some((a) => a["Name"] === "legacy"));
    assert.equal((await call(raw, "GET", `${base}/legacy`)).json()["Version"], "v2");
    assert.equal((await call(raw, "DELETE", `${base}/legacy`)).status, 204);
    const missing = await call(raw, "GET", `${base}/legacy`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json()["error_code"], "FSS.1053");
  });
});
