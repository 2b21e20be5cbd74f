/**
 * Instance keys name the exact code + configuration a warm instance was loaded with. A version
 * never changes, so its key is fixed; the head changes with every revision, so its key
 * includes the revision. The invocation layer appends the convention and context values.
 */
export function versionKey(functionId: string, seq: number): string {
  return `${functionId}/v${seq}`;
}

export function headKey(functionId: string, revision: number): string {
  return `${functionId}/head/${revision}`;
}

/** Prefixes for retiring instances whose code can no longer be invoked. */
export const keyPrefix = {
  function: (functionId: string): string => `${functionId}/`,
  version: (functionId: string, seq: number): string => `${versionKey(functionId, seq)}/`,
  head: (functionId: string): string => `${functionId}/head/`,
};
