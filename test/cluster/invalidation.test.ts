/**
 * Routing stays global while reads are cached per node: an alias or code change made through
 * one node is what the very next invocation on another node runs (PostgreSQL LISTEN/NOTIFY),
 * and a node's own writes are seen by its next call at once. The same for HTTP triggers: one
 * switched off through one node is refused by the next request to another.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { call, createFunction, REGION, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { zipBase64 } from "../helpers/zip.js";
import { parseExposition } from "../helpers/prometheus.js";
import { eventually } from "../helpers/eventually.js";
import { createHttpTrigger, scfTriggerUrl } from "../helpers/triggers.js";
import { openPool } from "../../src/store/postgres/driver.js";
import { createTestSchema, PG_OFF, urlWithSchema, type TestSchema } from "../store/pg-schema.js";

const versionCode = (n: number): Record<string, string> => ({ "index.js": `exports.main_handler = async () => ${n};\n` });

describe("cached reads across nodes", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  const dir = tempDir("quiver-invalidation-");
  let schema: TestSchema;
  const nodes: TestQuiver[] = [];
  let a: ScfClient;
  let b: ScfClient;

  async function startNode(name: string): Promise<ScfClient> {
    const node = await startQuiver({
      dirs: { root: dir.path, dataDir: join(dir.path, name), accountsFile: writeAccountsFile(dir.path), remove: dir.remove },
      blobDir: join(dir.path, "shared-blobs"),
      store: "postgres",
      databaseUrl: urlWithSchema(schema.name),
      rateLimits: { enabled: false },
    });
    nodes.push(node);
    return scfClient(node, ALICE);
  }

  before(async () => {
    schema = await createTestSchema();
    [a, b] = await Promise.all([startNode("node-a"), startNode("node-b")]);
    await createFunction(a, { name: "flip", files: versionCode(1) });
    await a.PublishVersion({ FunctionName: "flip" });
    await a.UpdateFunctionCode({ FunctionName: "flip", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(2)) });
    await a.PublishVersion({ FunctionName: "flip" });
    await a.CreateAlias({ FunctionName: "flip", Name: "live", FunctionVersion: "1" });
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    await schema?.drop();
    dir.remove();
  });

  it("an alias repointed on A is followed by B's very next call, every time", async () => {
    for (let round = 0; round < 20; round += 1) {
      const target = round % 2 === 0 ? 2 : 1;
      // B has the alias cached from its previous call.
      assert.equal(await call(b, "flip", {}, { Qualifier: "live" }), target === 2 ? 1 : 2, `round ${round}: B before the change`);
      await a.UpdateAlias({ FunctionName: "flip", Name: "live", FunctionVersion: String(target) });
      assert.equal(await call(b, "flip", {}, { Qualifier: "live" }), target, `round ${round}: B's next call after A's change`);
    }
  });

  it("new code on A's $LATEST, a deleted version and a new alias are seen by B's next call", async () => {
    assert.equal(await call(b, "flip"), 2);
    await a.UpdateFunctionCode({ FunctionName: "flip", Handler: "index.main_handler", ZipFile: await zipBase64(versionCode(3)) });
    assert.equal(await call(b, "flip"), 3);
    // B knows "canary" does not exist (cached miss); A creates it.
    await assert.rejects(call(b, "flip", {}, { Qualifier: "canary" }));
    await a.CreateAlias({ FunctionName: "flip", Name: "canary", FunctionVersion: "2" });
    assert.equal(await call(b, "flip", {}, { Qualifier: "canary" }), 2);
    // A version B ran is deleted through A: B refuses it at once.
    const published = await a.PublishVersion({ FunctionName: "flip" });
    assert.equal(await call(b, "flip", {}, { Qualifier: published.FunctionVersion }), 3);
    await a.DeleteFunctionVersion({ FunctionName: "flip", Qualifier: published.FunctionVersion ?? "" });
    await assert.rejects(call(b, "flip", {}, { Qualifier: published.FunctionVersion }));
  });

  it("a change written by anything else on the database (SQL) is heard too", async () => {
    assert.equal(await call(b, "flip", {}, { Qualifier: "live" }), await call(b, "flip", {}, { Qualifier: "live" }));
    const pool = await openPool({ connectionString: urlWithSchema(schema.name), max: 1 });
    try {
      const before = await call(b, "flip", {}, { Qualifier: "live" });
      const other = before === 1 ? "2" : "1";
      await pool.query("UPDATE aliases SET version = $1, revision = revision + 1 WHERE name = 'live'", [other]);
      // A writer outside Quiver sends no barrier: the change reaches B a moment after its commit.
      await eventually(async () => (await call(b, "flip", {}, { Qualifier: "live" })) === Number(other), { what: "B runs the version SQL set" });
    } finally {
      await pool.end();
    }
  });

  it("B serves repeated invokes from memory: no store read per call", async () => {
    const node = nodes[1];
    assert.ok(node);
    await call(b, "flip", {}, { Qualifier: "live" });
    const before = await storeReads(node.url);
    for (let i = 0; i < 10; i += 1) await call(b, "flip", {}, { Qualifier: "live" });
    assert.deepEqual(await storeReads(node.url), before, "function, alias and version rows all came from memory");
  });

  it("a trigger switched off on A is refused by B's next request; B finds it in memory meanwhile", async () => {
    const [nodeA, nodeB] = nodes;
    assert.ok(nodeA && nodeB);
    const created = await createHttpTrigger(nodeA, { account: ALICE, functionName: "flip", name: "door" });
    const ref = { scope: { accountId: ALICE.name, region: REGION }, namespace: "default", name: "flip" };
    const url = scfTriggerUrl(nodeB, ALICE, "flip", "door");
    assert.equal((await fetch(url)).status, 200);
    const before = await storeReads(nodeB.url, ["getFunction", "getTriggerByName"]);
    for (let i = 0; i < 5; i += 1) assert.equal((await fetch(url)).status, 200);
    assert.deepEqual(await storeReads(nodeB.url, ["getFunction", "getTriggerByName"]), before, "function and trigger rows came from memory");
    for (let round = 0; round < 4; round += 1) {
      const enabled = round % 2 === 1;
      await nodeA.quiver.service.triggers.setEnabled(ref, created.id, enabled);
      assert.equal((await fetch(url)).status, enabled ? 200 : 403, `round ${round}: B's next request after A switched the trigger ${enabled ? "on" : "off"}`);
    }
  });
});

/** How many times each read the cache covers reached the store, from the server's own metrics. */
async function storeReads(url: string, operations = ["getFunction", "getFunctionById", "getVersion", "getAlias"]): Promise<Record<string, number>> {
  const metrics = parseExposition(await (await fetch(`${url}/metrics`)).text());
  const counts: Record<string, number> = {};
  for (const operation of operations) {
    counts[operation] = metrics.sum("quiver_store_operation_seconds_count", { operation });
  }
  return counts;
}
