import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes (`VmRSS` of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

export const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface SettleOptions {
  /** Give up after this long and return the last reading. */
  readonly deadlineMs: number;
  /** Readings in a row that must agree. */
  readonly window?: number;
  /** How close (fraction of the reading) they must be. */
  readonly tolerance?: number;
  readonly intervalMs?: number;
  /** Called between readings (e.g. a health probe, so an idle server still runs its GC). */
  readonly between?: () => Promise<unknown>;
}

/**
 * Polls RSS until `window` consecutive readings agree within `tolerance` and returns the last;
 * a server that has just finished a burst keeps freeing memory for a moment.
 */
export async function settledRss(pid: number, o: SettleOptions): Promise<{ rss: number; settled: boolean; readings: number[] }> {
  const window = o.window ?? 5;
  const tolerance = o.tolerance ?? 0.02;
  const deadline = Date.now() + o.deadlineMs;
  const readings: number[] = [];
  for (;;) {
    readings.push(rssBytes(pid));
    const last = readings.slice(-window);
    if (last.length === window && Math.max(...last) - Math.min(...last) <= tolerance * Math.max(...last)) {
      return { rss: last[last.length - 1] ?? 0, settled: true, readings };
    }
    if (Date.now() > deadline) return { rss: readings[readings.length - 1] ?? 0, settled: false, readings };
    await o.between?.();
    await tick(o.intervalMs ?? 200);
  }
}

/** Polls until RSS is at most `limit` (true) or the deadline passes (false, with the readings). */
export async function rssFallsTo(pid: number, limit: number, o: Omit<SettleOptions, "window" | "tolerance">): Promise<{ ok: boolean; readings: number[] }> {
  const deadline = Date.now() + o.deadlineMs;
  const readings: number[] = [];
  for (;;) {
    readings.push(rssBytes(pid));
    if ((readings[readings.length - 1] ?? Infinity) <= limit) return { ok: true, readings };
    if (Date.now() > deadline) return { ok: false, readings };
    await o.between?.();
    await tick(o.intervalMs ?? 250);
  }
}

/** Samples RSS every `intervalMs` until stopped; `peak()` is the highest reading. */
export function rssSampler(pid: number, intervalMs = 50): { peak(): number; stop(): void } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // The process is gone; the test notices that on its own.
    }
  }, intervalMs);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}
