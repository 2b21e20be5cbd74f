import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { latestFireBetween, nextFireAfter, scheduleProblem } from "../../src/core/schedule.js";
import type { Schedule } from "../../src/core/triggers.js";

const cron = (expression: string, timezone = "UTC"): Schedule => ({ kind: "cron", cron: expression, timezone });
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

void describe("nextFireAfter", () => {
  test("is strictly after the given time, on whole seconds", () => {
    const every5 = cron("0 */5 * * * * *");
    assert.equal(iso(nextFireAfter(every5, at("2026-01-01T00:07:13.500Z"))), "2026-01-01T00:10:00.000Z");
    assert.equal(iso(nextFireAfter(every5, at("2026-01-01T00:10:00.000Z"))), "2026-01-01T00:15:00.000Z", "a fire time is not after itself");
    assert.equal(iso(nextFireAfter(every5, at("2026-01-01T00:09:59.999Z"))), "2026-01-01T00:10:00.000Z");
  });

  test("reads the expression in its time zone", () => {
    // 02:30 in Shanghai (UTC+8) is 18:30 UTC the day before.
    assert.equal(iso(nextFireAfter(cron("0 30 2 * * * *", "Asia/Shanghai"), at("2026-01-01T00:00:00Z"))), "2026-01-01T18:30:00.000Z");
  });

  test("L, W, # and a year", () => {
    assert.equal(iso(nextFireAfter(cron("0 0 0 L * * *"), at("2026-02-01T00:00:00Z"))), "2026-02-28T00:00:00.000Z");
    assert.equal(iso(nextFireAfter(cron("0 0 9 15W * * *"), at("2026-08-01T00:00:00Z"))), "2026-08-14T09:00:00.000Z", "15 August 2026 is a Saturday");
    assert.equal(iso(nextFireAfter(cron("0 0 0 1 1 * 2030"), at("2026-01-01T00:00:00Z"))), "2030-01-01T00:00:00.000Z");
  });

  test("a day field of only ? leaves the other one in charge (Quartz), not every day", () => {
    assert.equal(iso(nextFireAfter(cron("0 0 0 ? * MON#2 *"), at("2026-01-01T00:00:00Z"))), "2026-01-12T00:00:00.000Z", "the second Monday");
    assert.equal(iso(nextFireAfter(cron("0 0 0 15 * ? *"), at("2026-01-01T00:00:00Z"))), "2026-01-15T00:00:00.000Z");
  });

  test("null when the schedule never fires again", () => {
    assert.equal(nextFireAfter(cron("0 0 0 1 1 * 2020"), at("2026-01-01T00:00:00Z")), null);
  });

  test("an interval counts from the epoch", () => {
    const hourly: Schedule = { kind: "every", intervalMs: 3_600_000 };
    assert.equal(iso(nextFireAfter(hourly, at("2026-01-01T10:20:00Z"))), "2026-01-01T11:00:00.000Z");
    assert.equal(iso(nextFireAfter(hourly, at("2026-01-01T11:00:00Z"))), "2026-01-01T12:00:00.000Z");
  });
});

void describe("latestFireBetween", () => {
  test("the most recent fire time at or before the time, not before the start", () => {
    const every5 = cron("0 */5 * * * * *");
    assert.equal(iso(latestFireBetween(every5, 0, at("2026-01-01T00:07:13.500Z"))), "2026-01-01T00:05:00.000Z");
    assert.equal(iso(latestFireBetween(every5, 0, at("2026-01-01T00:10:00.000Z"))), "2026-01-01T00:10:00.000Z", "at the time itself");
    assert.equal(latestFireBetween(every5, at("2026-01-01T00:06:00Z"), at("2026-01-01T00:07:13Z")), null, "none since the start");
    const minutely: Schedule = { kind: "every", intervalMs: 60_000 };
    assert.equal(iso(latestFireBetween(minutely, 0, at("2026-01-01T00:07:13Z"))), "2026-01-01T00:07:00.000Z");
  });
});

void describe("scheduleProblem", () => {
  test("null for schedules that fire, including a past year", () => {
    assert.equal(scheduleProblem(cron("0 */5 * * * * *")), null);
    assert.equal(scheduleProblem(cron("0 0 0 1 1 * 2020")), null);
    assert.equal(scheduleProblem({ kind: "every", intervalMs: 60_000 }), null);
  });

  test("says what is wrong", () => {
    assert.match(scheduleProblem(cron("61 * * * * * *")) ?? "", /second: 61/);
    assert.match(scheduleProblem(cron("* * * * * *")) ?? "", /7 parts/);
    assert.equal(scheduleProblem(cron("* * * * * * *", "Mars/Olympus")), 'unknown time zone "Mars/Olympus"');
    assert.equal(scheduleProblem(cron("0 0 0 31 2 * *")), "no date matches it");
    assert.match(scheduleProblem({ kind: "every", intervalMs: 1500 }) ?? "", /whole number of seconds/);
    assert.match(scheduleProblem({ kind: "every", intervalMs: 0 }) ?? "", /at least 1 second/);
  });
});
