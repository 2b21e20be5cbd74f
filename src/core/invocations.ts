import { aliasTargets } from "./aliases.js";
import type { ConcurrencyCap } from "./capacity.js";
import { QuiverError } from "./errors.js";
import { headKey, versionKey } from "./instance-keys.js";
import { logTail } from "./invocation-text.js";
import type { InvocationRecorder, InvocationSource, RecordInput } from "./invocation-records.js";
import { PER_CALL_CONTEXT_KEYS, type HandlerConvention, type HttpExchange, type HttpForwardOutcome, type InvocationOutcome, type InvocationRequest, type InvocationTarget, type Invoker, type WarmRequest } from "./invoke.js";
import { LATEST, type FunctionRecord, type FunctionRef, type Scope } from "./model.js";
import type { AsyncInvocationRecord, Clock, IdSource, MetadataStore } from "./ports.js";
import type { InvocationResolver, InvokeSelector, ResolvedInvocation } from "./functions/resolution.js";
import { stateConflict } from "./store-rules/statuses.js";
import { apigResultFromReply, exchangeFromApigEvent, refuseWebInvoke } from "./web-functions.js";

export interface InvokeInput {
  readonly function: FunctionRef;
  readonly selector: InvokeSelector;
  /** The event as JSON text (dialects check it parses). */
  readonly event: string;
  readonly convention: HandlerConvention;
  readonly contextValues: Readonly<Record<string, string>>;
  /** The invocation's request id when the caller already named it (an HTTP trigger's event carries it); else a new one. */
  readonly requestId?: string;
  /** The function's record when the caller read it for this very call (an HTTP trigger's lookup): not read again. */
  readonly knownFunction?: FunctionRecord;
  /** What made a synchronous call, for its record: the invoke APIs (default) or an HTTP trigger. */
  readonly source?: Extract<InvocationSource, "invoke" | "http">;
}

/** A request for a web function: everything an invocation names, with the HTTP request instead of an event. */
export type ForwardInput = Omit<InvokeInput, "event"> & { readonly exchange: HttpExchange };

export interface ForwardResult {
  readonly outcome: HttpForwardOutcome;
  /** The version that served. */
  readonly versionName: string;
  readonly alias: string | null;
}

export interface SyncResult {
  readonly outcome: InvocationOutcome;
  /** The version that ran. */
  readonly versionName: string;
  readonly alias: string | null;
  /** The memory size the version ran with (for billing figures in logs). */
  readonly memoryMb: number;
}

export interface InvocationServiceDeps {
  readonly resolver: InvocationResolver;
  readonly store: MetadataStore;
  readonly invoker: Invoker;
  readonly clock: Clock;
  /** Request ids of invocations (the server's are time-ordered: `request-ids.ts`). */
  readonly ids: IdSource;
  /** Async invocations run at most this many at once. */
  readonly asyncConcurrency: number;
  readonly onAsyncError?: (error: unknown, record: AsyncInvocationRecord) => void;
  /**
   * How often to look for unfinished invocations of nodes that are gone (lapsed lease) and
   * take them over; null with one node (SQLite), where only a restart leaves any.
   */
  readonly takeoverEveryMs?: number | null;
  readonly onTakeoverError?: (error: unknown) => void;
  /** Takes the record of every invocation that ran or was refused as a throttle; absent: none kept. */
  readonly recorder?: InvocationRecorder;
  /** Functions' caps on concurrent executions (the capacity keeper's view); absent: no caps. */
  readonly caps?: { capOf(functionId: string): ConcurrencyCap | undefined };
}

/** An alias in use keeps one warm instance of each version it routes to for this long… */
const KEEP_WARM_MS = 10 * 60_000;
/** …refreshed at most this often per alias revision and convention. */
const WARM_REFRESH_MS = 10_000;

/** How often an async invocation that met a full pool is retried, and how long apart. */
const BUSY_RETRIES = 20;
const BUSY_RETRY_MS = 500;

/** Bytes of an async invocation's log kept with its status (both dialects show at most 4 KB). */
const ASYNC_LOG_TAIL_BYTES = 4096;

/**
 * Runs versions: resolves the qualifier (versions and aliases), checks the function can run,
 * and hands the exact code and configuration of that version to the Invoker. Async
 * invocations are recorded durably before the caller is answered, and resumed after a restart.
 */
