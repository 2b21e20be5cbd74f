import type { InvocationErrorKind, InvocationOutcome } from "../../core/invoke.js";
import { queryParameters, eventBody, type DoorRefusal, type HttpAnswer, type TriggerHttpRequest } from "../shared/trigger-http.js";
import { errorDocument } from "./invoke-out.js";
import { fgVersionName } from "./rules.js";

/**
 * FunctionGraph's APIG triggers at the front door: the APIG event a function receives, and the
 * gateway's answers when it cannot serve (API Gateway's `{error_code, error_msg, request_id}`
 * with its APIG.* codes). Pure: the door (dialects/http-door) does the routing, auth and invocation.
 */

export const APIG_REQUEST_ID_HEADER = "x-request-id";
export const CFF_REQUEST_ID_HEADER = "x-cff-request-id";
export const CFF_VERSION_HEADER = "x-cff-function-version";

export interface ApigEventFacts {
  readonly requestId: string;
  /** The trigger's id, which is the API's id (`requestContext.apiId`). */
  readonly triggerId: string;
}

/**
 * The APIG event: the body always base64 with `isBase64Encoded` true (APIG's default), the
 * path as the API sees it (the trigger's path and what follows it), the query as an object
 * (a repeated key as an array). APIG's declared path parameters do not exist here: `{}`.
 */
export function apigTriggerEvent(request: TriggerHttpRequest, facts: ApigEventFacts): string {
  const { body, isBase64Encoded } = eventBody(request.body, undefined, true);
  return JSON.stringify({
    body,
    requestContext: { apiId: facts.triggerId, requestId: facts.requestId, stage: "RELEASE", sourceIp: request.sourceIp },
    queryStringParameters: queryParameters(request.rawQuery),
    httpMethod: request.method,
    pathParameters: {},
    headers: request.headers,
    path: request.path,
    isBase64Encoded,
  });
}

interface ApigError {
  readonly status: number;
  readonly code: string;
}

/**
 * API Gateway's documented answers (its "Error Codes" table): a disabled trigger is an API that
 * is not published, 404 APIG.0101, as is a method the API does not serve; request, backend-
 * unavailable (502) and backend-timeout (504) faults all share APIG.0201 with their own status
 * there (the ROMA/APIC gateway splits them into .0202/.0203). Quiver's own failures are
 * FunctionGraph's internal error.
 */
const REFUSALS: Readonly<Record<DoorRefusal, ApigError>> = {
  "no-route": { status: 404, code: "APIG.0101" },
  disabled: { status: 404, code: "APIG.0101" },
  "method-not-allowed": { status: 404, code: "APIG.0101" },
  unauthenticated: { status: 401, code: "APIG.0301" },
  forbidden: { status: 403, code: "APIG.0302" },
  "too-large": { status: 413, code: "APIG.0201" },
  "bad-request": { status: 400, code: "APIG.0201" },
  busy: { status: 429, code: "APIG.0308" },
  unavailable: { status: 502, code: "APIG.0201" },
  "invalid-response": { status: 502, code: "APIG.0201" },
  "gateway-timeout": { status: 504, code: "APIG.0201" },
  internal: { status: 500, code: "FSS.0500" },
};

export function apigRefusalAnswer(refusal: DoorRefusal, message: string, requestId: string): HttpAnswer {
  const { status, code } = REFUSALS[refusal];
  return {
    status,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(JSON.stringify({ error_code: code, error_msg: message, request_id: requestId })),
  };
}

/**
 * A function that failed: FunctionGraph's error document (`errorMessage`, `errorType`,
 * `stackTrace`, `errorCode`) with a gateway status; a full pool or an oversized event is the
 * gateway's own refusal.
 */
const FAILURE_STATUS: Readonly<Record<InvocationErrorKind, number | DoorRefusal>> = {
  "user-error": 500,
  memory: 500,
  timeout: 504,
  exit: 502,
  "handler-not-found": 502,
  "result-too-large": 502,
  "runtime-start-failed": 503,
  "event-too-large": "too-large",
  "concurrency-limit": "busy",
};

export function apigFailureAnswer(error: NonNullable<InvocationOutcome["error"]>, requestId: string): HttpAnswer {
  const status = FAILURE_STATUS[error.kind];
  if (typeof status !== "number") return apigRefusalAnswer(status, error.message, requestId);
  return {
    status,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(errorDocument(error)),
  };
}

/** The headers every answer carries: the request id (APIG's and FunctionGraph's names), and the version that ran once one did. */
export function apigIdHeaders(requestId: string, versionName: string | null): Array<readonly [string, string]> {
  const ids: Array<readonly [string, string]> = [[APIG_REQUEST_ID_HEADER, requestId], [CFF_REQUEST_ID_HEADER, requestId]];
  if (versionName !== null) ids.push([CFF_VERSION_HEADER, fgVersionName(versionName)]);
  return ids;
}
