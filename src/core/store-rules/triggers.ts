import { DEFAULT_ALIAS } from "../aliases.js";
import { QuiverError } from "../errors.js";
import { LATEST } from "../model.js";
import type { TriggerPatch } from "../ports.js";
import { triggerKind, type TriggerRecord, type TriggerSettings } from "../triggers.js";

/**
 * The path a FunctionGraph APIG trigger claims in its scope (project), or null for any other
 * trigger: SCF triggers are served under their own function's URL, so only APIG paths can
 * collide. Stores keep it in a column with a unique index, the last word on a race.
 */
export function apigPath(settings: TriggerSettings): string | null {
  return settings.kind === "http" && settings.flavour === "apig" ? settings.path : null;
}

/** The APIG path an update would leave the trigger with: the one a store checks is free. */
export function apigPathAfter(patch: TriggerPatch, current: TriggerRecord | null): string | null {
  const settings = patch.settings ?? current?.settings;
  return settings === undefined ? null : apigPath(settings);
}

/** Whether a store must look the qualifier up: the head and the implicit $DEFAULT always exist. */
export function qualifierNeedsLookup(qualifier: string): boolean {
  return qualifier !== LATEST && qualifier !== DEFAULT_ALIAS;
}

/** What a store found for a qualifier that needs a lookup (false for both when it needs none). */
export interface QualifierFacts {
  readonly isVersion: boolean;
  readonly isAlias: boolean;
}

/** What a store reads, holding the function row, before inserting a trigger. */
export interface TriggerInsertState {
  /** Every trigger of the function. */
  readonly triggers: readonly TriggerRecord[];
  readonly qualifier: QualifierFacts;
  /** The trigger of the scope that holds the new trigger's `apigPath`, if any. */
  readonly pathHolder: TriggerRecord | null;
}

/**
 * Refuses a trigger bound to a qualifier that does not exist, a name taken on the function, a
 * function with `maxPerKind` triggers of that kind already (over all its qualifiers), then an
 * APIG path another trigger of the scope serves.
 */
export function checkTriggerInsert(trigger: TriggerRecord, state: TriggerInsertState, maxPerKind: number): void {
  checkQualifier(trigger.qualifier, state.qualifier);
  if (state.triggers.some((existing) => existing.name === trigger.name)) throw triggerAlreadyExists(trigger.name);
  const kind = triggerKind(trigger);
  const count = state.triggers.filter((existing) => triggerKind(existing) === kind).length;
  if (count >= maxPerKind) {
    throw new QuiverError("TriggerLimitExceeded", `The function already has ${count} ${kind} triggers, the most allowed (${maxPerKind}).`);
  }
  checkOneUrl(trigger, state.triggers);
  checkPath(trigger, state.pathHolder);
}

/**
 * A version or alias has one function URL at most (SCF documents one per qualifier): checked here,
 * under the function's lock, so two creates racing on one qualifier cannot both win.
 */
function checkOneUrl(trigger: TriggerRecord, triggers: readonly TriggerRecord[]): void {
  if (!isFunctionUrl(trigger)) return;
  const existing = triggers.find((other) => isFunctionUrl(other) && other.qualifier === trigger.qualifier);
  if (existing) {
    throw new QuiverError("TriggerPathTaken", `Qualifier "${trigger.qualifier}" already has a function URL (trigger "${existing.name}"); a version or alias has one URL at most.`, { subject: "trigger" });
  }
}

function isFunctionUrl(trigger: TriggerRecord): boolean {
  return trigger.settings.kind === "http" && trigger.settings.flavour === "function-url";
}

/** What a store reads, holding the function row, before updating a trigger. */
export interface TriggerUpdateState {
  readonly current: TriggerRecord | null;
  /** Facts about `patch.qualifier` (when the patch has one). */
  readonly qualifier: QualifierFacts;
  /** The trigger of the scope that holds the updated trigger's `apigPath`, if any (it may be the trigger itself). */
  readonly pathHolder: TriggerRecord | null;
}

/**
 * The trigger to write: the patch applied to the current one, its creation time kept. A new
 * qualifier must exist and a new APIG path must be free, as for an insert; a trigger's kind
 * and flavour never change (they decide how each dialect shows it). Null when it does not exist.
 */
export function decideTriggerUpdate(patch: TriggerPatch, state: TriggerUpdateState): TriggerRecord | null {
  const { current } = state;
  if (current === null) return null;
  if (patch.mustSwitch === true && patch.enabled === current.enabled) {
    throw new QuiverError("TriggerStatusUnchanged", `Trigger "${current.name}" is already ${current.enabled ? "enabled" : "disabled"}; nothing to change.`, { subject: "trigger" });
  }
  if (patch.qualifier !== undefined) checkQualifier(patch.qualifier, state.qualifier);
  if (patch.settings !== undefined && !sameShape(current.settings, patch.settings)) {
    throw new QuiverError("InvalidParameter", `The type of trigger "${current.name}" cannot change; delete it and create another.`, { subject: "trigger" });
  }
  const next: TriggerRecord = {
    ...current,
    qualifier: patch.qualifier ?? current.qualifier,
    enabled: patch.enabled ?? current.enabled,
    description: patch.description ?? current.description,
    settings: patch.settings ?? current.settings,
    extras: patch.extras ?? current.extras,
    // Always later than the last write, even in the same millisecond (or on a virtual clock that
    // stands still): the timer scheduler's compare-and-set tells writes apart by this time.
    updatedAt: Math.max(patch.now, current.updatedAt + 1),
  };
  checkPath(next, state.pathHolder);
  return next;
}

/**
 * A version or alias may be deleted only while no trigger is bound to it. `bound` are the
 * function's triggers bound to that name, read under the lock trigger changes take.
 */
export function checkQualifierUnbound(subject: "version" | "alias", name: string, bound: readonly Pick<TriggerRecord, "name">[]): void {
  if (bound.length === 0) return;
  const names = bound.map((trigger) => `"${trigger.name}"`).join(", ");
  throw new QuiverError("QualifierHasTriggers", `The ${subject} "${name}" cannot be deleted: trigger ${names} is bound to it; delete the triggers first.`, { subject });
}

/** Also what a store answers when its unique key, the last word, refuses a concurrent insert. */
export function triggerAlreadyExists(name: string): QuiverError {
  return new QuiverError("TriggerAlreadyExists", `Trigger "${name}" already exists on the function.`, { subject: "trigger" });
}

/** Also what a store answers when its unique index on APIG paths refuses a concurrent write. */
export function triggerPathTaken(path: string): QuiverError {
  return new QuiverError("TriggerPathTaken", `The path "${path}" is already served by another API-gateway trigger.`, { subject: "trigger" });
}

function checkQualifier(qualifier: string, facts: QualifierFacts): void {
  if (!qualifierNeedsLookup(qualifier) || facts.isVersion || facts.isAlias) return;
  throw new QuiverError("VersionNotFound", `Qualifier "${qualifier}" is neither a version nor an alias of the function.`, { subject: "qualifier" });
}

function checkPath(trigger: TriggerRecord, holder: TriggerRecord | null): void {
  const path = apigPath(trigger.settings);
  if (path !== null && holder !== null && holder.id !== trigger.id) throw triggerPathTaken(path);
}

function sameShape(a: TriggerSettings, b: TriggerSettings): boolean {
  if (a.kind === "http" && b.kind === "http") return a.flavour === b.flavour;
  return a.kind === b.kind;
}