export class InvocationService {
  readonly #deps: InvocationServiceDeps;
  readonly #queue: AsyncInvocationRecord[] = [];
  #running = 0;
  #closed = false;
  readonly #idle = new Set<() => void>();
  #takeover: NodeJS.Timeout | null = null;
  readonly #warmedAt = new Map<string, number>();
  /** Executions running per function on this node: how many, and their memory (reserved concurrency counts them). */
  readonly #executing = new Map<string, { count: number; memoryMb: number }>();

  constructor(deps: InvocationServiceDeps) {
    this.#deps = deps;
  }

  async invoke(input: InvokeInput): Promise<SyncResult> {
    const resolved = await this.#deps.resolver.resolve(input.function, input.selector, input.knownFunction);
    const request = { ...this.#request(resolved, input, input.requestId ?? this.#deps.ids.uuid()), event: input.event, qualifier: input.selector.qualifier };
    if (resolved.aliasRecord) this.#keepAliasWarm(resolved, input);
    const startedAt = this.#deps.clock.now();
    const memoryMb = request.target.config.memoryMb;
    const run = (): Promise<InvocationOutcome> => (request.target.config.type === "HTTP" ? this.#invokeWeb(request) : this.#deps.invoker.invoke(request));
    const outcome = await this.#capped(resolved.fn.id, memoryMb, request.requestId, run, asIs);
    this.#record({ ...recordOf(input, resolved, request.requestId, input.source ?? "invoke"), startedAt, memoryMb, outcome });
    return { outcome, versionName: resolved.versionName, alias: resolved.alias, memoryMb };
  }

  /** A web function through an invoke API: refused (SCF), or the event describes the HTTP request (FunctionGraph). */
  async #invokeWeb(request: InvocationRequest): Promise<InvocationOutcome> {
    refuseWebInvoke(request.convention, "sync");
    let exchange;
    try {
      exchange = exchangeFromApigEvent(request.event);
    } catch (cause) {
      throw new QuiverError("EventInvalid", "The event of an HTTP function's invocation must be a JSON object describing the request (httpMethod, path, headers, body).", { cause });
    }
    const { reply, ...rest } = await this.#deps.invoker.forward({ ...request, exchange });
    return { ...rest, result: reply === null ? "" : apigResultFromReply(reply) };
  }

  /**
   * Sends an HTTP request to a web function: the qualifier is resolved as for `invoke` (an
   * alias routes by weight or rule, and keeps its versions warm), then the version's server
   * answers. A version that is not a web function answers with an error outcome, never a throw:
   * an alias may route to versions of either type.
   */
  async forward(input: ForwardInput): Promise<ForwardResult> {
    const resolved = await this.#deps.resolver.resolve(input.function, input.selector, input.knownFunction);
    const requestId = input.requestId ?? this.#deps.ids.uuid();
    const base = this.#request(resolved, input, requestId);
    if (resolved.aliasRecord) this.#keepAliasWarm(resolved, input);
    const versionName = resolved.versionName;
    const startedAt = this.#deps.clock.now();
    const memoryMb = base.target.config.memoryMb;
    const served = (outcome: HttpForwardOutcome): ForwardResult => {
      this.#record({ ...recordOf(input, resolved, requestId, "http"), startedAt, memoryMb, outcome: { ...outcome, result: replyText(outcome) } });
      return { outcome, versionName, alias: resolved.alias };
    };
    if (base.target.config.type !== "HTTP") return served(notWebFunction(requestId, versionName));
    const forward = (): Promise<HttpForwardOutcome> => this.#deps.invoker.forward({ ...base, exchange: input.exchange, qualifier: input.selector.qualifier });
    return served(await this.#capped(resolved.fn.id, memoryMb, requestId, forward, webThrottle));
  }

  /** Records the invocation durably, then runs it in the background. Returns its request id. */
  async invokeAsync(input: InvokeInput): Promise<AsyncInvocationRecord> {
    const record = await this.acceptAsync(input);
    await this.#deps.store.insertAsyncInvocation(record);
    this.runAccepted(record);
    return record;
  }

  /**
   * An asynchronous invocation resolved now (the version it will run is fixed here) but not yet
   * recorded: the caller records it, in a transaction of its own (a timer fire, with its
   * claim), and then hands it to `runAccepted`.
   */
  async acceptAsync(input: InvokeInput): Promise<AsyncInvocationRecord> {
    const resolved = await this.#deps.resolver.resolve(input.function, input.selector);
    // Refuse now what could never run.
    if (targetOf(resolved).config.type === "HTTP") refuseWebInvoke(input.convention, "async");
    return {
      id: this.#deps.ids.uuid(),
      scope: input.function.scope,
      functionId: resolved.fn.id,
      namespace: input.function.namespace,
      functionName: input.function.name,
      qualifier: input.selector.qualifier,
      versionName: resolved.versionName,
      event: input.event,
      convention: input.convention,
      contextValues: input.contextValues,
      status: "RUNNING",
      result: "",
      error: null,
      log: "",
      durationMs: 0,
      createdAt: this.#deps.clock.now(),
      finishedAt: null,
    };
  }

  /** Runs, in the background, an invocation from `acceptAsync` once it is recorded. */
  runAccepted(record: AsyncInvocationRecord): void {
    this.#enqueue(record);
  }

  async getAsync(scope: Scope, requestId: string): Promise<AsyncInvocationRecord> {
    const record = await this.#deps.store.getAsyncInvocation(scope, requestId);
    if (!record) throw new QuiverError("InvocationNotFound", `No asynchronous invocation has request id "${requestId}".`, { subject: "invocation" });
    return record;
  }

  listAsync(scope: Scope, functionId: string, limit: number): Promise<AsyncInvocationRecord[]> {
    return this.#deps.store.listAsyncInvocations(scope, functionId, limit);
  }

  /**
   * Re-queues invocations that were accepted but not finished when the server last stopped
   * (or, on several nodes, whose node is gone), then keeps doing so every `takeoverEveryMs`:
   * a node that dies leaves its accepted work to the live ones, not to its own restart. The
   * store hands each record to one node once.
   */
  async resumePending(): Promise<number> {
    const resumed = await this.#resumeOnce();
    const every = this.#deps.takeoverEveryMs ?? null;
    if (every !== null && this.#takeover === null && !this.#closed) {
      this.#takeover = setInterval(() => {
        this.#resumeOnce().catch((error: unknown) => this.#deps.onTakeoverError?.(error));
      }, every);
      this.#takeover.unref();
    }
    return resumed;
  }

