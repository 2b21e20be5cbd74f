import type { ErrorCode, QuiverError } from "../../core/errors.js";
import { chooseWire, type WireChoice, type WireEntry } from "../shared/error-table.js";

/**
 * How every core error code reads on the FunctionGraph wire: an HTTP status and an `error_code`
 * (the vendor's error-code list, pinned in documented-codes.ts and checked against this table by
 * test/core/error-tables.test.ts). Where the vendor documents a fixed message for a code, that
 * message is sent, so clients that compare messages keep working. The record type makes the
 * table total: a new core code does not compile until mapped here. Where one core code has
 * several FunctionGraph codes, the choice is by the error's typed subject or operation, or by
 * the parameter FunctionGraph's own validation named.
 */
export interface FgsWireError {
  readonly status: number;
  readonly code: string;
  /** The documented message; absent means the core's own message. */
  readonly message?: string;
}

type Entry = WireEntry<FgsWireError>;

/** Per-parameter codes of invalid values (FSS.1002–FSS.1019, FSS.1001, FSS.1309, FSS.1404–1405). */
const PARAMETER_CODES: Readonly<Record<string, string>> = {
  func_name: "FSS.1002",
  handler: "FSS.1003",
  package: "FSS.1004",
  runtime: "FSS.1005",
  code_type: "FSS.1006",
  memory_size: "FSS.1007",
  timeout: "FSS.1008",
  user_data: "FSS.1009",
  "user_data.count": "FSS.1017",
  "user_data.size": "FSS.1018",
  code_url: "FSS.1010",
  func_code: "FSS.1011",
  code_filename: "FSS.1013",
  description: "FSS.1019",
  initializer_handler: "FSS.1404",
  initializer_timeout: "FSS.1405",
  marker: "FSS.1001",
  maxitems: "FSS.1001",
  package_name: "FSS.1001",
  func_name_filter: "FSS.1001",
  function_urn: "FSS.1309",
  alias_name: "FSS.1014",
  alias_version: "FSS.1015",
  additional_version: "FSS.1091",
  additional_version_weights: "FSS.1092",
  additional_version_main: "FSS.1093",
  // Triggers: the type, an APIG trigger's event_data, a timer's (`event_data.timer`: its name),
  // the trigger name too long.
  trigger_type_code: "FSS.1101",
  event_data: "FSS.1107",
  "event_data.path": "FSS.1107",
  "event_data.auth": "FSS.1107",
  "event_data.protocol": "FSS.1107",
  "event_data.match_mode": "FSS.1107",
  "event_data.req_method": "FSS.1107",
  "event_data.type": "FSS.1107",
  "event_data.group_id": "FSS.1107",
  "event_data.env_id": "FSS.1107",
  "event_data.env_name": "FSS.1107",
  "event_data.func_info": "FSS.1107",
  "event_data.func_info.timeout": "FSS.1107",
  "event_data.timer": "FSS.1109",
  "event_data.schedule_type": "FSS.1109",
  "event_data.schedule": "FSS.1109",
  "event_data.user_event": "FSS.1109",
  "event_data.name": "FSS.1317",
  // Dependencies: an invalid dependency (its name, runtime, file, a function's list) or type.
  depend_version_list: "FSS.1024",
  depend_file: "FSS.1024",
  depend_link: "FSS.1024",
  depend_type: "FSS.1032",
  "dependency.name": "FSS.1024",
  "dependency.runtime": "FSS.1024",
  "dependency.description": "FSS.1024",
};

const BAD_PARAMETER: FgsWireError = { status: 400, code: "FSS.0400" };

/** An invalid parameter: its own documented code, else the generic one. */
const BY_PARAMETER: WireChoice<FgsWireError> = {
  parameter: Object.fromEntries(Object.entries(PARAMETER_CODES).map(([parameter, code]) => [parameter, { status: 400, code }])),
  otherwise: BAD_PARAMETER,
};
const byParameter: Entry = { choose: BY_PARAMETER };

const APIGW_AUTH: FgsWireError = { status: 401, code: "APIGW.0301" };

