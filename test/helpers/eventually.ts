import { setTimeout as delay } from "node:timers/promises";

export interface EventuallyOptions {
  /** How long the state has to come about (default 10 s). */
  readonly timeoutMs?: number;
  /** How often to look (default 20 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the failure message. */
  readonly what?: string;
}

/**
 * Waits until `check` returns a truthy value and returns it: a wait on observable state (engine
 * statistics, store rows, a process's output) instead of a sleep. `check` only looks; a check
 * that throws fails at once, so a failing action is never hidden behind a retry.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 20, what = String(check) } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what} (last: ${String(value)})`);
    await delay(intervalMs);
  }
}
