import { isQuiverError } from "../../../core/errors.js";
import { returnedText } from "../../../core/invocation-text.js";
import type { AsyncInvocationRecord } from "../../../core/ports.js";
import { GetFunctionLogs, GetRequestStatus, logsQuery, requestId, searchContextOut, statusWindow, type TimeWindow } from "../log-query.js";
import { functionLogOut, requestStatusOut, type RequestStatus } from "../map-out.js";
import * as rules from "../rules.js";
import { parseParams } from "../schema.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";
import { functionOf, namespaceOf } from "./functions.js";

/**
 * GetFunctionLogs: the finished invocations of a function (or, without FunctionName, of a
 * namespace) from the invocation records, newest first by default. Only the caller's own
 * account and region are searched: the scope is part of every query.
 */
const getFunctionLogs: ScfAction = async (ctx, params) => {
  const p = parseParams(GetFunctionLogs, params);
  const query = logsQuery(p, ctx.clock.now());
  const namespace = namespaceOf(p.Namespace);
  const where = p.FunctionName === undefined || p.FunctionName === ""
    ? { namespace }
    : { functionId: (await ctx.service.functions.get({ scope: ctx.scope, namespace, name: rules.functionRef(p.FunctionName) })).id };
  const page = await ctx.records.queryInvocationRecords(ctx.scope, { ...query, ...where });
  return { TotalCount: page.total, Data: page.items.map(functionLogOut), SearchContext: searchContextOut(p.SearchContext) };
};

const ASYNC_RET_CODE: Readonly<Record<AsyncInvocationRecord["status"], 0 | 1 | -1>> = { RUNNING: 1, FINISHED: 0, FAILED: -1, ABORTED: -1 };

/** An asynchronous invocation of the function in the window that has no record yet (still running, or just finished). */
async function unrecordedAsync(ctx: ScfContext, functionId: string, id: string, window: Required<TimeWindow>): Promise<RequestStatus | null> {
  const accepted = await ctx.invocations.getAsync(ctx.scope, id).catch((error: unknown) => {
    if (isQuiverError(error) && error.code === "InvocationNotFound") return null;
    throw error;
  });
  if (accepted === null || accepted.functionId !== functionId || accepted.createdAt < window.from || accepted.createdAt > window.to) return null;
  const retMsg = accepted.status === "FINISHED" ? returnedText(accepted.result) : (accepted.error?.message ?? "");
  return { record: null, functionName: accepted.functionName, requestId: accepted.id, startedAt: accepted.createdAt, retCode: ASYNC_RET_CODE[accepted.status], retMsg, durationMs: accepted.durationMs };
}

/**
 * GetRequestStatus: one request of the function, by id, started within the window (the last
 * 15 minutes by default). An unknown id is an empty Data, as SCF documents no code for it.
 */
const getRequestStatus: ScfAction = async (ctx, params) => {
  const p = parseParams(GetRequestStatus, params);
  const id = requestId(p.FunctionRequestId);
  const window = statusWindow(p, ctx.clock.now());
  const fn = await ctx.service.functions.get(functionOf(ctx, p));
  const page = await ctx.records.queryInvocationRecords(ctx.scope, { functionId: fn.id, requestId: id, ...window, offset: 0, limit: 1, order: "DESC", orderBy: "startedAt" });
  const first = page.items[0];
  const status = first === undefined ? await unrecordedAsync(ctx, fn.id, id, window) : { record: first };
  const Data = status === null ? [] : [requestStatusOut(status)];
  return { TotalCount: Data.length, Data };
};

/** Log actions by wire name, at the rates Tencent documents (per account, per second). */
export const LOG_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  GetFunctionLogs: { handler: getFunctionLogs, ratePerSecond: 5 },
  GetRequestStatus: { handler: getRequestStatus, ratePerSecond: 20 },
};
