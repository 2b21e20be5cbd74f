/**
 * The dialects' timer schedules: SCF's 7-field (and legacy 5-field) cron and FunctionGraph's
 * Rate, 6-field cron, `@every` and `CRON_TZ=`, translated to the neutral schedule, with the fire
 * times the core computes from it, and the messages that show the expression and what is wrong.
 */
import assert from "node:assert/strict";
import { describe, test } from "../helpers/node-test.js";
import { QuiverError } from "../../src/core/errors.js";
import { nextFireAfter } from "../../src/core/schedule.js";
import type { Schedule } from "../../src/core/triggers.js";
import { fgsSchedule } from "../../src/dialects/fgs/timer-schedule.js";
import { scfSchedule } from "../../src/dialects/scf/timer-schedule.js";
import { cronerPattern, questionMarkProblem } from "../../src/dialects/shared/vendor-cron.js";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The next `count` fire times after `from`. */
function fires(schedule: Schedule, from: string, count = 3): (string | null)[] {
  const out: (string | null)[] = [];
  let after = at(from);
  for (let i = 0; i < count; i += 1) {
    const next = nextFireAfter(schedule, after);
    out.push(iso(next));
    if (next === null) break;
    after = next;
  }
  return out;
}

/** Asserts the call is refused as an invalid `parameter` with every fragment in its message. */
function refused(action: () => unknown, parameter: string, ...fragments: string[]): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof QuiverError, String(error));
    assert.equal(error.code, "InvalidParameter");
    assert.equal(error.parameter, parameter);
    for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" mentions ${fragment}`);
    return true;
  });
}

void describe("the fields both vendors share", () => {
  test("an open step a/b runs to the field's last value; the rest is croner's as written", () => {
    const fields = { second: "0/15", minute: "5/10,1", hour: "*/2", dayOfMonth: "?", month: "JAN/3", dayOfWeek: "MON-FRI", year: "2030/5" };
    assert.equal(cronerPattern(fields, 2099), "0-59/15 5-59/10,1 */2 ? JAN-12/3 MON-FRI 2030-2099/5");
  });

  test('"?" stands alone, in a day field only', () => {
    const base = { second: "0", minute: "0", hour: "0", dayOfMonth: "?", month: "*", dayOfWeek: "MON", year: "*" };
    assert.equal(questionMarkProblem(base), null);
    assert.match(questionMarkProblem({ ...base, hour: "?" }) ?? "", /not in the hour field/);
    assert.match(questionMarkProblem({ ...base, dayOfWeek: "?,1" }) ?? "", /mixes "\?"/);
  });
});

