/**
 * Host user ids for sandboxed instances: every live instance runs as its own uid, so no two can
 * signal, trace or read each other. An id comes back to the pool only once every process of
 * its instance is gone; until then nothing else runs as it.
 */
export interface UidRange {
  readonly first: number;
  readonly count: number;
}

export class UidExhaustedError extends Error {
  override readonly name = "UidExhaustedError";
}

export class UidPool {
  readonly #range: UidRange;
  readonly #free: number[] = [];
  #next: number;

  constructor(range: UidRange) {
    this.#range = range;
    this.#next = range.first;
  }

  /** Fresh ids first; freed ones are reused oldest first, so an id rests as long as possible. */
  take(): number {
    if (this.#next < this.#range.first + this.#range.count) return this.#next++;
    const reused = this.#free.shift();
    if (reused === undefined) throw new UidExhaustedError(`all ${this.#range.count} sandbox user ids from ${this.#range.first} are in use`);
    return reused;
  }

  give(uid: number): void {
    this.#free.push(uid);
  }
}
