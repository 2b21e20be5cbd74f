/**
 * Aliases: named pointers to a main version and, optionally, one additional version that
 * receives a share of the traffic (weights) or the requests matching header rules.
 */

export const DEFAULT_ALIAS = "$DEFAULT";

/** One header rule. `exact` compares strings; `range` checks an integer against `[a,b]`/`(a,b)`. */
export interface RoutingRule {
  /** The header (routing key) name, e.g. `User` for SCF's `invoke.headers.User`. */
  readonly key: string;
  readonly method: "exact" | "range";
  readonly expression: string;
}

export type AliasRouting =
  | { readonly kind: "none" }
  /** `weight` is the additional version's share of traffic, 0..1. */
  | { readonly kind: "weighted"; readonly version: string; readonly weight: number }
  /** Requests whose headers satisfy the rules (all of them, or any) go to `version`. */
  | { readonly kind: "rules"; readonly version: string; readonly combine: "and" | "or"; readonly rules: readonly RoutingRule[] };

export interface AliasRecord {
  readonly functionId: string;
  readonly name: string;
  /** The main version ($LATEST allowed). */
  readonly version: string;
  readonly description: string;
  readonly routing: AliasRouting;
  /** Changes on every update; routing state (counters, sticky keys) is tied to it. */
  readonly revision: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function additionalVersion(routing: AliasRouting): string | null {
  return routing.kind === "none" ? null : routing.version;
}

/** Every version an alias can send traffic to. */
export function aliasTargets(alias: Pick<AliasRecord, "version" | "routing">): string[] {
  const extra = additionalVersion(alias.routing);
  return extra === null ? [alias.version] : [alias.version, extra];
}
