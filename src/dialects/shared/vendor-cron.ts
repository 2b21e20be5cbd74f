/**
 * What SCF's and FunctionGraph's cron texts have in common, and how their fields become the
 * croner pattern the core computes fire times from (`Schedule.cron`: second minute hour
 * day-of-month month day-of-week year, 0 = Sunday). Both vendors write Quartz-like fields;
 * croner reads them as they are (ranges, lists, names, `L`, `W`, `#`; a lone `?` in a day field
 * is read by core/schedule.ts) except `a/b` (from a, every b), which this thin layer writes as
 * `a-<last>/b`: croner refuses a step without a range. Each dialect refuses what its vendor does
 * not document before translating.
 */

export type CronField = "second" | "minute" | "hour" | "dayOfMonth" | "month" | "dayOfWeek" | "year";

/** Croner's field order. */
export const CRON_FIELDS: readonly CronField[] = ["second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek", "year"];

/** How messages name a field. */
export const FIELD_LABELS: Readonly<Record<CronField, string>> = {
  second: "second",
  minute: "minute",
  hour: "hour",
  dayOfMonth: "day-of-month",
  month: "month",
  dayOfWeek: "day-of-week",
  year: "year",
};

/** The last value of each field, the end of an open `a/b` step. */
const LAST_VALUE: Readonly<Record<Exclude<CronField, "year">, number>> = {
  second: 59, minute: 59, hour: 23, dayOfMonth: 31, month: 12, dayOfWeek: 6,
};

export type CronFields = Readonly<Record<CronField, string>>;

/** The longest schedule text either dialect accepts (Quiver's bound; neither vendor documents one). */
export const MAX_SCHEDULE_CHARS = 1024;

/** The most a timer's payload (SCF CustomArgument, FunctionGraph user_event) may take: SCF's documented 4 KB. */
export const MAX_TIMER_PAYLOAD_BYTES = 4096;

/** The fields of a cron text, split on any run of white space. */
export function splitFields(text: string): string[] {
  return text.trim().split(/\s+/).filter((field) => field !== "");
}

/** `?` may only be a whole day-of-month or day-of-week field, as both vendors document. */
export function questionMarkProblem(fields: CronFields): string | null {
  for (const field of CRON_FIELDS) {
    const value = fields[field];
    if (!value.includes("?")) continue;
    if (value !== "?") return `the ${FIELD_LABELS[field]} field "${value}" mixes "?" with other values; "?" stands alone`;
    if (field !== "dayOfMonth" && field !== "dayOfWeek") return `"?" is only allowed in the day-of-month and day-of-week fields, not in the ${FIELD_LABELS[field]} field`;
  }
  return null;
}

/** The croner pattern of vendor fields; `yearEnd` is the last year an open year step `a/b` reaches (croner's last by default). */
export function cronerPattern(fields: CronFields, yearEnd = 9999): string {
  return CRON_FIELDS.map((field) => {
    const value = fields[field];
    const last = field === "year" ? yearEnd : LAST_VALUE[field];
    // Each list item `a/b` whose start is one value (a number or a name) gets its end.
    return value
      .split(",")
      .map((item) => item.replace(/^([0-9A-Za-z]+)\/(\d+)$/, (_all, start: string, step: string) => `${start}-${last}/${step}`))
      .join(",");
  }).join(" ");
}