  async #resumeOnce(): Promise<number> {
    if (this.#closed) return 0;
    const pending = await this.#deps.store.listUnfinishedAsync();
    pending.forEach((record) => this.#enqueue(record));
    return pending.length;
  }

  /** Asynchronous invocations waiting for a turn, and running (for metrics). */
  asyncBacklog(): { readonly queued: number; readonly running: number } {
    return { queued: this.#queue.length, running: this.#running };
  }

  /** Stops taking queued work and waits for running async invocations to finish. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#takeover !== null) clearInterval(this.#takeover);
    if (this.#running > 0) await new Promise<void>((resolve) => this.#idle.add(resolve));
  }

  /**
   * Runs `run` unless the function's cap on concurrent executions is reached on this node; then
   * the call is refused as a throttle (`concurrency-limit`, the vendors' concurrency error)
   * without running. A cap in memory counts the memory of the executions running. Executions
   * are counted whether or not a cap is set, so a cap set while some run counts them too.
   */
  async #capped<O>(functionId: string, memoryMb: number, requestId: string, run: () => Promise<O>, refused: (o: InvocationOutcome) => O): Promise<O> {
    const cap = this.#deps.caps?.capOf(functionId);
    const now = this.#executing.get(functionId) ?? { count: 0, memoryMb: 0 };
    if (cap !== undefined && !(cap.unit === "instances" ? now.count + 1 <= cap.value : now.memoryMb + memoryMb <= cap.value)) {
      return refused(throttled(requestId, cap, now.count));
    }
    this.#executing.set(functionId, { count: now.count + 1, memoryMb: now.memoryMb + memoryMb });
    try {
      return await run();
    } finally {
      const after = this.#executing.get(functionId) ?? { count: 1, memoryMb };
      if (after.count <= 1) this.#executing.delete(functionId);
      else this.#executing.set(functionId, { count: after.count - 1, memoryMb: after.memoryMb - memoryMb });
    }
  }

  #record(input: RecordInput): void {
    this.#deps.recorder?.recordOutcome(input);
  }

