/**
 * The `invocation_records` table as both stores read and write it: the row, its columns, the
 * query's WHERE clause and ORDER BY (each store supplies its placeholder syntax), and the rules
 * of retention's batches.
 */
import type { InvocationBucket, InvocationRecord, InvocationSource, RecordOrderBy, RecordQuery, ResultCode } from "../core/invocation-records.js";
import { ERROR_RESULT_CODES } from "../core/invocation-records.js";
import type { Scope } from "../core/model.js";
import type { Columns } from "./rows.js";

export interface RecordRow {
  account_id: string;
  region: string;
  request_id: string;
  function_id: string;
  namespace: string;
  function_name: string;
  qualifier: string;
  version_name: string;
  alias: string | null;
  source: string;
  started_at: number;
  duration_ms: number;
  billed_ms: number;
  memory_used_bytes: number;
  memory_mb: number;
  result_code: string;
  error_message: string;
  log: string;
  /** SQLite: 0/1; PostgreSQL: boolean. */
  log_truncated: number | boolean;
  result: string;
  result_truncated: number | boolean;
  size_bytes: number;
}

export function toRecord(row: RecordRow): InvocationRecord {
  return {
    requestId: row.request_id,
    scope: { accountId: row.account_id, region: row.region },
    functionId: row.function_id,
    namespace: row.namespace,
    functionName: row.function_name,
    qualifier: row.qualifier,
    versionName: row.version_name,
    alias: row.alias,
    source: row.source as InvocationSource,
    startedAt: Number(row.started_at),
    durationMs: Number(row.duration_ms),
    billedMs: Number(row.billed_ms),
    memoryUsedBytes: Number(row.memory_used_bytes),
    memoryMb: Number(row.memory_mb),
    resultCode: row.result_code as ResultCode,
    errorMessage: row.error_message,
    log: row.log,
    logTruncated: Boolean(row.log_truncated),
    result: row.result,
    resultTruncated: Boolean(row.result_truncated),
  };
}

/** Bytes a record is counted for by the size retention: its texts and a fixed share for the rest of the row. */
export function recordBytes(r: InvocationRecord): number {
  return 256 + Buffer.byteLength(r.log) + Buffer.byteLength(r.result) + Buffer.byteLength(r.errorMessage);
}

/** A record's row; `flag` writes a boolean the way the store keeps it. */
export function recordColumns(r: InvocationRecord, flag: (value: boolean) => unknown): Columns {
  return {
    account_id: r.scope.accountId,
    region: r.scope.region,
    request_id: r.requestId,
    function_id: r.functionId,
    namespace: r.namespace,
    function_name: r.functionName,
    qualifier: r.qualifier,
    version_name: r.versionName,
    alias: r.alias,
    source: r.source,
    started_at: r.startedAt,
    duration_ms: r.durationMs,
    billed_ms: r.billedMs,
    memory_used_bytes: r.memoryUsedBytes,
    memory_mb: r.memoryMb,
    result_code: r.resultCode,
    error_message: r.errorMessage,
    log: r.log,
    log_truncated: flag(r.logTruncated),
    result: r.result,
    result_truncated: flag(r.resultTruncated),
    size_bytes: recordBytes(r),
  };
}

/** WHERE conditions of a record query, with their arguments in order. */
export function recordWhere(scope: Scope, q: RecordQuery, placeholder: (position: number) => string): { where: string; args: unknown[] } {
  const args: unknown[] = [];
  const arg = (value: unknown): string => {
    args.push(value);
    return placeholder(args.length);
  };
  const where = [`account_id = ${arg(scope.accountId)}`, `region = ${arg(scope.region)}`];
  if (q.functionId !== undefined) where.push(`function_id = ${arg(q.functionId)}`);
  if (q.namespace !== undefined) where.push(`namespace = ${arg(q.namespace)}`);
  if (q.functionName !== undefined) where.push(`function_name = ${arg(q.functionName)}`);
  if (q.requestId !== undefined) where.push(`request_id = ${arg(q.requestId)}`);
  if (q.qualifier !== undefined) where.push(`(qualifier = ${arg(q.qualifier)} OR version_name = ${arg(q.qualifier)})`);
  if (q.resultCodes !== undefined && q.resultCodes.length > 0) where.push(`result_code IN (${q.resultCodes.map((code) => arg(code)).join(", ")})`);
  if (q.from !== undefined) where.push(`started_at >= ${arg(q.from)}`);
  if (q.to !== undefined) where.push(`started_at <= ${arg(q.to)}`);
  return { where: where.join(" AND "), args };
}

const ORDER_COLUMNS: Record<RecordOrderBy, string> = {
  startedAt: "started_at",
  durationMs: "duration_ms",
  memoryUsedBytes: "memory_used_bytes",
  functionName: "function_name",
};

/** ORDER BY of a record query: the asked column, then start time and request id, all in the asked direction (a stable order for paging). */
export function recordOrder(q: RecordQuery): string {
  const direction = q.order === "ASC" ? "ASC" : "DESC";
  const column = ORDER_COLUMNS[q.orderBy];
  const tail = column === "started_at" ? "" : `, started_at ${direction}`;
  return `${column} ${direction}${tail}, request_id ${direction}`;
}

/** The SQL expression counting the error records of a bucket. */
export const ERROR_CODES_SQL = ERROR_RESULT_CODES.map((code) => `'${code}'`).join(", ");

export interface BucketRow {
  b: number;
  n: number;
  errors: number;
  throttles: number;
  dsum: number;
  dmin: number;
  dmax: number;
}

export function toBucket(row: BucketRow, from: number, bucketMs: number): InvocationBucket {
  return {
    start: from + Number(row.b) * bucketMs,
    count: Number(row.n),
    errors: Number(row.errors),
    throttles: Number(row.throttles),
    durationSumMs: Number(row.dsum),
    durationMinMs: Number(row.dmin),
    durationMaxMs: Number(row.dmax),
  };
}

/** Rows retention removes per statement: small enough that inserts wait on it only briefly. */
export const PRUNE_BATCH = 500;

/**
 * How many of the oldest rows (their sizes, oldest first) must go for the total to come down
 * to `maxBytes`.
 */
export function rowsOverBudget(oldestSizes: readonly number[], totalBytes: number, maxBytes: number): number {
  let excess = totalBytes - maxBytes;
  let n = 0;
  while (excess > 0 && n < oldestSizes.length) {
    excess -= oldestSizes[n] ?? 0;
    n += 1;
  }
  return n;
}
