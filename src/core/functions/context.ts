import type { ProvisionedConfig } from "../capacity.js";
import type { ProvisionedStatus } from "../capacity-keeper.js";
import { QuiverError } from "../errors.js";
import type { FunctionRecord, VersionRecord } from "../model.js";
import type { AliasRouter } from "../routing.js";
import type { BlobStore, Clock, CodeInspector, HostDirectories, IdSource, MetadataStore } from "../ports.js";

/** What capacity needs of the node it runs on: the machine's cap, and the keeper (set once the engine exists). */
export interface CapacityHooks {
  /** Instances this machine runs at most (`--max-instances`). */
  readonly machineInstances: number;
  /** How the instances a config keeps are doing on this node. */
  status(config: ProvisionedConfig): ProvisionedStatus;
  /** Capacity settings changed through this node: act on them; resolves once the keeper looked. */
  changed(): Promise<void>;
}

/** What the control-plane aggregates (namespaces, functions, versions, aliases, resolution) share. */
export interface ServiceDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly inspector: CodeInspector;
  /** Host directories a head may run (hot reload); without it, hot reload is off (`HOT_RELOAD_OFF`). */
  readonly hostDirs?: HostDirectories;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly router: AliasRouter;
  /** Told when code can no longer be invoked (deleted function or version, replaced head). */
  readonly onCodeRetired?: (instanceKeyPrefix: string) => void;
  /** Told when a trigger was created, changed or deleted (the timer scheduler looks again at once). */
  readonly onTriggersChanged?: () => void;
  /** The node's capacity (core/capacity-keeper.ts); absent: no provisioned instances are kept, statuses stay InProgress. */
  readonly capacity?: CapacityHooks;
  /** Told of each version published (metrics count them). */
  readonly onPublished?: (fn: FunctionRecord, version: VersionRecord) => void;
}

/** Hot reload is off: every host directory is refused, with how to turn it on. */
export const HOT_RELOAD_OFF: HostDirectories = {
  resolve: () => Promise.reject(hotReloadOff()),
  zip: () => Promise.reject(hotReloadOff()),
};

function hotReloadOff(): QuiverError {
  return new QuiverError("InvalidParameter", "Hot reload is off on this server; start it with --hot-reload-root DIR to run functions from directories under DIR.", { subject: "codeSource" });
}

export function hostDirsOf(deps: ServiceDeps): HostDirectories {
  return deps.hostDirs ?? HOT_RELOAD_OFF;
}
