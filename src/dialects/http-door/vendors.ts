import type { Account, AccountRegistry } from "../../accounts/accounts.js";
import type { HandlerConvention, InvocationOutcome } from "../../core/invoke.js";
import type { FunctionRecord } from "../../core/model.js";
import type { HttpTriggerSettings, TriggerRecord } from "../../core/triggers.js";
import { apigFailureAnswer, apigIdHeaders, apigRefusalAnswer, apigTriggerEvent } from "../fgs/http-trigger.js";
import { identify as identifyHuawei } from "../fgs/transport.js";
import type { RawHttpRequest } from "../shared/raw-request.js";
import { scfFailureAnswer, scfIdHeaders, scfRefusalAnswer, scfTriggerEvent } from "../scf/http-trigger.js";
import { verifyTc3 } from "../scf/transport.js";
import { DoorError, type DoorRefusal, type HttpAnswer, type TriggerHttpRequest } from "../shared/trigger-http.js";

/** What an event needs besides the request. */
export interface EventFacts {
  readonly requestId: string;
  readonly trigger: TriggerRecord;
  readonly settings: HttpTriggerSettings;
  /** The key that signed the request (SCF SecretId, FunctionGraph AK), for a signed trigger. */
  readonly keyId: string | null;
}

/** Everything the door does differently per vendor once it has found a trigger. */
export interface Vendor {
  readonly convention: HandlerConvention;
  event(request: TriggerHttpRequest, facts: EventFacts): string;
  /** The vendor context values a handler sees, as the vendor's invoke API sets them. */
  contextValues(account: Account, fn: FunctionRecord): Record<string, string>;
  /** The account whose keys signed the request, and the key id; throws a core auth error when none did. */
  signer(request: RawHttpRequest, accounts: AccountRegistry, nowMs: number): { account: Account; keyId: string };
  refusal(refusal: DoorRefusal, message: string, requestId: string): HttpAnswer;
  failure(error: NonNullable<InvocationOutcome["error"]>, requestId: string): HttpAnswer;
  /** The request id, and the version that ran once one did. */
  idHeaders(requestId: string, versionName: string | null): Array<readonly [string, string]>;
}

/** SCF triggers: the API-gateway event, TC3 signatures over the request's own path and query. */
export const SCF_VENDOR: Vendor = {
  convention: "scf",
  event: (request, facts) => scfTriggerEvent(request, { requestId: facts.requestId, triggerId: facts.trigger.id, triggerPath: facts.settings.path, secretId: facts.keyId }),
  contextValues: (account) => ({ appId: account.appId, uin: account.uin }),
  signer(request, accounts, nowMs) {
    const authorization = request.headers["authorization"];
    if (typeof authorization !== "string") throw new DoorError("unauthenticated", "This trigger needs a TC3-HMAC-SHA256 signed request (Authorization header).");
    const account = verifyTc3(request, authorization, accounts, nowMs / 1000, request.rawPath);
    return { account, keyId: account.tencent?.secretId ?? "" };
  },
  refusal: scfRefusalAnswer,
  failure: scfFailureAnswer,
  idHeaders: scfIdHeaders,
};

/** FunctionGraph APIG triggers: the APIG event, SDK-HMAC-SHA256 (or the account's token) as the API checks it. */
export const APIG_VENDOR: Vendor = {
  convention: "fgs",
  event: (request, facts) => apigTriggerEvent(request, { requestId: facts.requestId, triggerId: facts.trigger.id }),
  contextValues: (account, fn) => ({ projectId: account.huawei?.projectId ?? "", package: fn.namespace, alias: "" }),
  signer(request, accounts, nowMs) {
    const account = identifyHuawei(request, accounts, nowMs);
    return { account, keyId: account.huawei.accessKey };
  },
  refusal: apigRefusalAnswer,
  failure: apigFailureAnswer,
  idHeaders: apigIdHeaders,
};
