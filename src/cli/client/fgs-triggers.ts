/**
 * Project-file triggers as FunctionGraph `createFunctionTrigger` takes them (TIMER and APIG
 * `event_data`, docs/triggers.md), and Quiver's timer fire, which no SDK method covers.
 */
import type { BasicCredentials } from "@huaweicloud/huaweicloud-sdk-core";
import { CliError, EXIT, fromSdkError } from "./failure.js";
import { refusalOf, signedRequest } from "./huawei-signed.js";
import type { FunctionName, TriggerSpec } from "./platform.js";
import { fgsSchedule } from "./schedules.js";

type TimerSpec = Extract<TriggerSpec, { type: "timer" }>;
type HttpSpec = Extract<TriggerSpec, { type: "http" }>;

export function timerEventData(t: TimerSpec): Record<string, unknown> {
  return { name: t.name, ...fgsSchedule(t.name, t.schedule), ...(t.argument === undefined ? {} : { user_event: t.argument }) };
}

/**
 * An APIG trigger. What a project file leaves out gets the values FunctionGraph documents as
 * defaults (the RELEASE environment, a public API, any method, the path and everything below
 * it); the path defaults to `/{package}/{function}`, which no other function of the project
 * holds. The API group: Quiver takes any id; on Huawei Cloud, `groupId` must name one of the
 * account's API groups (the fgs component looks one up through API Gateway, which this CLI
 * does not call).
 */
export function apigEventData(fn: FunctionName, t: HttpSpec): Record<string, unknown> {
  const a = t.apig ?? {};
  return {
    name: t.name,
    group_id: a.groupId ?? "DEFAULT",
    ...(a.groupName === undefined ? {} : { group_name: a.groupName }),
    env_id: "DEFAULT_ENVIRONMENT_RELEASE_ID",
    env_name: "RELEASE",
    auth: t.authType === "CAM" ? "IAM" : "NONE",
    protocol: a.protocol ?? "HTTPS",
    path: a.path ?? `/${fn.namespace}/${fn.name}`,
    match_mode: "SWA",
    req_method: a.method ?? "ANY",
    type: 1,
    backend_type: "FUNCTION",
    ...(a.timeoutMs === undefined ? {} : { func_info: { timeout: a.timeoutMs, invocation_type: "sync" } }),
  };
}

/** Codes with which Quiver's fire route itself refuses: the route exists, the trigger or function does not. */
const FIRE_ROUTE_CODES = new Set(["FSS.1131", "FSS.1137", "FSS.1051"]);

/** `POST .../triggers/{urn}/TIMER/{id}/fire`; returns the invocation's request id. */
export async function fireTimer(target: { base: string; credential: BasicCredentials; projectId: string }, functionUrn: string, triggerId: string): Promise<string> {
  const answer = await signedRequest(target.credential, target.projectId, "POST", `${target.base}/v2/${target.projectId}/fgs/triggers/${functionUrn}/TIMER/${triggerId}/fire`);
  if (answer.status < 300) return String((answer.json as Record<string, unknown> | null)?.["request_id"] ?? "");
  const refusal = refusalOf(answer);
  if (answer.status === 404 && !FIRE_ROUTE_CODES.has(refusal.errorCode ?? "")) {
    throw new CliError(`${target.base} has no timer fire route (HTTP 404${refusal.errorCode ? ` ${refusal.errorCode}` : ""}): firing a timer now is Quiver's own addition to FunctionGraph's API, which Huawei Cloud does not serve`, EXIT.api, {
      vendorCode: refusal.errorCode,
      hint: "on Huawei Cloud, test the function with `quiver invoke --dialect fgs` and a TIMER event instead",
    });
  }
  throw fromSdkError(refusal);
}
