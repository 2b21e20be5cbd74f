import type { ErrorCode, QuiverError } from "../../core/errors.js";

/**
 * How every core error code reads on the SCF wire. SCF always answers HTTP 200 and puts the
 * code in `Response.Error.Code`. The record type makes the table total: a new core code does
 * not compile until it is mapped here.
 */
type CodeFor = string | ((error: QuiverError) => string);

/** `InvalidParameterValue.<Field>` for fields that have a documented sub-code. */
const VALUE_SUBCODES = new Set([
  "FunctionName", "Namespace", "Handler", "Runtime", "MemorySize", "Timeout", "Description", "Environment",
  "EnvironmentExceededLimit", "EnvironmentSystemProtect", "Qualifier", "Order", "OrderBy", "Offset", "Limit",
  "Type", "Code", "CodeSource", "ZipFile", "NamespaceInvalid", "DefaultNamespace", "Name", "Param",
  "InitTimeout", "SearchKey", "Filters", "ClientContext", "RoutingConfig", "Alias",
]);

const STATE_CONFLICT: Record<string, string> = {
  publish: "FailedOperation.PublishVersion",
  updateCode: "FailedOperation.UpdateFunctionCode",
  updateConfig: "FailedOperation.UpdateFunctionConfiguration",
  delete: "FailedOperation.DeleteFunction",
  invoke: "FailedOperation.FunctionStatusError",
};

export const SCF_ERROR_CODES: Readonly<Record<ErrorCode, CodeFor>> = {
  MalformedRequest: "InvalidParameter.Payload",
  RequestTooLarge: "RequestSizeLimitExceeded",
  // SCF documents no timeout code; InvalidRequest is its code for a request body it could not read.
  RequestTimeout: "InvalidRequest",
  MissingParameter: (e) => (e.field === "Code" || e.field === "Runtime" ? `MissingParameter.${e.field}` : "MissingParameter"),
  UnknownParameter: "UnknownParameter",
  InvalidParameter: (e) => (e.field && VALUE_SUBCODES.has(e.field) ? `InvalidParameterValue.${e.field}` : "InvalidParameterValue"),
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
  VersionNotFound: (e) => (e.field === "FunctionVersion" ? "ResourceNotFound.FunctionVersion" : e.field === "InvokeQualifier" ? "ResourceNotFound.Qualifier" : "ResourceNotFound.Version"),
  NamespaceAlreadyExists: "ResourceInUse.Namespace",
  FunctionAlreadyExists: "ResourceInUse.Function",
  VersionAlreadyExists: "ResourceInUse",
  NamespaceLimitExceeded: "LimitExceeded.Namespace",
  FunctionLimitExceeded: "LimitExceeded.Function",
  VersionLimitExceeded: "LimitExceeded.FunctionVersions",
  NamespaceProtected: (e) => (e.message.includes("created") ? "InvalidParameterValue.DefaultNamespace" : "FailedOperation.DeleteNamespace"),
  NamespaceNotEmpty: "FailedOperation.DeleteNamespace",
  LatestProtected: "InvalidParameterValue.Qualifier",
  FunctionStateConflict: (e) => STATE_CONFLICT[e.operation ?? ""] ?? "FailedOperation",
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
  Internal: "InternalError",
};

export function scfCode(error: QuiverError): string {
  const entry = SCF_ERROR_CODES[error.code];
  return typeof entry === "string" ? entry : entry(error);
}
