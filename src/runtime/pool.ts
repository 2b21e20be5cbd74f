/**
 * Warm-instance accounting per instanceKey: idle stacks (LIFO keeps the warmest process busy and
 * lets the rest idle out), per-key and global caps, and a bounded FIFO wait queue per key.
 * Pure bookkeeping: processes are started and killed by the engine through the callbacks.
 *
 * With patient scale-out (off by default): when every instance of a key is busy and it has at
 * least `eagerInstances` of them (the machine's cores plus one: fewer leave cores idle), a call
 * waits for one of them instead of starting another while that is expected to be quicker: the
 * key's recent calls are short enough that the calls already waiting and this one would all be
 * served before a new instance could start (its recent cold starts). Such a call waits at most
 * that start time, then starts one. On a machine whose CPUs are busy, a process per waiting call
 * only adds context switches. Calls that wait on I/O are long, so their keys scale out at once.
 * The times are kept only with patient scale-out on. See docs/runtime.md, "When another
 * instance starts".
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
  /** Waiting for a busy instance rather than starting one: takes a released instance, never a slot, until its patience ends. */
  patient: boolean;
}

/** Weight of the newest sample in the running means of call and start times. */
const MEAN_WEIGHT = 0.2;

class KeyPool {
  readonly idle: Instance[] = [];
  readonly queue: Waiter[] = [];
  /** Live members plus reserved slots. */
  count = 0;
  /** Instances kept however idle (provisioned): never retired for idleness nor evicted below this. */
  floor = 0;
  /** Running mean of how long a call held an instance (ms), null before the first. */
  callMs: number | null = null;
  /** Running mean of how long a call waited for a new instance of this key (ms), null before the first. */
  startMs: number | null = null;
}

function mean(old: number | null, sample: number): number {
  return old === null ? sample : old + MEAN_WEIGHT * (sample - old);
}

export interface PoolLimits {
  readonly perKey: number;
  readonly total: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
  /** Wait for a busy instance when that is expected to be quicker than starting one; false (the default): start one whenever the caps allow. */
  readonly patientScaleOut?: boolean;
  /** Instances of a key started whenever all are busy, before waiting is considered (default 1). */
  readonly eagerInstances?: number;
}

export class Pool {
  readonly #limits: PoolLimits;
  readonly #retire: (inst: Instance) => void;
  readonly #keys = new Map<string, KeyPool>();
  readonly #members = new Set<Instance>();
  /** When each busy instance was handed its call (performance.now()), for the keys' call times. */
  readonly #grantedAt = new WeakMap<Instance, number>();
  /** Whether call and start times are kept (only patient scale-out reads them). */
  readonly #timed: boolean;
  #total = 0;

  constructor(limits: PoolLimits, retire: (inst: Instance) => void) {
    this.#limits = limits;
    this.#timed = limits.patientScaleOut === true;
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
    const inst = this.#takeIdle(p);
    if (inst !== null) return inst;
    const patience = this.#patience(p);
    if (patience === null && this.#claimSlot(p)) return SLOT;
    if (p.queue.length >= this.#limits.queueLimit) {
      return Promise.reject(new ConcurrencyLimitError(`too many concurrent invocations: wait queue of ${this.#limits.queueLimit} is full`));
    }
    return new Promise<Grant>((grant, fail) => {
      const w: Waiter = { grant, fail, timer: null, patient: patience !== null };
      w.timer = patience === null ? this.#expiry(p, w, this.#limits.queueTimeoutMs) : setTimeout(() => this.#outOfPatience(p, w, patience), patience);
      p.queue.push(w);
    });
  }

  /**
   * How long a call that found every instance of `p` busy should wait for one of them before
   * starting another (ms), or null to start one now: null unless the key has instances to
   * wait for, a slot is free, and the calls waiting and this one are expected to be served by
   * them sooner than a start takes.
   */
  #patience(p: KeyPool): number | null {
    if (!this.#timed || p.callMs === null || p.startMs === null) return null;
    const serving = p.count - p.idle.length;
    // Below `eagerInstances` (the cores, plus one) another instance can run beside the busy ones.
    if (serving < (this.#limits.eagerInstances ?? 1) || p.count >= Math.max(this.#limits.perKey, p.floor) || p.queue.length >= this.#limits.queueLimit) return null;
    const expectedWaitMs = ((p.queue.length + 1) * p.callMs) / serving;
    return expectedWaitMs < p.startMs ? Math.min(p.startMs, this.#limits.queueTimeoutMs) : null;
  }

  /** A patient waiter no instance came for in time: it starts one if the caps allow, else waits on as any queued call. */
  #outOfPatience(p: KeyPool, w: Waiter, waitedMs: number): void {
    w.patient = false;
    if (this.#claimSlot(p)) {
      const i = p.queue.indexOf(w);
      if (i >= 0) p.queue.splice(i, 1);
      w.timer = null;
      w.grant(SLOT);
      return;
    }
    w.timer = this.#expiry(p, w, Math.max(0, this.#limits.queueTimeoutMs - waitedMs));
  }

  #expiry(p: KeyPool, w: Waiter, ms: number): NodeJS.Timeout {
    return setTimeout(() => this.#expire(p, w), ms);
  }

  #takeIdle(p: KeyPool): Instance | null {
    const inst = p.idle.pop();
    if (inst === undefined) return null;
    inst.to("busy");
    if (this.#timed) this.#grantedAt.set(inst, performance.now());
    return inst;
  }

  #tryGrant(p: KeyPool, slot: boolean): Grant | null {
    return this.#takeIdle(p) ?? (slot && this.#claimSlot(p) ? SLOT : null);
  }

  /** How long a call waited for a new instance of `key` (a cold start): the price of starting another. */
  noteStart(key: string, ms: number): void {
    const p = this.#timed ? this.#keys.get(key) : undefined;
    if (p !== undefined) p.startMs = mean(p.startMs, ms);
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
   * Adds the call `inst` just finished to its key's mean call time, and starts timing its next
   * (handed straight to a waiter, or the next `#takeIdle`). A new instance's first call is not
   * counted: its time includes the start.
   */
  #timeCall(p: KeyPool, inst: Instance): void {
    const at = performance.now();
    const since = this.#grantedAt.get(inst);
    if (since !== undefined) p.callMs = mean(p.callMs, at - since);
    this.#grantedAt.set(inst, at);
  }

  /**
   * A busy instance finished: hand it to the next waiter of its key, or park it idle. Returns
   * false when the instance is no longer a member (removed during shutdown): retire it.
   */
  release(inst: Instance, now: number): boolean {
    if (!this.#members.has(inst)) return false;
    const p = this.#pool(inst.key ?? "");
    if (this.#timed) this.#timeCall(p, inst);
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
        // A patient waiter takes only a released instance; its patience ends in a slot of its own.
        const g = this.#tryGrant(p, p.queue[0]?.patient !== true);
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
