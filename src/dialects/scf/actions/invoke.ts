import { z } from "zod";
import { QuiverError, isQuiverError } from "../../../core/errors.js";
import type { InvocationErrorKind } from "../../../core/invoke.js";
import type { InvokeInput } from "../../../core/invocations.js";
import type { AsyncInvocationRecord } from "../../../core/ports.js";
import { LATEST } from "../../../core/model.js";
import type { InvokeSelector } from "../../../core/functions/resolution.js";
import { checkEvent } from "../../../core/invocation-text.js";
import { SCF_STATUS, resultOf } from "../invoke-out.js";
import { scfTime } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import type { Action } from "../../shared/pipeline.js";
import type { ScfAction, ScfContext } from "./context.js";
import { functionOf, type FunctionParams } from "./functions.js";

/** SCF's documented payload limits: 6 MB for a synchronous event, 128 KB for an asynchronous one. */
const MAX_SYNC_EVENT = 6 * 1024 * 1024;
const MAX_ASYNC_EVENT = 128 * 1024;
const MAX_ROUTING_KEY = 1024;

const Invoke = z.strictObject({
  FunctionName: str,
  InvocationType: str.optional(),
  Qualifier: str.optional(),
  ClientContext: str.optional(),
  LogType: str.optional(),
  Namespace: str.optional(),
  RoutingKey: str.optional(),
});

const InvokeFunction = z.strictObject({
  FunctionName: str,
  Qualifier: str.optional(),
  Event: str.optional(),
  LogType: str.optional(),
  Namespace: str.optional(),
  RoutingKey: str.optional(),
});

const GetAsyncEventStatus = z.strictObject({ InvokeRequestId: str });

const TimeInterval = z.strictObject({ Start: str.optional(), End: str.optional() });
const ListAsyncEvents = z.strictObject({
  FunctionName: str,
  Namespace: str.optional(),
  Qualifier: str.optional(),
  InvokeType: z.array(str).optional(),
  Status: z.array(str).optional(),
  StartTimeInterval: TimeInterval.optional(),
  EndTimeInterval: TimeInterval.optional(),
  Order: str.optional(),
  Orderby: str.optional(),
  Offset: int.optional(),
  Limit: int.optional(),
  InvokeRequestId: str.optional(),
});

/** The most recent asynchronous invocations of a function that ListAsyncEvents looks through. */
const ASYNC_EVENTS_WINDOW = 10_000;

/** RoutingKey is a JSON object of strings; it feeds rule routing and pins weighted routing. */
function selectorOf(qualifier: string, routingKey: string | undefined): InvokeSelector {
  if (routingKey === undefined || routingKey === "") return { qualifier, headers: {}, routingKey: null, aliasLookup: "fallback" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(routingKey);
  } catch {
    parsed = null;
  }
  const valid = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === "string");
  if (!valid || routingKey.length > MAX_ROUTING_KEY) {
    throw new QuiverError("InvalidParameter", `RoutingKey must be a JSON object of strings of at most ${MAX_ROUTING_KEY} bytes.`, { parameter: "RoutingKey" });
  }
  return { qualifier, headers: parsed as Record<string, string>, routingKey, aliasLookup: "fallback" };
}

function inputOf(ctx: ScfContext, p: FunctionParams, selector: InvokeSelector, event: string): InvokeInput {
  return {
    function: functionOf(ctx, p),
    selector,
    event,
    convention: "scf",
    contextValues: { appId: ctx.account.appId, uin: ctx.account.uin },
  };
}

/** An unknown qualifier is `ResourceNotFound.Qualifier` on the invoke APIs. */
async function withQualifierCode<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isQuiverError(error) && error.code === "VersionNotFound") {
      throw new QuiverError("VersionNotFound", error.message, { subject: "qualifier", operation: "invoke", cause: error });
    }
    throw error;
  }
}

function wantsTail(logType: string | undefined): boolean {
  if (logType === undefined || logType === "" || logType === "None") return false;
  if (logType === "Tail") return true;
  throw new QuiverError("InvalidParameter", `LogType "${logType}" is invalid: None or Tail.`, { parameter: "LogType" });
}

