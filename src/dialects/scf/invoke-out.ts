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