  #request(resolved: ResolvedInvocation, input: WarmInput, requestId: string): WarmRequest {
    const target = instanceTarget(targetOf(resolved), input.convention, input.contextValues);
    return { target, requestId, convention: input.convention, contextValues: input.contextValues };
  }

  /**
   * While an alias is in use, every version it routes to keeps a warm instance (one is started
   * if needed), so a canary, a promotion or a rollback is served warm on its very next call.
   */
  #keepAliasWarm(resolved: ResolvedInvocation, input: WarmInput): void {
    const alias = resolved.aliasRecord;
    if (!alias) return;
    const now = this.#deps.clock.now();
    const id = `${alias.functionId}/${alias.name}/${alias.revision}/${input.convention}`;
    if ((this.#warmedAt.get(id) ?? 0) > now - WARM_REFRESH_MS) return;
    if (this.#warmedAt.size > 10_000) this.#warmedAt.clear();
    this.#warmedAt.set(id, now);
    const warm = async (): Promise<void> => {
      const requests: WarmRequest[] = [];
      for (const qualifier of aliasTargets(alias)) {
        const target = await this.#deps.resolver.resolve(input.function, { qualifier, headers: {}, routingKey: null, aliasLookup: "never" });
        requests.push(this.#request(target, input, `keep-warm-${alias.name}`));
      }
      this.#deps.invoker.keepWarm(requests, now + KEEP_WARM_MS);
    };
    // Best effort: a failure here (e.g. the version was just deleted) must not fail the invoke.
    warm().catch(() => this.#warmedAt.delete(id));
  }

  #enqueue(record: AsyncInvocationRecord): void {
    this.#queue.push(record);
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#deps.asyncConcurrency) {
      const next = this.#queue.shift();
      if (!next) break;
      this.#running += 1;
      this.#runAsync(next)
        .catch((error: unknown) => this.#deps.onAsyncError?.(error, next))
        .finally(() => {
          this.#running -= 1;
          if (this.#running === 0) this.#idle.forEach((resolve) => resolve());
          this.#pump();
        });
    }
  }

  async #runAsync(record: AsyncInvocationRecord): Promise<void> {
    const startedAt = this.#deps.clock.now();
    let memoryMb = 0;
    const finish = async (status: AsyncInvocationRecord["status"], outcome: InvocationOutcome | null, message = ""): Promise<void> => {
      const error = outcome?.error ?? (message ? { kind: "runtime-start-failed" as const, message, stack: "" } : null);
      await this.#deps.store.finishAsyncInvocation(record.id, {
        status,
        result: outcome?.result ?? "",
        error,
        // The status APIs show a tail; the whole log (up to its cap) is in the invocation's record.
        log: logTail(outcome?.log ?? "", ASYNC_LOG_TAIL_BYTES),
        durationMs: outcome?.durationMs ?? 0,
        finishedAt: this.#deps.clock.now(),
      });
      // Recorded once its status is final, so a record never shows an invocation still running.
      this.#record({
        ...asyncRecordOf(record, outcome !== null),
        startedAt,
        memoryMb,
        outcome: outcome ?? { result: "", error, log: "", durationMs: 0, billedMs: 0, memoryUsedBytes: 0 },
      });
    };
    let resolved: ResolvedInvocation;
    try {
      resolved = await this.#deps.resolver.resolve({ scope: record.scope, namespace: record.namespace, name: record.functionName }, {
        qualifier: record.versionName,
        headers: {},
        routingKey: null,
        aliasLookup: "never",
      });
    } catch (error) {
      await finish("ABORTED", null, (error as Error).message);
      return;
    }
    const target = instanceTarget(targetOf(resolved), record.convention, record.contextValues);
    memoryMb = target.config.memoryMb;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await this.#capped(record.functionId, memoryMb, record.id, () => this.#deps.invoker.invoke({
        target,
        event: record.event,
        requestId: record.id,
        convention: record.convention,
        contextValues: record.contextValues,
        qualifier: record.qualifier,
      }), asIs);
      if (outcome.error?.kind === "concurrency-limit" && attempt < BUSY_RETRIES && !this.#closed) {
        await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
        continue;
      }
      await finish(outcome.error ? "FAILED" : "FINISHED", outcome);
      return;
    }
  }
}

