/**
 * Instances kept started however idle (provisioned concurrency): per instance key, how many
 * were asked for, a floor in the pool so idleness and eviction spare them, and one fill loop
 * that starts the missing ones one at a time and starts a replacement when one dies.
 * What to keep is the core's decision (core/capacity-keeper.ts); this only keeps it.
 */
import type { ProvisionState, WarmRequest } from "../core/invoke.js";
import type { Instance } from "./instance.js";
import type { Pool } from "./pool.js";

/** A failed fill is tried again when asked again after this long (the machine may have room by then). */
const RETRY_FAILED_MS = 30_000;

interface Kept {
  req: WarmRequest;
  count: number;
  failure: string | null;
  failedAt: number;
  filling: boolean;
}

export interface ProvisionsDeps {
  readonly pool: Pool;
  /** The machine's instance cap, for the message when it is full. */
  readonly maxInstances: number;
  /** Starts and parks one instance in a slot the pool granted; the failure's text, or null. */
  readonly startOne: (req: WarmRequest) => Promise<string | null>;
  readonly retire: (inst: Instance) => void;
}

export class Provisions {
  readonly #deps: ProvisionsDeps;
  readonly #kept = new Map<string, Kept>();
  #closed = false;

  constructor(deps: ProvisionsDeps) {
    this.#deps = deps;
  }

  set(req: WarmRequest, count: number, now = Date.now()): void {
    if (this.#closed) return;
    const key = req.target.instanceKey;
    for (const inst of this.#deps.pool.setFloor(key, count)) this.#deps.retire(inst);
    if (count === 0) {
      this.#kept.delete(key);
      return;
    }
    const kept = this.#kept.get(key);
    if (kept === undefined) {
      this.#kept.set(key, { req, count, failure: null, failedAt: 0, filling: false });
    } else {
      if (kept.count !== count || now - kept.failedAt > RETRY_FAILED_MS) kept.failure = null;
      kept.count = count;
      kept.req = req;
    }
    void this.#fill(key);
  }

  state(key: string): ProvisionState | null {
    const kept = this.#kept.get(key);
    if (kept === undefined) return null;
    return { asked: kept.count, available: Math.min(kept.count, this.#deps.pool.readyCount(key)), failure: kept.failure };
  }

  /** An instance of `key` is gone: a kept key starts its replacement. */
  left(key: string): void {
    if (this.#kept.has(key)) void this.#fill(key);
  }

  /** Forgets the keys that start with `prefix` (their code can no longer run). */
  forget(prefix: string): void {
    for (const key of this.#kept.keys()) if (key.startsWith(prefix)) this.#kept.delete(key);
  }

  close(): void {
    this.#closed = true;
    this.#kept.clear();
  }

  async #fill(key: string): Promise<void> {
    const kept = this.#kept.get(key);
    if (kept === undefined || kept.filling) return;
    kept.filling = true;
    try {
      // One start at a time: a start costs a core, and the machine has few.
      while (!this.#closed && this.#kept.get(key) === kept && kept.failure === null && this.#deps.pool.countOf(key) < kept.count) {
        if (!this.#deps.pool.reserveSlot(key)) {
          this.#fail(kept, `only ${this.#deps.pool.countOf(key)} of ${kept.count} instances could start: this machine runs at most ${this.#deps.maxInstances} instances (--max-instances) and the others are busy`);
          break;
        }
        const failure = await this.#deps.startOne(kept.req);
        if (failure !== null) this.#fail(kept, failure);
      }
      // Released (or lowered) while an instance was starting: what it started is not kept.
      const now = this.#kept.get(key);
      if (now !== kept || this.#deps.pool.countOf(key) > kept.count) for (const inst of this.#deps.pool.idleAboveFloor(key)) this.#deps.retire(inst);
    } finally {
      kept.filling = false;
    }
  }

  #fail(kept: Kept, failure: string): void {
    kept.failure = failure;
    kept.failedAt = Date.now();
  }
}
