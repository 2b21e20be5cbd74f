import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AccountRegistry } from "../../accounts/accounts.js";
import { SCF_RATE_LIMITS, type QuiverConfig } from "../../config/config.js";
import { QuiverError } from "../../core/errors.js";
import type { InvocationService } from "../../core/invocations.js";
import type { FunctionService } from "../../core/service.js";
import { ActionRates, type RateLimiter } from "../../server/rate-limiter.js";
import { toQuiverError } from "../shared/fastify-errors.js";
import { rawRequestOf } from "../shared/raw-request.js";
import { jsonAnswer, sendAnswer, type WireAnswer } from "../shared/wire-answer.js";
import { ALIAS_ACTIONS } from "./actions/aliases.js";
import type { ScfAction } from "./actions/context.js";
import { FUNCTION_ACTIONS } from "./actions/functions.js";
import { INVOKE_ACTIONS } from "./actions/invoke.js";
import { NAMESPACE_ACTIONS } from "./actions/namespaces.js";
import { VERSION_ACTIONS } from "./actions/versions.js";
import { scfCode } from "./errors.js";
import { authenticate } from "./transport.js";

export interface ScfDeps {
  readonly service: FunctionService;
  readonly invocations: InvocationService;
  readonly accounts: AccountRegistry;
  readonly config: QuiverConfig;
  readonly limiter: RateLimiter;
}

/**
 * Every action Quiver serves, by name. A Map, not an object: the name comes from the caller, and
 * an object would also answer `constructor`, `toString` or `__proto__` from its prototype.
 */
const SCF_ACTIONS: ReadonlyMap<string, ScfAction> = new Map(
  Object.entries({ ...FUNCTION_ACTIONS, ...VERSION_ACTIONS, ...NAMESPACE_ACTIONS, ...ALIAS_ACTIONS, ...INVOKE_ACTIONS }),
);

/** The names `X-TC-Action` / `Action=` may take. */
export const SCF_ACTION_NAMES: ReadonlySet<string> = new Set(SCF_ACTIONS.keys());

const REGION = /^[a-z]{2,}-[a-z0-9-]{1,40}$/;

/**
 * The Tencent SCF API 3.0 dialect: `POST /` and `GET /` with the action in a header or a
 * parameter. Every answer is HTTP 200 with `{"Response": {..., "RequestId"}}`, errors included,
 * as the official SDKs expect.
 */
export function registerScf(app: FastifyInstance, deps: ScfDeps): void {
  const rates = new ActionRates(deps.limiter, deps.config.rateLimits, "scf", SCF_RATE_LIMITS);

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const requestId = randomUUID();
    try {
      const call = authenticate(rawRequestOf(request), deps.accounts, Date.now() / 1000);
      const action = SCF_ACTIONS.get(call.action);
      if (!action) throw new QuiverError("UnknownAction", `The action "${call.action}" does not exist or is not supported by Quiver.`);
      const region = call.region ?? deps.config.region;
      if (!REGION.test(region)) throw new QuiverError("InvalidParameter", `Region "${region}" is not a valid region name.`, { parameter: "Region" });
      rates.enforce(call.account.name, call.action);
      const scope = { accountId: call.account.name, region };
      const result = await action({ scope, account: call.account, service: deps.service, invocations: deps.invocations, config: deps.config, requestId }, call.params);
      await sendAnswer(reply, jsonAnswer(200, { Response: { ...result, RequestId: requestId } }));
    } catch (error) {
      const quiverError = toQuiverError(error);
      if (!quiverError.isUserError) request.log.error({ err: error, requestId }, "SCF request failed");
      await sendAnswer(reply, scfErrorAnswer(quiverError, requestId));
    }
  };

  app.route({ method: ["GET", "POST"], url: "/", handler: handle });
}

/** SCF's error envelope: always HTTP 200, `{"Response":{"Error":{"Code","Message"},"RequestId"}}`. */
export function scfErrorAnswer(error: QuiverError, requestId: string): WireAnswer {
  const message = error.code === "Internal" ? "An internal error occurred; see the Quiver log for the request id." : error.message;
  return jsonAnswer(200, { Response: { Error: { Code: scfCode(error), Message: message }, RequestId: requestId } });
}
