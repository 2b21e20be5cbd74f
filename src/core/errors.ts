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
  "InvalidParameter", // a value breaks a documented rule; `field` names it
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
] as const;

/** Faults of Quiver itself. */
export const SYSTEM_ERROR_CODES = ["Internal"] as const;

export type UserErrorCode = (typeof USER_ERROR_CODES)[number];
export type SystemErrorCode = (typeof SYSTEM_ERROR_CODES)[number];
export type ErrorCode = UserErrorCode | SystemErrorCode;

export const ALL_ERROR_CODES: readonly ErrorCode[] = [...USER_ERROR_CODES, ...SYSTEM_ERROR_CODES];

/** Operations a status conflict can be about; dialects pick their vendor code from it. */
export type ConflictingOperation = "publish" | "updateCode" | "updateConfig" | "delete" | "invoke";

export interface ErrorDetails {
  /** The parameter at fault, in the dialect's own spelling (e.g. `MemorySize`, `memory_size`). */
  readonly field?: string;
  /** For FunctionStateConflict: what was attempted. */
  readonly operation?: ConflictingOperation;
  readonly cause?: unknown;
}

export class QuiverError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly operation: ConflictingOperation | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = `QuiverError [${code}]`;
    this.code = code;
    this.field = details.field;
    this.operation = details.operation;
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

/** Shorthand for the most common user error. */
export function invalid(field: string, message: string): QuiverError {
  return new QuiverError("InvalidParameter", message, { field });
}
