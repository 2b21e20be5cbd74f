import assert from "node:assert/strict";
import { describe, it } from "../helpers/node-test.js";
import { nearestRank, statsWindow, versionStats, type StatsRecord } from "../../src/core/version-stats.js";

const MIN = 60_000;

describe("version statistics", () => {
  it("aligns the window to whole buckets, the last one holding now", () => {
    const now = 10 * 60 * MIN + 30_000;
    assert.deepEqual(statsWindow(60, now), { from: now - 30_000 - 59 * MIN, to: now - 30_000 + MIN, bucketMs: MIN });
    assert.equal(statsWindow(360, now).bucketMs, 15 * MIN);
    assert.equal(statsWindow(1440, now).bucketMs, 60 * MIN);
  });

  it("takes percentiles by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(nearestRank(values, 50), 50);
    assert.equal(nearestRank(values, 99), 99);
    assert.equal(nearestRank([7], 99), 7);
    assert.equal(nearestRank([], 50), null);
  });

  it("counts per version and bucket; throttled calls count as invocations but have no duration; records outside the window are left out", () => {
    const window = { from: 0, to: 3 * MIN, bucketMs: MIN };
    const r = (versionName: string, startedAt: number, durationMs: number, resultCode: StatsRecord["resultCode"] = "success"): StatsRecord => ({ versionName, startedAt, durationMs, resultCode });
    const stats = versionStats([
      r("1", 0, 10), r("1", 1000, 30), r("1", 2000, 20, "function-error"),
      r("2", MIN, 5, "timeout"), r("2", MIN + 1, 0, "throttled"),
      r("1", 3 * MIN, 999), r("1", -1, 999), r("", MIN, 1),
    ], window);
    assert.deepEqual(stats.times, [0, MIN, 2 * MIN]);
    assert.deepEqual(Object.keys(stats.versions).sort(), ["1", "2"]);
    assert.deepEqual(stats.versions["1"], { invocations: [3, 0, 0], errors: [1, 0, 0], throttles: [0, 0, 0], p50Ms: [20, null, null], p99Ms: [30, null, null] });
    assert.deepEqual(stats.versions["2"], { invocations: [0, 2, 0], errors: [0, 1, 0], throttles: [0, 1, 0], p50Ms: [null, 5, null], p99Ms: [null, 5, null] });
  });
});
