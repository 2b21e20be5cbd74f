import { z } from "zod";

const EngineConfig = z.strictObject({
  /** Warm instances idle this long are retired. */
  idleTimeoutMs: z.number().int().positive().default(10 * 60_000),
  maxInstancesPerFunction: z.number().int().positive().default(10),
  maxInstancesTotal: z.number().int().positive().default(64),
  /** Callers waiting for a busy function, per version, before the concurrency error. */
  queueLimit: z.number().int().nonnegative().default(100),
  queueTimeoutMs: z.number().int().positive().default(10_000),
  /**
   * With every instance of a version busy, a call waits for one when the version's recent calls
   * say that is quicker than starting another (docs/runtime.md); false (the default) starts one
   * whenever the caps allow, as the clouds do.
   */
  patientScaleOut: z.boolean().default(false),
  /** Pre-started generic runtime processes per family. */
  prewarm: z.strictObject({ nodejs: z.number().int().nonnegative().default(1), python: z.number().int().nonnegative().default(1) }).default({ nodejs: 1, python: 1 }),
  /**
   * `auto`: a sandbox per instance where the host allows it, else the best available with a
   * warning; `strict`: a sandbox per instance or refuse to start; `none`: plain child processes.
   */
  isolation: z.enum(["auto", "strict", "none"]).default("auto"),
  /** Each sandboxed instance's private /tmp, in MB (a tmpfs: counted in the instance's memory). */
  tmpSizeMb: z.number().int().positive().max(65_536).default(512),
  /** An idle warm instance is frozen after this many ms, until its next invocation. */
  freezeAfterMs: z.number().int().nonnegative().default(100),
  /** Host uids for sandboxed instances: one per live instance, none shared with anything else. */
  sandboxUids: z
    .strictObject({ first: z.number().int().min(1000).max(2 ** 31 - 65_537), count: z.number().int().positive().max(2 ** 24) })
    .default({ first: 2_000_000, count: 65_536 }),
  asyncConcurrency: z.number().int().positive().default(8),
  /** Extracted code of versions no instance runs: evicted past this size (LRU) or idle time. */
  codeCache: z
    .strictObject({ maxBytes: z.number().int().positive().default(2 * 1024 ** 3), maxIdleMs: z.number().int().nonnegative().default(60 * 60_000) })
    .default({ maxBytes: 2 * 1024 ** 3, maxIdleMs: 60 * 60_000 }),
});

/**
 * How the HTTP server treats connections. Timeouts bound how long a client may take to *send*
 * a request; none of them bounds the answer, so a synchronous invoke may run its full 900 s.
 */
const HttpConfig = z.strictObject({
  /** Time to receive a request's line and headers (a new connection that sends nothing included). */
  headersTimeoutMs: z.number().int().positive().default(10_000),
  /** Time to receive a whole request, body included (Node's `requestTimeout`). */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** How long an idle keep-alive connection stays open; above common load-balancer idle timeouts (60 s). */
  keepAliveTimeoutMs: z.number().int().positive().default(72_000),
  /** Open connections at most; further ones are closed as they arrive. */
  maxConnections: z.number().int().positive().default(1024),
  /** Request line plus headers, in bytes: SCF documents GET requests (all in the query) up to 32 KB. */
  maxHeaderBytes: z.number().int().min(1024).default(48 * 1024),
  /**
   * Request bodies being received at once, in bytes, counted by their declared size: a body
   * that does not fit is refused before it is read (as a rate limit: retry later), so clients
   * that start large uploads and stall cannot make the server hold more than this.
   */
  bodyBudgetBytes: z.number().int().positive().default(256 * 1024 * 1024),
});

