import type { ScenarioLoad } from "./publishable.js";
import type { Summary } from "./stats.js";

/** One measured figure; `ratio` is against `baseline`, a floor measured in the same run. */
export interface Row {
  readonly section: string;
  readonly name: string;
  readonly unit: string;
  readonly summary?: Summary;
  readonly value?: number;
  readonly baseline?: string;
  readonly ratio?: number;
  readonly note?: string;
  /** The scenario that measured it (see `Results.scenarios`). */
  readonly scenario?: string;
}

/** A goal from the brief; `pass: null` means it could not be measured in this run. */
export interface Target {
  readonly what: string;
  readonly goal: string;
  readonly measured: string;
  readonly pass: boolean | null;
}

export interface Point {
  readonly chart: string;
  readonly series: string;
  readonly x: number;
  readonly y: number;
}

/** Everything one run produced; serialised as bench/results/<date>.json. */
export class Results {
  readonly rows: Row[] = [];
  readonly targets: Target[] = [];
  readonly points: Point[] = [];
  readonly notes: string[] = [];
  /** Every scenario in the order run, with the load average it started at. */
  readonly scenarios: ScenarioLoad[] = [];

  /** Starts a scenario: rows added from now on belong to it. */
  scenario(name: string, loadavg1: number): void {
    this.scenarios.push({ name, loadavg1, startedAt: new Date().toISOString() });
  }

  add(row: Row): void {
    const current = this.scenarios[this.scenarios.length - 1]?.name;
    this.rows.push(row.scenario === undefined && current !== undefined ? { ...row, scenario: current } : row);
  }

  target(what: string, goal: string, measured: string, pass: boolean | null): void {
    this.targets.push({ what, goal, measured, pass });
  }

  point(chart: string, series: string, x: number, y: number): void {
    this.points.push({ chart, series, x, y });
  }

  note(text: string): void {
    this.notes.push(text);
  }

  find(name: string): Row | undefined {
    return this.rows.find((row) => row.name === name);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Times `n` sequential calls of `run`. */
export async function sample(n: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times;
}

export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
