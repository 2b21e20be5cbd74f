import type { ConflictingOperation, ErrorCode, QuiverError } from "../../core/errors.js";
import { chooseWire, type WireEntry } from "../shared/error-table.js";

/**
 * How every core error code reads on the SCF wire. SCF always answers HTTP 200 and puts the
 * code in `Response.Error.Code`. The record type makes the table total: a new core code does
 * not compile until it is mapped here. Where SCF has several codes for one core code, the
 * choice is by the error's typed subject or operation, or by the parameter SCF's own
 * validation named; every code is in the vendor's list (documented-codes.ts, checked by
 * test/core/error-tables.test.ts).
 */
type Entry = WireEntry<string>;

/** `InvalidParameterValue.<Parameter>` for the parameters that have a documented sub-code. */
const VALUE_SUBCODES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    "FunctionName", "Namespace", "Handler", "Runtime", "MemorySize", "Description", "Environment",
    "EnvironmentExceededLimit", "EnvironmentSystemProtect", "Qualifier", "Order", "OrderBy", "Offset", "Limit",
    "Type", "Code", "ZipFile", "NamespaceInvalid", "DefaultNamespace", "Name", "Param",
    "SearchKey", "RoutingConfig", "Alias",
    "TriggerDesc", "TriggerName", "Enable", "CustomArgument", "Cors", "Filters",
    "DateTime", "StartTimeOrEndTime", "RetCode", "FunctionRequestId",
    "TriggerCronConfig", "TriggerProvisionedConcurrencyNum", "ProvisionTriggerName", "ProvisionTriggerNameDuplicate",
    "ProvisionType", "ProvisionTriggerCronConfigDuplicate",
    "LayerName", "CompatibleRuntimes", "Content", "Layers",
  ].map((parameter) => [parameter, `InvalidParameterValue.${parameter}`]),
);

/** Time limits out of range: SCF documents `LimitExceeded.<Parameter>` for them, not a value code. */
const LIMIT_SUBCODES: Readonly<Record<string, string>> = {
  Timeout: "LimitExceeded.Timeout",
  InitTimeout: "LimitExceeded.InitTimeout",
};

const STATE_CONFLICT: Readonly<Record<ConflictingOperation, string>> = {
  publish: "FailedOperation.PublishVersion",
  updateCode: "FailedOperation.UpdateFunctionCode",
  updateConfig: "FailedOperation.UpdateFunctionConfiguration",
  delete: "FailedOperation.DeleteFunction",
  invoke: "FailedOperation.FunctionStatusError",
};

