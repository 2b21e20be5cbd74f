import { aliasTargetProblem, aliasTargets, DEFAULT_ALIAS, type AliasRecord } from "../aliases.js";
import { QuiverError } from "../errors.js";
import { LATEST } from "../model.js";
import type { AliasChange } from "../ports.js";

/** Where an alias sends traffic: its main version and its routing. */
type AliasTarget = Pick<AliasRecord, "version" | "routing">;

/**
 * The published versions an alias would route to: the ones a store looks up, under its lock on
 * the function, before writing the alias. The head ($LATEST) always exists.
 */
export function versionsRoutedBy(target: AliasTarget): string[] {
  return aliasTargets(target).filter((name) => name !== LATEST);
}

/** What a store reads, holding the function row, before inserting an alias. */
export interface AliasInsertState {
  /** Every alias of the function. */
  readonly aliases: readonly AliasRecord[];
  /** Which of `versionsRoutedBy(alias)` exist. */
  readonly versions: ReadonlySet<string>;
}

/** Refuses a taken name, a function with its most aliases ($DEFAULT is not counted), then a bad target. */
export function checkAliasInsert(alias: AliasRecord, state: AliasInsertState, maxAliases: number): void {
  if (state.aliases.some((existing) => existing.name === alias.name)) {
    throw new QuiverError("AliasAlreadyExists", `Alias "${alias.name}" already exists.`, { subject: "alias" });
  }
  const count = state.aliases.filter((existing) => existing.name !== DEFAULT_ALIAS).length;
  if (count >= maxAliases) throw new QuiverError("AliasLimitExceeded", `The function already has ${count} aliases, the most allowed.`);
  checkTarget(alias, state.versions);
}

/** An alias's new target and routing, as `MetadataStore.updateAlias` receives it. */
export interface AliasUpdate {
  readonly functionId: string;
  readonly name: string;
  readonly change: AliasChange;
  readonly now: number;
  /** Create the alias when it does not exist (the implicit $DEFAULT). */
  readonly upsert: boolean;
}

/** What a store reads, holding the function row, before updating an alias. */
export interface AliasUpdateState {
  readonly current: AliasRecord | null;
  /** Which of `versionsRoutedBy(update.change)` exist. */
  readonly versions: ReadonlySet<string>;
}

/**
 * The alias to write: target and routing replaced, revision bumped (routing state is tied to
 * it), creation time kept. Null when it does not exist and is not to be created.
 */
export function decideAliasUpdate(update: AliasUpdate, state: AliasUpdateState): AliasRecord | null {
  const { current } = state;
  if (current === null && !update.upsert) return null;
  const next: AliasRecord = {
    functionId: update.functionId,
    name: update.name,
    version: update.change.version,
    description: update.change.description,
    routing: update.change.routing,
    revision: (current?.revision ?? 0) + 1,
    createdAt: current?.createdAt ?? update.now,
    updatedAt: update.now,
  };
  checkTarget(next, state.versions);
  return next;
}

function checkTarget(target: AliasTarget, existing: ReadonlySet<string>): void {
  const problem = aliasTargetProblem(target);
  if (problem !== null) throw new QuiverError("InvalidParameter", problem, { subject: "routing" });
  const missing = versionsRoutedBy(target).find((name) => !existing.has(name));
  if (missing !== undefined) throw new QuiverError("VersionNotFound", `Version "${missing}" does not exist.`, { subject: "aliasVersion" });
}
