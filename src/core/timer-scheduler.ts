/**
 * Fires timer triggers at their times. Every node runs one; they share nothing but the store.
 * Each node reads the enabled timers and their planned fire times, wakes at the earliest, and
 * takes the step due (fire and plan the next time) with the store's `claimTimer`: a
 * compare-and-set on the plan that records the fire's asynchronous invocation in the same
 * transaction. Nodes racing for one fire time all try; exactly one wins, so each time fires
 * once across nodes, and a node that dies is simply not among those trying.
 */
import { QuiverError } from "./errors.js";
import type { Triggers } from "./functions/triggers.js";
import type { InvocationService } from "./invocations.js";
import type { FunctionRef } from "./model.js";
import type { AsyncInvocationRecord, Clock, MetadataStore, PlannedTimer, TimerEvents } from "./ports.js";
import { NEVER, nextFireAfter } from "./schedule.js";
import { dueStep, firstPlan, type MissedFirePolicy } from "./timer-steps.js";
import type { TimerTriggerSettings, TriggerRecord } from "./triggers.js";
import type { VirtualClock } from "./clocks.js";

export interface TimerSchedulerDeps {
  readonly store: MetadataStore;
  readonly invocations: InvocationService;
  readonly triggers: Triggers;
  readonly events: TimerEvents;
  /** The system clock (the scheduler wakes itself), or a virtual one (time moves by `advance` only). */
  readonly clock: { readonly kind: "system"; readonly clock: Clock } | { readonly kind: "virtual"; readonly clock: VirtualClock };
  readonly missed: MissedFirePolicy;
  /** How often timers are read again when none is due sooner (changes made through other nodes). */
  readonly refreshMs: number;
  /** Told when a due time could not fire (its function cannot run) or a pass failed; the schedule goes on. */
  readonly onError: (error: unknown, trigger: TriggerRecord | null) => void;
}

/** Fire times one `advance` may go through, so a long jump over a dense schedule cannot run unbounded. */
export const MAX_FIRES_PER_ADVANCE = 10_000;

type Timer = PlannedTimer & { readonly trigger: TriggerRecord & { readonly settings: TimerTriggerSettings } };

export class TimerScheduler {
  readonly #deps: TimerSchedulerDeps;
  #startedAt = 0;
  #wake: NodeJS.Timeout | null = null;
  #stopped = true;
  /** Passes run one at a time: the one running, and whether another was asked for meanwhile. */
  #pass: Promise<number> | null = null;
  #again = false;

  constructor(deps: TimerSchedulerDeps) {
    this.#deps = deps;
  }

