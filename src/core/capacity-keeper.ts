/**
 * Keeps the provisioned instances every config asks for, on this node. The core decides what
 * to keep (the configs in the store, the count their schedules ask for on Quiver's clock, the
 * version a qualifier names); the runtime keeps it (`Invoker.provision`), starting, replacing
 * and counting processes. So the virtual clock, the store and the crons stay in the core, and
 * the engine knows nothing of configs or schedules.
 *
 * Every node keeps every config's instances (docs/capacity.md): a config is read from the
 * shared store, and each node reconciles on its own, at each change made through it, at each
 * fire time of a schedule, and every `refreshMs` (changes made through other nodes).
 */
import { capInExecutions, desiredCount, type ConcurrencyCap, type ProvisionedConfig } from "./capacity.js";
import type { InvocationResolver } from "./functions/resolution.js";
import { instanceTarget, targetOf } from "./invocations.js";
import type { Invoker, WarmRequest } from "./invoke.js";
import { LATEST } from "./model.js";
import type { Clock, MetadataStore } from "./ports.js";
import { NEVER, nextFireAfter } from "./schedule.js";

export interface CapacityKeeperDeps {
  readonly store: MetadataStore;
  readonly resolver: InvocationResolver;
  readonly invoker: Pick<Invoker, "provision" | "provisionState">;
  readonly clock: Clock;
  /** Whether the keeper wakes itself at fire times (system clock) or is moved (virtual clock: `refresh` after each advance). */
  readonly wakesItself: boolean;
  /** How often configs are read again when no fire time is due sooner. */
  readonly refreshMs: number;
  readonly onError: (error: unknown, config: ProvisionedConfig | null) => void;
}

/** A config's status as the vendors show it. */
export interface ProvisionedStatus {
  /** The instances the config asks for now (its count, or the last scheduled change's). */
  readonly allocated: number;
  /** Instances actually started and healthy on this node. */
  readonly available: number;
  readonly status: "Done" | "InProgress" | "Failed";
  readonly reason: string;
}

/** What the keeper holds for one config: the request whose instances it keeps, and how many. */
interface Held {
  readonly request: WarmRequest;
  readonly count: number;
}

export class CapacityKeeper {
  readonly #deps: CapacityKeeperDeps;
  /** By config id (`functionId/qualifier`). */
  readonly #held = new Map<string, Held>();
  #caps = new Map<string, ConcurrencyCap>();
  #wake: NodeJS.Timeout | null = null;
  /** Passes run one after another: the last one asked for, and the one waiting to start (shared by callers meanwhile). */
  #tail: Promise<void> = Promise.resolve();
  #queued: Promise<void> | null = null;
  #stopped = true;

  constructor(deps: CapacityKeeperDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.reconcile();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#wake !== null) clearTimeout(this.#wake);
    this.#wake = null;
  }

