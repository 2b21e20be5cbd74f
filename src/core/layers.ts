/**
 * Layers (SCF) and dependencies (FunctionGraph): one neutral thing, a named, numbered zip that
 * functions bind in order and see under `/opt` at run time. Both dialects map onto this model;
 * a layer published through one API is the same record through the other (docs/layers.md).
 */
import type { CodeRef, RuntimeId, Scope } from "./model.js";

/** The vendors' layer statuses; a publish is synchronous here, so a stored version is Active. */
export type LayerStatus = "Active";

/** One published version of a layer. Immutable, like a function version. */
export interface LayerVersionRecord {
  readonly scope: Scope;
  /** The layer's id, the same for all its versions (FunctionGraph `dep_id`). */
  readonly layerId: string;
  /** This version's id (FunctionGraph `id`, what `depend_version_list` names). */
  readonly id: string;
  readonly name: string;
  /** 1, 2, … per layer; never reused, even after the layer's every version was deleted. */
  readonly version: number;
  readonly description: string;
  readonly license: string;
  readonly compatibleRuntimes: readonly RuntimeId[];
  /** `x86_64` unless the publisher named another. */
  readonly architecture: string;
  readonly code: CodeRef;
  /** Hex MD5 of the zip (FunctionGraph's `etag`). */
  readonly md5: string;
  readonly status: LayerStatus;
  /** Settings a dialect keeps but does not interpret (SCF tags), by dialect. */
  readonly extras: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

/** A layer version as a function names it. */
export interface LayerRef {
  readonly name: string;
  readonly version: number;
}

/**
 * A layer version bound to a function: what it was when it was bound (layer versions never
 * change). It is copied so that the function, and every version published from it, keeps
 * running the same files even after the layer version is deleted, as SCF documents, and so
 * that answers describing a function's layers need no further reads.
 */
export type BoundLayer = Pick<LayerVersionRecord, "name" | "version" | "id" | "layerId" | "code" | "md5" | "description" | "compatibleRuntimes" | "createdAt">;

/** What a publish asks of the store; the version number is chosen by the store under its lock. */
export interface LayerPublishPlan {
  readonly scope: Scope;
  readonly name: string;
  /** Used only when the layer is new. */
  readonly newLayerId: string;
  readonly id: string;
  readonly description: string;
  readonly license: string;
  readonly compatibleRuntimes: readonly RuntimeId[];
  readonly architecture: string;
  readonly code: CodeRef;
  readonly md5: string;
  readonly extras: Readonly<Record<string, unknown>>;
  readonly now: number;
  /** Versions one layer may have at once. */
  readonly maxVersions: number;
  /** Layers one scope may have. */
  readonly maxLayers: number;
}

export interface ListLayersQuery {
  readonly nameContains?: string;
  /** Only layers whose latest version lists this runtime. */
  readonly runtime?: RuntimeId;
  readonly offset: number;
  readonly limit: number;
}

/**
 * What deleting a layer version that a function head or version binds does: SCF allows it (the
 * functions keep the files they were bound with); FunctionGraph refuses it (FSS.1033).
 */
export type LayerDeletePolicy = "allow-in-use" | "refuse-in-use";
