/**
 * Warm-instance accounting per instanceKey: idle stacks (LIFO keeps the warmest process busy and
 * lets the rest idle out), per-key and global caps, and a bounded FIFO wait queue per key.
 * Pure bookkeeping: processes are started and killed by the engine through the callbacks.
 */
import type { Instance } from "./instance.js";

/** Permission to start one new instance for a key; capacity is already counted. */
export const SLOT = Symbol("slot");
export type Grant = Instance | typeof SLOT;

export class ConcurrencyLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConcurrencyLimitError";
  }
}

interface Waiter {
  readonly grant: (g: Grant) => void;
  readonly fail: (err: Error) => void;
  timer: NodeJS.Timeout | null;
}

class KeyPool {
  readonly idle: Instance[] = [];
  readonly queue: Waiter[] = [];
  /** Live members plus reserved slots. */
  count = 0;
  /** Instances kept however idle (provisioned): never retired for idleness nor evicted below this. */
  floor = 0;
}

export interface PoolLimits {
  readonly perKey: number;
  readonly total: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
}

export class Pool {
  readonly #limits: PoolLimits;
  readonly #retire: (inst: Instance) => void;
  readonly #keys = new Map<string, KeyPool>();
  readonly #members = new Set<Instance>();
  #total = 0;

  constructor(limits: PoolLimits, retire: (inst: Instance) => void) {
    this.#limits = limits;
    this.#retire = retire;
  }