  get #clock(): Clock {
    return this.#deps.clock.clock;
  }

  /** Handles the fire times missed while down (the policy), then keeps firing until `stop`. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#startedAt = this.#clock.now();
    await this.#runPass();
  }

  /** Stops waking; waits for a pass under way (its claims commit or fail whole). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearWake();
    await this.#pass?.catch(() => 0);
  }

  /** Timers changed on this node: look again now rather than at the next refresh. */
  refresh(): void {
    if (this.#stopped) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    void this.#runPass().catch((error: unknown) => this.#deps.onError(error, null));
  }

  /**
   * Runs a timer trigger now with its payload, as a fire at the current time would (for
   * development); disabled timers too. Its schedule is untouched.
   */
  async fireNow(ref: FunctionRef, triggerId: string): Promise<AsyncInvocationRecord> {
    const { fn, trigger } = await this.#deps.triggers.get(ref, { id: triggerId });
    if (trigger.settings.kind !== "timer") {
      throw new QuiverError("InvalidParameter", `Trigger "${trigger.name}" is not a timer trigger; only timers can be fired.`, { subject: "trigger" });
    }
    const fire = this.#deps.events(trigger, fn, this.#clock.now());
    return this.#deps.invocations.invokeAsync({ function: ref, selector: selectorOf(trigger), ...fire });
  }

  /**
   * Moves a virtual clock forward by `ms`, stopping at each fire time due on the way, in order,
   * to fire it. Returns the time reached and how many fires were recorded.
   */
  async advance(ms: number): Promise<{ readonly now: number; readonly fired: number }> {
    const { clock } = this.#deps;
    if (clock.kind !== "virtual") throw new QuiverError("InvalidParameter", "The clock is the system clock; only a virtual clock (--clock virtual) can be advanced.");
    const target = clock.clock.now() + ms;
    // Counted before anything moves, so a refused advance fires nothing and leaves the clock.
    if (fireTimesUntil(timersOf(await this.#deps.store.listTimers()), target, MAX_FIRES_PER_ADVANCE) > MAX_FIRES_PER_ADVANCE) {
      throw tooManyFires(ms);
    }
    let fired = 0;
    for (let steps = 0; ; steps += 1) {
      const due = earliestPlan(await this.#deps.store.listTimers());
      if (due > target) break;
      // Only timers created during the advance can get here after the count above.
      if (steps >= MAX_FIRES_PER_ADVANCE) throw tooManyFires(ms);
      clock.clock.moveTo(due);
      fired += await this.#exclusivePass();
    }
    clock.clock.moveTo(target);
    fired += await this.#exclusivePass();
    return { now: target, fired };
  }

  /** A pass, waiting for one under way to finish first. */
  async #exclusivePass(): Promise<number> {
    while (this.#pass) await this.#pass.catch(() => 0);
    return this.#runPass();
  }

  async #runPass(): Promise<number> {
    this.#clearWake();
    const pass = this.#passOnce();
    this.#pass = pass;
    try {
      return await pass;
    } finally {
      this.#pass = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.refresh();
      }
    }
  }

  /** One look at every timer: each due step taken (or lost to another node), the next wake set. Returns the fires recorded. */
  async #passOnce(): Promise<number> {
    let earliest = NEVER;
    let fired = 0;
    try {
      const now = this.#clock.now();
      for (const timer of timersOf(await this.#deps.store.listTimers())) {
        const step = await this.#takeStep(timer, now).catch((error: unknown) => {
          this.#deps.onError(error, timer.trigger);
          return null;
        });
        if (step?.fired) fired += 1;
        // After a failure, look again at the next refresh rather than at once.
        earliest = Math.min(earliest, step?.nextFireAt ?? now + this.#deps.refreshMs);
      }
    } finally {
      this.#scheduleWake(earliest);
    }
    return fired;
  }

  /** Plans an unplanned timer, or takes its due step. Returns its plan after this and whether this node recorded a fire. */
  async #takeStep(timer: Timer, now: number): Promise<{ nextFireAt: number; fired: boolean }> {
    const planned = planOf(timer);
    const claim = { triggerId: timer.trigger.id, seenUpdatedAt: timer.trigger.updatedAt, seenNextFireAt: timer.nextFireAt };
    if (planned > now) {
      if (timer.nextFireAt === null) await this.#deps.store.claimTimer({ ...claim, nextFireAt: planned, invocation: null });
      return { nextFireAt: planned, fired: false };
    }
    const step = dueStep(timer.trigger.settings, planned, now, this.#deps.missed, this.#startedAt);
    const invocation = step.fireTime === null ? null : await this.#accept(timer, step.fireTime);
    const won = await this.#deps.store.claimTimer({ ...claim, nextFireAt: step.nextFireAt, invocation });
    if (won && invocation) this.#deps.invocations.runAccepted(invocation);
    return { nextFireAt: step.nextFireAt, fired: won && invocation !== null };
  }

  /**
   * The fire's invocation, resolved now (an alias re-pointed before the fire is followed), or
   * null when the function cannot run it (no code, a broken qualifier): the time passes unfired
   * and the reason is reported, rather than trying the same time forever.
   */
  async #accept(timer: Timer, fireTime: number): Promise<AsyncInvocationRecord | null> {
    const { fn, trigger } = timer;
    try {
      const fire = this.#deps.events(trigger, fn, fireTime);
      const ref = { scope: fn.scope, namespace: fn.namespace, name: fn.name };
      return await this.#deps.invocations.acceptAsync({ function: ref, selector: selectorOf(trigger), ...fire });
    } catch (error) {
      this.#deps.onError(error, trigger);
      return null;
    }
  }

  /** With the system clock, wakes at the earliest plan, or after `refreshMs` to see other nodes' changes. */
  #scheduleWake(earliest: number): void {
    if (this.#stopped || this.#deps.clock.kind !== "system") return;
    this.#clearWake();
    const delay = Math.max(0, Math.min(earliest - this.#clock.now(), this.#deps.refreshMs));
    this.#wake = setTimeout(() => this.refresh(), delay);
  }

  #clearWake(): void {
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = null;
  }
}

function timersOf(planned: readonly PlannedTimer[]): Timer[] {
  return planned.filter((timer): timer is Timer => timer.trigger.settings.kind === "timer");
}

/** The timer's plan: as stored, or, when nobody planned it yet, its first fire time after its last change. */
function planOf(timer: Timer): number {
  return timer.nextFireAt ?? firstPlan(timer.trigger.settings, timer.trigger.updatedAt);
}

/** The fire times of the timers from their plans up to `target`, counted up to just past `cap`. */
function fireTimesUntil(timers: readonly Timer[], target: number, cap: number): number {
  let count = 0;
  for (const timer of timers) {
    for (let time = planOf(timer); time <= target && count <= cap; time = nextFireAfter(timer.trigger.settings.schedule, time) ?? NEVER) count += 1;
  }
  return count;
}

function tooManyFires(ms: number): QuiverError {
  return new QuiverError("InvalidParameter", `Advancing by ${ms} ms passes more than ${MAX_FIRES_PER_ADVANCE} fire times; advance in smaller steps.`);
}

function earliestPlan(planned: readonly PlannedTimer[]): number {
  return Math.min(NEVER, ...timersOf(planned).map(planOf));
}

/** A fire runs what the trigger is bound to: the head, a version, or an alias (routed as for an invoke). */
function selectorOf(trigger: TriggerRecord): { qualifier: string; headers: Record<string, string>; routingKey: null; aliasLookup: "fallback" } {
  return { qualifier: trigger.qualifier, headers: {}, routingKey: null, aliasLookup: "fallback" };
}
