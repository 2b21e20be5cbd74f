/**
 * Hot reload through both official SDKs: a head that runs a host directory (SCF's "hot-reload"
 * bucket, FunctionGraph's `code_type: "obs"` with a `file://` URL) runs the directory's current
 * files; a change retires its warm instances and the next invocation runs the new code; a
 * publish snapshots the files into a real package that later edits never touch; paths outside
 * the root, symbolic links that lead out of it (at create and swapped later) and servers
 * without a root are refused.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "../helpers/node-test.js";
import { BOB, tempDir } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { fg, fgClient, invoke as fgInvoke, resultOf, sdkFailure, showConfig, urnOf, wire, publishVersion as fgPublish } from "../helpers/fgs-sdk.js";
import { readZip } from "../../src/code/package-diff.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { errorCode, expectScfError, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { zipBase64 } from "../helpers/zip.js";
import { listFiles, zipFiles } from "../../src/code/directory.js";

const handler = (marker: string): string => `exports.main_handler = async () => ({ marker: ${JSON.stringify(marker)} });\nexports.handler = exports.main_handler;\n`;

function project(root: string, name: string, marker: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), handler(marker));
  return dir;
}

async function scfMarker(scf: ScfClient, name: string, qualifier = "$LATEST"): Promise<string> {
  const r = await scf.Invoke({ FunctionName: name, Qualifier: qualifier });
  assert.equal(r.Result?.ErrMsg, "", `invoke ${name}:${qualifier} failed`);
  return (JSON.parse(r.Result?.RetMsg ?? "{}") as { marker: string }).marker;
}

/** Warm instances of one function's head (its instance keys start `<id>/head/`). */
function headInstances(server: TestQuiver, functionId: string): number {
  return Object.entries(server.quiver.engine.stats().perKey).filter(([key]) => key.startsWith(`${functionId}/head/`)).reduce((sum, [, n]) => sum + n.instances, 0);
}

async function scfFunctionId(scf: ScfClient, name: string): Promise<string> {
  return String((await scf.GetFunction({ FunctionName: name })).FunctionId).replace(/^lam-/, "");
}

