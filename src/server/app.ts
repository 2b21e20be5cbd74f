import { randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { loadAccountsFile, loadOrCreateDefaultAccounts, type AccountRegistry } from "../accounts/accounts.js";
import { FsBlobStore } from "../blobs/fs-blob-store.js";
import { PgBlobStore } from "../blobs/pg-blob-store.js";
import { HostDirs } from "../code/host-dirs.js";
import { ZipInspector } from "../code/zip-inspector.js";
import { ConfigError, type QuiverConfig } from "../config/config.js";
import type { BlobStore, Clock, MetadataStore, SplitCounter, TokenLimiter } from "../core/ports.js";
import { collectUnreferencedBlobs } from "../core/blob-gc.js";
import { systemClock, VirtualClock } from "../core/clocks.js";
import { TimerScheduler, type TimerSchedulerDeps } from "../core/timer-scheduler.js";
import { InvocationService } from "../core/invocations.js";
import { newRequestId } from "../core/request-ids.js";
import { CapacityKeeper } from "../core/capacity-keeper.js";
import type { CapacityHooks } from "../core/functions/context.js";
import { ENGINE_LOG_SLACK_BYTES, InvocationRecorder } from "../core/invocation-records.js";
import { AliasRouter, LocalSplitCounter } from "../core/routing.js";
import { FunctionService } from "../core/service.js";
import { cachedReads } from "../core/read-cache.js";
import type { DialectDeps } from "../dialects/shared/dialect.js";
import { RateLimiter, unknownRateOverrides } from "../dialects/shared/rate-limiter.js";
import { TriggerUrls } from "../dialects/shared/trigger-urls.js";
import { sendAnswer } from "../dialects/shared/wire-answer.js";
import { QuiverError } from "../core/errors.js";
import { scfDoorError } from "../dialects/http-door/plugin.js";
import { Engine } from "../runtime/index.js";
import { RedisLimiter } from "../cluster/redis-limiter.js";
import { RedisLink } from "../cluster/redis-link.js";
import { RedisSplitCounter } from "../cluster/redis-split-counter.js";
import { PostgresStore } from "../store/postgres/postgres-store.js";
import { SqliteStore } from "../store/sqlite/sqlite-store.js";
import { lockDataDir, runDirFor, type DataDirLock } from "./data-dir-lock.js";
import { registerClockEndpoints } from "./clock-endpoint.js";
import { registerConsole } from "./console.js";
import { createHttpServer } from "./http-server.js";
import { LiveTails } from "./logs-tail.js";
import { isLoopback, QuiverMetrics, registerMetricsEndpoint } from "./metrics.js";
import { registerReadiness } from "./readyz.js";
import { registerQuiverApi } from "./quiver-api.js";
import { registerCodeDownload } from "./code-download.js";
import { registerStatsEndpoint } from "./stats-endpoint.js";
import { DIALECTS, TRIGGER_DOORS, allActionNames, timerEvents } from "./dialects.js";

export interface Quiver {
  readonly app: FastifyInstance;
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  /** Every invocation's record goes through it (`subscribe` to hear each one as it is taken). */
  readonly recorder: InvocationRecorder;
  /** Fires timer triggers; `fireNow` and (virtual clock) `advance`. */
  readonly timers: TimerScheduler;
  readonly engine: Engine;
  readonly store: MetadataStore;
  readonly accounts: AccountRegistry;
  /** Where each HTTP trigger is reached (on the trigger listener once it listens). */
  readonly triggerUrls: TriggerUrls;
  /** True when this start created the default account (its keys should be shown once). */
  readonly createdDefaultAccount: boolean;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

/**
 * The composition root: builds every part from the configuration and wires them together.
 * Nothing below this file constructs its own dependencies.
 */
export async function createQuiver(config: QuiverConfig): Promise<Quiver> {
  checkRateOverrides(config);
  hotReloadRootOf(config);
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // Function code runs as an unprivileged user; it must not be able to read Quiver's data.
  chmodSync(dataDir, 0o700);
  const lock = await lockDataDir(dataDir);
  try {
    return await assemble(config, dataDir, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function assemble(config: QuiverConfig, dataDir: string, lock: DataDirLock): Promise<Quiver> {
  const { registry: accounts, created } = config.accountsFile
    ? { registry: loadAccountsFile(config.accountsFile), created: false }
    : loadOrCreateDefaultAccounts(dataDir, config.region);

  // First, so the store is timed and the service counted from the start.
  const metrics = new QuiverMetrics(config.metrics);
  // Invocations read function, version and alias rows from memory, dropped on every change (core/read-cache.ts).
  const store = cachedReads(metrics.timedStore(await openStore(config, dataDir)));
  const blobs = await openBlobStore(config, dataDir);
  const app = createHttpServer(config);
  // One clock for every timestamp and fire time: the system's, or a virtual one tests move.
  const timerClock = clockFor(config);
  const clock = timerClock.clock;
  const ids = { uuid: () => randomUUID() };
  // Invocations take time-ordered request ids (core/request-ids.ts: why).
  const requestIds = { uuid: () => newRequestId() };
  const shared = clusterCounters(config, app.log);
  // Set once the engine exists: the service tells it which warm instances became unreachable.
  let retire: (prefix: string) => void = () => undefined;
  const onCodeRetired = (prefix: string): void => {
    retire(prefix);
    // A replaced head an alias routes to: the keeper provisions its new revision.
    void keeper?.reconcile();
  };
  // Set once the engine exists: the node's provisioned instances (core/capacity-keeper.ts).
  let keeper: CapacityKeeper | null = null;
  const capacity: CapacityHooks = {
    machineInstances: config.engine.maxInstancesTotal,
    status: (c) => keeper?.status(c) ?? { allocated: 0, available: 0, status: "InProgress", reason: "" },
    changed: () => keeper?.reconcile() ?? Promise.resolve(),
  };
  // Set once the scheduler exists: a trigger changed here is looked at again at once.
  let onTriggersChanged = (): void => undefined;
  const hotReloadRoot = hotReloadRootOf(config);
  const service = new FunctionService({
    store, blobs, inspector: new ZipInspector(), clock, ids, router: new AliasRouter(shared.splits), onCodeRetired, capacity, onTriggersChanged: () => onTriggersChanged(), onPublished: metrics.published,
    ...(hotReloadRoot === undefined ? {} : { hostDirs: new HostDirs(hotReloadRoot) }),
  });
  await service.functions.recover();

  app.get("/healthz", async () => ({ status: "ok" }));
  registerConsole(app, { region: config.region });
  registerMetricsEndpoint(app, metrics, config);
  if (config.metrics.token === undefined && !isLoopback(config.host)) app.log.warn({ host: config.host }, "GET /metrics is refused: the server listens beyond loopback and no --metrics-token is set");
  app.log.info({ store: store.kind }, "metadata store opened");
  const blobGc = startBlobCollection(store, blobs, (removed) => app.log.info({ removed }, "removed unreferenced code packages"));

  // The engine reads code blobs from the data dir as root and extracts them to a cache the
  // unprivileged function processes can read.
  const engine = new Engine({
    blobFile: (sha256) => blobs.localFile(sha256),
    logger: app.log,
    runDir: runDirFor(dataDir),
    egressDeny: await storeAddresses(config),
    // Output kept per invocation: what its record keeps (each dialect cuts its own tail when it answers).
    ...(config.records.enabled ? { logTailBytes: config.records.maxLogBytes + ENGINE_LOG_SLACK_BYTES } : {}),
    ...config.engine,
    hotReloadRoot,
  });
  // What a killed server left (processes, cgroups, temp dirs) is removed before anything runs.
  await engine.prepare();
  retire = (prefix) => engine.retire(prefix);
  const recorder = new InvocationRecorder({
    store: config.records.enabled ? store : null,
    caps: { maxLogBytes: config.records.maxLogBytes, maxResultBytes: config.records.maxResultBytes },
    onError: (error, dropped) => app.log.error({ err: error, dropped }, "invocation records could not be written"),
  });
  const stopRetention = startRecordRetention(store, clock, config.records, app.log);
  const invocations = new InvocationService({
    resolver: service.resolver,
    store,
    invoker: engine,
    clock,
    ids: requestIds,
    asyncConcurrency: config.engine.asyncConcurrency,
    // Half a lease: a dead node's work is taken over between one and one and a half leases after its last renewal.
    takeoverEveryMs: config.store === "postgres" ? Math.floor(config.nodeLeaseMs / 2) : null,
    onTakeoverError: (error) => app.log.warn({ err: error }, "could not look for a gone node's unfinished invocations; trying again"),
    onAsyncError: (error, record) => app.log.error({ err: error, requestId: record.id }, "async invocation failed to run"),
    recorder,
    caps: { capOf: (functionId) => keeper?.capOf(functionId) },
  });
  keeper = new CapacityKeeper({
    store,
    resolver: service.resolver,
    invoker: engine,
    clock,
    wakesItself: timerClock.kind === "system",
    refreshMs: config.timers.refreshMs,
    onError: (error, c) => app.log.warn({ err: error, functionId: c?.functionId, qualifier: c?.qualifier }, "provisioned instances could not be kept"),
  });
  // Before invocations resume: reserved concurrency applies to them too.
  await keeper.start();
  await invocations.resumePending();
  metrics.attach({ engine, invocations, records: recorder, maxInstancesTotal: config.engine.maxInstancesTotal });
  registerReadiness(app, { store, engineReady: () => engine.ready() });
  const tails = new LiveTails({ accounts, findFunction: (ref) => service.functions.get(ref), output: engine, records: recorder, defaultRegion: config.region });
  const timers = new TimerScheduler({
    store,
    invocations,
    triggers: service.triggers,
    events: timerEvents(accounts),
    clock: timerClock,
    missed: config.timers.missed,
    refreshMs: config.timers.refreshMs,
    onError: (error, trigger) => app.log.warn({ err: error, triggerId: trigger?.id }, "a timer trigger could not fire"),
  });
  // Quiver's own API (live tail, statistics, virtual clock) under /quiver, with one error shape.
  await registerQuiverApi(app, (scope) => {
    tails.register(scope);
    registerCodeDownload(scope, accounts, service, blobs);
    registerStatsEndpoint(scope, { accounts, findFunction: (ref) => service.functions.get(ref), records: store, clock, defaultRegion: config.region, limiter: config.rateLimits.enabled ? shared.limiter : null });
    if (timerClock.kind === "virtual") registerClockEndpoints(scope, timerClock.clock, timers, () => keeper?.reconcile() ?? Promise.resolve());
  });

  // With --http-trigger-port a second listener serves the trigger URLs and nothing else.
  const triggerApp = config.httpTriggerPort === undefined ? null : createHttpServer(config, scfDoorError);
  const triggerUrls = triggerUrlsFor(config, triggerApp ?? app);
  const deps: DialectDeps = { service, invocations, records: store, clock, timers, accounts, config, limiter: shared.limiter, triggerUrls, observeApiRequest: metrics.apiRequest };
  for (const dialect of DIALECTS) await app.register(dialect.plugin, deps);
  if (triggerApp) {
    triggerApp.setNotFoundHandler(async (request, reply) => {
      await sendAnswer(reply, scfDoorError(new QuiverError("UnknownAction", `No trigger is served at ${request.method} ${request.url}.`), randomUUID()));
    });
    for (const door of TRIGGER_DOORS) await triggerApp.register(door.plugin, deps);
  }
  // Started last: a fire may run at once, on everything built above.
  await timers.start();
  onTriggersChanged = () => timers.refresh();

  return {
    app,
    service,
    invocations,
    recorder,
    timers,
    engine,
    store,
    accounts,
    triggerUrls,
    createdDefaultAccount: created,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      if (triggerApp) await triggerApp.listen({ host: config.host, port: config.httpTriggerPort });
      const address = app.server.address();
      const port = typeof address === "object" && address ? address.port : config.port;
      const host = config.host.includes(":") ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    async close() {
      clearInterval(blobGc);
      stopRetention();
      // Live tails never end by themselves: ended first, or the server would wait for them.
      tails.closeAll();
      await Promise.all([app.close(), triggerApp?.close()]);
      await timers.stop();
      keeper?.stop();
      await invocations.close();
      // After the last invocation finished: its record is written before the store closes.
      await recorder.close();
      await engine.close();
      metrics.close();
      await shared.close();
      await blobs.close?.();
      await store.close();
      await lock.release();
    },
  };
}

/**
 * Rate limits and weighted-split counters: shared by the cluster through Redis when
 * `redisUrl` is set (falling back to this node's own while Redis is away), else this node's own.
 */
function clusterCounters(config: QuiverConfig, log: FastifyInstance["log"]): { limiter: TokenLimiter; splits: SplitCounter; close(): Promise<void> } {
  const local = { limiter: new RateLimiter(), splits: new LocalSplitCounter() };
  if (config.redisUrl === undefined) return { ...local, close: async () => undefined };
  const link = new RedisLink(config.redisUrl, config.redisKeyPrefix, log);
  return { limiter: new RedisLimiter(link, local.limiter), splits: new RedisSplitCounter(link, local.splits), close: () => link.close() };
}

/** The clock the configuration names; a virtual one starts at `timers.clockStart`, else now. */
function clockFor(config: QuiverConfig): TimerSchedulerDeps["clock"] {
  if (config.timers.clock === "system") return { kind: "system", clock: systemClock };
  const start = config.timers.clockStart === undefined ? Date.now() : Date.parse(config.timers.clockStart);
  return { kind: "virtual", clock: new VirtualClock(start) };
}

/** Trigger URLs under `--public-url`, else on the address of the listener that serves triggers. */
function triggerUrlsFor(config: QuiverConfig, triggerListener: FastifyInstance): TriggerUrls {
  if (config.publicUrl !== undefined) return TriggerUrls.fixed(config.publicUrl);
  return TriggerUrls.listening(config.host, config.httpTriggerPort ?? config.port, () => triggerListener.server.address());
}

/** `rateLimits.overrides` may only name actions a dialect serves; anything else is a typo. */
function checkRateOverrides(config: QuiverConfig): void {
  const unknown = unknownRateOverrides(config.rateLimits.overrides, allActionNames());
  if (unknown.length > 0) {
    throw new ConfigError(`rate limit for unknown action ${unknown.map((name) => `"${name}"`).join(", ")}: name an SCF action (e.g. PublishVersion) or a FunctionGraph operation (e.g. createFunctionVersion)`);
  }
}

/**
 * Code blobs: files under `--blob-dir` (default `<data-dir>/blobs`), or PostgreSQL with this
 * node's copies under `<data-dir>/blob-cache`. Either directory is 0700: code packages are
 * Quiver's to read, not its functions' (a shared --blob-dir too).
 */
async function openBlobStore(config: QuiverConfig, dataDir: string): Promise<BlobStore> {
  if (config.blobStore === "postgres" && config.databaseUrl !== undefined) {
    return PgBlobStore.open({ url: config.databaseUrl, cacheDir: join(dataDir, "blob-cache") });
  }
  const blobDir = config.blobDir === undefined ? join(dataDir, "blobs") : resolve(config.blobDir);
  mkdirSync(blobDir, { recursive: true, mode: 0o700 });
  chmodSync(blobDir, 0o700);
  return new FsBlobStore(blobDir);
}

/** The metadata store the configuration names; PostgreSQL (and the `pg` driver) only when asked for. */
async function openStore(config: QuiverConfig, dataDir: string): Promise<MetadataStore> {
  if (config.store === "sqlite") return new SqliteStore(join(dataDir, "quiver.db"));
  // parseConfig refuses postgres without a URL; this keeps the type checker convinced.
  if (config.databaseUrl === undefined) throw new Error("store postgres needs databaseUrl");
  return PostgresStore.open({ url: config.databaseUrl, leaseMs: config.nodeLeaseMs });
}

/**
 * Where the metadata store listens when it is not on this host: functions with public network
 * must never reach it (the host's own addresses are refused anyway).
 */
async function storeAddresses(config: QuiverConfig): Promise<string[]> {
  if (config.databaseUrl === undefined) return [];
  const host = new URL(config.databaseUrl).hostname.replace(/^\[|\]$/g, "");
  if (host === "" || host.startsWith("/")) return [];
  const found = await lookup(host, { all: true }).catch(() => []);
  return found.map((entry) => entry.address);
}

const BLOB_GC_INTERVAL_MS = 60 * 60_000;

/** Collects unreferenced code packages soon after start and then hourly, in the background. */
function startBlobCollection(store: MetadataStore, blobs: BlobStore, report: (removed: number) => void): NodeJS.Timeout {
  const run = (): void => {
    collectUnreferencedBlobs(store, blobs, Date.now()).then(
      (removed) => removed > 0 && report(removed),
      () => undefined, // best effort; the next run tries again
    );
  };
  setTimeout(run, 5_000).unref();
  const timer = setInterval(run, BLOB_GC_INTERVAL_MS);
  timer.unref();
  return timer;
}

/**
 * Removes invocation records past their age or beyond the total size, in the background: soon
 * after start, then every `retentionEveryMs`; one pass at a time.
 */
function startRecordRetention(store: MetadataStore, clock: Clock, settings: QuiverConfig["records"], log: FastifyInstance["log"]): () => void {
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    store
      .pruneInvocationRecords(clock.now() - settings.retentionDays * 86_400_000, settings.retentionBytes)
      .then(
        (removed) => removed > 0 && log.info({ removed }, "removed old invocation records"),
        (error: unknown) => log.warn({ err: error }, "could not remove old invocation records; trying again at the next pass"),
      )
      .finally(() => (running = false));
  };
  const first = setTimeout(run, 5_000);
  const every = setInterval(run, settings.retentionEveryMs);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}

/** `--hot-reload-root` as an absolute path; a root that is not a directory stops the start. */
function hotReloadRootOf(config: QuiverConfig): string | undefined {
  if (config.hotReloadRoot === undefined) return undefined;
  const root = resolve(config.hotReloadRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new ConfigError(`--hot-reload-root ${config.hotReloadRoot} is not a directory`);
  return root;
}
