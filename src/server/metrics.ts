/**
 * `GET /metrics` in Prometheus text format (prom-client, on a registry of this server's own):
 * invocations and their outcomes, durations and cold starts per function and version, the
 * engine's instances and queues, publishes, API requests, store latency, and the process.
 * See docs/observability.md, "Metrics".
 */
import { isIP } from "node:net";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { QuiverConfig } from "../config/config.js";
import { constantTimeEqual } from "../core/constant-time.js";
import type { ErrorCode } from "../core/errors.js";
import type { RecordListener } from "../core/invocation-records.js";
import type { InvocationTarget } from "../core/invoke.js";
import type { FunctionRecord } from "../core/model.js";
import type { MetadataStore } from "../core/ports.js";
import type { ColdStartListener, EngineStats, InstanceCount } from "../runtime/engine.js";
import { InvocationTallies } from "./invocation-tallies.js";
import { FunctionLabelCap } from "./metric-labels.js";

export const METRICS_PATH = "/metrics";

const FUNCTION_LABELS = ["account", "region", "namespace", "function", "version"] as const;
const COLD_START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const API_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

/** What the gauges read at each scrape. */
export interface MetricSources {
  readonly engine: {
    stats(): EngineStats;
    instanceCounts(): InstanceCount[];
    watchColdStarts(listener: ColdStartListener): () => void;
  };
  readonly invocations: { asyncBacklog(): { readonly queued: number; readonly running: number } };
  readonly records: { subscribe(listener: RecordListener): () => void };
  readonly maxInstancesTotal: number;
}

/**
 * The server's metrics. Built first, so the store and the service can be timed and counted
 * from their start; the engine and the recorder are attached once they exist (`attach`).
 */
export class QuiverMetrics {
  readonly registry = new Registry();
  readonly #cap: FunctionLabelCap;
  readonly #detach: Array<() => void> = [];
  readonly #tallies: InvocationTallies;
  readonly #coldStarts = new Histogram({ name: "quiver_cold_start_seconds", help: "Time an invocation waited for a new instance (process, code, load) before its handler ran.", labelNames: FUNCTION_LABELS, buckets: COLD_START_BUCKETS, registers: [this.registry] });
  readonly #publishes = new Counter({ name: "quiver_version_publishes_total", help: "Versions published.", labelNames: ["account"], registers: [this.registry] });
  readonly #apiRequests = new Counter({ name: "quiver_api_requests_total", help: "API requests answered, by dialect, action (_unknown when none the dialect serves) and core error code (OK on success).", labelNames: ["dialect", "action", "code"], registers: [this.registry] });
  readonly #apiDuration = new Histogram({ name: "quiver_api_request_duration_seconds", help: "Time to answer API requests.", labelNames: ["dialect", "action"], buckets: API_BUCKETS, registers: [this.registry] });
  readonly #store = new Histogram({ name: "quiver_store_operation_seconds", help: "Metadata store operations, by method.", labelNames: ["operation", "outcome"], buckets: STORE_BUCKETS, registers: [this.registry] });

  constructor(settings: QuiverConfig["metrics"]) {
    this.#cap = new FunctionLabelCap(settings.maxFunctions, settings.maxVersionsPerFunction);
    this.#tallies = new InvocationTallies(this.#cap);
    this.#tallies.register(this.registry);
  }

  /** Starts counting invocations and cold starts, and reading the engine's gauges at each scrape. */
  attach(sources: MetricSources): void {
    this.#detach.push(sources.records.subscribe((record) => this.#tallies.record(record)), sources.engine.watchColdStarts((target, ms) => this.#coldStarted(target, ms)));
    gauges(this.registry, sources);
  }

