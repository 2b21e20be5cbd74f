import { QuiverError } from "../errors.js";

/** What a store reads, under its lock on the scope's namespaces, before creating one. */
export interface NamespaceInsertState {
  readonly exists: boolean;
  /** Namespaces of the scope created explicitly: the ones a quota counts. */
  readonly explicitCount: number;
}

/**
 * Whether to create the namespace: false when it already exists. `quota` bounds the namespaces
 * created explicitly; null creates one implicitly (`default`, a FunctionGraph package), which
 * no quota refuses or counts (the store records it as implicit).
 */
export function decideNamespaceInsert(state: NamespaceInsertState, quota: number | null): boolean {
  if (state.exists) return false;
  if (quota !== null && state.explicitCount >= quota) {
    throw new QuiverError("NamespaceLimitExceeded", `At most ${quota} namespaces besides "default" are allowed per region.`);
  }
  return true;
}

/** What a store reads, under the lock function inserts take on the namespace, before deleting it. */
export interface NamespaceDeleteState {
  readonly exists: boolean;
  readonly hasFunctions: boolean;
}

/** Whether to delete the namespace: false when it does not exist; refused while it holds functions. */
export function decideNamespaceDelete(name: string, state: NamespaceDeleteState): boolean {
  if (!state.exists) return false;
  if (state.hasFunctions) throw new QuiverError("NamespaceNotEmpty", `Namespace "${name}" still has functions; delete them first.`, { subject: "namespace" });
  return true;
}
