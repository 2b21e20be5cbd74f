import { invalid } from "../../core/errors.js";
import { scheduleProblem } from "../../core/schedule.js";
import type { Schedule } from "../../core/triggers.js";
import { FIELD_LABELS, MAX_SCHEDULE_CHARS, cronerPattern, questionMarkProblem, splitFields, type CronFields } from "../shared/vendor-cron.js";

/**
 * An SCF timer's cron (its TriggerDesc) as the neutral schedule. SCF documents 7 fields,
 * `second minute hour day-of-month month day-of-week year` (day-of-week 0-6 or SUN-SAT,
 * 0 = Sunday; `?` in a day field; `L`, `W`, `LW` in day-of-month; `L` and `#` in day-of-week;
 * years 1970-2099), and still accepts the legacy 5, `minute hour day-of-month month
 * day-of-week`, which fires at second 0 of every year. The expression carries no time zone:
 * it is read in `timers.timezone` (Quiver's setting; SCF does not document its own).
 */

const FIRST_YEAR = 1970;
const LAST_YEAR = 2099;

/** What a message adds when the shape is wrong. */
const FORM = 'SCF takes 7 fields (second minute hour day-of-month month day-of-week year), e.g. "0 */5 * * * * *", or the legacy 5 (minute hour day-of-month month day-of-week)';

/** The schedule of a timer TriggerDesc, or InvalidParameterValue.TriggerDesc saying what is wrong with it. */
export function scfSchedule(expression: string, timezone: string): Schedule {
  const fields = fieldsOf(expression);
  const schedule: Schedule = { kind: "cron", cron: cronerPattern(fields, LAST_YEAR), timezone };
  const problem = questionMarkProblem(fields) ?? yearProblem(fields.year) ?? scheduleProblem(schedule);
  if (problem !== null) throw badCron(expression, problem);
  return schedule;
}

function fieldsOf(expression: string): CronFields {
  if (expression.length > MAX_SCHEDULE_CHARS) throw badCron(expression.slice(0, 40) + "…", `it is ${expression.length} characters long; at most ${MAX_SCHEDULE_CHARS} are allowed`);
  const parts = splitFields(expression);
  if (parts.length === 7) {
    const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string, string];
    return { second, minute, hour, dayOfMonth, month, dayOfWeek, year };
  }
  if (parts.length === 5) {
    const [minute, hour, dayOfMonth, month, dayOfWeek] = parts as [string, string, string, string, string];
    return { second: "0", minute, hour, dayOfMonth, month, dayOfWeek, year: "*" };
  }
  throw badCron(expression, `it has ${parts.length} field${parts.length === 1 ? "" : "s"}; ${FORM}`);
}

const YEAR_ITEM = /^(?:\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;

/** Each item of the year field is `*`, a year, or a range of years, with an optional step; years are 1970-2099. */
function yearProblem(field: string): string | null {
  for (const item of field.split(",")) {
    const match = YEAR_ITEM.exec(item);
    if (!match) return `the ${FIELD_LABELS.year} field "${field}" is invalid: use years ${FIRST_YEAR}-${LAST_YEAR}, "*", ranges, lists and steps`;
    for (const year of [match[1], match[2]]) {
      if (year !== undefined && (Number(year) < FIRST_YEAR || Number(year) > LAST_YEAR)) return `year ${year} is out of range ${FIRST_YEAR}-${LAST_YEAR}`;
    }
  }
  return null;
}

function badCron(expression: string, problem: string): Error {
  return invalid("TriggerDesc", `The timer's cron "${expression}" is invalid: ${problem}.`);
}