  /** Stops listening to the engine and the recorder. */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }

  published = (fn: FunctionRecord): void => {
    this.#publishes.inc({ account: fn.scope.accountId });
  };

  apiRequest = (dialect: string, action: string | null, code: ErrorCode | null, seconds: number): void => {
    const labels = { dialect, action: action ?? "_unknown" };
    this.#apiRequests.inc({ ...labels, code: code ?? "OK" });
    this.#apiDuration.observe(labels, seconds);
  };

  /** The store with each method call timed (`operation` is the method's name). */
  timedStore(store: MetadataStore): MetadataStore {
    const observe = (operation: string, outcome: "ok" | "error", started: number): void => {
      this.#store.observe({ operation, outcome }, (performance.now() - started) / 1000);
    };
    return new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function" || typeof property !== "string") return value;
        return (...args: unknown[]): unknown => {
          const started = performance.now();
          // Called on the store itself: its methods use private fields a proxy does not have.
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (resolved: unknown) => {
              observe(property, "ok", started);
              return resolved;
            },
            (error: unknown) => {
              observe(property, "error", started);
              throw error;
            },
          );
        };
      },
    });
  }

  /** The exposition text: this server's metrics, then the process's. */
  async text(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([this.registry, processRegistry()]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }

  #coldStarted(target: InvocationTarget, ms: number): void {
    this.#coldStarts.observe(this.#cap.labels(target.scope, target.namespace, target.functionName, target.version), ms / 1000);
  }
}

/** The engine's and the async queue's state, read when Prometheus scrapes (nothing runs in between). */
function gauges(registry: Registry, sources: MetricSources): void {
  const registers = [registry];
  new Gauge({
    name: "quiver_instances",
    help: "Function instances by runtime and state (idle instances are warm).",
    labelNames: ["runtime", "state"],
    registers,
    collect() {
      this.reset();
      for (const { runtime, state, count } of sources.engine.instanceCounts()) this.set({ runtime, state }, count);
    },
  });
  new Gauge({
    name: "quiver_stem_cells",
    help: "Pre-started generic runtime processes ready, by family.",
    labelNames: ["family"],
    registers,
    collect() {
      for (const [family, count] of Object.entries(sources.engine.stats().stems)) this.set({ family }, count);
    },
  });
  new Gauge({
    name: "quiver_pool_instances",
    help: "Function instances in the pool (every state).",
    registers,
    collect() {
      this.set(sources.engine.stats().total);
    },
  });
  new Gauge({ name: "quiver_pool_max_instances", help: "The pool's limit of function instances.", registers }).set(sources.maxInstancesTotal);
  new Gauge({
    name: "quiver_queue_length",
    help: "Invocations waiting: for a busy function's instance (instances), or for a turn to run asynchronously (async).",
    labelNames: ["queue"],
    registers,
    collect() {
      const perKey = Object.values(sources.engine.stats().perKey);
      this.set({ queue: "instances" }, perKey.reduce((sum, key) => sum + key.queued, 0));
      this.set({ queue: "async" }, sources.invocations.asyncBacklog().queued);
    },
  });
  new Gauge({
    name: "quiver_async_running",
    help: "Asynchronous invocations running.",
    registers,
    collect() {
      this.set(sources.invocations.asyncBacklog().running);
    },
  });
}

let processMetrics: Registry | null = null;

/**
 * The process's own metrics (CPU, memory, event loop, GC, handles). They describe the process,
 * not a server in it, and prom-client's collectors (a GC observer, an event-loop histogram)
 * cannot be stopped: so they are set up once per process, however many servers it runs.
 */
function processRegistry(): Registry {
  if (processMetrics === null) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

/**
 * Who may read `/metrics`: with a token configured, whoever sends it as a bearer token; without
 * one, everyone when the API listens on loopback only, and nobody otherwise.
 */
export function registerMetricsEndpoint(app: FastifyInstance, metrics: QuiverMetrics, config: Pick<QuiverConfig, "host" | "metrics">): void {
  const token = config.metrics.token;
  const open = token === undefined && isLoopback(config.host);
  app.get(METRICS_PATH, async (request, reply) => {
    if (!open) {
      if (token === undefined) return reply.code(403).send({ error: "/metrics is served beyond loopback only with a token: start with --metrics-token (or metrics.token)" });
      if (!bearerMatches(request.headers.authorization, token)) {
        return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').send({ error: "send the metrics token: Authorization: Bearer <token>" });
      }
    }
    const { contentType, body } = await metrics.text();
    return reply.header("content-type", contentType).header("cache-control", "no-store").send(body);
  });
}

function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1] !== undefined && constantTimeEqual(token, match[1]);
}

/** Whether a listen address is reachable from this host only. */
export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 4) return bare.startsWith("127.");
  return bare === "::1" || bare.startsWith("::ffff:127.");
}
