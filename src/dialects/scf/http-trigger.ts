import type { InvocationErrorKind, InvocationOutcome } from "../../core/invoke.js";
import { eventBody, queryParameters, type DoorRefusal, type HttpAnswer, type TriggerHttpRequest } from "../shared/trigger-http.js";
import { SCF_STATUS } from "./invoke-out.js";

/**
 * SCF's HTTP triggers at the front door (function URLs, `http`, and API-gateway triggers,
 * `apigw`): the event a function receives, and the gateway's answers when it cannot serve.
 * Pure: the door (dialects/http-door) does the routing, auth and invocation.
 */

/** The request id and the version that ran, on every answer after the trigger was found. */
export const SCF_REQUEST_ID_HEADER = "x-scf-request-id";
export const SCF_VERSION_HEADER = "x-scf-version";

export interface ScfEventFacts {
  readonly requestId: string;
  readonly triggerId: string;
  /** The path the trigger serves (`/` for a function URL): the API's path template in `requestContext`. */
  readonly triggerPath: string;
  /** The SecretId that signed the request, for a signed trigger. */
  readonly secretId: string | null;
}

/**
 * The API-gateway event, which is a superset of the function-URL event (the function-URL page
 * documents the same fields less `requestContext`, `isBase64Encoded` and the parameter maps), so a
 * handler written for either reads what it expects. `queryString` and `queryStringParameters` hold
 * the whole query (a repeated key as an array); the API's declared path and header parameters
 * do not exist here, so those maps are empty.
 */
export function scfTriggerEvent(request: TriggerHttpRequest, facts: ScfEventFacts): string {
  const headers = request.headers;
  const query = queryParameters(request.rawQuery);
  const { body, isBase64Encoded } = eventBody(request.body, headers["content-type"], false);
  return JSON.stringify({
    requestContext: {
      serviceId: `service-${facts.triggerId.slice(0, 8)}`,
      path: facts.triggerPath,
      httpMethod: request.method,
      requestId: facts.requestId,
      identity: facts.secretId === null ? {} : { secretId: facts.secretId },
      sourceIp: request.sourceIp,
      stage: "release",
    },
    headers,
    body,
    pathParameters: {},
    queryStringParameters: query,
    headerParameters: {},
    stageVariables: { stage: "release" },
    path: request.path,
    queryString: query,
    httpMethod: request.method,
    isBase64Encoded,
  });
}

/** The status each refusal gets. A disabled trigger is 403: the URL exists, its owner switched it off. */
const REFUSAL_STATUS: Readonly<Record<DoorRefusal, number>> = {
  "no-route": 404,
  disabled: 403,
  "method-not-allowed": 405,
  unauthenticated: 401,
  forbidden: 403,
  "too-large": 413,
  "bad-request": 400,
  busy: 429,
  unavailable: 503,
  "invalid-response": 502,
  "gateway-timeout": 504,
  internal: 500,
};

/** The gateway's error body: `{"errno", "error", "requestId"}` (the shape SCF's gateway documents for an invalid response). */
function errorBody(status: number, errno: number, message: string, requestId: string): HttpAnswer {
  return {
    status,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(JSON.stringify({ errno, error: message, requestId })),
  };
}

export function scfRefusalAnswer(refusal: DoorRefusal, message: string, requestId: string): HttpAnswer {
  const status = REFUSAL_STATUS[refusal];
  return errorBody(status, status, message, requestId);
}

/** The HTTP status of a function that failed; `errno` is SCF's function status code (430 error, 433 timeout, …). */
const FAILURE_STATUS: Readonly<Record<InvocationErrorKind, number>> = {
  "user-error": 502,
  timeout: 504,
  memory: 502,
  exit: 502,
  "handler-not-found": 502,
  "result-too-large": 502,
  "event-too-large": 413,
  "concurrency-limit": 429,
  "runtime-start-failed": 503,
};

export function scfFailureAnswer(error: NonNullable<InvocationOutcome["error"]>, requestId: string): HttpAnswer {
  return errorBody(FAILURE_STATUS[error.kind], SCF_STATUS[error.kind], error.message, requestId);
}

/** The headers every answer carries: the request id, and the version that ran once one did. */
export function scfIdHeaders(requestId: string, versionName: string | null): Array<readonly [string, string]> {
  return versionName === null ? [[SCF_REQUEST_ID_HEADER, requestId]] : [[SCF_REQUEST_ID_HEADER, requestId], [SCF_VERSION_HEADER, versionName]];
}
