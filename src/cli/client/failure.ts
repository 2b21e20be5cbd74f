/**
 * How the client commands fail: one error type carrying the exit code that says what failed,
 * the vendor's code and message when an API refused, and a hint where one helps.
 */

/** Exit codes of the client commands (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The function ran and failed (invoke), or `diff` found differences. */
  failed: 1,
  /** Bad flags, an unknown command, a project file Quiver cannot honour. */
  usage: 2,
  /** No credentials found, or the API refused them. */
  credentials: 3,
  /** The API refused the request (its code and message are printed). */
  api: 4,
  /** The endpoint could not be reached. */
  unreachable: 5,
  /** A wait ran out (a function that never became Active). */
  timeout: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;
  readonly vendorCode: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: ExitCode, details: { vendorCode?: string | undefined; hint?: string | undefined } = {}) {
    super(message);
    this.exitCode = exitCode;
    this.vendorCode = details.vendorCode;
    this.hint = details.hint;
  }
}

/** Vendor codes that mean "your credentials", whichever dialect answered. */
const CREDENTIAL_CODES = /^(AuthFailure|APIGW\.030[0-9]|FSS\.0401|FSS\.0403$)/;

/** Hints for the codes users meet most; keyed by vendor code. */
const HINTS: Readonly<Record<string, string>> = {
  "AuthFailure.SecretIdNotFound": "the SecretId is unknown to this endpoint: check --endpoint and the keys (quiver serve prints its keys when it creates them)",
  "AuthFailure.SignatureFailure": "the SecretKey does not match the SecretId",
  "ResourceNotFound.Function": "list the functions with `quiver functions` (and check --namespace)",
  "ResourceNotFound.FunctionName": "list the functions with `quiver functions` (and check --namespace)",
  "ResourceNotFound.Version": "list the versions with `quiver versions FUNCTION`",
  "ResourceNotFound.Alias": "create it with `quiver alias set FUNCTION ALIAS VERSION`",
  "InvalidParameterValue.Code": "hot reload needs `quiver serve --hot-reload-root DIR` with the directory under DIR",
  "FSS.1010": "hot reload needs `quiver serve --hot-reload-root DIR` with the directory under DIR",
  "FSS.1051": "list the functions with `quiver functions --dialect fgs`",
  "RequestLimitExceeded": "the account's rate limit for this action was reached; try again in a second",
};

/** An SDK's rejection as a CliError: the vendor's code and message, the right exit code, a hint. */
export function fromSdkError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const e = error as { code?: unknown; errorCode?: unknown; message?: unknown; errorMsg?: unknown; httpStatusCode?: unknown; cause?: { code?: unknown } };
  const network = String(e.cause?.code ?? e.code ?? "");
  if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(network) || /ECONNREFUSED|ENOTFOUND|socket hang up/.test(String(e.message))) {
    return new CliError(`cannot reach the endpoint: ${String(e.message)}`, EXIT.unreachable, { hint: "is `quiver serve` running, and is --endpoint right?" });
  }
  const vendorCode = typeof e.errorCode === "string" ? e.errorCode : typeof e.code === "string" ? e.code : undefined;
  const message = String(e.errorMsg ?? e.message ?? error);
  if (vendorCode === undefined) return new CliError(message, EXIT.api);
  return new CliError(message, CREDENTIAL_CODES.test(vendorCode) ? EXIT.credentials : EXIT.api, { vendorCode, hint: HINTS[vendorCode] });
}

/** The vendor code of an SDK rejection, if it has one (to tell "not found" from other failures). */
export function vendorCodeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errorCode?: unknown };
  if (typeof e.errorCode === "string") return e.errorCode;
  return typeof e.code === "string" ? e.code : undefined;
}
