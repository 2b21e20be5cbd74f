import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { InvocationRecord, RecordQuery } from "../../core/invocation-records.js";
import type { Scope } from "../../core/model.js";
import { freshScope, type SuiteContext } from "./fixtures.js";

/** A record started at `startedAt`; the rest can be overridden. */
export function invocationRecord(scope: Scope, functionId: string, startedAt: number, extra: Partial<InvocationRecord> = {}): InvocationRecord {
  return {
    requestId: randomUUID(),
    scope,
    functionId,
    namespace: "default",
    functionName: "fn",
    qualifier: "$LATEST",
    versionName: "$LATEST",
    alias: null,
    source: "invoke",
    startedAt,
    durationMs: 12.5,
    billedMs: 13,
    memoryUsedBytes: 10_000_000,
    memoryMb: 128,
    resultCode: "success",
    errorMessage: "",
    log: "a line\n",
    logTruncated: false,
    result: '"ok"',
    resultTruncated: false,
    ...extra,
  };
}

const ALL: RecordQuery = { offset: 0, limit: 100, order: "ASC", orderBy: "startedAt" };

export function recordCases({ harness }: SuiteContext): void {
  void describe("invocation records", () => {
    void test("a batch is stored as given, found by request id in its scope only", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fnId = randomUUID();
      const failed = invocationRecord(scope, fnId, 2_000, {
        alias: "prod",
        qualifier: "prod",
        versionName: "2",
        source: "timer",
        resultCode: "function-error",
        errorMessage: "boom ✓",
        log: "ünïcode\n".repeat(10),
        logTruncated: true,
        result: "",
        resultTruncated: true,
      });
      const ok = invocationRecord(scope, fnId, 1_000);
      await store.insertInvocationRecords([failed, ok]);
      assert.deepEqual(await store.queryInvocationRecords(scope, { ...ALL, requestId: failed.requestId }), { items: [failed], total: 1 });
      assert.deepEqual(await store.queryInvocationRecords(scope, ALL), { items: [ok, failed], total: 2 });
      assert.deepEqual(await store.queryInvocationRecords(freshScope(), { ...ALL, requestId: failed.requestId }), { items: [], total: 0 }, "another account sees nothing");
      assert.deepEqual(await store.queryInvocationRecords({ ...scope, region: "ap-beijing" }, ALL), { items: [], total: 0 }, "nor another region");
    });

    void test("a request id recorded twice keeps the first record", async () => {
      const { store } = harness();
      const scope = freshScope();
      const first = invocationRecord(scope, randomUUID(), 1_000);
      await store.insertInvocationRecords([first]);
      await store.insertInvocationRecords([{ ...first, resultCode: "timeout" }]);
      assert.deepEqual((await store.queryInvocationRecords(scope, ALL)).items, [first]);
    });

    void test("filters: function, namespace and name, qualifier asked or version ran, result codes, time window", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fnA = randomUUID();
      const fnB = randomUUID();
      const records = [
        invocationRecord(scope, fnA, 1_000),
        invocationRecord(scope, fnA, 2_000, { qualifier: "prod", alias: "prod", versionName: "1", resultCode: "timeout" }),
        invocationRecord(scope, fnA, 3_000, { qualifier: "1", versionName: "1", resultCode: "memory" }),
        invocationRecord(scope, fnB, 4_000, { namespace: "other", functionName: "fnb", resultCode: "throttled" }),
      ];
      await store.insertInvocationRecords(records);
      const ids = async (q: Partial<RecordQuery>): Promise<(string | undefined)[]> => (await store.queryInvocationRecords(scope, { ...ALL, ...q })).items.map((r) => r.requestId);
      const id = (i: number): string | undefined => records[i]?.requestId;
      assert.deepEqual(await ids({ functionId: fnA }), [id(0), id(1), id(2)]);
      assert.deepEqual(await ids({ namespace: "other", functionName: "fnb" }), [id(3)]);
      assert.deepEqual(await ids({ functionName: "fn" }), [id(0), id(1), id(2)]);
      assert.deepEqual(await ids({ qualifier: "1" }), [id(1), id(2)], "version 1 ran for both, one through the alias");
      assert.deepEqual(await ids({ qualifier: "prod" }), [id(1)]);
      assert.deepEqual(await ids({ resultCodes: ["timeout", "memory"] }), [id(1), id(2)]);
      assert.deepEqual(await ids({ resultCodes: [] }), records.map((r) => r.requestId), "no codes: every code");
      assert.deepEqual(await ids({ from: 2_000, to: 3_000 }), [id(1), id(2)], "both ends included");
      assert.deepEqual(await ids({ from: 3_001 }), [id(3)]);
    });

    void test("ordering by each column, both directions, and paging with a stable order and a total", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fnId = randomUUID();
      const records = [
        invocationRecord(scope, fnId, 1_000, { durationMs: 30, memoryUsedBytes: 3, functionName: "b" }),
        invocationRecord(scope, fnId, 2_000, { durationMs: 10, memoryUsedBytes: 1, functionName: "c" }),
        invocationRecord(scope, fnId, 3_000, { durationMs: 20, memoryUsedBytes: 2, functionName: "a" }),
      ];
      await store.insertInvocationRecords(records);
      const order = async (q: Partial<RecordQuery>): Promise<number[]> => (await store.queryInvocationRecords(scope, { ...ALL, ...q })).items.map((r) => r.startedAt);
      assert.deepEqual(await order({ order: "DESC" }), [3_000, 2_000, 1_000]);
      assert.deepEqual(await order({ orderBy: "durationMs" }), [2_000, 3_000, 1_000]);
      assert.deepEqual(await order({ orderBy: "memoryUsedBytes", order: "DESC" }), [1_000, 3_000, 2_000]);
      assert.deepEqual(await order({ orderBy: "functionName" }), [3_000, 1_000, 2_000]);
      const page = await store.queryInvocationRecords(scope, { ...ALL, order: "DESC", offset: 1, limit: 1 });
      assert.deepEqual(page, { items: [records[1]], total: 3 });
      assert.deepEqual(await store.queryInvocationRecords(scope, { ...ALL, offset: 3 }), { items: [], total: 3 });
    });

    void test("buckets count a function's invocations, failures (errors, timeouts, memory kills, start failures), throttles and durations per period", async () => {
      const { store } = harness();
      const scope = freshScope();
      const fnId = randomUUID();
      await store.insertInvocationRecords([
        invocationRecord(scope, fnId, 10_000, { durationMs: 5 }),
        invocationRecord(scope, fnId, 10_500, { durationMs: 15, resultCode: "function-error" }),
        invocationRecord(scope, fnId, 11_999, { durationMs: 10, resultCode: "throttled" }),
        invocationRecord(scope, fnId, 13_000, { durationMs: 7, resultCode: "start-failure" }),
        invocationRecord(scope, fnId, 13_100, { durationMs: 3000, resultCode: "timeout" }),
        invocationRecord(scope, fnId, 13_200, { durationMs: 20, resultCode: "memory" }),
        invocationRecord(scope, fnId, 14_000, { durationMs: 1 }), // at `to`: outside
        invocationRecord(scope, fnId, 9_999, { durationMs: 1 }), // before `from`: outside
        invocationRecord(scope, randomUUID(), 10_000, { durationMs: 1 }), // another function
      ]);
      const buckets = await store.invocationBuckets(scope, fnId, 10_000, 14_000, 2_000);
      assert.deepEqual(buckets, [
        { start: 10_000, count: 3, errors: 1, throttles: 1, durationSumMs: 30, durationMinMs: 5, durationMaxMs: 15 },
        { start: 12_000, count: 3, errors: 3, throttles: 0, durationSumMs: 3027, durationMinMs: 7, durationMaxMs: 3000 },
      ]);
      assert.deepEqual(await store.invocationBuckets(freshScope(), fnId, 10_000, 14_000, 2_000), [], "another account counts nothing");
    });

    void test("retention removes records older than the cut, then the oldest until the total fits", async () => {
      const { store } = harness();
      // Retention is for the whole store: start from none (earlier cases' records go too).
      await store.pruneInvocationRecords(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      const scope = freshScope();
      const fnId = randomUUID();
      // Over a thousand old records: more than one of the store's batches.
      const old = Array.from({ length: 1_200 }, (_, i) => invocationRecord(scope, fnId, 1_000 + i));
      await store.insertInvocationRecords(old.slice(0, 600));
      await store.insertInvocationRecords(old.slice(600));
      const kb = "x".repeat(1024 - 256 - 4); // with the result '"ok"' and the row's share: 1 KB each
      const recent = Array.from({ length: 5 }, (_, i) => invocationRecord(scope, fnId, 100_000 + i, { log: kb }));
      await store.insertInvocationRecords(recent);
      assert.equal(await store.pruneInvocationRecords(50_000, Number.MAX_SAFE_INTEGER), 1_200);
      assert.equal((await store.queryInvocationRecords(scope, ALL)).total, 5);
      assert.equal(await store.pruneInvocationRecords(50_000, 3 * 1024 + 100), 2, "the two oldest go for three to fit");
      const left = await store.queryInvocationRecords(scope, ALL);
      assert.deepEqual(left.items.map((r) => r.requestId), recent.slice(2).map((r) => r.requestId));
      assert.equal(await store.pruneInvocationRecords(50_000, 3 * 1024), 0, "exactly at the budget: nothing goes");
      // The total is kept right across deletes: new records count from what is left.
      await store.insertInvocationRecords([invocationRecord(scope, fnId, 200_000, { log: kb })]);
      assert.equal(await store.pruneInvocationRecords(50_000, 3 * 1024), 1);
      assert.equal((await store.queryInvocationRecords(scope, ALL)).total, 3);
    });
  });
}
