import { QuiverError } from "../../../core/errors.js";
import type { InvokeInput } from "../../../core/invocations.js";
import type { AsyncInvocationRecord } from "../../../core/ports.js";
import type { InvokeSelector } from "../../../core/functions/resolution.js";
import { checkEvent } from "../../../core/invocation-text.js";
import { FGS_FUNCTION_FAILURES, envelope, invokeHeaders, resultText, type RunFacts } from "../invoke-out.js";
import { rfc3339 } from "../map-out.js";
import * as rules from "../rules.js";
import type { FunctionUrn } from "../urn.js";
import { functionOf, ok, queryValue, requestUrn, type FgsContext, type FgsActions, type FgsOperation, type FgsResult } from "./context.js";

/**
 * Invocation (reference §3.7, §4.1): sync with the v1 envelope or the v0 raw result, async
 * (202 + request id, recorded durably), and the async status query.
 */

/** Events up to 6 MB, FunctionGraph's documented response limit (`RUNTIME_MAX_RESP_BODY_SIZE`). */
const MAX_EVENT_BYTES = 6 * 1024 * 1024;

function eventOf(ctx: FgsContext): string {
  return checkEvent(ctx.body, MAX_EVENT_BYTES, "The request body (the event)");
}

/**
 * The URN's qualifier as the core selects it: `!name` is an alias only; any other name is a
 * version first and an alias when no version has it; none is `latest`. Every request header
 * is offered to the alias's header rules.
 */
function selectorOf(ctx: FgsContext, urn: FunctionUrn): InvokeSelector {
  const q = urn.qualifier;
  if (q?.startsWith("!")) return { qualifier: q.slice(1), headers: ctx.headers, routingKey: null, aliasLookup: "only" };
  return { qualifier: rules.coreQualifier(q), headers: ctx.headers, routingKey: null, aliasLookup: "fallback" };
}

function inputOf(ctx: FgsContext, urn: FunctionUrn, event: string): InvokeInput {
  const alias = urn.qualifier?.startsWith("!") ? urn.qualifier.slice(1) : "";
  return {
    function: functionOf(ctx, urn),
    selector: selectorOf(ctx, urn),
    event,
    convention: "fgs",
    // Keys the engine's FunctionGraph context reads. The caller's own keys are never handed
    // to function code, so getAccessKey()/getToken() and friends stay empty.
    contextValues: { projectId: ctx.out.projectId, package: urn.package, alias },
  };
}

/**
 * A `!alias` that does not exist is the documented alias error (404 FSS.1053), which the
 * core's "neither a version nor an alias" would not say; checked before the run.
 */
async function requireAlias(ctx: FgsContext, urn: FunctionUrn): Promise<void> {
  if (urn.qualifier?.startsWith("!")) await ctx.service.aliases.get(functionOf(ctx, urn), urn.qualifier.slice(1));
}

function responseVersion(ctx: FgsContext): "v0" | "v1" {
  const asked = (ctx.headers["x-cff-request-version"] ?? "").toLowerCase();
  if (asked === "" || asked === "v1") return "v1";
  if (asked === "v0") return "v0";
  throw new QuiverError("InvalidParameter", `X-CFF-Request-Version "${asked}" is invalid: v0 or v1.`);
}

function wantsTail(ctx: FgsContext): boolean {
  return (ctx.headers["x-cff-log-type"] ?? "").toLowerCase() === "tail";
}

async function runSync(ctx: FgsContext): Promise<RunFacts> {
  const urn = requestUrn(ctx);
  const event = eventOf(ctx);
  await requireAlias(ctx, urn);
  const run = await ctx.invocations.invoke(inputOf(ctx, urn, event));
  const kind = run.outcome.error?.kind;
  // No function ran: these are API errors, not function failures.
  if (kind === "concurrency-limit") throw new QuiverError("RateLimited", run.outcome.error?.message ?? "The function is busy.");
  if (kind === "event-too-large") throw new QuiverError("EventTooLarge", run.outcome.error?.message ?? "The event is too large.");
  return { outcome: run.outcome, version: rules.fgVersionName(run.versionName), memoryMb: run.memoryMb, finishedAt: Date.now() };
}

/** v0 bodies are the raw result: JSON when the function returned a non-string value or failed. */
function rawResult(run: RunFacts, headers: Record<string, string>): FgsResult {
  const returnedString = !run.outcome.error && run.outcome.result.startsWith('"');
  return { status: 200, text: resultText(run.outcome), headers: { ...headers, "content-type": returnedString ? "text/plain; charset=utf-8" : "application/json" } };
}

