/**
 * `quiver serve`: the server. Its flags are parsed with node:util's parseArgs, as before the
 * other commands existed (its help text and behaviour are unchanged); the server's modules are
 * imported only when it starts, so the client commands do not load them.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, parseConfig, type ConfigInput } from "../../config/config.js";

const HELP = `Usage: quiver serve [options]

Serve the Tencent SCF and Huawei FunctionGraph APIs.

Options:
  --host HOST              address to listen on (default 127.0.0.1)
  --port PORT              port to listen on; 0 picks a free port (default 9000)
  --http-trigger-port PORT a second listener serving only HTTP triggers; 0 picks a free port
                           (default: triggers are served on --port with the API)
  --public-url URL         base of the trigger URLs Quiver shows, e.g. https://fn.example.com
                           (default: the address of the listener that serves triggers)
  --data-dir DIR           where metadata and code are kept (default ./.quiver)
  --region REGION          region for requests that name none (default ap-guangzhou)
  --accounts FILE          JSON accounts file; without it a default account is created
  --log-level LEVEL        fatal|error|warn|info|debug|trace|silent (default info)
  --no-rate-limit          turn off the per-account request rate limits (benchmarks)
  --rate-limit ACTION=N    requests per second per account for one action, e.g.
                           PublishVersion=50 or createFunctionVersion=50 (repeatable)
  --scf-max-versions N     published versions per function through SCF (default 1000)
  --fgs-max-versions N     published versions per function through FunctionGraph (default 10)
  --max-namespaces N       namespaces per region besides "default" (default 5)
  --max-functions N        functions per namespace (default 50)
  --store KIND             metadata store: sqlite (default) or postgres (several nodes)
  --database-url URL       PostgreSQL URL for --store postgres (postgres://user@host:5432/db)
  --node-lease-seconds N   --store postgres: a node silent this long is gone; live nodes
                           take over its unfinished asynchronous work (default 30)
  --blob-dir DIR           code blobs (default <data-dir>/blobs); shared storage for several nodes
  --blob-store KIND        code blobs: fs (default, in --blob-dir) or postgres (in the
                           database, cached per node by digest; needs --store postgres)
  --redis-url URL          --store postgres: Redis shared by the nodes, so rate limits and
                           weighted alias splits hold for the cluster (redis://host:6379/0)
  --redis-key-prefix P     prefix of Quiver's Redis keys (default "quiver:")
  --hot-reload-root DIR    turn hot reload on: function heads may run host directories under DIR
                           (SCF Code.CosBucketName "hot-reload", FunctionGraph code_url file://);
                           off by default
  --prewarm-nodejs N       pre-started Node.js runtime processes (default 1)
  --prewarm-python N       pre-started Python runtime processes (default 1)
  --max-instances N        function instances in all (default 64)
  --max-instances-per-function N  instances per function version (default 10)
  --patient-scale-out      with all of a version's instances busy, a call waits for one when
                           the version's recent calls say that is quicker than starting
                           another (default: start another, as the clouds do)
  --isolation MODE         auto (default): a sandbox per instance where the host allows it,
                           else the best available, with a warning; strict: a sandbox per
                           instance or refuse to start; none: plain child processes
  --tmp-size-mb N          each sandboxed instance's private /tmp, in MB (default 512)
  --freeze-after-ms N      an idle instance is frozen after this long, until its next
                           invocation (default 100)
  --sandbox-uids FIRST:COUNT  host uids for sandboxed instances, one per live instance
                           (default 2000000:65536); give each server on a host its own range
  --headers-timeout SECONDS    time a client has to send a request's headers (default 10)
  --request-timeout SECONDS    time a client has to send a whole request, body included; it
                               does not limit the answer, so long invokes run on (default 60)
  --keep-alive-timeout SECONDS idle keep-alive connections are closed after this (default 72)
  --max-connections N          open connections at most; more are closed on arrival (default 1024)
  --body-budget-mb N           request bodies received at once, by declared size; a body that does
                               not fit is refused before it is read, as a rate limit (default 256)
  --timer-timezone ZONE    IANA time zone of timer cron schedules that name none (default UTC)
  --timer-missed POLICY    fire times missed while Quiver was down: latest (default) fires once,
                           at start, for the most recent; skip fires none of them
  --clock KIND             system (default), or virtual: time stands still until advanced with
                           POST /quiver/v1/clock/advance {"ms": N} (from this host only), for tests
  --clock-start TIME       where the virtual clock starts, e.g. 2030-01-01T00:00:00Z
                           (default: the system time at start)
  --no-records             keep no invocation records (the live tail and metrics still work)
  --records-retention-days N   invocation records older than this are removed (default 7)
  --records-retention-mb N     the oldest records are removed while all of them take more than
                           this, in MB (default 1024)
  --records-max-log-kb N   an invocation's log is kept up to this, in KB; a cut log keeps its
                           end after a marker (default 1024)
  --records-max-result-kb N    an invocation's returned value is kept up to this, in KB (default 64)
  --metrics-token TOKEN    bearer token GET /metrics requires (at least 16 characters); without
                           one, /metrics is served only when --host is a loopback address
  --metrics-token-file FILE  the same, read from a file (kept out of the process list)
  --metrics-max-functions N  functions with their own metric labels; later ones are counted
                           as function "_other" (default 100)
  --metrics-max-versions N versions per function with their own version label (default 10)
  -h, --help               show this help
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  "http-trigger-port": { type: "string" },
  "public-url": { type: "string" },
  "data-dir": { type: "string" },
  region: { type: "string" },
  accounts: { type: "string" },
  "log-level": { type: "string" },
  "no-rate-limit": { type: "boolean" },
  "rate-limit": { type: "string", multiple: true },
  "scf-max-versions": { type: "string" },
  "fgs-max-versions": { type: "string" },
  "max-namespaces": { type: "string" },
  "max-functions": { type: "string" },
  store: { type: "string" },
  "database-url": { type: "string" },
  "node-lease-seconds": { type: "string" },
  "blob-dir": { type: "string" },
  "blob-store": { type: "string" },
  "redis-url": { type: "string" },
  "redis-key-prefix": { type: "string" },
  "hot-reload-root": { type: "string" },
  "prewarm-nodejs": { type: "string" },
  "prewarm-python": { type: "string" },
  "max-instances": { type: "string" },
  "max-instances-per-function": { type: "string" },
  "patient-scale-out": { type: "boolean" },
  isolation: { type: "string" },
  "tmp-size-mb": { type: "string" },
  "freeze-after-ms": { type: "string" },
  "sandbox-uids": { type: "string" },
  "headers-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
  "max-connections": { type: "string" },
  "body-budget-mb": { type: "string" },
  "timer-timezone": { type: "string" },
  "timer-missed": { type: "string" },
  clock: { type: "string" },
  "clock-start": { type: "string" },
  "no-records": { type: "boolean" },
  "records-retention-days": { type: "string" },
  "records-retention-mb": { type: "string" },
  "records-max-log-kb": { type: "string" },
  "records-max-result-kb": { type: "string" },
  "metrics-token": { type: "string" },
  "metrics-token-file": { type: "string" },
  "metrics-max-functions": { type: "string" },
  "metrics-max-versions": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function megabytes(name: string, value: string | undefined): number | undefined {
  const mb = integer(name, value);
  return mb === undefined ? undefined : mb * 1024 * 1024;
}

function kilobytes(name: string, value: string | undefined): number | undefined {
  const kb = integer(name, value);
  return kb === undefined ? undefined : kb * 1024;
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`--${name} must be a whole number, not "${value}"`);
  return Number(value);
}

/** A duration in seconds (fractions allowed), as milliseconds. */
function seconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) < 0.001) throw new ConfigError(`--${name} must be a positive number of seconds, not "${value}"`);
  return Math.round(Number(value) * 1000);
}

