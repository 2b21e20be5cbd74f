/**
 * When a benchmark run may be published. The machine is shared: a scenario that starts while
 * other work keeps the CPUs busy measures that work as much as Quiver. So the 1-minute load
 * average is recorded at the start of every scenario, and a run in which any scenario started
 * above the limit is still written, labelled as not publishable, and never replaces
 * docs/performance.md unless the user insists (`--force`).
 */

/** The highest 1-minute load average at the start of a scenario for a publishable run. */
export const MAX_PUBLISHABLE_LOAD = 0.5;

export interface ScenarioLoad {
  readonly name: string;
  /** os.loadavg()[0] when the scenario started. */
  readonly loadavg1: number;
  readonly startedAt: string;
}

export interface Verdict {
  readonly publishable: boolean;
  /** Why not, one line per reason; empty when publishable. */
  readonly reasons: readonly string[];
}

export function publishability(scenarios: readonly ScenarioLoad[] | undefined): Verdict {
  if (!scenarios || scenarios.length === 0) {
    return { publishable: false, reasons: ["the load average at the start of each scenario was not recorded (a run older than this rule)"] };
  }
  const loaded = scenarios.filter((s) => s.loadavg1 > MAX_PUBLISHABLE_LOAD);
  return {
    publishable: loaded.length === 0,
    reasons: loaded.map((s) => `"${s.name}" started at a 1-minute load average of ${s.loadavg1.toFixed(2)} (limit ${MAX_PUBLISHABLE_LOAD})`),
  };
}

/** Whether `--docs` may write docs/performance.md; prints why not. */
export function mayWriteDocs(verdict: Verdict, force: boolean, write: (line: string) => void): boolean {
  if (verdict.publishable) return true;
  if (force) {
    write("--force: writing docs/performance.md from a run that is NOT publishable; it carries the label.\n");
    return true;
  }
  write(`Not writing docs/performance.md: this run is not publishable:\n${verdict.reasons.map((r) => `  - ${r}`).join("\n")}\nRun again on a quiet machine, or add --force to publish it with its label.\n`);
  return false;
}
