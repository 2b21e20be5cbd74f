/**
 * Vendor-neutral domain types. No field here is spelled the way a vendor spells it: each
 * dialect maps these to its wire shapes in its own `map-out` module.
 */

import type { BoundLayer } from "./layers.js";

/** Who is asking, and where: every read and write is scoped to one account and region. */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

/**
 * Names one function: the account and region it lives in, its namespace (SCF) or package
 * (FunctionGraph), and its name. Every use case on a function takes one of these.
 */
export interface FunctionRef {
  readonly scope: Scope;
  readonly namespace: string;
  readonly name: string;
}

export const DEFAULT_NAMESPACE = "default";

/** The mutable head of every function. Dialects spell it `$LATEST` (SCF) or `latest` (FunctionGraph). */
export const LATEST = "$LATEST";

export type FunctionStatus =
  | "Creating"
  | "CreateFailed"
  | "Active"
  | "Updating"
  | "UpdateFailed"
  | "Publishing"
  | "PublishFailed"
  | "Deleting"
  | "DeleteFailed";

export interface Namespace {
  readonly name: string;
  readonly description: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A stored code package. Blobs are content-addressed by `sha256`; `sha512` is FunctionGraph's digest. */
export interface CodeRef {
  readonly sha256: string;
  readonly sha512: string;
  /** Byte size of the zip as uploaded. */
  readonly size: number;
  /** Sum of the entries' uncompressed sizes. */
  readonly unzippedSize: number;
  /** The file name the uploader gave the package, if any (FunctionGraph `code_filename`). */
  readonly fileName: string;
}

/**
 * A runtime as Quiver understands it: a language family and a version string. `custom` is a
 * web function that names no language (FunctionGraph's runtime `http`): its own server runs.
 */
export interface RuntimeId {
  readonly family: "nodejs" | "python" | "custom";
  readonly version: string;
}

/** Everything a version snapshots besides the code. */
export interface FunctionConfig {
  readonly runtime: RuntimeId;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSec: number;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Function type: an event function, or an HTTP (web) function. */
  readonly type: "Event" | "HTTP";
  /**
   * Outbound access to the public network. Off unless the function's configuration asks for it
   * (both vendors default to on; Quiver does not, see docs/security.md). Absent in records
   * written before it existed, which means off.
   */
  readonly publicNetwork?: boolean;
  /**
   * Layers (SCF) / dependencies (FunctionGraph) bound to the function, in order: later ones
   * overlay earlier ones under `/opt`. Absent in records written before layers existed: none.
   */
  readonly layers?: readonly BoundLayer[];
  /** Dialect-specific settings Quiver keeps but does not interpret (role, VPC, etc.), by dialect. */
  readonly extras: Readonly<Record<string, unknown>>;
}

export interface FunctionRecord {
  readonly id: string;
  readonly scope: Scope;
  readonly namespace: string;
  readonly name: string;
  readonly status: FunctionStatus;
  readonly statusReason: string;
  readonly config: FunctionConfig;
  /**
   * The stored package the head runs. Null while the function is Creating, after CreateFailed,
   * and while the head runs a host directory instead (`hotReloadDir`).
   */
  readonly code: CodeRef | null;
  /**
   * Hot reload: the host directory the head runs, as the caller named it (absolute). Set, the
   * head has no stored package: each new instance runs the directory's current files, and a
   * publish snapshots them into a package. Absent for a head that runs a stored package.
   */
  readonly hotReloadDir?: string;
  /** Bumped on every change of code or configuration; a version records the revision it copied. */
  readonly revision: number;
  /** Last numeric version name handed out; numbers are never reused, even after deletes. */
  readonly lastVersionNumber: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** An immutable snapshot of a function's code and configuration. */
export interface VersionRecord {
  readonly functionId: string;
  readonly name: string;
  /** Publish order within the function: strictly increasing, never reused. */
  readonly seq: number;
  /** What the publisher said about this version. */
  readonly description: string;
  readonly config: FunctionConfig;
  readonly code: CodeRef;
  /** The function revision that was snapshotted. */
  readonly sourceRevision: number;
  readonly createdAt: number;
}

export type SortOrder = "ASC" | "DESC";

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}