/** Timer triggers: the default time zone of schedules, missed fires, and the clock they fire by. */
const TimersConfig = z.strictObject({
  /** The IANA time zone of cron schedules that name none (SCF's own is undocumented; FunctionGraph uses its region's). */
  timezone: z.string().refine(isTimeZone, "must be an IANA time zone, e.g. UTC or Asia/Shanghai").default("UTC"),
  /** Fire times missed while no node ran: `latest` fires once for the most recent at start, `skip` fires none. */
  missed: z.enum(["latest", "skip"]).default("latest"),
  /** `virtual`: time stands still until advanced through `POST /quiver/v1/clock/advance` (tests, CI). */
  clock: z.enum(["system", "virtual"]).default("system"),
  /** Where a virtual clock starts (ISO 8601 with a zone or Z); default the system time at start. */
  clockStart: z.iso.datetime({ offset: true }).optional(),
  /** How often a node reads the timers again when none is due sooner (timers changed through other nodes). */
  refreshMs: z.number().int().positive().default(1_000),
});

/** Invocation records (docs/observability.md): what is kept of each invocation, and for how long. */
const RecordsConfig = z.strictObject({
  /** Off: no records are written (the live tail and metrics still see every invocation). */
  enabled: z.boolean().default(true),
  /** Records older than this are removed. */
  retentionDays: z.number().positive().max(3650).default(7),
  /** The oldest records are removed while all of them take more than this (log, result and a share per row). */
  retentionBytes: z.number().int().positive().default(1024 ** 3),
  /** How often retention runs, in the background. */
  retentionEveryMs: z.number().int().positive().default(10 * 60_000),
  /** An invocation's log is kept up to this many bytes (a marker ends a cut log). */
  maxLogBytes: z.number().int().min(4096).max(64 * 1024 ** 2).default(1024 ** 2),
  /** An invocation's returned value is kept up to this many bytes. */
  maxResultBytes: z.number().int().nonnegative().max(64 * 1024 ** 2).default(64 * 1024),
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** `GET /metrics`: who may read it, and how many label values per function it keeps. */
const MetricsConfig = z.strictObject({
  /**
   * A bearer token `/metrics` requires (`Authorization: Bearer <token>`). Without one, `/metrics`
   * is served only when the API listens on a loopback address.
   */
  token: z.string().min(16, "a metrics token has at least 16 characters").optional(),
  /** Functions with their own labels; the ones seen after these are counted as `_other`. */
  maxFunctions: z.number().int().positive().max(10_000).default(100),
  /** Versions per function with their own `version` label; later ones are counted as `_other`. */
  maxVersionsPerFunction: z.number().int().positive().max(1_000).default(10),
});

/**
 * The whole configuration, parsed once at the edge (CLI) and then passed down frozen.
 * Nothing else reads `process.env`.
 */
export const ConfigSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(9000),
  /**
   * A second listener (same host) that serves only HTTP triggers, for teams that keep functions
   * apart from the API; without it the API listener serves them too. 0 picks a free port.
   */
  httpTriggerPort: z.number().int().min(0).max(65535).optional(),
  /**
   * The base of the trigger URLs the dialects show (`https://fn.example.com`), when clients reach
   * Quiver through a proxy; default the address of the listener that serves triggers.
   */
  publicUrl: z.string().url().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional(),
  dataDir: z.string().min(1).default(".quiver"),
  /** Region for requests that name none (SCF requests without X-TC-Region). */
  region: z.string().regex(/^[a-z0-9-]{1,64}$/).default("ap-guangzhou"),
  accountsFile: z.string().min(1).optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  rateLimits: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Action name → requests per second, overriding the documented defaults. */
      // Names are checked against the dialects' actions when the server is built.
      overrides: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, "an action name is letters and digits"), z.number().positive()).default({}),
    })
    .default({ enabled: true, overrides: {} }),
  limits: z
    .strictObject({
      scfMaxVersions: z.number().int().positive().default(1000),
      fgsMaxVersions: z.number().int().positive().default(10),
      maxNamespaces: z.number().int().positive().default(5),
      maxFunctionsPerNamespace: z.number().int().positive().default(50),
      /** Aliases per function besides SCF's built-in $DEFAULT (FunctionGraph documents 10). */
      maxAliases: z.number().int().positive().default(10),
      /**
       * Largest request body accepted, in bytes (a 50 MB zip is ~67 MB in base64). Tencent
       * documents 10 MB for TC3 and 1 MB for v1 POSTs; Quiver takes up to this for either.
       */
      maxBodyBytes: z.number().int().positive().default(72 * 1024 * 1024),
      /** Layers (dependencies) per region with at least one version (SCF documents 20). */
      maxLayers: z.number().int().positive().default(20),
      /** Versions one layer may have at once (SCF documents 200). */
      maxLayerVersions: z.number().int().positive().default(200),
    })
    .default({ scfMaxVersions: 1000, fgsMaxVersions: 10, maxNamespaces: 5, maxFunctionsPerNamespace: 50, maxAliases: 10, maxBodyBytes: 72 * 1024 * 1024, maxLayers: 20, maxLayerVersions: 200 }),
  engine: EngineConfig.default(EngineConfig.parse({})),
  http: HttpConfig.default(HttpConfig.parse({})),
  timers: TimersConfig.default(TimersConfig.parse({})),
  records: RecordsConfig.default(RecordsConfig.parse({})),
  metrics: MetricsConfig.default(MetricsConfig.parse({})),
  /** Metadata store: `sqlite` (one process, in the data dir) or `postgres` (several nodes). */
  store: z.enum(["sqlite", "postgres"]).default("sqlite"),
  /** PostgreSQL connection URL; required with `store: "postgres"`. */
  databaseUrl: z.string().min(1).optional(),
  /**
   * PostgreSQL store: how long a node's lease lasts without renewal. Work a node accepted
   * (asynchronous invocations, timer fires) is taken over by a live node once its lease lapsed.
   */
  nodeLeaseMs: z.number().int().min(500).max(600_000).default(30_000),
  /** Code blobs; default `<dataDir>/blobs`. Nodes sharing a database must share this directory (with `blobStore: "fs"`). */
  blobDir: z.string().min(1).optional(),
  /** Where code blobs live: files under `blobDir` (one machine or a shared disk), or PostgreSQL (a cluster needs nothing else). */
  blobStore: z.enum(["fs", "postgres"]).default("fs"),
  /**
   * Redis shared by the nodes of a PostgreSQL cluster: per-account rate limits and weighted
   * alias splits hold for the cluster instead of per node. Unreachable: per node, with a warning.
   */
  redisUrl: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL").optional(),
  /** Prefix of every key Quiver writes to Redis (several clusters on one Redis). */
  redisKeyPrefix: z.string().min(1).max(128).default("quiver:"),
  /**
   * Hot reload: function heads may run host directories under this one (symbolic links
   * resolved). Absent: hot reload is off and every such request is refused.
   */
  hotReloadRoot: z.string().min(1).optional(),
}).superRefine((config, ctx) => {
  if (config.blobStore === "postgres" && config.store !== "postgres") {
    ctx.addIssue({ code: "custom", path: ["blobStore"], message: "blobs in PostgreSQL need the postgres store (--store postgres)" });
  }
  if (config.redisUrl !== undefined && config.store !== "postgres") {
    ctx.addIssue({ code: "custom", path: ["redisUrl"], message: "Redis is for several nodes on --store postgres; one SQLite node counts its limits itself" });
  }
  if (config.store === "postgres" && config.databaseUrl === undefined) {
    ctx.addIssue({ code: "custom", path: ["databaseUrl"], message: "the postgres store needs a database URL (--database-url postgres://…)" });
  }
  if (config.http.headersTimeoutMs > config.http.requestTimeoutMs) {
    ctx.addIssue({ code: "custom", path: ["http", "headersTimeoutMs"], message: `the headers timeout (${config.http.headersTimeoutMs} ms) cannot exceed the request timeout (${config.http.requestTimeoutMs} ms)` });
  }
  if (config.timers.clockStart !== undefined && config.timers.clock !== "virtual") {
    ctx.addIssue({ code: "custom", path: ["timers", "clockStart"], message: "a clock start needs the virtual clock (--clock virtual)" });
  }
  if (config.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    ctx.addIssue({ code: "custom", path: ["databaseUrl"], message: "must be a postgres:// or postgresql:// URL" });
  }
});


export type QuiverConfig = Readonly<z.infer<typeof ConfigSchema>>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export function parseConfig(input: ConfigInput): QuiverConfig {
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
