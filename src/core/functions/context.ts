import { QuiverError } from "../errors.js";
import type { FunctionRecord, VersionRecord } from "../model.js";
import type { AliasRouter } from "../routing.js";
import type { BlobStore, Clock, CodeInspector, HostDirectories, IdSource, MetadataStore } from "../ports.js";

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
