import { QuiverError } from "../errors.js";
import type { FunctionRecord, VersionRecord } from "../model.js";
import type { PublishPlan } from "../ports.js";
import { PUBLISHABLE_STATUS, stateConflict } from "./statuses.js";

/** What a store reads, under its lock on the function row, before deciding a publish. */
export interface PublishState {
  readonly fn: FunctionRecord;
  readonly versionCount: number;
  readonly lastSeq: number;
}

export interface PublishDecision {
  /** The version to insert, and to answer with. */
  readonly version: VersionRecord;
  /** The function's new "last number handed out". */
  readonly lastVersionNumber: number;
}

/**
 * The rules of a publish. A store calls this inside the transaction that holds the function
 * row, then inserts `version` and sets the function's counters (last number, last seq, count + 1).
 * `isNameTaken` is synchronous: a store whose reads are not loads first every name it can ask about.
 */
export function decidePublish(state: PublishState, plan: PublishPlan, isNameTaken: (name: string) => boolean): PublishDecision {
  const { fn } = state;
  // A hot-reloaded head publishes the snapshot the caller zipped; if the head changed to or from
  // a directory since, the snapshot does not describe it, and the publish is refused as a conflict.
  const code = fn.hotReloadDir === undefined ? fn.code : (plan.snapshot ?? null);
  if (fn.status !== PUBLISHABLE_STATUS || code === null) throw stateConflict(fn, "publish");
  if (plan.expectedSha512 !== null && plan.expectedSha512.toLowerCase() !== code.sha512) {
    throw new QuiverError(
      "CodeDigestMismatch",
      `The digest ${plan.expectedSha512} does not match the current code of "${fn.name}" (SHA-512 ${code.sha512}).`,
      { subject: "digest" },
    );
  }
  if (state.versionCount >= plan.maxVersions) {
    throw new QuiverError("VersionLimitExceeded", `Function "${fn.name}" already has ${state.versionCount} versions, the most allowed (${plan.maxVersions}); delete one first.`);
  }
  const { name, lastVersionNumber } = chooseName(fn, plan, isNameTaken);
  const version: VersionRecord = {
    functionId: fn.id,
    name,
    seq: state.lastSeq + 1,
    description: plan.description,
    config: fn.config,
    code,
    sourceRevision: fn.revision,
    createdAt: plan.now,
  };
  return { version, lastVersionNumber };
}

function chooseName(fn: FunctionRecord, plan: PublishPlan, isNameTaken: (name: string) => boolean): { name: string; lastVersionNumber: number } {
  const { naming } = plan;
  let lastVersionNumber = fn.lastVersionNumber;
  switch (naming.kind) {
    case "next-number": {
      // Numbers are never reused; skip numbers that an explicitly named version already holds.
      let name: string;
      do {
        lastVersionNumber += 1;
        name = String(lastVersionNumber);
      } while (isNameTaken(name));
      return { name, lastVersionNumber };
    }
    case "exact":
      if (isNameTaken(naming.name)) {
        throw new QuiverError("VersionAlreadyExists", `Version "${naming.name}" of function "${fn.name}" already exists.`, { subject: "version" });
      }
      return { name: naming.name, lastVersionNumber };
    case "unique": {
      let name = naming.base;
      for (let n = 2; isNameTaken(name); n += 1) name = `${naming.base}-${n}`;
      return { name, lastVersionNumber };
    }
  }
}