void describe("SCF timer cron", () => {
  const scf = (expression: string): Schedule => scfSchedule(expression, "UTC");

  test("the documented 7-field examples fire when the documentation says", () => {
    assert.deepEqual(fires(scf("0 */5 * * * * *"), "2026-01-01T00:00:00Z"), ["2026-01-01T00:05:00.000Z", "2026-01-01T00:10:00.000Z", "2026-01-01T00:15:00.000Z"]);
    assert.deepEqual(fires(scf("*/10 * * * * * *"), "2026-01-01T00:00:00Z", 2), ["2026-01-01T00:00:10.000Z", "2026-01-01T00:00:20.000Z"]);
    // 2026-01-01 is a Thursday.
    assert.deepEqual(fires(scf("0 30 9 ? * MON-FRI *"), "2026-01-01T10:00:00Z"), ["2026-01-02T09:30:00.000Z", "2026-01-05T09:30:00.000Z", "2026-01-06T09:30:00.000Z"]);
    assert.deepEqual(fires(scf("0 0 2 1 * ? *"), "2026-01-01T03:00:00Z", 2), ["2026-02-01T02:00:00.000Z", "2026-03-01T02:00:00.000Z"]);
    assert.deepEqual(fires(scf("0 0 0 L * ? *"), "2026-01-01T00:00:00Z", 2), ["2026-01-31T00:00:00.000Z", "2026-02-28T00:00:00.000Z"]);
    assert.deepEqual(fires(scf("0 0 12 ? * WED *"), "2026-01-01T00:00:00Z", 2), ["2026-01-07T12:00:00.000Z", "2026-01-14T12:00:00.000Z"]);
    assert.deepEqual(fires(scf("30 42 15 20 12 * 2024"), "2026-01-01T00:00:00Z"), [null], "a past year never fires again");
  });

  test("L, W, LW and # as Quartz reads them", () => {
    assert.deepEqual(fires(scf("0 0 0 ? * 5L *"), "2026-01-01T00:00:00Z", 2), ["2026-01-30T00:00:00.000Z", "2026-02-27T00:00:00.000Z"], "last Friday");
    assert.deepEqual(fires(scf("0 0 0 ? * 2#3 *"), "2026-01-01T00:00:00Z", 2), ["2026-01-20T00:00:00.000Z", "2026-02-17T00:00:00.000Z"], "third Tuesday");
    assert.deepEqual(fires(scf("0 0 0 LW * ? *"), "2026-01-01T00:00:00Z", 2), ["2026-01-30T00:00:00.000Z", "2026-02-27T00:00:00.000Z"], "last weekday");
    assert.deepEqual(fires(scf("0 0 0 15W * ? *"), "2026-02-01T00:00:00Z", 1), ["2026-02-16T00:00:00.000Z"], "the weekday nearest the 15th (a Sunday)");
  });

  test("the legacy 5 fields are minute hour day month weekday, at second 0", () => {
    const schedule = scf("*/15 9 * * 1-5");
    assert.deepEqual(schedule, { kind: "cron", cron: "0 */15 9 * * 1-5 *", timezone: "UTC" });
    assert.deepEqual(fires(schedule, "2026-01-02T09:50:00Z", 2), ["2026-01-05T09:00:00.000Z", "2026-01-05T09:15:00.000Z"]);
  });

  test("the schedule is read in the zone it is given", () => {
    assert.deepEqual(fires(scfSchedule("0 0 8 * * * *", "Asia/Shanghai"), "2026-01-01T00:00:00Z", 1), ["2026-01-02T00:00:00.000Z"]);
  });

  test("an invalid cron is refused with the expression and what is wrong", () => {
    refused(() => scf("0 */5 * * * *"), "TriggerDesc", '"0 */5 * * * *"', "6 fields", "7 fields");
    refused(() => scf("0 60 * * * * *"), "TriggerDesc", '"0 60 * * * * *"', "minute", "60");
    refused(() => scf("0 0 0 32 * ? *"), "TriggerDesc", "day");
    refused(() => scf("0 0 0 * * * 2100"), "TriggerDesc", "year 2100", "1970-2099");
    refused(() => scf("0 0 0 * * * 1969-1975"), "TriggerDesc", "year 1969");
    refused(() => scf("0 0 0 * * * next"), "TriggerDesc", 'year field "next"');
    refused(() => scf("0 0 ? * * * *"), "TriggerDesc", "hour field");
    refused(() => scf("0 0 0 30 2 ? *"), "TriggerDesc", "no date matches");
    refused(() => scf(""), "TriggerDesc", "0 fields");
    refused(() => scf("* ".repeat(600)), "TriggerDesc", "at most 1024");
  });
});

