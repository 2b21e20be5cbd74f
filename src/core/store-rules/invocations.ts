import type { AsyncInvocationRecord } from "../ports.js";

/** Unfinished asynchronous invocations resume in the order they were accepted (ties by id, so the order is total). */
export function acceptanceOrder(a: AsyncInvocationRecord, b: AsyncInvocationRecord): number {
  return a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
