import { createHash } from "node:crypto";
import { checkCode } from "../code.js";
import { QuiverError } from "../errors.js";
import type { BoundLayer, LayerDeletePolicy, LayerRef, LayerVersionRecord, ListLayersQuery } from "../layers.js";
import type { Page, RuntimeId, Scope } from "../model.js";
import type { ServiceDeps } from "./context.js";

export interface PublishLayerInput {
  readonly name: string;
  readonly description: string;
  readonly license: string;
  readonly compatibleRuntimes: readonly RuntimeId[];
  readonly architecture: string;
  readonly zip: Buffer;
  readonly fileName: string;
  readonly extras: Readonly<Record<string, unknown>>;
  /** Versions one layer may have (SCF 200). */
  readonly maxVersions: number;
  /** Layers per scope (SCF 20 per region). */
  readonly maxLayers: number;
}

/**
 * Layers (SCF) and dependencies (FunctionGraph): published versions of named zips, and their
 * binding to functions. A binding copies the layer version's code reference into the function's
 * configuration, so publishing a function version freezes its layers with the rest.
 */
export class Layers {
  readonly #deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  /** Checks the zip, stores it (content-addressed, shared with function code), then records the version. */
  async publish(scope: Scope, input: PublishLayerInput): Promise<LayerVersionRecord> {
    const { store, blobs, inspector, clock, ids } = this.#deps;
    const checked = await checkCode(inspector, input.zip, input.fileName);
    try {
      await blobs.put(checked.ref.sha256, checked.bytes);
    } catch (cause) {
      throw new QuiverError("Internal", "The layer's package could not be stored.", { cause });
    }
    return store.publishLayerVersion({
      scope,
      name: input.name,
      newLayerId: ids.uuid(),
      id: ids.uuid(),
      description: input.description,
      license: input.license,
      compatibleRuntimes: input.compatibleRuntimes,
      architecture: input.architecture,
      code: checked.ref,
      md5: createHash("md5").update(input.zip).digest("hex"),
      extras: input.extras,
      now: clock.now(),
      maxVersions: input.maxVersions,
      maxLayers: input.maxLayers,
    });
  }

  async get(scope: Scope, ref: LayerRef): Promise<LayerVersionRecord> {
    const found = await this.#deps.store.getLayerVersion(scope, ref.name, ref.version);
    if (!found) throw versionNotFound(ref);
    return found;
  }

  async getById(scope: Scope, id: string): Promise<LayerVersionRecord> {
    const found = await this.#deps.store.getLayerVersionById(scope, id);
    if (!found) throw new QuiverError("LayerNotFound", `No layer version has the id "${id}".`, { subject: "layerVersion" });
    return found;
  }

  list(scope: Scope, query: ListLayersQuery): Promise<Page<LayerVersionRecord>> {
    return this.#deps.store.listLayers(scope, query);
  }

  /** Every version of a layer, newest first; LayerNotFound when it has none. */
  async versions(scope: Scope, layer: { readonly name: string } | { readonly layerId: string }): Promise<LayerVersionRecord[]> {
    const versions = await this.#deps.store.listLayerVersions(scope, layer);
    if (versions.length === 0) {
      const named = "name" in layer ? `"${layer.name}"` : `with id "${layer.layerId}"`;
      throw new QuiverError("LayerNotFound", `Layer ${named} does not exist.`, { subject: "layer" });
    }
    return versions;
  }

  async delete(scope: Scope, ref: LayerRef, policy: LayerDeletePolicy): Promise<void> {
    if (!(await this.#deps.store.deleteLayerVersion(scope, ref.name, ref.version, policy))) throw versionNotFound(ref);
  }

  /**
   * The layer versions a function is to bind, in order, each with its code. Only the caller's
   * scope is searched, so another account's layer is as absent as one that never existed.
   */
  async bind(scope: Scope, refs: readonly LayerRef[], maxPerFunction: number): Promise<BoundLayer[]> {
    checkBindCount(refs.length, maxPerFunction);
    const bound: BoundLayer[] = [];
    for (const ref of refs) {
      const found = await this.#deps.store.getLayerVersion(scope, ref.name, ref.version);
      if (!found) throw new QuiverError("LayerNotFound", `Version ${ref.version} of layer "${ref.name}" does not exist.`, { subject: "layer" });
      bound.push(boundLayer(found));
    }
    return bound;
  }

  /** As `bind`, with layer versions named by id (FunctionGraph `depend_version_list`). */
  async bindByIds(scope: Scope, ids: readonly string[], maxPerFunction: number): Promise<BoundLayer[]> {
    checkBindCount(ids.length, maxPerFunction);
    const bound: BoundLayer[] = [];
    for (const id of ids) {
      const found = await this.#deps.store.getLayerVersionById(scope, id);
      if (!found) throw new QuiverError("LayerNotFound", `No dependency version has the id "${id}".`, { subject: "layer" });
      bound.push(boundLayer(found));
    }
    return bound;
  }
}

function boundLayer(version: LayerVersionRecord): BoundLayer {
  const { name, id, layerId, code, md5, description, compatibleRuntimes, createdAt } = version;
  return { name, version: version.version, id, layerId, code, md5, description, compatibleRuntimes, createdAt };
}

function checkBindCount(count: number, max: number): void {
  if (count > max) throw new QuiverError("LayerLimitExceeded", `A function may bind at most ${max} layers; ${count} were given.`, { subject: "function" });
}

function versionNotFound(ref: LayerRef): QuiverError {
  return new QuiverError("LayerNotFound", `Version ${ref.version} of layer "${ref.name}" does not exist.`, { subject: "layerVersion" });
}
