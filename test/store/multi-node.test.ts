import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { createNodeFunction, scfClient, type ScfClient } from "../helpers/scf-client.js";
import { startQuiver, type TestQuiver } from "../helpers/quiver.js";
import { createTestSchema, PG_OFF, urlWithSchema, type TestSchema } from "./pg-schema.js";

void describe("two Quiver nodes on one PostgreSQL database", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  const dir = tempDir("quiver-multinode-");
  let schema: TestSchema;
  const nodes: TestQuiver[] = [];
  let a: ScfClient;
  let b: ScfClient;

  async function startNode(name: string): Promise<ScfClient> {
    const node = await startQuiver({
      dirs: { root: dir.path, dataDir: join(dir.path, name), accountsFile: writeAccountsFile(dir.path), remove: dir.remove },
      // Code blobs live on storage every node sees (here: one directory).
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
    // Both nodes start at once: the migrations must run exactly once between them.
    [a, b] = await Promise.all([startNode("node-a"), startNode("node-b")]);
  });
  after(async () => {
    for (const node of nodes) await node.stop();
    await schema?.drop();
    dir.remove();
  });

  void test("create on A, publish concurrently on A and B, list on B", async () => {
    await createNodeFunction(a, "shared");
    assert.equal((await b.GetFunction({ FunctionName: "shared" })).Status, "Active", "B sees what A created");
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).PublishVersion({ FunctionName: "shared", Description: `p${i}` })));
    const numbers = results.map((r) => Number(r.FunctionVersion)).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => i + 1), "distinct and gap-free across nodes");
    const list = await b.ListVersionByFunction({ FunctionName: "shared", Limit: 100, Order: "ASC" });
    assert.equal(list.TotalCount, 21);
    assert.deepEqual(list.FunctionVersion, ["$LATEST", ...numbers.map(String)]);
    const byNumber = new Map(results.map((r) => [r.FunctionVersion, r.Description]));
    assert.ok(list.Versions, "ListVersionByFunction returns Versions");
    for (const v of list.Versions) if (v.Version !== "$LATEST") assert.equal(v.Description, byNumber.get(v.Version));
  });

  void test("code uploaded through one node is in the shared blob directory the other reads", async () => {
    await createNodeFunction(b, "code-on-b", { marker: "from-b" });
    assert.equal((await a.GetFunction({ FunctionName: "code-on-b" })).Status, "Active");
    const record = await nodes[0]?.quiver.store.getFunction({ accountId: ALICE.name, region: "ap-guangzhou" }, "default", "code-on-b");
    const sha256 = record?.code?.sha256 ?? "";
    assert.ok(existsSync(join(dir.path, "shared-blobs", sha256.slice(0, 2), sha256)), "the blob is where node A's engine will look");
    assert.equal((await a.PublishVersion({ FunctionName: "code-on-b" })).FunctionVersion, "1");
  });
});
