/** Small waiting primitives: wait on observable state, never on the clock. */

/** A counter whose value can be awaited. */
export class Counter {
  #value = 0;
  #waiters: { target: number; resolve: () => void }[] = [];

  get value(): number {
    return this.#value;
  }

  add(n = 1): void {
    this.#value += n;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#value < w.target) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once the value reaches `target`. */
  reach(target: number): Promise<void> {
    if (this.#value >= target) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }
}

/**
 * A readers-writer lock per function: publishes and alias changes (readers) run concurrently
 * with each other, code and configuration changes (writers) alone. With that, the code a
 * publish snapshots is known exactly even while the load is concurrent.
 */
export class RwLock {
  #readers = 0;
  #writer = false;
  #queue: { write: boolean; grant: () => void }[] = [];

  async read<T>(run: () => Promise<T>): Promise<T> {
    await this.#acquire(false);
    try {
      return await run();
    } finally {
      this.#readers -= 1;
      this.#drain();
    }
  }

  async write<T>(run: () => Promise<T>): Promise<T> {
    await this.#acquire(true);
    try {
      return await run();
    } finally {
      this.#writer = false;
      this.#drain();
    }
  }

  #acquire(write: boolean): Promise<void> {
    return new Promise((grant) => {
      this.#queue.push({ write, grant });
      this.#drain();
    });
  }

  #drain(): void {
    for (;;) {
      const next = this.#queue[0];
      if (!next || this.#writer) return;
      if (next.write) {
        if (this.#readers > 0) return;
        this.#writer = true;
      } else {
        this.#readers += 1;
      }
      this.#queue.shift();
      next.grant();
    }
  }
}
