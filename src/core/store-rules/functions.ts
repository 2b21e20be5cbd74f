import { QuiverError } from "../errors.js";
import type { FunctionRecord } from "../model.js";
import type { NewFunction } from "../ports.js";

/** What a store reads, under its lock on the namespace's functions, before inserting one. */
export interface FunctionInsertState {
  readonly nameTaken: boolean;
  /** Functions the namespace holds now. */
  readonly count: number;
}

/**
 * A new function claims its name in status Creating, with no code and empty counters. Returns
 * the record to insert; refuses a taken name, then a full namespace.
 */
export function decideFunctionInsert(fn: NewFunction, state: FunctionInsertState): FunctionRecord {
  if (state.nameTaken) throw functionAlreadyExists(fn);
  if (state.count >= fn.maxFunctions) {
    throw new QuiverError("FunctionLimitExceeded", `Namespace "${fn.namespace}" already has ${fn.maxFunctions} functions, the most allowed.`);
  }
  return {
    id: fn.id,
    scope: fn.scope,
    namespace: fn.namespace,
    name: fn.name,
    status: "Creating",
    statusReason: "",
    config: fn.config,
    code: null,
    revision: 0,
    lastVersionNumber: 0,
    createdAt: fn.now,
    updatedAt: fn.now,
  };
}

/** Also what a store answers when its unique key, the last word, refuses a concurrent insert. */
export function functionAlreadyExists(fn: Pick<NewFunction, "name" | "namespace">): QuiverError {
  return new QuiverError("FunctionAlreadyExists", `Function "${fn.name}" already exists in namespace "${fn.namespace}".`, { subject: "function" });
}

/**
 * The function a store method works on must exist (it may have been deleted since the caller
 * looked it up). Returns what the store read, so the call reads as `requireFunction(await lock(id))`.
 */
export function requireFunction<Row>(row: Row | undefined): Row {
  if (row === undefined) throw new QuiverError("FunctionNotFound", "The function does not exist.", { subject: "function" });
  return row;
}
