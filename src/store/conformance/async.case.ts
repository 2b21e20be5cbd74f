import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { AsyncInvocationRecord } from "../../core/ports.js";
import { asyncRecord, freshScope, tick, type SuiteContext } from "./fixtures.js";

const finish = { status: "FINISHED", result: '"ok"', error: null, log: "log line", durationMs: 12.5 } as const;

export function asyncCases({ harness }: SuiteContext): void {
  void describe("async invocations", () => {
    void test("insert, get (scoped), finish", async () => {
      const { store } = harness();
      const scope = freshScope();
      const record = asyncRecord(scope, randomUUID());
      await store.insertAsyncInvocation(record);
      assert.deepEqual(await store.getAsyncInvocation(scope, record.id), record);
      assert.equal(await store.getAsyncInvocation(freshScope(), record.id), null, "other accounts do not see it");
      const finishedAt = tick();
      const error = { kind: "handler", message: "boom", stack: "at x" };
      await store.finishAsyncInvocation(record.id, { ...finish, status: "FAILED", error, finishedAt });
      assert.deepEqual(await store.getAsyncInvocation(scope, record.id), { ...record, ...finish, status: "FAILED", error, finishedAt });
    });

    void test("list per function, newest first, limited", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fnId = randomUUID();
      const records = [asyncRecord(scope, fnId), asyncRecord(scope, fnId), asyncRecord(scope, fnId), asyncRecord(scope, randomUUID())];
      for (const r of records) await store.insertAsyncInvocation(r);
      const listed = await store.listAsyncInvocations(scope, fnId, 2);
      assert.deepEqual(listed.map((r) => r.id), [records[2]?.id, records[1]?.id]);
      assert.deepEqual(await store.listAsyncInvocations(freshScope(), fnId, 10), []);
    });

    void test("a stopped node's unfinished invocations are resumed once, by one node", async (t) => {
      const { store, openPeer, multiNode } = harness();
      if (!openPeer) return t.skip("the harness cannot open a second store on the same data");
      const scope = freshScope();
      const fnId = randomUUID();
      // A node accepts four invocations, finishes one, and stops before running the others.
      const stopped = await openPeer();
      const records = [asyncRecord(scope, fnId), asyncRecord(scope, fnId), asyncRecord(scope, fnId), asyncRecord(scope, fnId)];
      for (const r of records) await stopped.insertAsyncInvocation(r);
      await stopped.finishAsyncInvocation(records[3]?.id ?? "", { ...finish, finishedAt: tick() });
      // A single-process store (SQLite) treats any other store on its file as a previous run.
      if (multiNode) assert.deepEqual(ours(await store.listUnfinishedAsync(), fnId), [], "a running node's invocations are not taken over");
      await stopped.close();
      const resumed = ours(await store.listUnfinishedAsync(), fnId);
      assert.deepEqual(resumed.map((r) => r.id), records.slice(0, 3).map((r) => r.id), "oldest first, finished ones left alone");
      assert.deepEqual(resumed[0], records[0]);
      assert.deepEqual(ours(await store.listUnfinishedAsync(), fnId), [], "claimed once");
    });

    void test("two nodes starting at once split the unfinished invocations without overlap", async (t) => {
      const { store, openPeer, multiNode } = harness();
      if (!openPeer || !multiNode) return t.skip("this store serves one process only");
      const scope = freshScope();
      const fnId = randomUUID();
      const stopped = await openPeer();
      const records = Array.from({ length: 30 }, () => asyncRecord(scope, fnId));
      for (const r of records) await stopped.insertAsyncInvocation(r);
      await stopped.close();
      const [a, b] = await Promise.all([store, await openPeer()].map(async (node): Promise<AsyncInvocationRecord[]> => ours(await node.listUnfinishedAsync(), fnId)));
      const ids = [...(a ?? []), ...(b ?? [])].map((r) => r.id).sort();
      assert.deepEqual(ids, records.map((r) => r.id).sort(), "every invocation resumed exactly once");
    });
  });
}

/** Other tests share the store: keep one function's records. */
function ours(records: AsyncInvocationRecord[], functionId: string): AsyncInvocationRecord[] {
  return records.filter((r) => r.functionId === functionId);
}

