import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { call, type Caller } from "../helpers/fgs-http.js";
import { createFunction, fgClient, listVersions, versionNames } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip, sha512Hex } from "../helpers/zip.js";

const { projectId, region, accessKey, secretKey, domainId } = ALICE.huawei;
const v1 = (urn: string, tail: string): string => `/v1.0/${projectId}/fss/functions/${urn}/${tail}`;
const urnOf = (name: string, q = "latest"): string => `urn:fss:${region}:${projectId}:function:default:${name}:${q}`;

const META_FIELDS = [
  "CodeFileName", "CodeSize", "CodeType", "CodeUrl", "Cpu", "DependencyPkg", "Description", "Digest", "FuncName", "FuncUrn",
  "Handler", "ImageName", "LastModified", "MemorySize", "Namespace", "Package", "ProjectName", "Runtime", "Timeout",
  "UserData", "UserDomain", "Version", "VersionDescription", "Xrole",
];

void describe("FunctionGraph legacy v1.0 API", () => {
  let server: TestQuiver;
  let alice: Caller;
  let zip: Buffer;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    alice = { port: server.port, projectId, ak: accessKey, sk: secretKey };
    zip = await nodeHandlerZip("legacy");
    await createFunction(fgClient(server.url), zip, "old", { description: "the function" });
  });
  after(async () => server.stop());

  void it("publishes with the documented PascalCase body and answers exactly the documented fields", async () => {
    const answer = await call(alice, "POST", v1(urnOf("old"), "versions"), { Digest: "", Description: "test", Cpu: 0, MemorySize: 0, Timeout: 0 });
    assert.equal(answer.status, 200, answer.text);
    const body = answer.json();
    assert.deepEqual(Object.keys(body).sort(), [...META_FIELDS].sort());
    const version = String(body["Version"]);
    assert.match(version, /^v\d{8}-\d{6}$/);
    assert.equal(body["ImageName"], version);
    assert.equal(body["FuncUrn"], urnOf("old", version));
    assert.equal(body["VersionDescription"], "test");
    assert.equal(body["Description"], "the function");
    assert.equal(body["Digest"], sha512Hex(zip));
    assert.equal(body["CodeSize"], zip.length);
    assert.equal(body["MemorySize"], 256);
    assert.equal(body["Cpu"], 400);
    assert.equal(body["Namespace"], projectId);
    assert.equal(body["ProjectName"], region);
    assert.equal(body["UserDomain"], domainId);
    assert.match(String(body["LastModified"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.ok(answer.headers["x-request-id"]);
  });

  void it("shares versions with v2 in both directions", async () => {
    assert.equal((await call(alice, "POST", v1(urnOf("old"), "versions"), { Version: "from-v1", Digest: sha512Hex(zip) })).status, 200);
    assert.ok(versionNames(await listVersions(fgClient(server.url), "old")).includes("from-v1"));
    const listed = await call(alice, "GET", v1(urnOf("old"), "versions"));
    assert.equal(listed.status, 200);
    const versions = listed.json()["Versions"] as Record<string, unknown>[];
    assert.deepEqual(versions[0] && versions[0]["Version"], "latest");
    assert.ok(versions.some((v) => v["Version"] === "from-v1" && v["VersionUrn"] === urnOf("old", "from-v1")));
    assert.equal(typeof listed.json()["NextMarker"], "number");
    const config = await call(alice, "GET", v1(urnOf("old", "from-v1"), "config"));
    assert.equal(config.status, 200);
    assert.equal(config.json()["Version"], "from-v1");
  });

  void it("answers a missing function with exactly the documented 404 body", async () => {
    const answer = await call(alice, "POST", v1(urnOf("missing"), "versions"), {});
    assert.equal(answer.status, 404);
    assert.equal(answer.text, '{"error_code":"FSS.1051","error_msg":"Not found the function"}');
  });

  void it("answers 400, 401, 403 and 409 as documented", async () => {
    const bad = await call(alice, "POST", v1(urnOf("old"), "versions"), { Version: "-bad-" });
    assert.equal(bad.status, 400);
    const mismatch = await call(alice, "POST", v1(urnOf("old"), "versions"), { Digest: "f".repeat(128) });
    assert.equal(mismatch.status, 400);
    const wrongKey = await call({ ...alice, sk: "nope" }, "POST", v1(urnOf("old"), "versions"), {});
    assert.equal(wrongKey.status, 401);
    assert.equal((await call(alice, "POST", v1(urnOf("old"), "versions"), { Version: "dup" })).status, 200);
    const duplicate = await call(alice, "POST", v1(urnOf("old"), "versions"), { Version: "dup" });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.json()["error_code"], "FSS.1062");
    let status = 200;
    for (let i = 0; status === 200 && i < 20; i += 1) status = (await call(alice, "POST", v1(urnOf("old"), "versions"), { Version: `n${i}` })).status;
    assert.equal(status, 403, "the eleventh version is refused");
  });

  void it("refuses a body that is not JSON", async () => {
    const answer = await call(alice, "POST", v1(urnOf("old"), "versions"), Buffer.from("{Version:"));
    assert.equal(answer.status, 406);
    assert.equal(answer.json()["error_code"], "FSS.0406");
  });
});
