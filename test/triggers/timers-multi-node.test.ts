/**
 * Timer triggers across Quiver nodes on one PostgreSQL database: every node races for every
 * fire time and the store's compare-and-set lets exactly one win, so each scheduled time fires
 * once, with two nodes, then three, and after one of them is SIGKILLed mid-schedule (no node
 * holds a schedule: the others keep firing it without a gap, and run what it had accepted).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "../helpers/node-test.js";
import { ALICE, tempDir, writeAccountsFile } from "../helpers/accounts.js";
import { eventually } from "../helpers/eventually.js";
import { startQuiver, type QuiverProcess } from "../helpers/quiver.js";
import { createFunction, REGION, scfClient } from "../helpers/scf-client.js";
import { createTestSchema, PG_OFF, PG_URL, urlWithSchema, type TestSchema } from "../store/pg-schema.js";
import type { FunctionRecord } from "../../src/core/model.js";
import type { AsyncInvocationRecord } from "../../src/core/ports.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";

/** Every two seconds: a node late by less than that never makes the schedule skip a time. */
const CRON = "*/2 * * * * * *";
const PERIOD_MS = 2_000;
const scope = { accountId: ALICE.name, region: REGION };

void describe("timer triggers on several nodes fire each time exactly once", { skip: PG_OFF ? "QUIVER_TEST_PG=off" : false }, () => {
  const dir = tempDir("quiver-timers-nodes-");
  let schema: TestSchema;
  let db: PostgresStore;
  const nodes: QuiverProcess[] = [];

  const startNode = async (name: string): Promise<QuiverProcess> => {
    const node = await startQuiver({
      mode: "process",
      dirs: { root: dir.path, dataDir: join(dir.path, name), accountsFile: writeAccountsFile(dir.path), remove: dir.remove },
      blobDir: join(dir.path, "shared-blobs"),
      store: "postgres",
      databaseUrl: urlWithSchema(schema.name),
      rateLimits: { enabled: false },
      // A short lease: the killed node's accepted fires are taken over by the live nodes quickly.
      nodeLeaseMs: 2_000,
    });
    nodes.push(node);
    return node;
  };

  before(async () => {
    schema = await createTestSchema();
    // The test's own view of the database (the timer is written here, as a dialect would).
    db = await PostgresStore.open({ url: PG_URL, schema: schema.name });
  });
  after(async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    await db?.close();
    await schema?.drop();
    dir.remove();
  });

  /** The fires recorded so far. */
  const firesOf = (fn: FunctionRecord): Promise<AsyncInvocationRecord[]> => db.listAsyncInvocations(scope, fn.id, 10_000);
  const waitForFires = (fn: FunctionRecord, count: number, what: string): Promise<AsyncInvocationRecord[]> =>
    eventually(async () => {
      const fires = await firesOf(fn);
      return fires.length >= count ? fires : null;
    }, { timeoutMs: 60_000, intervalMs: 200, what });

  test("two nodes, then three, then one SIGKILLed: every scheduled time fires once, none is skipped", { timeout: 300_000 }, async () => {
    const [a] = await Promise.all([startNode("node-a"), startNode("node-b")]);
    assert.ok(a);
    await createFunction(scfClient(a), { name: "ticking", files: { "index.js": "exports.main_handler = async (event) => event;\n" } });
    const fn = await db.getFunction(scope, "default", "ticking");
    assert.ok(fn);
    const now = Date.now();
    await db.insertTrigger({
      id: "0123456789abcdef0123456789abcdef",
      functionId: fn.id,
      name: "every-2s",
      qualifier: "$LATEST",
      enabled: true,
      description: "",
      settings: { kind: "timer", origin: "scf", scheduleKind: "cron", expression: CRON, schedule: { kind: "cron", cron: CRON, timezone: "UTC" }, payload: "tick" },
      extras: {},
      createdAt: now,
      updatedAt: now,
    }, 10);

    const withTwo = (await waitForFires(fn, 4, "four fires with two nodes")).length;
    await startNode("node-c");
    const withThree = (await waitForFires(fn, withTwo + 3, "three more fires with three nodes")).length;
    assert.equal(await a.kill("SIGKILL"), "SIGKILL");
    await waitForFires(fn, withThree + 4, "four more fires after node A was killed");
    await db.deleteTrigger(fn.id, "0123456789abcdef0123456789abcdef");

    const fires = await firesOf(fn);
    const times = fires.map((r) => Date.parse((JSON.parse(r.event) as { Time: string }).Time)).sort((x, y) => x - y);
    const first = times[0] ?? 0;
    const expected = Array.from({ length: times.length }, (_, i) => first + i * PERIOD_MS);
    assert.deepEqual(times.map((t) => new Date(t).toISOString()), expected.map((t) => new Date(t).toISOString()), "one fire per scheduled time, none skipped");
    const finished = await eventually(async () => {
      const settled = (await firesOf(fn)).filter((r) => r.status === "FINISHED");
      // A fire node A had recorded but not yet run when it was killed is taken over by a live
      // node once A's lease has lapsed: every fire runs, none waits for A to restart.
      return settled.length === fires.length ? settled : null;
    }, { timeoutMs: 60_000, what: "the fires to run" });
    assert.ok(finished.every((r) => JSON.parse(r.result) !== null), "each ran the function");
  });
});
