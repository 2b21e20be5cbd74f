import type { InvocationErrorKind, InvocationOutcome } from "../../core/invoke.js";
import { logTail, returnedText } from "../../core/invocation-text.js";

/**
 * How an invocation's outcome reads on the FunctionGraph wire (reference §3.7): the v1 JSON
 * envelope or the v0 raw result, the `X-Cff-*` headers and the tail log. A function that ran
 * and failed is still an HTTP 200 (the SDK hands 2xx bodies back, so the caller sees the
 * error document); only failures where no function ran are API errors.
 */

export interface FunctionFailure {
  /** The envelope's `status` and the `X-Func-Err-Code` header. */
  readonly status: number;
  /** `errorType` of the error document; user errors keep their own type. */
  readonly errorType: string | null;
  /** The FunctionGraph code for a failure Quiver detected (absent for the function's own errors). */
  readonly errorCode: string | null;
}

/** Function failures; `concurrency-limit` and `event-too-large` never reach here (API errors). */
export const FGS_FUNCTION_FAILURES: Readonly<Record<InvocationErrorKind, FunctionFailure>> = {
  "user-error": { status: 500, errorType: null, errorCode: null },
  "handler-not-found": { status: 404, errorType: "HandlerNotFound", errorCode: "FSS.0404" },
  timeout: { status: 408, errorType: "FunctionTimeout", errorCode: "FSS.0408" },
  memory: { status: 500, errorType: "MemoryLimitExceeded", errorCode: "FSS.0500" },
  exit: { status: 502, errorType: "RuntimeExited", errorCode: "FSS.0502" },
  "result-too-large": { status: 413, errorType: "ResponseTooLarge", errorCode: "FSS.0413" },
  "event-too-large": { status: 413, errorType: "RequestTooLarge", errorCode: "FSS.1201" },
  "concurrency-limit": { status: 429, errorType: "TooManyRequests", errorCode: "FSS.0429" },
  "runtime-start-failed": { status: 503, errorType: "RuntimeStartFailed", errorCode: "FSS.0503" },
};

/** What the log and headers need besides the outcome. */
export interface RunFacts {
  readonly outcome: InvocationOutcome;
  /** The version that ran, FunctionGraph spelling (`latest` for the head). */
  readonly version: string;
  readonly memoryMb: number;
  readonly finishedAt: number;
}

const MAX_LOG_BYTES = 4096;
const MAX_LOG_HEADER_BYTES = 2000;

/** The type a thrown error names: the first line of a Node stack, the last of a Python traceback. */
function thrownType(stack: string): string {
  const lines = stack.split("\n").map((line) => /^([A-Za-z_][\w.]*):(?: |$)/.exec(line.trim())?.[1]).filter((t): t is string => t !== undefined);
  const found = stack.trimStart().startsWith("Traceback") ? lines[lines.length - 1] : lines[0];
  return found ?? "Error";
}

/** The error document a failed function yields: `{errorMessage, errorType, stackTrace}` (+ `errorCode`). */
export function errorDocument(error: NonNullable<InvocationOutcome["error"]>): string {
  const failure = FGS_FUNCTION_FAILURES[error.kind];
  const stackTrace = error.stack.split("\n").map((line) => line.trimEnd()).filter((line) => line !== "");
  return JSON.stringify({
    errorMessage: error.message,
    errorType: failure.errorType ?? thrownType(error.stack),
    stackTrace,
    ...(failure.errorCode ? { errorCode: failure.errorCode } : {}),
  });
}

/** `result`: a returned string as it is, any other value as JSON; the error document on failure. */
export function resultText(outcome: InvocationOutcome): string {
  return outcome.error ? errorDocument(outcome.error) : returnedText(outcome.result);
}

function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(3);

/** The documented log shape: a Start line, the function's output, a Finish line with the figures. */
export function invokeLog(run: RunFacts): string {
  const { outcome } = run;
  const id = outcome.requestId;
  const start = `${isoSeconds(run.finishedAt - outcome.durationMs)} Start invoke request '${id}', version: ${run.version}`;
  const failed = outcome.error ? "(invoke Failed)" : "";
  const finish =
    `${isoSeconds(run.finishedAt)} Finish invoke request '${id}'${failed}, duration: ${outcome.durationMs.toFixed(3)}ms, ` +
    `billing duration: ${outcome.billedMs}ms, memory used: ${mb(outcome.memoryUsedBytes)}MB, billing memory: ${run.memoryMb}MB`;
  const output = outcome.log === "" || outcome.log.endsWith("\n") ? outcome.log : `${outcome.log}\n`;
  return `${start}\n${output}${finish}`;
}

/** Every `X-Cff-*` answer header; the log only when `tail` was asked for. */
export function invokeHeaders(run: RunFacts, responseVersion: "v0" | "v1", wantLog: boolean): Record<string, string> {
  const { outcome } = run;
  const failure = outcome.error ? FGS_FUNCTION_FAILURES[outcome.error.kind] : null;
  const summary = {
    duration: Math.round(outcome.durationMs * 1000) / 1000,
    billingDuration: outcome.billedMs,
    memorySize: run.memoryMb,
    memoryUsed: outcome.memoryUsedBytes / (1024 * 1024),
  };
  return {
    "x-cff-request-id": outcome.requestId,
    "x-cff-invoke-summary": JSON.stringify(summary),
    "x-cff-function-duration": String(summary.duration),
    "x-cff-billing-duration": String(outcome.billedMs),
    "x-cff-response-version": responseVersion,
    "x-cff-function-version": run.version,
    "x-func-err-code": String(failure ? failure.status : 0),
    "x-is-func-err": String(failure !== null),
    ...(wantLog ? { "x-cff-function-log": Buffer.from(logTail(invokeLog(run), MAX_LOG_HEADER_BYTES)).toString("base64") } : {}),
  };
}

/** The v1 envelope: `{request_id, result, log, status}`. */
export function envelope(run: RunFacts, wantLog: boolean): Record<string, unknown> {
  const failure = run.outcome.error ? FGS_FUNCTION_FAILURES[run.outcome.error.kind] : null;
  return {
    request_id: run.outcome.requestId,
    result: resultText(run.outcome),
    log: wantLog ? logTail(invokeLog(run), MAX_LOG_BYTES) : "",
    status: failure ? failure.status : 200,
  };
}
