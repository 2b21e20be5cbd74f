/**
 * A full garbage collection once the server goes quiet after large request bodies.
 *
 * A multi-MB body becomes a multi-MB string and parsed object, then garbage. V8 reclaims old
 * garbage only when allocation pushes the heap to its next limit, which an idle server never
 * does: after a burst of uploads it measured 70 MB of heap (and the RSS under it) held as
 * garbage for good, which one collection brought back to 24 MB. So after a large body, once
 * no other has arrived for a moment, the server collects once. It needs `gc` exposed
 * (`bin/quiver.js` starts Node with `--expose-gc`); without it this does nothing.
 */
const LARGE_BODY_BYTES = 1024 * 1024;
const QUIET_MS = 2_000;

export class IdleCollector {
  readonly #gc: (() => void) | undefined;
  #timer: NodeJS.Timeout | null = null;

  constructor(gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc) {
    this.#gc = gc;
  }

  /** A request with a body of `bytes` arrived. */
  noteBody(bytes: number): void {
    if (this.#gc === undefined || bytes < LARGE_BODY_BYTES) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#gc?.();
    }, QUIET_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
