/** How a project file's timer schedule is said to each platform, and what is refused (src/cli/client/schedules.ts). */
import assert from "node:assert/strict";
import { CliError } from "../../src/cli/client/failure.js";
import { fgsSchedule, scfCron } from "../../src/cli/client/schedules.js";
import { describe, it } from "../helpers/node-test.js";

const refusal = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof CliError);
    assert.equal(error.exitCode, 2);
    return error.message;
  }
  assert.fail("not refused");
};

describe("timer schedules between SCF and FunctionGraph", () => {
  it("an SCF cron loses its year (which must be any) for FunctionGraph; the legacy 5 fields gain second 0", () => {
    assert.deepEqual(fgsSchedule("t", { form: "scf-cron", text: "0 30 9 ? * MON *" }), { schedule_type: "Cron", schedule: "0 30 9 ? * MON" });
    assert.deepEqual(fgsSchedule("t", { form: "scf-cron", text: "*/5 * * * *" }), { schedule_type: "Cron", schedule: "0 */5 * * * *" });
    assert.match(refusal(() => fgsSchedule("t", { form: "scf-cron", text: "0 0 0 1 1 * 2030" })), /^timer t: schedule "0 0 0 1 1 \* 2030" names years \(2030\)/);
    assert.match(refusal(() => fgsSchedule("t", { form: "scf-cron", text: "0 0 * * * *" })), /has 6 fields; an SCF cron has 7/);
  });

  it("FunctionGraph's own schedules go through as written", () => {
    assert.deepEqual(fgsSchedule("t", { form: "fgs-rate", text: "5m" }), { schedule_type: "Rate", schedule: "5m" });
    assert.deepEqual(fgsSchedule("t", { form: "fgs-cron", text: "CRON_TZ=Asia/Shanghai 0 0 3 * * *" }), { schedule_type: "Cron", schedule: "CRON_TZ=Asia/Shanghai 0 0 3 * * *" });
  });

  it("a FunctionGraph cron gains any year (and any weekday when it has none) for SCF; Rate, @every and CRON_TZ= are refused", () => {
    assert.equal(scfCron("t", { form: "fgs-cron", text: "0 15 2 * * ?" }), "0 15 2 * * ? *");
    assert.equal(scfCron("t", { form: "fgs-cron", text: "0 15 2 1 *" }), "0 15 2 1 * * *");
    assert.equal(scfCron("t", { form: "scf-cron", text: "0 0 3 * * * *" }), "0 0 3 * * * *");
    assert.match(refusal(() => scfCron("t", { form: "fgs-rate", text: "3m" })), /is a FunctionGraph Rate, which SCF timers cannot express: deploy with --dialect fgs/);
    assert.match(refusal(() => scfCron("t", { form: "fgs-cron", text: "@every 30m" })), /FunctionGraph-only form/);
    assert.match(refusal(() => scfCron("t", { form: "fgs-cron", text: "CRON_TZ=UTC 0 0 3 * * *" })), /FunctionGraph-only form/);
  });
});
