import type { Clock } from "./ports.js";

/** The host's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that stands still until it is moved (`--clock virtual`), so tests and CI can check
 * schedules without waiting: the timer scheduler moves it from one due fire time to the next
 * (`TimerScheduler.advance`). Every timestamp Quiver records reads it too, so fires, their
 * invocations and the changes around them share one time line.
 */
export class VirtualClock implements Clock {
  #now: number;

  constructor(startMs: number) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves the clock forward to `ms`; it never goes back. */
  moveTo(ms: number): void {
    this.#now = Math.max(this.#now, ms);
  }
}
