/**
 * A project file's timer schedule in the words of the platform it is deployed to. SCF reads a
 * cron of 7 fields (`second minute hour day month weekday year`, or the legacy 5 without
 * seconds and year); FunctionGraph a `Cron` of 6 (no year, weekday optional) or a `Rate`
 * (`5m`). Both number weekdays 0-6 from Sunday and take `?` for a whole day field, so a cron
 * moves between them by its seconds and year fields alone. What has no equivalent is refused
 * here, naming the trigger, rather than sent to be refused with a less helpful message.
 */
import { CliError, EXIT } from "./failure.js";
import type { TimerSchedule } from "./platform.js";

const fieldsOf = (text: string): string[] => text.trim().split(/\s+/);

function refuse(trigger: string, schedule: TimerSchedule, why: string): CliError {
  return new CliError(`timer ${trigger}: schedule "${schedule.text}" ${why}`, EXIT.usage);
}

/** SCF `TriggerDesc`: the cron itself. */
export function scfCron(trigger: string, schedule: TimerSchedule): string {
  if (schedule.form === "scf-cron") return schedule.text;
  if (schedule.form === "fgs-rate") throw refuse(trigger, schedule, "is a FunctionGraph Rate, which SCF timers cannot express: deploy with --dialect fgs, or write a cron");
  if (/^\s*(@|CRON_TZ=)/.test(schedule.text)) throw refuse(trigger, schedule, "uses a FunctionGraph-only form (@every, CRON_TZ=): deploy with --dialect fgs");
  const fields = fieldsOf(schedule.text);
  // FunctionGraph's weekday is optional; SCF's is not, and SCF adds the year.
  if (fields.length === 5) return [...fields, "*", "*"].join(" ");
  if (fields.length === 6) return [...fields, "*"].join(" ");
  throw refuse(trigger, schedule, `has ${fields.length} fields; a FunctionGraph cron has 5 or 6`);
}

/** FunctionGraph `event_data`: `schedule_type` and `schedule`. */
export function fgsSchedule(trigger: string, schedule: TimerSchedule): { schedule_type: "Cron" | "Rate"; schedule: string } {
  if (schedule.form === "fgs-rate") return { schedule_type: "Rate", schedule: schedule.text };
  if (schedule.form === "fgs-cron") return { schedule_type: "Cron", schedule: schedule.text };
  const fields = fieldsOf(schedule.text);
  // SCF's legacy 5 fields start at the minute and fire at second 0.
  if (fields.length === 5) return { schedule_type: "Cron", schedule: ["0", ...fields].join(" ") };
  if (fields.length !== 7) throw refuse(trigger, schedule, `has ${fields.length} fields; an SCF cron has 7 (or the legacy 5)`);
  const year = fields[6];
  if (year !== "*" && year !== "?") throw refuse(trigger, schedule, `names years (${String(year)}), which FunctionGraph crons cannot: use * there, or deploy through SCF`);
  return { schedule_type: "Cron", schedule: fields.slice(0, 6).join(" ") };
}