/** Turns command-line flags into the configuration input (defaults are applied by the schema). */
export function configFromArgs(args: string[]): ConfigInput | "help" {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) return "help";
  const command = positionals[0] ?? "serve";
  if (command !== "serve" || positionals.length > 1) throw new ConfigError(`unknown command "${positionals.join(" ")}"; try: quiver serve --help`);
  const limits = {
    scfMaxVersions: integer("scf-max-versions", values["scf-max-versions"]),
    fgsMaxVersions: integer("fgs-max-versions", values["fgs-max-versions"]),
    maxNamespaces: integer("max-namespaces", values["max-namespaces"]),
    maxFunctionsPerNamespace: integer("max-functions", values["max-functions"]),
  };
  return {
    host: values.host,
    port: integer("port", values.port),
    httpTriggerPort: integer("http-trigger-port", values["http-trigger-port"]),
    publicUrl: values["public-url"],
    dataDir: values["data-dir"],
    region: values.region,
    accountsFile: values.accounts,
    logLevel: values["log-level"] as ConfigInput["logLevel"],
    rateLimits: { enabled: !values["no-rate-limit"], overrides: rateOverrides(values["rate-limit"] ?? []) },
    limits: defined(limits),
    engine: engineFromArgs(values),
    http: defined({
      headersTimeoutMs: seconds("headers-timeout", values["headers-timeout"]),
      requestTimeoutMs: seconds("request-timeout", values["request-timeout"]),
      keepAliveTimeoutMs: seconds("keep-alive-timeout", values["keep-alive-timeout"]),
      maxConnections: integer("max-connections", values["max-connections"]),
      bodyBudgetBytes: megabytes("body-budget-mb", values["body-budget-mb"]),
    }),
    store: values.store as ConfigInput["store"],
    databaseUrl: values["database-url"],
    nodeLeaseMs: seconds("node-lease-seconds", values["node-lease-seconds"]),
    blobDir: values["blob-dir"],
    blobStore: values["blob-store"] as ConfigInput["blobStore"],
    redisUrl: values["redis-url"],
    redisKeyPrefix: values["redis-key-prefix"],
    hotReloadRoot: values["hot-reload-root"],
    // The schema refuses other values with a message listing the allowed ones.
    timers: defined({
      timezone: values["timer-timezone"],
      missed: values["timer-missed"] as "latest" | undefined,
      clock: values.clock as "system" | undefined,
      clockStart: values["clock-start"],
    }),
    records: defined({
      enabled: values["no-records"] ? false : undefined,
      retentionDays: integer("records-retention-days", values["records-retention-days"]),
      retentionBytes: megabytes("records-retention-mb", values["records-retention-mb"]),
      maxLogBytes: kilobytes("records-max-log-kb", values["records-max-log-kb"]),
      maxResultBytes: kilobytes("records-max-result-kb", values["records-max-result-kb"]),
    }),
    metrics: defined({
      token: metricsToken(values["metrics-token"], values["metrics-token-file"]),
      maxFunctions: integer("metrics-max-functions", values["metrics-max-functions"]),
      maxVersionsPerFunction: integer("metrics-max-versions", values["metrics-max-versions"]),
    }),
  };
}

