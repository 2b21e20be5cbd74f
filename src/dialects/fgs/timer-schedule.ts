import { invalid } from "../../core/errors.js";
import { scheduleProblem } from "../../core/schedule.js";
import type { Schedule, TimerTriggerSettings } from "../../core/triggers.js";
import { CRON_FIELDS, FIELD_LABELS, MAX_SCHEDULE_CHARS, cronerPattern, questionMarkProblem, splitFields, type CronFields } from "../shared/vendor-cron.js";

/**
 * A FunctionGraph TIMER's `schedule_type` and `schedule` as the neutral schedule.
 * - `Rate`: `<n>m` (1-60), `<n>h` (1-24) or `<n>d` (1-30), every n units.
 * - `Cron`: `@every <duration>` (Go durations: `30m`, `1.5h`, `2h30m`; units ns us µs ms s m h),
 *   or 6 fields `second minute hour day-of-month month [day-of-week]` (no year; day-of-week
 *   optional, 0-6 or SUN-SAT with 0 = Sunday; `? , - * /` as documented, no `L`, `W` or `#`),
 *   either optionally after `CRON_TZ=<IANA zone> `. Without a zone the cron is read in
 *   `timers.timezone` (FunctionGraph uses its region's zone).
 * Problems are FSS.1109 (invalid timer parameters) with the schedule and what is wrong.
 */

/** The longest interval: Rate's documented 30 days, applied to `@every` too (Quiver's bound). */
const LONGEST_INTERVAL_MS = 30 * 24 * 3_600_000;

const RATE_UNITS = {
  m: { ms: 60_000, max: 60, name: "minutes" },
  h: { ms: 3_600_000, max: 24, name: "hours" },
  d: { ms: 86_400_000, max: 30, name: "days" },
} as const;

/** Go duration units in milliseconds (`µs` is written with the micro sign or the Greek mu). */
const DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export type FgsSchedule = Pick<TimerTriggerSettings, "scheduleKind" | "schedule">;

export function fgsSchedule(type: "Rate" | "Cron", text: string, timezone: string): FgsSchedule {
  if (text.length > MAX_SCHEDULE_CHARS) throw badSchedule(`${text.slice(0, 40)}…`, `it is ${text.length} characters long; at most ${MAX_SCHEDULE_CHARS} are allowed`);
  if (type === "Rate") return { scheduleKind: "rate", schedule: rateSchedule(text) };
  return { scheduleKind: "cron", schedule: cronSchedule(text, timezone) };
}

function rateSchedule(text: string): Schedule {
  const match = /^(\d+)([mhd])$/.exec(text);
  const unit = match ? RATE_UNITS[match[2] as keyof typeof RATE_UNITS] : undefined;
  if (!match || !unit) throw badSchedule(text, 'a Rate is a whole number and a unit: "<n>m" (1-60), "<n>h" (1-24) or "<n>d" (1-30), e.g. "3m"');
  const count = Number(match[1]);
  if (count < 1 || count > unit.max) throw badSchedule(text, `a rate in ${unit.name} is 1-${unit.max}`);
  return { kind: "every", intervalMs: count * unit.ms };
}

function cronSchedule(text: string, defaultZone: string): Schedule {
  const zoned = /^CRON_TZ=(\S*)\s+([\s\S]*)$/.exec(text.trim());
  if (text.trim().startsWith("CRON_TZ=") && !zoned) throw badSchedule(text, 'CRON_TZ=<zone> is followed by a space and the cron, e.g. "CRON_TZ=Europe/Berlin 0 0 12 * * *"');
  const timezone = zoned?.[1] ?? defaultZone;
  const cron = zoned?.[2] ?? text;
  const zoneProblem = scheduleProblem({ kind: "cron", cron: "0 0 0 * * * *", timezone });
  if (zoneProblem !== null) throw badSchedule(text, zoneProblem);
  const schedule = cron.trim().startsWith("@") ? everySchedule(cron.trim()) : fieldSchedule(cron, timezone);
  const problem = scheduleProblem(schedule);
  if (problem !== null) throw badSchedule(text, problem);
  return schedule;
}

/** `@every <duration>`; FunctionGraph documents no other `@` form. */
function everySchedule(text: string): Schedule {
  const match = /^@every\s+(\S+)$/.exec(text);
  if (!match?.[1]) throw badSchedule(text, 'the only "@" form is "@every <duration>", e.g. "@every 30m" or "@every 2h30m"');
  const intervalMs = durationMs(match[1]);
  if (intervalMs === null) throw badSchedule(text, `"${match[1]}" is not a duration: numbers with units ns, us, ms, s, m, h, e.g. "1.5h" or "2h30m"`);
  if (intervalMs > LONGEST_INTERVAL_MS) throw badSchedule(text, "the longest interval is 30 days (720h)");
  return { kind: "every", intervalMs };
}

/** A Go duration in milliseconds (fractions of a millisecond kept), or null when it is not one. */
function durationMs(text: string): number | null {
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (!match?.[1] || !match[2]) return null;
    total += Number(match[1]) * (DURATION_UNITS[match[2]] ?? Number.NaN);
  }
  // Decimal fractions of larger units may land a hair off a whole millisecond.
  const rounded = Math.round(total);
  return Math.abs(total - rounded) < 1e-6 ? rounded : total;
}

function fieldSchedule(text: string, timezone: string): Schedule {
  const parts = splitFields(text);
  if (parts.length !== 5 && parts.length !== 6) {
    throw badSchedule(text, `it has ${parts.length} field${parts.length === 1 ? "" : "s"}; a FunctionGraph cron has 6, "second minute hour day-of-month month day-of-week" (day-of-week optional, no year), e.g. "0 30 8 ? * MON-FRI", or is "@every <duration>"`);
  }
  const [second = "", minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = "*"] = parts;
  const fields: CronFields = { second, minute, hour, dayOfMonth, month, dayOfWeek, year: "*" };
  const problem = questionMarkProblem(fields) ?? CRON_FIELDS.map((field) => tokenProblem(field, fields[field])).find((p) => p !== null) ?? null;
  if (problem !== null) throw badSchedule(text, problem);
  return { kind: "cron", cron: cronerPattern(fields), timezone };
}

/** Numbers, `*`, `?`, and names in the month and day-of-week fields, joined by `, - /`. */
function tokenProblem(field: keyof CronFields, value: string): string | null {
  const names = field === "month" ? MONTHS : field === "dayOfWeek" ? WEEKDAYS : [];
  const ok = value.split(/[,\-/]/).every((token) => /^(\d+|\*|\?)$/.test(token) || names.includes(token.toUpperCase()));
  if (ok) return null;
  const allowed = names.length > 0 ? `numbers, names (${names[0]}-${names[names.length - 1]})` : "numbers";
  return `the ${FIELD_LABELS[field]} field "${value}" is invalid: it takes ${allowed}, "*" and "?" joined by ",", "-" and "/" (FunctionGraph's cron has no L, W or #)`;
}

function badSchedule(schedule: string, problem: string): Error {
  return invalid("event_data.schedule", `event_data.schedule "${schedule}" is invalid: ${problem}.`);
}