export const FGS_ERRORS: Readonly<Record<ErrorCode, Entry>> = {
  // A body that is not JSON at all gets the documented "not in the expected JSON format" code;
  // one that parsed but nests a parameter too deeply (`parameter` names it) is that parameter's error.
  MalformedRequest: { choose: { ...BY_PARAMETER, otherParameter: BAD_PARAMETER, otherwise: { status: 406, code: "FSS.0406" } } },
  RequestTooLarge: { status: 413, code: "FSS.0413" },
  RequestTimeout: { status: 408, code: "FSS.0408" },
  MissingParameter: byParameter,
  UnknownParameter: byParameter,
  // A web function's package without its bootstrap: FSS.1011, "invalid function code".
  // A hot-reload directory refused (hot reload off, outside the root): FSS.1010, the code_url code.
  InvalidParameter: { choose: { ...BY_PARAMETER, subject: { package: { status: 400, code: "FSS.1011" }, codeSource: { status: 400, code: "FSS.1010" } } } },
  InvalidParameterType: byParameter,
  UnknownAction: { status: 404, code: "FSS.0404", message: "Not found the specified resource" },
  UnsupportedApiVersion: { status: 404, code: "FSS.0404", message: "Not found the specified resource" },
  AuthMissing: APIGW_AUTH,
  AuthMalformed: APIGW_AUTH,
  AuthUnknownKey: APIGW_AUTH,
  AuthSignatureMismatch: APIGW_AUTH,
  AuthExpired: APIGW_AUTH,
  AuthForbidden: { status: 403, code: "FSS.0403" },
  RateLimited: { status: 429, code: "FSS.0429" },
  // A package that does not exist holds no function: the caller asked for a missing function.
  NamespaceNotFound: { status: 404, code: "FSS.1051", message: "Not found the function" },
  FunctionNotFound: { status: 404, code: "FSS.1051", message: "Not found the function" },
  VersionNotFound: { status: 404, code: "FSS.1052", message: "Not found the function version" },
  NamespaceAlreadyExists: { status: 409, code: "FSS.0409" },
  FunctionAlreadyExists: { status: 409, code: "FSS.1061", message: "The function has existed" },
  VersionAlreadyExists: { status: 409, code: "FSS.1062" },
  NamespaceLimitExceeded: { status: 403, code: "FSS.0403" },
  FunctionLimitExceeded: { status: 403, code: "FSS.1041" },
  // No dedicated code is documented; the v1.0 docs list 403 for "versions exceed the limit".
  VersionLimitExceeded: { status: 403, code: "FSS.0403" },
  NamespaceProtected: { status: 403, code: "FSS.0403" },
  NamespaceNotEmpty: { status: 403, code: "FSS.0403" },
  LatestProtected: { status: 400, code: "FSS.0400" },
  FunctionStateConflict: { status: 409, code: "FSS.0409" },
  CodeMissing: { status: 400, code: "FSS.1012" },
  CodeBadBase64: { status: 400, code: "FSS.1011" },
  CodeNotZip: { status: 400, code: "FSS.1011" },
  CodeUnsafePath: { status: 400, code: "FSS.1011" },
  CodeTooLarge: { choose: { subject: { inlineCode: { status: 413, code: "FSS.1072" } }, otherwise: { status: 413, code: "FSS.1071" } } },
  CodeDigestMismatch: { status: 400, code: "FSS.0400" },
  AliasNotFound: { status: 404, code: "FSS.1053", message: "Not found the function alias" },
  AliasAlreadyExists: { status: 409, code: "FSS.1063" },
  AliasLimitExceeded: { status: 403, code: "FSS.1043" },
  AliasProtected: { status: 400, code: "FSS.1014" },
  // FunctionGraph documents 1094 for a version used as an alias's additional version; Quiver
  // refuses deleting any version an alias routes to, so the main version gets it too.
  VersionInUse: { status: 403, code: "FSS.1094" },
  InvocationNotFound: { status: 404, code: "FSS.0404", message: "Not found the specified resource" },
  // An invocation body that is not JSON: "not in the expected JSON format".
  EventInvalid: { status: 406, code: "FSS.0406" },
  EventTooLarge: { status: 413, code: "FSS.1201" },
  // An item route's trigger_type_code that FunctionGraph does not document: "trigger type not found".
  TriggerNotFound: { choose: { parameter: { trigger_type_code: { status: 404, code: "FSS.1137" } }, otherwise: { status: 404, code: "FSS.1131" } } },
  TriggerAlreadyExists: { status: 400, code: "FSS.1307" },
  TriggerLimitExceeded: { status: 400, code: "FSS.1306" },
  TriggerTypeUnsupported: { status: 400, code: "FSS.1101" },
  TriggerPathTaken: { status: 409, code: "FSS.1147" },
  TriggerStatusUnchanged: { status: 400, code: "FSS.1318" },
  // Documented for an alias with triggers; a version with triggers is refused the same way.
  QualifierHasTriggers: { status: 403, code: "FSS.1154" },
  PageBeyondLimit: { status: 400, code: "FSS.0400" },
  // Documented as "reserved instances over the limit".
  CapacityExceedsMachine: { status: 400, code: "FSS.1076" },
  // SCF's memory totals: no FunctionGraph request reaches them.
  ReservedOverTotal: { status: 400, code: "FSS.0400" },
  TotalBelowReserved: { status: 400, code: "FSS.0400" },
  // Dependencies: "dependency not found", "too many dependencies", "dependency in use".
  LayerNotFound: { status: 404, code: "FSS.1056" },
  LayerLimitExceeded: { status: 403, code: "FSS.1045" },
  LayerInUse: { status: 412, code: "FSS.1033" },
  // "Reserved instances over the limit": more reserved instances than the function's maximum
  // instances, whichever of the two is being set.
  ProvisionedOverReserved: { status: 400, code: "FSS.1076" },
  Internal: { status: 500, code: "FSS.0500", message: "Internal error; see the Quiver log for the request id" },
};

export function fgsWireError(error: QuiverError): FgsWireError {
  return chooseWire(FGS_ERRORS[error.code], error);
}

/** The error body: `{error_code, error_msg}`; API Gateway auth failures also carry `request_id`. */
export function fgsErrorBody(error: QuiverError, requestId: string): { status: number; body: Record<string, string> } {
  const wire = fgsWireError(error);
  if (wire.code.startsWith("APIGW.")) {
    return { status: wire.status, body: { error_code: wire.code, error_msg: `Incorrect IAM authentication information: ${error.message}`, request_id: requestId } };
  }
  return { status: wire.status, body: { error_code: wire.code, error_msg: wire.message ?? error.message } };
}
