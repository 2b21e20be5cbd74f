import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import { scfCode } from "../../src/dialects/scf/errors.js";
import { logsPaging, logsQuery, logsWindow, parseScfTime, resultCodesOf, statusWindow } from "../../src/dialects/scf/log-query.js";
import { scfTime } from "../../src/dialects/scf/map-out.js";

/** The SCF code a rule's refusal reads as on the wire. */
function wireCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof QuiverError, String(error));
    return scfCode(error);
  }
  assert.fail("expected a refusal");
}

const NOW = new Date(2030, 0, 15, 12, 0, 0).getTime();
const DAY = 24 * 3600_000;

void describe("SCF log query parameters", () => {
  void test("times read back what scfTime writes, in the server's time zone; impossible dates are refused", () => {
    const ms = new Date(2030, 1, 28, 23, 59, 58).getTime();
    assert.equal(parseScfTime(scfTime(ms)), ms);
    for (const bad of ["2030-02-30 00:00:00", "2030-1-01 00:00:00", "2030-01-01T00:00:00", "2030-01-01 24:00:00", ""]) {
      assert.equal(wireCode(() => parseScfTime(bad)), "InvalidParameterValue.DateTime", bad);
    }
  });

  void test("GetFunctionLogs: the last day by default, any time for a request id, at most a day apart when given", () => {
    assert.deepEqual(logsWindow({}, NOW), { from: NOW - DAY, to: NOW });
    assert.deepEqual(logsWindow({ FunctionRequestId: "id" }, NOW), {});
    const w = logsWindow({ StartTime: "2030-01-15 10:00:00", EndTime: "2030-01-15 10:59:59" }, NOW);
    assert.equal((w.to ?? 0) - (w.from ?? 0), 3600_000 - 1, "the EndTime second is covered whole");
    assert.equal(wireCode(() => logsWindow({ StartTime: "2030-01-15 10:00:00" }, NOW)), "InvalidParameterValue.StartTimeOrEndTime");
    assert.equal(wireCode(() => logsWindow({ StartTime: "2030-01-15 10:00:00", EndTime: "2030-01-14 10:00:00" }, NOW)), "InvalidParameterValue.StartTimeOrEndTime");
    assert.equal(wireCode(() => logsWindow({ StartTime: "2030-01-14 10:00:00", EndTime: "2030-01-15 10:00:00" }, NOW)), "InvalidParameterValue.StartTimeOrEndTime");
    assert.ok(logsWindow({ StartTime: "2030-01-14 10:00:01", EndTime: "2030-01-15 10:00:00" }, NOW).from !== undefined);
  });

  void test("GetRequestStatus: the last 15 minutes by default; EndTime must come with StartTime and be later", () => {
    assert.deepEqual(statusWindow({}, NOW), { from: NOW - 15 * 60_000, to: NOW });
    assert.equal(wireCode(() => statusWindow({ StartTime: "2030-01-15 10:00:00" }, NOW)), "InvalidParameterValue.StartTimeOrEndTime");
    assert.equal(wireCode(() => statusWindow({ StartTime: "2030-01-15 10:00:00", EndTime: "2030-01-15 10:00:00" }, NOW)), "InvalidParameterValue.StartTimeOrEndTime");
    assert.deepEqual(statusWindow({ StartTime: "2030-01-15 10:00:00", EndTime: "2030-01-15 10:00:01" }, NOW).to - new Date(2030, 0, 15, 10, 0, 1).getTime(), 999);
  });

  void test("Offset+Limit reach at most 10,000: LimitExceeded.Offset; defaults 0 and 20", () => {
    assert.deepEqual(logsPaging(undefined, undefined), { offset: 0, limit: 20 });
    assert.deepEqual(logsPaging(9_000, 1_000), { offset: 9_000, limit: 1_000 });
    assert.equal(wireCode(() => logsPaging(9_001, 1_000)), "LimitExceeded.Offset");
    assert.equal(wireCode(() => logsPaging(-1, 1)), "InvalidParameterValue.Offset");
    assert.equal(wireCode(() => logsPaging(0, 0)), "InvalidParameterValue.Limit");
  });

  void test("Filter.RetCode keeps the documented classes of result", () => {
    assert.equal(resultCodesOf(undefined), undefined);
    assert.deepEqual(resultCodesOf("is0"), ["success"]);
    assert.equal(resultCodesOf("not0")?.includes("success"), false);
    assert.deepEqual(resultCodesOf("TimeLimitExceeded"), ["timeout"]);
    assert.equal(resultCodesOf("ResourceLimitExceeded")?.includes("memory"), true);
    assert.deepEqual(resultCodesOf("UserCodeException"), ["function-error"]);
    assert.equal(wireCode(() => resultCodesOf("is1")), "InvalidParameterValue.RetCode");
  });

  void test("Order and OrderBy: start_time desc by default; the documented fields; anything else refused", () => {
    const q = logsQuery({}, NOW);
    assert.equal(q.order, "DESC");
    assert.equal(q.orderBy, "startedAt");
    assert.equal(logsQuery({ OrderBy: "mem_usage", Order: "asc" }, NOW).orderBy, "memoryUsedBytes");
    assert.equal(logsQuery({ OrderBy: "mem_usage", Order: "asc" }, NOW).order, "ASC");
    assert.equal(wireCode(() => logsQuery({ OrderBy: "memUsage" }, NOW)), "InvalidParameterValue.OrderBy");
    assert.equal(wireCode(() => logsQuery({ Order: "up" }, NOW)), "InvalidParameterValue.Order");
    assert.equal(wireCode(() => logsQuery({ FunctionRequestId: "x".repeat(129) }, NOW)), "InvalidParameterValue.FunctionRequestId");
  });
});
