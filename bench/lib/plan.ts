/** How much of everything a run does; `--quick` keeps the whole bench under two minutes. */
export interface Plan {
  readonly quick: boolean;
  readonly floorSamples: number;
  readonly processSamples: number;
  readonly createSamples: number;
  readonly updateSamples: number;
  readonly publishSamples: number;
  readonly versionCounts: readonly number[];
  readonly listSamples: number;
  readonly concurrentRounds: number;
  readonly warmSamples: number;
  readonly aliasFlips: number;
  readonly coldSamples: number;
  readonly exhaustedSamples: number;
  readonly loadSeconds: number;
  readonly manyFunctions: number;
  readonly versionsPerFunction: number;
  /** How long the every-second timer of the lateness scenario runs. */
  readonly timerSeconds: number;
}

export function planFor(quick: boolean): Plan {
  return quick
    ? { quick, floorSamples: 300, processSamples: 15, createSamples: 30, updateSamples: 8, publishSamples: 60, versionCounts: [10, 1000], listSamples: 60, concurrentRounds: 3, warmSamples: 600, aliasFlips: 20, coldSamples: 10, exhaustedSamples: 8, loadSeconds: 2, manyFunctions: 100, versionsPerFunction: 10, timerSeconds: 4 }
    : { quick, floorSamples: 2000, processSamples: 60, createSamples: 200, updateSamples: 30, publishSamples: 500, versionCounts: [10, 1000, 10000], listSamples: 300, concurrentRounds: 20, warmSamples: 10000, aliasFlips: 100, coldSamples: 100, exhaustedSamples: 60, loadSeconds: 8, manyFunctions: 1000, versionsPerFunction: 10, timerSeconds: 60 };
}
