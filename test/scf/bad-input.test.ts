import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { sendTc3 } from "../helpers/tc3.js";
import { buildZip, nodeZip, rawZip } from "../helpers/zip.js";

const HANDLER = "exports.main_handler = async () => 'ok';\n";

void describe("SCF bad input leaves the server answering and the data unchanged", () => {
  let server: TestQuiver;
  let scf: ScfClient;
  let goodSize: number;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false }, limits: { maxBodyBytes: 256 * 1024 } });
    scf = scfClient(server, ALICE);
    const zip = await nodeZip("the good code");
    goodSize = zip.length;
    await scf.CreateFunction({ FunctionName: "steady", Runtime: "Nodejs18.15", Handler: "index.main_handler", MemorySize: 256, Code: { ZipFile: zip.toString("base64") } });
    await scf.PublishVersion({ FunctionName: "steady" });
  });
  after(async () => server.stop());

  /** The function is exactly as the `before` hook left it. */
  async function assertUnchanged(): Promise<void> {
    const fn = await scf.GetFunction({ FunctionName: "steady" });
    assert.equal(fn.Status, "Active");
    assert.equal(fn.CodeSize, goodSize);
    assert.equal(fn.MemorySize, 256);
    assert.equal(fn.Handler, "index.main_handler");
    assert.deepEqual((await scf.ListVersionByFunction({ FunctionName: "steady" })).FunctionVersion, ["$LATEST", "1"]);
    assert.deepEqual((await scf.ListFunctions({})).Functions?.map((f) => f.FunctionName), ["steady"]);
  }

  const signed = (action: string, body: string): Promise<Awaited<ReturnType<typeof sendTc3>>> =>
    sendTc3(server.url, { action, body, secretId: ALICE.tencent.secretId, secretKey: ALICE.tencent.secretKey, region: "ap-guangzhou" });

  void test("malformed JSON and non-object bodies", async () => {
    for (const body of ["{not json", '{"FunctionName": "steady"', "[]", '"text"', "null", "42"]) {
      const reply = await signed("UpdateFunctionConfiguration", body);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.Response.Error?.Code, "InvalidParameter.Payload", `body ${body}`);
    }
    await assertUnchanged();
  });

  void test("values of the wrong type", async () => {
    await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "steady", MemorySize: { size: 512 } }), "InvalidParameter");
    await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "steady", MemorySize: [512] }), "InvalidParameter");
    await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "steady", Environment: { Variables: "A=1" } }), "InvalidParameter");
    await expectScfError(scf.request("UpdateFunctionCode", { FunctionName: "steady", ZipFile: 12345 }), "InvalidParameter");
    await expectScfError(scf.request("UpdateFunctionConfiguration", { FunctionName: "steady", MemorySize: true }), "InvalidParameter");
    const raw = await signed("UpdateFunctionConfiguration", '{"FunctionName":"steady","MemorySize":null}');
    assert.equal(raw.body.Response.Error?.Code, "InvalidParameter");
    await assertUnchanged();
  });

  void test("an oversized body", async () => {
    const big = randomBytes(300 * 1024).toString("base64");
    await expectScfError(scf.UpdateFunctionCode({ FunctionName: "steady", ZipFile: big }), "RequestSizeLimitExceeded");
    const v1 = scfClient(server, ALICE, { signMethod: "HmacSHA256" });
    await expectScfError(v1.UpdateFunctionCode({ FunctionName: "steady", ZipFile: big }), "RequestSizeLimitExceeded");
    await assertUnchanged();
  });

  void test("a corrupt zip", async () => {
    const good = await nodeZip("soon to be broken");
    for (const bytes of [Buffer.from("this is not a zip file at all"), good.subarray(0, good.length - 30), Buffer.alloc(0, 0), randomBytes(2048)]) {
      const code = bytes.length === 0 ? "MissingParameter.Code" : "InvalidParameterValue.ZipFile";
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "steady", ZipFile: bytes.toString("base64") }), code);
      await expectScfError(scf.CreateFunction({ FunctionName: "broken", Runtime: "Nodejs18.15", Code: { ZipFile: bytes.toString("base64") } }), code);
    }
    await assertUnchanged();
  });

  void test("bad base64", async () => {
    for (const text of ["@@@@", "abc", "UEsDBA=", "UEsD BA==!", "ab=c"]) {
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "steady", ZipFile: text }), "InvalidParameterValue.ZipFileBase64BinasciiError");
      await expectScfError(scf.CreateFunction({ FunctionName: "broken", Runtime: "Nodejs18.15", Code: { ZipFile: text } }), "InvalidParameterValue.ZipFileBase64BinasciiError");
    }
    await assertUnchanged();
  });

  void test("the hand-made zip writer produces zips Quiver accepts (so the hostile cases below test the names)", async () => {
    const fine = rawZip([{ name: "index.js", content: HANDLER }, { name: "lib/util.js", content: "module.exports = 1;\n" }]);
    await scf.CreateFunction({ FunctionName: "handmade", Runtime: "Nodejs18.15", Code: { ZipFile: fine.toString("base64") } });
    assert.equal((await scf.GetFunction({ FunctionName: "handmade" })).CodeSize, fine.length);
    await scf.DeleteFunction({ FunctionName: "handmade" });
  });

  void test("zip-slip and absolute paths are refused", async () => {
    const hostile = [
      [{ name: "index.js", content: HANDLER }, { name: "../evil.js", content: "pwned" }],
      [{ name: "index.js", content: HANDLER }, { name: "lib/../../evil.js", content: "pwned" }],
      [{ name: "/etc/x", content: "pwned" }],
      [{ name: "index.js", content: HANDLER }, { name: "..\\evil.js", content: "pwned" }],
      [{ name: "C:/Windows/evil.js", content: "pwned" }],
    ];
    for (const entries of hostile) {
      const zip = rawZip(entries).toString("base64");
      const names = entries.map((e) => e.name).join(", ");
      await expectScfError(scf.UpdateFunctionCode({ FunctionName: "steady", ZipFile: zip }), "InvalidParameterValue.ZipFile").catch((error: unknown) => {
        throw new Error(`${names}: ${String(error)}`);
      });
      await expectScfError(scf.CreateFunction({ FunctionName: "slipped", Runtime: "Nodejs18.15", Code: { ZipFile: zip } }), "InvalidParameterValue.ZipFile");
    }
    await expectScfError(scf.GetFunction({ FunctionName: "slipped" }), "ResourceNotFound.Function");
    await assertUnchanged();
  });

  void test("yazl-built zips with nested folders are accepted", async () => {
    const zip = await buildZip({ "index.js": HANDLER, "node_modules/dep/index.js": "module.exports = 2;\n" });
    await scf.CreateFunction({ FunctionName: "nested", Runtime: "Nodejs18.15", Code: { ZipFile: zip.toString("base64") } });
    assert.equal((await scf.GetFunction({ FunctionName: "nested" })).CodeSize, zip.length);
    await scf.DeleteFunction({ FunctionName: "nested" });
    await assertUnchanged();
  });
});

