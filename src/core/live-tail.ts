/**
 * What one live tail follows: one function of the caller's scope, optionally one qualifier. The
 * rule for which output and which outcomes it sees is written here once; the server streams
 * what matches.
 */
import type { OutputChunk } from "./invoke.js";
import { LATEST, type Scope } from "./model.js";

export interface TailFilter {
  readonly scope: Scope;
  readonly functionId: string;
  /** null: every qualifier. A version (`$LATEST`, `3`) or an alias name otherwise. */
  readonly qualifier: string | null;
}

/** What an invocation says about itself, as far as a tail's filter looks at it. */
export interface TailSubject {
  readonly scope: Scope;
  readonly functionId: string;
  /** The qualifier the caller asked for, when known. */
  readonly qualifier: string | undefined;
  /** The version that ran. */
  readonly versionName: string;
}

/**
 * Whether a tail sees an invocation: same scope and function, and, when the tail names a
 * qualifier, the invocation asked for it or ran that version (so a tail of `2` also sees calls
 * that reached version 2 through an alias, and a tail of an alias sees calls through it).
 */
export function tailSees(filter: TailFilter, subject: TailSubject): boolean {
  if (subject.functionId !== filter.functionId) return false;
  if (subject.scope.accountId !== filter.scope.accountId || subject.scope.region !== filter.scope.region) return false;
  return filter.qualifier === null || filter.qualifier === subject.qualifier || filter.qualifier === subject.versionName;
}

/** A chunk of output as a tail subject. */
export function chunkSubject(chunk: OutputChunk): TailSubject {
  const { scope, functionId, version } = chunk.target;
  return { scope, functionId, qualifier: chunk.qualifier, versionName: version };
}

/** FunctionGraph spells the head `latest`; a tail takes either spelling. */
export function tailQualifier(qualifier: string | undefined): string | null {
  if (qualifier === undefined || qualifier === "") return null;
  return qualifier === "latest" ? LATEST : qualifier;
}