export const SCF_ERROR_CODES: Readonly<Record<ErrorCode, Entry>> = {
  MalformedRequest: "InvalidParameter.Payload",
  RequestTooLarge: "RequestSizeLimitExceeded",
  // SCF documents no timeout code; InvalidRequest is its code for a request body it could not read.
  RequestTimeout: "InvalidRequest",
  MissingParameter: { choose: { parameter: { Code: "MissingParameter.Code", Runtime: "MissingParameter.Runtime" }, otherwise: "MissingParameter" } },
  UnknownParameter: "UnknownParameter",
  InvalidParameter: { choose: { parameter: { ...VALUE_SUBCODES, ...LIMIT_SUBCODES }, subject: { routing: "InvalidParameterValue.RoutingConfig", package: "InvalidParameterValue.Code", codeSource: "InvalidParameterValue.Code", function: "InvalidParameterValue.FunctionType" }, otherwise: "InvalidParameterValue" } },
  InvalidParameterType: "InvalidParameter",
  UnknownAction: "InvalidAction",
  UnsupportedApiVersion: "NoSuchVersion",
  AuthMissing: "AuthFailure.InvalidAuthorization",
  AuthMalformed: "AuthFailure.InvalidAuthorization",
  AuthUnknownKey: "AuthFailure.SecretIdNotFound",
  AuthSignatureMismatch: "AuthFailure.SignatureFailure",
  AuthExpired: "AuthFailure.SignatureExpire",
  AuthForbidden: "AuthFailure.UnauthorizedOperation",
  RateLimited: "RequestLimitExceeded",
  NamespaceNotFound: "ResourceNotFound.Namespace",
  FunctionNotFound: "ResourceNotFound.Function",
  // An alias's target version, an invocation's qualifier (the invoke APIs' own code), any other qualifier.
  VersionNotFound: { choose: { subject: { aliasVersion: "ResourceNotFound.FunctionVersion" }, operation: { invoke: "ResourceNotFound.Qualifier" }, otherwise: "ResourceNotFound.Version" } },
  NamespaceAlreadyExists: "ResourceInUse.Namespace",
  FunctionAlreadyExists: "ResourceInUse.Function",
  VersionAlreadyExists: "ResourceInUse",
  NamespaceLimitExceeded: "LimitExceeded.Namespace",
  FunctionLimitExceeded: "LimitExceeded.Function",
  VersionLimitExceeded: "LimitExceeded.FunctionVersions",
  NamespaceProtected: { choose: { operation: { create: "InvalidParameterValue.DefaultNamespace" }, otherwise: "FailedOperation.DeleteNamespace" } },
  NamespaceNotEmpty: "FailedOperation.DeleteNamespace",
  LatestProtected: "InvalidParameterValue.Qualifier",
  FunctionStateConflict: { choose: { operation: STATE_CONFLICT, otherwise: "FailedOperation" } },
  CodeMissing: "MissingParameter.Code",
  CodeBadBase64: "InvalidParameterValue.ZipFileBase64BinasciiError",
  CodeNotZip: "InvalidParameterValue.ZipFile",
  CodeUnsafePath: "InvalidParameterValue.ZipFile",
  CodeTooLarge: "InvalidParameterValue.ZipFile",
  CodeDigestMismatch: "InvalidParameterValue",
  AliasNotFound: "ResourceNotFound.Alias",
  AliasAlreadyExists: "ResourceInUse.Alias",
  AliasLimitExceeded: "LimitExceeded.Alias",
  AliasProtected: "InvalidParameterValue.Alias",
  VersionInUse: "UnsupportedOperation.AliasBind",
  InvocationNotFound: "ResourceNotFound.AsyncEvent",
  EventInvalid: "InvalidParameterValue.Param",
  EventTooLarge: "InvalidParameter.RequestTooLarge",
  TriggerNotFound: "ResourceNotFound.Trigger",
  TriggerAlreadyExists: "ResourceInUse.TriggerName",
  TriggerLimitExceeded: "LimitExceeded.Trigger",
  TriggerTypeUnsupported: "InvalidParameterValue.Type",
  // A FunctionGraph APIG path taken in the project; SCF's "trigger in use" is the nearest code.
  TriggerPathTaken: "ResourceInUse.Trigger",
  // Documented as "the same as the current state, no change needed".
  TriggerStatusUnchanged: "FailedOperation.UpdateTriggerStatus",
  // SCF documents no code for a version or alias with triggers. DeleteFunction(Version) lists
  // UnsupportedOperation ("operation not supported"; its FailedOperation.DeleteFunction means a
  // status to wait out, and AliasBind means an alias); DeleteAlias lists only FailedOperation.DeleteAlias.
  QualifierHasTriggers: { choose: { subject: { alias: "FailedOperation.DeleteAlias" }, otherwise: "UnsupportedOperation" } },
  PageBeyondLimit: "LimitExceeded.Offset",
  // PutProvisionedConcurrencyConfig's code for "more provisioned concurrency than is available".
  CapacityExceedsMachine: "FailedOperation.ProvisionedExceedAvailable",
  ReservedOverTotal: "LimitExceeded.FunctionReservedConcurrencyMemory",
  TotalBelowReserved: "FailedOperation.ReservedExceedTotal",
  // A layer named by a function's Layers (CreateFunction, UpdateFunctionConfiguration) or a
  // layer listed by name (ListLayerVersions) vs one version asked for (Get/DeleteLayerVersion).
  LayerNotFound: { choose: { subject: { layerVersion: "ResourceNotFound.LayerVersion" }, otherwise: "ResourceNotFound.Layer" } },
  // Versions per layer, layers per region; too many layers on a function is a bad Layers value.
  LayerLimitExceeded: { choose: { subject: { layerVersion: "LimitExceeded.LayerVersions", layer: "LimitExceeded.Layers", function: "InvalidParameterValue.Layers" }, otherwise: "LimitExceeded.Layers" } },
  // Never answered through SCF, which lets a layer version in use be deleted (docs/layers.md).
  LayerInUse: "ResourceInUse.LayerVersion",
  // Documented for both PutProvisionedConcurrencyConfig and PutReservedConcurrencyConfig.
  ProvisionedOverReserved: "FailedOperation.ProvisionedExceedReserved",
  Internal: "InternalError",
};

export function scfCode(error: QuiverError): string {
  return chooseWire(SCF_ERROR_CODES[error.code], error);
}