void describe("SCF storage failures", () => {
  void test("InternalError when code cannot be stored; nothing half-made is left Active", async () => {
    const server = await startQuiver({ rateLimits: { enabled: false } });
    try {
      const scf = scfClient(server, ALICE);
      const blobs = join(server.dataDir, "blobs");
      rmSync(blobs, { recursive: true, force: true });
      writeFileSync(blobs, "a file where the blob directory should be");
      const error = await expectScfError(scf.CreateFunction({ FunctionName: "unstored", Runtime: "Nodejs18.15", Code: { ZipFile: (await nodeZip()).toString("base64") } }), "InternalError");
      assert.doesNotMatch(error.message, /ENOTDIR|EEXIST|blobs/, "internal details are not leaked");
      assert.equal((await scf.GetFunction({ FunctionName: "unstored" })).Status, "CreateFailed");
      await expectScfError(scf.PublishVersion({ FunctionName: "unstored" }), "FailedOperation.PublishVersion");
      rmSync(blobs);
      mkdirSync(blobs);
      await scf.DeleteFunction({ FunctionName: "unstored" });
      await scf.CreateFunction({ FunctionName: "unstored", Runtime: "Nodejs18.15", Code: { ZipFile: (await nodeZip()).toString("base64") } });
      assert.equal((await scf.GetFunction({ FunctionName: "unstored" })).Status, "Active");
    } finally {
      await server.stop();
    }
  });
});