describe("hot reload", () => {
  const root = tempDir("quiver-hot-root-");
  const outside = tempDir("quiver-hot-outside-");
  let server: TestQuiver;
  before(async () => {
    server = await startQuiver({ hotReloadRoot: root.path, rateLimits: { enabled: false, overrides: {} } });
  });
  after(async () => {
    await server.stop();
    root.remove();
    outside.remove();
  });

  it("SCF: the head runs the directory; an edit restarts it and the next invoke runs the new code", async () => {
    const scf = scfClient(server);
    const dir = project(root.path, "scf-app", "v1");
    await scf.CreateFunction({ FunctionName: "hot", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: dir } });
    assert.equal(await scfMarker(scf, "hot"), "v1");
    const id = await scfFunctionId(scf, "hot");
    assert.equal(headInstances(server, id), 1, "a warm instance of the head");
    const got = await scf.GetFunction({ FunctionName: "hot" });
    assert.equal(got.Status, "Active");
    assert.equal(got.CodeResult, "success");

    writeFileSync(join(dir, "index.js"), handler("v2"));
    await eventually(() => headInstances(server, id) === 0, { what: "the edit retired the head's warm instance" });
    assert.equal(await scfMarker(scf, "hot"), "v2", "the first invoke after the restart runs the new file");
  });

  it("a save restarts the head within 300 ms (median of 5 saves, save → warm instance retired)", async () => {
    const scf = scfClient(server);
    const dir = project(root.path, "latency", "l0");
    await scf.CreateFunction({ FunctionName: "latency", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: dir } });
    const id = await scfFunctionId(scf, "latency");
    const took: number[] = [];
    for (let i = 1; i <= 5; i += 1) {
      assert.equal(await scfMarker(scf, "latency"), `l${i - 1}`);
      const saved = performance.now();
      writeFileSync(join(dir, "index.js"), handler(`l${i}`));
      await eventually(() => headInstances(server, id) === 0, { intervalMs: 2, what: "the save retired the head" });
      took.push(performance.now() - saved);
    }
    const median = [...took].sort((a, b) => a - b)[2] ?? Infinity;
    assert.ok(median < 300, `median save → restart ${median.toFixed(0)} ms (all: ${took.map((t) => t.toFixed(0)).join(", ")})`);
    assert.equal(await scfMarker(scf, "latency"), "l5");
  });

  it("SCF: a publish snapshots the files (real digest and size); editing afterwards changes only $LATEST", async () => {
    const scf = scfClient(server);
    const dir = project(root.path, "scf-publish", "published");
    await scf.CreateFunction({ FunctionName: "hotpub", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: dir } });
    const published = await scf.PublishVersion({ FunctionName: "hotpub" });
    assert.equal(published.FunctionVersion, "1");
    assert.ok((published.CodeSize ?? 0) > 100, `a real package size, not a placeholder (${String(published.CodeSize)})`);
    assert.equal(await scfMarker(scf, "hotpub", "1"), "published");

    writeFileSync(join(dir, "index.js"), handler("edited"));
    writeFileSync(join(dir, "extra.txt"), "a new file");
    const id = await scfFunctionId(scf, "hotpub");
    await eventually(() => headInstances(server, id) === 0, { what: "the edit retired the head's warm instance" });
    assert.equal(await scfMarker(scf, "hotpub"), "edited");
    assert.equal(await scfMarker(scf, "hotpub", "1"), "published", "the version still runs what was published");

    // The version's package is the directory as it was: its digest is the snapshot's, and a
    // second publish of the edited directory is a different package.
    const second = await scf.PublishVersion({ FunctionName: "hotpub" });
    assert.ok((second.CodeSize ?? 0) > (published.CodeSize ?? 0), "the edit (a new file) is in the second snapshot only");
    assert.equal(await scfMarker(scf, "hotpub", "2"), "edited");
    assert.equal(await scfMarker(scf, "hotpub", "1"), "published");
  });

  it("SCF: UpdateFunctionCode switches a zip head to a directory and back", async () => {
    const scf = scfClient(server);
    const dir = project(root.path, "scf-switch", "from-dir");
    await scf.CreateFunction({ FunctionName: "switch", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { ZipFile: await zipOf("from-zip") } });
    assert.equal(await scfMarker(scf, "switch"), "from-zip");
    await scf.UpdateFunctionCode({ FunctionName: "switch", CosBucketName: "hot-reload", CosObjectName: dir });
    assert.equal(await scfMarker(scf, "switch"), "from-dir");
    await scf.UpdateFunctionCode({ FunctionName: "switch", ZipFile: await zipOf("zip-again") });
    assert.equal(await scfMarker(scf, "switch"), "zip-again");
    writeFileSync(join(dir, "index.js"), handler("ignored"));
    assert.equal(await scfMarker(scf, "switch"), "zip-again", "a head back on a package no longer follows the directory");
  });

  it("FunctionGraph: code_type obs with a file:// code_url; an edit reaches the next invoke; the config shows the URL", async () => {
    const client = fgClient(server.url);
    const dir = project(root.path, "fg-app", "fg1");
    const body = new fg.CreateFunctionRequestBody().withFuncName("fghot").withPackage("default").withRuntime("Node.js18.15").withHandler("index.handler")
      .withMemorySize(128).withTimeout(10).withCodeType("obs").withCodeUrl(`file://${dir}`);
    await client.createFunction(new fg.CreateFunctionRequest().withBody(body));
    const urn = urnOf("fghot", "latest");
    assert.equal(resultOf(await fgInvoke(client, urn))["marker"], "fg1");
    const config = await showConfig(client, urn);
    const code = wire(await client.showFunctionCode(new fg.ShowFunctionCodeRequest().withFunctionUrn(urn)));
    const files = await readZip(Buffer.from(String((code["func_code"] as Record<string, unknown>)["file"]), "base64"));
    assert.equal(files.get("index.js")?.toString(), handler("fg1"), "showFunctionCode gives the directory's files, zipped");
    assert.equal(config["code_type"], "obs");
    assert.equal(config["code_url"], `file://${dir}`);

    writeFileSync(join(dir, "index.js"), handler("fg2"));
    await eventually(() => headInstances(server, String(config["func_id"])) === 0, { what: "the edit retired the head's warm instance" });
    assert.equal(resultOf(await fgInvoke(client, urn))["marker"], "fg2");

    const version = await fgPublish(client, urn, { version: "v1" });
    assert.equal(version["code_type"], "zip", "a version holds a stored package");
    const zipDigest = createHash("sha512").update(await zipFiles(await listFiles(dir))).digest("hex");
    assert.equal(version["digest"], zipDigest, "the version's digest is the SHA-512 of the directory's package");
    writeFileSync(join(dir, "index.js"), handler("fg3"));
    assert.equal(resultOf(await fgInvoke(client, urnOf("fghot", "v1")))["marker"], "fg2");
  });

  it("refuses paths outside the root, relative paths and symbolic links that lead out, through both APIs", async () => {
    const scf = scfClient(server);
    const out = project(outside.path, "elsewhere", "escaped");
    symlinkSync(out, join(root.path, "link-out"));
    for (const path of [out, "relative/dir", join(root.path, "link-out"), join(root.path, "absent"), join(root.path, "..", "x")]) {
      const create = scf.CreateFunction({ FunctionName: "refused", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: path } });
      assert.equal(await errorCode(create), "InvalidParameterValue.Code", path);
    }
    const refusedFg = await sdkFailure(fgClient(server.url).createFunction(new fg.CreateFunctionRequest().withBody(
      new fg.CreateFunctionRequestBody().withFuncName("refused").withPackage("default").withRuntime("Node.js18.15").withHandler("index.handler")
        .withMemorySize(128).withTimeout(10).withCodeType("obs").withCodeUrl(`file://${join(root.path, "link-out")}`),
    )));
    assert.equal(refusedFg.httpStatusCode, 400);
    assert.equal(refusedFg.errorCode, "FSS.1010");
    assert.match(refusedFg.errorMsg, /outside the hot-reload root/);
    const names = (await scf.ListFunctions({})).Functions?.map((f) => f.FunctionName) ?? [];
    assert.ok(!names.includes("refused"), "nothing is created by a refused request");
  });

  it("a link swapped after the function was saved is caught when an instance starts", async () => {
    const scf = scfClient(server);
    const inside = project(root.path, "swap-target", "inside");
    const link = join(root.path, "swap-link");
    symlinkSync(inside, link);
    await scf.CreateFunction({ FunctionName: "swapped", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: link } });
    assert.equal(await scfMarker(scf, "swapped"), "inside");
    const id = await scfFunctionId(scf, "swapped");
    // Point the link outside the root (atomically, as an attacker would), then make the head restart.
    const out = project(outside.path, "swap-out", "escaped");
    symlinkSync(out, `${link}.new`);
    renameSync(`${link}.new`, link);
    writeFileSync(join(inside, "index.js"), handler("touched"));
    await eventually(() => headInstances(server, id) === 0, { what: "the head restarted" });
    const r = await scf.Invoke({ FunctionName: "swapped" });
    assert.notEqual(r.Result?.RetMsg, JSON.stringify({ marker: "escaped" }));
    assert.match(r.Result?.ErrMsg ?? "", /outside the hot-reload root/);
  });

  it("another account cannot see or run a hot-reloaded function", async () => {
    const bob = scfClient(server, BOB);
    assert.equal(await errorCode(bob.Invoke({ FunctionName: "hot" })), "ResourceNotFound.Function");
    assert.equal(await errorCode(bob.GetFunction({ FunctionName: "hot" })), "ResourceNotFound.Function");
  });
});

