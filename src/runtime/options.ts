import { availableParallelism, tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import type { IsolationMode } from "./isolation.js";
import type { UidRange } from "./uids.js";

/** Minimal structured logger; pino satisfies it. */
export interface EngineLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export type Family = "nodejs" | "python";

export interface EngineOptions {
  /**
   * A local file holding the stored code zip for a sha256 (the blob store's own file, or its
   * copy in this node's cache when blobs live in a database). Required.
   */
  readonly blobFile: (sha256: string) => Promise<string>;
  /**
   * The engine's own directory: instance temp dirs (`instances/`) and extracted code (`code/`).
   * Whatever is in it when the engine starts is a killed engine's debris and is removed, as are
   * the processes in the cgroup group of the same name. One engine per directory. Default
   * `$TMPDIR/quiver-engine`.
   */
  readonly runDir?: string;
  /** Extracted code kept for unused versions: total bytes (default 2 GiB) and idle time (default 1 h). */
  readonly codeCache?: { readonly maxBytes?: number; readonly maxIdleMs?: number };
  /** Warm instances idle this long are retired. Default 10 min. */
  readonly idleTimeoutMs?: number;
  /** Cap of specialised instances per instanceKey. Default 10. */
  readonly maxInstancesPerFunction?: number;
  /** Cap of specialised instances overall (stem cells not counted). Default 64. */
  readonly maxInstancesTotal?: number;
  /** Bounded wait queue per instanceKey when caps are reached. Default 100. */
  readonly queueLimit?: number;
  /** How long a queued invocation waits before `concurrency-limit`. Default 10 s. */
  readonly queueTimeoutMs?: number;
  /**
   * With every instance of a version busy, wait for one when the version's recent calls say that
   * is quicker than starting another (true), or start one whenever the caps allow (false, the
   * default, as the clouds do).
   */
  readonly patientScaleOut?: boolean;
  /**
   * With patient scale-out, instances of a version started whenever all are busy before waiting
   * is considered. Default: the machine's cores plus one (fewer leave cores idle).
   */
  readonly eagerInstances?: number;
  /** Generic pre-started processes per family. Default `{ nodejs: 1, python: 1 }`. */
  readonly prewarm?: Partial<Record<Family, number>>;
  /** Bytes of log tail kept per invocation. Default 4096. */
  readonly logTailBytes?: number;
  /** Largest result accepted from a handler, in bytes. Default 6 MiB. */
  readonly maxResultBytes?: number;
  /**
   * `auto`: a sandbox per instance where the host allows it (root, cgroups, bubblewrap), else
   * the best that is available, with a warning; `strict`: a sandbox per instance or the engine
   * refuses to start; `none`: plain child processes. Default `auto`. See isolation.ts.
   */
  readonly isolation?: IsolationMode;
  /** Size of each sandboxed instance's private `/tmp` (a tmpfs, counted in its memory). Default 512. */
  readonly tmpSizeMb?: number;
  /** An idle warm instance is frozen after this long, until its next invocation. Default 100 ms. */
  readonly freezeAfterMs?: number;
  /** Host uids for sandboxed instances, one per live instance. Default 2,000,000 + 65,536. */
  readonly sandboxUids?: UidRange;
  /**
   * Addresses functions with public network may never reach, besides the host's own and
   * link-local ones: the server's store, say. IPv4/IPv6 addresses or CIDR blocks.
   */
  readonly egressDeny?: readonly string[];
  /** Extra memory allowed above the configured function memory, per family (runtime baseline). */
  readonly memoryOverheadMb?: Partial<Record<Family, number>>;
  /** `pids.max` per instance cgroup. Default 256 (Node alone runs ~11 threads). */
  readonly pidsMax?: number;
  /** Time a process may take to signal readiness. Default 10 s. */
  readonly startTimeoutMs?: number;
  readonly logger?: EngineLogger;
  /**
   * Hot reload: the directory under which heads may run host directories (resolved again at
   * every instance start). Undefined: hot reload is off, and such a head cannot start.
   */
  readonly hotReloadRoot?: string | undefined;
}

export interface ResolvedOptions {
  readonly blobFile: (sha256: string) => Promise<string>;
  readonly runDir: string;
  readonly codeCache: { readonly maxBytes: number; readonly maxIdleMs: number };
  readonly idleTimeoutMs: number;
  readonly maxInstancesPerFunction: number;
  readonly maxInstancesTotal: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
  readonly patientScaleOut: boolean;
  readonly eagerInstances: number;
  readonly prewarm: Readonly<Record<Family, number>>;
  readonly logTailBytes: number;
  readonly maxResultBytes: number;
  readonly isolation: IsolationMode;
  readonly tmpSizeMb: number;
  readonly freezeAfterMs: number;
  readonly sandboxUids: UidRange;
  readonly egressDeny: readonly string[];
  readonly memoryOverheadMb: Readonly<Record<Family, number>>;
  readonly pidsMax: number;
  readonly startTimeoutMs: number;
  readonly logger: EngineLogger;
  readonly hotReloadRoot: string | undefined;
}

const silent: EngineLogger = { info() {}, warn() {}, error() {} };

export function resolveOptions(o: EngineOptions): ResolvedOptions {
  return Object.freeze({
    blobFile: o.blobFile,
    runDir: o.runDir ?? join(tmpdir(), "quiver-engine"),
    codeCache: { maxBytes: o.codeCache?.maxBytes ?? 2 * 1024 ** 3, maxIdleMs: o.codeCache?.maxIdleMs ?? 60 * 60_000 },
    idleTimeoutMs: o.idleTimeoutMs ?? 10 * 60_000,
    maxInstancesPerFunction: o.maxInstancesPerFunction ?? 10,
    maxInstancesTotal: o.maxInstancesTotal ?? 64,
    queueLimit: o.queueLimit ?? 100,
    queueTimeoutMs: o.queueTimeoutMs ?? 10_000,
    patientScaleOut: o.patientScaleOut ?? false,
    eagerInstances: o.eagerInstances ?? availableParallelism() + 1,
    prewarm: { nodejs: o.prewarm?.nodejs ?? 1, python: o.prewarm?.python ?? 1 },
    logTailBytes: o.logTailBytes ?? 4096,
    maxResultBytes: o.maxResultBytes ?? 6 * 1024 * 1024,
    isolation: o.isolation ?? "auto",
    tmpSizeMb: o.tmpSizeMb ?? 512,
    freezeAfterMs: o.freezeAfterMs ?? 100,
    sandboxUids: o.sandboxUids ?? { first: 2_000_000, count: 65_536 },
    egressDeny: o.egressDeny ?? [],
    // Baselines measured here: an idle Node child is ~40 MB RSS, Python ~10 MB.
    memoryOverheadMb: { nodejs: o.memoryOverheadMb?.nodejs ?? 64, python: o.memoryOverheadMb?.python ?? 32 },
    pidsMax: o.pidsMax ?? 256,
    startTimeoutMs: o.startTimeoutMs ?? 10_000,
    logger: o.logger ?? silent,
    hotReloadRoot: o.hotReloadRoot,
  });
}

/** Where an engine keeps things inside its run directory, and the name of its cgroup group. */
export interface RunLayout {
  readonly runDir: string;
  readonly instancesDir: string;
  readonly codeDir: string;
  /** Ready-made copies of code trees (spare-trees.ts): on the instances' file system. */
  readonly sparesDir: string;
  /** Bootstrap files and sandbox `/etc` files, readable by every instance. */
  readonly runtimeDir: string;
  readonly group: string;
}

/** The group is named after the run directory's full path: one group per run directory. */
export function runLayout(runDir: string): RunLayout {
  const group = `run-${createHash("sha256").update(resolve(runDir)).digest("hex").slice(0, 12)}`;
  return { runDir, instancesDir: join(runDir, "instances"), codeDir: join(runDir, "code"), sparesDir: join(runDir, "spares"), runtimeDir: join(runDir, "runtime"), group };
}
