import { logTail, returnedText } from "../../core/invocation-text.js";
import type { InvocationErrorKind, InvocationOutcome } from "../../core/invoke.js";

/**
 * How an invocation's outcome reads on the SCF wire (tencent-scf-api.md §10.7): the `Result`
 * document of Invoke/InvokeFunction with its function status code, the tail log and RetMsg.
 * A function that ran and failed is still a successful API call; its failure is in `Result`.
 */

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

/** SCF returns at most 4 KB of log (InvokeFunction's documentation). */
const MAX_LOG_BYTES = 4096;

/** What SCF's log document reports about one invocation. */
export interface LogFacts {
  readonly requestId: string;
  readonly versionName: string;
  /** The function's own output. */
  readonly output: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memoryUsedBytes: number;
}

/**
 * An invocation's log as SCF shows it: START, the function's output, END and the Report line.
 * With `maxBytes` the whole document stays within it and the output keeps its most recent part.
 */
export function scfLog(facts: LogFacts, maxBytes: number | null): string {
  const id = facts.requestId;
  const report = `Report RequestId: ${id} Duration: ${facts.durationMs.toFixed(3)} ms Billed Duration: ${facts.billedMs} ms Memory Used: ${facts.memoryUsedBytes} bytes`;
  const head = `START RequestId: ${id} Version: ${facts.versionName}\n`;
  const foot = `END RequestId: ${id}\n${report}\n`;
  const body = facts.output === "" || facts.output.endsWith("\n") ? facts.output : `${facts.output}\n`;
  if (maxBytes === null) return head + body + foot;
  return head + logTail(body, maxBytes - Buffer.byteLength(head) - Buffer.byteLength(foot)) + foot;
}

function logOf(outcome: InvocationOutcome, versionName: string, wantLog: boolean): string {
  if (!wantLog) return "";
  return scfLog({ ...outcome, output: outcome.log, versionName }, MAX_LOG_BYTES);
}

export function resultOf(outcome: InvocationOutcome, versionName: string, wantLog: boolean): Record<string, unknown> {
  const error = outcome.error;
  const status = error ? SCF_STATUS[error.kind] : 200;
  const errMsg = error
    ? JSON.stringify({ errorCode: -1, errorMessage: error.message, requestId: outcome.requestId, stackTrace: error.stack, statusCode: status })
    : "";
  return {
    // RetMsg carries a returned string as it is and anything else as JSON, as SCF's example shows.
    RetMsg: error ? "" : returnedText(outcome.result),
    ErrMsg: errMsg,
    Log: logOf(outcome, versionName, wantLog),
    FunctionRequestId: outcome.requestId,
    Duration: Math.round(outcome.durationMs * 1000) / 1000,
    BillDuration: outcome.billedMs,
    MemUsage: outcome.memoryUsedBytes,
    InvokeResult: error ? status : 0,
  };
}

