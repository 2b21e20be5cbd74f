/**
 * Provisioned concurrency on several nodes (PostgreSQL): every node keeps every config's
 * instances (docs/capacity.md), so a config put through one node is warm on the others within
 * their refresh, each node reports its own instances, and a delete releases them everywhere.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createFunction, REGION, scfClient } from "../helpers/scf-client.js";
import { createTestSchema, PG_OFF, urlWithSchema, type TestSchema } from "../store/pg-schema.js";

const HELLO = { "index.js": "exports.main_handler = async () => 'hi';\n" };

function instances(node: TestQuiver, functionId: string): number {
  let n = 0;
  for (const [key, s] of Object.entries(node.quiver.engine.stats().perKey)) if (key.startsWith(`${functionId}/v1/`)) n += s.instances;
  return n;
}

void describe("provisioned concurrency on several nodes", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  const dir = tempDir("quiver-capacity-nodes-");
  let schema: TestSchema;
  const nodes: TestQuiver[] = [];

  before(async () => {
    schema = await createTestSchema();
    for (const name of ["a", "b"]) {
      nodes.push(await startQuiver({
        dirs: { root: dir.path, dataDir: join(dir.path, name), accountsFile: writeAccountsFile(dir.path), remove: dir.remove },
        blobDir: join(dir.path, "shared-blobs"),
        store: "postgres",
        databaseUrl: urlWithSchema(schema.name),
        rateLimits: { enabled: false },
      }));
    }
  });
  after(async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    await schema?.drop();
    dir.remove();
  });

  test("a config put through one node is kept by each; deleting it releases them on each", async () => {
    const [a, b] = nodes as [TestQuiver, TestQuiver];
    const scfA = scfClient(a, ALICE);
    const scfB = scfClient(b, ALICE);
    await createFunction(scfA, { name: "shared", files: HELLO });
    await scfA.PublishVersion({ FunctionName: "shared" });
    const fn = await a.quiver.store.getFunction({ accountId: ALICE.name, region: REGION }, "default", "shared");
    assert.ok(fn);
    await scfA.PutProvisionedConcurrencyConfig({ FunctionName: "shared", Qualifier: "1", VersionProvisionedConcurrencyNum: 1 });
    for (const scf of [scfA, scfB]) {
      await eventually(async () => (await scf.GetProvisionedConcurrencyConfig({ FunctionName: "shared", Qualifier: "1" })).Allocated?.[0]?.Status === "Done", { timeoutMs: 30_000, what: "Done on each node" });
    }
    assert.equal(instances(a, fn.id), 1);
    assert.equal(instances(b, fn.id), 1);
    await scfA.DeleteProvisionedConcurrencyConfig({ FunctionName: "shared", Qualifier: "1" });
    await eventually(() => instances(a, fn.id) === 0 && instances(b, fn.id) === 0, { timeoutMs: 30_000, what: "released on both nodes" });
  });
});