/** The outcome of a call refused because its function's cap on concurrent executions is reached. */
function throttled(requestId: string, cap: ConcurrencyCap, running: number): InvocationOutcome {
  const limit = cap.unit === "instances" ? `${cap.value} concurrent executions` : `${cap.value} MB of concurrent executions`;
  const message = `The function's reserved concurrency (${limit}) is in use by ${running} running execution${running === 1 ? "" : "s"}; the call was refused. Try again later or raise the reserved concurrency.`;
  return { requestId, result: "", error: { kind: "concurrency-limit", message, stack: "" }, log: "", durationMs: 0, billedMs: 0, memoryUsedBytes: 0 };
}

const asIs = (o: InvocationOutcome): InvocationOutcome => o;

/** A throttle as a web function's outcome. */
function webThrottle(o: InvocationOutcome): HttpForwardOutcome {
  return { requestId: o.requestId, reply: null, error: o.error, log: o.log, durationMs: 0, billedMs: 0, memoryUsedBytes: 0 };
}

/** What names the instances a call runs on (an invocation or a forwarded HTTP request). */
type WarmInput = Pick<InvokeInput, "function" | "convention" | "contextValues">;

/** What a record says of the call: whose function, the qualifier asked, what ran, what made it. */
type RecordHead = Omit<RecordInput, "startedAt" | "memoryMb" | "outcome">;

/** The head of a synchronous call's record. */
function recordOf(input: InvokeInput | ForwardInput, resolved: ResolvedInvocation, requestId: string, source: InvocationSource): RecordHead {
  return {
    requestId,
    scope: input.function.scope,
    functionId: resolved.fn.id,
    namespace: input.function.namespace,
    functionName: input.function.name,
    qualifier: input.selector.qualifier,
    versionName: resolved.versionName,
    alias: resolved.alias,
    source,
  };
}

/**
 * What an asynchronous invocation's record says: a timer fire carries `triggerSrc: timer`. The
 * run pinned the version when it was accepted; a qualifier asked that is not that version was
 * an alias (the only other kind of qualifier).
 */
function asyncRecordOf(record: AsyncInvocationRecord, ran: boolean): RecordHead {
  return {
    requestId: record.id,
    scope: record.scope,
    functionId: record.functionId,
    namespace: record.namespace,
    functionName: record.functionName,
    qualifier: record.qualifier,
    versionName: ran ? record.versionName : "",
    alias: record.qualifier !== record.versionName ? record.qualifier : null,
    source: record.contextValues["triggerSrc"] === "timer" ? "timer" : "async",
  };
}

/** A web function's answer as its record keeps it: the body as text. */
function replyText(outcome: HttpForwardOutcome): string {
  return outcome.reply === null ? "" : outcome.reply.body.toString();
}

/** The outcome for a request routed to a version that is an event function. */
function notWebFunction(requestId: string, versionName: string): HttpForwardOutcome {
  const message = `Version ${versionName} is an event function, not a web function: it cannot serve HTTP requests directly.`;
  return { requestId, reply: null, error: { kind: "runtime-start-failed", message, stack: "" }, log: "", durationMs: 0, billedMs: 0, memoryUsedBytes: 0 };
}

/**
 * A warm instance is loaded with one convention's context and environment and with the
 * request's fixed context values, so those are part of the key: a call through another
 * dialect never runs on an instance loaded for a different one. Per-call values (the alias)
 * travel with each invocation instead, so calls through different aliases share instances.
 */
export function instanceTarget(target: InvocationTarget, convention: HandlerConvention, contextValues: Readonly<Record<string, string>>): InvocationTarget {
  const values = Object.keys(contextValues)
    .filter((k) => !PER_CALL_CONTEXT_KEYS.includes(k))
    .sort()
    .map((k) => [k, contextValues[k]]);
  return { ...target, instanceKey: `${target.instanceKey}/${convention}/${JSON.stringify(values)}` };
}

/** The exact code and configuration that runs; refuses a function that has no code yet. */
export function targetOf(resolved: ResolvedInvocation): InvocationTarget {
  const { fn, version } = resolved;
  const hostDir = version ? undefined : fn.hotReloadDir;
  const code = version ? version.code : hostDir === undefined ? fn.code : { hostDir };
  if (!code) {
    throw stateConflict(fn, "invoke");
  }
  return {
    scope: fn.scope,
    namespace: fn.namespace,
    functionName: fn.name,
    functionId: fn.id,
    version: version ? version.name : LATEST,
    instanceKey: version ? versionKey(fn.id, version.seq) : headKey(fn.id, fn.revision),
    code,
    config: version ? version.config : fn.config,
  };
}
