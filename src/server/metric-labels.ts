/**
 * Bounded label values for per-function metrics. Every function and version given its own
 * labels is a time series Prometheus keeps (times the histogram buckets), so only the first
 * `maxFunctions` functions seen since the start get their own labels, and of each of them only
 * the first `maxVersionsPerFunction` versions; the rest are counted under `_other`: every label
 * of a function past the cap, the version label of a version past it. No function or version
 * name can start with `_`, so `_other` never names a real one.
 */
import type { Scope } from "../core/model.js";

export const OTHER = "_other";

export interface FunctionLabels {
  readonly account: string;
  readonly region: string;
  readonly namespace: string;
  readonly function: string;
  readonly version: string;
}

const OTHER_FUNCTION: FunctionLabels = { account: OTHER, region: OTHER, namespace: OTHER, function: OTHER, version: OTHER };

export class FunctionLabelCap {
  readonly #maxFunctions: number;
  readonly #maxVersions: number;
  /** Versions labelled so far, per function admitted. */
  readonly #admitted = new Map<string, Set<string>>();

  constructor(maxFunctions: number, maxVersionsPerFunction: number) {
    this.#maxFunctions = maxFunctions;
    this.#maxVersions = maxVersionsPerFunction;
  }

  labels(scope: Scope, namespace: string, name: string, version: string): FunctionLabels {
    const key = JSON.stringify([scope.accountId, scope.region, namespace, name]);
    let versions = this.#admitted.get(key);
    if (versions === undefined) {
      if (this.#admitted.size >= this.#maxFunctions) return OTHER_FUNCTION;
      versions = new Set();
      this.#admitted.set(key, versions);
    }
    if (!versions.has(version)) {
      if (versions.size >= this.#maxVersions) version = OTHER;
      else versions.add(version);
    }
    return { account: scope.accountId, region: scope.region, namespace, function: name, version };
  }
}
