/**
 * A node that dies leaves its accepted asynchronous invocations to the live nodes: once its
 * lease has lapsed, another node claims them and runs them, without waiting for the dead node
 * to restart (PostgreSQL store, real `quiver serve` processes).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { createFunction, scfClient, waitAsync } from "../helpers/scf-client.js";
import { startQuiver, type QuiverProcess } from "../helpers/quiver.js";
import { createTestSchema, PG_OFF, urlWithSchema, type TestSchema } from "./pg-schema.js";

const LEASE_MS = 1_500;

void describe("a dead node's accepted invocations", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  const dir = tempDir("quiver-takeover-");
  let schema: TestSchema;
  const nodes: QuiverProcess[] = [];

  const startNode = async (name: string): Promise<QuiverProcess> => {
    const node = await startQuiver({
      mode: "process",
      dirs: { root: dir.path, dataDir: join(dir.path, name), accountsFile: writeAccountsFile(dir.path), remove: dir.remove },
      blobDir: join(dir.path, "shared-blobs"),
      store: "postgres",
      databaseUrl: urlWithSchema(schema.name),
      rateLimits: { enabled: false },
      nodeLeaseMs: LEASE_MS,
    });
    nodes.push(node);
    return node;
  };

  before(async () => {
    schema = await createTestSchema();
  });
  after(async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    await schema?.drop();
    dir.remove();
  });

  test("are run by a live node once the dead node's lease lapsed, not left RUNNING", async () => {
    const [a, b] = await Promise.all([startNode("node-a"), startNode("node-b")]);
    const onA = scfClient(a, ALICE);
    // Long enough that node A is surely still running it when it is killed.
    await createFunction(onA, { name: "slow", timeout: 30, files: { "index.js": "exports.main_handler = async (e) => { await new Promise((r) => setTimeout(r, 3000)); return e.n; };\n" } });
    const accepted = await onA.Invoke({ FunctionName: "slow", InvocationType: "Event", ClientContext: JSON.stringify({ n: 7 }) });
    const id = (accepted.Result as { FunctionRequestId: string }).FunctionRequestId;
    assert.equal(await a.kill("SIGKILL"), "SIGKILL");
    // Without a takeover it would stay RUNNING until node A restarts: waitAsync gives up after 30 s.
    const outcome = await waitAsync(scfClient(b, ALICE), id, 30_000);
    assert.equal(outcome.Status, "FINISHED", JSON.stringify(outcome));
  });
});
