import assert from "node:assert/strict";
import { after, before, describe, it } from "../helpers/node-test.js";
import { scf } from "tencentcloud-sdk-nodejs-scf";
import { ALICE } from "../helpers/accounts.js";
import { createFunction, fg, fgClient, listVersions, publishVersion, showConfig, versionNames, wire } from "../helpers/fgs-sdk.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { nodeHandlerZip, sha512Hex } from "../helpers/zip.js";

const ScfClient = scf.v20180416.Client;
const { region } = ALICE.huawei;

/** One account, one region: SCF and FunctionGraph see the same functions and versions. */
void describe("one core, two dialects", () => {
  let server: TestQuiver;
  let tencent: InstanceType<typeof ScfClient>;
  let huawei: fg.FunctionGraphClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false, overrides: {} } });
    tencent = new ScfClient({
      credential: ALICE.tencent,
      region,
      profile: { httpProfile: { endpoint: `127.0.0.1:${server.port}`, protocol: "http://" } },
    });
    huawei = fgClient(server.url);
  });
  after(async () => server.stop());

  void it("shows a function created through SCF in FunctionGraph, and publishes versions through both", async () => {
    const zip = await nodeHandlerZip("from-scf");
    await tencent.CreateFunction({ FunctionName: "scf-made", Runtime: "Nodejs18.15", Handler: "index.handler", Code: { ZipFile: zip.toString("base64") }, MemorySize: 256, Timeout: 10 });
    await tencent.PublishVersion({ FunctionName: "scf-made", Description: "via scf" });
    const config = await showConfig(huawei, "scf-made");
    assert.equal(config["runtime"], "Node.js18.15");
    assert.equal(config["digest"], sha512Hex(zip));
    await publishVersion(huawei, "default:scf-made", { version: "fg-1" });
    assert.deepEqual(versionNames(await listVersions(huawei, "scf-made")), ["latest", "fg-1", "1"]);
    const scfVersions = await tencent.ListVersionByFunction({ FunctionName: "scf-made" });
    assert.deepEqual(scfVersions.FunctionVersion, ["$LATEST", "fg-1", "1"]);
  });

  void it("shows a function created through FunctionGraph in SCF, package and all", async () => {
    await createFunction(huawei, await nodeHandlerZip(), "fg-made", { package: "shared", runtime: "Python3.9" });
    const found = await tencent.GetFunction({ FunctionName: "fg-made", Namespace: "shared" });
    assert.equal(found.Runtime, "Python3.9");
    assert.equal(found.Namespace, "shared");
    await tencent.PublishVersion({ FunctionName: "fg-made", Namespace: "shared" });
    const listed = wire(await huawei.listFunctionVersions(new fg.ListFunctionVersionsRequest().withFunctionUrn("shared:fg-made")));
    assert.deepEqual(versionNames(listed), ["latest", "1"]);
  });
});
