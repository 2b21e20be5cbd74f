import type { TimerClaim } from "../ports.js";
import type { TriggerRecord } from "../triggers.js";

/** What a store reads, holding the trigger row, before a step of its schedule. */
export interface TimerState {
  readonly trigger: Pick<TriggerRecord, "enabled" | "updatedAt" | "settings">;
  /** The planned fire time in the store (null: unplanned). */
  readonly nextFireAt: number | null;
}

/**
 * Whether a step of a timer's schedule applies: the trigger still exists, is an enabled timer,
 * has not changed since the scheduler read it, and still has the plan the scheduler read. Only
 * one of several nodes taking the same step can see all of that: the first one to commit
 * moves the plan, and the others then find another plan (a compare-and-set).
 */
export function decideTimerClaim(claim: TimerClaim, state: TimerState | null): boolean {
  if (state === null) return false;
  const { trigger } = state;
  return trigger.settings.kind === "timer" && trigger.enabled && trigger.updatedAt === claim.seenUpdatedAt && state.nextFireAt === claim.seenNextFireAt;
}