const invokeFunction: FgsOperation = async (ctx) => {
  const version = responseVersion(ctx);
  const wantLog = wantsTail(ctx);
  const run = await runSync(ctx);
  const headers = invokeHeaders(run, version, wantLog);
  return version === "v0" ? rawResult(run, headers) : { status: 200, body: envelope(run, wantLog), headers };
};

/** v1.0 answers with the raw result and the log (with `tail`) in `X-Cff-Function-Log`. */
const legacyInvokeFunction: FgsOperation = async (ctx) => {
  const wantLog = wantsTail(ctx);
  const run = await runSync(ctx);
  return rawResult(run, invokeHeaders(run, "v0", wantLog));
};

async function accept(ctx: FgsContext): Promise<string> {
  const urn = requestUrn(ctx);
  const event = eventOf(ctx);
  await requireAlias(ctx, urn);
  const record = await ctx.invocations.invokeAsync(inputOf(ctx, urn, event));
  return record.id;
}

const asyncInvokeFunction: FgsOperation = async (ctx) => ({ status: 202, body: { request_id: await accept(ctx) } });

/** v1.0 spells the key with a hyphen (reference §4.1). */
const legacyAsyncInvokeFunction: FgsOperation = async (ctx) => ({ status: 202, body: { "request-id": await accept(ctx) } });

const ASYNC_STATUS: Readonly<Record<AsyncInvocationRecord["status"], string>> = {
  RUNNING: "RUNNING",
  FINISHED: "SUCCESS",
  FAILED: "FAIL",
  ABORTED: "DISCARD",
};

function errorCodeOf(record: AsyncInvocationRecord): number {
  if (!record.error) return 0;
  return FGS_FUNCTION_FAILURES[record.error.kind as keyof typeof FGS_FUNCTION_FAILURES]?.status ?? 500;
}

/** The SDK's ListFunctionAsyncInvocationsResult, plus `result` (Quiver keeps what the function returned). */
function asyncOut(record: AsyncInvocationRecord): Record<string, unknown> {
  const outcome = { requestId: record.id, result: record.result, error: record.error as RunFacts["outcome"]["error"], log: record.log, durationMs: record.durationMs, billedMs: 0, memoryUsedBytes: 0 };
  return {
    request_id: record.id,
    status: ASYNC_STATUS[record.status],
    error_message: record.error?.message ?? "",
    error_code: errorCodeOf(record),
    start_time: rfc3339(record.createdAt),
    end_time: record.finishedAt === null ? "" : rfc3339(record.finishedAt),
    result: record.status === "RUNNING" ? "" : resultText(outcome),
  };
}

const MAX_ASYNC_LIST = 100;

function limitOf(ctx: FgsContext): number {
  const text = queryValue(ctx, "limit");
  if (text === undefined || text === "") return 10;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_ASYNC_LIST) {
    throw new QuiverError("InvalidParameter", `limit "${text}" is invalid: 1 to ${MAX_ASYNC_LIST}.`, { parameter: "maxitems" });
  }
  return Number(text);
}

/** `?request_id=` reads one invocation; otherwise the newest first, paged by `marker`/`limit`, optionally by `status`. */
const listAsyncInvocations: FgsOperation = async (ctx) => {
  const fn = await ctx.service.functions.get(functionOf(ctx));
  const { offset } = rules.paging(queryValue(ctx, "marker"), undefined);
  const limit = limitOf(ctx);
  const requestId = queryValue(ctx, "request_id");
  const status = queryValue(ctx, "status");
  let records: AsyncInvocationRecord[];
  if (requestId) {
    const one = await ctx.invocations.getAsync(ctx.scope, requestId).catch(() => null);
    records = one && one.functionId === fn.id ? [one] : [];
  } else {
    records = await ctx.invocations.listAsync(ctx.scope, fn.id, offset + limit);
    records = records.slice(offset);
  }
  const items = records.map(asyncOut).filter((item) => !status || item["status"] === status);
  return ok({ invocations: items, count: items.length, next_marker: offset + records.length });
};

/**
 * Invocation operations by wire name. FunctionGraph documents no rate: a generous one that
 * still stops a runaway client, and SCF's query rate for the async list.
 */
export const INVOKE_ACTIONS = {
  invokeFunction: { handler: invokeFunction, ratePerSecond: 1000 },
  asyncInvokeFunction: { handler: asyncInvokeFunction, ratePerSecond: 1000 },
  legacyInvokeFunction: { handler: legacyInvokeFunction, ratePerSecond: 1000 },
  legacyAsyncInvokeFunction: { handler: legacyAsyncInvokeFunction, ratePerSecond: 1000 },
  listAsyncInvocations: { handler: listAsyncInvocations, ratePerSecond: 100 },
} satisfies FgsActions;
