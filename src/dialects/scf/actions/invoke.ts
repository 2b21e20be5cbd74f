import { z } from "zod";
import { QuiverError, isQuiverError } from "../../../core/errors.js";
import type { InvocationErrorKind, InvocationOutcome } from "../../../core/invoke.js";
import type { InvokeInput } from "../../../core/invocations.js";
import { LATEST } from "../../../core/model.js";
import type { InvokeSelector } from "../../../core/service.js";
import { scfTime } from "../map-out.js";
import * as rules from "../rules.js";
import { int, parseParams, str } from "../schema.js";
import type { ScfAction, ScfContext } from "./context.js";
import { namespaceOf } from "./functions.js";

/** SCF's documented payload limits: 6 MB for a synchronous event, 128 KB for an asynchronous one. */
const MAX_SYNC_EVENT = 6 * 1024 * 1024;
const MAX_ASYNC_EVENT = 128 * 1024;
const MAX_ROUTING_KEY = 1024;

/** The function status codes SCF puts in its error document (tencent-scf-api.md §10.7). */
export const SCF_STATUS: Readonly<Record<InvocationErrorKind, number>> = {
  "user-error": 430,
  timeout: 433,
  memory: 434,
  exit: 439,
  "handler-not-found": 437,
  "result-too-large": 407,
  "event-too-large": 406,
  "concurrency-limit": 432,
  "runtime-start-failed": 445,
};

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

function checkEvent(text: string | undefined, limit: number, field: string): string {
  const event = text === undefined || text === "" ? "{}" : text;
  if (Buffer.byteLength(event) > limit) throw new QuiverError("EventTooLarge", `The event is larger than ${limit} bytes.`, { parameter: field });
  try {
    JSON.parse(event);
  } catch {
    throw new QuiverError("EventInvalid", `${field} must be a JSON document.`, { parameter: "Param" });
  }
  return event;
}

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

