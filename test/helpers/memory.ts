import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
/** V8's collector, made callable without restarting node with --expose-gc. */
export const gc = runInNewContext("gc") as () => void;

/**
 * Collects garbage until `measure()` drops to `limit` or `withinMs` passes, and returns the last
 * measure. V8 frees ArrayBuffer memory on a background sweeper after a collection, so a buffer
 * nothing references may still count for a moment: this waits for that, not for a fixed time.
 */
export async function settledMemory(measure: () => number, limit: number, withinMs = 5_000): Promise<number> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    gc();
    const value = measure();
    if (value <= limit || performance.now() > deadline) return value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
