import { QuiverError, type ConflictingOperation } from "../errors.js";
import type { FunctionRecord, FunctionStatus } from "../model.js";
import type { FunctionPatch } from "../ports.js";

/**
 * A function's status says which operations it allows now. Transient statuses (Creating,
 * Updating, Publishing, Deleting) hold while an operation runs; the others are settled.
 */

/** Statuses no operation is in the middle of; any other one after a restart was interrupted. */
export const SETTLED_STATUSES: readonly FunctionStatus[] = ["Active", "CreateFailed", "UpdateFailed", "PublishFailed", "DeleteFailed"];

/** Statuses from which code or configuration may be changed (a failed update may be repeated). */
export const EDITABLE_STATUSES: readonly FunctionStatus[] = ["Active", "UpdateFailed"];

/** The status a version can be published from: a half-applied change must never be snapshotted. */
export const PUBLISHABLE_STATUS: FunctionStatus = "Active";

/**
 * What recovery sets for a status a crash interrupted: an interrupted create or update did not
 * commit its code, so it failed (the old code stays in force); a publish commits atomically,
 * so the function is simply Active again.
 */
const SETTLE_AFTER_CRASH: Partial<Record<FunctionStatus, FunctionStatus>> = {
  Creating: "CreateFailed",
  Updating: "UpdateFailed",
  Publishing: "Active",
  Deleting: "DeleteFailed",
};

/** The status recovery moves a function to, or null when `status` needs no recovery. */
export function settleAfterCrash(status: FunctionStatus): FunctionStatus | null {
  return SETTLE_AFTER_CRASH[status] ?? null;
}

/** The status after the code of a create or update could not be stored: a create has no code; an update keeps the old one. */
export function settleAfterFailedCodeWrite(from: FunctionStatus): FunctionStatus {
  return from === "Creating" ? "CreateFailed" : "Active";
}

/**
 * A status transition is a compare-and-set: applied only when the function is in one of
 * `from`. Returns the record to write, or null when the status did not match.
 */
export function decideTransition(fn: FunctionRecord, from: readonly FunctionStatus[], patch: FunctionPatch): FunctionRecord | null {
  if (!from.includes(fn.status)) return null;
  return {
    ...withoutCodeSource(fn),
    status: patch.status,
    statusReason: patch.statusReason ?? fn.statusReason,
    config: patch.config ?? fn.config,
    ...codeSourceAfter(fn, patch),
    revision: fn.revision + (patch.changed ? 1 : 0),
    updatedAt: patch.now,
  };
}

/** The record without its code and hot-reload directory (an absent directory stays absent, not undefined). */
function withoutCodeSource(fn: FunctionRecord): Omit<FunctionRecord, "code" | "hotReloadDir"> {
  const copy: { -readonly [K in keyof FunctionRecord]?: FunctionRecord[K] } = { ...fn };
  delete copy.code;
  delete copy.hotReloadDir;
  return copy as Omit<FunctionRecord, "code" | "hotReloadDir">;
}

/** A head runs a stored package or a hot-reload directory, never both: setting one drops the other. */
function codeSourceAfter(fn: FunctionRecord, patch: FunctionPatch): Pick<FunctionRecord, "code" | "hotReloadDir"> {
  if (patch.hotReloadDir !== undefined) return { code: null, hotReloadDir: patch.hotReloadDir };
  if (patch.code !== undefined) return { code: patch.code };
  return fn.hotReloadDir === undefined ? { code: fn.code } : { code: fn.code, hotReloadDir: fn.hotReloadDir };
}

type RefusedOperation = Exclude<ConflictingOperation, "delete">;

const CONFLICT_REASONS: Readonly<Record<RefusedOperation, (fn: FunctionRecord) => string>> = {
  publish: (fn) => `is ${fn.status}; a version can be published only when it is Active.`,
  updateCode: (fn) => `is ${fn.status}; it can be changed only when Active.`,
  updateConfig: (fn) => `is ${fn.status}; it can be changed only when Active.`,
  invoke: (fn) => `is ${fn.status} and has no code to run.`,
};

/** The one FunctionStateConflict: the function's status does not allow `operation` now. */
export function stateConflict(fn: FunctionRecord, operation: RefusedOperation): QuiverError {
  return new QuiverError("FunctionStateConflict", `Function "${fn.name}" ${CONFLICT_REASONS[operation](fn)}`, { operation });
}
