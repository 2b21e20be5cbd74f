/**
 * How much the reliability suite does. `QUIVER_RELIABILITY=short` is the form CI runs after
 * `npm test` (about a minute on 2 cores); unset or `full` is the long form (minutes).
 */
export type Form = "short" | "full";

export interface Plan {
  readonly form: Form;
  /** kill -9 / restart cycles under publish load. */
  readonly killCycles: number;
  /** Acknowledged writes before the kill comes, drawn per cycle from this range. */
  readonly acksBeforeKill: readonly [number, number];
  /** Correctly signed, mutated requests per dialect. */
  readonly fuzzPerDialect: number;
  /** Unsigned garbage requests (unknown routes, malformed URLs, huge headers). */
  readonly fuzzGarbage: number;
  /** Concurrent stalled 64 MB uploads. */
  readonly stalledUploads: number;
}

function formFromEnv(): Form {
  const value = process.env["QUIVER_RELIABILITY"] ?? "full";
  if (value !== "short" && value !== "full") throw new Error(`QUIVER_RELIABILITY must be "short" or "full", not "${value}"`);
  return value;
}

export const FORM: Form = formFromEnv();

export const PLAN: Plan =
  FORM === "short"
    ? { form: FORM, killCycles: 3, acksBeforeKill: [15, 40], fuzzPerDialect: 1_500, fuzzGarbage: 300, stalledUploads: 16 }
    : { form: FORM, killCycles: 20, acksBeforeKill: [15, 120], fuzzPerDialect: 20_000, fuzzGarbage: 3_000, stalledUploads: 16 };

/** Per-test timeouts scale with the plan, so a hang fails the test instead of the job. */
export const minutes = (n: number): number => n * 60_000;
