/** Builds `InvocationOutcome`s; billed duration is the wall time rounded up to whole ms (min 1). */
import type { InvocationErrorKind, InvocationOutcome } from "../core/invoke.js";
import type { Death } from "./instance.js";
import type { ResultMessage, WireError } from "./protocol.js";

export function billed(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function fromResult(requestId: string, m: ResultMessage, durationMs: number): InvocationOutcome {
  return {
    requestId,
    result: m.err === null ? m.r : "",
    error: m.err,
    log: m.log,
    durationMs,
    billedMs: billed(durationMs),
    memoryUsedBytes: m.rss,
  };
}

export function failure(requestId: string, error: WireError, log: string, durationMs: number): InvocationOutcome {
  return { requestId, result: "", error, log, durationMs, billedMs: billed(durationMs), memoryUsedBytes: 0 };
}

export function wireError(kind: InvocationErrorKind, message: string, stack = ""): WireError {
  return { kind, message, stack };
}

/**
 * The child sent something the protocol does not allow (user code can write to the control fd).
 * Reported as the process failing, which it is made to: it is killed and never reused.
 */
export function violationError(detail: string): WireError {
  return wireError("exit", `Runtime process sent an invalid control message and was stopped (${detail})`);
}

/** Messages follow SCF's wording (tencent-scf-api.md §10.7). */
export function deathError(d: Death, oom: boolean, timeoutSec: number, memoryMb: number): WireError {
  if (d.reason === "timeout") return wireError("timeout", `Invoking task timed out after ${timeoutSec} seconds`);
  if (d.reason === "memory" || oom || /heap out of memory|MemoryError/.test(d.output)) {
    return wireError("memory", `Task memory exceeded ${memoryMb} MB`);
  }
  const how = d.signal !== null ? `signal ${d.signal}` : `exit code ${String(d.code)}`;
  return wireError("exit", `User process exit when running (${how})`);
}
