/**
 * Fire times of a neutral timer schedule (`Schedule`, core/triggers.ts), computed with croner.
 * Every fire time is a whole second in epoch milliseconds. Pure: no clock is read here.
 */
import { Cron } from "croner";
import type { Schedule } from "./triggers.js";

/** The planned fire time of a timer that never fires again (a time no clock reaches; storable as a BIGINT). */
export const NEVER = Number.MAX_SAFE_INTEGER;

/** The shortest interval an `every` schedule may have: fire times are whole seconds. */
export const MIN_INTERVAL_MS = 1_000;

/** The first fire time strictly after `afterMs`, or null when the schedule never fires again (e.g. a past year). */
export function nextFireAfter(schedule: Schedule, afterMs: number): number | null {
  if (schedule.kind === "every") return (Math.floor(afterMs / schedule.intervalMs) + 1) * schedule.intervalMs;
  return cronOf(schedule).nextRun(new Date(afterMs))?.getTime() ?? null;
}

/**
 * The latest fire time at or before `atMs` and not before `fromMs`, or null when there is
 * none in that span. Used when fire times were missed: only the most recent one may fire.
 */
export function latestFireBetween(schedule: Schedule, fromMs: number, atMs: number): number | null {
  let latest: number | null;
  if (schedule.kind === "every") {
    latest = Math.floor(atMs / schedule.intervalMs) * schedule.intervalMs;
  } else {
    // croner's previous run is strictly before its argument: ask from just after `atMs`.
    const [previous] = cronOf(schedule).previousRuns(1, new Date(Math.floor(atMs / 1000) * 1000 + 1000));
    latest = previous ? previous.getTime() : null;
  }
  return latest !== null && latest >= fromMs ? latest : null;
}

/**
 * What is wrong with a schedule, for a dialect's message (null when it can fire): a cron
 * croner cannot read, an unknown time zone, a date no calendar has (31 February), an interval
 * that is not a whole number of seconds of at least one second.
 */
export function scheduleProblem(schedule: Schedule): string | null {
  if (schedule.kind === "every") {
    const { intervalMs } = schedule;
    if (!Number.isSafeInteger(intervalMs) || intervalMs < MIN_INTERVAL_MS || intervalMs % 1000 !== 0) {
      return `the interval must be a whole number of seconds, at least 1 second (got ${intervalMs} ms)`;
    }
    return null;
  }
  if (!isTimeZone(schedule.timezone)) return `unknown time zone "${schedule.timezone}"`;
  let cron: Cron;
  try {
    cron = cronOf(schedule);
  } catch (error) {
    return describeCronError(error);
  }
  // A fire time after the epoch proves some date matches (a past year is not a problem here:
  // it simply never fires again).
  return cron.nextRun(new Date(0)) === null ? "no date matches it" : null;
}

function cronOf(schedule: Extract<Schedule, { kind: "cron" }>): Cron {
  return new Cron(quartzQuestionMarks(schedule.cron), { mode: "7-part", timezone: schedule.timezone, paused: true });
}

/**
 * A day field that is only `?` means "no constraint" (Quartz). croner reads `?` as `*` but
 * still combines the day fields with OR, so `? * MON#2` would fire every day; as `*` it
 * leaves the other day field alone in charge.
 */
function quartzQuestionMarks(cron: string): string {
  return cron
    .trim()
    .split(/\s+/)
    .map((field) => (field === "?" ? "*" : field))
    .join(" ");
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** croner's message without its class prefix ("CronPattern: Invalid value for second: 61"). */
function describeCronError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Cron\w*:\s*/, "");
}
