import type { FunctionRecord, VersionRecord } from "../model.js";
import type { AliasRouter } from "../routing.js";
import type { BlobStore, Clock, CodeInspector, IdSource, MetadataStore } from "../ports.js";

/** What the control-plane aggregates (namespaces, functions, versions, aliases, resolution) share. */
export interface ServiceDeps {
  readonly store: MetadataStore;
  readonly blobs: BlobStore;
  readonly inspector: CodeInspector;
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
