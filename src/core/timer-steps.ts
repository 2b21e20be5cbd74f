/**
 * What a timer does when its planned fire time has come: pure decisions over the schedule, so
 * that every node computes the same step and only the store's compare-and-set picks who takes it.
 */
import { latestFireBetween, NEVER, nextFireAfter } from "./schedule.js";
import type { TimerTriggerSettings } from "./triggers.js";

/**
 * What to do with fire times that passed while no Quiver node was running:
 * - `latest`: fire once, for the most recent of them (never one fire per missed time);
 * - `skip`: fire none of them; the schedule goes on from its next time.
 */
export type MissedFirePolicy = "latest" | "skip";

/**
 * A fire time earlier than the scheduler's start by more than this was missed while down; a
 * later one is merely late (the node was starting, or another node was about to fire it).
 */
export const MISSED_GRACE_MS = 1_000;

export interface TimerStep {
  /** The scheduled time to fire for, or null when this step fires nothing. */
  readonly fireTime: number | null;
  /** The plan after this step: the first fire time after now (`NEVER` when there is none). */
  readonly nextFireAt: number;
}

/**
 * The plan of a timer nobody planned yet (new, or changed since): its first fire time after the
 * trigger was last written. Counting from the write rather than from now means a fire due
 * between the write and the scheduler's next look is late, not lost; a timer switched back on
 * does not fire for the times it was off.
 */
export function firstPlan(settings: TimerTriggerSettings, updatedAt: number): number {
  return nextFireAfter(settings.schedule, updatedAt) ?? NEVER;
}

/**
 * The step for a timer whose plan (`planned`) is due at `now`. However many fire times passed
 * since `planned`, at most one fires: the latest (so a stalled node or a restart never
 * fires a storm). Under `skip`, a time missed before the scheduler started does not fire.
 */
export function dueStep(settings: TimerTriggerSettings, planned: number, now: number, policy: MissedFirePolicy, startedAt: number): TimerStep {
  const latest = latestFireBetween(settings.schedule, planned, now) ?? planned;
  const missedWhileDown = latest < startedAt - MISSED_GRACE_MS;
  return {
    fireTime: policy === "skip" && missedWhileDown ? null : latest,
    nextFireAt: nextFireAfter(settings.schedule, now) ?? NEVER,
  };
}
