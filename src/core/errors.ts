/**
 * The one vendor-neutral error type of Quiver's core.
 *
 * Codes say what went wrong in domain terms; they carry no HTTP status and no vendor
 * vocabulary. Each wire dialect maps every code to its own error code and status in a single
 * table (see `src/dialects/<dialect>/errors.ts`), and the compiler keeps those tables total.
 * Retired codes are never reused.
 */

/** Faults of the caller: bad input, missing resources, conflicts, quotas, authentication. */
export const USER_ERROR_CODES = [
  "MalformedRequest", // body or query could not be parsed at all
  "RequestTooLarge",
  "RequestTimeout", // the request (headers or body) did not arrive within the server's time limit
  "MissingParameter",
  "UnknownParameter",
  "InvalidParameter", // a value breaks a documented rule
  "InvalidParameterType", // a value has the wrong JSON type
  "UnknownAction",
  "UnsupportedApiVersion",
  "AuthMissing",
  "AuthMalformed",
  "AuthUnknownKey",
  "AuthSignatureMismatch",
  "AuthExpired",
  "AuthForbidden", // authenticated, but the resource (e.g. a project) is not the caller's
  "RateLimited",
  "NamespaceNotFound",
  "FunctionNotFound",
  "VersionNotFound",
  "NamespaceAlreadyExists",
  "FunctionAlreadyExists",
  "VersionAlreadyExists",
  "NamespaceLimitExceeded",
  "FunctionLimitExceeded",
  "VersionLimitExceeded",
  "NamespaceProtected", // the default namespace cannot be created, changed or deleted
  "NamespaceNotEmpty",
  "LatestProtected", // $LATEST / latest cannot be deleted on its own
  "FunctionStateConflict", // the function's status does not allow the operation now
  "CodeMissing",
  "CodeBadBase64",
  "CodeNotZip",
  "CodeUnsafePath",
  "CodeTooLarge",
  "CodeDigestMismatch",
  "AliasNotFound",
  "AliasAlreadyExists",
  "AliasLimitExceeded",
  "AliasProtected", // the default alias cannot be deleted
  "VersionInUse", // an alias routes to the version
  "InvocationNotFound", // no async invocation with that request id
  "EventInvalid", // the invocation event is not JSON
  "EventTooLarge",
  "TriggerNotFound",
  "TriggerAlreadyExists", // the trigger name is taken on the function
  "TriggerLimitExceeded", // the function has the most triggers of that kind
  "TriggerTypeUnsupported", // a trigger type Quiver does not serve
  "TriggerPathTaken", // an API-gateway path already served in the scope (FunctionGraph project)
  "TriggerStatusUnchanged", // a trigger switched to the state it already has
  "QualifierHasTriggers", // a version or alias with triggers bound to it cannot be deleted
  "PageBeyondLimit", // a page of a query reaches deeper than the query allows (offset + limit)
  "CapacityExceedsMachine", // provisioned instances asked for exceed what this machine may run (--max-instances)
  "ReservedOverTotal", // a function's reserved concurrency would take its namespace past the account's total
  "TotalBelowReserved", // an account total below the concurrency its functions already reserve
  "LayerNotFound", // no layer of that name (subject layer), or no such version of it (subject layerVersion)
  "LayerLimitExceeded", // too many versions of one layer, layers in a scope, or layers on one function
  "LayerInUse", // a layer version a function binds cannot be deleted (where the vendor refuses it)
  "ProvisionedOverReserved", // a function's provisioned instances would exceed its reserved concurrency (a put of either)
] as const;

/** Faults of Quiver itself. */
export const SYSTEM_ERROR_CODES = ["Internal"] as const;

export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type SystemErrorCode = (typeof SYSTEM_ERROR_CODES)[number];
export type ErrorCode = UserErrorCode | SystemErrorCode;

export const ALL_ERROR_CODES: readonly ErrorCode[] = [...USER_ERROR_CODES, ...SYSTEM_ERROR_CODES];

/**
 * What was attempted, when the dialects answer one error code differently by the attempt: a
 * status conflict (FunctionStateConflict), the default namespace (created vs deleted), an unknown
 * qualifier (on an invocation vs elsewhere).
 */
export type ErrorOperation = "create" | "publish" | "updateCode" | "updateConfig" | "delete" | "invoke";

/** The operations a function's status can refuse. */
export type ConflictingOperation = Exclude<ErrorOperation, "create">;

/**
 * What an error is about, in domain terms. Each dialect's error table turns (code, subject)
 * into its own wire code, so core/ and store/ never spell a vendor's parameter names.
 */
export const ERROR_SUBJECTS = [
  "namespace", // a namespace (FunctionGraph: package) by name
  "function", // a function by name
  "version", // a published version by name: one to create, publish or delete
  "alias", // an alias by name
  "qualifier", // the version or alias a request's qualifier names
  "aliasVersion", // a version an alias is to route to (main or additional)
  "routing", // an alias's routing (weights, rules)
  "digest", // the code digest a publish expects
  "inlineCode", // code sent inline in the request (FunctionGraph code_type inline)
  "package", // a code package (zip)
  "codeSource", // where the code comes from when it is not sent inline (a hot-reload directory)
  "configuration", // a function's configuration as a whole
  "invocation", // an asynchronous invocation by request id
  "trigger", // a trigger of a function, by name or id
  "layer", // a layer (FunctionGraph: dependency) by name or id, or the layers bound to a function
  "layerVersion", // one version of a layer
] as const;

export type ErrorSubject = (typeof ERROR_SUBJECTS)[number];

export interface ErrorDetails {
  /** What the error is about (core/, store/ and dialects alike). */
  readonly subject?: ErrorSubject;
  /** What was attempted, where the dialects answer differently by it. */
  readonly operation?: ErrorOperation;
  /**
   * Dialect-only: the wire parameter a dialect's own validation found at fault, in that
   * dialect's spelling (e.g. `MemorySize`, `memory_size`). core/ and store/ never set it
   * (lint-enforced); they say what the error is about with `subject`.
   */
  readonly parameter?: string;
  readonly cause?: unknown;
}

export class QuiverError extends Error {
  readonly code: ErrorCode;
  readonly subject: ErrorSubject | undefined;
  readonly operation: ErrorOperation | undefined;
  readonly parameter: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = `QuiverError [${code}]`;
    this.code = code;
    this.subject = details.subject;
    this.operation = details.operation;
    this.parameter = details.parameter;
    if (details.cause !== undefined) {
      // Non-enumerable so that logging the error does not dump the whole cause chain.
      Object.defineProperty(this, "cause", { value: details.cause, enumerable: false });
    }
  }

  get isUserError(): boolean {
    return (USER_ERROR_CODES as readonly string[]).includes(this.code);
  }
}

export function isQuiverError(value: unknown): value is QuiverError {
  return value instanceof QuiverError;
}

/** Dialect-only shorthand for the most common validation error: `parameter` is a wire name. */
export function invalid(parameter: string, message: string): QuiverError {
  return new QuiverError("InvalidParameter", message, { parameter });
}