  #pool(key: string): KeyPool {
    let p = this.#keys.get(key);
    if (p === undefined) {
      p = new KeyPool();
      this.#keys.set(key, p);
    }
    return p;
  }

  /** A warm instance (already `busy`), a slot to start one, or a wait in the queue. */
  acquire(key: string): Grant | Promise<Grant> {
    const p = this.#pool(key);
    const g = this.#tryGrant(p);
    if (g !== null) return g;
    if (p.queue.length >= this.#limits.queueLimit) {
      return Promise.reject(new ConcurrencyLimitError(`too many concurrent invocations: wait queue of ${this.#limits.queueLimit} is full`));
    }
    return new Promise<Grant>((grant, fail) => {
      const w: Waiter = { grant, fail, timer: null };
      w.timer = setTimeout(() => this.#expire(p, w), this.#limits.queueTimeoutMs);
      p.queue.push(w);
    });
  }

  #tryGrant(p: KeyPool): Grant | null {
    const inst = p.idle.pop();
    if (inst !== undefined) {
      inst.to("busy");
      return inst;
    }
    return this.#claimSlot(p) ? SLOT : null;
  }

  /** Counts one more instance of `p` when the caps allow (evicting another key's idle one if needed). */
  #claimSlot(p: KeyPool): boolean {
    // A key kept at a floor may have that many, even above the per-function cap.
    if (p.count >= Math.max(this.#limits.perKey, p.floor)) return false;
    if (this.#total >= this.#limits.total && !this.#evictOne(p)) return false;
    p.count++;
    this.#total++;
    return true;
  }

  /**
   * A slot for one more instance of `key` without taking an idle one (instances kept for a
   * floor are started while others idle); false when the caps leave no room.
   */
  reserveSlot(key: string): boolean {
    return this.#claimSlot(this.#pool(key));
  }

  /**
   * Keeps at least `count` instances of `key` from idle retirement and eviction (0 lifts it),
   * and lets the key have that many above the per-function cap. Returns the idle instances
   * above a lowered floor, removed from the pool, for the caller to retire.
   */
  setFloor(key: string, count: number): Instance[] {
    const p = this.#pool(key);
    const lowered = count < p.floor;
    p.floor = count;
    // Oldest idle first: the warmest stay.
    const out = lowered ? p.idle.slice(0, Math.min(Math.max(0, p.count - count), p.idle.length)) : [];
    for (const inst of out) this.remove(inst);
    if (p.count === 0 && p.queue.length === 0 && p.floor === 0) this.#keys.delete(key);
    return out;
  }

  /** Removes and returns the idle instances of `key` above its floor (a start that finished after the floor was lowered). */
  idleAboveFloor(key: string): Instance[] {
    const p = this.#keys.get(key);
    if (p === undefined) return [];
    const out = p.idle.slice(0, Math.min(Math.max(0, p.count - p.floor), p.idle.length));
    for (const inst of out) this.remove(inst);
    return out;
  }

  /** Members of `key` loaded and running (idle or busy): the instances that can serve now, not those still starting. */
  readyCount(key: string): number {
    let n = 0;
    for (const inst of this.#members) if (inst.key === key && inst.specialised && (inst.state === "idle" || inst.state === "busy")) n++;
    return n;
  }

  /** Retires the least recently used idle instance of another key to make global room. */
  #evictOne(except: KeyPool): boolean {
    let victim: Instance | undefined;
    for (const [key, p] of this.#keys) {
      const protectedLast = (p.count <= 1 && this.isPinned(key)) || p.count <= p.floor;
      const oldest = p === except || protectedLast ? undefined : p.idle[0];
      if (oldest !== undefined && (victim === undefined || oldest.lastUsed < victim.lastUsed)) victim = oldest;
    }
    if (victim === undefined) return false;
    this.remove(victim);
    this.#retire(victim);
    return true;
  }

  #expire(p: KeyPool, w: Waiter): void {
    const i = p.queue.indexOf(w);
    if (i >= 0) p.queue.splice(i, 1);
    w.fail(new ConcurrencyLimitError(`no instance became available within ${this.#limits.queueTimeoutMs} ms`));
  }

  /** Turns a slot into a member once its instance exists. */
  adopt(inst: Instance): void {
    this.#members.add(inst);
  }

  /** Gives up a slot whose instance failed to start. */
  releaseSlot(key: string): void {
    const p = this.#pool(key);
    p.count--;
    this.#total--;
    this.#drain();
  }

  /**
   * A busy instance finished: hand it to the next waiter of its key, or park it idle. Returns
   * false when the instance is no longer a member (removed during shutdown): retire it.
   */
  release(inst: Instance, now: number): boolean {
    if (!this.#members.has(inst)) return false;
    const p = this.#pool(inst.key ?? "");
    const w = p.queue.shift();
    inst.lastUsed = now;
    if (w !== undefined) {
      if (w.timer !== null) clearTimeout(w.timer);
      w.grant(inst);
      return true;
    }
    inst.to("idle");
    p.idle.push(inst);
    if (this.#blocked()) this.#drain();
    return true;
  }

  /** Forgets an instance (retired or dead); idempotent. Frees its capacity for waiters. */
  remove(inst: Instance): void {
    if (!this.#members.delete(inst)) return;
    const p = this.#pool(inst.key ?? "");
    const i = p.idle.indexOf(inst);
    if (i >= 0) p.idle.splice(i, 1);
    p.count--;
    this.#total--;
    if (p.count === 0 && p.queue.length === 0 && p.floor === 0) this.#keys.delete(inst.key ?? "");
    this.#drain();
  }

  #blocked(): boolean {
    for (const p of this.#keys.values()) if (p.queue.length > 0) return true;
    return false;
  }

  /** Serves queued callers whenever capacity may have appeared. */
  #drain(): void {
    for (const p of this.#keys.values()) {
      while (p.queue.length > 0) {
        const g = this.#tryGrant(p);
        if (g === null) break;
        const w = p.queue.shift();
        if (w?.timer != null) clearTimeout(w.timer);
        w?.grant(g);
      }
    }
  }

  /**
   * Idle instances unused since `cutoff`, removed from the pool (the caller retires them). A
   * pinned key keeps its last instance.
   */
  takeIdleSince(cutoff: number, now = Date.now()): Instance[] {
    const out: Instance[] = [];
    for (const [key, p] of this.#keys) {
      const keep = Math.max(this.isPinned(key, now) ? 1 : 0, p.floor);
      const stale = p.idle.filter((inst) => inst.lastUsed < cutoff);
      out.push(...stale.slice(0, Math.max(0, Math.min(stale.length, p.count - keep))));
    }
    for (const inst of out) this.remove(inst);
    return out;
  }

  readonly #pins = new Map<string, number>();

  /** Protects the last instance of `key` from idle retirement and eviction until `untilMs`. */
  pin(key: string, untilMs: number): void {
    this.#pins.set(key, Math.max(untilMs, this.#pins.get(key) ?? 0));
  }

  isPinned(key: string, now = Date.now()): boolean {
    const until = this.#pins.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.#pins.delete(key);
    return false;
  }

  /** Instances tracked for `key` (members and reserved slots). */
  countOf(key: string): number {
    return this.#keys.get(key)?.count ?? 0;
  }

  /**
   * Forgets every instance whose key starts with `prefix`. Idle ones are returned for the caller
   * to retire; busy ones stop being members, so they are retired when their invocation ends.
   */
  dropKeys(prefix: string): Instance[] {
    const idle: Instance[] = [];
    for (const inst of [...this.#members]) {
      if (!(inst.key ?? "").startsWith(prefix)) continue;
      if (inst.state === "idle") idle.push(inst);
      this.remove(inst);
    }
    for (const key of this.#pins.keys()) if (key.startsWith(prefix)) this.#pins.delete(key);
    // Code that can no longer run keeps no floor either.
    for (const [key, p] of this.#keys) {
      if (!key.startsWith(prefix)) continue;
      p.floor = 0;
      if (p.count === 0 && p.queue.length === 0) this.#keys.delete(key);
    }
    return idle;
  }

  /** Everything still tracked, for shutdown. Waiters are failed. */
  drainAll(): Instance[] {
    for (const p of this.#keys.values()) {
      for (const w of p.queue.splice(0)) {
        if (w.timer !== null) clearTimeout(w.timer);
        w.fail(new ConcurrencyLimitError("engine is closing"));
      }
    }
    const all = [...this.#members];
    for (const inst of all) this.remove(inst);
    return all;
  }

  stats(): { total: number; perKey: Record<string, { instances: number; idle: number; queued: number }> } {
    const perKey: Record<string, { instances: number; idle: number; queued: number }> = {};
    for (const [k, p] of this.#keys) perKey[k] = { instances: p.count, idle: p.idle.length, queued: p.queue.length };
    return { total: this.#total, perKey };
  }
}