  /**
   * Looks again (a change through this node, a moved virtual clock); resolves once a look that
   * started after this call is done, so it saw the change.
   */
  reconcile(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#queued !== null) return this.#queued;
    const queued = this.#tail.then(() => {
      this.#queued = null;
      return this.#stopped ? undefined : this.#passOnce();
    });
    this.#queued = queued;
    this.#tail = queued;
    return queued;
  }

  /** The concurrency cap of a function, as last read (the invocation path asks on every call). */
  capOf(functionId: string): ConcurrencyCap | undefined {
    return this.#caps.get(functionId);
  }

  /** How many executions of `memoryMb` a function may run at once; undefined: no cap. */
  executionsAllowed(functionId: string, memoryMb: number): number | undefined {
    const cap = this.#caps.get(functionId);
    return cap === undefined ? undefined : capInExecutions(cap, memoryMb);
  }

  status(config: ProvisionedConfig): ProvisionedStatus {
    const allocated = desiredCount(config, this.#deps.clock.now());
    const held = this.#held.get(idOf(config));
    if (allocated === 0) return { allocated, available: 0, status: "Done", reason: "" };
    const state = held === undefined ? null : this.#deps.invoker.provisionState(held.request.target.instanceKey);
    if (state === null || held?.count !== allocated) return { allocated, available: state?.available ?? 0, status: "InProgress", reason: "" };
    if (state.failure !== null) return { allocated, available: state.available, status: "Failed", reason: state.failure };
    return { allocated, available: state.available, status: state.available >= allocated ? "Done" : "InProgress", reason: "" };
  }

  async #passOnce(): Promise<void> {
    const now = this.#deps.clock.now();
    let next = now + this.#deps.refreshMs;
    try {
      const [configs, caps] = await Promise.all([this.#deps.store.listProvisioned(null), this.#deps.store.listConcurrencyCaps(null)]);
      this.#caps = new Map(caps.map((c) => [c.functionId, c.cap]));
      const seen = new Set<string>();
      for (const config of configs) {
        seen.add(idOf(config));
        await this.#keep(config, now);
        next = Math.min(next, nextChange(config, now));
      }
      for (const [id, held] of this.#held) if (!seen.has(id)) this.#release(id, held);
    } catch (error) {
      this.#deps.onError(error, null);
    } finally {
      this.#scheduleWake(next, now);
    }
  }

  /** Asks the runtime for the config's instances of the version its qualifier names now. */
  async #keep(config: ProvisionedConfig, now: number): Promise<void> {
    const id = idOf(config);
    let request: WarmRequest;
    try {
      request = await this.#requestFor(config);
    } catch (error) {
      // The function, version or alias went between the read and now: its config goes with it.
      const held = this.#held.get(id);
      if (held !== undefined) this.#release(id, held);
      this.#deps.onError(error, config);
      return;
    }
    const count = desiredCount(config, now);
    const held = this.#held.get(id);
    if (held !== undefined && held.request.target.instanceKey !== request.target.instanceKey) this.#deps.invoker.provision(held.request, 0);
    this.#held.set(id, { request, count });
    this.#deps.invoker.provision(request, count);
  }

  #release(id: string, held: Held): void {
    this.#held.delete(id);
    this.#deps.invoker.provision(held.request, 0);
  }

  /** An alias's instances are its main version's (the one that takes its traffic unless a rule or weight says otherwise). */
  async #requestFor(config: ProvisionedConfig): Promise<WarmRequest> {
    const ref = { scope: config.scope, namespace: config.namespace, name: config.functionName };
    let qualifier = config.qualifier;
    if (config.qualifierKind === "alias") {
      const alias = await this.#deps.store.getAlias(config.functionId, config.qualifier);
      qualifier = alias?.version ?? config.qualifier;
    }
    const resolved = await this.#deps.resolver.resolve(ref, { qualifier, headers: {}, routingKey: null, aliasLookup: qualifier === LATEST ? "fallback" : "never" });
    const { convention, contextValues } = config.settings;
    return { target: instanceTarget(targetOf(resolved), convention, contextValues), requestId: `provisioned-${config.qualifier}`, convention, contextValues };
  }

  #scheduleWake(next: number, now: number): void {
    if (this.#stopped || !this.#deps.wakesItself) return;
    if (this.#wake !== null) clearTimeout(this.#wake);
    this.#wake = setTimeout(() => void this.reconcile(), Math.max(0, Math.min(next - now, this.#deps.refreshMs)));
    this.#wake.unref();
  }
}

function idOf(config: Pick<ProvisionedConfig, "functionId" | "qualifier">): string {
  return `${config.functionId}/${config.qualifier}`;
}

/** The next time one of the config's scheduled changes fires after `now` (NEVER when none does). */
function nextChange(config: ProvisionedConfig, now: number): number {
  let next = NEVER;
  for (const change of config.settings.schedules) {
    const fire = nextFireAfter(change.schedule, now);
    if (fire !== null && (change.endsAt === null || fire <= change.endsAt)) next = Math.min(next, fire);
    // The end of a window changes the count too.
    if (change.endsAt !== null && change.endsAt >= now) next = Math.min(next, change.endsAt + 1);
  }
  return next;
}
