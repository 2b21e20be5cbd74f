import { tmpdir } from "node:os";
import { join } from "node:path";

/** Minimal structured logger; pino satisfies it. */
export interface EngineLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export type Family = "nodejs" | "python";

export interface EngineOptions {
  /** Absolute path of the stored code zip for a sha256. Required. */
  readonly blobPath: (sha256: string) => string;
  /** Where zips are extracted once per sha256 (read-only for children). Default `$TMPDIR/quiver-code`. */
  readonly cacheDir?: string;
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
  /** Generic pre-started processes per family. Default `{ nodejs: 1, python: 1 }`. */
  readonly prewarm?: Partial<Record<Family, number>>;
  /** Bytes of log tail kept per invocation. Default 4096. */
  readonly logTailBytes?: number;
  /** Largest result accepted from a handler, in bytes. Default 6 MiB. */
  readonly maxResultBytes?: number;
  /** `auto`: drop to `nobody` + cgroups when root; `none`: plain child processes. Default `auto`. */
  readonly isolation?: "auto" | "none";
  /** Extra memory allowed above the configured function memory, per family (runtime baseline). */
  readonly memoryOverheadMb?: Partial<Record<Family, number>>;
  /** `pids.max` per instance cgroup. Default 256 (Node alone runs ~11 threads). */
  readonly pidsMax?: number;
  /** Time a process may take to signal readiness. Default 10 s. */
  readonly startTimeoutMs?: number;
  readonly logger?: EngineLogger;
}

export interface ResolvedOptions {
  readonly blobPath: (sha256: string) => string;
  readonly cacheDir: string;
  readonly idleTimeoutMs: number;
  readonly maxInstancesPerFunction: number;
  readonly maxInstancesTotal: number;
  readonly queueLimit: number;
  readonly queueTimeoutMs: number;
  readonly prewarm: Readonly<Record<Family, number>>;
  readonly logTailBytes: number;
  readonly maxResultBytes: number;
  readonly isolation: "auto" | "none";
  readonly memoryOverheadMb: Readonly<Record<Family, number>>;
  readonly pidsMax: number;
  readonly startTimeoutMs: number;
  readonly logger: EngineLogger;
}

const silent: EngineLogger = { info() {}, warn() {}, error() {} };

export function resolveOptions(o: EngineOptions): ResolvedOptions {
  return Object.freeze({
    blobPath: o.blobPath,
    cacheDir: o.cacheDir ?? join(tmpdir(), "quiver-code"),
    idleTimeoutMs: o.idleTimeoutMs ?? 10 * 60_000,
    maxInstancesPerFunction: o.maxInstancesPerFunction ?? 10,
    maxInstancesTotal: o.maxInstancesTotal ?? 64,
    queueLimit: o.queueLimit ?? 100,
    queueTimeoutMs: o.queueTimeoutMs ?? 10_000,
    prewarm: { nodejs: o.prewarm?.nodejs ?? 1, python: o.prewarm?.python ?? 1 },
    logTailBytes: o.logTailBytes ?? 4096,
    maxResultBytes: o.maxResultBytes ?? 6 * 1024 * 1024,
    isolation: o.isolation ?? "auto",
    // Baselines measured here: an idle Node child is ~40 MB RSS, Python ~10 MB.
    memoryOverheadMb: { nodejs: o.memoryOverheadMb?.nodejs ?? 64, python: o.memoryOverheadMb?.python ?? 32 },
    pidsMax: o.pidsMax ?? 256,
    startTimeoutMs: o.startTimeoutMs ?? 10_000,
    logger: o.logger ?? silent,
  });
}
