import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { sendTc3 } from "../helpers/tc3.js";
import { nodeZip, rawZip } from "../helpers/zip.js";

const HANDLER = "exports.main_handler = async () => 'ok';\n";
const TAGS = [{ Key: "team", Value: "core" }];
const VPC = { VpcId: "vpc-12345678", SubnetId: "subnet-12345678" };
const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const tags = (count: number, key = (i: number) => `k${i}`, value = "v") => Array.from({ length: count }, (_, i) => ({ Key: key(i), Value: value }));

void describe("SCF limits on everything stored", { timeout: 180_000 }, () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let goodSize: number;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
    const zip = await nodeZip("the good code");
    goodSize = zip.length;
    await scf.CreateFunction({ FunctionName: "steady", Runtime: "Nodejs18.15", Code: { ZipFile: zip.toString("base64") }, Tags: TAGS, VpcConfig: VPC, InitTimeout: 30 });
    await scf.PublishVersion({ FunctionName: "steady" });
  });
  after(async () => server.stop());

  /** The function, its settings and its versions are exactly as the `before` hook left them. */
  async function assertUnchanged(): Promise<void> {
    const fn = await scf.GetFunction({ FunctionName: "steady" });
    assert.equal(fn.Status, "Active");
    assert.equal(fn.CodeSize, goodSize);
    assert.equal(fn.Description, "");
    assert.deepEqual(fn.Tags, TAGS);
    assert.deepEqual(fn.VpcConfig, VPC);
    assert.equal(fn.InitTimeout, 30);
    assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "steady" })).FunctionVersion, ["$LATEST", "1"]);
    assert.deepEqual((await scf.ListFunctions({})).Functions?.map((f) => f.FunctionName), ["steady"]);
    assert.equal((await scf.ListAliases({ FunctionName: "steady" })).TotalCount, 1, "only $DEFAULT");
  }

  /** Refused on update and on create alike, with the code and a message naming field and limit. */
  async function refused(settings: Record<string, unknown>, code: string, message: RegExp): Promise<void> {
    const update = await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "steady", ...settings }), code);
    assert.match(update.message, message);
    const zip = (await nodeZip()).toString("base64");
    const create = await expectScfError(scf.request("CreateFunction", { FunctionName: "never", Runtime: "Nodejs18.15", Code: { ZipFile: zip }, ...settings }), code);
    assert.match(create.message, message);
  }

  const signed = (action: string, body: string): ReturnType<typeof sendTc3> =>
    sendTc3(server.url, { action, body, secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey, region: "ap-guangzhou" });

  void test("pass-through settings within the documented limits are stored and echoed", async () => {
    const settings = {
      Tags: tags(50, (i) => `${"k".repeat(120)}${i}`, "v".repeat(255)),
      VpcConfig: VPC,
      InitTimeout: 300,
      DeadLetterConfig: { Type: "CMQ-QUEUE", Name: "dead-letters", FilterType: "" },
      InstanceConcurrencyConfig: { DynamicEnabled: "FALSE", MaxConcurrency: 100 },
      ProtocolParams: { WSParams: { IdleTimeOut: 1800 } },
      IntranetConfig: { IpFixed: "DISABLE" },
      Role: "r".repeat(128),
    };
    await scf.CreateFunction({ FunctionName: "shaped", Runtime: "Nodejs18.15", Code: { ZipFile: (await nodeZip()).toString("base64") }, ...settings });
    const fn = await scf.GetFunction({ FunctionName: "shaped" });
    assert.deepEqual(fn.Tags, settings.Tags);
    assert.equal(fn.InitTimeout, 300);
    assert.deepEqual(fn.DeadLetterConfig, settings.DeadLetterConfig);
    assert.deepEqual(fn.InstanceConcurrencyConfig, settings.InstanceConcurrencyConfig);
    assert.equal(fn.Role, settings.Role);
    // GET requests carry every value as a string; nested numbers still parse.
    const viaGet = scfClient(server, ALICE, { reqMethod: "GET" });
    await scf.PublishLayerVersion({ LayerName: "via-get", CompatibleRuntimes: ["Nodejs18.15"], Content: { ZipFile: (await nodeZip()).toString("base64") } });
    await viaGet.UpdateFunctionConfiguration({ FunctionName: "shaped", Layers: [{ LayerName: "via-get", LayerVersion: 1 }], ProtocolParams: { WSParams: { IdleTimeOut: 60 } } });
    assert.deepEqual((await scf.GetFunction({ FunctionName: "shaped" })).Layers?.map((l) => [l.LayerName, l.LayerVersion]), [["via-get", 1]]);
    assert.deepEqual((await scf.GetFunction({ FunctionName: "shaped" })).ProtocolParams, { WSParams: { IdleTimeOut: 60 } });
    await scf.DeleteFunction({ FunctionName: "shaped" });
  });

  void test("Tags: at most 50, keys 1-127 and values 1-255 characters, documented fields only", async () => {
    await refused({ Tags: tags(51) }, "InvalidParameterValue", /Tags is invalid: at most 50 tags/);
    await refused({ Tags: tags(1, () => "k".repeat(128)) }, "InvalidParameterValue", /Tags\.0\.Key is invalid: a tag key has 1 to 127 characters/);
    await refused({ Tags: tags(1, () => "") }, "InvalidParameterValue", /Tags\.0\.Key is invalid/);
    await refused({ Tags: tags(2, (i) => `k${i}`, "v".repeat(256)) }, "InvalidParameterValue", /Tags\.0\.Value is invalid: a tag value has 1 to 255 characters/);
    await refused({ Tags: [{ Key: "k", Value: "v", Extra: "x".repeat(1000) }] }, "UnknownParameter", /Tags\.0\.Extra is not recognized/);
    await refused({ Tags: "team=core" }, "InvalidParameter", /Tags must be of type array/);
    await assertUnchanged();
  });

  void test("every other stored setting is bounded, whatever its size", async () => {
    const huge = "x".repeat(1024 * 1024);
    await refused({ VpcConfig: { VpcId: huge } }, "InvalidParameterValue", /VpcConfig\.VpcId is invalid: at most 64 characters/);
    await refused({ VpcConfig: { VpcId: "vpc-1", Junk: { deep: [huge] } } }, "UnknownParameter", /VpcConfig\.Junk/);
    await refused({ Role: huge }, "InvalidParameterValue", /Role is invalid: at most 128 characters/);
    await refused({ ClsLogsetId: "c".repeat(65) }, "InvalidParameterValue", /ClsLogsetId is invalid: at most 64/);
    await refused({ ClsTopicId: "c".repeat(65) }, "InvalidParameterValue", /ClsTopicId is invalid: at most 64/);
    await refused({ DnsCache: "TRUE".repeat(10) }, "InvalidParameterValue", /DnsCache is invalid: at most 32/);
    await refused({ Layers: [1, 2, 3, 4, 5, 6].map((n) => ({ LayerName: `l${n}`, LayerVersion: n })) }, "InvalidParameterValue.Layers", /Layers is invalid: at most 5 layer versions/);
    await refused({ Layers: [{ LayerName: "9lives", LayerVersion: 1 }] }, "InvalidParameterValue.Layers", /Layers\.0\.LayerName is invalid: a layer name has 1-64/);
    await refused({ DeadLetterConfig: { Type: "CMQ-QUEUE", Name: huge } }, "InvalidParameterValue", /DeadLetterConfig\.Name is invalid: at most 128/);
    const mount = { UserId: "10000", UserGroupId: "10000", CfsId: "cfs-1", MountInsId: "cfs-1", LocalMountDir: "/mnt/a", RemoteMountDir: "/" };
    await refused({ CfsConfig: { CfsInsList: [mount, mount, mount, mount] } }, "InvalidParameterValue", /CfsConfig\.CfsInsList is invalid: at most 3 file systems/);
    await refused({ CfsConfig: { CfsInsList: [{ ...mount, LocalMountDir: `/mnt/${huge}` }] } }, "InvalidParameterValue", /LocalMountDir is invalid: at most 255/);
    await refused({ ProtocolParams: { WSParams: { IdleTimeOut: 1801 } } }, "InvalidParameterValue", /IdleTimeOut is invalid: from 1 to 1800 seconds/);
    await refused({ InstanceConcurrencyConfig: { MaxConcurrency: 101 } }, "InvalidParameterValue", /MaxConcurrency is invalid: from 1 to 100/);
    await refused({ PublicNetConfig: { PublicNetStatus: "ENABLE", EipConfig: { EipStatus: huge } } }, "InvalidParameterValue", /EipStatus is invalid: at most 32/);
    await refused({ IntranetConfig: { IpFixed: huge } }, "InvalidParameterValue", /IpFixed is invalid: at most 32/);
    for (const value of [2, 301]) await refused({ InitTimeout: value }, "LimitExceeded.InitTimeout", /InitTimeout is invalid: from 3 to 300 seconds/);
    await expectScfError(scf.GetFunction({ FunctionName: "never" }), "ResourceNotFound.Function");
    await assertUnchanged();
  });

  void test("the same limits apply to GET and v1-signed (form) requests", async () => {
    for (const client of [scfClient(server, ALICE, { reqMethod: "GET" }), scfClient(server, ALICE, { signMethod: "HmacSHA256" })]) {
      const error = await expectScfError(client.request("UpdateFunctionConfiguration", { FunctionName: "steady", Tags: tags(51) }), "InvalidParameterValue");
      assert.match(error.message, /at most 50 tags/);
      await expectScfError(client.UpdateFunctionConfiguration({ FunctionName: "steady", InitTimeout: 1000 }), "LimitExceeded.InitTimeout");
    }
    await assertUnchanged();
  });

  void test("JSON nested 10,000 levels deep is a parameter error, not an internal one", async () => {
    for (const action of ["UpdateFunctionConfiguration", "CreateFunction", "ListFunctions", "CreateNamespace"]) {
      const reply = await signed(action, `{"FunctionName":"steady","Tags":${nested(10_000)}}`);
      assert.equal(reply.body.Response.Error?.Code, "InvalidParameter.Payload", action);
      assert.match(reply.body.Response.Error?.Message ?? "", /Tags nests more than 32 levels .*at most 32 levels/);
    }
    // Flattened GET parameters: 40 levels of nesting become a 40-segment name.
    const deep = JSON.parse(nested(40)) as Record<string, unknown>;
    const viaGet = scfClient(server, ALICE, { reqMethod: "GET" });
    const error = await expectScfError(viaGet.UpdateFunctionConfiguration({ FunctionName: "steady", VpcConfig: deep } as never), "InvalidParameter.Payload");
    assert.match(error.message, /VpcConfig nests more than 32 levels/);
    await assertUnchanged();
  });

  void test("a function's whole configuration is capped at 64 KB, and a refused change changes nothing", async () => {
    const zip = (await nodeZip()).toString("base64");
    // 50 tags of 127 + 255 three-byte characters take about 57 KB: within every field's limit.
    const bigTags = tags(50, (i) => `${"键".repeat(125)}${String(i).padStart(2, "0")}`, "值".repeat(255));
    await scf.CreateFunction({ FunctionName: "heavy", Runtime: "Nodejs18.15", Code: { ZipFile: zip }, Tags: bigTags });
    await scf.PublishVersion({ FunctionName: "heavy" });
    const more = { Description: "述".repeat(1000), Environment: { Variables: [{ Key: "BIG", Value: "v".repeat(4000) }] }, Role: "角".repeat(128) };
    const error = await expectScfError(scf.UpdateFunctionConfiguration({ FunctionName: "heavy", ...more }), "InvalidParameterValue");
    assert.match(error.message, /would take \d+ bytes; at most 65536 bytes \(64 KB\)/);
    const fn = await scf.GetFunction({ FunctionName: "heavy" });
    assert.equal(fn.Description, "");
    assert.deepEqual(fn.Environment?.Variables, []);
    assert.deepEqual(fn.Tags, bigTags);
    assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "heavy" })).FunctionVersion, ["$LATEST", "1"]);
    await expectScfError(scf.CreateFunction({ FunctionName: "heavier", Runtime: "Nodejs18.15", Code: { ZipFile: zip }, Tags: bigTags, ...more }), "InvalidParameterValue");
    await expectScfError(scf.GetFunction({ FunctionName: "heavier" }), "ResourceNotFound.Function");
    // Trimming works: dropping the tags makes room for the rest.
    await scf.request("UpdateFunctionConfiguration", { FunctionName: "heavy", Tags: [], ...more });
    assert.equal((await scf.GetFunction({ FunctionName: "heavy" })).Description, more.Description);
    await scf.DeleteFunction({ FunctionName: "heavy" });
  });

  void test("alias routing rules: at most 50, expressions of at most 256 characters", async () => {
    const matches = (count: number, expression = "v") => Array.from({ length: count }, (_, i) => ({ Version: "1", Key: `invoke.headers.H${i}`, Method: "exact", Expression: expression }));
    const alias = (name: string, routing: ReturnType<typeof matches>) => scf.CreateAlias({ FunctionName: "steady", Name: name, FunctionVersion: "$LATEST", RoutingConfig: { AddtionVersionMatchs: routing } });
    assert.match((await expectScfError(alias("many", matches(51)), "InvalidParameterValue.RoutingConfig")).message, /51 routing rules; at most 50/);
    assert.match((await expectScfError(alias("long", matches(1, "e".repeat(257))), "InvalidParameterValue.RoutingConfig")).message, /257 characters long; at most 256/);
    await assertUnchanged();
    await alias("fifty", matches(50, "e".repeat(256)));
    await scf.DeleteAlias({ FunctionName: "steady", Name: "fifty" });
  });

  void test("zips with symlinks, lying sizes, too many entries or overlong names are refused at upload", async () => {
    const index = { name: "index.js", content: HANDLER };
    const cases: Array<[Buffer, RegExp]> = [
      [rawZip([index, { name: "link", content: "/etc/passwd", unixMode: 0o120777 }]), /"link" is a symbolic link/],
      [rawZip([index, { name: "bomb.bin", content: Buffer.alloc(8 * 1024 * 1024), deflate: true, declaredSize: 100 }]), /"bomb\.bin" declares 100 bytes but inflates to more/],
      [rawZip([index, { name: "short.js", content: "module.exports = 1;", deflate: true, declaredSize: 5000 }]), /"short\.js" declares 5000 bytes but inflates to 19 bytes/],
      [rawZip([index, ...Array.from({ length: 20_000 }, (_, i) => ({ name: `f/${i}.js`, content: "" }))]), /20001 entries; at most 20000/],
      [rawZip([index, { name: "n".repeat(5000), content: "" }]), /name of 5000 bytes; at most 1024/],
      [rawZip([index, { name: `lib/${"s".repeat(300)}.js`, content: "" }]), /segment of 303 bytes; at most 255/],
    ];
    for (const [zip, message] of cases) {
      const text = zip.toString("base64");
      assert.match((await expectScfError(scf.UpdateFunctionCode({ FunctionName: "steady", ZipFile: text }), "InvalidParameterValue.ZipFile")).message, message);
      assert.match((await expectScfError(scf.CreateFunction({ FunctionName: "zipped", Runtime: "Nodejs18.15", Code: { ZipFile: text } }), "InvalidParameterValue.ZipFile")).message, message);
    }
    await expectScfError(scf.GetFunction({ FunctionName: "zipped" }), "ResourceNotFound.Function");
    await assertUnchanged();
  });
});