void describe("FunctionGraph timer schedule", () => {
  const fgs = (type: "Rate" | "Cron", text: string): ReturnType<typeof fgsSchedule> => fgsSchedule(type, text, "UTC");

  test("Rate is every n minutes, hours or days within the documented bounds", () => {
    assert.deepEqual(fgs("Rate", "3m"), { scheduleKind: "rate", schedule: { kind: "every", intervalMs: 180_000 } });
    assert.deepEqual(fgs("Rate", "24h").schedule, { kind: "every", intervalMs: 86_400_000 });
    assert.deepEqual(fgs("Rate", "30d").schedule, { kind: "every", intervalMs: 30 * 86_400_000 });
    refused(() => fgs("Rate", "61m"), "event_data.schedule", '"61m"', "1-60");
    refused(() => fgs("Rate", "0h"), "event_data.schedule", "1-24");
    refused(() => fgs("Rate", "31d"), "event_data.schedule", "1-30");
    refused(() => fgs("Rate", "1.5h"), "event_data.schedule", '"1.5h"', "whole number");
    refused(() => fgs("Rate", "5s"), "event_data.schedule", '"<n>m"');
    refused(() => fgs("Rate", "0 * * * * *"), "event_data.schedule");
  });

  test("Cron takes 6 fields, seconds first, day-of-week optional, no year", () => {
    const weekdays = fgs("Cron", "0 30 8 ? * MON-FRI");
    assert.equal(weekdays.scheduleKind, "cron");
    assert.deepEqual(weekdays.schedule, { kind: "cron", cron: "0 30 8 ? * MON-FRI *", timezone: "UTC" });
    assert.deepEqual(fires(weekdays.schedule, "2026-01-02T09:00:00Z", 1), ["2026-01-05T08:30:00.000Z"]);
    assert.deepEqual(fires(fgs("Cron", "0 0/5 12-14 ? * MON-FRI").schedule, "2026-01-02T14:52:00Z", 2), ["2026-01-02T14:55:00.000Z", "2026-01-05T12:00:00.000Z"]);
    assert.deepEqual(fires(fgs("Cron", "0 0 12 ? JAN,FEB,MAR,APR *").schedule, "2026-04-30T13:00:00Z", 1), ["2027-01-01T12:00:00.000Z"]);
    assert.deepEqual(fgs("Cron", "0 0 12 * *").schedule, { kind: "cron", cron: "0 0 12 * * * *", timezone: "UTC" }, "five fields: no day-of-week");
  });

  test("CRON_TZ= names the zone the cron is read in", () => {
    const berlin = fgs("Cron", "CRON_TZ=Europe/Berlin 0 0 12 * * *").schedule;
    assert.deepEqual(berlin, { kind: "cron", cron: "0 0 12 * * * *", timezone: "Europe/Berlin" });
    assert.deepEqual(fires(berlin, "2026-01-01T00:00:00Z", 1), ["2026-01-01T11:00:00.000Z"]);
    refused(() => fgs("Cron", "CRON_TZ=Mars/Olympus 0 0 12 * * *"), "event_data.schedule", "Mars/Olympus");
    refused(() => fgs("Cron", "CRON_TZ=Europe/Berlin"), "event_data.schedule", "followed by a space");
  });

  test("@every takes a Go duration of whole seconds, at most 30 days", () => {
    assert.deepEqual(fgs("Cron", "@every 30m").schedule, { kind: "every", intervalMs: 1_800_000 });
    assert.deepEqual(fgs("Cron", "@every 1.5h").schedule, { kind: "every", intervalMs: 5_400_000 });
    assert.deepEqual(fgs("Cron", "@every 2h30m").schedule, { kind: "every", intervalMs: 9_000_000 });
    assert.deepEqual(fgs("Cron", "@every 3000000us").schedule, { kind: "every", intervalMs: 3_000 });
    assert.deepEqual(fgs("Cron", "CRON_TZ=Asia/Shanghai @every 10s").schedule, { kind: "every", intervalMs: 10_000 });
    refused(() => fgs("Cron", "@every 500ms"), "event_data.schedule", '"@every 500ms"', "at least 1 second");
    refused(() => fgs("Cron", "@every 1500ms"), "event_data.schedule", "whole number of seconds");
    refused(() => fgs("Cron", "@every 721h"), "event_data.schedule", "30 days");
    refused(() => fgs("Cron", "@every 5 minutes"), "event_data.schedule", '"@every <duration>"');
    refused(() => fgs("Cron", "@every 5x"), "event_data.schedule", '"5x" is not a duration');
    refused(() => fgs("Cron", "@daily"), "event_data.schedule", '"@every <duration>"');
  });

  test("an invalid cron is refused with the schedule and what is wrong", () => {
    refused(() => fgs("Cron", "0 */5 * * * * *"), "event_data.schedule", '"0 */5 * * * * *"', "7 fields", "no year");
    refused(() => fgs("Cron", "0 0 0 L * ?"), "event_data.schedule", 'day-of-month field "L"', "no L, W or #");
    refused(() => fgs("Cron", "0 0 0 ? * 2#3"), "event_data.schedule", "day-of-week");
    refused(() => fgs("Cron", "0 0 0 ? FOO *"), "event_data.schedule", 'month field "FOO"', "JAN-DEC");
    refused(() => fgs("Cron", "0 61 0 * * *"), "event_data.schedule", "minute");
    refused(() => fgs("Cron", "0 0 0 ? * ?,1"), "event_data.schedule", "stands alone");
  });
});
