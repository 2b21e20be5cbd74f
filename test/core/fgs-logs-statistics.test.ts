import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import type { InvocationRecord } from "../../src/core/invocation-records.js";
import { fgsWireError } from "../../src/dialects/fgs/errors.js";
import { beyondCursor, lineMatches, ltsGroupId, numberLines, parseLogQuery, streamFunctionId } from "../../src/dialects/fgs/lts.js";
import { metricsWindow, slaSeries, statisticsWindow } from "../../src/dialects/fgs/statistics.js";

function record(requestId: string, startedAt: number, log: string): InvocationRecord {
  return {
    requestId, startedAt, log, scope: { accountId: "a", region: "r" }, functionId: "f", namespace: "default", functionName: "fn", qualifier: "latest",
    versionName: "latest", alias: null, source: "invoke", durationMs: 1, billedMs: 1, memoryUsedBytes: 1, memoryMb: 128, resultCode: "success",
    errorMessage: "", logTruncated: false, result: "", resultTruncated: false,
  };
}

function status(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof QuiverError, String(error));
    const wire = fgsWireError(error);
    return `${wire.status} ${wire.code}`;
  }
  assert.fail("expected a refusal");
}

void describe("FunctionGraph LTS log query", () => {
  void test("line numbers are 19 digits, ordered by start then request id, and unique within a millisecond", () => {
    const t = 1_900_000_000_123;
    const lines = numberLines([record("b", t, "b1\nb2\n"), record("a", t, "a1")]);
    assert.deepEqual(lines.map((l) => l.content), ["a1", "b1", "b2"]);
    assert.ok(lines.every((l) => /^\d{19}$/.test(l.line_num)));
    assert.equal(new Set(lines.map((l) => l.line_num)).size, 3);
    assert.equal(lines[0]?.labels["requestId"], "a");
  });

  void test("the body: times as strings or numbers, limit 1-5000 (default 50), paging needs line_num", () => {
    const q = parseLogQuery({ start_time: "1000", end_time: 2000 });
    assert.equal(q.limit, 50);
    assert.equal(q.descending, false);
    assert.equal(status(() => parseLogQuery({ start_time: 1, end_time: 2, limit: 5001 })), "400 FSS.0400");
    assert.equal(status(() => parseLogQuery({ start_time: 2, end_time: 1 })), "400 FSS.0400");
    assert.equal(status(() => parseLogQuery({ start_time: 1, end_time: 2, search_type: "forwards" })), "400 FSS.0400");
    assert.equal(status(() => parseLogQuery({ end_time: 2 })), "400 FSS.0400");
  });

  void test("a page runs after its line in the order asked, or before it for backwards", () => {
    const line = { content: "x", line_num: "1000000000000000005", labels: {} };
    const page = (is_desc: boolean, search_type: string) => parseLogQuery({ start_time: 0, end_time: 1, line_num: "1000000000000000004", is_desc, search_type });
    assert.equal(beyondCursor(page(false, "forwards"), line), true);
    assert.equal(beyondCursor(page(false, "backwards"), line), false);
    assert.equal(beyondCursor(page(true, "forwards"), line), false);
    assert.equal(beyondCursor(page(true, "backwards"), line), true);
  });

  void test("labels and keywords filter lines", () => {
    const [line] = numberLines([record("r1", 5, "hello world")]);
    assert.ok(line);
    assert.equal(lineMatches(parseLogQuery({ start_time: 0, end_time: 9, keywords: "world", labels: { requestId: "r1" } }), line), true);
    assert.equal(lineMatches(parseLogQuery({ start_time: 0, end_time: 9, labels: { requestId: "r2" } }), line), false);
    assert.equal(lineMatches(parseLogQuery({ start_time: 0, end_time: 9, labels: { toString: "x" } }), line), false);
    assert.equal(lineMatches(parseLogQuery({ start_time: 0, end_time: 9, keywords: "bye" }), line), false);
  });

  void test("a stream is read only in the project's own group", () => {
    const stream = "0b6e3a52-8d1f-4a7e-9c3b-2f4d5e6a7b8c";
    assert.equal(streamFunctionId("p1", { groupId: ltsGroupId("p1"), streamId: stream }), stream);
    assert.equal(status(() => streamFunctionId("p1", { groupId: ltsGroupId("p2"), streamId: stream })), "400 FSS.0400");
    assert.match(ltsGroupId("p1"), /^[0-9a-f-]{36}$/);
  });
});

void describe("FunctionGraph statistics", () => {
  const now = Date.UTC(2030, 0, 1, 12, 7, 30);

  void test("statistics: the last period minutes, at most 60 aligned buckets, the last one holding now", () => {
    const w = statisticsWindow("15", now);
    assert.equal(w.bucketMs, 60_000);
    assert.equal((w.to - w.from) / w.bucketMs, 15);
    assert.ok(w.from % w.bucketMs === 0 && now >= w.to - w.bucketMs && now < w.to);
    assert.equal(statisticsWindow("1440", now).bucketMs, 60 * 60_000);
    assert.equal(status(() => statisticsWindow("0", now)), "400 FSS.0400");
    assert.equal(status(() => statisticsWindow("abc", now)), "400 FSS.0400");
  });

  void test("metrics: the last day in buckets of 5, 15 or 60 minutes", () => {
    const w = metricsWindow("15", now);
    assert.equal((w.to - w.from) / w.bucketMs, 96);
    assert.equal(status(() => metricsWindow("10", now)), "400 FSS.0400");
  });

  void test("empty buckets read -1; a bucket with invocations has its counts and durations", () => {
    const w = { from: 0, to: 180_000, bucketMs: 60_000 };
    const series = slaSeries(w, [{ start: 60_000, count: 4, errors: 1, throttles: 1, durationSumMs: 10, durationMinMs: 1, durationMaxMs: 5 }], ["instance_num"]);
    assert.deepEqual(series["count"], [{ timestamp: 0, value: -1 }, { timestamp: 60_000, value: 4 }, { timestamp: 120_000, value: -1 }]);
    assert.equal(series["duration"]?.[1]?.value, 2.5);
    assert.equal(series["fail_count"]?.[1]?.value, 1);
    assert.equal(series["reject_count"]?.[1]?.value, 1);
    assert.equal(series["max_duration"]?.[1]?.value, 5);
    assert.equal(series["instance_num"]?.[1]?.value, -1);
  });
});