describe("hot reload off", () => {
  it("a server started without --hot-reload-root refuses the hot-reload bucket and file:// URLs, saying how to turn it on", async () => {
    const server = await startQuiver();
    const dir = tempDir();
    try {
      const app = project(dir.path, "app", "off");
      const scf = scfClient(server);
      const create = scf.CreateFunction({ FunctionName: "off", Runtime: "Nodejs18.15", Handler: "index.main_handler", Code: { CosBucketName: "hot-reload", CosObjectName: app } });
      const error = await expectScfError(create, "InvalidParameterValue.Code");
      assert.match(error.message, /--hot-reload-root/);
      const refused = await sdkFailure(fgClient(server.url).createFunction(new fg.CreateFunctionRequest().withBody(
        new fg.CreateFunctionRequestBody().withFuncName("off").withPackage("default").withRuntime("Node.js18.15").withHandler("index.handler")
          .withMemorySize(128).withTimeout(10).withCodeType("obs").withCodeUrl(`file://${app}`),
      )));
      assert.equal(refused.errorCode, "FSS.1010");
      assert.match(refused.errorMsg, /--hot-reload-root/);
    } finally {
      dir.remove();
      await server.stop();
    }
  });
});

async function zipOf(marker: string): Promise<string> {
  return zipBase64({ "index.js": handler(marker) });
}
