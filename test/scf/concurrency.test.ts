import assert from "node:assert/strict";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE } from "../helpers/accounts.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createNodeFunction, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { nodeZip } from "../helpers/zip.js";

const SCOPE = { accountId: ALICE.name, region: "ap-guangzhou" };

void describe("SCF concurrency and version immutability", () => {
  let server: TestQuiver;
  let scf: ScfClient;

  before(async () => {
    server = await startQuiver({ rateLimits: { enabled: false } });
    scf = scfClient(server, ALICE);
  });
  after(async () => server.stop());

  void test("50 concurrent PublishVersion calls get distinct, gap-free versions 1..50", async () => {
    await createNodeFunction(scf, "racer");
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => scf.PublishVersion({ FunctionName: "racer", Description: `p${i}` })));
    const numbers = results.map((r) => Number(r.FunctionVersion)).sort((a, b) => a - b);
    assert.deepEqual(numbers, Array.from({ length: 50 }, (_, i) => i + 1));
    for (const r of results) assert.equal(typeof r.FunctionVersion, "string");
    // Each caller's description went into the version it was told about.
    for (const r of results) {
      const listed = await scf.GetFunction({ FunctionName: "racer", Qualifier: r.FunctionVersion ?? "" });
      assert.equal(listed.FunctionVersion, r.FunctionVersion);
    }
    const list = await scf.ListVersionByFunction({ FunctionName: "racer", Limit: 100, Order: "ASC" });
    assert.equal(list.TotalCount, 51);
    assert.deepEqual(list.FunctionVersion, ["$LATEST", ...Array.from({ length: 50 }, (_, i) => String(i + 1))]);
    const byNumber = new Map(results.map((r) => [r.FunctionVersion, r.Description]));
    assert.ok(list.Versions, "ListVersionByFunction returns Versions");
    for (const v of list.Versions) if (v.Version !== "$LATEST") assert.equal(v.Description, byNumber.get(v.Version));
    // Publish order (AddTime) and number order agree: strictly increasing.
    const record = await server.quiver.store.getFunction(SCOPE, "default", "racer");
    assert.ok(record);
    const page = await server.quiver.store.listVersions(record.id, { offset: 0, limit: 100, order: "ASC", orderBy: "createdAt" });
    assert.deepEqual(page.items.map((v) => v.name), Array.from({ length: 50 }, (_, i) => String(i + 1)));
  });

  void test("concurrent publishes and code updates: every version is a complete snapshot", async () => {
    await createNodeFunction(scf, "mixed", { marker: "m0" });
    const zips = await Promise.all(Array.from({ length: 10 }, (_, i) => nodeZip(`mixed update ${"x".repeat(i * 10)}`)));
    const sizes = new Set([(await scf.GetFunction({ FunctionName: "mixed" })).CodeSize, ...zips.map((z) => z.length)]);
    const updates = zips.map((zip) => scf.UpdateFunctionCode({ FunctionName: "mixed", ZipFile: zip.toString("base64") }));
    const publishes = Array.from({ length: 20 }, () => scf.PublishVersion({ FunctionName: "mixed" }));
    const [updateOutcomes, publishOutcomes] = await Promise.all([Promise.allSettled(updates), Promise.allSettled(publishes)]);
    for (const outcome of [...updateOutcomes, ...publishOutcomes]) {
      if (outcome.status === "rejected") {
        // The only acceptable refusal: the function was mid-update.
        const code = (outcome.reason as { code?: string }).code;
        assert.ok(code === "FailedOperation.PublishVersion" || code === "FailedOperation.UpdateFunctionCode", `unexpected ${String(code)}`);
      }
    }
    const published = publishOutcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const numbers = published.map((p) => Number(p.FunctionVersion)).sort((a, b) => a - b);
    assert.deepEqual(numbers, Array.from({ length: published.length }, (_, i) => i + 1), "gap-free even when some publishes are refused");
    for (const p of published) {
      assert.ok(sizes.has(p.CodeSize ?? -1), `version ${p.FunctionVersion} has a code size that was never uploaded`);
      assert.equal((await scf.GetFunction({ FunctionName: "mixed", Qualifier: p.FunctionVersion ?? "" })).CodeSize, p.CodeSize);
    }
    assert.equal((await scf.GetFunction({ FunctionName: "mixed" })).Status, "Active");
  });

  void test("a published version's code and configuration never change afterwards", async () => {
    const original = await nodeZip("frozen");
    await scf.CreateFunction({
      FunctionName: "frozen",
      Runtime: "Nodejs18.15",
      Handler: "index.main_handler",
      MemorySize: 128,
      Timeout: 3,
      Description: "original",
      Environment: { Variables: [{ Key: "STAGE", Value: "one" }] },
      Code: { ZipFile: original.toString("base64") },
    });
    const v1 = await scf.PublishVersion({ FunctionName: "frozen", Description: "release 1" });
    assert.equal(v1.CodeSize, original.length);
    const snapshot = await scf.GetFunction({ FunctionName: "frozen", Qualifier: "1" });

    const replacement = await nodeZip("frozen, but replaced with a longer body");
    await scf.UpdateFunctionCode({ FunctionName: "frozen", ZipFile: replacement.toString("base64"), Handler: "index.other" });
    await scf.UpdateFunctionConfiguration({
      FunctionName: "frozen",
      MemorySize: 1024,
      Timeout: 60,
      Description: "changed",
      Environment: { Variables: [{ Key: "STAGE", Value: "two" }] },
    });
    const latest = await scf.GetFunction({ FunctionName: "frozen" });
    assert.equal(latest.CodeSize, replacement.length);
    assert.equal(latest.MemorySize, 1024);

    const again = await scf.GetFunction({ FunctionName: "frozen", Qualifier: "1" });
    for (const field of ["CodeSize", "MemorySize", "Timeout", "Handler", "Description", "Runtime", "Environment"] as const) {
      assert.deepEqual(again[field], snapshot[field], `version 1 ${field} changed`);
    }
    assert.equal(again.CodeSize, original.length);
    assert.equal(again.Handler, "index.main_handler");
    assert.equal(again.Description, "original");
    assert.deepEqual(again.Environment?.Variables, [{ Key: "STAGE", Value: "one" }]);

    // The stored blob of version 1 is still the original zip, byte for byte.
    const record = await server.quiver.store.getFunction(SCOPE, "default", "frozen");
    assert.ok(record);
    const version = await server.quiver.store.getVersion(record.id, "1");
    assert.ok(version);
    assert.deepEqual(await server.quiver.service.functions.readCode(version.code.sha256), original);

    const v2 = await scf.PublishVersion({ FunctionName: "frozen" });
    assert.equal(v2.FunctionVersion, "2");
    assert.equal(v2.CodeSize, replacement.length);
    assert.equal(v2.MemorySize, 1024);
    assert.equal(v2.Handler, "index.other");
    assert.equal((await scf.GetFunction({ FunctionName: "frozen", Qualifier: "1" })).MemorySize, 128);
  });
});