/** `--metrics-token` or `--metrics-token-file` (its content, without the trailing line break). */
function metricsToken(token: string | undefined, file: string | undefined): string | undefined {
  if (token !== undefined && file !== undefined) throw new ConfigError("give --metrics-token or --metrics-token-file, not both");
  if (file === undefined) return token;
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new ConfigError(`--metrics-token-file: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** `--rate-limit PublishVersion=50` (repeatable): per-account requests per second for one action. */
function rateOverrides(flags: readonly string[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z][A-Za-z0-9]*)=(\d+(?:\.\d+)?)$/.exec(flag);
    if (!match?.[1] || !match[2] || Number(match[2]) <= 0) {
      throw new ConfigError(`--rate-limit takes ACTION=RATE with a positive rate, e.g. PublishVersion=50 (got "${flag}")`);
    }
    overrides[match[1]] = Number(match[2]);
  }
  return overrides;
}

/** `--sandbox-uids FIRST:COUNT`; the schema checks the bounds. */
function uidRange(value: string | undefined): { sandboxUids?: { first: number; count: number } } {
  if (value === undefined) return {};
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`--sandbox-uids must be FIRST:COUNT, e.g. 2000000:65536, not "${value}"`);
  return { sandboxUids: { first: Number(match[1]), count: Number(match[2]) } };
}

function defined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Engine sizing flags; absent ones keep the config defaults. */
function engineFromArgs(values: Record<string, string | boolean | string[] | undefined>): ConfigInput["engine"] {
  const flag = (name: string): number | undefined => integer(name, values[name] as string | undefined);
  const prewarm = defined({ nodejs: flag("prewarm-nodejs"), python: flag("prewarm-python") });
  const isolation = values.isolation as string | undefined;
  return {
    ...defined({ maxInstancesTotal: flag("max-instances"), maxInstancesPerFunction: flag("max-instances-per-function"), tmpSizeMb: flag("tmp-size-mb"), freezeAfterMs: flag("freeze-after-ms") }),
    ...uidRange(values["sandbox-uids"] as string | undefined),
    ...(values["patient-scale-out"] === true ? { patientScaleOut: true } : {}),
    ...(Object.keys(prewarm).length > 0 ? { prewarm } : {}),
    // The schema refuses any other value with a message listing the allowed ones.
    ...(isolation === undefined ? {} : { isolation: isolation as "auto" }),
  };
}

/** Errors that stop a start with their message and exit code 2 (no stack: they say what to fix). */
const START_ERRORS = new Set(["ConfigError", "AccountsFileError", "StoreUnavailableError", "DataDirInUseError", "IsolationUnavailableError"]);

/** Runs `quiver serve` with its arguments (`serve` itself may lead them); -1 means "keep running". */
export async function serve(args: string[]): Promise<number> {
  let input: ConfigInput | "help";
  try {
    input = configFromArgs(args);
    if (input === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    const { createQuiver } = await import("../../server/app.js");
    const quiver = await createQuiver(parseConfig(stripUndefined(input)));
    // Before the "listening" line: whoever reads that line may signal at once, and a signal that
    // arrives before its handler is installed kills the process uncleanly (exit by SIGTERM, debris left).
    stopOnSignals(quiver.close);
    const url = await quiver.listen();
    if (quiver.createdDefaultAccount) printDefaultAccount(quiver.accounts.accounts[0]);
    process.stdout.write(`Quiver listening on ${url}\n`);
    if (quiver.triggerUrls.base() !== url) process.stdout.write(`HTTP triggers at ${quiver.triggerUrls.base()}/scf/… and ${quiver.triggerUrls.base()}/apig/…\n`);
    return -1; // keep running
  } catch (error) {
    if ((error instanceof Error && START_ERRORS.has(error.name)) || String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_")) {
      process.stderr.write(`quiver: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

function printDefaultAccount(account: { name: string; appId: string; uin: string; tencent?: { secretId: string; secretKey: string } | undefined; huawei?: { projectId: string; accessKey: string; secretKey: string } | undefined } | undefined): void {
  if (!account) return;
  const lines = [
    `Created account "${account.name}" (appId ${account.appId}, uin ${account.uin}); its keys are kept in the data directory:`,
    `  Tencent SCF      SecretId ${account.tencent?.secretId}  SecretKey ${account.tencent?.secretKey}`,
    `  Huawei FG        AK ${account.huawei?.accessKey}  SK ${account.huawei?.secretKey}  project ${account.huawei?.projectId}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`quiver: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
