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

/**
 * Why `additional` cannot be an alias's additional version beside main version `main`, or
 * null. Routing a share of traffic to the version that already gets the rest would be no
 * routing at all. Dialects refuse it in their own words (field) before anything is stored.
 */
export function additionalVersionProblem(main: string, additional: string): string | null {
  return additional === main ? `The additional version "${additional}" must differ from the alias's version.` : null;
}

/** Why a weight cannot be the additional version's share of traffic, or null. */
export function weightProblem(weight: number): string | null {
  return weight >= 0 && weight <= 1 ? null : `The weight ${weight} of the additional version is not a share of traffic from 0 to 1.`;
}

/**
 * The invariants of every alias target, whichever dialect parsed it: checked by the stores
 * before writing, and by the dialects first. Quiver's size limits on rules are not among them
 * (core/limits.ts): aliases stored before those limits existed must stay updatable with the
 * routing they have.
 */
export function aliasTargetProblem(target: Pick<AliasRecord, "version" | "routing">): string | null {
  const { routing } = target;
  if (routing.kind === "none") return null;
  return additionalVersionProblem(target.version, routing.version) ?? (routing.kind === "weighted" ? weightProblem(routing.weight) : null);
}
