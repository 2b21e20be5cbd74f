import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { NEVER } from "../../src/core/schedule.js";
import { dueStep, firstPlan, MISSED_GRACE_MS } from "../../src/core/timer-steps.js";
import type { TimerTriggerSettings } from "../../src/core/triggers.js";

const timer = (cron: string): TimerTriggerSettings => ({
  kind: "timer",
  origin: "scf",
  scheduleKind: "cron",
  expression: cron,
  schedule: { kind: "cron", cron, timezone: "UTC" },
  payload: "",
});
const at = (time: string): number => Date.parse(`2030-01-01T${time}Z`);
const EVERY_MINUTE = timer("0 * * * * * *");

void describe("firstPlan", () => {
  test("the first fire time after the trigger was written", () => {
    assert.equal(firstPlan(EVERY_MINUTE, at("00:00:30")), at("00:01:00"));
    assert.equal(firstPlan(EVERY_MINUTE, at("00:01:00")), at("00:02:00"), "a write at a fire time does not fire it");
  });

  test("NEVER when the schedule has no time left", () => {
    assert.equal(firstPlan(timer("0 0 0 1 1 * 2020"), at("00:00:00")), NEVER);
  });
});

void describe("dueStep", () => {
  const startedAt = at("00:00:00");

  test("on time: fires the planned time and plans the next", () => {
    assert.deepEqual(dueStep(EVERY_MINUTE, at("00:01:00"), at("00:01:00.020"), "latest", startedAt), { fireTime: at("00:01:00"), nextFireAt: at("00:02:00") });
  });

  test("several times passed: one fire, for the latest, whatever the policy (a running node that stalled)", () => {
    for (const policy of ["latest", "skip"] as const) {
      assert.deepEqual(dueStep(EVERY_MINUTE, at("00:01:00"), at("00:04:10"), policy, startedAt), { fireTime: at("00:04:00"), nextFireAt: at("00:05:00") }, policy);
    }
  });

  test("missed before the start: latest fires the most recent, skip fires none", () => {
    const restarted = at("00:05:30");
    assert.deepEqual(dueStep(EVERY_MINUTE, at("00:02:00"), restarted, "latest", restarted), { fireTime: at("00:05:00"), nextFireAt: at("00:06:00") });
    assert.deepEqual(dueStep(EVERY_MINUTE, at("00:02:00"), restarted, "skip", restarted), { fireTime: null, nextFireAt: at("00:06:00") });
  });

  test("a time just before the start is late, not missed", () => {
    const restarted = at("00:05:00") + MISSED_GRACE_MS - 1;
    assert.equal(dueStep(EVERY_MINUTE, at("00:05:00"), restarted, "skip", restarted).fireTime, at("00:05:00"));
  });

  test("the last time of a schedule fires, and nothing is planned after it", () => {
    const once = timer("0 0 0 1 1 * 2030");
    assert.deepEqual(dueStep(once, at("00:00:00"), at("00:00:01"), "latest", startedAt - 60_000), { fireTime: at("00:00:00"), nextFireAt: NEVER });
  });
});