const invoke: ScfAction = async (ctx, params) => {
  const p = parseParams(Invoke, params);
  const type = p.InvocationType === undefined || p.InvocationType === "" ? "RequestResponse" : p.InvocationType;
  if (type !== "RequestResponse" && type !== "Event") {
    throw new QuiverError("InvalidParameter", `InvocationType "${type}" is invalid: RequestResponse or Event.`, { parameter: "InvocationType" });
  }
  const wantLog = wantsTail(p.LogType);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? LATEST : p.Qualifier;
  const selector = selectorOf(qualifier, p.RoutingKey);
  if (type === "Event") {
    const event = checkEvent(p.ClientContext, MAX_ASYNC_EVENT, "ClientContext");
    const record = await withQualifierCode(() => ctx.invocations.invokeAsync(inputOf(ctx, p, selector, event)));
    return { Result: { RetMsg: "", ErrMsg: "", Log: "", FunctionRequestId: record.id, Duration: 0, BillDuration: 0, MemUsage: 0, InvokeResult: 0 } };
  }
  const event = checkEvent(p.ClientContext, MAX_SYNC_EVENT, "ClientContext");
  const run = await withQualifierCode(() => ctx.invocations.invoke(inputOf(ctx, p, selector, event)));
  return { Result: resultOf(run.outcome, run.versionName, wantLog) };
};

const invokeFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(InvokeFunction, params);
  const wantLog = wantsTail(p.LogType);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? "$DEFAULT" : p.Qualifier;
  const event = checkEvent(p.Event, MAX_SYNC_EVENT, "Event");
  const run = await withQualifierCode(() => ctx.invocations.invoke(inputOf(ctx, p, selectorOf(qualifier, p.RoutingKey), event)));
  return { Result: resultOf(run.outcome, run.versionName, wantLog) };
};

const getAsyncEventStatus: ScfAction = async (ctx, params) => {
  const p = parseParams(GetAsyncEventStatus, params);
  const record = await ctx.invocations.getAsync(ctx.scope, p.InvokeRequestId);
  const statusCode = record.status === "FINISHED" ? 200 : record.error ? (SCF_STATUS[record.error.kind as InvocationErrorKind] ?? 500) : 200;
  return { Result: { Status: record.status, StatusCode: statusCode, InvokeRequestId: record.id } };
};

/**
 * ListAsyncEvents: the function's asynchronous invocations, newest first by default, filtered
 * by qualifier, status, invoke type and request id. InvokeType is the trigger type that made
 * the call (`timer` for a timer fire) and `invoke` for the Invoke API.
 */
/** The trigger type that made an asynchronous call (its per-call `triggerSrc`), else the Invoke API. */
function invokeTypeOf(record: AsyncInvocationRecord): string {
  return record.contextValues["triggerSrc"] ?? "invoke";
}

const listAsyncEvents: ScfAction = async (ctx, params) => {
  const p = parseParams(ListAsyncEvents, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const order = rules.order(p.Order, "DESC");
  const fn = await ctx.service.functions.get(functionOf(ctx, p));
  const records = await ctx.invocations.listAsync(ctx.scope, fn.id, ASYNC_EVENTS_WINDOW);
  const wanted = records.filter(
    (r) =>
      (p.Qualifier === undefined || p.Qualifier === "" || r.qualifier === p.Qualifier || r.versionName === p.Qualifier) &&
      (p.Status === undefined || p.Status.length === 0 || p.Status.includes(r.status)) &&
      (p.InvokeType === undefined || p.InvokeType.length === 0 || p.InvokeType.includes(invokeTypeOf(r))) &&
      (p.InvokeRequestId === undefined || p.InvokeRequestId === "" || r.id === p.InvokeRequestId),
  );
  if (order === "ASC") wanted.reverse();
  const EventList = wanted.slice(offset, offset + limit).map((r) => ({
    InvokeRequestId: r.id,
    InvokeType: invokeTypeOf(r),
    Qualifier: r.qualifier,
    Status: r.status,
    StartTime: scfTime(r.createdAt),
    EndTime: r.finishedAt === null ? "" : scfTime(r.finishedAt),
  }));
  return { TotalCount: wanted.length, EventList };
};

/**
 * Invocation actions by wire name, at the rates Tencent documents (per account, per second);
 * it documents none for the async queries, which get Quiver's 100.
 */
export const INVOKE_ACTIONS: Readonly<Record<string, Action<ScfAction>>> = {
  Invoke: { handler: invoke, ratePerSecond: 100 },
  InvokeFunction: { handler: invokeFunction, ratePerSecond: 10_000 },
  GetAsyncEventStatus: { handler: getAsyncEventStatus, ratePerSecond: 100 },
  ListAsyncEvents: { handler: listAsyncEvents, ratePerSecond: 100 },
};
