/**
 * The rules of the metadata stores, written once. Every `MetadataStore` method that checks and
 * changes state together does only this: take its lock, read what a rule below needs, call the
 * rule (which decides, or throws the QuiverError the caller sees), and write the decision.
 * The rules are pure: no I/O, so both stores, and unit tests, run the very same code.
 */
export { checkAliasInsert, decideAliasUpdate, versionsRoutedBy, type AliasInsertState, type AliasUpdate, type AliasUpdateState } from "./aliases.js";
export { decideFunctionInsert, functionAlreadyExists, requireFunction, type FunctionInsertState } from "./functions.js";
export { acceptanceOrder } from "./invocations.js";
export { decideNamespaceDelete, decideNamespaceInsert, type NamespaceDeleteState, type NamespaceInsertState } from "./namespaces.js";
export { decidePublish, type PublishDecision, type PublishState } from "./publish.js";
export { decideTransition } from "./statuses.js";
export {
  apigPath, apigPathAfter, checkQualifierUnbound, checkTriggerInsert, decideTriggerUpdate, qualifierNeedsLookup, triggerAlreadyExists, triggerPathTaken,
  type QualifierFacts, type TriggerInsertState, type TriggerUpdateState,
} from "./triggers.js";
export { decideTimerClaim, type TimerState } from "./timers.js";
export { checkVersionDeletable } from "./versions.js";
export { checkCapCoversProvisioned, checkReservedPut, checkTotalPut, decideProvisionedPut, reservedMemory, type ProvisionedPutState, type ReservedPutState, type SizedProvisioned } from "./capacity.js";
export { decideLayerDelete, decideLayerPublish, type LayerDeleteState, type LayerPublishState } from "./layers.js";
