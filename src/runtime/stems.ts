/**
 * Pre-started generic processes ("stem cells", as OpenWhisk and Fission prewarm): a first invoke
 * of a version takes one and specialises it (load code, ~4 ms) instead of paying a process
 * start (~60 ms Node). The pool refills in the background after each take.
 */
import type { Instance } from "./instance.js";
import type { Launcher } from "./launcher.js";
import type { EngineLogger, Family } from "./options.js";

/** After a failed start, wait before trying again so a broken runtime cannot spin. */
const RETRY_MS = 2_000;

export class StemPool {
  readonly #family: Family;
  readonly #target: number;
  readonly #launcher: Launcher;
  readonly #logger: EngineLogger;
  readonly #ready: Instance[] = [];
  #starting = 0;
  #closed = false;
  #retry: NodeJS.Timeout | null = null;

  constructor(family: Family, target: number, launcher: Launcher, logger: EngineLogger) {
    this.#family = family;
    this.#target = target;
    this.#launcher = launcher;
    this.#logger = logger;
  }

  get size(): number {
    return this.#ready.length;
  }

  get starting(): number {
    return this.#starting;
  }

  /**
   * A ready stem cell (moved to `busy`), or undefined when the pool is empty. The caller calls
   * `refill()` once its cold invoke is done: spawning a replacement (fork/exec in this process,
   * ~60 ms of CPU in the child) while specialising would double the cold start on 2 cores.
   */
  take(): Instance | undefined {
    let inst = this.#ready.pop();
    while (inst !== undefined && !inst.alive) inst = this.#ready.pop();
    if (inst !== undefined) inst.to("busy");
    return inst;
  }

  /** Starts processes until ready + starting reaches the target. */
  refill(): void {
    while (!this.#closed && this.#retry === null && this.#ready.length + this.#starting < this.#target) {
      this.#starting++;
      this.#launcher.launch(this.#family).then(
        (inst) => this.#started(inst),
        (err: unknown) => this.#failed(err),
      );
    }
  }

  #started(inst: Instance): void {
    this.#starting--;
    if (this.#closed || !inst.alive) {
      // Closing (the engine kills what starts now), or died already (its death refills): never pooled.
      inst.kill("dispose");
      return;
    }
    inst.to("idle");
    this.#ready.push(inst);
  }

  #failed(err: unknown): void {
    this.#starting--;
    this.#logger.error({ family: this.#family, err: String(err) }, "runtime: stem cell failed to start");
    if (this.#closed || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.refill();
    }, RETRY_MS);
    this.#retry.unref();
  }

  /** A stem cell died while waiting: forget it and start another. */
  forget(inst: Instance): void {
    const i = this.#ready.indexOf(inst);
    if (i >= 0) this.#ready.splice(i, 1);
    this.refill();
  }

  close(): Instance[] {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    return this.#ready.splice(0);
  }
}
