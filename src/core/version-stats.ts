/**
 * Per-version series of a function's invocations over time — invocations, errors, throttles
 * and the p50/p99 duration of each time bucket — so a canary can be judged beside the version
 * it may replace (the console's charts). Pure: the server reads the records and passes them in.
 */
import { ERROR_RESULT_CODES, type InvocationRecord } from "./invocation-records.js";

/** What a bucket needs of a record. */
export type StatsRecord = Pick<InvocationRecord, "versionName" | "startedAt" | "durationMs" | "resultCode">;

export interface StatsWindow {
  /** Start of the first bucket (epoch ms), a multiple of `bucketMs`. */
  readonly from: number;
  /** End of the last bucket (exclusive). */
  readonly to: number;
  readonly bucketMs: number;
}

export interface VersionSeries {
  readonly invocations: number[];
  readonly errors: number[];
  readonly throttles: number[];
  /** null where no invocation of the version ran in the bucket. */
  readonly p50Ms: (number | null)[];
  readonly p99Ms: (number | null)[];
}

export interface VersionStats {
  /** Each bucket's start (epoch ms). */
  readonly times: number[];
  /** By the version that ran; invocations in which nothing ran are left out. */
  readonly versions: Record<string, VersionSeries>;
}

const MINUTE_MS = 60_000;
/** Bucket sizes (minutes) tried in order: the first giving at most MAX_BUCKETS buckets is used. */
const BUCKET_MINUTES = [1, 5, 15, 60];
const MAX_BUCKETS = 60;
export const MAX_STATS_MINUTES = 24 * 60;

/** The last `minutes` minutes ending at `nowMs`, in aligned buckets, the last one holding now. */
export function statsWindow(minutes: number, nowMs: number): StatsWindow {
  const size = BUCKET_MINUTES.find((m) => minutes / m <= MAX_BUCKETS) ?? 60;
  const bucketMs = size * MINUTE_MS;
  const to = (Math.floor(nowMs / bucketMs) + 1) * bucketMs;
  return { from: to - Math.ceil(minutes / size) * bucketMs, to, bucketMs };
}

/**
 * The p-th percentile by the nearest-rank method (the smallest value with at least p % of the
 * values at or below it), of values sorted ascending; null for none.
 */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function versionStats(records: Iterable<StatsRecord>, window: StatsWindow): VersionStats {
  const count = Math.round((window.to - window.from) / window.bucketMs);
  const times = Array.from({ length: count }, (_, i) => window.from + i * window.bucketMs);
  const durations = new Map<string, number[][]>();
  const versions: Record<string, VersionSeries> = {};
  for (const record of records) {
    const index = Math.floor((record.startedAt - window.from) / window.bucketMs);
    if (record.versionName === "" || index < 0 || index >= count) continue;
    const series = (versions[record.versionName] ??= emptySeries(count));
    const perBucket = durations.get(record.versionName) ?? Array.from({ length: count }, () => []);
    durations.set(record.versionName, perBucket);
    add(series.invocations, index);
    if (record.resultCode === "throttled") {
      // A throttled call did not run: it has no duration to count.
      add(series.throttles, index);
      continue;
    }
    if (ERROR_RESULT_CODES.includes(record.resultCode)) add(series.errors, index);
    perBucket[index]?.push(record.durationMs);
  }
  for (const [version, perBucket] of durations) {
    const series = versions[version];
    if (!series) continue;
    perBucket.forEach((values, i) => {
      values.sort((a, b) => a - b);
      series.p50Ms[i] = nearestRank(values, 50);
      series.p99Ms[i] = nearestRank(values, 99);
    });
  }
  return { times, versions };
}

function emptySeries(count: number): VersionSeries {
  const zeros = (): number[] => new Array<number>(count).fill(0);
  const nulls = (): (number | null)[] => new Array<number | null>(count).fill(null);
  return { invocations: zeros(), errors: zeros(), throttles: zeros(), p50Ms: nulls(), p99Ms: nulls() };
}

function add(values: number[], index: number): void {
  values[index] = (values[index] ?? 0) + 1;
}
