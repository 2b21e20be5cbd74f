import { z } from "zod";
import { QuiverError, invalid } from "../../core/errors.js";
import type { RecordOrderBy, RecordQuery, ResultCode } from "../../core/invocation-records.js";
import * as rules from "./rules.js";
import { int, str } from "./schema.js";

/**
 * GetFunctionLogs and GetRequestStatus parameters → the neutral record query, with SCF's
 * documented rules: `YYYY-MM-DD hh:mm:ss` times in the server's time zone, a window of at most
 * one day (GetFunctionLogs) or the last 15 minutes by default (GetRequestStatus), Offset+Limit
 * at most 10,000, and `Filter.RetCode`. Pure: the actions add the function and the clock.
 */

export const SearchContext = z.strictObject({ Offset: str.optional(), Limit: int.optional(), Keyword: str.optional(), Type: str.optional() });

export const GetFunctionLogs = z.strictObject({
  FunctionName: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  Order: str.optional(),
  OrderBy: str.optional(),
  Filter: z.strictObject({ RetCode: str.optional() }).optional(),
  Namespace: str.optional(),
  Qualifier: str.optional(),
  FunctionRequestId: str.optional(),
  StartTime: str.optional(),
  EndTime: str.optional(),
  SearchContext: SearchContext.optional(),
});

export const GetRequestStatus = z.strictObject({
  FunctionName: str,
  FunctionRequestId: str,
  Namespace: str.optional(),
  StartTime: str.optional(),
  EndTime: str.optional(),
});

export type GetFunctionLogsParams = z.output<typeof GetFunctionLogs>;
export type GetRequestStatusParams = z.output<typeof GetRequestStatus>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** GetRequestStatus looks back this far when no StartTime is given (Tencent's documented default). */
const STATUS_LOOKBACK_MS = 15 * 60 * 1000;
/** Offset+Limit may reach this deep at most. */
export const MAX_LOG_DEPTH = 10_000;
const DEFAULT_LIMIT = 20;
const MAX_REQUEST_ID = 128;

const ALL_FAILURES: readonly ResultCode[] = ["function-error", "timeout", "memory", "start-failure", "throttled"];

/** `Filter.RetCode` → the result codes it keeps. Resource limits are memory and concurrency. */
const RET_CODE_FILTERS: ReadonlyMap<string, readonly ResultCode[]> = new Map<string, readonly ResultCode[]>([
  ["not0", ALL_FAILURES],
  ["is0", ["success"]],
  ["TimeLimitExceeded", ["timeout"]],
  ["ResourceLimitExceeded", ["memory", "throttled"]],
  ["UserCodeException", ["function-error"]],
]);

const ORDER_BY: ReadonlyMap<string, RecordOrderBy> = new Map<string, RecordOrderBy>([
  ["start_time", "startedAt"],
  ["duration", "durationMs"],
  ["mem_usage", "memoryUsedBytes"],
  ["function_name", "functionName"],
]);

const given = (value: string | undefined): string | undefined => (value === undefined || value === "" ? undefined : value);

/** `YYYY-MM-DD hh:mm:ss` in the server's time zone (as SCF renders its times) → epoch ms. */
export function parseScfTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const [year, month, day, hour, minute, second] = (m ?? []).slice(1).map(Number);
  if (m && year !== undefined && month !== undefined && day !== undefined && hour !== undefined && minute !== undefined && second !== undefined) {
    const date = new Date(year, month - 1, day, hour, minute, second);
    // Date rolls 2024-02-30 over to March: a value that does not come back unchanged is no date.
    const same = date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && date.getHours() === hour && date.getMinutes() === minute;
    if (same) return date.getTime();
  }
  throw invalid("DateTime", `"${text}" is not a time of the form YYYY-MM-DD hh:mm:ss.`);
}

export interface TimeWindow {
  readonly from?: number;
  readonly to?: number;
}

/** A window given to the second covers that whole last second. */
const endOf = (text: string): number => parseScfTime(text) + 999;

const windowError = (message: string): QuiverError => invalid("StartTimeOrEndTime", message);

/**
 * GetFunctionLogs' window: StartTime and EndTime together, at most one day apart; neither
 * means the last day, or (looking a request id up) every record kept.
 */
