import { QuiverError } from "../errors.js";
import type { LayerDeletePolicy, LayerPublishPlan, LayerVersionRecord } from "../layers.js";

/** What a store reads, under its lock on the scope's layers, before publishing a layer version. */
export interface LayerPublishState {
  /** The layer's id and last number handed out, or null when no version of that name was ever published. */
  readonly layer: { readonly id: string; readonly lastVersion: number } | null;
  /** Versions the layer has now. */
  readonly versionCount: number;
  /** Layers of the scope that have at least one version. */
  readonly layerCount: number;
}

/**
 * The rules of a layer publish: the next number (never reused: a layer whose versions were all
 * deleted goes on from its last number, as SCF does), at most `maxVersions` versions of one
 * layer, and at most `maxLayers` layers per scope (a new name, or one whose versions were all
 * deleted, counts as a new layer).
 */
export function decideLayerPublish(state: LayerPublishState, plan: LayerPublishPlan): LayerVersionRecord {
  if (state.versionCount >= plan.maxVersions) {
    throw new QuiverError("LayerLimitExceeded", `Layer "${plan.name}" already has ${state.versionCount} versions, the most allowed (${plan.maxVersions}); delete one first.`, { subject: "layerVersion" });
  }
  if (state.versionCount === 0 && state.layerCount >= plan.maxLayers) {
    throw new QuiverError("LayerLimitExceeded", `There are already ${state.layerCount} layers in this region, the most allowed (${plan.maxLayers}).`, { subject: "layer" });
  }
  return {
    scope: plan.scope,
    layerId: state.layer?.id ?? plan.newLayerId,
    id: plan.id,
    name: plan.name,
    version: (state.layer?.lastVersion ?? 0) + 1,
    description: plan.description,
    license: plan.license,
    compatibleRuntimes: plan.compatibleRuntimes,
    architecture: plan.architecture,
    code: plan.code,
    md5: plan.md5,
    status: "Active",
    extras: plan.extras,
    createdAt: plan.now,
  };
}

/** What a store reads, under its lock on the scope's layers, before deleting a layer version. */
export interface LayerDeleteState {
  readonly exists: boolean;
  /** Whether a function head or a published version of the scope binds this layer version. */
  readonly inUse: boolean;
}

/** Whether to delete: false when the version does not exist; LayerInUse when bound and the policy refuses it. */
export function decideLayerDelete(name: string, version: number, state: LayerDeleteState, policy: LayerDeletePolicy): boolean {
  if (!state.exists) return false;
  if (state.inUse && policy === "refuse-in-use") {
    throw new QuiverError("LayerInUse", `Version ${version} of layer "${name}" is used by a function or a function version; unbind it first.`, { subject: "layerVersion" });
  }
  return true;
}
