import { invalid } from "../../core/errors.js";
import type { InvocationBucket } from "../../core/invocation-records.js";

/**
 * FunctionGraph's function metrics (listFunctionStatistics, showFunctionMetrics) from the
 * invocation records: series of `{timestamp, value}` per time bucket, the timestamp the
 * bucket's start in epoch milliseconds and `-1` for a bucket without invocations, as the
 * vendor documents. Pure: the actions read the buckets.
 */

const MINUTE_MS = 60_000;

export interface BucketWindow {
  /** Start of the first bucket; buckets are aligned to multiples of `bucketMs`. */
  readonly from: number;
  /** End of the last bucket (exclusive); the last bucket holds now. */
  readonly to: number;
  readonly bucketMs: number;
}

/** `count` buckets of `bucketMs`, the last one holding now. */
function endingNow(nowMs: number, bucketMs: number, count: number): BucketWindow {
  const to = (Math.floor(nowMs / bucketMs) + 1) * bucketMs;
  return { from: to - count * bucketMs, to, bucketMs };
}

function minutes(text: string | undefined, max: number): number {
  const value = /^\d{1,6}$/.test(text ?? "") ? Number(text) : NaN;
  if (!(value >= 1 && value <= max)) throw invalid("period", `period "${text ?? ""}" is invalid: 1 to ${max} minutes.`);
  return value;
}

/** listFunctionStatistics looks back at most the records' default retention (7 days)… */
const MAX_LOOKBACK_MIN = 7 * 24 * 60;
/** …in at most this many buckets, of the first of these sizes (minutes) that fits. */
const MAX_BUCKETS = 60;
const BUCKET_SIZES_MIN = [1, 5, 15, 60, 180, 1440, 10080];

/** listFunctionStatistics: the last `period` minutes. */
export function statisticsWindow(period: string | undefined, nowMs: number): BucketWindow {
  const lookback = minutes(period, MAX_LOOKBACK_MIN);
  const size = BUCKET_SIZES_MIN.find((m) => lookback / m <= MAX_BUCKETS) ?? 10080;
  return endingNow(nowMs, size * MINUTE_MS, Math.ceil(lookback / size));
}

/** The intervals showFunctionMetrics documents (minutes). */
const METRIC_PERIODS: ReadonlySet<string> = new Set(["5", "15", "60"]);
const METRICS_LOOKBACK_MIN = 24 * 60;

/** showFunctionMetrics: the last day in buckets of `period` minutes (5, 15 or 60). */
export function metricsWindow(period: string | undefined, nowMs: number): BucketWindow {
  if (!METRIC_PERIODS.has(period ?? "")) throw invalid("period", `period "${period ?? ""}" is invalid: 5, 15 or 60 (minutes).`);
  const size = Number(period);
  return endingNow(nowMs, size * MINUTE_MS, METRICS_LOOKBACK_MIN / size);
}

export interface SlaReportsValue {
  readonly timestamp: number;
  readonly value: number;
}

type Figure = (bucket: InvocationBucket) => number;

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/** Each series and how a bucket with invocations gives its value. */
const FIGURES: Readonly<Record<string, Figure | null>> = {
  count: (b) => b.count,
  duration: (b) => round3(b.durationSumMs / b.count),
  max_duration: (b) => round3(b.durationMaxMs),
  min_duration: (b) => round3(b.durationMinMs),
  fail_count: (b) => b.errors,
  function_error_count: (b) => b.errors,
  // Start failures are counted among the errors above; the records tell no system error apart.
  system_error_count: () => 0,
  reject_count: (b) => b.throttles,
  // Quiver keeps no instance counts per bucket: these series have no data.
  reserved_instance_num: null,
  concurrency_num: null,
};

/** The series of a window: every bucket, `-1` where nothing ran (or nothing is recorded). */
export function slaSeries(window: BucketWindow, buckets: readonly InvocationBucket[], extra: readonly string[] = []): Record<string, SlaReportsValue[]> {
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  const starts = Array.from({ length: Math.round((window.to - window.from) / window.bucketMs) }, (_, i) => window.from + i * window.bucketMs);
  const figures: [string, Figure | null][] = [...Object.entries(FIGURES), ...extra.map((name): [string, null] => [name, null])];
  return Object.fromEntries(
    figures.map(([name, figure]) => [
      name,
      starts.map((timestamp) => {
        const bucket = byStart.get(timestamp);
        return { timestamp, value: bucket === undefined || bucket.count === 0 || figure === null ? -1 : figure(bucket) };
      }),
    ]),
  );
}