export function logsWindow(p: Pick<GetFunctionLogsParams, "StartTime" | "EndTime" | "FunctionRequestId">, nowMs: number): TimeWindow {
  const start = given(p.StartTime);
  const end = given(p.EndTime);
  if (start === undefined && end === undefined) return given(p.FunctionRequestId) === undefined ? { from: nowMs - DAY_MS, to: nowMs } : {};
  if (start === undefined || end === undefined) throw windowError("StartTime and EndTime must be given together.");
  const from = parseScfTime(start);
  const to = endOf(end);
  if (to < from) throw windowError(`EndTime ${end} is before StartTime ${start}.`);
  if (to - from >= DAY_MS) throw windowError("StartTime and EndTime may be at most one day apart.");
  return { from, to };
}

/**
 * GetRequestStatus' window: the last 15 minutes by default; EndTime defaults to now without a
 * StartTime, must come with one, and must be later.
 */
export function statusWindow(p: Pick<GetRequestStatusParams, "StartTime" | "EndTime">, nowMs: number): Required<TimeWindow> {
  const start = given(p.StartTime);
  const end = given(p.EndTime);
  if (start === undefined) return { from: nowMs - STATUS_LOOKBACK_MS, to: end === undefined ? nowMs : endOf(end) };
  if (end === undefined) throw windowError("EndTime must be given with StartTime.");
  const from = parseScfTime(start);
  const to = endOf(end);
  if (to <= from + 999) throw windowError(`EndTime ${end} must be later than StartTime ${start}.`);
  return { from, to };
}

/** A request id to look up: Quiver's are UUIDs; anything printable and not too long is looked for. */
export function requestId(value: string): string {
  if (value === "" || value.length > MAX_REQUEST_ID || !/^[\x21-\x7e]+$/.test(value)) {
    throw invalid("FunctionRequestId", `FunctionRequestId "${value}" is invalid: 1-${MAX_REQUEST_ID} printable characters.`);
  }
  return value;
}

export function resultCodesOf(retCode: string | undefined): readonly ResultCode[] | undefined {
  if (given(retCode) === undefined) return undefined;
  const codes = RET_CODE_FILTERS.get(retCode ?? "");
  if (codes === undefined) throw invalid("RetCode", `Filter.RetCode "${retCode}" is invalid: ${[...RET_CODE_FILTERS.keys()].join(", ")}.`);
  return codes;
}

/** Offset (default 0) and Limit (default 20), together at most 10,000 deep. */
export function logsPaging(offset: number | undefined, limit: number | undefined): { offset: number; limit: number } {
  const o = offset ?? 0;
  const l = limit ?? DEFAULT_LIMIT;
  if (o < 0) throw invalid("Offset", `Offset ${o} is invalid: it must be 0 or more.`);
  if (l < 1) throw invalid("Limit", `Limit ${l} is invalid: it must be 1 or more.`);
  if (o + l > MAX_LOG_DEPTH) throw new QuiverError("PageBeyondLimit", `Offset+Limit is ${o + l}; at most ${MAX_LOG_DEPTH} is allowed.`);
  return { offset: o, limit: l };
}

/** Everything of GetFunctionLogs but the function, which the action looks up. */
export function logsQuery(p: GetFunctionLogsParams, nowMs: number): Omit<RecordQuery, "functionId" | "namespace"> {
  const orderByKey = given(p.OrderBy) ?? "start_time";
  const orderBy = ORDER_BY.get(orderByKey);
  if (orderBy === undefined) throw invalid("OrderBy", `OrderBy "${orderByKey}" is invalid: ${[...ORDER_BY.keys()].join(", ")}.`);
  const resultCodes = resultCodesOf(p.Filter?.RetCode);
  const id = given(p.FunctionRequestId);
  const qualifier = given(p.Qualifier);
  return {
    ...logsWindow(p, nowMs),
    ...logsPaging(p.Offset, p.Limit),
    order: rules.order(p.Order, "DESC"),
    orderBy,
    ...(resultCodes ? { resultCodes } : {}),
    ...(id === undefined ? {} : { requestId: requestId(id) }),
    ...(qualifier === undefined ? {} : { qualifier }),
  };
}

/** SearchContext is retired: what was sent comes back, else its empty form. */
export function searchContextOut(sent: z.output<typeof SearchContext> | undefined): Record<string, unknown> {
  return { Offset: sent?.Offset ?? "", Limit: sent?.Limit ?? 0, Keyword: sent?.Keyword ?? "", Type: sent?.Type ?? "" };
}
