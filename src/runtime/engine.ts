/**
 * The execution engine: runs a version's code in isolated OS processes, one invocation per
 * process at a time. See docs/runtime.md for the process model, protocol and limits.
 */
import { chmod, mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { PER_CALL_CONTEXT_KEYS, type InvocationTarget, type OutputListener, type HttpForwardOutcome, type HttpForwardRequest, type InvocationOutcome, type InvocationRequest, type Invoker, type ProvisionState, type WarmRequest } from "../core/invoke.js";
import { SpareTrees } from "./spare-trees.js";
import type { ShownTree } from "./sandbox.js";
import { CodeCache, joinLeases, type CodeLease } from "./code-cache.js";
import { HotReload } from "./hot-reload.js";
import { keyPrefix } from "../core/instance-keys.js";
import { functionView } from "./conventions.js";
import type { Instance, OutputSink, Serving } from "./instance.js";
import { removeGroup, sweepRun } from "./debris.js";
import { detectIsolation, readRss, sweepStaleCgroups, type Isolation, type IsolationLevel } from "./isolation.js";
import { Egress } from "./egress.js";
import { Launcher } from "./launcher.js";
import { installRuntimeFiles } from "./runtime-files.js";
import { UidPool } from "./uids.js";
import { billed, deathError, failure, fromResult, violationError, wireError } from "./outcome.js";
import { ConcurrencyLimitError, Pool, SLOT } from "./pool.js";
import { resolveOptions, runLayout, type EngineOptions, type Family, type ResolvedOptions } from "./options.js";
import { ERROR_TEXT_CHARS, type WireError } from "./protocol.js";
import type { Failure } from "./instance.js";
import { Provisions } from "./provisions.js";
import { StemPool } from "./stems.js";
import { replyHeaders, serverRequestHeaders, WEB_BOOTSTRAP, WEB_PORT } from "./web.js";
import { hostConnect, NetnsConnector, ServerLink, ServerProcesses, type Exchange } from "./web-link.js";
import { NETNS_CONNECT } from "./paths.js";

export interface EngineStats {
  /** Specialised instances by state. */
  readonly states: Record<string, number>;
  /** Ready stem cells per family. */
  readonly stems: Record<Family, number>;
  /** How instances are isolated (see isolation.ts); `starting` until the engine has decided. */
  readonly isolation: IsolationLevel | "starting";
  /** Extracted code trees kept, and their bytes. */
  readonly code: { readonly trees: number; readonly bytes: number };
  /** Ready-made copies of trees (spare-trees.ts): ready now, being made, and taken by cold starts so far. */
  readonly spares: { readonly ready: number; readonly making: number; readonly taken: number };
  readonly perKey: Record<string, { instances: number; idle: number; queued: number }>;
  readonly total: number;
}

/** A new instance became ready to run `target`'s code, `durationMs` after the invocation asked for it. */
export type ColdStartListener = (target: InvocationTarget, durationMs: number) => void;

/** Specialised instances of one runtime in one state. */
export interface InstanceCount {
  readonly runtime: string;
  readonly state: string;
  readonly count: number;
}

interface Runtime {
  readonly launcher: Launcher;
  readonly stems: Record<Family, StemPool>;
}

/** Where a started instance's code and layers are, as its process sees them. */
interface Placement {
  readonly root: string;
  /** Null when the function has no layers. */
  readonly layersRoot: string | null;
  /** The trees shown to a sandboxed instance (its code, its layers): their next spares are made once it has started. */
  readonly shown: readonly ShownTree[];
}

export class Engine implements Invoker {
  readonly #opts: ResolvedOptions;
  readonly #cache: CodeCache;
  /** Ready-made copies of cached trees, so that a cold start renames instead of making directories. */
  readonly #spares: SpareTrees;
  readonly #hotReload: HotReload;
  readonly #pool: Pool;
  readonly #provisions: Provisions;
  readonly #prepared: Promise<Isolation>;
  readonly #ready: Promise<Runtime>;
  readonly #live = new Set<Instance>();
  /** Sandbox teardowns in flight; `close()` waits for them so no temp dir or cgroup leaks. */
  readonly #cleanups = new Set<Promise<void>>();
  /** Memory limit per busy instance; only polled when cgroups are unavailable. */
  readonly #memLimit = new Map<Instance, number>();
  /**
   * Without cgroups, the processes a web function's relay started (its server, each leading a
   * process group): killed with the instance, counted in its memory.
   */
  readonly #servers = new Map<Instance, number[]>();
  /** Each started web instance's connection to its server, and its processes. */
  readonly #links = new Map<Instance, { readonly link: ServerLink; readonly procs: ServerProcesses }>();
  /** Connects into sandboxes' network namespaces; null until a sandboxed web function starts. */
  #netns: NetnsConnector | null = null;
  /** Whether the warning that web functions share the host's network was given. */
  #warnedSharedNetwork = false;
  #warnedLayersPath = false;
  #rt: Runtime | null = null;
  #sweeper: NodeJS.Timeout | null = null;
  #rssPoller: NodeJS.Timeout | null = null;
  #closed = false;
  /** Public network for functions that ask for it; null where it is unavailable. */
  #egress: Egress | null = null;
  /** Keys being warmed by keepWarm, so concurrent calls start one instance, not several. */
  readonly #warming = new Set<string>();
  /** Each output listener with its number: listeners are numbered 1, 2, … as they come. */
  readonly #outputListeners = new Map<OutputListener, number>();
  /** Output listeners that came so far: the number of the last one (see `OutputSink.mark`). */
  #outputListenersCame = 0;
  readonly #coldStartListeners = new Set<ColdStartListener>();
  /** Given to every instance while anyone listens to output, and to none otherwise. */
  readonly #sink: OutputSink = {
    emit: (serving, stream, text, heardBy) => this.#emitOutput(serving, stream, text, heardBy),
    mark: () => this.#outputListenersCame,
  };

  constructor(options: EngineOptions) {
    this.#opts = resolveOptions(options);
    const o = this.#opts;
    this.#spares = new SpareTrees(runLayout(o.runDir).sparesDir);
    this.#cache = new CodeCache(runLayout(o.runDir).codeDir, o.blobFile, o.codeCache, { evicted: (root) => this.#spares.drop(root) });
    this.#hotReload = new HotReload(o.hotReloadRoot, runLayout(o.runDir).codeDir, (prefix) => this.retire(prefix));
    const limits = { perKey: o.maxInstancesPerFunction, total: o.maxInstancesTotal, queueLimit: o.queueLimit, queueTimeoutMs: o.queueTimeoutMs, patientScaleOut: o.patientScaleOut, eagerInstances: o.eagerInstances };
    this.#pool = new Pool(limits, (inst) => this.#retire(inst));
    this.#provisions = new Provisions({ pool: this.#pool, maxInstances: o.maxInstancesTotal, startOne: (req) => this.#startKept(req), retire: (inst) => this.#retire(inst) });
    this.#prepared = this.#prepare();
    this.#ready = this.#prepared.then((iso) => this.#init(iso));
    // Start-up failures surface on the first invoke; keep them from being "unhandled" meanwhile.
    this.#ready.catch(() => undefined);
  }

  /**
   * Resolves once what a killed engine left in this run directory (processes, cgroups, temp
   * dirs, extracted code) is gone. A server awaits it before it serves.
   */
  prepare(): Promise<void> {
    return this.#prepared.then(() => undefined);
  }

  /** Resolves once isolation is probed, interpreters resolved and the stem pools are filling. */
  ready(): Promise<void> {
    return this.#ready.then(() => undefined);
  }

  async #prepare(): Promise<Isolation> {
    const o = this.#opts;
    const iso = await detectIsolation(o.isolation, o.logger, o.sandboxUids.first);
    const layout = runLayout(o.runDir);
    if (iso.cgroups) void sweepStaleCgroups().catch(() => 0);
    const swept = await sweepRun(layout.runDir, layout.group, iso.cgroups, iso.freezer);
    if (swept.paths + swept.cgroups + swept.processes > 0) o.logger.info({ ...swept, runDir: layout.runDir }, "runtime: removed what a stopped engine left behind");
    // Others may traverse to their own instance dir and code tree, never list either.
    await chmod(layout.runDir, 0o711);
    await mkdir(layout.instancesDir, { mode: 0o711 });
    await installRuntimeFiles(layout.runtimeDir);
    // Sandboxes see their code through links made by root: then nobody else needs the cache.
    await this.#cache.init(iso.level === "sandbox" ? 0o700 : 0o711);
    await this.#spares.init();
    if (iso.level === "sandbox") this.#egress = await Egress.prepare(iso.egressTools, layout.runDir, layout.group, o.sandboxUids, o.egressDeny, o.logger);
    o.logger.info({ isolation: iso.level, freezer: iso.freezer }, "runtime: isolation level");
    return iso;
  }

  async #init(iso: Isolation): Promise<Runtime> {
    const o = this.#opts;
    const launcher = await Launcher.create(o, iso, (inst) => this.#track(inst), new UidPool(o.sandboxUids));
    const stem = (f: Family): StemPool => new StemPool(f, o.prewarm[f], launcher, o.logger);
    const rt = { launcher, stems: { nodejs: stem("nodejs"), python: stem("python") } };
    rt.stems.nodejs.refill();
    rt.stems.python.refill();
    this.#startTimers(!iso.cgroups);
    this.#rt = rt;
    return rt;
  }

  #startTimers(pollRss: boolean): void {
    const every = Math.min(30_000, Math.max(20, Math.floor(this.#opts.idleTimeoutMs / 4)));
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
    if (!pollRss) return;
    this.#rssPoller = setInterval(() => void this.#pollRss(), 50);
    this.#rssPoller.unref();
  }

  async invoke(req: InvocationRequest): Promise<InvocationOutcome> {
    if (this.#closed) return failure(req.requestId, wireError("runtime-start-failed", "engine is closed"), "", 0);
    if (req.target.config.type === "HTTP" || req.target.config.runtime.family === "custom") return failure(req.requestId, wireError("runtime-start-failed", "a web function is reached over HTTP (forward), not invoked with an event"), "", 0);
    return this.#onInstance(req, (inst, t0) => this.#run(inst, req, t0), (outcome) => outcome);
  }

  /**
   * Runs `use` on a warm instance of the request's key, or on a new one (code cache, stem cell
   * or fresh process, specialised) when none is free: the one path invocations and web requests
   * share. A failure before `use` could run is passed through `failed` into the caller's shape.
   */
  async #onInstance<O>(req: WarmRequest, use: (inst: Instance, t0: number) => Promise<O>, failed: (outcome: InvocationOutcome) => O): Promise<O> {
    const rt = this.#rt ?? (await this.#ready);
    const t0 = performance.now();
    let grant;
    try {
      grant = await this.#acquireLive(req.target.instanceKey);
    } catch (err) {
      const kind = err instanceof ConcurrencyLimitError ? "concurrency-limit" : "runtime-start-failed";
      return failed(failure(req.requestId, wireError(kind, String((err as Error).message)), "", performance.now() - t0));
    }
    if (grant !== SLOT) return use(grant, performance.now());
    let started: { inst: Instance } & Placement;
    try {
      started = await this.#startInSlot(rt, req);
    } catch (err) {
      const msg = `runtime failed to start: ${err instanceof Error ? err.message : String(err)}`;
      return failed(failure(req.requestId, wireError("runtime-start-failed", msg), "", performance.now() - t0));
    }
    const { inst } = started;
    try {
      const loadError = await this.#specialise(inst, req, started);
      if (loadError === null) {
        const startMs = performance.now() - t0;
        this.#pool.noteStart(req.target.instanceKey, startMs);
        this.#coldStarted(req.target, startMs);
        return await use(inst, t0);
      }
      const durationMs = performance.now() - t0;
      return failed({ ...loadError, durationMs, billedMs: billed(durationMs) });
    } finally {
      this.#replenish(rt, inst, started);
    }
  }

  /**
   * A warm instance or a slot for a new one. An idle instance whose process died while it
   * waited (killed from outside, say) is dropped rather than handed the invocation: the death
   * is the instance's, not this invocation's.
   */
  async #acquireLive(key: string): Promise<Awaited<ReturnType<Pool["acquire"]>>> {
    for (;;) {
      const grant = await this.#pool.acquire(key);
      if (grant === SLOT || grant.alive) return grant;
      this.#retireBusy(grant);
    }
  }

  /**
   * A web function's request: its instance is started like an event function's (a stem cell
   * specialised as the relay of the function's server), then serves one request at a time.
   */
  async forward(req: HttpForwardRequest): Promise<HttpForwardOutcome> {
    if (this.#closed) return webFailure(failure(req.requestId, wireError("runtime-start-failed", "engine is closed"), "", 0));
    return this.#onInstance(req, (inst, t0) => this.#serve(inst, req, t0), webFailure);
  }

  /**
   * Sends one request to a busy web instance's server over the engine's own connection to it,
   * supervised like an invocation (timeout, death, log), then parks or retires the instance.
   */
  async #serve(inst: Instance, req: HttpForwardRequest, t0: number): Promise<HttpForwardOutcome> {
    const thawing = inst.wake();
    if (thawing !== undefined) await thawing;
    const web = this.#links.get(inst);
    if (web === undefined) {
      // Only an instance whose start failed has none, and such an instance is never parked.
      this.#retireBusy(inst);
      return webFailure(failure(req.requestId, wireError("runtime-start-failed", "the function's server is not reachable"), "", performance.now() - t0));
    }
    inst.serving = { requestId: req.requestId, target: req.target, qualifier: req.qualifier };
    const { method, path, body } = req.exchange;
    const watch = inst.watch(req.target.config.timeoutSec * 1000);
    let ended: Exchange | Failure = await Promise.race([web.link.exchange({ method, path, headers: serverRequestHeaders(req), body }), watch.failure]);
    // A lost connection is most often the server dying: its death, when it comes, is the answer.
    if (ended.t === "lost") ended = (await Promise.race([watch.failure, lostGrace()])) ?? ended;
    if (ended.t === "death" || ended.t === "violation") {
      web.link.close();
      return webFailure(await this.#failed(inst, req, ended, performance.now() - t0));
    }
    // What the server printed before it answered is in the instance's pipes by now, and read
    // at the latest in the same turn of the event loop: the log is taken on the next one.
    await new Promise((resolve) => setImmediate(resolve));
    watch.end();
    const durationMs = performance.now() - t0;
    const base = { requestId: req.requestId, log: inst.outputTail(), durationMs, billedMs: billed(durationMs), memoryUsedBytes: web.procs.rss() };
    this.#park(inst);
    if (ended.t === "reply") return { ...base, reply: { status: ended.status, headers: replyHeaders(ended.rawHeaders, method), body: ended.body }, error: null };
    if (ended.t === "error") return { ...base, reply: null, error: ended.error };
    return { ...base, reply: null, error: wireError("user-error", `the function's server did not answer: ${ended.message}`) };
  }

  keepWarm(requests: readonly WarmRequest[], untilMs: number): void {
    if (this.#closed) return;
    for (const req of requests) {
      const key = req.target.instanceKey;
      this.#pool.pin(key, untilMs);
      if (this.#pool.countOf(key) > 0 || this.#warming.has(key)) continue;
      this.#warming.add(key);
      void this.#warm(req)
        .catch((err: unknown) => this.#opts.logger.warn({ err: String(err), key }, "runtime: could not pre-warm an instance"))
        .finally(() => this.#warming.delete(key));
    }
  }

  retire(keyPrefix: string): void {
    this.#provisions.forget(keyPrefix);
    for (const inst of this.#pool.dropKeys(keyPrefix)) this.#retire(inst);
  }

  provision(req: WarmRequest, count: number): void {
    if (this.#closed) return;
    this.#provisions.set(req, count);
  }

  provisionState(instanceKey: string): ProvisionState | null {
    return this.#provisions.state(instanceKey);
  }

  /** Starts one kept instance in a slot the pool granted, and parks it idle; the failure's text, or null. */
  async #startKept(req: WarmRequest): Promise<string | null> {
    const rt = this.#rt ?? (await this.#ready);
    let started: { inst: Instance } & Placement;
    try {
      started = await this.#startInSlot(rt, req);
    } catch (err) {
      return `an instance could not start: ${err instanceof Error ? err.message : String(err)}`;
    }
    const { inst } = started;
    try {
      const loadError = await this.#specialise(inst, req, started);
      if (loadError === null) {
        this.#park(inst);
        return null;
      }
      return `the function could not be loaded: ${loadError.error?.message ?? "unknown error"}`;
    } finally {
      this.#replenish(rt, inst, started);
    }
  }

  /** Starts and specialises one instance of the request's target and parks it idle, unused. */
  async #warm(req: WarmRequest): Promise<void> {
    const rt = this.#rt ?? (await this.#ready);
    const key = req.target.instanceKey;
    const grant = await this.#pool.acquire(key);
    if (grant !== SLOT) {
      this.#park(grant);
      return;
    }
    const started = await this.#startInSlot(rt, req);
    const { inst } = started;
    try {
      // A load error retires the instance inside #specialise; success parks it idle.
      if ((await this.#specialise(inst, req, started)) === null) this.#park(inst);
    } finally {
      this.#replenish(rt, inst, started);
    }
  }

  /** Runs one invocation on a busy instance, then returns it to the pool or retires it. */
  async #run(inst: Instance, req: InvocationRequest, t0: number): Promise<InvocationOutcome> {
    const timeoutMs = req.target.config.timeoutSec * 1000;
    const thawing = inst.wake();
    if (thawing !== undefined) await thawing;
    inst.serving = { requestId: req.requestId, target: req.target, qualifier: req.qualifier };
    const m = await inst.invoke({ t: "inv", id: req.requestId, ev: req.event, ...perCallContext(req) }, timeoutMs);
    const durationMs = performance.now() - t0;
    if (m.t === "res") {
      if (m.retire === true) this.#retireBusy(inst);
      else this.#park(inst);
      return fromResult(req.requestId, m, durationMs);
    }
    return this.#failed(inst, req, m, durationMs);
  }

  /** A busy instance is done: to the next caller of its key, or idle (and frozen after a grace). */
  #park(inst: Instance): void {
    if (!this.#pool.release(inst, Date.now())) {
      this.#retireBusy(inst);
      return;
    }
    if (inst.state === "idle") inst.rest(this.#opts.freezeAfterMs);
  }

  async #failed(inst: Instance, req: WarmRequest, m: Failure, durationMs: number): Promise<InvocationOutcome> {
    this.#retireBusy(inst);
    if (m.t === "violation") return failure(req.requestId, violationError(m.detail), m.output, durationMs);
    const oom = m.signal === "SIGKILL" && m.reason === null && (await inst.sandbox.oomKilled());
    const { timeoutSec, memoryMb } = req.target.config;
    return failure(req.requestId, deathError(m, oom, timeoutSec, memoryMb), m.output, durationMs);
  }

  /**
   * Fills a reserved pool slot: the code extracted, a process obtained and made a member of
   * the request's key. On failure the slot is given back.
   */
  async #startInSlot(rt: Runtime, req: WarmRequest): Promise<{ inst: Instance } & Placement> {
    const key = req.target.instanceKey;
    let inst: Instance;
    let code: CodeLease | undefined;
    let layers: CodeLease | undefined;
    try {
      const source = req.target.code;
      code = "hostDir" in source ? await this.#hotReload.acquire(source.hostDir, keyPrefix.head(req.target.functionId)) : await this.#cache.acquire(source.sha256);
      const bound = req.target.config.layers ?? [];
      if (bound.length > 0) layers = await this.#cache.acquireMerged(bound.map((layer) => layer.code.sha256));
      inst = await this.#obtain(rt, familyOf(req));
    } catch (err) {
      code?.release();
      layers?.release();
      this.#pool.releaseSlot(key);
      throw err;
    }
    inst.key = key;
    inst.code = joinLeases(code, layers);
    inst.runtime = runtimeLabel(req.target.config.runtime);
    this.#pool.adopt(inst);
    try {
      const placed = await inst.sandbox.installCode(code, req.convention, layers ?? null, this.#spares);
      if (placed.layersRoot !== null && inst.sandbox.uid === undefined) this.#warnLayersWithoutSandbox();
      const helpers = inst.sandbox.helperCgroups;
      if (req.target.config.publicNetwork === true && this.#egress !== null && helpers !== null) await this.#egress.attach(inst.sandbox, helpers.procs, helpers.pids);
      const shown = inst.sandbox.uid === undefined ? [] : layers === undefined ? [code] : [code, layers];
      return { inst, ...placed, shown };
    } catch (err) {
      this.#retireBusy(inst);
      throw err;
    }
  }

  /**
   * After a start (its first call included, when it had one), what it used is made again in the
   * background: a stem cell of its family, and spares of the trees it was shown. Not before,
   * so that a cold start never shares the CPU with the making of the next one's.
   */
  #replenish(rt: Runtime, inst: Instance, started: Placement): void {
    rt.stems[inst.family].refill();
    for (const tree of started.shown) this.#spares.replenish(tree);
  }

  /** A stem cell when one is ready, else a fresh process. Returned `busy`. */
  async #obtain(rt: Runtime, family: Family): Promise<Instance> {
    const stem = rt.stems[family].take();
    if (stem !== undefined) return stem;
    rt.stems[family].refill();
    const inst = await rt.launcher.launch(family);
    if (this.#closed || !inst.alive) {
      inst.kill("dispose");
      throw new Error(this.#closed ? "engine is closing" : "runtime process died as it started");
    }
    inst.to("idle");
    inst.to("busy");
    return inst;
  }

  /** Without a sandbox no process has an `/opt` of its own: said once, when a function with layers first starts. */
  #warnLayersWithoutSandbox(): void {
    if (this.#warnedLayersPath) return;
    this.#warnedLayersPath = true;
    this.#opts.logger.warn({ isolation: this.#rt?.launcher.isolation.level }, "runtime: without a sandbox, layers are not mounted at /opt; NODE_PATH and PYTHONPATH point at their extracted files instead, so require/import by module name works but paths under /opt do not");
  }

  async #specialise(inst: Instance, req: WarmRequest, { root, layersRoot }: Placement): Promise<InvocationOutcome | null> {
    const { config } = req.target;
    const limit = (config.memoryMb + this.#opts.memoryOverheadMb[familyOf(req)]) * 1024 * 1024;
    this.#memLimit.set(inst, limit);
    await inst.sandbox.setMemoryLimit(limit).catch((err: unknown) => this.#opts.logger.warn({ err: String(err) }, "runtime: could not set memory limit"));
    const view = functionView(req, root, inst.sandbox.tmpDir, layersRoot);
    const timeoutMs = config.timeoutSec * 1000;
    const loaded = await this.#load(inst, req, root, view, timeoutMs);
    inst.specialised = loaded === null;
    return loaded;
  }

  /** Loads the handler (or starts a web function's server) in a process made a member of the request's key. */
  async #load(inst: Instance, req: WarmRequest, root: string, view: ReturnType<typeof functionView>, timeoutMs: number): Promise<InvocationOutcome | null> {
    const o = this.#opts;
    const { config } = req.target;
    if (config.type === "HTTP") return this.#startServer(inst, req, root, view.env);
    const msg = { t: "load", root, handler: config.handler, convention: req.convention, env: view.env, ctx: view.ctx, timeoutMs, logTailBytes: o.logTailBytes, maxResultBytes: o.maxResultBytes, errorTextChars: ERROR_TEXT_CHARS } as const;
    const m = await inst.load(msg, timeoutMs);
    if (m.t === "loaded") return m.err === null ? null : this.#loadFailed(inst, req, m.err);
    return this.#failed(inst, req, m, 0);
  }

  #loadFailed(inst: Instance, req: WarmRequest, err: WireError, log = ""): InvocationOutcome {
    // A version whose code cannot load leaves the process in an unknown state: never reuse it.
    this.#retireBusy(inst);
    return failure(req.requestId, err, log, 0);
  }

  /**
   * Specialises a process as a web function's relay: it starts the package's bootstrap with
   * the function's environment and answers once the server accepts connections, within the
   * function's timeout. In a sandbox the server has the instance's network namespace to
   * itself and listens on the vendor's port; elsewhere instances share the host's, so each
   * gets a free port of its own in PORT.
   */
  async #startServer(inst: Instance, req: WarmRequest, root: string, env: Record<string, string>): Promise<InvocationOutcome | null> {
    const o = this.#opts;
    const rt = this.#rt;
    const iso = rt?.launcher.isolation;
    const ownNetwork = inst.sandbox.uid !== undefined;
    if (!ownNetwork && !this.#warnedSharedNetwork) {
      this.#warnedSharedNetwork = true;
      o.logger.warn({ isolation: iso?.level }, "runtime: web functions share the host's network without a sandbox, so each instance's server is given a free port in PORT instead of the vendor's (SCF 9000, FunctionGraph 8000); a server that ignores PORT serves only one instance at a time");
    }
    const port = ownNetwork ? WEB_PORT[req.convention] : await freePort();
    const msg = {
      t: "web",
      root,
      bootstraps: bootstrapsFor(req.convention, root),
      env: { ...env, PATH: rt?.launcher.webPath ?? env.PATH ?? "" },
      port,
      ownGroup: iso?.cgroups !== true,
      errorTextChars: ERROR_TEXT_CHARS,
    } as const;
    const m = await inst.startServer(msg, req.target.config.timeoutSec * 1000);
    if (m.t !== "loaded") {
      const failed = await this.#failed(inst, req, m, 0);
      const why = failed.error?.kind === "timeout" ? `did not accept connections within ${req.target.config.timeoutSec} s` : failed.error?.message ?? "failed";
      return { ...failed, error: wireError("runtime-start-failed", `the function's server ${why}`) };
    }
    if (m.err !== null) {
      // The server's output reached the engine before the relay saw it exit; read it first.
      await new Promise((resolve) => setImmediate(resolve));
      return this.#loadFailed(inst, req, m.err, inst.outputTail());
    }
    if (iso?.cgroups !== true && inst.pid !== undefined) this.#servers.set(inst, await childPids(inst.pid));
    return this.#linkServer(inst, req, ownNetwork, port);
  }

  /** Opens the engine's way to a started server: directly, or through its network namespace. */
  async #linkServer(inst: Instance, req: WarmRequest, ownNetwork: boolean, port: number): Promise<InvocationOutcome | null> {
    const pid = inst.pid;
    let procs: ServerProcesses;
    try {
      if (pid === undefined) throw new Error("the instance has no process");
      procs = await ServerProcesses.find(pid, ownNetwork);
    } catch (err) {
      return this.#loadFailed(inst, req, wireError("runtime-start-failed", `the function's server cannot be reached: ${(err as Error).message}`));
    }
    let connect = hostConnect(port);
    if (procs.netnsPid !== null) {
      const connector = this.#netnsConnector();
      if (connector === null) {
        procs.close();
        return this.#loadFailed(inst, req, wireError("runtime-start-failed", "a sandboxed web function needs python3 on the host: the engine's helper that connects into the sandbox's network is a Python script"));
      }
      connect = connector.connect({ ...procs.netnsPid, port });
    }
    if (!inst.alive) {
      procs.close();
      return this.#loadFailed(inst, req, wireError("runtime-start-failed", "the function's server exited as it started"), inst.outputTail());
    }
    this.#links.set(inst, { link: new ServerLink(connect, this.#opts.maxResultBytes), procs });
    return null;
  }

  #netnsConnector(): NetnsConnector | null {
    if (this.#netns !== null) return this.#netns;
    const python = this.#rt?.launcher.hostPython ?? null;
    if (python === null) return null;
    this.#netns = new NetnsConnector(python, NETNS_CONNECT);
    return this.#netns;
  }

  /**
   * Registers every process the launcher starts, before anyone else sees it, so its death is
   * always noticed and its sandbox cleaned up. One that arrives after close is killed at once.
   */
  #track(inst: Instance): void {
    this.#live.add(inst);
    if (this.#outputListeners.size > 0) inst.streamOutput(this.#sink);
    inst.onDeath((i) => this.#onDeath(i));
    if (this.#closed) inst.kill("dispose");
  }

  #onDeath(inst: Instance): void {
    this.#live.delete(inst);
    inst.code?.release();
    this.#memLimit.delete(inst);
    this.#killServers(inst);
    this.#unlink(inst);
    this.#pool.remove(inst);
    if (inst.key === null) this.#rt?.stems[inst.family].forget(inst);
    else if (!this.#closed) this.#provisions.left(inst.key);
    if (inst.state !== "dead") inst.to("dead");
    const cleanup = inst.sandbox.destroy().catch((err: unknown) => this.#opts.logger.warn({ err: String(err) }, "runtime: sandbox cleanup failed"));
    this.#cleanups.add(cleanup);
    void cleanup.finally(() => this.#cleanups.delete(cleanup));
  }

  #unlink(inst: Instance): void {
    const web = this.#links.get(inst);
    if (web === undefined) return;
    this.#links.delete(inst);
    web.link.close();
    web.procs.close();
  }

  #retireBusy(inst: Instance): void {
    this.#pool.remove(inst);
    this.#retire(inst);
  }

  #retire(inst: Instance): void {
    if (inst.state === "idle" || inst.state === "busy" || inst.state === "starting") inst.to("retiring");
    inst.kill("dispose");
    // The process is gone for good: its code tree may be evicted from now on.
    inst.code?.release();
  }

  #sweep(): void {
    const now = Date.now();
    for (const inst of this.#pool.takeIdleSince(now - this.#opts.idleTimeoutMs, now)) this.#retire(inst);
    this.#cache.evict();
  }

  /** Degraded mode only: kill busy instances whose RSS (a web function's server included) exceeds their limit. */
  async #pollRss(): Promise<void> {
    for (const [inst, limit] of this.#memLimit) {
      const pid = inst.pid;
      if (inst.state !== "busy" || pid === undefined) continue;
      const pids = [pid, ...(this.#servers.get(inst) ?? [])];
      const rss = (await Promise.all(pids.map((p) => readRss(p).catch(() => 0)))).reduce((a, b) => a + b, 0);
      if (rss > limit) {
        this.#killServers(inst);
        inst.kill("memory");
      }
    }
  }

  /** Without cgroups nothing else ends a web function's server with its relay: its process group is killed. */
  #killServers(inst: Instance): void {
    const pids = this.#servers.get(inst);
    if (pids === undefined) return;
    this.#servers.delete(inst);
    for (const pid of pids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }

  /**
   * Hands `listener` what every running invocation prints, as the engine reads it, until the
   * returned function is called. While nobody listens, instances hand their output to no one.
   * Output read after an invocation answered is that invocation's when the child's byte counts
   * say it was written before the answer (a pipe drained late), and is heard only by the
   * listeners there when the answer came; output written after the answer (a timer the handler
   * left) belongs to the last request the instance served (see `Instance`, output-attribution.ts).
   */
  watchOutput(listener: OutputListener): () => void {
    if (this.#outputListeners.size === 0) for (const inst of this.#live) inst.streamOutput(this.#sink);
    if (!this.#outputListeners.has(listener)) this.#outputListeners.set(listener, ++this.#outputListenersCame);
    return () => {
      if (!this.#outputListeners.delete(listener) || this.#outputListeners.size > 0) return;
      for (const inst of this.#live) inst.streamOutput(null);
    };
  }

  /** Tells `listener` of every cold start (an invocation that waited for a new instance) until the returned function is called. */
  watchColdStarts(listener: ColdStartListener): () => void {
    this.#coldStartListeners.add(listener);
    return () => {
      this.#coldStartListeners.delete(listener);
    };
  }

  /** `heardBy`: late output of a call that answered at that `mark()`, for the listeners that came by then only. */
  #emitOutput(serving: Serving, stream: "stdout" | "stderr", text: string, heardBy: number | null): void {
    const chunk = { requestId: serving.requestId, target: serving.target, qualifier: serving.qualifier, stream, text };
    for (const [listener, number] of this.#outputListeners) {
      if (heardBy !== null && number > heardBy) continue;
      try {
        listener(chunk);
      } catch (err) {
        this.#opts.logger.warn({ err: String(err) }, "runtime: an output listener failed");
      }
    }
  }

  #coldStarted(target: InvocationTarget, durationMs: number): void {
    for (const listener of this.#coldStartListeners) listener(target, durationMs);
  }

  /** Specialised instances by runtime and state (stem cells are not counted: see `stats().stems`). */
  instanceCounts(): InstanceCount[] {
    const counts = new Map<string, InstanceCount>();
    for (const inst of this.#live) {
      if (inst.runtime === null) continue;
      const id = `${inst.runtime}\0${inst.state}`;
      counts.set(id, { runtime: inst.runtime, state: inst.state, count: (counts.get(id)?.count ?? 0) + 1 });
    }
    return [...counts.values()];
  }

  stats(): EngineStats {
    const states: Record<string, number> = { starting: 0, idle: 0, busy: 0, retiring: 0, dead: 0 };
    for (const inst of this.#live) if (inst.key !== null) states[inst.state] = (states[inst.state] ?? 0) + 1;
    const stems = { nodejs: this.#rt?.stems.nodejs.size ?? 0, python: this.#rt?.stems.python.size ?? 0 };
    return { states, stems, isolation: this.#rt?.launcher.isolation.level ?? "starting", code: this.#cache.stats(), spares: this.#spares.stats(), ...this.#pool.stats() };
  }

  /** Kills every process, including ones still starting, and waits (bounded) for them to be reaped. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#provisions.close();
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    if (this.#rssPoller !== null) clearInterval(this.#rssPoller);
    const rt = await this.#ready.catch(() => null);
    rt?.stems.nodejs.close();
    rt?.stems.python.close();
    this.#pool.drainAll();
    await this.#hotReload.close();
    // Starts in flight end either in a failure (their sandbox removed) or in #track, which
    // kills them now that the engine is closed.
    await rt?.launcher.drain();
    const dying = [...this.#live].map((inst) => new Promise<void>((resolve) => {
      inst.onDeath((i) => {
        this.#onDeath(i);
        resolve();
      });
      inst.kill("dispose");
    }));
    await Promise.race([Promise.all(dying), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await Promise.all(this.#cleanups);
    this.#netns?.close();
    await this.#egress?.close();
    // A clean stop leaves nothing: the engine's (now empty) cgroup group goes too.
    await removeGroup(runLayout(this.#opts.runDir).group);
  }
}

/** A runtime as metrics name it: `nodejs18`, `python3.9`, or `custom` (a web function's own server). */
function runtimeLabel(runtime: InvocationTarget["config"]["runtime"]): string {
  return runtime.family === "custom" ? "custom" : `${runtime.family}${runtime.version}`;
}

/** The process family an instance runs: a web function's relay is a Node.js process, whatever its server runs. */
function familyOf(req: WarmRequest): Family {
  const { family } = req.target.config.runtime;
  return req.target.config.type === "HTTP" || family === "custom" ? "nodejs" : family;
}

/**
 * The calling vendor's bootstrap file first, then the other's: a web function created through
 * one API and served through the other's trigger still starts.
 */
function bootstrapsFor(convention: WarmRequest["convention"], root: string): { path: string; shell: boolean }[] {
  const order = convention === "scf" ? (["scf", "fgs"] as const) : (["fgs", "scf"] as const);
  return order.map((c) => ({ path: `${root}/${WEB_BOOTSTRAP[c]}`, shell: c === "fgs" }));
}

/** An invocation's failure as a web function's outcome. */
function webFailure(o: InvocationOutcome): HttpForwardOutcome {
  return { requestId: o.requestId, reply: null, error: o.error, log: o.log, durationMs: o.durationMs, billedMs: o.billedMs, memoryUsedBytes: o.memoryUsedBytes };
}

/** After a lost connection, how long the server's death may take to be seen before the loss is the answer. */
const LOST_GRACE_MS = 200;

function lostGrace(): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), LOST_GRACE_MS).unref());
}

/** A port nothing on the host listens on now, for a server that shares the host's network. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The direct children of a process (Linux `/proc/<pid>/task/<pid>/children`). */
async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
  return text.split(" ").filter((p) => p.trim() !== "").map(Number);
}

/** The context values that vary per call, sent with each invocation (none for most calls). */
function perCallContext(req: InvocationRequest): { ctx?: Record<string, string> } {
  const values = PER_CALL_CONTEXT_KEYS.filter((key) => req.contextValues[key] !== undefined);
  if (values.length === 0) return {};
  return { ctx: Object.fromEntries(values.map((key) => [key, req.contextValues[key] ?? ""])) };
}