function inputOf(ctx: ScfContext, namespace: string | undefined, functionName: string, selector: InvokeSelector, event: string): InvokeInput {
  return {
    namespace: namespaceOf(namespace),
    functionName,
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

/** RetMsg carries a returned string as it is and anything else as JSON, as SCF's example shows. */
function retMsg(result: string): string {
  if (result.startsWith('"')) {
    try {
      return JSON.parse(result) as string;
    } catch {
      return result;
    }
  }
  return result;
}

/** SCF returns at most 4 KB of log (InvokeFunction's documentation). */
const MAX_LOG_BYTES = 4096;

/** The last `budget` bytes of `text`, cut at a character boundary. */
function tailBytes(text: string, budget: number): string {
  const bytes = Buffer.from(text.replace(/^\uFFFD+/, ""));
  if (bytes.length <= budget) return bytes.toString();
  let start = bytes.length - Math.max(0, budget);
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start += 1;
  return bytes.subarray(start).toString();
}

function logOf(outcome: InvocationOutcome, versionName: string, wantLog: boolean): string {
  if (!wantLog) return "";
  const id = outcome.requestId;
  const report = `Report RequestId: ${id} Duration: ${outcome.durationMs.toFixed(3)} ms Billed Duration: ${outcome.billedMs} ms Memory Used: ${outcome.memoryUsedBytes} bytes`;
  const head = `START RequestId: ${id} Version: ${versionName}\n`;
  const foot = `END RequestId: ${id}\n${report}\n`;
  const body = outcome.log === "" || outcome.log.endsWith("\n") ? outcome.log : `${outcome.log}\n`;
  // The whole log stays within the limit: the function's output keeps its most recent part.
  return head + tailBytes(body, MAX_LOG_BYTES - Buffer.byteLength(head) - Buffer.byteLength(foot)) + foot;
}

export function resultOf(outcome: InvocationOutcome, versionName: string, wantLog: boolean): Record<string, unknown> {
  const error = outcome.error;
  const status = error ? SCF_STATUS[error.kind] : 200;
  const errMsg = error
    ? JSON.stringify({ errorCode: -1, errorMessage: error.message, requestId: outcome.requestId, stackTrace: error.stack, statusCode: status })
    : "";
  return {
    RetMsg: error ? "" : retMsg(outcome.result),
    ErrMsg: errMsg,
    Log: logOf(outcome, versionName, wantLog),
    FunctionRequestId: outcome.requestId,
    Duration: Math.round(outcome.durationMs * 1000) / 1000,
    BillDuration: outcome.billedMs,
    MemUsage: outcome.memoryUsedBytes,
    InvokeResult: error ? status : 0,
  };
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
    const record = await withQualifierCode(() => ctx.invocations.invokeAsync(ctx.scope, inputOf(ctx, p.Namespace, rules.functionRef(p.FunctionName), selector, event)));
    return { Result: { RetMsg: "", ErrMsg: "", Log: "", FunctionRequestId: record.id, Duration: 0, BillDuration: 0, MemUsage: 0, InvokeResult: 0 } };
  }
  const event = checkEvent(p.ClientContext, MAX_SYNC_EVENT, "ClientContext");
  const run = await withQualifierCode(() => ctx.invocations.invoke(ctx.scope, inputOf(ctx, p.Namespace, rules.functionRef(p.FunctionName), selector, event)));
  return { Result: resultOf(run.outcome, run.versionName, wantLog) };
};

const invokeFunction: ScfAction = async (ctx, params) => {
  const p = parseParams(InvokeFunction, params);
  const wantLog = wantsTail(p.LogType);
  const qualifier = p.Qualifier === undefined || p.Qualifier === "" ? "$DEFAULT" : p.Qualifier;
  const event = checkEvent(p.Event, MAX_SYNC_EVENT, "Event");
  const run = await withQualifierCode(() => ctx.invocations.invoke(ctx.scope, inputOf(ctx, p.Namespace, rules.functionRef(p.FunctionName), selectorOf(qualifier, p.RoutingKey), event)));
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
 * by qualifier, status and request id. Every async call through the API has InvokeType
 * "invoke" (Quiver has no triggers).
 */
const listAsyncEvents: ScfAction = async (ctx, params) => {
  const p = parseParams(ListAsyncEvents, params);
  const { offset, limit } = rules.paging(p.Offset, p.Limit);
  const order = rules.order(p.Order, "DESC");
  const fn = await ctx.service.getFunction(ctx.scope, namespaceOf(p.Namespace), rules.functionRef(p.FunctionName));
  const records = await ctx.invocations.listAsync(ctx.scope, fn.id, ASYNC_EVENTS_WINDOW);
  const wanted = records.filter(
    (r) =>
      (p.Qualifier === undefined || p.Qualifier === "" || r.qualifier === p.Qualifier || r.versionName === p.Qualifier) &&
      (p.Status === undefined || p.Status.length === 0 || p.Status.includes(r.status)) &&
      (p.InvokeType === undefined || p.InvokeType.length === 0 || p.InvokeType.includes("invoke")) &&
      (p.InvokeRequestId === undefined || p.InvokeRequestId === "" || r.id === p.InvokeRequestId),
  );
  if (order === "ASC") wanted.reverse();
  const EventList = wanted.slice(offset, offset + limit).map((r) => ({
    InvokeRequestId: r.id,
    InvokeType: "invoke",
    Qualifier: r.qualifier,
    Status: r.status,
    StartTime: scfTime(r.createdAt),
    EndTime: r.finishedAt === null ? "" : scfTime(r.finishedAt),
  }));
  return { TotalCount: wanted.length, EventList };
};

export const INVOKE_ACTIONS: Readonly<Record<string, ScfAction>> = {
  Invoke: invoke,
  InvokeFunction: invokeFunction,
  GetAsyncEventStatus: getAsyncEventStatus,
  ListAsyncEvents: listAsyncEvents,
};
