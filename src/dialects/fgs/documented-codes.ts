/**
 * The error codes Huawei documents for FunctionGraph, each with the HTTP status it is documented
 * with, transcribed from the vendor's error-code list (the generic `FSS.0nnn` codes, the
 * function, version, alias and invocation codes) and API Gateway's IAM signature failure.
 * Written out here rather than derived from Quiver's table, so that a test can hold the table
 * (errors.ts) to them: every code and status Quiver answers must be one of these pairs.
 */
export const FGS_DOCUMENTED_ERRORS = [
  // Generic codes, named by their status.
  ["FSS.0400", 400], ["FSS.0401", 401], ["FSS.0403", 403], ["FSS.0404", 404], ["FSS.0406", 406],
  ["FSS.0408", 408], ["FSS.0409", 409], ["FSS.0410", 410], ["FSS.0413", 413], ["FSS.0428", 428],
  ["FSS.0429", 429], ["FSS.0500", 500], ["FSS.0502", 502], ["FSS.0503", 503], ["FSS.0504", 504],
  // Invalid parameters.
  ["FSS.1001", 400], ["FSS.1002", 400], ["FSS.1003", 400], ["FSS.1004", 400], ["FSS.1005", 400],
  ["FSS.1006", 400], ["FSS.1007", 400], ["FSS.1008", 400], ["FSS.1009", 400], ["FSS.1010", 400],
  ["FSS.1011", 400], ["FSS.1012", 400], ["FSS.1013", 400], ["FSS.1014", 400], ["FSS.1015", 400],
  ["FSS.1016", 400], ["FSS.1017", 400], ["FSS.1018", 400], ["FSS.1019", 400], ["FSS.1026", 400],
  ["FSS.1027", 400],
  // Quotas.
  ["FSS.1041", 403], ["FSS.1042", 403], ["FSS.1043", 403],
  // Not found, already exists.
  ["FSS.1051", 404], ["FSS.1052", 404], ["FSS.1053", 404],
  ["FSS.1061", 409], ["FSS.1062", 409], ["FSS.1063", 409], ["FSS.1066", 409],
  // Code size, reserved instances, alias routing.
  ["FSS.1071", 413], ["FSS.1072", 413], ["FSS.1076", 400], ["FSS.1077", 400],
  ["FSS.1091", 400], ["FSS.1092", 400], ["FSS.1093", 400], ["FSS.1094", 403], ["FSS.1154", 403],
  // Triggers: type, APIG and timer settings, not found, path taken, too many, name taken or too
  // long, an operation the trigger does not allow.
  ["FSS.1101", 400], ["FSS.1107", 400], ["FSS.1109", 400], ["FSS.1131", 404], ["FSS.1137", 404], ["FSS.1147", 409],
  ["FSS.1306", 400], ["FSS.1307", 400], ["FSS.1317", 400], ["FSS.1318", 400],
  // Invocation, URNs, initializers.
  ["FSS.1201", 413], ["FSS.1202", 500], ["FSS.1309", 400], ["FSS.1404", 400], ["FSS.1405", 400],
  // Dependencies: invalid dependency or type, in use, too many, not found.
  ["FSS.1024", 400], ["FSS.1032", 400], ["FSS.1033", 412], ["FSS.1045", 403], ["FSS.1056", 404],
  // API Gateway: IAM (AK/SK) and app signature failures.
  ["APIGW.0301", 401], ["APIG.0303", 401],
] as const satisfies readonly (readonly [string, number])[];

/** `code` → documented status. */
export const FGS_DOCUMENTED_STATUS: ReadonlyMap<string, number> = new Map<string, number>(FGS_DOCUMENTED_ERRORS);
